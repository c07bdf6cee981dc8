"""The report's content model: plain dataclasses with every figure already written as Danish text.

The report of a round is the seed ("Biblioteker og Borgerservice") made from the data.
results.report.build fills these in from the round (`report_build`); the formats above them
(results.report.pdf, results.report.pptx) only lay them out, so the PDF and the PowerPoint
always hold the same figures. Every figure is written the Danish way (`45 %`, `250.000 kr.`);
a group of fewer than `SMALL_GROUP_MIN` libraries says so beside its figures (`few_note`).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from questionnaire.models import Round

from .. import denmark
from ..filters import Filters
from ..quotes import PublishedQuote
from ..tallies import SOURCE, Results, model_heading  # noqa: F401 - the report's name for it too
from ..templatetags.results_format import kroner, percent, round_half_up

ACTIVE_COLOUR, NOT_STARTED_COLOUR, BAR_COLOUR = "#0072B2", denmark.NOT_STARTED_COLOUR, "#1F4E79"


# --- Danish figures -----------------------------------------------------------------------


def kroner_words(amount) -> str:
    """Return an amount as the seed writes a range: "20.000 kr.", "30 millioner kr.", "1,5 millioner kr."."""
    if amount is None:
        return percent(None)
    if amount < 1_000_000:
        return kroner(amount)
    millions = round_half_up(amount / 1_000_000, 1)
    text = number_format(millions, 0 if millions == int(millions) else 1)
    return ngettext("DKK %(amount)s million", "DKK %(amount)s million", 1 if millions == 1 else 2) % {"amount": text}


def few_note(count: int) -> str:
    """Return the warning that goes beside figures resting on fewer than SMALL_GROUP_MIN libraries ("" otherwise)."""
    if count == 0:
        return _("No library answered.")
    if count < settings.SMALL_GROUP_MIN:
        return ngettext(
            "Only %(count)s library: read the shares with care.",
            "Only %(count)s libraries: read the shares with care.",
            count,
        ) % {"count": count}
    return ""


# --- The content --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float | None
    colour: str = BAR_COLOUR

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per answer, shares of *base* libraries (each bar's length is its share)."""

    title: str
    bars: tuple[Bar, ...]
    base: int
    note: str = ""  # few_note(base)

    @property
    def base_text(self) -> str:
        return ngettext(
            "Share of the %(count)s library that answered",
            "Share of the %(count)s libraries that answered",
            self.base,
        ) % {"count": number_format(self.base, 0, force_grouping=True)}


@dataclass(frozen=True)
class TextAnswer:
    text: str
    library: str


@dataclass(frozen=True)
class Case:
    title: str
    municipality: str
    model_heading: str
    points: tuple[str, ...]

    @property
    def heading(self) -> str:
        if self.municipality:
            return _("Case from %(place)s: %(title)s") % {"place": self.municipality, "title": self.title}
        return _("Case: %(title)s") % {"title": self.title}


@dataclass(frozen=True)
class ModelPage:
    """One cooperation model: what it is, how many use it, who, and what they offer."""

    code: str
    heading: str  # "Model 3"
    description: str  # "Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk"
    colour: str
    count: int
    figures: tuple[Figure, ...]
    libraries: tuple[str, ...]
    more_libraries: int  # libraries using it beyond those named
    services: Chart | None
    example_library: str
    example_services: tuple[str, ...]
    cases: tuple[Case, ...]
    note: str

    @property
    def libraries_more_text(self) -> str:
        if not self.more_libraries:
            return ""
        return ngettext("and %(count)s other library", "and %(count)s other libraries", self.more_libraries) % {
            "count": number_format(self.more_libraries, 0, force_grouping=True)
        }


@dataclass(frozen=True)
class ModelKey:
    heading: str
    description: str
    colour: str
    count: int


@dataclass(frozen=True)
class Economy:
    range_text: str  # "Fra 20.000 kr. til 30 millioner kr."
    figures: tuple[Figure, ...]
    answered: int
    note: str
    development_funds: Chart | None
    funds_used_for: Chart | None


@dataclass(frozen=True)
class NotStarted:
    count: int
    share: str
    plans: Chart | None
    barriers: Chart | None
    comments: tuple[TextAnswer, ...]
    note: str


@dataclass(frozen=True)
class Finding:
    """What staff wrote at the top of a section (results.models.ReportFinding), its placeholders filled in."""

    heading: str
    text: str

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text.split("\n\n") if part.strip())


@dataclass(frozen=True)
class Theme:
    """A dilemma theme of the seed, a challenge or a free theme, with the quotes the report prints under it.

    A seed theme (results.report.texts.THEMES) has its figures (and a chart) from the tallies and
    a page even without quotes; a challenge or a free theme appears only with quotes.
    """

    key: str
    label: str
    count: int | None
    quotes: tuple[PublishedQuote, ...]
    more: int  # quotes under the theme that the report leaves to the workbook
    figures: tuple[Figure, ...] = ()
    chart: Chart | None = None
    finding: Finding | None = None

    @property
    def count_text(self) -> str:
        if self.count is None:
            return ""
        return ngettext("%(counter)s library", "%(counter)s libraries", self.count) % {"counter": self.count}

    @property
    def more_text(self) -> str:
        if not self.more:
            return ""
        return ngettext(
            "%(count)s more quote in the workbook",
            "%(count)s more quotes in the workbook",
            self.more,
        ) % {"count": number_format(self.more, 0, force_grouping=True)}


@dataclass(frozen=True)
class Report:
    round: Round
    filters: Filters
    results: Results  # for the map
    title: str
    subtitle: str
    round_title: str
    scope: str  # the filters (Filters.description), or "" for all libraries
    behind: str
    reuse: str
    made: str
    about: tuple[Figure, ...]
    method: tuple[str, ...]
    background: str
    headline: Chart
    headline_text: tuple[str, ...]
    model_keys: tuple[ModelKey, ...]
    models: tuple[ModelPage, ...]
    economy: Economy
    challenges: Chart | None
    themes: tuple[Theme, ...]  # with quotes, most often met first
    not_started: NotStarted
    advice: tuple[TextAnswer, ...]  # only what staff chose for the report (results.models.ReportQuote)
    advice_total: int
    source: str = field(default=SOURCE)
    author: str = ""  # the title page's author line, staff's (results.models.ReportText)
    findings: dict[str, Finding] = field(default_factory=dict)  # {section: staff's finding}
    section_quotes: dict[str, tuple[PublishedQuote, ...]] = field(default_factory=dict)  # filed to a section

    def finding(self, section: str) -> Finding | None:
        return self.findings.get(section)

    @property
    def advice_count_text(self) -> str:
        if self.advice_total <= len(self.advice):
            return ""
        return ngettext(
            "%(counter)s library gave advice; the workbook holds them all.",
            "%(counter)s libraries gave advice; the workbook holds them all.",
            self.advice_total,
        ) % {"counter": number_format(self.advice_total, 0, force_grouping=True)}

    @property
    def has_map(self) -> bool:
        return bool(self.results.municipalities)
