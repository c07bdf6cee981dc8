"""The work that runs on the task queue (django-tasks, kept in the database by django-tasks-db).

A worker runs them: ``manage.py db_worker`` (``make run`` starts one; production runs it as a
service, README). The tasks are thin: what they do, and how it survives a worker that dies,
lives in the modules they call (``mail/runs.py``). The queue itself has no retries and no periodic
tasks; the mail code retries by queueing itself again with ``run_after`` (each task hands itself to
the run it calls, so ``runs`` never imports this module), and ``manage.py run_scheduled`` (cron)
does what is periodic, ``mail_resume`` among it.

Queued rows store each task's dotted path (``questionnaire.tasks.batch_send``): a task keeps its
name and its module.
"""

from django.db import transaction
from django_tasks import task

from .mail import runs

# Single mails (a receipt after a submit, a test, a resent invitation) go before the slices of a batch.
SINGLE_PRIORITY = 10


@task()
def batch_send(batch_pk: int, watch: bool = False) -> dict | None:
    """Send one slice of the mail batch *batch_pk*; the slice queues its own continuation."""
    report = runs.batch_work(batch_pk, task=batch_send, watch=watch)
    if report is None:
        return None
    return {"sent": report.sent, "failed": len(report.failed), "retry": len(report.retry)}


@task(priority=SINGLE_PRIORITY)
def mails_send(mail_pks: list[int]) -> dict:
    """Send the single mails *mail_pks*, queueing them again for a temporary refusal."""
    report = runs.mails_work(mail_pks, task=mails_send)
    return {"sent": report.sent, "failed": len(report.failed), "retry": len(report.retry)}


def mail_resume() -> int:
    """Queue again the work that a dead worker left and no task will pick up; return how many tasks were queued.

    Run by ``run_scheduled``; a task too many does no harm, as every mail is claimed.
    """
    batches, singles = runs.stale_work()
    with transaction.atomic():
        for pk in batches:
            batch_send.enqueue(pk)
        if singles:
            mails_send.enqueue(singles)
    return len(batches) + bool(singles)
