"""A round's next step, for the staff start page: what DB staff do next, and where.

A round goes register → round → mail texts → invitations → follow → results → report →
published results (and, a while after it closes, its personal data is removed). ``next_step`` reads where
a round is from the round itself and its counts (``services.follow.Progress``) and names
the first step not yet done, with the admin page that does it. It asks the database
nothing, so the start page can show it for every round at no cost.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Round
from .follow import Progress

# From a week before the deadline, a reminder is the next step and unopened links need attention.
DEADLINE_NEAR = timedelta(days=7)
INVITE = "questionnaire.add_invitation"
SEND = "questionnaire.send_mail"


@dataclass(frozen=True)
class Step:
    """What to do next with a round: the step it belongs to, a label to act on, its page, a short why."""

    key: str  # register, round, mail_texts, invitations, send, reminder, follow, results, published, personal_data
    label: str
    url: str
    note: str = ""
    permission: str = ""  # the right the step's page asks for, beyond seeing the round (app label included)


def deadline_near(round_: Round, now: datetime) -> bool:
    """Return whether *round_* closes within a week of *now* (and has not closed)."""
    return round_.closes_at is not None and now < round_.closes_at <= now + DEADLINE_NEAR


def next_step(round_: Round, progress: Progress, *, now: datetime, register_empty: bool = False) -> Step:
    """Return the next step of *round_*, whose invitations count *progress*, at the moment *now*.

    *register_empty* says the register has no active library: nothing can be done before it is filled.
    """
    overview = reverse("admin:questionnaire_round_overview", args=[round_.pk])
    change = reverse("admin:questionnaire_round_change", args=[round_.pk])
    if round_.has_closed(now):
        if round_.personal_data_removed_at is None and round_.personal_data_due_at <= now:
            return Step(
                "personal_data",
                _("Remove the personal data"),
                reverse("admin:questionnaire_round_anonymise", args=[round_.pk]),
                _("The retention period is over."),
                "questionnaire.anonymise_round",
            )
        published_on = round_.results_published_on
        if round_.results_are_public(timezone.localdate(now)):
            return Step(
                "published",
                _("See the published results"),
                reverse("public:results", args=[round_.slug]),
                _("Public since %(date)s.") % {"date": date_format(published_on, "DATE_FORMAT")},
            )
        if published_on:
            note = _("The results will be published %(date)s.") % {"date": date_format(published_on, "DATE_FORMAT")}
        else:
            note = _(
                "The round has closed: the report is made from the results page. Give the round a "
                "publication day when the results may be public."
            )
        return Step("results", _("See the results"), reverse("results:round", args=[round_.slug]), note)
    if register_empty and not progress.invited:
        return Step(
            "register",
            _("Fill in the library register"),
            reverse("admin:questionnaire_library_changelist"),
            _("The register has no active library to invite."),
            "questionnaire.view_library",
        )
    opens = date_format(timezone.localtime(round_.opens_at), "DATETIME_FORMAT")
    if not round_.is_open(now):
        if not round_.invitation_text:
            return Step(
                "mail_texts",
                _("Read through the mail texts"),
                change,
                _("The round opens %(date)s; its mails use the standard texts.") % {"date": opens},
            )
        if not progress.invited:
            return Step("invitations", _("Invite the libraries"), overview, _("No library is invited yet."), INVITE)
        return Step("round", _("Try the questionnaire"), change, _("The round opens %(date)s.") % {"date": opens})
    if not progress.invited:
        return Step("invitations", _("Invite the libraries"), overview, _("No library is invited yet."), INVITE)
    unsent = progress.invited - progress.sent
    if unsent:
        return Step(
            "send",
            _("Send the invitations"),
            reverse("admin:questionnaire_round_send_invitations", args=[round_.pk]),
            ngettext(
                "%(count)d library has not been sent its invitation.",
                "%(count)d libraries have not been sent their invitation.",
                unsent,
            )
            % {"count": unsent},
            SEND,
        )
    missing = progress.invited - progress.submitted
    if missing and deadline_near(round_, now):
        return Step(
            "reminder",
            _("Send a reminder"),
            reverse("admin:questionnaire_round_send_reminders", args=[round_.pk]),
            ngettext(
                "The deadline is near and %(count)d library has not submitted.",
                "The deadline is near and %(count)d libraries have not submitted.",
                missing,
            )
            % {"count": missing},
            SEND,
        )
    return Step("follow", _("Follow the answers"), overview, "")
