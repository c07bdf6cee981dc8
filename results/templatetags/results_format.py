"""Formatting of figures for the results pages: shares as percentages, kroner, bar widths.

Every output rounds one way, half up, as Danish statistics print (``round_half_up``): Python's
own round() goes half to even, which printed 1 of 40 as "2 %" where the workbook showed 2,5 %.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

MISSING = "–"


def exact(number) -> Decimal:
    """Return *number* as the shortest decimal that names it (0.145, not 0.14499999…), for rounding."""
    return number if isinstance(number, Decimal) else Decimal(repr(float(number)))


def round_half_up(number, digits: int = 0):
    """Return *number* rounded half up (2.5 → 3, 0.25 → 0.3 at one digit): an int for 0 digits, else a float."""
    rounded = exact(number).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return int(rounded) if digits == 0 else float(rounded)


def percentage_points(share, earlier_share, digits: int = 1) -> float:
    """Return the change from *earlier_share* to *share* in percentage points, rounded half up."""
    return round_half_up((exact(share) - exact(earlier_share)) * 100, digits)


def whole_percent(share) -> int:
    """Return a share (0.454) as the whole percentage the page writes (45): bars are drawn from it too."""
    return round_half_up(exact(share) * 100)


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
    return _("DKK %(amount)s") % {"amount": number_format(round_half_up(amount), 0, force_grouping=True)}


@register.filter
def bar_width(share):
    """Return a share as a CSS width in percent, exactly the percentage written beside the bar.

    A dot and no grouping whatever the language; never more than the bar's full length.
    """
    if not share:
        return "0%"
    return f"{min(whole_percent(share), 100)}%"
