"""One writer rule for every spreadsheet the app produces: text is data, never a formula.

A library's name or a contact person typed by a library reaches files that DB staff
open in Excel. Every text value written to such a file goes through this module:

- control characters are removed (``text.text_clean``): XML cannot hold them, and one
  library's text must not break an export for everybody;
- in a workbook (openpyxl, write-only), text is a text cell; text Excel would read as a
  formula (``=``, ``+``, ``-``, ``@``, tab, line break first) also gets Excel's quote prefix,
  so it stays text when someone edits the cell;
- in a CSV file, such text is prefixed with ``'``, as OWASP's CSV injection guidance says;
  ``csv_value_read`` takes the prefix off again, so an exported file imports unchanged.

Numbers, dates and None are written as they are.

And one reader rule for every workbook staff upload (the register, the questionnaire): it is
read within limits checked before the work they guard (``WorkbookLimits``): the file's size, what
its members declare they unpack to (checked before anything is unpacked: zipfile never reads past
a member's declared size), the columns read of each row and the rows read of each sheet (a
sheet's declared dimensions are ignored). A small file that inflates or declares a huge sheet
costs nothing.
"""

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell

from .text import text_clean

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_QUOTE = "'"


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def xlsx_text_cell(sheet, value, *, font=None, alignment=None) -> WriteOnlyCell:
    """Return a cell of the write-only *sheet* that holds *value* as text, never as a formula."""
    value = text_clean(str(value))
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl takes a string starting with "=" for a formula
    if looks_like_formula(value):
        cell.quotePrefix = True
    if font:
        cell.font = font
    if alignment:
        cell.alignment = alignment
    return cell


def xlsx_value(sheet, value):
    """Return *value* for a row of the write-only *sheet*: text as text, never a formula; others as they are."""
    if not isinstance(value, str):
        return value
    value = text_clean(value)
    # openpyxl stores any other string as text by itself, in a cell it reuses (which matters
    # when a sheet has millions of cells); a formula-looking one gets a text cell of its own.
    return xlsx_text_cell(sheet, value) if looks_like_formula(value) else value


def xlsx_row(sheet, values) -> list:
    """Return *values* as a row for ``sheet.append``, each by ``xlsx_value``."""
    return [xlsx_value(sheet, value) for value in values]


def csv_value(value):
    """Return *value* for a CSV row: text without control characters, a formula-looking one quoted."""
    if not isinstance(value, str):
        return value
    value = text_clean(value)
    return CSV_QUOTE + value if looks_like_formula(value) else value


def csv_row(values) -> list:
    """Return *values* as a row for ``csv.writer.writerow``, each by ``csv_value``."""
    return [csv_value(value) for value in values]


def csv_value_read(text: str) -> str:
    """Return a CSV field as it was before ``csv_value`` quoted it."""
    if text.startswith(CSV_QUOTE) and looks_like_formula(text[1:]):
        return text[1:]
    return text


# --- Reading an uploaded workbook -------------------------------------------------------


class SpreadsheetRefused(ValueError):
    """An uploaded spreadsheet is past a limit or cannot be read; the message says so in Danish."""

    def __init__(self, message: str, *, unreadable: bool = False):
        super().__init__(message)
        self.unreadable = unreadable  # not a workbook at all, rather than one past a limit


@dataclass(frozen=True)
class WorkbookLimits:
    upload_bytes: int
    inflated_bytes: int
    rows: int
    columns: int


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def upload_size_check(size: int, limits: WorkbookLimits) -> None:
    """Raise SpreadsheetRefused if a file of *size* bytes is larger than *limits* take."""
    if size > limits.upload_bytes:
        raise SpreadsheetRefused(
            _("The file is larger than %(limit)s MB.") % {"limit": _megabytes(limits.upload_bytes)}
        )


def workbook_open(data: bytes, limits: WorkbookLimits):
    """Return the read-only workbook in *data*, after checking its size and what it unpacks to."""
    upload_size_check(len(data), limits)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as error:
        raise SpreadsheetRefused(_("The file cannot be read as Excel (%s).") % error, unreadable=True) from error
    if sum(member.file_size for member in members) > limits.inflated_bytes:
        raise SpreadsheetRefused(
            _("The workbook unpacks to more than %(limit)s MB.") % {"limit": _megabytes(limits.inflated_bytes)}
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetRefused(_("The file cannot be read as Excel (%s).") % error, unreadable=True) from error


def sheet_rows(sheet, limits: WorkbookLimits):
    """Yield the values of *sheet*'s rows, the first ``limits.columns`` of each; refuse one row past the limit."""
    sheet.reset_dimensions()  # the declared size may be anything: read the rows that are there
    for number, row in enumerate(sheet.iter_rows(max_col=limits.columns, values_only=True), 1):
        if number > limits.rows:
            raise SpreadsheetRefused(_("The file has more than %(limit)d rows.") % {"limit": limits.rows})
        yield row
