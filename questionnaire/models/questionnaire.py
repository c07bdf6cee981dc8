"""The questionnaire as data: immutable versions, their sections, questions and choices.

Codes (question, choice, section) are the identity of data: they name form fields, export
columns and tally rows. Database ids are not. The kinds of question, and which kinds are
numbers, texts or choices, are defined here once (``QuestionKind`` and the groupings after it).
"""

from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    """What a question asks for; a new kind joins the groupings below that it belongs to."""

    SINGLE = "single", _("single choice")
    MULTI = "multi", _("multiple choice")
    TEXT = "text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    EMAIL = "email", _("e-mail")
    INTEGER = "integer", _("whole number")
    YEAR = "year", _("year")


# The groupings of kinds, written only here: every module that asks "is this kind a number?" reads
# them. Tuples, in the order messages name them; a kind is compared as its stored string.

# Answered by picking among the question's choices: one Answer row per chosen choice.
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTI)
# Answered with a whole number (Answer.number), bounded by the question's minimum and maximum.
NUMBER_KINDS = (QuestionKind.INTEGER, QuestionKind.YEAR)
# Answered with typed text (Answer.text), bounded by the question's maximum length.
TEXT_KINDS = (QuestionKind.TEXT, QuestionKind.LONG_TEXT, QuestionKind.EMAIL)
# Text in the respondent's own words, no format to keep: what staff read as open answers.
FREE_TEXT_KINDS = (QuestionKind.TEXT, QuestionKind.LONG_TEXT)
# Kinds that store an answer the same way: a question may change between the kinds of one group
# from one version to the next and its answers stay comparable.
SAME_ANSWER_KINDS = (frozenset(FREE_TEXT_KINDS),)


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
        return self.kind in CHOICE_KINDS

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
