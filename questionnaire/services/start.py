"""The staff start page (the admin's index): the rounds in progress, each with its next step, and what needs attention.

Read-only, and a fixed number of queries however many rounds, invitations and mails
there are: the counts come grouped by round (``follow.rounds_progress`` and two more).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import MAIL_PENDING, Invitation, Library, Mail, Round
from .follow import Progress, rounds_progress
from .next_step import Step, deadline_near, next_step

# A closed round stays on the start page this long, with its results as the next step.
RECENTLY_CLOSED = timedelta(days=30)


@dataclass(frozen=True)
class Attention:
    """Something staff should look at: a sentence with its count, and the list that shows the cases."""

    key: str  # failed, outbox, unopened
    count: int
    text: str
    url: str


@dataclass
class RoundRow:
    round: Round
    progress: Progress
    step: Step
    state: str  # open, upcoming, closed
    attention: list[Attention] = field(default_factory=list)


def start_rounds(now: datetime | None = None) -> list[RoundRow]:
    """Return the rounds in progress (open or still to open) and those closed lately, open ones first."""
    now = now or timezone.now()
    rounds = list(
        Round.objects.real()
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now - RECENTLY_CLOSED))
        .order_by("closes_at", "opens_at", "pk")
    )
    # The open rounds first, then those still to open, then the closed: each by its deadline.
    rounds.sort(key=lambda round_: 2 if round_.has_closed(now) else (0 if round_.is_open(now) else 1))
    if not rounds:
        return []
    progress = rounds_progress(rounds)
    register_empty = not Library.objects.active().exists()
    open_ids = [round_.pk for round_ in rounds if round_.is_open(now)]
    invitations = {
        row.pop("round"): row
        for row in Invitation.objects.real()
        .filter(round__in=open_ids)
        .values("round")
        .annotate(
            failed=Count("pk", filter=~Q(send_error="")),
            unopened=Count("pk", filter=Q(sent_at__isnull=False, first_opened_at__isnull=True, response__isnull=True)),
        )
        .order_by()
    }
    outbox = dict(
        Mail.objects.filter(invitation__round__in=open_ids, invitation__is_test=False, status__in=MAIL_PENDING)
        .values("invitation__round")
        .annotate(count=Count("pk"))
        .values_list("invitation__round", "count")
        .order_by()
    )
    rows = []
    for round_ in rounds:
        if round_.has_closed(now):
            state = "closed"
        elif round_.is_open(now):
            state = "open"
        else:
            state = "upcoming"
        row = RoundRow(
            round=round_,
            progress=progress[round_.pk],
            step=next_step(round_, progress[round_.pk], now=now, register_empty=register_empty),
            state=state,
        )
        if state == "open":
            counts = invitations.get(round_.pk, {})
            row.attention = round_attention(
                round_,
                failed=counts.get("failed", 0),
                outbox=outbox.get(round_.pk, 0),
                unopened=counts.get("unopened", 0) if deadline_near(round_, now) else 0,
            )
        rows.append(row)
    return rows


def _invitations_url(round_: Round, **filters) -> str:
    query = urlencode({"round__id__exact": round_.pk, **filters})
    return f"{reverse('admin:questionnaire_invitation_changelist')}?{query}"


def round_attention(round_: Round, *, failed: int, outbox: int, unopened: int) -> list[Attention]:
    """Return what needs attention in the open *round_*, from its counts: only what there is."""
    items = []
    if failed:
        items.append(
            Attention(
                "failed",
                failed,
                ngettext(
                    "The mail to %(count)d library was refused or bounced.",
                    "The mail to %(count)d libraries was refused or bounced.",
                    failed,
                )
                % {"count": failed},
                _invitations_url(round_, mail_failed="yes"),
            )
        )
    if outbox:
        items.append(
            Attention(
                "outbox",
                outbox,
                ngettext(
                    "%(count)d mail waits in the outbox, not sent yet.",
                    "%(count)d mails wait in the outbox, not sent yet.",
                    outbox,
                )
                % {"count": outbox},
                reverse("admin:questionnaire_round_overview", args=[round_.pk]) + "#mail",
            )
        )
    if unopened:
        deadline = date_format(timezone.localtime(round_.closes_at), "DATE_FORMAT")
        items.append(
            Attention(
                "unopened",
                unopened,
                ngettext(
                    "%(count)d library has not opened its link, and the deadline is %(date)s.",
                    "%(count)d libraries have not opened their link, and the deadline is %(date)s.",
                    unopened,
                )
                % {"count": unopened, "date": deadline},
                _invitations_url(round_, status="not_opened"),
            )
        )
    return items


def state_label(state: str) -> str:
    return {"open": _("Open for answers"), "upcoming": _("Not open yet"), "closed": _("Closed")}[state]
