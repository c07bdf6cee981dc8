"""The workbook's shared parts: the sheets' names, the cell formats, a value as a cell, and a sheet.

Respondent text is data: every string is written as a text cell, never a formula (the writer
rule of questionnaire.spreadsheets), so it stays text even when someone edits the cell.
"""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
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
