"""Formatting of figures for the results pages: shares as percentages, kroner, bar widths."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "–"


def whole_percent(share) -> int:
    """Return a share (0.454) as the whole percentage the page writes (45): bars are drawn from it too."""
    return round(share * 100)


@register.filter
def percent(share):
    """Return a share (0.45) as a percentage ("45%"), or a dash when there is none."""
    if share is None:
        return MISSING
    return _("%(number)s%%") % {"number": number_format(whole_percent(share), 0)}


@register.filter
def kroner(amount):
    """Return an amount in whole kroner, grouped ("DKK 250,000"), or a dash when there is none."""
    if amount is None:
        return MISSING
    return _("DKK %(amount)s") % {"amount": number_format(round(amount), 0, force_grouping=True)}


@register.filter
def bar_width(share):
    """Return a share as a CSS width in percent, exactly the percentage written beside the bar.

    A dot and no grouping whatever the language; never more than the bar's full length.
    """
    if not share:
        return "0%"
    return f"{min(whole_percent(share), 100)}%"
