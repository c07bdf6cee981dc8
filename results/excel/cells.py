"""The workbook's shared parts: the sheets' names, the cell formats, a value as a cell, and a sheet.

Respondent text is data: every string is written as a text cell, never a formula (the writer
rule of questionnaire.spreadsheets), so it stays text even when someone edits the cell.
"""

import textwrap

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import cm_to_EMU
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from questionnaire.spreadsheets import xlsx_text_cell, xlsx_value

from ..tallies import SOURCE

# Sheets added by the comparison of rounds and of questionnaire versions (results.excel.summary).
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
# A chart stands this far right of its table, in columns this wide (in characters, as the table's).
CHART_GAP_CM, CHART_COLUMN_WIDTH = 0.3, 10
LINE_POINTS = 15  # a row's height: a line of Calibri 11
EMU_PER_POINT = 12700


def value_cell(ws, value, number_format=None):
    """Return *value* for a row: text as text, times as Excel dates, numbers with *number_format*.

    Plain values are returned where openpyxl stores them right by itself (it reuses one
    cell for those, which matters when a sheet has millions of cells).
    """
    if value is None or isinstance(value, Cell):  # a cell made ready, e.g. with its text wrapped
        return value
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

    Every sheet prints in landscape on A4 with gridlines, its header rows on every page, and the
    sheet's name, the source and "Side 1 af 3" in the margins. A sheet is fitted to the page's
    width, unless given a *scale* (in %): then it prints at that size across as many pages as it
    takes, with *title_columns* (e.g. ``"A:C"``) on every page. A sheet with a chart gives it
    *chart_columns* columns beside the table (see `chart`).
    """

    def __init__(
        self, workbook: Workbook, title: str, widths, *, freeze="A3", scale=None, title_columns=None, chart_columns=0
    ):
        self.ws = workbook.create_sheet(title)
        self.widths = list(widths)
        self.chart_columns = chart_columns
        # Widths, panes and the fit to page must be set before the first row: write-only sheets write them first.
        # The chart's columns are sized too, so that the chart ends with the last of them, in any spreadsheet.
        for index, width in enumerate(self.widths + [CHART_COLUMN_WIDTH] * chart_columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = freeze
        self.ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=scale is None)
        page = self.ws.page_setup
        page.orientation = "landscape"
        page.paperSize = Worksheet.PAPERSIZE_A4
        if scale is None:
            page.fitToWidth = 1
            page.fitToHeight = 0  # as many pages down as it takes
        else:
            page.scale = scale
            # A band of rows across all its pages, then the next band: each page reads on from the last.
            page.pageOrder = "overThenDown"
        if title_columns:
            self.ws.print_title_cols = title_columns
        self.ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3, footer=0.3)
        self.ws.print_options.gridLines = True
        # "&" starts a code in the margins' text; "&&" is the character itself.
        self.ws.oddHeader.center.text = "&A"  # the sheet's name
        self.ws.oddFooter.left.text = SOURCE.replace("&", "&&")
        self.ws.oddFooter.right.text = _("Page %(page)s of %(pages)s") % {"page": "&P", "pages": "&N"}
        self.rows = 0
        self.header_row = None
        self.lines = 1  # of the next row: a wrapped cell asks for more
        self.heights = {}  # row: points, where not LINE_POINTS
        self.append([xlsx_text_cell(self.ws, SOURCE, font=SOURCE_FONT)])

    def append(self, values) -> int:
        # Wrapped text needs its row made taller by hand: spreadsheets do not size rows they open.
        # Write-only sheets take a row's height before the row.
        if self.lines > 1:
            self.heights[self.rows + 1] = self.ws.row_dimensions[self.rows + 1].height = LINE_POINTS * self.lines
        self.lines = 1
        self.ws.append(values)
        self.rows += 1
        return self.rows

    def wrapped(self, text: str, column: int, *, alignment=WRAP, font=None):
        """Return *text* as a text cell wrapped in *column* (1-based), its row made tall enough for it."""
        self.lines = max(self.lines, wrapped_lines(text, self._width(column), bold=bool(font and font.b)))
        return xlsx_text_cell(self.ws, text, alignment=alignment, font=font)

    def _width(self, column: int) -> float:
        return self.widths[column - 1] if column <= len(self.widths) else 8.43  # a column nobody sized

    def header(self, names, *, first_title_row=None) -> int:
        """Append the header row; it and the rows from *first_title_row* on are printed on every page."""
        self.header_row = self.append(
            [self.wrapped(name, index, alignment=HEADER, font=BOLD) for index, name in enumerate(names, 1)]
        )
        self.columns = len(names)
        self.ws.print_title_rows = f"{first_title_row or self.header_row}:{self.header_row}"
        return self.header_row

    def chart(self, chart):
        """Place *chart* beside the table, level with its header, and print the two together on one page.

        The chart fills the sheet's chart columns, just right of the table's last column, and is
        *chart.height* tall. Call it last: the printed area ends with the rows written so far or
        with the chart, whichever is lower.
        """
        first = len(self.widths)  # zero-based: the column after the table's last
        last = first + self.chart_columns
        bottom, offset = self._row_at(self.header_row, chart.height / 2.54 * 72)
        chart.anchor = TwoCellAnchor(
            editAs="oneCell",  # the chart keeps its size when rows or columns are resized
            _from=AnchorMarker(col=first, colOff=cm_to_EMU(CHART_GAP_CM), row=self.header_row - 1),
            to=AnchorMarker(col=last, row=bottom - 1, rowOff=round(offset * EMU_PER_POINT)),
        )
        self.ws.add_chart(chart)
        self.ws.print_area = f"A1:{get_column_letter(last)}{max(self.rows, bottom)}"
        self.ws.page_setup.fitToHeight = 1  # one page: the table and its chart side by side

    def _row_at(self, row: int, points: float) -> tuple[int, float]:
        """Return the row *points* below the top of *row*, and how far down into it."""
        while points > self.heights.get(row, LINE_POINTS):
            points -= self.heights.get(row, LINE_POINTS)
            row += 1
        return row, points

    def row(self, values, formats=()) -> int:
        formats = dict(formats)
        return self.append([value_cell(self.ws, value, formats.get(index)) for index, value in enumerate(values)])

    def filter(self, last_row=None):
        """Make the header filterable over the data rows (up to *last_row*)."""
        last = get_column_letter(self.columns)
        self.ws.auto_filter.ref = f"A{self.header_row}:{last}{max(last_row or self.rows, self.header_row)}"


def wrapped_lines(text: str, width: float, *, bold=False) -> int:
    """Return how many lines *text* takes wrapped in a column *width* characters wide (at most 12)."""
    # A column's width counts digits; a line of words holds somewhat more letters, bold somewhat fewer.
    characters = max(1, int(width * (0.85 if bold else 1.15)) - 1)
    return min(12, max(1, len(textwrap.wrap(str(text), characters))))


def short_label(label: str) -> str:
    """Return "Model 3" for "Model 3: Udvalgte opgaver …" and "Anden model" for "Anden model (fx …)"."""
    return label.split(":")[0].split(" (")[0][:30]
