"""Runs of the queue's tasks: a batch run by one worker at a time, in slices; single mails; resuming.

A batch's worker keeps ``heartbeat_at`` fresh; a watching task takes over when it goes stale.
Each run works for at most ``SLICE_SECONDS`` and then queues its continuation, so a receipt
never waits long behind a big batch. Work that a dead worker left and no task will pick up
is found by ``stale_work`` and queued again by ``tasks.mail_resume`` (``run_scheduled``); a
task too many does no harm, as every mail is claimed before it is sent (``sending``).

The tasks live above this module (``questionnaire/tasks.py`` imports it, never the other way):
a run that queues its continuation is handed its task (*task*) by the task that calls it.
"""

import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from ..models import Mail, MailBatch, MailStatus
from .sending import RunReport, mail_lease, next_look, send_due

# A run of a batch stops after this long and queues its continuation.
SLICE_SECONDS = 20
# How often a running batch writes its heartbeat.
HEARTBEAT_SECONDS = 5


def batch_work(batch_pk: int, *, task, watch: bool = False) -> RunReport | None:
    """Run the batch *batch_pk* for one slice (the body of the ``batch_send`` task, passed as *task*).

    *task* is queued for the continuation and the watcher. *watch* marks the watching task,
    which takes over when the batch's worker has gone silent.
    Return what was sent, or None when another worker has the batch or it is finished.
    """
    lease = mail_lease()
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
                task.using(run_after=batch.watch_at).enqueue(batch.pk, watch=True)
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
            task.using(run_after=batch.watch_at).enqueue(batch.pk, watch=True)
        batch.save(update_fields=["heartbeat_at", "started_at", "watch_at"])

    last_beat = [time.monotonic()]

    def beat():
        if time.monotonic() - last_beat[0] >= beat_seconds:
            MailBatch.objects.filter(pk=batch_pk).update(heartbeat_at=timezone.now())
            last_beat[0] = time.monotonic()

    report = send_due(batch.mails.all(), slice_seconds=slice_seconds, beat=beat)

    with transaction.atomic():
        batch = MailBatch.objects.select_for_update().get(pk=batch_pk)
        batch.heartbeat_at = None
        after = next_look(batch.mails.all(), report)
        if after is None:
            batch.finished_at = timezone.now()
        else:
            task.using(run_after=after).enqueue(batch.pk)
        batch.save(update_fields=["heartbeat_at", "finished_at"])
    return report


def mails_work(mail_pks: list[int], *, task) -> RunReport:
    """Send the single mails *mail_pks* (receipts, tests, a resent invitation): the ``mails_send`` task, *task*.

    *task* is queued again for the mails a temporary refusal left.
    """
    mails = Mail.objects.filter(pk__in=mail_pks)
    report = send_due(mails, slice_seconds=SLICE_SECONDS)
    after = next_look(mails, report)
    if after is not None:
        task.using(run_after=after).enqueue(mail_pks)
    return report


def stale_work() -> tuple[list[int], list[int]]:
    """Return the work that a dead worker left and no task will pick up: (batch pks, single mail pks).

    The watcher covers batches; this also covers single mails (a receipt whose worker died).
    ``tasks.mail_resume`` queues them again.
    """
    stale = Now() - mail_lease()
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
    return list(batches.values_list("pk", flat=True)), singles
