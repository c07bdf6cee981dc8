"""A piece of long work that staff asked for and follow: a file to make, a register to import.

The queue (django-tasks) runs a task once and forgets; the row here is what the pages show
(queued, running, done, failed), holds what the work needs (its parameters, an uploaded file)
and what it gave (a result, a file to download). What each kind of job does is in
``jobs.registry``; the flow is in ``jobs.services``.

A running job is held on a lease, as a mail is: its worker renews ``heartbeat_at`` while it
works, and a job whose worker has been silent for longer than JOB_LEASE_SECONDS has lost it
(the worker was killed, restarted or ran out of memory). ``Job.is_silent`` is that rule.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_files():
    """Return the storage of the files that jobs make (settings.STORAGES["jobs"])."""
    return storages["jobs"]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for a worker")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def job_lease() -> timedelta:
    """Return how long a running job's worker may stay silent before the job counts as abandoned."""
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def silent_jobs() -> Q:
    """Running jobs whose worker has not renewed the lease in time (by the database's clock): it has stopped."""
    return Q(status=JobStatus.RUNNING, heartbeat_at__lt=Now() - job_lease())


class JobQuerySet(models.QuerySet):
    def silent(self):
        return self.filter(silent_jobs())

    def unfinished(self):
        return self.filter(status__in=UNFINISHED)

    def finished(self):
        return self.exclude(status__in=UNFINISHED)

    def latest_first(self):
        return self.order_by("-created_at", "-pk")


class Job(models.Model):
    # A code of jobs.registry (not a choice field: a new kind needs no migration).
    kind = models.CharField(_("kind"), max_length=40)
    round = models.ForeignKey(
        "questionnaire.Round",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("round"),
    )
    # What the kind needs besides the round, e.g. the results filters {"region": "hovedstaden"}.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # An uploaded file the work reads (a register), kept in the database so that a worker on
    # another machine reads it too; emptied when the work is done.
    upload = models.BinaryField(_("uploaded file"), null=True, blank=True)
    upload_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), storage=job_files, upload_to="%Y/%m/%d/", max_length=255, blank=True)
    filename = models.CharField(_("download name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The lease of the worker running the job: a token of this run (its result is saved only while
    # the job still carries it), and the last time the worker showed it was alive.
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # How many times a worker has started the work (at most JOB_MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["round", "kind", "status"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def is_silent(self) -> bool:
        """Whether the job is running but its worker has stopped renewing the lease."""
        return (
            self.status == JobStatus.RUNNING
            and self.heartbeat_at is not None
            and self.heartbeat_at < timezone.now() - job_lease()
        )

    @property
    def attempts_left(self) -> int:
        """How many more times a worker may start the work, should the one running it stop."""
        return max(settings.JOB_MAX_ATTEMPTS - self.attempts, 0)


class Worker(models.Model):
    """A worker process (``manage.py db_worker``) and when it last showed it was alive (jobs.workers)."""

    # The worker id db_worker gives itself; its tasks carry it (DBTaskResult.worker_ids).
    name = models.CharField(_("worker id"), max_length=64, unique=True)
    host = models.CharField(_("machine"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seen_at = models.DateTimeField(_("last sign of life"), default=timezone.now, db_index=True)
    # Set when the worker stopped as asked (a deploy, systemctl stop); a killed one just falls silent.
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.host or '?'}:{self.pid or '?'} ({self.name[:8]})"
