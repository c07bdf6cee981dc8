"""Figures beyond the tallies: open-text answers, distributions of numbers, and cross-tables.

The same rule as results.tallies, whose helpers these build on: only submitted responses
count, every figure is computed in the database, and the number of queries is fixed
whatever the number of responses (one for the open texts, one for all distributions, four
for a cross-table; two more for the questions unless the caller passes them in). The page
and the workbook call these functions, so they show the same figures.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from questionnaire.models import FREE_TEXT_KINDS, NUMBER_KINDS, LibraryKind, QuestionKind, Region
from questionnaire.services.follow import share

from .filters import NO_FILTERS, Filters
from .tallies import PERSONAL_QUESTIONS, SOURCE, counted_answers, round_questions

# --- Open-text answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAnswer:
    library: str
    municipality: str
    region: str
    text: str

    @property
    def region_label(self):
        return Region(self.region).label


@dataclass(frozen=True)
class OpenQuestion:
    """The answers typed to one text question, by library name."""

    code: str
    label: str
    answers: tuple[OpenAnswer, ...]


def open_questions(questions) -> list:
    """Return the text questions whose answers staff may read with the library's name.

    Never the contact person's details, nor the quote and its consent: those have rules of
    their own (results.tallies.PERSONAL_QUESTIONS).
    """
    return [q for q in questions if q.kind in FREE_TEXT_KINDS and q.code not in PERSONAL_QUESTIONS]


def open_answers(round, filters: Filters = NO_FILTERS, *, questions=None) -> tuple[OpenQuestion, ...]:
    """Return every open-text answer of the submitted responses, per question in questionnaire order."""
    questions = open_questions(questions if questions is not None else round_questions(round))
    rows = (
        counted_answers(round, filters)
        .filter(question_id__in=[question.id for question in questions])
        .exclude(text="")
        .values_list(
            "question_id",
            "text",
            "response__invitation__library__name",
            "response__invitation__library__municipality__name",
            "response__invitation__library__municipality__region",
        )
        .order_by("response__invitation__library__name", "response_id")
    )
    by_question = {question.id: [] for question in questions}
    for question_id, text, library, municipality, region in rows:
        if text.strip():
            by_question[question_id].append(OpenAnswer(library, municipality, region, text.strip()))
    return tuple(OpenQuestion(question.code, question.label, tuple(by_question[question.id])) for question in questions)


# --- Distributions of numbers -----------------------------------------------------------------

# The lower bounds of the bands of each number question, by question code; a year question
# without bands here is counted in five-year bands from its minimum to this year.
BANDS = {
    "units": (1, 2, 3, 6, 11, 21),
    "resources_dkk": (0, 1, 50_000, 100_000, 250_000, 500_000, 1_000_000),
}
MONEY = frozenset({"resources_dkk"})
YEAR_BAND = 5


@dataclass(frozen=True)
class Band:
    label: str
    low: int | None  # None: no lower bound
    high: int | None  # the band's highest value; None: no upper bound
    count: int
    share: float | None  # of the responses that gave a number


@dataclass(frozen=True)
class Distribution:
    """How the numbers given to one question fall into bands."""

    code: str
    label: str
    answered: int
    bands: tuple[Band, ...]


def _bounds(question) -> tuple[int, ...]:
    if question.code in BANDS:
        return BANDS[question.code]
    if question.kind == QuestionKind.YEAR:
        first = question.min_value or 1990
        return tuple(range(first - first % YEAR_BAND, date.today().year + 1, YEAR_BAND))
    return ()


def _amount(value: int, money: bool) -> str:
    return number_format(value, 0, force_grouping=True) if money else str(value)


def _band_label(low, high, *, money: bool, year: bool) -> str:
    if high is None and money:
        return _("DKK %(amount)s or more") % {"amount": _amount(low, money)}
    if low is None:
        text = _("before %(number)s") % {"number": _amount(high + 1, money)}
    elif high is None:
        text = (_("%(number)s or later") if year else _("%(number)s or more")) % {"number": _amount(low, money)}
    elif low == high:
        text = _amount(low, money)
    else:
        text = _("%(low)s–%(high)s") % {"low": _amount(low, money), "high": _amount(high, money)}
    return _("DKK %(amount)s") % {"amount": text} if money else text


def distribution_questions(questions) -> list:
    """Return the number questions that are shown in bands."""
    return [q for q in questions if q.kind in NUMBER_KINDS and _bounds(q)]


def number_distributions(round, filters: Filters = NO_FILTERS, *, questions=None) -> tuple[Distribution, ...]:
    """Return the distribution of every number question in bands, counted in one query."""
    questions = distribution_questions(questions if questions is not None else round_questions(round))
    if not questions:
        return ()
    # The band's index, worked out by the database: the last lower bound the number reaches.
    whens = []
    for question in questions:
        bounds = _bounds(question)
        for index in reversed(range(len(bounds))):
            whens.append(When(question_id=question.id, number__gte=bounds[index], then=Value(index + 1)))
    rows = (
        counted_answers(round, filters)
        .filter(question_id__in=[question.id for question in questions], number__isnull=False)
        .annotate(band=Case(*whens, default=Value(0), output_field=IntegerField()))
        .values("question_id", "band")
        .annotate(count=Count("id"))  # one number per response and question
    )
    counts = {(row["question_id"], row["band"]): row["count"] for row in rows}
    distributions = []
    for question in questions:
        bounds = _bounds(question)
        money, year = question.code in MONEY, question.kind == QuestionKind.YEAR
        answered = sum(count for (question_id, _band), count in counts.items() if question_id == question.id)
        bands = []
        if counts.get((question.id, 0)):  # numbers below the first band: only if the questionnaire allowed them
            count = counts[(question.id, 0)]
            label = _band_label(None, bounds[0] - 1, money=money, year=year)
            bands.append(Band(label, None, bounds[0] - 1, count, share(count, answered)))
        for index, low in enumerate(bounds):
            high = bounds[index + 1] - 1 if index + 1 < len(bounds) else None
            count = counts.get((question.id, index + 1), 0)
            label = _band_label(low, high, money=money, year=year)
            bands.append(Band(label, low, high, count, share(count, answered)))
        distributions.append(Distribution(question.code, question.label, answered, tuple(bands)))
    return tuple(distributions)


# --- Cross-tables -------------------------------------------------------------------------------

REGION, KIND = "region", "kind"
LIBRARY = "response__invitation__library__"


@dataclass(frozen=True)
class CrossCell:
    count: int
    share: float | None  # of the row's total


@dataclass(frozen=True)
class CrossRow:
    code: str
    label: str
    cells: tuple[CrossCell, ...]
    total: int  # responses that chose this answer and have a value in the columns


@dataclass(frozen=True)
class CrossTable:
    """A choice question (rows) against region, library kind or another choice question (columns).

    A cell counts the responses that gave both; its share is of the row's total (the
    responses that chose the row's answer). Where a response can be in more than one column
    (the columns are a multiple choice question), a row's shares may add up to more than 1;
    *overlapping* says so. Where the rows are a multiple choice question, a column's cells
    may add up to more than its total.
    """

    question: str
    label: str
    by: str
    by_label: str
    columns: tuple[tuple[str, str], ...]  # (code, label)
    rows: tuple[CrossRow, ...]
    column_totals: tuple[int, ...]  # responses in each column that answered the question
    total: int  # responses that answered the question and have a value in the columns
    overlapping: bool
    source: str = ""

    def cell(self, row_code: str, column_code: str) -> CrossCell:
        row = next(row for row in self.rows if row.code == row_code)
        return row.cells[[code for code, _label in self.columns].index(column_code)]


def cross_choices(questions) -> list:
    """Return the questions a cross-table can count: those with choices."""
    return [question for question in questions if question.has_choices]


def cross_by_options(questions) -> list[tuple[str, str]]:
    """Return what a cross-table's columns may be, as (value, Danish label): region, kind or a question."""
    return [(REGION, _("Region")), (KIND, _("Library kind"))] + [
        (question.code, question.label) for question in cross_choices(questions)
    ]


def cross_table(round, *, question: str, by: str = REGION, filters: Filters = NO_FILTERS, questions=None) -> CrossTable:
    """Return *question* (a choice question's code) counted against *by*: region, kind or another question's code.

    Four queries (cells, row totals, column totals, the total), two more without *questions*.
    Raise ValueError for a question without choices or an unknown *by*.
    """
    questions = questions if questions is not None else round_questions(round)
    by_code = {q.code: q for q in cross_choices(questions)}
    if question not in by_code:
        raise ValueError(f"No choice question {question!r}")
    rows_question = by_code[question]
    answers = counted_answers(round, filters).filter(question=rows_question, choice__isnull=False)
    if by == REGION:
        regions = filters.regions
        columns = tuple((code, str(Region(code).label)) for code in regions)
        column_field, by_label, overlapping = f"{LIBRARY}municipality__region", _("Region"), False
    elif by == KIND:
        kinds = (filters.kind,) if filters.kind else tuple(LibraryKind.values)
        columns = tuple((code, str(LibraryKind(code).label)) for code in kinds)
        column_field, by_label, overlapping = f"{LIBRARY}kind", _("Library kind"), False
    elif by in by_code and by != question:
        columns_question = by_code[by]
        choices = list(columns_question.choices.all())
        columns = tuple((str(choice.id), choice.label) for choice in choices)
        # The same response's answer to the other question: one join, used by filter and values alike.
        answers = answers.filter(response__answers__question=columns_question, response__answers__choice__isnull=False)
        column_field, by_label = "response__answers__choice_id", columns_question.label
        overlapping = columns_question.kind == QuestionKind.MULTI
    else:
        raise ValueError(f"Cannot count {question!r} against {by!r}")

    column = F(column_field)
    cells = {
        (row["choice_id"], str(row["column"])): row["count"]
        for row in answers.values("choice_id", column=column).annotate(count=Count("response_id", distinct=True))
    }
    row_totals = {
        row["choice_id"]: row["count"]
        for row in answers.values("choice_id").annotate(count=Count("response_id", distinct=True))
    }
    column_totals = {
        str(row["column"]): row["count"]
        for row in answers.values(column=column).annotate(count=Count("response_id", distinct=True))
    }
    total = answers.aggregate(count=Count("response_id", distinct=True))["count"]

    rows = []
    for choice in rows_question.choices.all():
        row_total = row_totals.get(choice.id, 0)
        counts = [cells.get((choice.id, code), 0) for code, _label in columns]
        rows.append(
            CrossRow(choice.code, choice.label, tuple(CrossCell(c, share(c, row_total)) for c in counts), row_total)
        )
    if by not in (REGION, KIND):
        # Column codes were choice ids for the query; name them by choice code from here on.
        codes = {str(choice.id): choice.code for choice in choices}
        column_totals = {codes[key]: value for key, value in column_totals.items() if key in codes}
        columns = tuple((codes[key], label) for key, label in columns)
    return CrossTable(
        question=rows_question.code,
        label=rows_question.label,
        by=by,
        by_label=by_label,
        columns=columns,
        rows=tuple(rows),
        column_totals=tuple(column_totals.get(code, 0) for code, _label in columns),
        total=total,
        overlapping=overlapping,
        source=SOURCE,
    )
