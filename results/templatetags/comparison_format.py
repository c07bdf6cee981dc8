"""Formatting of two rounds side by side: a figure in its unit, and a change in percentage points."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .results_format import MISSING, kroner, percent

register = template.Library()


@register.filter
def figure(value, unit):
    """Return *value* as its *unit* reads: a share as a percentage, kroner, or a count."""
    if value is None:
        return MISSING
    if unit == "share":
        return percent(value)
    if unit == "kroner":
        return kroner(value)
    return number_format(value, 0, force_grouping=True)


@register.filter
def change(compared):
    """Return the change of a ComparedFigure, signed: "+7 pp" for shares, "+DKK 50,000" for kroner."""
    value = compared.change
    if value is None:
        return MISSING
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    magnitude = abs(value)
    if compared.unit == "share":
        return _("%(sign)s%(number)s pp") % {"sign": sign, "number": number_format(magnitude, 1)}
    if compared.unit == "kroner":
        return f"{sign}{kroner(magnitude)}"
    return f"{sign}{number_format(magnitude, 0, force_grouping=True)}"
