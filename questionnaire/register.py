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

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from .models import Library, LibraryKind, Municipality, Region

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
        sheet.append(row)
    workbook.save(handle)


def register_write_csv(handle) -> None:
    """Write the register to *handle* (a text file) as CSV."""
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    writer.writerows(register_rows())


# --- Reading a file --------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores the code 101 as the number 101.0.
        value = int(value)
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RegisterImportError(
            [RowProblem(0, "", "", _("The file cannot be read as Excel (%s).") % error)]
        ) from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Danish Windows saves "CSV" as Windows-1252.
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[_cell_text(value) for value in row] for row in csv.reader(io.StringIO(text), dialect)]


def register_read(data: bytes, filename: str = "") -> list[tuple[int, dict]]:
    """Return the rows of an Excel or CSV file as [(row number, {column: text}), ...].

    Empty rows are skipped. Raise RegisterImportError if the file cannot be read
    or its header lacks a column.
    """
    is_xlsx = filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
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
    return text.zfill(3) if text.isdigit() else text


def register_check(records: list[tuple[int, dict]]) -> tuple[list[Library], list[RowProblem]]:
    """Return the libraries the rows describe (unsaved) and every problem found, in two queries."""
    municipalities = {municipality.code: municipality for municipality in Municipality.objects.all()}
    problems, libraries, seen = [], [], {}
    for number, record in records:
        row_problems = []
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
