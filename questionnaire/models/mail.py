"""Mail on the queue: a batch (one "send invitations" or "send reminders") and its mails.

The rows are the outbox that workers claim, send and mark (``questionnaire.mail``); a database
constraint keeps one invitation or reminder pending per library, so pressing "send" twice queues
nothing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .responses import Invitation
from .rounds import Round


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("invitation")
    REMINDER = "reminder", _("reminder")
    RECEIPT = "receipt", _("receipt")
    TEST = "test", _("test to staff")
    REOPENED = "reopened", _("response reopened")
    RESULTS = "results", _("results published")


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("being sent")
    RETRY = "retry", _("refused for now; tried again later")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not needed any more")


# A mail in one of these states still has to go (or to be given up); the others are settled.
MAIL_PENDING = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.RETRY)


class MailBatch(models.Model):
    """One "send invitations" or "send reminders" for a round: what the progress page shows.

    A worker that runs the batch keeps ``heartbeat_at`` fresh; when it stops doing so for
    ``MAIL_LEASE_SECONDS`` another worker takes over (``questionnaire.mail``).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="mail_batches", verbose_name=_("round"))
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_batches",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # The reminder day (Round.reminder_days) that the scheduled job queued this batch for.
    scheduled_for = models.DateField(_("reminder day"), null=True, blank=True)
    # When the watching task (the one that takes over from a dead worker) is due; None if none is waiting.
    watch_at = models.DateTimeField(_("watched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail batch")
        verbose_name_plural = _("mail batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.round} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self):
        return self.finished_at is not None


class Mail(models.Model):
    """One mail to send: the outbox row a worker claims, sends and marks.

    Recipients are worked out when the mail goes (a corrected address counts); only a test
    to a staff member names its recipient here.
    """

    batch = models.ForeignKey(
        MailBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="mails", verbose_name=_("batch")
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="mails", verbose_name=_("invitation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    # Send the invitation even though one went before (staff asked to resend it).
    again = models.BooleanField(_("resend"), default=False)
    to = models.EmailField(_("to"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    # The claim: which worker's run holds the mail, and since when (database time).
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # The last time a worker started sending it: the per-minute limit counts these.
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("server's answer"), blank=True)

    class Meta:
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        ordering = ["batch", "pk"]
        indexes = [
            models.Index(fields=["batch", "status"], name="mail_batch_status"),
            models.Index(fields=["status", "next_attempt_at"], name="mail_status_next_attempt"),
            models.Index(fields=["attempted_at"], name="mail_attempted_at"),
        ]
        constraints = [
            # One invitation or reminder waiting per library at a time: pressing "send" twice queues nothing twice.
            models.UniqueConstraint(
                fields=["invitation", "kind"],
                condition=Q(
                    status__in=["queued", "sending", "retry"], kind__in=["invitation", "reminder"], again=False
                ),
                name="mail_one_pending_per_invitation",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.invitation.library}"
