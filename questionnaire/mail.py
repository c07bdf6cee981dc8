"""Invitation, reminder, receipt and reopening mails: who gets one, what it says, and sending them from the queue.

Nothing is sent inside a web request. Asking to send puts one ``Mail`` row per library in
the outbox (a ``MailBatch`` for invitations and reminders) and a task on the queue; a worker
(``manage.py db_worker``, see ``tasks.py``) sends them. The rules it keeps:

- A mail is claimed before it is sent (status ``sending``, a claim token, the database's
  time) and marked ``sent`` right after the server accepted it, so two workers never send
  the same mail. A worker that dies leaves its claims behind; after ``MAIL_LEASE_SECONDS``
  they count as free and another worker sends them. The one case left is a worker killed in
  the milliseconds between the server's "250 OK" and the database write: that library gets
  the mail twice, which beats getting none.
- A batch is run by one worker at a time, which keeps ``heartbeat_at`` fresh; a watching
  task takes over when it goes stale. Each run works for at most ``SLICE_SECONDS`` and then
  queues its continuation, so a receipt never waits long behind a big batch.
- ``EMAIL_MAX_PER_MINUTE`` is counted from the outbox itself (mails attempted in the last
  minute), under a database lock, so it holds across workers and machines.
- A temporary refusal (4xx, a dropped connection, a timeout) is tried again later, waiting
  twice as long each time; a permanent one (5xx) is recorded with the server's words and
  not tried again.
"""

import logging
import re
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from .codes import RESPONDENT_EMAIL
from .mail_texts import fill_in
from .models import (
    MAIL_PENDING,
    Invitation,
    Mail,
    MailBatch,
    MailKind,
    MailStatus,
    ResponseStatus,
    Round,
)
from .services.answers import response_answers
from .services.corrections import response_reopening
from .services.questionnaire import questionnaire_sections, questionnaire_version
from .services.rounds import invitation_url
from .services.summary import answer_summary

logger = logging.getLogger(__name__)

INVITATION = MailKind.INVITATION
REMINDER = MailKind.REMINDER
RECEIPT = MailKind.RECEIPT
REOPENED = MailKind.REOPENED

# Mails claimed at once when no per-minute limit applies (one at a time when it does).
CHUNK = 20
# A run of a batch stops after this long and queues its continuation.
SLICE_SECONDS = 20
# A rate-limited run waits in the worker for at most this long; beyond, it queues its continuation.
SHORT_WAIT = 2.0
# How often a running batch writes its heartbeat.
HEARTBEAT_SECONDS = 5
# The longest wait between two attempts at a temporarily refused mail.
MAX_RETRY_DELAY = timedelta(hours=1)


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


def scheduled_reminders_to_send(round: Round, since: datetime) -> QuerySet:
    """Return the invitations of *round* due the reminder of a reminder day that began at *since*.

    The round's own reminder days set the pace, not ``REMINDER_INTERVAL_DAYS``: every library
    invited before that day and not written to since it began gets one, unless it has submitted.
    """
    return (
        round.invitations.filter(sent_at__lt=since)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=since))
        .exclude(library__email="")
        .exclude(response__status=ResponseStatus.SUBMITTED)
    )


# --- What the mail says ----------------------------------------------------------------


def _context(invitation: Invitation, extra_context: dict) -> dict:
    return {
        **extra_context,
        "invitation": invitation,
        "library": invitation.library,
        "round": invitation.round,
        "url": invitation_url(invitation),
        "deadline": invitation.round.closes_at,
        "contact_email": settings.SURVEY_CONTACT_EMAIL,
        "started": hasattr(invitation, "response"),
    }


# The round's own texts (subject, body) for a kind of mail, where staff wrote them.
OWN_TEXTS = {INVITATION: ("invitation_subject", "invitation_text"), REMINDER: ("reminder_subject", "reminder_text")}


def _own_texts(kind: str, context: dict) -> tuple[str, str]:
    """Return the round's own subject and body for *kind*, filled in ("" where it has none)."""
    if kind not in OWN_TEXTS:
        return "", ""
    round_ = context["round"]
    values = {"library": context["library"], "url": context["url"], "round": round_}
    return tuple(fill_in(text, **values) if (text := getattr(round_, field)) else "" for field in OWN_TEXTS[kind])


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text and HTML of the mail of *kind* rendered with *context*."""
    # Libraries read Danish, whatever language the staff member's browser asks for.
    with translation.override(settings.LANGUAGE_CODE):
        own_subject, own_body = _own_texts(kind, context)
        context = {**context, "own_body": own_body}
        subject = own_subject or render_to_string(f"questionnaire/mail/{kind}_subject.txt", context)
        text = render_to_string(f"questionnaire/mail/{kind}.txt", context)
        html = render_to_string(f"questionnaire/mail/{kind}.html", context)
        subject = " ".join(subject.split())
        if context.get("test"):
            subject = _("[Test] %(subject)s") % {"subject": subject}
    return subject, text, html


def _message_of(parts: tuple[str, str, str], invitation: Invitation, connection, to) -> EmailMultiAlternatives:
    subject, text, html = parts
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or [invitation.library.email],
        reply_to=[settings.SURVEY_CONTACT_EMAIL],
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_message(
    invitation: Invitation, kind: str, connection=None, *, to=None, **extra_context
) -> EmailMultiAlternatives:
    """Return the mail of *kind* to *invitation*'s library (or *to*): plain text with an HTML alternative."""
    return _message_of(_render(kind, _context(invitation, extra_context)), invitation, connection, to)


class _StandIn:
    """The library or the invitation while a mail is rendered once for a whole round: it notes any look at it.

    Only the library's name is there (as a marker); a template that reads anything else of
    either is not rendered once for many, as its text may differ from library to library.
    """

    def __init__(self, **attributes):
        self.__dict__.update(attributes)
        self.looked_at = set()

    def __getattr__(self, name):
        self.looked_at.add(name)
        raise AttributeError(name)

    def __str__(self):
        self.looked_at.add("__str__")
        return ""


# A per-library value, left in a mail rendered once per round and filled in per library. The "&"
# shows where the template escaped it (HTML: "&amp;"), so that the value is escaped exactly there.
_MARKS = {"library": "\x00library&\x00", "url": "\x00url&\x00"}
_MARKED = re.compile("\x00(library|url)(&|&amp;)\x00")


class RoundMails:
    """Invitations and reminders as one run sends them: rendered once per round, filled in per library.

    The three templates cost about a millisecond a mail; what differs between the libraries of a
    round is only the library's name and its link. So each (kind, round as it is now, started or
    not) is rendered once with markers in their place, and every mail of it is that text with the
    markers replaced: raw in the text parts, escaped (``conditional_escape``, as the template
    would) where the template escaped the marker. A rendering is used only if the templates read
    nothing else of the library or invitation, and if it gives, for the first library, exactly
    what rendering the templates for that library gives; else every mail of it is rendered whole.
    Kept for one run (a slice of a batch): a round changed meanwhile is a new key.
    """

    KINDS = (INVITATION, REMINDER)

    def __init__(self):
        self._parts = {}  # key -> (subject, text, html) with markers; None: render each mail whole

    @staticmethod
    def _key(kind: str, invitation: Invitation, context: dict) -> tuple:
        round_ = invitation.round
        fields = tuple(getattr(round_, f.attname) for f in round_._meta.concrete_fields)
        return (kind, context["started"], settings.LANGUAGE_CODE, settings.SURVEY_CONTACT_EMAIL, fields)

    @staticmethod
    def _fill(parts: tuple[str, str, str], values: dict) -> tuple[str, str, str]:
        def value(match):
            raw = values[match.group(1)]
            return raw if match.group(2) == "&" else conditional_escape(raw)

        return tuple(_MARKED.sub(value, part) for part in parts)

    def message(self, invitation: Invitation, kind: str, connection, *, to=None) -> EmailMultiAlternatives:
        context = _context(invitation, {})
        if kind not in self.KINDS:
            return _message_of(_render(kind, context), invitation, connection, to)
        key = self._key(kind, invitation, context)
        values = {"library": invitation.library.name, "url": context["url"]}
        if key not in self._parts:
            library, stand_in = _StandIn(name=_MARKS["library"]), _StandIn()
            marked = _render(kind, {**context, "library": library, "invitation": stand_in, "url": _MARKS["url"]})
            whole = _render(kind, context)
            usable = (
                not library.looked_at
                and not stand_in.looked_at
                and not _MARKED.search(marked[0])  # a subject's spaces are folded: per round only
                and self._fill(marked, values) == whole
            )
            if not usable:
                logger.warning("The %s mail cannot be rendered once per round; rendering each mail whole", kind)
            self._parts[key] = marked if usable else None
            return _message_of(whole, invitation, connection, to)
        marked = self._parts[key]
        parts = self._fill(marked, values) if marked else _render(kind, context)
        return _message_of(parts, invitation, connection, to)


def _respondent_and_library(invitation: Invitation, answers: dict) -> list[str]:
    """Return the person who answered (the draft's contact e-mail) and the library's address, each once."""
    return list(dict.fromkeys(a for a in (answers.get(RESPONDENT_EMAIL), invitation.library.email) if a))


def _receipt_message(invitation: Invitation, connection) -> EmailMultiAlternatives | None:
    # Built when it goes: the answers as submitted, to whoever answered and to the library.
    response = invitation.response
    answers = response_answers(response)
    to = _respondent_and_library(invitation, answers)
    if not to:
        return None
    sections = questionnaire_sections(questionnaire_version(invitation.round.questionnaire_id))
    summary = answer_summary(sections, answers)
    return mail_message(invitation, RECEIPT, connection, to=to, response=response, summary=summary)


def _reminder_message(invitation: Invitation, connection, rendered: RoundMails) -> EmailMultiAlternatives:
    # A library that has started: the person who started hears too, not only the library's address.
    response = getattr(invitation, "response", None)
    to = _respondent_and_library(invitation, response_answers(response) if response else {})
    return rendered.message(invitation, REMINDER, connection, to=to)


def _reopened_message(invitation: Invitation, connection) -> EmailMultiAlternatives | None:
    # Built when it goes, like the receipt: to whoever answered and to the library, with the staff's reason.
    response = invitation.response
    to = _respondent_and_library(invitation, response_answers(response))
    if not to:
        return None
    return mail_message(invitation, REOPENED, connection, to=to, reopening=response_reopening(response))


def _message(mail: Mail, connection, rendered: RoundMails) -> EmailMultiAlternatives | None:
    if mail.kind == RECEIPT:
        return _receipt_message(mail.invitation, connection)
    if mail.kind == REOPENED:
        return _reopened_message(mail.invitation, connection)
    if mail.kind == REMINDER:
        return _reminder_message(mail.invitation, connection, rendered)
    if mail.kind == MailKind.TEST:
        return mail_message(mail.invitation, INVITATION, connection, to=[mail.to], test=True)
    return rendered.message(mail.invitation, mail.kind, connection)


# --- Putting mail on the queue ---------------------------------------------------------


def _require_open(round: Round) -> None:
    if not round.is_open():
        raise ValidationError(
            _("The round %(round)s is not open, so its links do not work: no mail was sent."),
            code="round_not_open",
            params={"round": round.title},
        )


def _batch_create(
    *, kind: str, round: Round, due: QuerySet, user=None, scheduled_for=None, queue: bool = True
) -> MailBatch:
    """Queue one mail of *kind* for each invitation in *due* not already waiting for one; return the batch.

    A constant number of queries, however many libraries: the request that asks returns at once.
    """
    from .tasks import batch_send

    with transaction.atomic():
        batch = MailBatch.objects.create(round=round, kind=kind, created_by=user, scheduled_for=scheduled_for)
        ids = due.order_by("library__municipality__code", "library__name").values_list("pk", flat=True)
        # A library already waiting for this kind of mail (pressed twice, two staff at once) is left out.
        Mail.objects.bulk_create(
            (Mail(batch=batch, invitation_id=pk, kind=kind) for pk in ids), batch_size=2000, ignore_conflicts=True
        )
        if not queue:
            pass
        elif batch.mails.exists():
            # The task row is written in this transaction: no batch without its task, nor the reverse.
            batch_send.enqueue(batch.pk)
        else:
            batch.finished_at = batch.started_at = timezone.now()
            batch.save(update_fields=["finished_at", "started_at"])
    return batch


def invitations_enqueue(*, round: Round, invitations: QuerySet | None = None, user=None, queue=True) -> MailBatch:
    """Queue the invitation to every library of *round* (or of *invitations*) not yet sent one; return the batch.

    Raise ValidationError if the round is not open.
    """
    _require_open(round)
    due = invitations_to_send(round)
    if invitations is not None:
        due = due.filter(pk__in=invitations.values("pk"))
    return _batch_create(kind=INVITATION, round=round, due=due, user=user, queue=queue)


def reminders_enqueue(*, round: Round, invitations: QuerySet | None = None, user=None, queue=True) -> MailBatch:
    """Queue a reminder to every library of *round* (or of *invitations*) that is due one; return the batch.

    Raise ValidationError if the round is not open.
    """
    _require_open(round)
    due = reminders_to_send(round)
    if invitations is not None:
        due = due.filter(pk__in=invitations.values("pk"))
    return _batch_create(kind=REMINDER, round=round, due=due, user=user, queue=queue)


def scheduled_reminders_enqueue(moment=None) -> list[MailBatch]:
    """Queue the reminders of every open round whose latest reminder day has come and has no batch yet.

    Run by ``run_scheduled`` (cron); safe to run as often as one likes. A day the job did not
    run is caught up the next time, but only the latest reminder day counts: never two at once.
    """
    moment = moment or timezone.now()
    today = timezone.localdate(moment)
    batches = []
    for round_ in Round.objects.filter(opens_at__lte=moment, closes_at__gt=moment).exclude(reminder_days=""):
        passed = [day for day in round_.reminder_dates() if day <= today]
        if not passed or round_.mail_batches.filter(kind=REMINDER, scheduled_for=passed[-1]).exists():
            continue
        day = passed[-1]
        since = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        due = scheduled_reminders_to_send(round_, since)
        batches.append(_batch_create(kind=REMINDER, round=round_, due=due, scheduled_for=day))
    return batches


def _single_enqueue(**fields) -> Mail:
    from .tasks import mails_send

    with transaction.atomic():
        mail = Mail.objects.create(**fields)
        mails_send.enqueue([mail.pk])
    return mail


def receipt_enqueue(*, invitation: Invitation) -> Mail:
    """Queue the copy of the submitted answers: the submit does not wait on the mail server."""
    return _single_enqueue(invitation=invitation, kind=RECEIPT)


def reopened_enqueue(*, invitation: Invitation) -> Mail:
    """Queue the mail that tells the library (and whoever answered) that staff reopened its response, and why."""
    return _single_enqueue(invitation=invitation, kind=REOPENED)


def invitation_resend(*, invitation: Invitation) -> Mail:
    """Queue *invitation*'s invitation once more, even if it went before (a library lost it)."""
    _require_open(invitation.round)
    if not invitation.library.email:
        raise ValidationError(
            _("%(library)s has no e-mail address."), code="no_email", params={"library": invitation.library}
        )
    return _single_enqueue(invitation=invitation, kind=INVITATION, again=True)


def invitation_test_send(*, invitation: Invitation, to: str) -> Mail:
    """Queue the invitation of *invitation*, as the library would get it, to the staff address *to*."""
    if not to:
        raise ValidationError(
            _("Your user has no e-mail address; add one under your user to get a test."), code="no_staff_email"
        )
    return _single_enqueue(invitation=invitation, kind=MailKind.TEST, to=to)


# --- Sending: claims, the per-minute limit, one mail -----------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.MAIL_LEASE_SECONDS)


def _claimable() -> Q:
    """Mails a worker may take now: waiting and due, or claimed by a worker that has gone silent."""
    return Q(status__in=[MailStatus.QUEUED, MailStatus.RETRY], next_attempt_at__lte=Now()) | Q(
        status=MailStatus.SENDING, claimed_at__lt=Now() - _lease()
    )


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
    if mail.kind in (MailKind.RECEIPT, MailKind.TEST):
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
    """What went wrong with one mail, in the server's words, and whether trying again may help."""

    text: str
    permanent: bool
    connection_lost: bool = False


def _server_words(code, message) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip()


def refusal(error: Exception) -> Refusal:
    """Classify *error* from the mail backend: 5xx is permanent; 4xx, a dropped connection or a timeout is not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        text = "; ".join(f"{address}: {_server_words(*answer)}" for address, answer in error.recipients.items())
        return Refusal(text, permanent=all(code >= 500 for code, _message in answers))
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Refusal(f"{type(error).__name__}: {error}", permanent=False, connection_lost=True)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our account, not the address: every mail would fail alike. Try again; staff see the words.
        return Refusal(_server_words(error.smtp_code, error.smtp_error), permanent=False, connection_lost=True)
    if isinstance(error, smtplib.SMTPResponseException):
        return Refusal(_server_words(error.smtp_code, error.smtp_error), permanent=error.smtp_code >= 500)
    if isinstance(error, OSError):  # refused, reset, timed out: the connection, not the address
        return Refusal(f"{type(error).__name__}: {error}", permanent=False, connection_lost=True)
    return Refusal(f"{type(error).__name__}: {error}", permanent=True)


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
    reason = _not_needed(mail)
    message = None if reason else _message(mail, connection, rendered)
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
        logger.warning("%s mail to %s refused: %s", mail.kind, ", ".join(message.to), refused.text)
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
    permanent = refused.permanent or mail.attempts >= settings.EMAIL_MAX_ATTEMPTS
    text = refused.text
    if permanent and not refused.permanent:
        text = _("Given up after %(count)d attempts: %(words)s") % {"count": mail.attempts, "words": text}
    with transaction.atomic():
        if permanent:
            _settle(mail, token, status=MailStatus.FAILED, error=text)
        else:
            _settle(
                mail, token, status=MailStatus.RETRY, error=text, next_attempt_at=Now() + _retry_delay(mail.attempts)
            )
        if mail.kind in (INVITATION, REMINDER):
            stamp = f"{timezone.localtime():%Y-%m-%d %H:%M}: {text}"
            Invitation.objects.filter(pk=mail.invitation_id).update(send_error=stamp)
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


def _work(mails: QuerySet, *, slice_seconds: float, beat=None) -> RunReport:
    """Claim and send due mails of *mails* until none is due or the slice is used up."""
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


def _next_look(mails: QuerySet, report: RunReport) -> datetime | None:
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
    moments = [m for m in (found["due"], found["claimed"] and found["claimed"] + _lease()) if m]
    return max(min(moments), now) if moments else now


# --- Running a batch, a single mail ----------------------------------------------------


def batch_work(batch_pk: int, *, watch: bool = False) -> RunReport | None:
    """Run the batch *batch_pk* for one slice (the body of the ``batch_send`` task).

    *watch* marks the watching task, which takes over when the batch's worker has gone silent.
    Return what was sent, or None when another worker has the batch or it is finished.
    """
    from .tasks import batch_send

    lease = _lease()
    # A slice and a heartbeat well inside the lease, so that a live worker never looks dead.
    slice_seconds = min(SLICE_SECONDS, settings.MAIL_LEASE_SECONDS / 3)
    beat_seconds = min(HEARTBEAT_SECONDS, settings.MAIL_LEASE_SECONDS / 5)
    with transaction.atomic():
        batch = MailBatch.objects.select_for_update().filter(pk=batch_pk).first()
        if batch is None or batch.finished_at:
            return None
        now = timezone.now()
        if watch:
            batch.watch_at = None
        if batch.heartbeat_at and batch.heartbeat_at > now - lease:
            # Another worker has it. The watcher looks again when that worker's lease would end.
            if watch:
                batch.watch_at = batch.heartbeat_at + lease
                batch_send.using(run_after=batch.watch_at).enqueue(batch.pk, watch=True)
            batch.save(update_fields=["watch_at"])
            return None
        if watch and batch.heartbeat_at is None:
            batch.save(update_fields=["watch_at"])
            return None  # released cleanly: its continuation is queued, no worker has died
        batch.heartbeat_at = now
        batch.started_at = batch.started_at or now
        if batch.watch_at is None:
            # If this worker dies, the watcher takes over after the lease.
            batch.watch_at = now + lease
            batch_send.using(run_after=batch.watch_at).enqueue(batch.pk, watch=True)
        batch.save(update_fields=["heartbeat_at", "started_at", "watch_at"])

    last_beat = [time.monotonic()]

    def beat():
        if time.monotonic() - last_beat[0] >= beat_seconds:
            MailBatch.objects.filter(pk=batch_pk).update(heartbeat_at=timezone.now())
            last_beat[0] = time.monotonic()

    report = _work(batch.mails.all(), slice_seconds=slice_seconds, beat=beat)

    with transaction.atomic():
        batch = MailBatch.objects.select_for_update().get(pk=batch_pk)
        batch.heartbeat_at = None
        after = _next_look(batch.mails.all(), report)
        if after is None:
            batch.finished_at = timezone.now()
        else:
            batch_send.using(run_after=after).enqueue(batch.pk)
        batch.save(update_fields=["heartbeat_at", "finished_at"])
    return report


def mails_work(mail_pks: list[int]) -> RunReport:
    """Send the single mails *mail_pks* (receipts, tests, a resent invitation): the ``mails_send`` task."""
    from .tasks import mails_send

    mails = Mail.objects.filter(pk__in=mail_pks)
    report = _work(mails, slice_seconds=SLICE_SECONDS)
    after = _next_look(mails, report)
    if after is not None:
        mails_send.using(run_after=after).enqueue(mail_pks)
    return report


def mail_resume() -> int:
    """Queue again the work that a dead worker left and no task will pick up; return how many tasks were queued.

    The watcher covers batches; this also covers single mails (a receipt whose worker died).
    Run by ``run_scheduled``; a task too many does no harm, as every mail is claimed.
    """
    from .tasks import batch_send, mails_send

    stale = Now() - _lease()
    # Silent for a lease, or never taken while its mails have long been due (its first task died unclaimed).
    batches = (
        MailBatch.objects.filter(finished_at__isnull=True)
        .filter(
            Q(heartbeat_at__lt=stale)
            | Q(
                heartbeat_at__isnull=True,
                mails__status__in=[MailStatus.QUEUED, MailStatus.RETRY],
                mails__next_attempt_at__lt=stale,
            )
        )
        .distinct()
    )
    singles = list(
        Mail.objects.filter(batch__isnull=True)
        .filter(
            Q(status__in=[MailStatus.QUEUED, MailStatus.RETRY], next_attempt_at__lt=stale)
            | Q(status=MailStatus.SENDING, claimed_at__lt=stale)
        )
        .values_list("pk", flat=True)
    )
    count = 0
    with transaction.atomic():
        for pk in batches.values_list("pk", flat=True):
            batch_send.enqueue(pk)
            count += 1
        if singles:
            mails_send.enqueue(singles)
            count += 1
    return count


# --- Sending here, without a worker (the commands' --now) ------------------------------


@dataclass
class SendReport:
    """What sending here did: mails sent, and those that failed or wait to be tried again, with the words."""

    sent: int = 0
    failed: list = field(default_factory=list)  # [(invitation, text)]
    retry: list = field(default_factory=list)  # [(invitation, text)]


def batch_send_here(batch: MailBatch) -> SendReport:
    """Send *batch*'s due mails in this process; queue the rest (retries) for a worker. Return what happened."""
    from .tasks import batch_send

    run = _work(batch.mails.all(), slice_seconds=float("inf"))
    while run.again_in is not None and run.again_in <= SHORT_WAIT and not run.retry:
        more = _work(batch.mails.all(), slice_seconds=float("inf"))
        more.sent, more.failed = more.sent + run.sent, run.failed + more.failed
        run = more
    after = _next_look(batch.mails.all(), run)
    with transaction.atomic():
        if after is None:
            MailBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now(), started_at=batch.created_at)
        else:
            batch_send.using(run_after=after).enqueue(batch.pk)
    return SendReport(
        sent=run.sent,
        failed=[(mail.invitation, text) for mail, text in run.failed],
        retry=[(mail.invitation, text) for mail, text in run.retry],
    )


def invitations_send(*, round: Round, invitations: QuerySet | None = None) -> SendReport:
    """Send the invitation to every library of *round* (or of *invitations*) not yet sent one, here and now."""
    return batch_send_here(invitations_enqueue(round=round, invitations=invitations, queue=False))


def reminders_send(*, round: Round, invitations: QuerySet | None = None) -> SendReport:
    """Remind every library of *round* (or of *invitations*) that is due a reminder, here and now."""
    return batch_send_here(reminders_enqueue(round=round, invitations=invitations, queue=False))


# --- Progress ----------------------------------------------------------------------------


@dataclass
class Progress:
    """Counts of a batch's mails by state, and its failures with the server's words."""

    total: int = 0
    queued: int = 0
    sending: int = 0
    retry: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list = field(default_factory=list)  # failed mails, with invitation and library
    retries: list = field(default_factory=list)  # mails to be tried again

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(mails: QuerySet, *, failures: int = 200) -> Progress:
    """Return the progress of *mails* (a batch's, a round's) in two queries, and its first *failures* failures."""
    counts = mails.aggregate(
        total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in MailStatus.values}
    )
    result = Progress(
        total=counts["total"],
        queued=counts[MailStatus.QUEUED],
        sending=counts[MailStatus.SENDING],
        retry=counts[MailStatus.RETRY],
        sent=counts[MailStatus.SENT],
        failed=counts[MailStatus.FAILED],
        skipped=counts[MailStatus.SKIPPED],
    )
    if result.failed or result.retry:
        troubled = list(
            mails.filter(status__in=[MailStatus.FAILED, MailStatus.RETRY])
            .select_related("invitation__library")
            .order_by("invitation__library__name")[:failures]
        )
        result.failures = [m for m in troubled if m.status == MailStatus.FAILED]
        result.retries = [m for m in troubled if m.status == MailStatus.RETRY]
    return result


def round_mail_problems(round: Round) -> Progress:
    """Return the failed and to-be-retried invitations and reminders of *round*, from all its batches."""
    return progress(Mail.objects.filter(batch__round=round))


def round_batches(round: Round, *, limit: int = 5) -> list[tuple[MailBatch, Progress]]:
    """Return *round*'s latest batches, running ones first, each with its counts: two queries in all."""
    batches = list(
        round.mail_batches.select_related("created_by").order_by(F("finished_at").desc(nulls_first=True), "-pk")[:limit]
    )
    rows = (
        Mail.objects.filter(batch__in=batches)
        .values("batch")
        .annotate(total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in MailStatus.values})
    )
    counts = {row["batch"]: row for row in rows}
    result = []
    for batch in batches:
        row = counts.get(batch.pk, {})
        result.append(
            (
                batch,
                Progress(
                    total=row.get("total", 0),
                    **{status: row.get(status, 0) for status in MailStatus.values},
                ),
            )
        )
    return result
