"""Sending from the outbox: claims, the per-minute limit, delivering one mail, refusals and retries.

- A mail is claimed before it is sent (status ``sending``, a claim token, the database's
  time) and marked ``sent`` right after the server accepted it, so two workers never send
  the same mail. A worker that dies leaves its claims behind; after ``MAIL_LEASE_SECONDS``
  they count as free and another worker sends them. The one case left is a worker killed in
  the milliseconds between the server's "250 OK" and the database write: that library gets
  the mail twice, which beats getting none.
- ``EMAIL_MAX_PER_MINUTE`` is counted from the outbox itself (mails attempted in the last
  minute), under a database lock, so it holds across workers and machines.
- A temporary refusal (4xx, a dropped connection, a timeout) is tried again later, waiting
  twice as long each time; a permanent one (5xx) is recorded with the server's words and
  not tried again.
- A mail that need not go any more when its turn comes (the round closed, the library
  submitted, a reminder went meanwhile) is skipped, with the reason.
- Whatever goes wrong with one mail (the check whether it is still needed, building it,
  sending it) is that mail's alone: it spends its own attempts, and the rest of the run goes on.
  A mail that cannot be built fails at once (it would not build the next time either).
- An invitation or reminder that is given up on, or waits to be tried again, leaves the reason
  in Danish on its invitation (``send_error``), which the invitation list and the overview show.
"""

import logging
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import MAIL_PENDING, Invitation, Mail, MailKind, MailStatus, ResponseStatus
from .messages import INVITATION, REMINDER, REOPENED, RoundMails, queued_message

logger = logging.getLogger(__name__)

# Mails claimed at once when no per-minute limit applies (one at a time when it does).
CHUNK = 20
# A rate-limited run waits in the worker for at most this long; beyond, it queues its continuation.
SHORT_WAIT = 2.0
# The longest wait between two attempts at a temporarily refused mail.
MAX_RETRY_DELAY = timedelta(hours=1)


def mail_lease() -> timedelta:
    """Return how long a claim (of a mail, of a batch) holds before another worker may take over."""
    return timedelta(seconds=settings.MAIL_LEASE_SECONDS)


def _claimable() -> Q:
    """Mails a worker may take now: waiting and due, or claimed by a worker that has gone silent."""
    return Q(status__in=[MailStatus.QUEUED, MailStatus.RETRY], next_attempt_at__lte=Now()) | Q(
        _silent(), attempts__lt=settings.EMAIL_MAX_ATTEMPTS
    )


def _silent() -> Q:
    """Mails claimed by a worker that has gone silent (killed, or stopped while sending)."""
    return Q(status=MailStatus.SENDING, claimed_at__lt=Now() - mail_lease())


def _stamped(text: str) -> str:
    """Return *text* as an invitation's ``send_error``: with the local time it happened."""
    return f"{timezone.localtime():%Y-%m-%d %H:%M}: {text}"


def _give_up_on_silent() -> int:
    """Fail the silent claims that have had every attempt: a mail that stops its worker each time goes no more."""
    spent = Mail.objects.filter(_silent(), attempts__gte=settings.EMAIL_MAX_ATTEMPTS)
    with transaction.atomic():
        locked = spent.order_by("pk").select_for_update(skip_locked=True)
        found = list(locked.values_list("pk", "invitation_id", "kind"))
        if not found:
            return 0
        text = _("Given up after %(count)d attempts: %(words)s") % {
            "count": settings.EMAIL_MAX_ATTEMPTS,
            "words": _("the sender stopped each time while sending it."),
        }
        count = spent.filter(pk__in=[pk for pk, _invitation, _kind in found]).update(
            status=MailStatus.FAILED, claim="", error=text
        )
        invitations = [invitation for _pk, invitation, kind in found if kind in (INVITATION, REMINDER)]
        Invitation.objects.filter(pk__in=invitations).update(send_error=_stamped(text))
    return count


def _rate_allowance() -> tuple[int, float]:
    """Return how many mails may start now under ``EMAIL_MAX_PER_MINUTE``, and else how long to wait.

    Call inside the claiming transaction: on PostgreSQL a transaction lock makes counting and
    claiming one step for all workers. (SQLite, for trying the app, runs one worker.)
    """
    limit = settings.EMAIL_MAX_PER_MINUTE
    if not limit:
        return CHUNK, 0.0
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x6D61696C])  # "mail"
    window = Mail.objects.filter(attempted_at__gt=Now() - timedelta(minutes=1))
    found = window.aggregate(count=Count("pk"), oldest=Min("attempted_at"))
    if found["count"] < limit:
        return 1, 0.0  # one at a time, so that a claim is a send
    wait = (found["oldest"] + timedelta(minutes=1) - timezone.now()).total_seconds()
    return 0, max(wait, 0.05)


def _claim(mails: QuerySet) -> tuple[list[Mail], str, float]:
    """Claim up to CHUNK due mails of *mails*; return them, the claim token and, if none, how long to wait."""
    token = secrets.token_hex(16)
    _give_up_on_silent()
    with transaction.atomic():
        allowed, wait = _rate_allowance()
        if not allowed:
            return [], token, wait
        ids = list(
            mails.filter(_claimable())
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:allowed]
        )
        if not ids:
            return [], token, 0.0
        # The condition again: on SQLite (no row locks) it decides between two workers.
        Mail.objects.filter(pk__in=ids).filter(_claimable()).update(
            status=MailStatus.SENDING, claim=token, claimed_at=Now(), attempted_at=Now(), attempts=F("attempts") + 1
        )
    claimed = list(
        Mail.objects.filter(pk__in=ids, claim=token)
        .select_related("invitation__library", "invitation__round", "invitation__response", "batch")
        .order_by("pk")
    )
    return claimed, token, 0.0


def _not_needed(mail: Mail) -> str:
    """Return why *mail* need not go any more ("" if it must)."""
    invitation = mail.invitation
    if mail.kind in (MailKind.RECEIPT, MailKind.TEST, MailKind.RESULTS):
        return ""
    if mail.kind == REOPENED:
        response = getattr(invitation, "response", None)
        if not invitation.round.is_open():
            return _("The round is no longer open.")
        if response is None or response.status == ResponseStatus.SUBMITTED:
            return _("The library has submitted.")
        return ""
    if not invitation.round.is_open():
        return _("The round is no longer open.")
    if not invitation.library.email:
        return _("The library has no e-mail address.")
    if mail.again:
        return ""  # staff asked for this one mail: it goes
    response = getattr(invitation, "response", None)
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        return _("The library has submitted.")
    if mail.kind == INVITATION and invitation.sent_at:
        return _("The invitation was sent already.")
    since = mail.batch.created_at if mail.batch else mail.created_at
    if mail.kind == REMINDER and invitation.last_reminded_at and invitation.last_reminded_at >= since:
        return _("A reminder was sent already.")
    return ""


@dataclass
class Refusal:
    """What went wrong with one mail, in the server's words, and whether trying again may help.

    *reason* says in Danish what the words mean, for staff (the invitation's ``send_error``).
    """

    text: str
    permanent: bool
    connection_lost: bool = False
    reason: str = ""


def _server_words(code, message) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip()


def refusal(error: Exception) -> Refusal:
    """Classify *error* from the mail backend: 5xx is permanent; 4xx, a dropped connection or a timeout is not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        text = "; ".join(f"{address}: {_server_words(*answer)}" for address, answer in error.recipients.items())
        permanent = all(code >= 500 for code, _message in answers)
        reason = _("The mail server refused the address.") if permanent else _("The mail server refused it for now.")
        return Refusal(text, permanent=permanent, reason=reason)
    lost = _("The connection to the mail server was lost.")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Refusal(f"{type(error).__name__}: {error}", permanent=False, connection_lost=True, reason=lost)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our account, not the address: every mail would fail alike. Try again; staff see the words.
        words = _server_words(error.smtp_code, error.smtp_error)
        return Refusal(words, permanent=False, connection_lost=True, reason=_("The mail server refused our login."))
    if isinstance(error, smtplib.SMTPResponseException):
        permanent = error.smtp_code >= 500
        reason = _("The mail server refused the mail.") if permanent else _("The mail server refused it for now.")
        return Refusal(_server_words(error.smtp_code, error.smtp_error), permanent=permanent, reason=reason)
    if isinstance(error, OSError):  # refused, reset, timed out: the connection, not the address
        return Refusal(f"{type(error).__name__}: {error}", permanent=False, connection_lost=True, reason=lost)
    return Refusal(f"{type(error).__name__}: {error}", permanent=True, reason=_("The mail could not be sent."))


def _retry_delay(attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


def _sent_fields(kind: str) -> dict:
    now = timezone.now()
    if kind == INVITATION:
        return {"sent_at": now, "send_error": ""}
    if kind == REMINDER:
        return {"last_reminded_at": now, "reminder_count": F("reminder_count") + 1, "send_error": ""}
    return {}


def _settle(mail: Mail, token: str, **fields) -> bool:
    return bool(Mail.objects.filter(pk=mail.pk, claim=token, status=MailStatus.SENDING).update(claim="", **fields))


SENT, SKIPPED, RETRYING, FAILED = "sent", "skipped", "retry", "failed"


def _deliver(mail: Mail, token: str, connection, rendered: RoundMails) -> tuple[str, Refusal | None]:
    """Send one claimed mail and record the outcome; return it (SENT, SKIPPED, RETRYING, FAILED) and any refusal."""
    try:
        # Whether it is still needed is asked here too: a check that fails is this mail's, not the run's.
        reason = _not_needed(mail)
        message = None if reason else queued_message(mail, connection, rendered)
    except Exception as error:  # a mail that cannot be made fails alone, never its batch
        logger.exception("Mail %s could not be made", mail.pk)
        words = str(error) or type(error).__name__
        refused = Refusal(_("The mail could not be made: %(error)s") % {"error": words}, permanent=True)
        return _refused(mail, token, refused), refused
    if message is None:
        _settle(mail, token, status=MailStatus.SKIPPED, error=reason or _("Nobody to send it to."))
        return SKIPPED, None
    try:
        # Opened once and kept for the run (send_messages alone would open and close one per mail).
        connection.open()
        if not connection.send_messages([message]):
            raise smtplib.SMTPServerDisconnected(_("The mail backend sent nothing."))
    except Exception as error:  # any failure belongs to this mail only
        refused = refusal(error)
        # The library's id, not its address (surveyproject/logs.py also blanks any address in the server's words).
        logger.warning(
            "%s mail %s to library %s refused: %s", mail.kind, mail.pk, mail.invitation.library_id, refused.text
        )
        return _refused(mail, token, refused), refused
    # Marked at once: a worker killed after this has nothing left to send twice.
    _mark_sent(mail, token)
    return SENT, None


def _mark_sent(mail: Mail, token: str) -> None:
    """Mark *mail* sent and stamp its invitation, in one transaction.

    On PostgreSQL that is one statement (the mail's update in a WITH): one round trip and one
    commit instead of four round trips, for the write that comes after every single mail.
    """
    fields = {} if mail.kind == INVITATION and mail.again and mail.invitation.sent_at else _sent_fields(mail.kind)
    if not fields or db_connection.vendor != "postgresql":
        with transaction.atomic():
            _settle(mail, token, status=MailStatus.SENT, sent_at=timezone.now(), error="")
            if fields:
                Invitation.objects.filter(pk=mail.invitation_id).update(**fields)
        return
    quote = db_connection.ops.quote_name
    stamp = {
        INVITATION: "sent_at = %s, send_error = ''",
        REMINDER: "last_reminded_at = %s, reminder_count = reminder_count + 1, send_error = ''",
    }[mail.kind]
    # As _settle and _sent_fields: the invitation is stamped even if the claim was lost, as the mail went.
    # Only the models' table names and fixed text go into the SQL; the values are parameters.
    sql = (
        f"WITH sent AS (UPDATE {quote(Mail._meta.db_table)}"  # nosec B608 # noqa: S608
        " SET status = %s, claim = '', sent_at = %s, error = ''"
        f" WHERE id = %s AND claim = %s AND status = %s RETURNING id)"
        f" UPDATE {quote(Invitation._meta.db_table)} SET {stamp} WHERE id = %s"
    )
    now = timezone.now()
    with db_connection.cursor() as cursor:
        cursor.execute(sql, [MailStatus.SENT, now, mail.pk, token, MailStatus.SENDING, now, mail.invitation_id])


def _refused(mail: Mail, token: str, refused: Refusal) -> str:
    """Record *refused* on *mail* (failed, or tried again) and, for staff, on its invitation; return the outcome."""
    permanent = refused.permanent or mail.attempts >= settings.EMAIL_MAX_ATTEMPTS
    text = refused.text
    # What staff read on the invitation: the reason in Danish, then the server's words.
    note = f"{refused.reason} {text}" if refused.reason else text
    if permanent and not refused.permanent:
        text = _("Given up after %(count)d attempts: %(words)s") % {"count": mail.attempts, "words": text}
        note = _("Given up after %(count)d attempts: %(words)s") % {"count": mail.attempts, "words": note}
    elif not permanent:
        note = _("Not sent yet; tried again later. %(words)s") % {"words": note}
    with transaction.atomic():
        if permanent:
            _settle(mail, token, status=MailStatus.FAILED, error=text)
        else:
            _settle(
                mail, token, status=MailStatus.RETRY, error=text, next_attempt_at=Now() + _retry_delay(mail.attempts)
            )
        if mail.kind in (INVITATION, REMINDER):
            Invitation.objects.filter(pk=mail.invitation_id).update(send_error=_stamped(note))
    return FAILED if permanent else RETRYING


def _release(mails: list[Mail], token: str) -> None:
    # Claimed but not started: back to waiting, as if never claimed.
    Mail.objects.filter(pk__in=[m.pk for m in mails], claim=token, status=MailStatus.SENDING).update(
        status=MailStatus.QUEUED, claim="", attempts=F("attempts") - 1
    )


def _reset(connection) -> None:
    try:
        connection.close()
    except Exception:  # a dropped connection may not close cleanly; the next send opens a new one
        logger.debug("Closing the broken mail connection failed", exc_info=True)


@dataclass
class RunReport:
    """What one run did, and in how many seconds to look again (None: when the mails left are due)."""

    sent: int = 0
    skipped: int = 0
    failed: list = field(default_factory=list)  # [(mail, text)]
    retry: list = field(default_factory=list)  # [(mail, text)]
    again_in: float | None = None


def send_due(mails: QuerySet, *, slice_seconds: float, beat=None) -> RunReport:
    """Claim and send due mails of *mails* until none is due or the slice is used up."""
    # What the run records (errors, reasons) is read by staff later: in the site's language, whoever started it.
    with translation.override(settings.LANGUAGE_CODE):
        return _send_due(mails, slice_seconds=slice_seconds, beat=beat)


def _send_due(mails: QuerySet, *, slice_seconds: float, beat=None) -> RunReport:
    report = RunReport()
    lost = 0  # connections lost in a row
    started = time.monotonic()
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    rendered = RoundMails()
    try:
        while True:
            if time.monotonic() - started >= slice_seconds:
                report.again_in = 0.0  # the slice is used up; go on at once
                break
            claimed, token, wait = _claim(mails)
            if not claimed:
                if wait and wait <= SHORT_WAIT:
                    time.sleep(wait)
                    continue
                report.again_in = wait or None
                break
            claimed_at = time.monotonic()
            for position, mail in enumerate(claimed):
                # A claim is ours for the lease; never start a send in its second half.
                if time.monotonic() - claimed_at > settings.MAIL_LEASE_SECONDS / 2:
                    _release(claimed[position:], token)
                    break
                outcome, refused = _deliver(mail, token, connection, rendered)
                if outcome == SENT:
                    report.sent += 1
                elif outcome == SKIPPED:
                    report.skipped += 1
                else:
                    (report.failed if outcome == FAILED else report.retry).append((mail, refused.text))
                if beat:
                    beat()
                if refused is None or not refused.connection_lost:
                    lost = 0
                    continue
                _reset(connection)  # the next send opens a fresh connection
                lost += 1
                if lost >= 2:
                    # Twice in a row: the server is unwell. Leave the rest for later rather than fail them all now.
                    _release(claimed[position + 1 :], token)
                    report.again_in = _retry_delay(1).total_seconds()
                    return report
    finally:
        _reset(connection)
    return report


def next_look(mails: QuerySet, report: RunReport) -> datetime | None:
    """Return when the pending mails of *mails* should be looked at next; None if none is pending."""
    found = mails.filter(status__in=MAIL_PENDING).aggregate(
        count=Count("pk"),
        due=Min("next_attempt_at", filter=Q(status__in=[MailStatus.QUEUED, MailStatus.RETRY])),
        claimed=Min("claimed_at", filter=Q(status=MailStatus.SENDING)),
    )
    if not found["count"]:
        return None
    now = timezone.now()
    if report.again_in is not None:
        # The run said when: the slice was used up (at once), the per-minute limit or the server asks to wait.
        return now + timedelta(seconds=report.again_in)
    moments = [m for m in (found["due"], found["claimed"] and found["claimed"] + mail_lease()) if m]
    return max(min(moments), now) if moments else now
