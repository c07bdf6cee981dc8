"""The register of libraries as a spreadsheet: export, and import all or nothing.

The layout is fixed and Danish, because DB staff keep the register in Excel:
``kommunekode, kommune, region, navn, type, email`` with type one of
hovedbibliotek, filial, bogbus. The municipality is found by its code; the
municipality name and region are there for people and are not read back. A
library is the same library when municipality and name are the same, so importing
a file twice changes nothing the second time.

An import checks every row before it writes anything: one bad row rejects the
whole file, with every problem listed by row number and value.
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..models import Library, LibraryKind, Municipality, Region
from ..spreadsheets import (
    SpreadsheetRefused,
    WorkbookLimits,
    csv_row,
    csv_value_read,
    sheet_rows,
    upload_size_check,
    workbook_open,
    xlsx_row,
)
from ..text import text_clean, validate_mail_address

HEADER = ("kommunekode", "kommune", "region", "navn", "type", "email")
# The columns an import needs; kommune and region are for people only.
REQUIRED_COLUMNS = ("kommunekode", "navn", "type", "email")
KINDS = {kind.value for kind in LibraryKind}
NAME_MAX_LENGTH = Library._meta.get_field("name").max_length


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    value: str
    message: str

    def __str__(self):
        return _("Row %(row)s, %(column)s “%(value)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class RegisterImportError(Exception):
    """The file was rejected and nothing was changed; *problems* says why."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


# --- Export ----------------------------------------------------------------------------


def register_rows():
    """Yield one row per active library, in HEADER's order, by municipality code and name (one query)."""
    libraries = (
        Library.objects.active()
        .select_related("municipality")
        .order_by("municipality__code", "name")
        .values_list("municipality__code", "municipality__name", "municipality__region", "name", "kind", "email")
    )
    regions = dict(Region.choices)
    for code, municipality, region, name, kind, email in libraries:
        yield (code, municipality, str(regions.get(region, region)), name, kind, email)


def register_write_xlsx(handle) -> None:
    """Write the register to *handle* as an Excel workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Libraries"))
    sheet.append(HEADER)
    for row in register_rows():
        sheet.append(xlsx_row(sheet, row))
    workbook.save(handle)


# Danish Excel takes ";" for the list separator (the comma is the decimal sign): a file with
# semicolons and a UTF-8 byte order mark (written by the caller) opens in columns at a double-click.
CSV_DELIMITER = ";"


def register_write_csv(handle) -> None:
    """Write the register to *handle* (a text file, opened with encoding utf-8-sig) as CSV for Danish Excel."""
    writer = csv.writer(handle, delimiter=CSV_DELIMITER)
    writer.writerow(HEADER)
    writer.writerows(csv_row(row) for row in register_rows())


# --- Reading a file --------------------------------------------------------------------
#
# A file is judged by its content, not its name, and read within fixed limits (settings
# REGISTER_MAX_UPLOAD_BYTES, _INFLATED_BYTES, _ROWS, _COLUMNS): a workbook's declared
# sheet size is ignored, only the first columns are read, and reading stops at the row
# limit, so a small file that declares or inflates to a huge sheet costs nothing.

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: Excel 97-2003 (.xls)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", ";", "\t")


def _refused(message: str, row: int = 0) -> RegisterImportError:
    return RegisterImportError([RowProblem(row, "", "", message)])


def register_limits() -> WorkbookLimits:
    return WorkbookLimits(
        upload_bytes=settings.REGISTER_MAX_UPLOAD_BYTES,
        inflated_bytes=settings.REGISTER_MAX_INFLATED_BYTES,
        rows=settings.REGISTER_MAX_ROWS,
        columns=settings.REGISTER_MAX_COLUMNS,
    )


def register_upload_check(size: int) -> None:
    """Raise RegisterImportError if a file of *size* bytes is larger than an import takes."""
    try:
        upload_size_check(size, register_limits())
    except SpreadsheetRefused as refused:
        raise _refused(str(refused)) from refused


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores the code 101 as the number 101.0.
        value = int(value)
    return str(value).strip()


def _limited(rows) -> list[list[str]]:
    """Return the first REGISTER_MAX_COLUMNS cells of each row as text; refuse a file with too many rows."""
    limit, columns = settings.REGISTER_MAX_ROWS, settings.REGISTER_MAX_COLUMNS
    result = []
    for row in rows:
        if len(result) == limit:
            raise _refused(_("The file has more than %(limit)d rows; a register has far fewer.") % {"limit": limit})
        result.append([_cell_text(value) for value in row[:columns]])
    return result


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = workbook_open(data, register_limits())
    except SpreadsheetRefused as refused:
        raise _refused(str(refused)) from refused
    try:
        return _limited(sheet_rows(workbook.worksheets[0], register_limits()))
    except SpreadsheetRefused as refused:
        raise _refused(str(refused)) from refused
    except Exception as error:  # a damaged sheet shows only while its rows are read
        if isinstance(error, RegisterImportError):
            raise
        raise _refused(_("The file cannot be read as Excel (%s).") % error) from error
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        # Excel's "Unicode text" (.txt): UTF-16 with a byte order mark, tab-separated.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _refused(_("The file says it is UTF-16 text but is not.")) from error
    if b"\x00" in data:
        # No text file holds a NUL (nor can the database): an image, a document, or a damaged file.
        raise _refused(
            _(
                "The file contains NUL characters, so it is not a CSV text file. "
                "Save it from Excel as CSV or as an Excel workbook (.xlsx)."
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Danish Windows saves "CSV" as Windows-1252.
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    # The delimiter is the one the header row uses (it has five of them); quoting is Excel's.
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = max(DELIMITERS, key=header.count)
    # newline="": the csv module itself ends rows at \r\n, \n or a lone \r (old Mac Excel).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _limited(reader)
    except csv.Error as error:
        raise _refused(
            _(
                "The CSV file cannot be read at line %(line)d: a cell is too long, or a quotation mark is not "
                "closed (%(error)s)."
            )
            % {"line": reader.line_num, "error": error}
        ) from error
    return [[csv_value_read(cell) for cell in row] for row in rows]


def register_read(data: bytes, filename: str = "") -> list[tuple[int, dict]]:
    """Return the rows of an Excel or CSV file as [(row number, {column: text}), ...].

    Empty rows are skipped. Raise RegisterImportError if the file cannot be read,
    is too large, or its header lacks a column.
    """
    register_upload_check(len(data))
    if data.startswith(XLS_MAGIC):
        raise _refused(_("This is the old Excel format (.xls). Save it in Excel as an Excel workbook (.xlsx)."))
    is_xlsx = data.startswith(XLSX_MAGIC) or (filename.lower().endswith(".xlsx") and not data.startswith(UTF16_BOMS))
    rows = _read_xlsx(data) if is_xlsx else _read_csv(data)
    if not rows:
        raise RegisterImportError([RowProblem(1, "", "", _("The file is empty."))])
    header = [cell.lower() for cell in rows[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RegisterImportError(
            [
                RowProblem(
                    1,
                    _("header"),
                    ", ".join(cell for cell in rows[0] if cell),
                    _("The column(s) %(missing)s are missing; the header must be %(header)s.")
                    % {"missing": ", ".join(missing), "header": ", ".join(HEADER)},
                )
            ]
        )
    columns = {column: header.index(column) for column in HEADER if column in header}
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        records.append((number, {column: row[index] if index < len(row) else "" for column, index in columns.items()}))
    return records


# --- Import ----------------------------------------------------------------------------


def _municipality_code(text: str) -> str:
    # isascii: "²".isdigit() is true as well.
    return text.zfill(3) if text.isascii() and text.isdigit() else text


def register_check(records: list[tuple[int, dict]]) -> tuple[list[Library], list[RowProblem]]:
    """Return the libraries the rows describe (unsaved) and every problem found, in two queries."""
    municipalities = {municipality.code: municipality for municipality in Municipality.objects.all()}
    problems, libraries, seen = [], [], {}
    for number, record in records:
        row_problems = []
        # Invisible control characters are nobody's intent (text.py); a NUL never gets this far.
        record = {column: text_clean(value) for column, value in record.items()}
        code = _municipality_code(record["kommunekode"])
        municipality = municipalities.get(code)
        if municipality is None:
            message = _("Unknown municipality code.") if code else _("The municipality code is missing.")
            row_problems.append(RowProblem(number, "kommunekode", record["kommunekode"], message))
        name = " ".join(record["navn"].split())
        if not name:
            row_problems.append(RowProblem(number, "navn", record["navn"], _("The name is missing.")))
        elif len(name) > NAME_MAX_LENGTH:
            row_problems.append(
                RowProblem(number, "navn", name, _("The name is longer than %s characters.") % NAME_MAX_LENGTH)
            )
        kind = record["type"].lower()
        if kind not in KINDS:
            row_problems.append(
                RowProblem(
                    number,
                    "type",
                    record["type"],
                    _("Unknown type; use %(kinds)s.") % {"kinds": ", ".join(kind.value for kind in LibraryKind)},
                )
            )
        email = record["email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(RowProblem(number, "email", email, _("Not a valid e-mail address.")))
            else:
                try:
                    validate_mail_address(email)
                except ValidationError as error:
                    row_problems.append(RowProblem(number, "email", email, " ".join(error.messages)))
        if municipality and name:
            key = (municipality.code, name)
            if key in seen:
                row_problems.append(
                    RowProblem(number, "navn", name, _("The same library is also in row %s.") % seen[key])
                )
            seen.setdefault(key, number)
        problems += row_problems
        if not row_problems:
            libraries.append(Library(municipality=municipality, name=name, kind=kind, email=email, active=True))
    return libraries, problems


@transaction.atomic
def register_import(*, data: bytes, filename: str = "") -> ImportReport:
    """Bring the register in line with the file: add new libraries, update known ones.

    Libraries not in the file are left as they are. A library in the file is
    active. Raise RegisterImportError, changing nothing, if any row is bad.
    """
    libraries, problems = register_check(register_read(data, filename))
    if problems:
        raise RegisterImportError(problems)
    # Lock the register so that two imports at once cannot both create a library.
    existing = {
        (library.municipality_id, library.name): library for library in Library.objects.select_for_update().all()
    }
    created, updated, unchanged = [], [], 0
    for library in libraries:
        known = existing.get((library.municipality_id, library.name))
        if known is None:
            created.append(library)
        elif (known.kind, known.email, known.active) != (library.kind, library.email, True):
            known.kind, known.email, known.active = library.kind, library.email, True
            updated.append(known)
        else:
            unchanged += 1
    Library.objects.bulk_create(created)
    Library.objects.bulk_update(updated, ["kind", "email", "active"])
    return ImportReport(created=len(created), updated=len(updated), unchanged=unchanged)


# Where a library is, in Danish: "i" most places, "på" an island; two municipalities are
# named in the genitive ("Nordfyns Kommune"), their places are not.
PLACES = {
    "Bornholm": "på Bornholm",
    "Fanø": "på Fanø",
    "Langeland": "på Langeland",
    "Lolland": "på Lolland",
    "Læsø": "på Læsø",
    "Morsø": "på Mors",
    "Nordfyns": "på Nordfyn",
    "Samsø": "på Samsø",
    "Vesthimmerlands": "i Vesthimmerland",
    "Ærø": "på Ærø",
}


def default_library_name(municipality: Municipality) -> str:
    """Return a name for the main library of *municipality* until staff give the real one."""
    place = PLACES.get(municipality.name) or _("in %(municipality)s") % {"municipality": municipality.name}
    return _("The libraries %(place)s") % {"place": place}


def default_register_load() -> int:
    """Give every municipality without a main library one; return how many were made.

    DB staff correct names, add e-mails, branches and mobile libraries afterwards.
    """
    without_main = Municipality.objects.exclude(libraries__kind=LibraryKind.MAIN)
    libraries = [
        Library(
            name=default_library_name(municipality),
            kind=LibraryKind.MAIN,
            municipality=municipality,
        )
        for municipality in without_main
    ]
    Library.objects.bulk_create(libraries)
    return len(libraries)
