"""The figures of a round: the one place that counts answers.

Every function here reads; none writes. Figures come from submitted responses only
(drafts are never counted), are computed in the database with aggregate queries, and
the number of queries is fixed: it does not grow with the number of responses,
libraries or questions. The results page, the map and the Excel workbook all read
their figures from here, so they always agree.

Shares are fractions (0.45, not 45) and None when there is nothing to divide by.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from questionnaire.codes import (
    ACTIVE,
    CHALLENGES,
    DEVELOPMENT_FUNDS,
    FUNDS_USED_FOR,
    MODELS,
    NOT_STARTED,
    PERSONAL_QUESTION_CODES,
    PRIMARY_MODEL,
    QUOTE,
    QUOTE_CONSENT,
    RESOURCES,
    RESPONDENT_NAME,
    RESPONDENT_TITLE,
    SERVICES,
    STATUS,
)
from questionnaire.models import (
    Answer,
    Invitation,
    LibraryKind,
    Municipality,
    Question,
    Region,
    Response,
    ResponseStatus,
    Round,
)
from questionnaire.services.answers import answers_by_response, responses_with_answers
from questionnaire.services.follow import share
from questionnaire.services.quote_consent import may_name, published_q

from .filters import NO_FILTERS, Filters
from .snapshots import snapshot

# The reuse condition of the seed: every table, chart, map and export names it.
SOURCE = "Kilde: Knudsen Syd og Danmarks Biblioteksforening"

# Answers that never leave the app row by row: the contact person's details (the
# privacy notice promises them for follow-up only) and the quote with its consent
# (quotes are published only as consented, and never next to the library's name
# when the consent is anonymous). They are still counted in tallies.
PERSONAL_QUESTIONS = frozenset({*PERSONAL_QUESTION_CODES, QUOTE, QUOTE_CONSENT})


class Median(Aggregate):
    """The median of a column: PostgreSQL's ``percentile_cont(0.5)``, interpolated."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


# --- Figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    code: str
    label: str
    count: int
    share: float | None  # of the responses that answered the question


@dataclass(frozen=True)
class QuestionTally:
    """The count of every choice of one single or multiple choice question.

    *answered* is the number of responses with any answer to the question; shares are
    of those. For a multiple choice question the shares may add up to more than 1.
    """

    code: str
    label: str
    kind: str
    answered: int
    choices: tuple[ChoiceCount, ...]

    @property
    def ranked(self) -> tuple[ChoiceCount, ...]:
        """Return the choices, most often chosen first (ties in questionnaire order)."""
        return tuple(sorted(self.choices, key=lambda choice: -choice.count))

    def choice(self, code: str) -> ChoiceCount:
        return next(choice for choice in self.choices if choice.code == code)


@dataclass(frozen=True)
class RegionCount:
    """Participation in one region: invited libraries, submitted responses and their status."""

    region: str
    invited: int
    responses: int
    active: int
    not_started: int

    @property
    def label(self):
        return Region(self.region).label


@dataclass(frozen=True)
class Headline:
    """The headline split: libraries with borgerservice activities against those not started."""

    invited: int
    responses: int
    active: int
    not_started: int

    @property
    def share_active(self) -> float | None:
        return share(self.active, self.responses)

    @property
    def share_not_started(self) -> float | None:
        return share(self.not_started, self.responses)

    @property
    def response_rate(self) -> float | None:
        return share(self.responses, self.invited)


@dataclass(frozen=True)
class ModelCount:
    """How many libraries use one cooperation model (a library may use several)."""

    code: str
    label: str
    count: int
    share_of_active: float | None
    share_of_all: float | None


@dataclass(frozen=True)
class RegionModels:
    region: str
    responses: int
    active: int
    models: tuple[ModelCount, ...]

    @property
    def label(self):
        return Region(self.region).label


@dataclass(frozen=True)
class ModelAdoption:
    """Model adoption overall and per region; shares are of active libraries and of all responses."""

    responses: int
    active: int
    models: tuple[ModelCount, ...]
    regions: tuple[RegionModels, ...]

    @property
    def rows(self) -> tuple[tuple[ModelCount, tuple[ModelCount, ...]], ...]:
        """Return (overall, (per region, ...)) for each model: the rows of the cross-table."""
        return tuple(
            (model, tuple(region.models[index] for region in self.regions)) for index, model in enumerate(self.models)
        )


@dataclass(frozen=True)
class LibraryModel:
    """One submitted response: the library, its status and its primary model."""

    library: str
    kind: str
    municipality_code: str
    status: str  # a choice code of `status`, or "" if unanswered
    primary_model: str  # a choice code of `primary_model`, or ""
    primary_model_label: str


@dataclass(frozen=True)
class MunicipalityModel:
    """What the map draws for one municipality.

    The answer shown is that of the municipality's main library if it has submitted,
    otherwise that of another of its libraries; *library* is "" when none has.
    """

    code: str
    name: str
    region: str
    latitude: float
    longitude: float
    library: str = ""
    status: str = ""
    primary_model: str = ""
    primary_model_label: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.library)

    @property
    def region_label(self):
        return Region(self.region).label


def is_small_group(count: int) -> bool:
    """Return whether a figure resting on *count* libraries (but some) could be pinned on one of them."""
    return 0 < count < settings.SMALL_GROUP_MIN


def withheld_note(count: int) -> str:
    """Return the line that stands where figures resting on *count* libraries are withheld."""
    return ngettext(
        "Only %(count)s library gave a figure. Amounts resting on fewer than %(least)s libraries are not "
        "shown, so that no figure can be traced to one library.",
        "Only %(count)s libraries gave a figure. Amounts resting on fewer than %(least)s libraries are not "
        "shown, so that no figure can be traced to one library.",
        count,
    ) % {"count": count, "least": settings.SMALL_GROUP_MIN}


def small_group_note(count: int, where: str) -> str:
    """Return the line that stands where the figures of a group of *count* libraries (*where*) are withheld."""
    return ngettext(
        "Only %(count)s library in %(where)s answered. Figures resting on fewer than %(least)s libraries are "
        "not shown, so that no figure can be traced to one library.",
        "Only %(count)s libraries in %(where)s answered. Figures resting on fewer than %(least)s libraries are "
        "not shown, so that no figure can be traced to one library.",
        count,
    ) % {"count": count, "where": where, "least": settings.SMALL_GROUP_MIN}


def model_heading(label: str) -> tuple[str, str]:
    """Split "Model 3: Udvalgte opgaver …" into ("Model 3", "Udvalgte opgaver …"); others are their own heading."""
    heading, colon, description = label.partition(": ")
    if colon and heading.split()[-1].isdigit():
        return heading, description
    text, _paren, rest = label.partition(" (")
    return text, (f"({rest}" if rest else "")


@dataclass(frozen=True)
class Resources:
    """The kroner set aside for the cooperation, over the libraries that gave a figure.

    Where fewer than SMALL_GROUP_MIN libraries gave one, the amounts are withheld (None) here,
    in the one place that computes them, so no output can print one library's budget.
    """

    answered: int
    lowest: int | None
    median: float | None
    highest: int | None
    total: int | None
    label: str = ""  # the question's text
    withheld: bool = False

    @property
    def withheld_note(self) -> str:
        return withheld_note(self.answered) if self.withheld else ""


@dataclass(frozen=True)
class Quote:
    """A quote that may be published; *name*, *title* and *library* are "" unless consent is ``named``.

    *themes* are the challenges (choice codes) the library chose: what results.quotes files the quote under.
    """

    text: str
    region: str
    named: bool
    name: str = ""
    title: str = ""
    library: str = ""
    themes: tuple[str, ...] = ()
    response: int = 0  # the response's id: where staff file the quote in the report (results.models)

    @property
    def region_label(self):
        return Region(self.region).label


@dataclass(frozen=True)
class Results:
    """Every figure of a round under some filters, computed together."""

    round: Round
    filters: Filters
    made_at: datetime
    regions: tuple[RegionCount, ...]
    headline: Headline
    questions: tuple[QuestionTally, ...]
    model_adoption: ModelAdoption
    resources: Resources
    municipalities: tuple[MunicipalityModel, ...]  # for the map
    quotes: tuple[Quote, ...]
    source: str = field(default=SOURCE)

    def question(self, code: str) -> QuestionTally | None:
        return next((question for question in self.questions if question.code == code), None)

    @property
    def services(self):
        return self.question(SERVICES)

    @property
    def challenges(self):
        return self.question(CHALLENGES)

    @property
    def development_funds(self):
        return self.question(DEVELOPMENT_FUNDS)

    @property
    def funds_used_for(self):
        return self.question(FUNDS_USED_FOR)


# --- Queries --------------------------------------------------------------------------


def submitted_responses(round: Round, filters: Filters = NO_FILTERS):
    """Return the submitted responses of *round* whose library passes *filters* (unordered).

    Answers given through staff's test links never count (``Invitation.is_test``).
    """
    return (
        Response.objects.submitted()
        .real()
        .filter(invitation__round=round)
        .filter(filters.library_q("invitation__library__"), filters.response_q())
        .order_by()
    )


def counted_answers(round: Round, filters: Filters = NO_FILTERS):
    """Return the answers of the submitted responses of *round* under *filters* (unordered)."""
    return (
        Answer.objects.filter(
            response__status=ResponseStatus.SUBMITTED,
            response__invitation__round=round,
            response__invitation__is_test=False,
        )
        .filter(filters.library_q("response__invitation__library__"), filters.response_q("response__"))
        .order_by()
    )


def round_questions(round: Round) -> list[Question]:
    """Return the questions of *round*'s questionnaire with their choices, in two queries."""
    questions = Question.objects.filter(questionnaire_id=round.questionnaire_id).order_by("position")
    return list(questions.prefetch_related("choices"))


class _Data:
    """The raw counts behind the figures, each loaded once, on first use."""

    def __init__(self, round: Round, filters: Filters, questions=None):
        self.round = round
        self.filters = filters
        if questions is not None:
            self.questions = questions  # already read by the caller: fills the cached property

    @cached_property
    def questions(self) -> list[Question]:
        return round_questions(self.round)

    def question(self, code) -> Question | None:
        return next((question for question in self.questions if question.code == code), None)

    def choice_labels(self, code) -> dict[str, str]:
        question = self.question(code)
        return {choice.code: choice.label for choice in question.choices.all()} if question else {}

    @cached_property
    def choice_counts(self) -> dict[tuple[int, str], int]:
        """Return {(choice id, region): number of responses that chose it}."""
        rows = (
            counted_answers(self.round, self.filters)
            .filter(choice__isnull=False)
            .values("choice_id", region=F("response__invitation__library__municipality__region"))
            # (response, question, choice) is unique, so counting rows counts responses.
            .annotate(count=Count("id"))
        )
        return {(row["choice_id"], row["region"]): row["count"] for row in rows}

    @cached_property
    def answered_counts(self) -> dict[tuple[int, str], int]:
        """Return {(question id, region): number of responses with any answer to it}."""
        rows = (
            counted_answers(self.round, self.filters)
            .filter(choice__isnull=False)  # only choice questions are tallied
            .values("question_id", region=F("response__invitation__library__municipality__region"))
            .annotate(count=Count("response_id", distinct=True))
        )
        return {(row["question_id"], row["region"]): row["count"] for row in rows}

    @cached_property
    def region_counts(self) -> dict[str, RegionCount]:
        """Return {region: RegionCount} for every region the filters cover, zeros included."""
        rows = (
            Invitation.objects.real()
            .filter(round=self.round)
            .filter(self.filters.library_q("library__"))
            .order_by()
            .values(region=F("library__municipality__region"))
            # One response per invitation at most, so plain counts; no answers joined.
            .annotate(
                invited=Count("pk"), responses=Count("response", filter=Q(response__status=ResponseStatus.SUBMITTED))
            )
        )
        found = {row["region"]: row for row in rows}
        # The status split is the count of the status question's choices, already made.
        status = (
            {choice.code: choice.id for choice in self.question(STATUS).choices.all()} if self.question(STATUS) else {}
        )
        counts = {}
        for region in self.filters.regions:
            row = found.get(region, {})
            counts[region] = RegionCount(
                region=region,
                invited=row.get("invited", 0),
                responses=row.get("responses", 0),
                active=self.count(self.choice_counts, status.get(ACTIVE), region),
                not_started=self.count(self.choice_counts, status.get(NOT_STARTED), region),
            )
        return counts

    def count(self, counts, key_id, region=None) -> int:
        if region is not None:
            return counts.get((key_id, region), 0)
        return sum(counts.get((key_id, region), 0) for region in self.filters.regions)


def _question_tallies(data: _Data) -> tuple[QuestionTally, ...]:
    tallies = []
    for question in data.questions:
        if not question.has_choices:
            continue
        answered = data.count(data.answered_counts, question.id)
        choices = []
        for choice in question.choices.all():
            count = data.count(data.choice_counts, choice.id)
            choices.append(ChoiceCount(choice.code, choice.label, count, share(count, answered)))
        tallies.append(QuestionTally(question.code, question.label, question.kind, answered, tuple(choices)))
    return tuple(tallies)


def _headline(data: _Data) -> Headline:
    regions = data.region_counts.values()
    return Headline(
        invited=sum(region.invited for region in regions),
        responses=sum(region.responses for region in regions),
        active=sum(region.active for region in regions),
        not_started=sum(region.not_started for region in regions),
    )


def _model_counts(data: _Data, responses: int, active: int, region: str | None) -> tuple[ModelCount, ...]:
    question = data.question(MODELS)
    if question is None:
        return ()
    counts = []
    for choice in question.choices.all():
        count = data.count(data.choice_counts, choice.id, region)
        counts.append(ModelCount(choice.code, choice.label, count, share(count, active), share(count, responses)))
    return tuple(counts)


def _model_adoption(data: _Data) -> ModelAdoption:
    headline = _headline(data)
    regions = tuple(
        RegionModels(
            region=count.region,
            responses=count.responses,
            active=count.active,
            models=_model_counts(data, count.responses, count.active, count.region),
        )
        for count in data.region_counts.values()
    )
    return ModelAdoption(
        responses=headline.responses,
        active=headline.active,
        models=_model_counts(data, headline.responses, headline.active, None),
        regions=regions,
    )


def _library_models(data: _Data) -> tuple[LibraryModel, ...]:
    labels = data.choice_labels(PRIMARY_MODEL)
    rows = (
        submitted_responses(data.round, data.filters)
        # Filtering before annotating joins only these answers: two rows per response, not all of them.
        .filter(answers__question__code__in=[STATUS, PRIMARY_MODEL])
        .annotate(
            status_code=Max("answers__choice__code", filter=Q(answers__question__code=STATUS)),
            model_code=Max("answers__choice__code", filter=Q(answers__question__code=PRIMARY_MODEL)),
        )
        .values_list(
            "invitation__library__name",
            "invitation__library__kind",
            "invitation__library__municipality__code",
            "status_code",
            "model_code",
        )
        .order_by("invitation__library__municipality__code", "invitation__library__name")
    )
    return tuple(
        LibraryModel(name, kind, municipality, status or "", model or "", labels.get(model, ""))
        for name, kind, municipality, status, model in rows
    )


def _municipality_models(data: _Data) -> tuple[MunicipalityModel, ...]:
    by_municipality = defaultdict(list)
    for library in _library_models(data):
        by_municipality[library.municipality_code].append(library)
    municipalities = Municipality.objects.order_by("code")
    if data.filters.region:
        municipalities = municipalities.filter(region=data.filters.region)
    marks = []
    for municipality in municipalities:
        mark = MunicipalityModel(
            code=municipality.code,
            name=municipality.name,
            region=municipality.region,
            latitude=float(municipality.latitude),
            longitude=float(municipality.longitude),
        )
        libraries = by_municipality.get(municipality.code)
        if libraries:
            # The main library speaks for the municipality; failing that, the first by name.
            chosen = min(libraries, key=lambda library: (library.kind != LibraryKind.MAIN, library.library))
            mark = replace(
                mark,
                library=chosen.library,
                status=chosen.status,
                primary_model=chosen.primary_model,
                primary_model_label=chosen.primary_model_label,
            )
        marks.append(mark)
    return tuple(marks)


def _resources(data: _Data) -> Resources:
    answers = counted_answers(data.round, data.filters).filter(question__code=RESOURCES, number__isnull=False)
    figures = {
        "answered": Count("id"),
        "lowest": Min("number"),
        "highest": Max("number"),
        "total": Sum("number"),
    }
    if connection.vendor == "postgresql":
        figures["median"] = Median("number")
    row = answers.aggregate(**figures)
    if "median" not in row:
        # No percentile_cont (SQLite, for trying the app): fetch the one or two middle
        # values only, in one more query whatever the number of answers.
        count, row["median"] = row["answered"], None
        if count:
            numbers = answers.order_by("number").values_list("number", flat=True)
            middle = list(numbers[(count - 1) // 2 : count // 2 + 1])
            row["median"] = sum(middle) / len(middle)
    question = data.question(RESOURCES)
    if is_small_group(row["answered"]):
        row.update(lowest=None, median=None, highest=None, total=None, withheld=True)
    return Resources(**row, label=question.label if question else "")


def _quotes(data: _Data) -> tuple[Quote, ...]:
    consenting = counted_answers(data.round, data.filters).filter(
        published_q("choice__code"), question__code=QUOTE_CONSENT
    )
    # The answers that make a quote and file it under its themes, of consenting responses only: a few rows each,
    # read as they are (grouping every answer of every response costs far more).
    answers = (
        counted_answers(data.round, data.filters)
        .filter(response__in=consenting.values("response_id"))
        .filter(question__code__in=[QUOTE, QUOTE_CONSENT, RESPONDENT_NAME, RESPONDENT_TITLE, CHALLENGES])
    )
    library_fields = ("response__invitation__library__name", "response__invitation__library__municipality__region")
    quotes = []
    for response, (library, region), values in answers_by_response(answers, extra=library_fields):
        text = values.get(QUOTE, "")
        if not text.strip():
            continue
        themes = tuple(values.get(CHALLENGES, ()))
        if may_name(values[QUOTE_CONSENT]):
            name, title = values.get(RESPONDENT_NAME, ""), values.get(RESPONDENT_TITLE, "")
            quotes.append(Quote(text, region, True, name, title, library, themes, response))
        else:
            # Anonymous: the region is all that is told, never the person or the library.
            quotes.append(Quote(text, region, False, themes=themes, response=response))
    # By region, named first, then by text: never by library, which would hint at who wrote an anonymous one.
    regions = list(Region.values)
    return tuple(sorted(quotes, key=lambda quote: (regions.index(quote.region), not quote.named, quote.text)))


# --- Reads -----------------------------------------------------------------------------


@snapshot()
def round_results(round: Round, filters: Filters = NO_FILTERS, *, with_map: bool = True, questions=None) -> Results:
    """Return every figure of *round* under *filters*, in a fixed number of queries from one snapshot.

    Without the map (*with_map* false, for the workbook), `municipalities` is empty and
    its two queries are saved; *questions* (from `round_questions`) saves two more.
    """
    data = _Data(round, filters, questions)
    return Results(
        round=round,
        filters=filters,
        made_at=timezone.now(),
        regions=tuple(data.region_counts.values()),
        headline=_headline(data),
        questions=_question_tallies(data),
        model_adoption=_model_adoption(data),
        resources=_resources(data),
        municipalities=_municipality_models(data) if with_map else (),
        quotes=_quotes(data),
    )


# --- Rows, for the export ---------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    """One submitted response with its answers: {question code: value}, as ``response_answers`` gives them."""

    library: str
    kind: str
    municipality: str
    municipality_code: str
    region: str
    submitted_at: datetime | None
    answers: dict


def response_rows(round: Round, filters: Filters = NO_FILTERS) -> Iterator[ResponseRow]:
    """Yield the submitted responses one by one, by municipality code and library name, with their answers.

    Streamed: memory does not grow with their number.
    """
    responses = submitted_responses(round, filters).order_by(
        "invitation__library__municipality__code", "invitation__library__name", "pk"
    )
    fields = (
        "invitation__library__name",
        "invitation__library__kind",
        "invitation__library__municipality__name",
        "invitation__library__municipality__code",
        "invitation__library__municipality__region",
        "submitted_at",
    )
    for values in responses_with_answers(responses, fields):
        yield ResponseRow(*values)
