"""How far a batch's or a round's mails have got: counts by state, and the failures with the server's words.

Counted in a constant number of queries, however many mails; the admin's pages read it.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from ..models import Mail, MailBatch, MailStatus, Round
from .sending import mail_lease


@dataclass
class MailProgress:
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


def batch_sender_stopped(batch: MailBatch) -> bool:
    """Whether the worker sending *batch* stopped in the middle: silent past its lease (the next worker takes over)."""
    return (
        not batch.is_finished and batch.heartbeat_at is not None and batch.heartbeat_at < timezone.now() - mail_lease()
    )


def progress(mails: QuerySet, *, failures: int = 200) -> MailProgress:
    """Return the progress of *mails* (a batch's, a round's) in two queries, and its first *failures* failures."""
    counts = mails.aggregate(
        total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in MailStatus.values}
    )
    result = MailProgress(
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


def round_mail_problems(round: Round) -> MailProgress:
    """Return the failed and to-be-retried invitations and reminders of *round*, from all its batches."""
    return progress(Mail.objects.filter(batch__round=round))


def round_batches(round: Round, *, limit: int = 5) -> list[tuple[MailBatch, MailProgress]]:
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
                MailProgress(
                    total=row.get("total", 0),
                    **{status: row.get(status, 0) for status in MailStatus.values},
                ),
            )
        )
    return result
