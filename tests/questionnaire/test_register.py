from io import BytesIO, StringIO

import pytest
from openpyxl import Workbook, load_workbook

from questionnaire.models import Library, LibraryKind, Municipality
from questionnaire.services.register import (
    HEADER,
    RegisterImportError,
    register_import,
    register_write_csv,
    register_write_xlsx,
)
from tests.conftest import make_library

pytestmark = pytest.mark.django_db


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    (101, "København", "Region Hovedstaden", "Københavns Hovedbibliotek", "hovedbibliotek", "kbh@example.com"),
    ("101", "København", "Region Hovedstaden", "Vesterbro Bibliotek", "filial", ""),
    ("751", "Aarhus", "Region Midtjylland", "Bogbussen", "Bogbus", "bus@example.com"),
]


def snapshot():
    return sorted(Library.objects.values_list("municipality__code", "name", "kind", "email", "active"))


def test_a_good_file_adds_the_libraries():
    report = register_import(data=xlsx(GOOD_ROWS), filename="register.xlsx")

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert snapshot() == [
        ("101", "Københavns Hovedbibliotek", "hovedbibliotek", "kbh@example.com", True),
        ("101", "Vesterbro Bibliotek", "filial", "", True),
        ("751", "Bogbussen", "bogbus", "bus@example.com", True),
    ]


def test_importing_twice_does_not_duplicate():
    register_import(data=xlsx(GOOD_ROWS), filename="register.xlsx")

    report = register_import(data=xlsx(GOOD_ROWS), filename="register.xlsx")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Library.objects.count() == 3


def test_a_known_library_is_updated_not_duplicated():
    known = make_library(
        municipality=Municipality.objects.get(code="101"),
        name="Københavns Hovedbibliotek",
        kind=LibraryKind.BRANCH,
        email="old@example.com",
        active=False,
    )

    report = register_import(data=xlsx(GOOD_ROWS[:1]), filename="register.xlsx")

    assert (report.created, report.updated) == (0, 1)
    known.refresh_from_db()
    assert (known.kind, known.email, known.active) == ("hovedbibliotek", "kbh@example.com", True)
    assert Library.objects.count() == 1


def test_a_bad_file_changes_nothing_and_names_every_bad_row():
    known = make_library(municipality=Municipality.objects.get(code="101"), name="Kendt", email="old@example.com")
    before = snapshot()
    rows = [
        ("101", "", "", "Kendt", "filial", "new@example.com"),  # good, but must not be applied
        ("999", "", "", "Ukendt Kommune Bibliotek", "filial", ""),
        ("101", "", "", "Forkert type", "bibliotek", ""),
        ("101", "", "", "Dårlig mail", "filial", "ikke-en-mail"),
        ("101", "", "", "", "filial", ""),
        ("101", "", "", "Nyt bibliotek", "filial", ""),  # good, but must not be created
    ]

    with pytest.raises(RegisterImportError) as caught:
        register_import(data=xlsx(rows), filename="register.xlsx")

    problems = [(problem.row, problem.column, problem.value) for problem in caught.value.problems]
    assert problems == [
        (3, "kommunekode", "999"),
        (4, "type", "bibliotek"),
        (5, "email", "ikke-en-mail"),
        (6, "navn", ""),
    ]
    assert str(caught.value.problems[0]) == "Række 3, kommunekode »999«: Ukendt kommunekode."
    assert snapshot() == before
    known.refresh_from_db()
    assert known.email == "old@example.com"


def test_the_same_library_twice_in_a_file_is_a_problem():
    rows = [GOOD_ROWS[0], GOOD_ROWS[0]]

    with pytest.raises(RegisterImportError) as caught:
        register_import(data=xlsx(rows), filename="register.xlsx")

    assert [(problem.row, problem.column) for problem in caught.value.problems] == [(3, "navn")]
    assert Library.objects.count() == 0


def test_a_file_without_the_header_is_rejected():
    data = xlsx(GOOD_ROWS, header=("code", "name", "kind"))

    with pytest.raises(RegisterImportError) as caught:
        register_import(data=data, filename="register.xlsx")

    assert caught.value.problems[0].row == 1
    assert "kommunekode" in caught.value.problems[0].message
    assert Library.objects.count() == 0


def test_a_damaged_excel_file_is_rejected():
    with pytest.raises(RegisterImportError):
        register_import(data=b"PK\x03\x04 not really a workbook", filename="register.xlsx")


def test_csv_is_accepted_with_commas_or_semicolons_and_in_windows_encoding():
    comma = "kommunekode,kommune,region,navn,type,email\n101,København,,Nørrebro Bibliotek,filial,n@example.com\n"
    semicolon = "kommunekode;kommune;region;navn;type;email\r\n751;Aarhus;;Hovedbiblioteket Dokk1;hovedbibliotek;\r\n"

    register_import(data=comma.encode("utf-8-sig"), filename="a.csv")
    register_import(data=semicolon.encode("cp1252"), filename="b.csv")

    assert snapshot() == [
        ("101", "Nørrebro Bibliotek", "filial", "n@example.com", True),
        ("751", "Hovedbiblioteket Dokk1", "hovedbibliotek", "", True),
    ]


def test_export_writes_the_register_in_the_import_layout_and_reads_back_unchanged():
    make_library(municipality=Municipality.objects.get(code="751"), name="Bogbussen", kind="bogbus", email="b@x.dk")
    make_library(municipality=Municipality.objects.get(code="101"), name="Hovedbiblioteket", email="h@x.dk")
    make_library(municipality=Municipality.objects.get(code="101"), name="Lukket", active=False)
    buffer = BytesIO()

    register_write_xlsx(buffer)

    rows = list(load_workbook(BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    assert rows == [
        HEADER,
        ("101", "København", "Region Hovedstaden", "Hovedbiblioteket", "hovedbibliotek", "h@x.dk"),
        ("751", "Aarhus", "Region Midtjylland", "Bogbussen", "bogbus", "b@x.dk"),
    ]
    report = register_import(data=buffer.getvalue(), filename="register.xlsx")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_csv_export_has_the_same_layout():
    make_library(municipality=Municipality.objects.get(code="101"), name="Hovedbiblioteket", email="h@x.dk")
    text = StringIO()

    register_write_csv(text)

    # Semicolons, as Danish Excel reads a CSV file.
    assert text.getvalue().splitlines() == [
        ";".join(HEADER),
        "101;København;Region Hovedstaden;Hovedbiblioteket;hovedbibliotek;h@x.dk",
    ]
    report = register_import(data=text.getvalue().encode("utf-8-sig"), filename="register.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
