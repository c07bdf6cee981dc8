"""Queueing a job, running it in a worker under a lease, and clearing away old ones.

A job is queued in the same transaction as its task row (the queue lives in the same database),
so there is never a job without its task or the reverse. A worker claims the job in one UPDATE
(running, a claim token of its own, a heartbeat, one more attempt), so a task that runs twice
does the work once.

A worker can die in the middle (killed, restarted by a deploy, out of memory). The job outlives it:

- While the work runs, a thread of the worker renews the job's ``heartbeat_at`` (the work itself,
  openpyxl or WeasyPrint or an import, has nowhere to call back from). A job whose worker has been
  silent for JOB_LEASE_SECONDS has lost its lease (``Job.is_silent``).
- Claiming queues a watching task for when the lease would end. The next worker to run it finds
  the job silent and takes it over: it starts the work again, up to JOB_MAX_ATTEMPTS starts in
  all, and after that fails the job with a reason staff can read.
- Only the run holding the claim saves an outcome: a worker that wakes up after it was taken
  over changes nothing.
- Asking again for the work of a silent job fails that job and queues a new one.
- ``jobs_prune`` (run_scheduled, every quarter of an hour) is the backstop: it queues a takeover
  of a silent job whose watcher was lost, and stops jobs no worker took up within STALE_AFTER.
"""

import logging
import secrets
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Job, JobStatus, job_files, job_lease, silent_jobs
from .registry import KINDS

logger = logging.getLogger(__name__)

# No job takes this long: one still waiting has found no worker, and a run that lasts longer has
# hung, so its worker stops renewing the lease and the job is taken over or failed.
STALE_AFTER = timedelta(hours=1)
# The longest time between two renewals of a running job's lease (a quarter of the lease if shorter).
HEARTBEAT_SECONDS = 10


def job_queue(
    *, kind: str, round=None, params: dict | None = None, user=None, upload: bytes | None = None, upload_name: str = ""
) -> Job:
    """Queue a job of *kind* and return it.

    A job of the same kind, round and parameters that has not finished yet is returned
    instead (pressed twice, two staff at once): the same work is never queued twice. One whose
    worker has gone silent is failed, and a new job queued: asking again never returns a dead job.
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
            if waiting is not None and not _give_up(waiting, with_starts_left=True):
                return waiting
        job = Job.objects.create(
            kind=kind, round=round, params=params, requested_by=user, upload=upload, upload_name=upload_name
        )
        job_work.enqueue(job.pk)
    return job


def job_stopped_text(attempts: int) -> str:
    """Return what staff read about a job whose worker stopped answering, after *attempts* starts."""
    return ngettext(
        "The work stopped unexpectedly: the worker doing it stopped answering (it may have been restarted "
        "or have run out of memory). It was started %(count)d time. Try again; if it stops again, tell "
        "whoever runs the system.",
        "The work stopped unexpectedly: the worker doing it stopped answering (it may have been restarted "
        "or have run out of memory). It was started %(count)d times. Try again; if it stops again, tell "
        "whoever runs the system.",
        attempts,
    ) % {"count": attempts}


def _give_up(job: Job, *, with_starts_left: bool = False) -> bool:
    """Fail *job* as stopped if its worker is (still) silent and it has no starts left (or *with_starts_left*).

    Return whether it was failed. The conditions are checked in the UPDATE itself, so a job that
    another worker took over in the meantime is left alone.
    """
    jobs = Job.objects.filter(silent_jobs(), pk=job.pk, claim=job.claim)
    if not with_starts_left:
        jobs = jobs.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS)
    return bool(
        jobs.update(
            status=JobStatus.FAILED, error=job_stopped_text(job.attempts), upload=None, claim="", finished_at=Now()
        )
    )


def job_run(pk: int, *, watch: bool = False) -> str | None:
    """Do the work of the job *pk* if it waits, or take it over if its worker has gone silent.

    Return its status afterwards, or None if there was nothing to do here (done already, stopped,
    deleted, or running in a live worker). *watch* marks the watching task: finding the job's
    worker alive, it looks again when that lease would end.
    """
    from .tasks import job_work

    token = secrets.token_hex(16)
    with transaction.atomic():
        claimed = Job.objects.filter(
            Q(status=JobStatus.QUEUED) | silent_jobs(), pk=pk, attempts__lt=settings.JOB_MAX_ATTEMPTS
        ).update(
            status=JobStatus.RUNNING, claim=token, heartbeat_at=Now(), started_at=Now(), attempts=F("attempts") + 1
        )
        if claimed:
            # Committed with the claim: should this worker die at any moment, the next worker to
            # run the watcher takes over when the lease ends.
            job_work.using(run_after=timezone.now() + job_lease()).enqueue(pk, watch=True)
    job = Job.objects.select_related("round").filter(pk=pk).first()
    if job is None or job.is_finished:
        return None
    if not claimed:
        if _give_up(job):
            logger.warning("Job %s (%s) failed: its worker stopped %d time(s)", job.pk, job.kind, job.attempts)
            return JobStatus.FAILED
        if watch and job.status == JobStatus.RUNNING:
            job_work.using(run_after=job.heartbeat_at + job_lease()).enqueue(pk, watch=True)
        return None
    if job.attempts > 1:
        logger.warning("Job %s (%s) taken over: start %d", job.pk, job.kind, job.attempts)

    with _heartbeat(pk, token):
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
    saved = Job.objects.filter(pk=pk, claim=token, status=JobStatus.RUNNING).update(
        status=job.status,
        result=job.result,
        error=job.error,
        file=job.file.name or "",
        filename=job.filename,
        size=job.size,
        upload=None,
        claim="",
        finished_at=Now(),
    )
    if not saved:
        # Silent too long (a paused machine): another worker took the job over, or it was failed.
        logger.warning("Job %s (%s) was taken from this worker; its outcome is dropped", job.pk, job.kind)
        if job.file:
            job.file.delete(save=False)
        return None
    return job.status


@contextmanager
def _heartbeat(pk: int, token: str):
    """Renew the lease of the job *pk*, claimed with *token*, from a thread while the body runs."""
    every = min(HEARTBEAT_SECONDS, settings.JOB_LEASE_SECONDS / 4)
    stop = threading.Event()

    def beat():
        started = time.monotonic()
        try:
            while not stop.wait(every) and time.monotonic() - started < STALE_AFTER.total_seconds():
                try:
                    if not _renew(pk, token):
                        return  # taken over: this run's outcome will not be saved
                except DatabaseError:
                    logger.warning("The lease of job %s could not be renewed", pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"job-{pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=HEARTBEAT_SECONDS)


def _renew(pk: int, token: str) -> bool:
    """Renew the lease of the job *pk* if *token* still holds it; return whether it does.

    A row locked by someone else (the job being saved, or a test's open transaction) is skipped
    rather than waited for: the next beat comes soon enough.
    """
    with transaction.atomic():
        mine = Job.objects.select_for_update(skip_locked=True).filter(pk=pk).values_list("claim", flat=True).first()
        if mine is None:
            return Job.objects.filter(pk=pk, claim=token).exists()
        if mine != token:
            return False
        Job.objects.filter(pk=pk).update(heartbeat_at=Now())
    return True


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


def job_file_exists(job: Job) -> bool:
    """Return whether the file *job* made is still there (the web may not share the workers' folder)."""
    return bool(job.file) and job_files().exists(job.file.name)


class Pruned(NamedTuple):
    stopped: int  # unfinished jobs failed: no worker took them up, or their worker stopped for good
    resumed: int  # jobs whose worker stopped, queued to be taken over
    deleted: int  # finished jobs (and their files) older than JOB_KEEP_HOURS


def jobs_prune(moment=None) -> Pruned:
    """Stop the jobs no worker will finish, resume abandoned ones, and delete finished ones past JOB_KEEP_HOURS.

    The files go with their jobs.
    """
    from .tasks import job_work

    moment = moment or timezone.now()
    stopped = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=moment - STALE_AFTER).update(
        status=JobStatus.FAILED,
        finished_at=moment,
        upload=None,
        error=_(
            "No worker took up the work within an hour, so it was stopped. Try again; if it happens again, "
            "tell whoever runs the system that no worker seems to be running."
        ),
    )
    resumed = 0
    for job in Job.objects.silent().only("pk", "claim", "attempts", "created_at"):
        if job.attempts >= settings.JOB_MAX_ATTEMPTS or job.created_at < moment - STALE_AFTER:
            stopped += _give_up(job, with_starts_left=True)
        else:
            # The watcher was lost with its worker (killed between claim and queueing it): queue a takeover.
            job_work.enqueue(job.pk)
            resumed += 1
    old = Job.objects.finished().filter(finished_at__lt=moment - timedelta(hours=settings.JOB_KEEP_HOURS))
    storage = job_files()
    for name in old.exclude(file="").values_list("file", flat=True).iterator():
        storage.delete(name)
    deleted, _counts = old.delete()
    return Pruned(stopped, resumed, deleted)
