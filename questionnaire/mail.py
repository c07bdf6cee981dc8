"""Invitation and reminder mails: who gets one, what it says, and sending them.

Mails go out over one connection to the backend configured by ``EMAIL_URL``. Each
invitation is claimed under a row lock and marked as soon as its mail has gone, so
a second run (or two staff members at once) never sends the same mail twice, and a
run that stops half-way is simply run again. A failure for one address is recorded
on that invitation and the run goes on.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Invitation, Response, ResponseStatus, Round
from .services.answers import response_answers
from .services.rounds import invitation_url
from .services.summary import answer_summary

logger = logging.getLogger(__name__)

INVITATION = "invitation"
REMINDER = "reminder"
RECEIPT = "receipt"


@dataclass
class SendReport:
    """What a run did: mails sent, and the invitations whose mail failed, with the error."""

    sent: int = 0
    failed: list = field(default_factory=list)  # [(invitation, error text), ...]


# --- Who gets a mail -------------------------------------------------------------------


def invitations_to_send(round: Round) -> QuerySet:
    """Return the invitations of *round* whose library has an e-mail and has not been sent the invitation.

    A library that has already submitted (its link went out another way, or staff
    entered its answers) is not invited again.
    """
    return (
        round.invitations.real()
        .filter(sent_at__isnull=True)
        .exclude(library__email="")
        .exclude(response__status=ResponseStatus.SUBMITTED)
    )


def invitations_without_email(round: Round) -> QuerySet:
    return round.invitations.real().filter(library__email="")


def _reminder_due(now) -> Q:
    # The invitation counts as a mail too: a library is never written to twice within the interval.
    since = now - timedelta(days=settings.REMINDER_INTERVAL_DAYS)
    return (
        Q(sent_at__lte=since)
        & (Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=since))
        & ~Q(library__email="")
    )


def reminders_to_send(round: Round, now=None) -> QuerySet:
    """Return the invitations of *round* that are due a reminder now.

    Due: invited by mail, not submitted, and neither invited nor reminded within
    the last ``REMINDER_INTERVAL_DAYS`` days.
    """
    now = now or timezone.now()
    return round.invitations.real().filter(_reminder_due(now)).exclude(response__status=ResponseStatus.SUBMITTED)


# --- What the mail says ----------------------------------------------------------------


def mail_message(
    invitation: Invitation, kind: str, connection=None, *, to=None, **extra_context
) -> EmailMultiAlternatives:
    """Return the mail of *kind* to *invitation*'s library (or *to*): plain text with an HTML alternative."""
    context = {
        **extra_context,
        "invitation": invitation,
        "library": invitation.library,
        "round": invitation.round,
        "url": invitation_url(invitation),
        "deadline": invitation.round.closes_at,
        "contact_email": settings.SURVEY_CONTACT_EMAIL,
        "started": hasattr(invitation, "response"),
    }
    # Libraries read Danish, whatever language the staff member's browser asks for.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"questionnaire/mail/{kind}_subject.txt", context)
        text = render_to_string(f"questionnaire/mail/{kind}.txt", context)
        html = render_to_string(f"questionnaire/mail/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or [invitation.library.email],
        reply_to=[settings.SURVEY_CONTACT_EMAIL],
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


# --- Sending ---------------------------------------------------------------------------


def _require_open(round: Round) -> None:
    if not round.is_open():
        raise ValidationError(
            _("The round %(round)s is not open, so its links do not work: no mail was sent."),
            code="round_not_open",
            params={"round": round.title},
        )


def _send(*, kind: str, round: Round, due: QuerySet) -> SendReport:
    """Send *kind* mails for the invitations in *due*, recording each success or failure on its invitation."""
    _require_open(round)
    report = SendReport()
    ids = list(due.order_by("library__municipality__code", "library__name").values_list("pk", flat=True))
    if not ids:
        return report
    connection = get_connection()
    connection.open()
    try:
        for pk in ids:
            with transaction.atomic():
                # Claim the invitation: a parallel run skips it, and a run that sent it meanwhile made it not due.
                invitation = (
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("library", "round", "response")
                    .filter(pk=pk)
                    .first()
                )
                if invitation is None:
                    continue
                try:
                    sent = connection.send_messages([mail_message(invitation, kind, connection)])
                    if not sent:
                        raise RuntimeError(_("The mail backend sent nothing."))
                except Exception as error:  # any failure belongs to this address only
                    text = f"{timezone.now():%Y-%m-%d %H:%M}: {type(error).__name__}: {error}"
                    Invitation.objects.filter(pk=pk).update(send_error=text)
                    report.failed.append((invitation, text))
                    logger.warning("%s mail to %s failed: %s", kind, invitation.library.email, error)
                    if _connection_lost(error):
                        _reset(connection)
                    continue
                Invitation.objects.filter(pk=pk).update(send_error="", **_sent_fields(kind))
                report.sent += 1
    finally:
        connection.close()
    return report


def _sent_fields(kind: str) -> dict:
    now = timezone.now()
    if kind == INVITATION:
        return {"sent_at": now}
    return {"last_reminded_at": now, "reminder_count": F("reminder_count") + 1}


def _connection_lost(error: Exception) -> bool:
    # A refused address leaves the SMTP session usable; a dropped connection does not.
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _reset(connection) -> None:
    # Open a fresh connection for the rest of the run.
    try:
        connection.close()
        connection.open()
    except Exception:  # the next send opens it, or fails and is recorded
        logger.exception("Could not reopen the mail connection")


def invitations_send(*, round: Round, invitations: QuerySet | None = None) -> SendReport:
    """Send the invitation to every library of *round* (or of *invitations*) not yet sent one.

    Raise ValidationError if the round is not open.
    """
    due = invitations_to_send(round)
    if invitations is not None:
        due = due.filter(pk__in=invitations.values("pk"))
    return _send(kind=INVITATION, round=round, due=due)


def reminders_send(*, round: Round, invitations: QuerySet | None = None) -> SendReport:
    """Remind every library of *round* (or of *invitations*) that is due a reminder.

    Raise ValidationError if the round is not open.
    """
    now = timezone.now()
    due = reminders_to_send(round, now)
    if invitations is not None:
        due = due.filter(pk__in=invitations.values("pk"))
    return _send(kind=REMINDER, round=round, due=due)


# --- The receipt ---------------------------------------------------------------------------


def receipt_send(*, invitation: Invitation, response: Response, sections) -> bool:
    """Mail a copy of the submitted answers to whoever answered and to the library; return whether it went.

    A failure is logged, never raised: the answers are in, whatever the mail does.
    """
    answers = response_answers(response)
    to = list(dict.fromkeys(a for a in (answers.get("respondent_email"), invitation.library.email) if a))
    if not to:
        return False
    message = mail_message(invitation, RECEIPT, to=to, response=response, summary=answer_summary(sections, answers))
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("The receipt to %s could not be sent", invitation)
        return False
    return True
