"""A survey round: one questionnaire version asked of the libraries between two dates.

The round also holds what is decided per round: its reminder days, its own mail texts, and
when its contact details are due to be removed (the retention period).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..mail.texts import validate_placeholders
from .questionnaire import Questionnaire


class RoundQuerySet(models.QuerySet):
    def real(self):
        """Return the rounds libraries answer, leaving out the hidden rounds for trying a bare version."""
        return self.filter(is_test=False)

    def personal_data_due(self, moment):
        """Rounds whose contact details must be removed by *moment*: closed longer than the retention period."""
        return self.filter(closes_at__lte=moment - personal_data_retention(), personal_data_removed_at__isnull=True)


def personal_data_retention() -> timedelta:
    """How long a round's contact details are kept after it closes (the landing page promises a year at most)."""
    return timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def reminder_day_list(value: str) -> list[int]:
    """Return the days of "7, 2" as [7, 2], largest first; raise ValueError for anything else."""
    days = [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if any(day < 0 or day > 365 for day in days):
        raise ValueError(value)
    return sorted(set(days), reverse=True)


def validate_reminder_days(value: str) -> None:
    try:
        reminder_day_list(value)
    except ValueError:
        raise ValidationError(
            _("Write whole numbers of days before the deadline, separated by commas, e.g. %(example)s."),
            code="invalid_reminder_days",
            params={"example": "7, 2"},
        ) from None


MAIL_HELP = _(
    "Leave empty for the shipped Danish text. Placeholders: {bibliotek}, {link}, {frist}, {kontakt}, {runde}. "
    "The greeting, the link button, the deadline and the signature are added around the text."
)


class Round(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("questionnaire version")
    )
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    reminder_days = models.CharField(
        _("reminder days"),
        max_length=50,
        blank=True,
        validators=[validate_reminder_days],
        help_text=_(
            "Days before the deadline on which libraries that have not submitted get a reminder, "
            "e.g. 7, 2. The scheduled job (run_scheduled) sends them."
        ),
    )
    # The round's own mail texts; empty: the shipped Danish ones (questionnaire.mail.texts).
    invitation_subject = models.CharField(
        _("invitation subject"), max_length=200, blank=True, validators=[validate_placeholders], help_text=MAIL_HELP
    )
    invitation_text = models.TextField(
        _("invitation text"), blank=True, validators=[validate_placeholders], help_text=MAIL_HELP
    )
    reminder_subject = models.CharField(
        _("reminder subject"), max_length=200, blank=True, validators=[validate_placeholders], help_text=MAIL_HELP
    )
    reminder_text = models.TextField(
        _("reminder text"), blank=True, validators=[validate_placeholders], help_text=MAIL_HELP
    )
    # Empty: the results are for staff only. From this day on they are public (results/public.py), and
    # the libraries are told once (results_mail_queued_at).
    results_published_on = models.DateField(
        _("results published on"),
        null=True,
        blank=True,
        help_text=_(
            "From this day the results page and the report are open to everyone, without a login. "
            "Empty: the results are for staff only."
        ),
    )
    results_mail_queued_at = models.DateTimeField(_("results mail queued"), null=True, blank=True, editable=False)
    # Set when the contact persons' names, titles, e-mails and phones were removed.
    personal_data_removed_at = models.DateTimeField(_("personal data removed"), null=True, blank=True, editable=False)
    # A hidden round, one per questionnaire version, through which staff try a version no round uses yet.
    is_test = models.BooleanField(_("for trying only"), default=False, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-opens_at"]
        permissions = [
            ("export_round", _("Can export round overviews and answers")),
            ("send_mail", _("Can send invitations and reminders")),
            ("anonymise_round", _("Can remove personal data from a closed round")),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        # One rule for the admin's form and for open_round (services.rounds.round_open runs full_clean).
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {
                    "closes_at": _("The round must close after it opens (%(opens)s).")
                    % {"opens": date_format(timezone.localtime(self.opens_at), "DATETIME_FORMAT")}
                },
                code="closes_before_opening",
            )
        if (
            self.opens_at
            and self.results_published_on
            and self.results_published_on < timezone.localdate(self.opens_at)
        ):
            raise ValidationError(
                {"results_published_on": _("The results cannot be published before the round opens.")},
                code="published_before_opening",
            )

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment and (self.closes_at is None or moment < self.closes_at)

    def has_closed(self, moment=None):
        moment = moment or timezone.now()
        return self.closes_at is not None and self.closes_at <= moment

    def results_are_public(self, today=None) -> bool:
        """Return whether the results are open to everyone (the publication day has come)."""
        today = today or timezone.localdate()
        return self.results_published_on is not None and self.results_published_on <= today and not self.is_test

    def reminder_dates(self):
        """Return the dates (in the site's time zone) on which the scheduled reminders go, earliest first."""
        if not self.closes_at or not self.reminder_days:
            return []
        deadline = timezone.localdate(self.closes_at)
        return [deadline - timedelta(days=days) for days in reminder_day_list(self.reminder_days)]

    @property
    def personal_data_due_at(self):
        """When the contact details must be gone (``anonymise_round --due``); None without a closing time."""
        return self.closes_at + personal_data_retention() if self.closes_at else None
