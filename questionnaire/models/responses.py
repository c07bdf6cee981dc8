"""What libraries answer: the invitation (the link), the response, its answers and staff's changes.

The invitation's token is the only credential a library has; test links made by staff are kept
apart from the libraries' own everywhere (``real()``), so they are never counted or mailed.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..codes import PERSONAL_QUESTION_CODES
from .questionnaire import Choice, Question
from .register import Library
from .rounds import Round


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
