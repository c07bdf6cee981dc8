"""Interviews, the survey's qualitative half: who was interviewed, their quotes and the case stories.

A quote carries the consent it was given; only what may be published reaches the results, and
anonymising a round keeps an interviewee's name only where a quote may be published with it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .register import Library, Municipality
from .rounds import Round


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

    # When staff last saved it: the published report is made again when this changes (results/public.py).
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

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

    # When staff last saved it: the published report is made again when this changes (results/public.py).
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

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

    # When staff last saved it: the published report is made again when this changes (results/public.py).
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("case story")
        verbose_name_plural = _("case stories")
        ordering = ["round", "model", "title"]

    def __str__(self):
        return self.title

    @property
    def points(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.text.splitlines() if line.strip(" -•\t")]
