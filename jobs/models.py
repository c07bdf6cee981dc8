"""A piece of long work that staff asked for and follow: a file to make, a register to import.

The queue (django-tasks) runs a task once and forgets; the row here is what the pages show
(queued, running, done, failed), holds what the work needs (its parameters, an uploaded file)
and what it gave (a result, a file to download). What each kind of job does is in
``jobs.registry``; the flow is in ``jobs.services``.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
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


class JobQuerySet(models.QuerySet):
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
