"""Following a round: how far the libraries have come, and who has not answered yet.

Read-only. Every function runs a fixed number of queries, however many
libraries are invited. Staff's test links are left out everywhere.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from ..codes import RESPONDENT_EMAIL, RESPONDENT_NAME, RESPONDENT_PHONE
from ..models import Answer, Invitation, Region, ResponseStatus, Round
from ..spreadsheets import xlsx_row
from .answers import answers_by_response


def share(part: int | None, whole: int | None) -> float | None:
    """Return *part* as a fraction of *whole*, or None when *whole* is zero or unknown."""
    if not whole or part is None:
        return None
    return part / whole


@dataclass(frozen=True)
class Progress:
    """The state of a group of invitations (the whole round or one region)."""

    label: str
    invited: int = 0
    sent: int = 0
    opened: int = 0
    in_progress: int = 0
    submitted: int = 0

    @property
    def response_rate(self) -> float | None:
        """Return the share of invited libraries that have submitted, from 0 to 1 (None if none invited)."""
        return share(self.submitted, self.invited)


@dataclass(frozen=True)
class RoundOverview:
    total: Progress
    regions: list[Progress]


COUNTS = {
    "invited": Count("pk"),
    "sent": Count("pk", filter=Q(sent_at__isnull=False)),
    "opened": Count("pk", filter=Q(first_opened_at__isnull=False)),
    "in_progress": Count("pk", filter=Q(response__status=ResponseStatus.DRAFT)),
    "submitted": Count("pk", filter=Q(response__status=ResponseStatus.SUBMITTED)),
}


def round_overview(round: Round) -> RoundOverview:
    """Return the counts of *round*, overall and per region, in one query."""
    rows = (
        Invitation.objects.real()
        .filter(round=round)
        .values("library__municipality__region")
        .annotate(**COUNTS)
        .order_by()
    )
    by_region = {row.pop("library__municipality__region"): row for row in rows}
    regions = [Progress(str(label), **by_region.get(value, {})) for value, label in Region.choices]
    total = Progress(_("All regions"), **{key: sum(getattr(region, key) for region in regions) for key in COUNTS})
    return RoundOverview(total=total, regions=regions)


def rounds_progress(rounds) -> dict[int, Progress]:
    """Return the counts of each of *rounds* by its id, in one query however many rounds and invitations."""
    rows = (
        Invitation.objects.real()
        .filter(round__in=[round_.pk for round_ in rounds])
        .values("round")
        .annotate(**COUNTS)
        .order_by()
    )
    by_round = {row.pop("round"): row for row in rows}
    return {round_.pk: Progress(round_.title, **by_round.get(round_.pk, {})) for round_ in rounds}


# --- Libraries that have not answered -------------------------------------------------


@dataclass(frozen=True)
class NonRespondent:
    invitation: Invitation
    status: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @property
    def library(self):
        return self.invitation.library


def invitation_status(invitation: Invitation) -> str:
    """Return how far the library has come, as staff read it (response must be select_related)."""
    if invitation.is_test:
        response = getattr(invitation, "response", None)
        state = response.get_status_display() if response is not None else _("not started")
        return capfirst(_("test link: %(state)s") % {"state": str(state).lower()})
    response = getattr(invitation, "response", None)
    if response is not None:
        status = response.get_status_display()
    elif invitation.first_opened_at:
        status = _("opened, not started")
    elif invitation.sent_at:
        status = _("not opened")
    else:
        status = _("not sent")
    # A status stands alone in a cell, as the response's own labels do ("In progress").
    return capfirst(str(status))


def round_non_respondents(round: Round) -> list[NonRespondent]:
    """Return the invited libraries that have not submitted, with their contact data, in two queries.

    Besides the library's own e-mail, the contact person a library has entered in
    a draft is given, for a telephone call.
    """
    invitations = (
        round.invitations.real()
        .exclude(response__status=ResponseStatus.SUBMITTED)
        .select_related("library__municipality", "response")
        .order_by("library__municipality__code", "library__name")
    )
    drafts = Answer.objects.personal().filter(
        response__invitation__round=round, response__invitation__is_test=False, response__status=ResponseStatus.DRAFT
    )
    contacts = {
        invitation_id: answers
        for _response, (invitation_id,), answers in answers_by_response(drafts, extra=("response__invitation_id",))
    }
    result = []
    for invitation in invitations:
        contact = contacts.get(invitation.pk, {})
        result.append(
            NonRespondent(
                invitation=invitation,
                status=invitation_status(invitation),
                contact_name=contact.get(RESPONDENT_NAME, ""),
                contact_email=contact.get(RESPONDENT_EMAIL, ""),
                contact_phone=contact.get(RESPONDENT_PHONE, ""),
            )
        )
    return result


def _local(moment):
    # Excel has no time zones: write local time, without the zone.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


NON_RESPONDENT_COLUMNS = (
    ("municipality_code", gettext_lazy("municipality code")),
    ("municipality", gettext_lazy("municipality")),
    ("region", gettext_lazy("region")),
    ("library", gettext_lazy("library")),
    ("kind", gettext_lazy("kind")),
    ("email", gettext_lazy("library e-mail")),
    ("status", gettext_lazy("status")),
    ("sent_at", gettext_lazy("invitation sent")),
    ("reminder_count", gettext_lazy("reminders sent")),
    ("last_reminded_at", gettext_lazy("last reminder")),
    ("contact_name", gettext_lazy("contact person")),
    ("contact_email", gettext_lazy("contact person's e-mail")),
    ("contact_phone", gettext_lazy("telephone")),
)


def _non_respondent_values(row: NonRespondent) -> dict:
    library = row.library
    return {
        "municipality_code": library.municipality.code,
        "municipality": library.municipality.name,
        "region": str(library.municipality.get_region_display()),
        "library": library.name,
        "kind": str(library.get_kind_display()),
        "email": library.email,
        "status": row.status,
        "sent_at": _local(row.invitation.sent_at),
        "reminder_count": row.invitation.reminder_count,
        "last_reminded_at": _local(row.invitation.last_reminded_at),
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "contact_phone": row.contact_phone,
    }


def non_respondents_write_xlsx(*, round: Round, handle) -> int:
    """Write the libraries of *round* that have not submitted to *handle* as a workbook; return how many."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Not answered"))
    sheet.append([str(label) for _key, label in NON_RESPONDENT_COLUMNS])
    rows = round_non_respondents(round)
    for row in rows:
        values = _non_respondent_values(row)
        # Names and contact details are typed by libraries: text, never a formula (spreadsheets.py).
        sheet.append(xlsx_row(sheet, [values[key] for key, _label in NON_RESPONDENT_COLUMNS]))
    workbook.save(handle)
    return len(rows)
