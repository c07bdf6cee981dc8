"""The results workbook: the answers, the tallies and the sources, ready to forward.

Built from results.tallies (the figures) and one streamed query (the answers, row by
row) in openpyxl's write-only mode, so memory does not grow with the number of
responses. The management command and the download view both call
``workbook_write``, so they produce the same workbook.

Respondent text is data: every string is written as a text cell, never a formula,
and text that Excel could take for one (``=``, ``+``, ``-``, ``@``…) also gets
Excel's quote prefix, so it stays text even when someone edits the cell.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from questionnaire.codes import DEVELOPMENT_FUNDS, FUNDS_USED_FOR, RESOURCES
from questionnaire.models import TEXT_KINDS, Choice, LibraryKind, Question, QuestionKind, Region, Round
from questionnaire.services.authoring import versions_diff
from questionnaire.spreadsheets import xlsx_text_cell, xlsx_value

from .breakdowns import cross_table
from .comparison import PUBLISHED_2009, Comparison, chosen_comparison
from .quotes import round_quotes
from .snapshots import alongside, snapshot
from .tallies import (
    PERSONAL_QUESTIONS,
    SOURCE,
    Filters,
    Results,
    response_rows,
    round_questions,
    round_results,
)

# Sheets added by the comparison of rounds and of questionnaire versions (see the end of this module).
COMPARISON, CHANGES = "Sammenligning", "Ændringer"
# Sheet names are fixed Danish words from the issue: readers of the forwarded file know them.
OVERVIEW, ANSWERS, COUNTS, MODELS, SERVICES, CHALLENGES_SHEET, CROSSTAB, ECONOMY, QUOTES, ABOUT = (
    "Overblik",
    "Svar",
    "Optælling",
    "Modeller",
    "Ydelser",
    "Udfordringer",
    "Krydstabel",
    "Økonomi",
    "Citater",
    "Kilde",
)

PERCENT = "0.0%"
KRONER = '#,##0 "kr."'
BOLD = Font(bold=True)
CODE_FONT = Font(color="6C757D", size=9)
HEADER = Alignment(wrap_text=True, vertical="bottom")
SOURCE_FONT = Font(italic=True, color="495057")
WRAP = Alignment(wrap_text=True, vertical="top")


def value_cell(ws, value, number_format=None):
    """Return *value* for a row: text as text, times as Excel dates, numbers with *number_format*.

    Plain values are returned where openpyxl stores them right by itself (it reuses one
    cell for those, which matters when a sheet has millions of cells).
    """
    if value is None:
        return None
    if isinstance(value, str):
        return xlsx_value(ws, value)
    if number_format is None and isinstance(value, int | float):
        return value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        # Excel has no time zones: write the time as read in Denmark. openpyxl gives a
        # plain time its own date format (yyyy-mm-dd h:mm:ss), with no cell of our own.
        value = timezone.localtime(value).replace(tzinfo=None)
        if number_format is None:
            return value
    cell = WriteOnlyCell(ws, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


class Sheet:
    """A write-only sheet with the source in row 1, a frozen, filterable header in row 2, and data below.

    Every sheet prints in landscape on A4, as wide as the page, with its header rows on every page.
    """

    def __init__(self, workbook: Workbook, title: str, widths, *, freeze="A3"):
        self.ws = workbook.create_sheet(title)
        # Widths, panes and the fit to page must be set before the first row: write-only sheets write them first.
        for index, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = freeze
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0  # as many pages down as it takes
        self.ws.HeaderFooter.oddFooter.center.text = "&P / &N"
        self.rows = 0
        self.header_row = None
        self.append([xlsx_text_cell(self.ws, SOURCE, font=SOURCE_FONT)])

    def append(self, values) -> int:
        self.ws.append(values)
        self.rows += 1
        return self.rows

    def header(self, names, *, first_title_row=None) -> int:
        """Append the header row; it and the rows from *first_title_row* on are printed on every page."""
        self.header_row = self.append([xlsx_text_cell(self.ws, name, font=BOLD, alignment=HEADER) for name in names])
        self.columns = len(names)
        self.ws.print_title_rows = f"{first_title_row or self.header_row}:{self.header_row}"
        return self.header_row

    def chart(self, chart, *, gap=2):
        """Place *chart* below the rows written so far, starting a printed page so that it is never split."""
        row = self.rows + gap
        self.ws.row_breaks.append(Break(id=row - 1))
        self.ws.add_chart(chart, f"B{row}")

    def row(self, values, formats=()) -> int:
        formats = dict(formats)
        return self.append([value_cell(self.ws, value, formats.get(index)) for index, value in enumerate(values)])

    def filter(self, last_row=None):
        """Make the header filterable over the data rows (up to *last_row*)."""
        last = get_column_letter(self.columns)
        self.ws.auto_filter.ref = f"A{self.header_row}:{last}{max(last_row or self.rows, self.header_row)}"


def short_label(label: str) -> str:
    """Return "Model 3" for "Model 3: Udvalgte opgaver …" and "Anden model" for "Anden model (fx …)"."""
    return label.split(":")[0].split(" (")[0][:30]


# --- Sheets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerColumn:
    """A column of `Svar` after the first ones: a question, or one choice of a multiple-choice question."""

    question: Question
    choice: Choice | None = None

    @property
    def code(self) -> str:
        return f"{self.question.code}/{self.choice.code}" if self.choice else self.question.code

    @property
    def header(self) -> str:
        return f"{self.question.label}: {self.choice.label}" if self.choice else self.question.label


def _answer_columns(questions) -> list[AnswerColumn]:
    """Return the columns of `Svar` after the first ones, leaving out personal answers."""
    columns = []
    for question in questions:
        if question.code in PERSONAL_QUESTIONS:
            continue
        if question.kind == QuestionKind.MULTI:
            columns += [AnswerColumn(question, choice) for choice in question.choices.all()]
        else:
            columns.append(AnswerColumn(question))
    return columns


def _library_columns(codes: bool) -> list[tuple[str, str, dict | None]]:
    """Return (code, header, {stored value: cell value} or None) for the library columns of `Svar`."""
    kinds = None if codes else {value: capfirst(str(label)) for value, label in LibraryKind.choices}
    regions = None if codes else {value: str(label) for value, label in Region.choices}
    return [
        ("bibliotek", _("Library"), None),
        ("type", _("Kind"), kinds),
        ("kommune", _("Municipality"), None),
        ("kommunekode", _("Municipality code"), None),
        ("region", _("Region"), regions),
        ("indsendt", _("Submitted"), None),
    ]


def answer_rows(round: Round, filters: Filters, columns, *, codes: bool = False, ws=None) -> Iterator[list]:
    """Yield the values of `Svar`, a list per submitted response, streamed from the database.

    With *codes*, choices are written as their codes and the choices of a multiple-choice
    question as 1/0; otherwise as people read them: labels, and Ja/Nej.
    """
    library_columns = _library_columns(codes)
    yes, no = (1, 0) if codes else (_("Yes"), _("No"))
    # Each question's part of a row: its answer as written, or the written choices of a multiple-choice question.
    parts = []
    for column in columns:
        question = column.question
        if column.choice is None:
            labels = None if codes or not question.has_choices else _labels(ws, question)
            parts.append((question.code, labels))
        elif parts and parts[-1][0] == question.code:
            parts[-1][1].append(column.choice.code)
        else:
            parts.append((question.code, [column.choice.code]))
    for row in response_rows(round, filters):
        library = (row.library, row.kind, row.municipality, row.municipality_code, row.region, row.submitted_at)
        values = [
            mapping[value] if mapping else value
            for value, (_c, _h, mapping) in zip(library, library_columns, strict=True)
        ]
        for code, part in parts:
            answer = row.answers.get(code)
            if isinstance(part, list):
                # Empty where the question was not answered (or not shown), yes/no where it was.
                values += [None] * len(part) if answer is None else [yes if choice in answer else no for choice in part]
            elif part is not None and answer is not None:
                values.append(part[answer])
            else:
                values.append(answer)
        yield values


def _labels(ws, question) -> dict:
    """Return {choice code: its label as a cell value}: a text cell where Excel could take the label for a formula."""
    return {choice.code: value_cell(ws, choice.label) for choice in question.choices.all()}


def _answers_sheet(workbook, round: Round, filters: Filters, questions, *, codes: bool):
    columns = _answer_columns(questions)
    library_columns = _library_columns(codes)
    widths = [32, 16, 18, 12, 20, 17] + [
        40 if column.question.kind in TEXT_KINDS else (14 if codes else 22) for column in columns
    ]
    sheet = Sheet(workbook, ANSWERS, widths, freeze="B4")
    # The codes name the columns for analysts, the same in every round; the texts are for people.
    ws = sheet.ws
    codes_row = sheet.append(
        [xlsx_text_cell(ws, code, font=CODE_FONT) for code, _h, _m in library_columns]
        + [xlsx_text_cell(ws, column.code, font=CODE_FONT) for column in columns]
    )
    sheet.header(
        [str(header) for _c, header, _m in library_columns] + [column.header for column in columns],
        first_title_row=codes_row,
    )
    # Most columns hold numbers, yes/no, choice codes or labels, prepared once per choice.
    # Only what people typed (library names, text answers) goes through the writer rule cell by cell.
    typed_library_columns = {"bibliotek", "kommune"}
    kinds = [code in typed_library_columns for code, _h, _m in library_columns] + [
        column.question.kind in TEXT_KINDS for column in columns
    ]
    typed = [index for index, typed_by_people in enumerate(kinds) if typed_by_people]
    submitted = [code for code, _h, _m in library_columns].index("indsendt")
    # Excel has no time zones: the time as read in Denmark. The zone is looked up once, not per row.
    here = timezone.get_current_timezone()
    for values in answer_rows(round, filters, columns, codes=codes, ws=ws):
        for index in typed:
            if values[index] is not None:
                values[index] = xlsx_value(ws, values[index])
        if values[submitted] is not None:
            values[submitted] = values[submitted].astimezone(here).replace(tzinfo=None)
        sheet.append(values)
    sheet.filter()


def _counts_sheet(workbook, results: Results):
    sheet = Sheet(workbook, COUNTS, [18, 60, 22, 60, 10, 10, 14])
    sheet.header(
        [_("Question code"), _("Question"), _("Choice code"), _("Choice"), _("Count"), _("Percent"), _("Answered")]
    )
    for question in results.questions:
        for choice in question.choices:
            sheet.row(
                [
                    question.code,
                    question.label,
                    choice.code,
                    choice.label,
                    choice.count,
                    choice.share,
                    question.answered,
                ],
                formats={5: PERCENT},
            )
    sheet.filter()


def _models_sheet(workbook, results: Results):
    adoption = results.model_adoption
    regions = adoption.regions
    widths = [12, 14, 60] + [18] * len(regions) + [12, 16, 16]
    sheet = Sheet(workbook, MODELS, widths)
    region_names = [str(region.label) for region in regions]
    first_region_column = 4
    header = sheet.header(
        [
            _("Model code"),
            _("Model"),
            _("Description"),
            *region_names,
            _("All"),
            _("Share of libraries with activities"),
            _("Share of all responses"),
        ]
    )
    n = len(regions)
    for model, cells in adoption.rows:
        sheet.row(
            [
                model.code,
                short_label(model.label),
                model.label,
                *(cell.count for cell in cells),
                model.count,
                model.share_of_active,
                model.share_of_all,
            ],
            formats={3 + n + 1: PERCENT, 3 + n + 2: PERCENT},
        )
    last_model_row = sheet.rows
    sheet.row(["", _("With activities"), "", *(region.active for region in regions), adoption.active])
    sheet.row(["", _("Responses"), "", *(region.responses for region in regions), adoption.responses])
    sheet.append([])
    sheet.append([xlsx_text_cell(sheet.ws, _("Share of libraries with activities, by region"), font=BOLD)])
    sheet.append(
        [
            xlsx_text_cell(sheet.ws, name, font=BOLD)
            for name in [_("Model code"), _("Model"), _("Description"), *region_names]
        ]
    )
    for model, cells in adoption.rows:
        sheet.row(
            [model.code, short_label(model.label), model.label, *(cell.share_of_active for cell in cells)],
            formats={3 + index: PERCENT for index in range(n)},
        )
    sheet.filter(last_model_row)

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = _("Libraries per cooperation model and region")
    chart.y_axis.title = _("Libraries")
    chart.x_axis.title = _("Model")
    # openpyxl 3.1 marks axes deleted unless told; Excel then hides their labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(
        sheet.ws,
        min_col=first_region_column,
        max_col=first_region_column + n - 1,
        min_row=header,
        max_row=last_model_row,
    )
    chart.add_data(data, titles_from_data=True)
    # The categories are text ("Model 1" …): refer to them as strings, which openpyxl does not do by itself.
    categories = Reference(sheet.ws, min_col=2, min_row=header + 1, max_row=last_model_row)
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    chart.width, chart.height = 26, 12
    sheet.chart(chart)


def bar_chart(sheet: Sheet, title: str, *, label_column: int, value_column: int, first_row: int, last_row: int):
    """Return a native bar chart of the values in *value_column* against the labels in *label_column*."""
    chart = BarChart()
    chart.type = "bar"  # horizontal: long labels stay readable
    chart.title = title
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # the first row on top
    chart.add_data(Reference(sheet.ws, min_col=value_column, min_row=first_row, max_row=last_row))
    categories = Reference(sheet.ws, min_col=label_column, min_row=first_row, max_row=last_row)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(categories)))
    # Short enough for a landscape page, whatever the number of bars.
    chart.width, chart.height = 24, min(14, max(8, 0.6 * (last_row - first_row + 1) + 3))
    return chart


def _ranked_sheet(workbook, title: str, tally, *, names: tuple[str, str], chart_title: str):
    """A sheet of the choices of *tally*, most often chosen first, with a bar chart of them."""
    sheet = Sheet(workbook, title, [11, 50, 12, 16, 24])
    sheet.header([_("Rank"), names[0], _("Libraries"), _("Share of those who answered"), names[1]])
    if tally is None:
        return
    for rank, choice in enumerate(tally.ranked, 1):
        sheet.row([rank, choice.label, choice.count, choice.share, choice.code], formats={3: PERCENT})
    last = sheet.rows
    sheet.append([])
    answered = ngettext(
        "%(count)d library answered the question.", "%(count)d libraries answered the question.", tally.answered
    ) % {"count": tally.answered}
    sheet.append([xlsx_text_cell(sheet.ws, answered)])
    sheet.filter(last)
    if tally.choices:
        first = sheet.header_row + 1
        sheet.chart(bar_chart(sheet, chart_title, label_column=2, value_column=3, first_row=first, last_row=last))


def _services_sheet(workbook, results: Results):
    _ranked_sheet(
        workbook,
        SERVICES,
        results.services,
        names=(_("Service"), _("Service code")),
        chart_title=_("Libraries offering each service"),
    )


def _challenges_sheet(workbook, results: Results):
    _ranked_sheet(
        workbook,
        CHALLENGES_SHEET,
        results.challenges,
        names=(_("Challenge"), _("Challenge code")),
        chart_title=_("Dilemmas and challenges, as the libraries rank them"),
    )


def _overview_sheet(workbook, results: Results):
    """The headline split, as the seed opens with it (45 % with activities, 55 % not started)."""
    sheet = Sheet(workbook, OVERVIEW, [44, 14, 18])
    headline = results.headline
    sheet.header([_("Libraries"), _("Count"), _("Share of responses")])
    first = sheet.row(
        [_("With borgerservice activities"), headline.active, headline.share_active], formats={2: PERCENT}
    )
    last = sheet.row([_("Not started yet"), headline.not_started, headline.share_not_started], formats={2: PERCENT})
    sheet.row([_("Responses"), headline.responses, None])
    sheet.row([_("Invited libraries"), headline.invited, None])
    sheet.row([_("Response rate"), None, headline.response_rate], formats={2: PERCENT})
    sheet.filter(last)
    chart = PieChart()
    chart.title = _("Libraries with borgerservice activities and libraries that have not started")
    chart.add_data(Reference(sheet.ws, min_col=2, min_row=first, max_row=last))
    categories = Reference(sheet.ws, min_col=1, min_row=first, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(categories)))
    chart.dataLabels = DataLabelList(
        showPercent=True, showVal=False, showCatName=False, showSerName=False, showLegendKey=False
    )
    chart.width, chart.height = 16, 9
    if headline.responses:
        sheet.chart(chart)


def _crosstab_sheet(workbook, crosstab):
    """The cross-table chosen on the results page: counts, then each row's shares."""
    columns = [str(label) for _code, label in crosstab.columns]
    sheet = Sheet(workbook, CROSSTAB, [50] + [16] * (len(columns) + 1), freeze="A4")
    sheet.append([xlsx_text_cell(sheet.ws, f"{crosstab.label} – {crosstab.by_label}", font=BOLD)])
    sheet.header([_("Answer"), *columns, _("All")])
    for row in crosstab.rows:
        sheet.row([row.label, *(cell.count for cell in row.cells), row.total])
    last = sheet.row([_("All"), *crosstab.column_totals, crosstab.total])
    sheet.filter(last)
    sheet.append([])
    sheet.append([xlsx_text_cell(sheet.ws, _("Share of the row"), font=BOLD)])
    for row in crosstab.rows:
        sheet.row(
            [row.label, *(cell.share for cell in row.cells)],
            formats=dict.fromkeys(range(1, len(columns) + 1), PERCENT),
        )
    if crosstab.overlapping:
        sheet.append([])
        note = _("A library may be in several columns, so a row's shares may add up to more than 100%.")
        sheet.append([xlsx_text_cell(sheet.ws, note)])


def _economy_sheet(workbook, results: Results):
    sheet = Sheet(workbook, ECONOMY, [20, 50, 20, 36, 16, 10])
    sheet.header([_("Question code"), _("Question"), _("Code"), _("Figure"), _("Value"), _("Share")])
    resources = results.resources
    question = RESOURCES
    label = resources.label
    figures = (
        ("answered", _("Libraries that gave a figure"), resources.answered, None),
        ("lowest", _("Lowest"), resources.lowest, KRONER),
        ("median", _("Median"), resources.median, KRONER),
        ("highest", _("Highest"), resources.highest, KRONER),
        ("total", _("Sum"), resources.total, KRONER),
    )
    for code, name, value, number_format in figures:
        sheet.row([question, label, code, name, value], formats={4: number_format} if number_format else {})
    if resources.withheld:
        sheet.append([xlsx_text_cell(sheet.ws, resources.withheld_note)])
    for tally in (results.question(DEVELOPMENT_FUNDS), results.question(FUNDS_USED_FOR)):
        if tally is None:
            continue
        for choice in tally.choices:
            sheet.row(
                [tally.code, tally.label, choice.code, choice.label, choice.count, choice.share], formats={5: PERCENT}
            )
    sheet.filter()


def _quotes_sheet(workbook, results: Results):
    sheet = Sheet(workbook, QUOTES, [80, 24, 26, 30, 22, 16, 40])
    sheet.header(
        [_("Quote"), _("Name"), _("Title"), _("Library or municipality"), _("Region"), _("Source"), _("Theme")]
    )
    # Questionnaire and interview quotes by theme, as results.quotes files them.
    for theme in round_quotes(results).with_quotes:
        for quote in theme.quotes:
            # Anonymous quotes carry no name, title or place; a questionnaire's, the region only.
            sheet.append(
                [
                    xlsx_text_cell(sheet.ws, quote.text, alignment=WRAP),
                    value_cell(sheet.ws, quote.name or None),
                    value_cell(sheet.ws, quote.title or None),
                    value_cell(sheet.ws, quote.place or None),
                    value_cell(sheet.ws, quote.region_label or None),
                    value_cell(sheet.ws, quote.source_label),
                    value_cell(sheet.ws, theme.label),
                ]
            )
    sheet.filter()


def _about_sheet(workbook, results: Results):
    sheet = Sheet(workbook, ABOUT, [28, 90], freeze="A2")
    round_ = results.round
    headline = results.headline
    rows = (
        (_("Survey round"), round_.title),
        (_("Round code"), round_.slug),
        (_("Questionnaire"), str(round_.questionnaire)),
        (_("Region"), str(results.filters.region_label)),
        (_("Library kind"), str(results.filters.kind_label)),
        (_("Made"), results.made_at),
        (_("Invited libraries"), headline.invited),
        (_("Submitted responses"), headline.responses),
        (_("Counted"), _("Submitted responses only; drafts are never counted.")),
        (_("Percentages"), _("Shares of the libraries that answered the question, unless the column says otherwise.")),
        (
            _("Left out"),
            _(
                "The contact person's name, title, e-mail and phone and the quotes are not in %(answers)s; "
                "quotes are in %(quotes)s, as their authors allowed."
            )
            % {"answers": ANSWERS, "quotes": QUOTES},
        ),
    )
    for name, value in rows:
        sheet.append([xlsx_text_cell(sheet.ws, name, font=BOLD), value_cell(sheet.ws, value)])


def build_workbook(
    round: Round, filters: Filters, *, codes: bool = False, cross: dict | None = None, compare: str = ""
) -> Workbook:
    """Return the write-only workbook of *round* under *filters*, ready to save.

    With *codes*, `Svar` holds choice codes and 1/0 rather than labels and Ja/Nej. *cross*
    ({"question": code, "by": …}, as the results page chooses it) adds that cross-table. With
    *compare* (an earlier round's slug), `Sammenligning` sets the round beside that one;
    `Ændringer` lists what changed in the questionnaire since the previous round's version.
    """
    questions = round_questions(round)
    # The database counts on a connection of its own while the answers are written.
    tallies = alongside(round_results, round, filters, with_map=False, questions=questions)
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{round.title} – {SOURCE}"
    workbook.properties.creator = "Danmarks Biblioteksforening"
    _answers_sheet(workbook, round, filters, questions, codes=codes)
    results = tallies()
    _overview_sheet(workbook, results)
    workbook.move_sheet(OVERVIEW, -1)  # the overview opens the workbook
    _counts_sheet(workbook, results)
    _models_sheet(workbook, results)
    _services_sheet(workbook, results)
    _challenges_sheet(workbook, results)
    if cross:
        _crosstab_sheet(workbook, cross_table(round, **cross, filters=filters, questions=questions))
    _economy_sheet(workbook, results)
    _quotes_sheet(workbook, results)
    _comparison_sheet(workbook, chosen_comparison(results, compare, with_map=False))
    _changes_sheet(workbook, round)
    _about_sheet(workbook, results)
    return workbook


def workbook_write(
    *, round: Round, filters: Filters, handle, codes: bool = False, cross: dict | None = None, compare: str = ""
) -> None:
    """Write the results workbook of *round* under *filters* to *handle* (a path or a binary file).

    Every sheet is read from the same snapshot, so the answers and the tallies agree.
    """
    with snapshot():
        build_workbook(round, filters, codes=codes, cross=cross, compare=compare).save(handle)


def workbook_filename(round: Round, filters: Filters, *, codes: bool = False) -> str:
    """Return the download name, e.g. ``borgerservice-2009-hovedstaden.xlsx`` (``…-koder.xlsx`` with codes)."""
    parts = ["borgerservice", round.slug, filters.region, filters.kind, "koder" if codes else ""]
    return "-".join(part for part in parts if part) + ".xlsx"


# --- Two rounds side by side, and two questionnaire versions -----------------------------


def _comparison_sheet(workbook, comparison: Comparison | None):
    """`Sammenligning`: each figure in both rounds and its change (percentage points for shares)."""
    if comparison is None:
        return
    earlier, current = comparison.earlier.round, comparison.current.round
    sheet = Sheet(workbook, COMPARISON, [30, 22, 60, 16, 16, 16, 30])
    sheet.header(
        [_("Subject"), _("Code"), _("Figure"), earlier.title, current.title, _("Change between the rounds"), _("Note")]
    )
    for table in comparison.tables:
        for figure in table.figures:
            fmt = {"share": PERCENT, "kroner": KRONER}.get(figure.unit)
            note = ""
            if figure.only == "earlier":
                note = _("Only in %(round)s") % {"round": earlier.title}
            elif figure.only == "current":
                note = _("Only in %(round)s") % {"round": current.title}
            change = figure.change
            change_format = '+0.0" pp";-0.0" pp";0.0" pp"' if figure.unit == "share" else fmt
            sheet.row(
                [table.title, figure.code, figure.label, figure.earlier, figure.current, change, note],
                formats={3: fmt, 4: fmt, 5: change_format} if fmt else {},
            )
    sheet.filter()
    reference = PUBLISHED_2009
    sheet.append([])
    sheet.append(
        [
            xlsx_text_cell(
                sheet.ws, _("For reference: the %(year)d survey as published") % {"year": reference.year}, font=BOLD
            ),
        ]
    )
    sheet.row([_("With borgerservice activities"), "", "", reference.share_active], formats={3: PERCENT})
    sheet.row([_("Not started yet"), "", "", reference.share_not_started], formats={3: PERCENT})
    sheet.append([xlsx_text_cell(sheet.ws, reference.source, font=SOURCE_FONT)])


def _changes_sheet(workbook, round: Round):
    """`Ændringer`: what changed in the questionnaire since the version of the previous round, if it differs."""
    previous = (
        Round.objects.real()
        .filter(opens_at__lt=round.opens_at, questionnaire__code=round.questionnaire.code)
        .exclude(pk=round.pk)
        .select_related("questionnaire")
        .order_by("-opens_at")
        .first()
    )
    if previous is None or previous.questionnaire_id == round.questionnaire_id:
        return
    sheet = Sheet(workbook, CHANGES, [30, 24, 60, 50, 50])
    sheet.header([_("Kind of change"), _("Code"), _("Concerns"), str(previous.questionnaire), str(round.questionnaire)])
    for change in versions_diff(previous.questionnaire, round.questionnaire):
        sheet.row([change.description, change.code, change.label, change.before or None, change.after or None])
    sheet.filter()
