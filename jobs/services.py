"""Queueing a job, running it in a worker, and clearing away old ones.

A job is queued in the same transaction as its task row (the queue lives in the same database),
so there is never a job without its task or the reverse. A worker claims the job by moving it
from queued to running in one UPDATE, so a task that runs twice does the work once. The worker
that dies in the middle leaves its job running; ``jobs_prune`` (run_scheduled, every quarter of
an hour) marks it failed after STALE_AFTER, so no page waits for ever.
"""

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job, JobStatus, job_files
from .registry import KINDS

logger = logging.getLogger(__name__)

# No job takes this long: one still unfinished has lost its worker (or none is running).
STALE_AFTER = timedelta(hours=1)


def job_queue(
    *, kind: str, round=None, params: dict | None = None, user=None, upload: bytes | None = None, upload_name: str = ""
) -> Job:
    """Queue a job of *kind* and return it.

    A job of the same kind, round and parameters that has not finished yet is returned
    instead (pressed twice, two staff at once): the same work is never queued twice.
    """
    from .tasks import job_work

    if kind not in KINDS:
        raise ValueError(f"Unknown kind of job {kind!r}")
    params = params or {}
    if user is not None and not user.is_authenticated:
        user = None
    with transaction.atomic():
        if round is not None:
            # Two requests at once wait here for each other, so the second finds the first's job.
            type(round).objects.select_for_update().filter(pk=round.pk).first()
        if upload is None:
            waiting = Job.objects.unfinished().filter(kind=kind, round=round, params=params).latest_first().first()
            if waiting is not None:
                return waiting
        job = Job.objects.create(
            kind=kind, round=round, params=params, requested_by=user, upload=upload, upload_name=upload_name
        )
        job_work.enqueue(job.pk)
    return job


def job_run(pk: int) -> str | None:
    """Do the work of the job *pk*, if nobody has yet; return its status afterwards."""
    now = timezone.now()
    if not Job.objects.filter(pk=pk, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=now):
        return None  # done already, stopped as stale, or deleted
    job = Job.objects.select_related("round").get(pk=pk)
    try:
        job.result = KINDS[job.kind].run(job)
    except ValidationError as error:
        job.status, job.error = JobStatus.FAILED, " ".join(error.messages)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status, job.error = (
            JobStatus.FAILED,
            _("An error in the program stopped the work; it is in the worker's log."),
        )
    else:
        job.status = JobStatus.DONE
    if job.status == JobStatus.FAILED and job.file:
        job.file.delete(save=False)
    job.upload = None
    job.finished_at = timezone.now()
    job.save()
    return job.status


def job_file_save(job: Job, *, write, filename: str) -> None:
    """Save the file that *write(handle)* writes on *job*, to be downloaded as *filename*.

    It goes through a temporary file, not memory: a workbook grows with the responses.
    """
    with tempfile.TemporaryFile() as handle:
        write(handle)
        handle.seek(0)
        job.file.save(filename, File(handle), save=False)
    job.filename = filename
    job.size = job.file.size


def jobs_prune(moment=None) -> tuple[int, int]:
    """Stop the jobs no worker finished in time, and delete finished ones older than JOB_KEEP_HOURS.

    Return (stopped, deleted). The files go with their jobs.
    """
    moment = moment or timezone.now()
    stopped = (
        Job.objects.unfinished()
        .filter(created_at__lt=moment - STALE_AFTER)
        .update(
            status=JobStatus.FAILED,
            finished_at=moment,
            upload=None,
            error=_("No worker finished the work within an hour, so it was stopped. Try again."),
        )
    )
    old = Job.objects.finished().filter(finished_at__lt=moment - timedelta(hours=settings.JOB_KEEP_HOURS))
    storage = job_files()
    for name in old.exclude(file="").values_list("file", flat=True).iterator():
        storage.delete(name)
    deleted, _counts = old.delete()
    return stopped, deleted
