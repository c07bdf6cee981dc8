"""The workbook's sheets of figures, each with its native chart where it has one, and the comparisons.

`Overblik` (the headline, a pie), `Optælling` (every choice), `Modeller` (models by region, a
column chart), `Ydelser` and `Udfordringer` (ranked, bar charts), `Krydstabel`, `Økonomi`,
`Citater`, `Kilde`; `Sammenligning` (a round beside an earlier one) and `Ændringer` (what
changed in the questionnaire since the previous round's version).
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList

from questionnaire.codes import DEVELOPMENT_FUNDS, FUNDS_USED_FOR, RESOURCES
from questionnaire.models import Round
from questionnaire.services.authoring import versions_diff
from questionnaire.spreadsheets import xlsx_text_cell

from ..comparison import PUBLISHED_2009, Comparison
from ..quotes import round_quotes
from ..tallies import Results
from .cells import (
    ABOUT,
    ANSWERS,
    BOLD,
    CHALLENGES_SHEET,
    CHANGES,
    COMPARISON,
    COUNTS,
    CROSSTAB,
    ECONOMY,
    KRONER,
    MODELS,
    OVERVIEW,
    PERCENT,
    QUOTES,
    SERVICES,
    SOURCE_FONT,
    WRAP,
    Sheet,
    short_label,
    value_cell,
)


def counts_sheet(workbook, results: Results):
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


def models_sheet(workbook, results: Results):
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


def services_sheet(workbook, results: Results):
    _ranked_sheet(
        workbook,
        SERVICES,
        results.services,
        names=(_("Service"), _("Service code")),
        chart_title=_("Libraries offering each service"),
    )


def challenges_sheet(workbook, results: Results):
    _ranked_sheet(
        workbook,
        CHALLENGES_SHEET,
        results.challenges,
        names=(_("Challenge"), _("Challenge code")),
        chart_title=_("Dilemmas and challenges, as the libraries rank them"),
    )


def overview_sheet(workbook, results: Results):
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


def crosstab_sheet(workbook, crosstab):
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


def economy_sheet(workbook, results: Results):
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


def quotes_sheet(workbook, results: Results):
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


def about_sheet(workbook, results: Results):
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


# --- Two rounds side by side, and two questionnaire versions -----------------------------


def comparison_sheet(workbook, comparison: Comparison | None):
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


def changes_sheet(workbook, round: Round):
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
