"""A round beside an earlier one, matched by code: the one place that sets two rounds' figures side by side.

Both rounds' figures come from ``tallies.round_results`` under the same filters;
nothing is counted here. A figure is matched by its question and choice codes, the
identity of the data across questionnaire versions; what only one of the two rounds
has is kept as a row of its own and said (``only``), never hidden. Changes of shares
are in percentage points (0.45 → 0.52 is +7 points); changes of kroner in kroner.

The 2009 survey's published headline stands beside every round's headline as a
reference (``PUBLISHED_2009``): its answers are not in this app, its figures are.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .tallies import SOURCE, QuestionTally, Results
from .templatetags.results_format import percentage_points

EARLIER, CURRENT = "earlier", "current"


@dataclass(frozen=True)
class PublishedHeadline:
    """A headline split as it was published, for reference beside the figures of a round."""

    year: int
    share_active: float
    share_not_started: float
    source: str


# "Biblioteker og Borgerservice – Erfaringer og tendenser i samarbejdet" (Knudsen Syd for
# Danmarks Biblioteksforening), on the libraries' answers of 1 September 2009:
# 45 % had borgerservice activities, 55 % had not started (shared/spec, from the seed).
PUBLISHED_2009 = PublishedHeadline(
    year=2009,
    share_active=0.45,
    share_not_started=0.55,
    source=f"{SOURCE}: Biblioteker og Borgerservice – Erfaringer og tendenser i samarbejdet (2009)",
)


@dataclass(frozen=True)
class ComparedFigure:
    """One figure in both rounds; a value is None where that round has no such figure (or nothing to divide by)."""

    code: str
    label: str
    earlier: float | int | None
    current: float | int | None
    only: str = ""  # EARLIER or CURRENT when the code exists in one round only
    unit: str = "share"  # share (a fraction), kroner or count

    @property
    def change(self) -> float | None:
        """Return the change: in percentage points for shares, else in the figure's unit; None if either is missing."""
        if self.earlier is None or self.current is None:
            return None
        if self.unit == "share":
            return percentage_points(self.current, self.earlier)
        return self.current - self.earlier


@dataclass(frozen=True)
class ComparedTable:
    """The figures of one subject (models, services, …) in both rounds."""

    key: str
    title: str
    figures: tuple[ComparedFigure, ...]
    # The question's count of libraries that answered it, in each round (shares are of those).
    earlier_answered: int | None = None
    current_answered: int | None = None
    only: str = ""  # the whole question exists in one round only


@dataclass(frozen=True)
class Comparison:
    current: Results
    earlier: Results
    tables: tuple[ComparedTable, ...]

    @property
    def same_questionnaire(self) -> bool:
        return self.current.round.questionnaire_id == self.earlier.round.questionnaire_id

    def table(self, key: str) -> ComparedTable:
        return next(table for table in self.tables if table.key == key)


def _only(earlier_present: bool, current_present: bool) -> str:
    if earlier_present and not current_present:
        return EARLIER
    if current_present and not earlier_present:
        return CURRENT
    return ""


def _choices_table(key, title, earlier: QuestionTally | None, current: QuestionTally | None) -> ComparedTable:
    """Match the choices of one question in both rounds by code, in the current round's order then the earlier's."""
    before = {choice.code: choice for choice in earlier.choices} if earlier else {}
    after = {choice.code: choice for choice in current.choices} if current else {}
    codes = list(after) + [code for code in before if code not in after]
    figures = []
    for code in codes:
        was, now = before.get(code), after.get(code)
        figures.append(
            ComparedFigure(
                code=code,
                label=(now or was).label,
                earlier=was.share if was else None,
                current=now.share if now else None,
                only=_only(was is not None, now is not None),
            )
        )
    return ComparedTable(
        key=key,
        title=title,
        figures=tuple(figures),
        earlier_answered=earlier.answered if earlier else None,
        current_answered=current.answered if current else None,
        only=_only(earlier is not None, current is not None),
    )


def _models_table(earlier: Results, current: Results) -> ComparedTable:
    before = {model.code: model for model in earlier.model_adoption.models}
    after = {model.code: model for model in current.model_adoption.models}
    codes = list(after) + [code for code in before if code not in after]
    figures = tuple(
        ComparedFigure(
            code=code,
            label=(after.get(code) or before[code]).label,
            earlier=before[code].share_of_active if code in before else None,
            current=after[code].share_of_active if code in after else None,
            only=_only(code in before, code in after),
        )
        for code in codes
    )
    return ComparedTable(
        key="models",
        title=str(_("Cooperation models (share of libraries with activities)")),
        figures=figures,
        earlier_answered=earlier.model_adoption.active,
        current_answered=current.model_adoption.active,
        only=_only(bool(before), bool(after)),
    )


def _headline_table(earlier: Results, current: Results) -> ComparedTable:
    was, now = earlier.headline, current.headline
    return ComparedTable(
        key="headline",
        title=str(_("Borgerservice activities")),
        figures=(
            ComparedFigure("active", str(_("With borgerservice activities")), was.share_active, now.share_active),
            ComparedFigure("not_started", str(_("Not started yet")), was.share_not_started, now.share_not_started),
            ComparedFigure("response_rate", str(_("Response rate")), was.response_rate, now.response_rate),
            ComparedFigure("responses", str(_("Responses")), was.responses, now.responses, unit="count"),
        ),
        earlier_answered=was.responses,
        current_answered=now.responses,
    )


def _resources_table(earlier: Results, current: Results) -> ComparedTable:
    was, now = earlier.resources, current.resources
    # A round whose questionnaire has no kroner question has its label empty.
    present_before, present_now = bool(was.label), bool(now.label)

    def value(resources, present, name):
        return getattr(resources, name) if present else None

    figures = tuple(
        ComparedFigure(
            name,
            str(label),
            value(was, present_before, name),
            value(now, present_now, name),
            only=_only(present_before, present_now),
            unit=unit,
        )
        for name, label, unit in (
            ("answered", _("Libraries that gave a figure"), "count"),
            ("median", _("Median"), "kroner"),
            ("total", _("Sum"), "kroner"),
            ("lowest", _("Lowest"), "kroner"),
            ("highest", _("Highest"), "kroner"),
        )
    )
    return ComparedTable(
        key="resources",
        title=now.label or was.label or str(_("Kroner set aside for the cooperation")),
        figures=figures,
        earlier_answered=was.answered if present_before else None,
        current_answered=now.answered if present_now else None,
        only=_only(present_before, present_now),
    )


def round_comparison(current: Results, earlier: Results) -> Comparison:
    """Return *current*'s figures beside *earlier*'s (two ``round_results`` under the same filters), by code."""
    tables = (
        _headline_table(earlier, current),
        _models_table(earlier, current),
        _choices_table("services", str(_("Services offered in the library")), earlier.services, current.services),
        _choices_table("challenges", str(_("Challenges and dilemmas")), earlier.challenges, current.challenges),
        _resources_table(earlier, current),
        _choices_table(
            "development_funds",
            (current.development_funds or earlier.development_funds).label
            if (current.development_funds or earlier.development_funds)
            else "",
            earlier.development_funds,
            current.development_funds,
        ),
    )
    return Comparison(current=current, earlier=earlier, tables=tables)


def earlier_rounds(round_):
    """Return the rounds *round_* may be set beside: those libraries answered that opened before it, newest first."""
    from questionnaire.models import Round

    return Round.objects.real().filter(opens_at__lt=round_.opens_at).exclude(pk=round_.pk).order_by("-opens_at")


def chosen_comparison(results: Results, slug: str, **options) -> Comparison | None:
    """Return *results* beside the earlier round *slug* under the same filters; None for no (or no such) round."""
    from .tallies import round_results

    if not slug:
        return None
    earlier = earlier_rounds(results.round).select_related("questionnaire").filter(slug=slug).first()
    if earlier is None:
        return None
    return round_comparison(results, round_results(earlier, results.filters, **options))
