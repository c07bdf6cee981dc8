"""The register of libraries, the questionnaire as data, and the answers.

Codes (question, choice, section, municipality) are the identity of data: they name
form fields, export columns and tally rows. Database ids are not.
"""

import secrets
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .codes import PERSONAL_QUESTION_CODES
from .mail.texts import validate_placeholders
from .text import validate_mail_address


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Region Hovedstaden")
    SJAELLAND = "sjaelland", _("Region Sjælland")
    SYDDANMARK = "syddanmark", _("Region Syddanmark")
    MIDTJYLLAND = "midtjylland", _("Region Midtjylland")
    NORDJYLLAND = "nordjylland", _("Region Nordjylland")


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LibraryKind(models.TextChoices):
    # Labels are shown on their own (lists, filters, the overview), so they start with a capital.
    MAIN = "hovedbibliotek", _("Main library")
    BRANCH = "filial", _("Branch")
    MOBILE = "bogbus", _("Mobile library")


class LibraryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, synthetic=False)


class Library(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LibraryKind.choices, default=LibraryKind.MAIN)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("municipality")
    )
    # The same rule as the register import and the respondent's form: an address mail can use.
    email = models.EmailField(_("contact e-mail"), blank=True, validators=[validate_mail_address])
    active = models.BooleanField(_("active"), default=True)
    # Made up by `generate_responses` for benchmarks; never invited to or mailed in a round.
    synthetic = models.BooleanField(_("synthetic test data"), default=False, editable=False)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="library_unique_name_per_municipality")
        ]
        permissions = [("export_library", _("Can export the register of libraries"))]

    def __str__(self):
        return self.name


class Questionnaire(models.Model):
    """One immutable version of a questionnaire definition.

    A changed definition file is installed as a new version; a version that rounds
    point at is never edited, so answers always mean what they meant when given.
    """

    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    privacy = models.TextField(_("who sees the answers"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="questionnaire_unique_version")]

    def __str__(self):
        return f"{self.title} (v{self.version})"


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections", verbose_name=_("questionnaire")
    )
    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    show_if = models.JSONField(_("show if"), null=True, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="section_unique_position"),
        ]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTI = "multi", _("multiple choice")
    TEXT = "text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    EMAIL = "email", _("e-mail")
    INTEGER = "integer", _("whole number")
    YEAR = "year", _("year")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section"))
    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    label = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.BigIntegerField(_("minimum"), null=True, blank=True)
    max_value = models.BigIntegerField(_("maximum"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    show_if = models.JSONField(_("show if"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
        ]

    def __str__(self):
        return f"{self.code}: {self.label}"

    @property
    def has_choices(self):
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTI)

    @cached_property
    def choice_by_code(self) -> dict:
        """Return {code: choice}; questions of a cached version compute it once per process."""
        return {choice.code: choice for choice in self.choices.all()}


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    code = models.SlugField(_("code"), max_length=50)
    position = models.PositiveIntegerField(_("position"))
    label = models.TextField(_("label"))

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="choice_unique_code")]

    def __str__(self):
        return self.label


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

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment and (self.closes_at is None or moment < self.closes_at)

    def has_closed(self, moment=None):
        moment = moment or timezone.now()
        return self.closes_at is not None and self.closes_at <= moment

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


def new_token():
    # 32 random bytes: 256 bits, far beyond guessing, and URL-safe.
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def real(self):
        """Return the libraries' own invitations, leaving out staff's test links."""
        return self.filter(is_test=False)

    def tests(self):
        return self.filter(is_test=True)


class Invitation(models.Model):
    """A library's personal access to one round: the link is the only credential.

    A test link (``is_test``) lets a staff member answer as the library would; its
    answers are never counted, mailed or listed as the library's.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("round"))
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("library")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    # Set only when the invitation mail went out, so that a failed one is tried again.
    sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True, editable=False)
    send_error = models.TextField(_("last mail error"), blank=True, editable=False)
    reminder_count = models.PositiveIntegerField(_("reminders sent"), default=0, editable=False)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True, editable=False)
    is_test = models.BooleanField(_("test"), default=False, editable=False)
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="test_invitations",
        verbose_name=_("tried by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["round", "library__municipality__name", "library__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "library"], condition=models.Q(is_test=False), name="invitation_unique_library"
            ),
            # One test link per staff member, round and library.
            models.UniqueConstraint(
                fields=["round", "library", "tested_by"],
                condition=models.Q(is_test=True),
                name="invitation_unique_test",
            ),
            models.CheckConstraint(
                condition=models.Q(is_test=False) | models.Q(tested_by__isnull=False), name="invitation_test_has_tester"
            ),
        ]

    def __str__(self):
        return f"{self.library} ({self.round})"

    def get_absolute_url(self):
        return reverse("questionnaire:landing", args=[self.token])


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=ResponseStatus.SUBMITTED)

    def real(self):
        """Return the libraries' responses, leaving out those given through staff's test links."""
        return self.filter(invitation__is_test=False)


class Response(models.Model):
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="response", verbose_name=_("invitation")
    )
    status = models.CharField(_("status"), max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_saved_at = models.DateTimeField(_("last saved"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Where the library left off: the section to open when it comes back.
    resume_section = models.CharField(_("resume at section"), max_length=50, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-last_saved_at"]
        permissions = [
            ("edit_answers", _("Can enter and correct answers on a library's behalf")),
            ("reopen_response", _("Can reopen a submitted response")),
        ]

    def __str__(self):
        return str(self.invitation)

    @property
    def is_submitted(self):
        return self.status == ResponseStatus.SUBMITTED


class PersonalQuerySet(models.QuerySet):
    """Rows that belong to a question (answers, changes) and may hold the contact person's details."""

    def personal(self):
        return self.filter(question__code__in=PERSONAL_QUESTION_CODES)


class Answer(models.Model):
    """One answer value: a chosen choice, a text or a number.

    A multiple-choice answer is one row per chosen choice, so tallies are plain
    aggregate queries.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    choice = models.ForeignKey(
        Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="answers", verbose_name=_("choice")
    )
    text = models.TextField(_("text"), blank=True)
    number = models.BigIntegerField(_("number"), null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position", "choice__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "choice"], name="answer_unique_value", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_choice")]

    def __str__(self):
        return f"{self.question.code}"


class ResponseChangeKind(models.TextChoices):
    ANSWER = "answer", _("answer changed")
    REOPENED = "reopened", _("reopened")
    SUBMITTED = "submitted", _("submitted on the library's behalf")


class ResponseChange(models.Model):
    """One change that DB staff made to a response: who, when, what and why.

    Answers are kept as display text (choice labels, not codes), as they read when
    the change was made; the history is for people, the Answer rows are the data.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes", verbose_name=_("response"))
    kind = models.CharField(_("kind"), max_length=20, choices=ResponseChangeKind.choices)
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("question"),
    )
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="response_changes",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = _("change by staff")
        verbose_name_plural = _("changes by staff")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.question.code if self.question else self.response}"


# --- Mail on the queue ------------------------------------------------------------------


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("invitation")
    REMINDER = "reminder", _("reminder")
    RECEIPT = "receipt", _("receipt")
    TEST = "test", _("test to staff")
    REOPENED = "reopened", _("response reopened")


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


# --- Interviews: the survey's qualitative half ---------------------------------------------


class QuoteConsent(models.TextChoices):
    """How a quote may be published: the same three answers as the questionnaire's own consent question."""

    NAMED = "named", _("with name and title")
    ANONYMOUS = "anonymous", _("without name")
    NOT_FOR_PUBLICATION = "no", _("not for publication")


class Interview(models.Model):
    """One interview held for a round: who was asked, when and by whom, and what was noted.

    The interviewee's name and title are personal data: anonymising the round removes them
    unless one of the interview's quotes may be published with them.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("round"))
    name = models.CharField(_("interviewee"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    library = models.ForeignKey(
        Library,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("library"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("municipality"),
        help_text=_("For an interview with the municipality's citizen service rather than a library."),
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    interviewer = models.CharField(_("interviewed by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["round", "held_on", "pk"]

    def __str__(self):
        who = self.name or _("Anonymous interviewee")
        return f"{who}, {self.place}" if self.place else str(who)

    def clean(self):
        if self.library_id is None and self.municipality_id is None:
            raise ValidationError(
                _("Give the library or the municipality the interviewee speaks for."), code="interview_without_place"
            )

    @property
    def place(self) -> str:
        """Return where the interviewee works, as a quote credits it: the library, else the municipality."""
        if self.library_id:
            return self.library.name
        return self.municipality.name if self.municipality_id else ""

    @property
    def region(self) -> str:
        if self.municipality_id:
            return self.municipality.region
        return self.library.municipality.region if self.library_id else ""


class InterviewQuote(models.Model):
    """A quote from an interview, with the consent it was given and the themes it speaks to.

    *themes* holds codes of the challenges question of the round's questionnaire, so that a
    quote stands beside the challenge it illustrates; *other_themes* holds themes of the
    interviewer's own, separated by commas.
    """

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("interview")
    )
    text = models.TextField(_("quote"))
    consent = models.CharField(
        _("may be published"),
        max_length=20,
        choices=QuoteConsent.choices,
        default=QuoteConsent.NOT_FOR_PUBLICATION,
    )
    themes = models.JSONField(_("challenges it speaks to"), default=list, blank=True)
    other_themes = models.CharField(
        _("other themes"), max_length=300, blank=True, help_text=_("Separate several themes with commas.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("interview quote")
        verbose_name_plural = _("interview quotes")
        ordering = ["interview", "position", "pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def other_theme_list(self) -> list[str]:
        return [theme.strip() for theme in self.other_themes.split(",") if theme.strip()]


class CaseStory(models.Model):
    """A case told from the interviews (the seed's "Case fra Aabenraa"), tied to a cooperation model."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="case_stories", verbose_name=_("round"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), help_text=_("One point per line; each line becomes a bullet in the report."))
    model = models.CharField(
        _("cooperation model"), max_length=50, help_text=_("The cooperation model the case illustrates.")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_stories",
        verbose_name=_("municipality"),
    )

    class Meta:
        verbose_name = _("case story")
        verbose_name_plural = _("case stories")
        ordering = ["round", "model", "title"]

    def __str__(self):
        return self.title

    @property
    def points(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.text.splitlines() if line.strip(" -•\t")]
