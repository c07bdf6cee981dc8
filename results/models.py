"""What staff write into a round's report around its figures: findings, the author line, where quotes stand.

The report (results.report) is made from the data; these rows are the words staff add to it and
keep from round to round: a finding (a heading and a few sentences) at the top of each section,
whose placeholders (``{andel_aktive}``) are filled in from the round's figures
(results.report.texts), and the filing of quotes, advice and plan comments under the report's
themes. A report nobody edited is complete without them; advice and plan comments are printed
word for word only where staff filed them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from questionnaire.models import InterviewQuote, Response, Round


class ReportSection(models.TextChoices):
    """The report's sections, in its order; the dilemma themes are the seed's (results.report.themes)."""

    ABOUT = "about", _("About the survey")
    HEADLINE = "headline", _("Libraries with borgerservice activities")
    MODELS = "models", _("Overview of the cooperation models")
    ECONOMY = "economy", _("Economic resources")
    CHALLENGES = "challenges", _("Dilemmas and challenges")
    ORGANISATION = "organisation", _("Organisation and structure")
    USER_SURVEY = "user_survey", _("User and citizen surveys")
    COLOCATION = "colocation", _("That nobody moves in with the other")
    POLITICAL_VISION = "political_vision", _("Make it politically interesting")
    JOINT_TRAINING = "joint_training", _("Joint training and learning")
    CASE_PROCESSING = "case_processing", _("We still cannot offer case processing")
    SYNERGIES = "synergies", _("Synergies and benefits")
    NOT_STARTED = "not_started", _("Libraries that have not started")
    ADVICE = "advice", _("Advice to other libraries")


class ReportText(models.Model):
    """The words staff write for one round's report: the author line here, a finding per section below."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="report_text", verbose_name=_("round"))
    author = models.CharField(
        _("author line"),
        max_length=300,
        blank=True,
        help_text=_("Printed on the title page, e.g. who wrote the report. Empty: the title page as shipped."),
    )

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        ordering = ["round"]

    def __str__(self):
        return str(self.round)


class ReportFinding(models.Model):
    """A finding at the top of one section of the report: a heading line and a few sentences."""

    report_text = models.ForeignKey(
        ReportText, on_delete=models.CASCADE, related_name="findings", verbose_name=_("report text")
    )
    section = models.CharField(_("section"), max_length=50, choices=ReportSection.choices)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["report_text", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report_text", "section"], name="one_finding_per_section"),
        ]

    def __str__(self):
        return self.get_section_display()


class ReportQuote(models.Model):
    """Where staff filed a quote, an advice or a plan comment in a round's report; *theme* "" leaves it out.

    A written answer of the questionnaire is named by its response and its question code (quote,
    advice, plans_comment); an interview quote by its row. Quotes nobody filed stand under the
    suggestion of results.quotes; advice and plan comments nobody filed are not printed.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="report_quotes", verbose_name=_("round"))
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("response")
    )
    answer = models.CharField(_("answer"), max_length=50, blank=True)
    interview_quote = models.ForeignKey(
        InterviewQuote,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interview quote"),
    )
    theme = models.CharField(_("theme in the report"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("quote in the report")
        verbose_name_plural = _("quotes in the report")
        ordering = ["round", "theme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "response", "answer"], name="one_filing_per_answer"),
            models.UniqueConstraint(fields=["round", "interview_quote"], name="one_filing_per_interview_quote"),
            models.CheckConstraint(
                condition=models.Q(response__isnull=True, interview_quote__isnull=False)
                | models.Q(response__isnull=False, interview_quote__isnull=True),
                name="filing_of_one_thing",
            ),
        ]

    def __str__(self):
        return self.theme or "–"
