"""Putting mail on the queue: one ``Mail`` row per library and the task that sends it, in one transaction.

Nothing is sent inside a web request: the request that asks returns at once, and a worker
sends (``runs``). A library already waiting for a kind of mail is not queued another.
Invitations and reminders go out only while their round is open, as its links work only then.
The services queue the receipt and the reopening mail in the transaction that changes the
response, so a changed response always has its mail on the way.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Invitation, Mail, MailBatch, MailKind, Round
from ..tasks import batch_send, mails_send
from .messages import INVITATION, RECEIPT, REMINDER, REOPENED, RESULTS
from .recipients import invitations_to_send, reminders_to_send, results_to_send, scheduled_reminders_to_send


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


def results_published_enqueue(moment=None) -> list[MailBatch]:
    """Queue the mail "the results are published" of every round whose publication day has come, once.

    Run by ``run_scheduled``. The round's row is locked while it is marked, so two runs at once
    queue one batch between them; a round published later than planned gets its mail when it is.
    """
    moment = moment or timezone.now()
    batches = []
    due = Round.objects.real().filter(
        results_published_on__lte=timezone.localdate(moment), results_mail_queued_at__isnull=True
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            round_ = Round.objects.select_for_update().filter(pk=pk, results_mail_queued_at__isnull=True).first()
            if round_ is None:
                continue
            round_.results_mail_queued_at = moment
            round_.save(update_fields=["results_mail_queued_at"])
            batches.append(_batch_create(kind=RESULTS, round=round_, due=results_to_send(round_)))
    return batches


def _single_enqueue(**fields) -> Mail:
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
