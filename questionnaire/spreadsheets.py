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
"""

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
