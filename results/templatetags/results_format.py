"""Formatting of figures for the results pages: shares as percentages, kroner, bar widths."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "–"


@register.filter
def percent(share):
    """Return a share (0.45) as a percentage ("45%"), or a dash when there is none."""
    if share is None:
        return MISSING
    return _("%(number)s%%") % {"number": number_format(round(share * 100), 0)}


@register.filter
def kroner(amount):
    """Return an amount in whole kroner, grouped ("DKK 250,000"), or a dash when there is none."""
    if amount is None:
        return MISSING
    return _("DKK %(amount)s") % {"amount": number_format(round(amount), 0, force_grouping=True)}


@register.filter
def bar_width(share):
    """Return a share as an SVG width out of 100, with a dot whatever the language."""
    if not share:
        return "0"
    return f"{min(share, 1) * 100:.1f}"
