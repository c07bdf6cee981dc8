"""Sending in this process, without a worker: the commands' ``--now``.

The mails are queued as a worker would find them (``outbox``) and sent here, under the same
claims and limits (``sending``); what must wait (a temporary refusal) is left on the queue
for a worker.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import MailBatch, Round
from ..tasks import batch_send
from .outbox import invitations_enqueue, reminders_enqueue
from .sending import SHORT_WAIT, next_look, send_due


@dataclass
class SendReport:
    """What sending here did: mails sent, and those that failed or wait to be tried again, with the words."""

    sent: int = 0
    failed: list = field(default_factory=list)  # [(invitation, text)]
    retry: list = field(default_factory=list)  # [(invitation, text)]


def batch_send_here(batch: MailBatch) -> SendReport:
    """Send *batch*'s due mails in this process; queue the rest (retries) for a worker. Return what happened."""
    run = send_due(batch.mails.all(), slice_seconds=float("inf"))
    while run.again_in is not None and run.again_in <= SHORT_WAIT and not run.retry:
        more = send_due(batch.mails.all(), slice_seconds=float("inf"))
        more.sent, more.failed = more.sent + run.sent, run.failed + more.failed
        run = more
    after = next_look(batch.mails.all(), run)
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
