"""The workbook, opened with openpyxl: sheets, headers, values, chart, and hostile text kept as text."""

from datetime import datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.chart import BarChart, PieChart

from questionnaire.models import Municipality
from results import excel
from results.tallies import NO_FILTERS, SOURCE, Filters
from tests.conftest import NOT_STARTED_ANSWERS, make_round
from tests.results.conftest import HOSTILE_QUOTE, answers, make_response

SHEETS = ["Overblik", "Svar", "Optælling", "Modeller", "Ydelser", "Udfordringer", "Økonomi", "Citater", "Kilde"]


def workbook(round_, filters=NO_FILTERS, *, codes=False):
    handle = BytesIO()
    with translation.override("da"):
        excel.workbook_write(round=round_, filters=filters, handle=handle, codes=codes)
    return load_workbook(BytesIO(handle.getvalue()))


def table(ws, header_row=2):
    """Return the rows below the header as dicts {header: cell}, up to the first empty row.

    `Svar` is read by its row of codes (row 2), above the row of question texts.
    """
    header = [cell.value for cell in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + (2 if ws.title == "Svar" else 1)):
        if all(cell.value is None for cell in row):
            break
        rows.append(dict(zip(header, row, strict=False)))
    return rows


@pytest.fixture
def book(survey):
    return workbook(survey.round)


def test_sheets_in_order_each_naming_its_source(book):
    assert book.sheetnames == SHEETS
    for ws in book:
        assert ws["A1"].value == SOURCE
        assert ws.freeze_panes in ("A2", "A3", "B4")


def test_header_rows_are_frozen_filterable_and_wide_enough(book):
    assert book["Svar"].freeze_panes == "B4"
    assert book["Svar"].auto_filter.ref.startswith("A3:")  # the row of question texts, above the answers
    for name in SHEETS[:-1]:
        ws = book[name]
        assert name == "Svar" or ws.auto_filter.ref.startswith("A2:"), name
        assert ws.column_dimensions["A"].width >= 8
        if name != "Svar":
            assert ws.freeze_panes == "A3", name
    assert book["Svar"].column_dimensions["A"].width >= 30
    assert book["Optælling"].column_dimensions["B"].width >= 50


def test_answers_sheet_has_one_row_per_submitted_response(book):
    ws = book["Svar"]
    header = [cell.value for cell in ws[2]]
    texts = [cell.value for cell in ws[3]]
    assert header[:6] == ["bibliotek", "type", "kommune", "kommunekode", "region", "indsendt"]
    assert texts[:6] == ["Bibliotek", "Type", "Kommune", "Kommunekode", "Region", "Indsendt"]
    assert texts[7] == "Har biblioteket borgerserviceaktiviteter i dag?"
    assert texts[9] == (
        "Hvilke samarbejdsmodeller bruger I? (flere svar mulige): "
        "Model 1: Borgerserviceopgaver udføres af borgerservicefolk i bibliotekerne (lokalefællesskab)"
    )
    assert header[6:9] == ["units", "status", "started_year"]
    assert [f"models/model_{n}" for n in range(1, 7)] + ["models/other", "models_other"] == header[9:17]
    assert "services/passport" in header and "resources_dkk" in header and "advice" in header
    # The contact person and the quote never appear row by row (see PERSONAL_QUESTIONS).
    for code in (
        "respondent_name",
        "respondent_title",
        "respondent_email",
        "respondent_phone",
        "quote",
        "quote_consent",
    ):
        assert code not in header
    rows = table(ws)
    assert [row["bibliotek"].value for row in rows] == [
        "Københavns Biblioteker",
        "Frederiksberg Bibliotek",
        "=Odense Centralbibliotek",
        "Aarhus Hovedbibliotek",
        "Lystrup Bibliotek",
        "Aalborg Bibliotekerne",
    ]  # no draft from Roskilde, nobody from the other round


def test_answers_sheet_values_are_danish_labels(book):
    copenhagen, frederiksberg, odense, _aarhus, lystrup, _aalborg = table(book["Svar"])
    assert (copenhagen["type"].value, lystrup["type"].value) == ("Hovedbibliotek", "Filial")
    assert copenhagen["region"].value == "Region Hovedstaden"
    assert copenhagen["status"].value == "Ja, biblioteket har borgerserviceaktiviteter"
    assert frederiksberg["status"].value == "Nej, arbejdet er ikke påbegyndt endnu"
    assert [copenhagen[f"models/model_{n}"].value for n in range(1, 7)] == ["Ja", "Nej", "Ja", "Nej", "Nej", "Nej"]
    assert copenhagen["primary_model"].value.startswith("Model 3: ")
    assert frederiksberg["models/model_3"].value is None  # not shown to a library that has not started
    assert copenhagen["units"].value == 3 and copenhagen["resources_dkk"].value == 100_000
    assert odense["models/other"].value == "Ja"


def test_answers_sheet_values_are_typed_codes_on_request(survey):
    book = workbook(survey.round, codes=True)
    copenhagen, frederiksberg, odense, _aarhus, lystrup, _aalborg = table(book["Svar"])
    assert copenhagen["type"].value == "hovedbibliotek"
    assert lystrup["type"].value == "filial"
    assert (copenhagen["kommune"].value, copenhagen["kommunekode"].value) == ("København", "101")
    assert copenhagen["kommunekode"].data_type == "s"  # "101" stays a code, not the number 101
    assert copenhagen["region"].value == "hovedstaden"  # codes throughout, for analysts
    assert isinstance(copenhagen["indsendt"].value, datetime)
    assert copenhagen["indsendt"].is_date
    assert copenhagen["status"].value == "active"
    assert copenhagen["units"].value == 3 and copenhagen["units"].data_type == "n"
    assert copenhagen["resources_dkk"].value == 100_000
    assert copenhagen["started_year"].value == 2007
    assert [copenhagen[f"models/model_{n}"].value for n in range(1, 7)] == [1, 0, 1, 0, 0, 0]
    assert copenhagen["primary_model"].value == "model_3"
    # Questions not shown to a library that has not started are empty, not 0.
    assert frederiksberg["models/model_3"].value is None
    assert frederiksberg["plans"].value == "later"
    assert odense["models/other"].value == 1
    assert odense["resources_dkk"].value is None
    assert odense["services/passport"].value is None  # Odense did not answer services


def test_hostile_text_stays_text(survey):
    make_response(
        survey.round,
        answers(advice="+45 12 34 56 78", models_other=None, quote=HOSTILE_QUOTE, quote_consent="named"),
        name="@Bibliotek\x07 med klokke",
        municipality=Municipality.objects.get(code="400"),
    )
    book = workbook(survey.round)
    rows = {row["bibliotek"].value: row for row in table(book["Svar"])}
    odense = rows["=Odense Centralbibliotek"]
    assert odense["bibliotek"].data_type == "s"
    assert odense["bibliotek"].quotePrefix
    assert odense["models_other"].value == "-2+3 infodisk"
    assert rows["Aarhus Hovedbibliotek"]["advice"].value == "@SUM(1+1)"
    # A control character Excel cannot store is dropped, the rest kept.
    assert rows["@Bibliotek med klokke"]["advice"].value == "+45 12 34 56 78"
    quotes = [row["Citat"] for row in table(book["Citater"])]
    assert [quote.value for quote in quotes].count(HOSTILE_QUOTE) == 2
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"


def test_counts_sheet(book):
    rows = table(book["Optælling"])
    assert list(rows[0]) == [
        "Spørgsmålskode",
        "Spørgsmål",
        "Svarmulighedskode",
        "Svarmulighed",
        "Antal",
        "Procent",
        "Besvaret af",
    ]
    by_key = {(row["Spørgsmålskode"].value, row["Svarmulighedskode"].value): row for row in rows}
    active = by_key[("status", "active")]
    assert active["Spørgsmål"].value == "Har biblioteket borgerserviceaktiviteter i dag?"
    assert active["Svarmulighed"].value == "Ja, biblioteket har borgerserviceaktiviteter"
    assert (active["Antal"].value, active["Besvaret af"].value) == (4, 6)
    assert active["Procent"].value == pytest.approx(4 / 6)
    assert active["Procent"].number_format == "0.0%"
    assert by_key[("models", "model_3")]["Antal"].value == 3
    assert by_key[("models", "model_3")]["Procent"].value == pytest.approx(0.75)
    assert by_key[("services", "passport")]["Procent"].value == 1
    # Nobody answered: the share is empty, not 0 and not an error.
    assert by_key[("barriers", "resources")]["Procent"].value is None
    assert len(rows) == sum(1 for _ in by_key)


def test_models_sheet_with_a_native_bar_chart(book):
    ws = book["Modeller"]
    rows = table(ws)
    header = list(rows[0])
    regions = ["Region Hovedstaden", "Region Sjælland", "Region Syddanmark", "Region Midtjylland", "Region Nordjylland"]
    assert header[:3] == ["Modelkode", "Model", "Beskrivelse"]
    assert header[3:8] == regions
    model_3 = next(row for row in rows if row["Modelkode"].value == "model_3")
    assert model_3["Model"].value == "Model 3"
    assert [model_3[region].value for region in regions] == [1, 0, 0, 2, 0]
    assert model_3["I alt"].value == 3
    assert model_3["Andel af biblioteker med aktiviteter"].value == 0.75
    assert model_3["Andel af alle besvarelser"].value == 0.5
    assert model_3["Andel af alle besvarelser"].number_format == "0.0%"
    other = next(row for row in rows if row["Modelkode"].value == "other")
    assert other["Model"].value == "Anden model"
    assert ws.auto_filter.ref == "A2:K9"
    with_activities = next(row for row in rows if row["Model"].value == "Med aktiviteter")
    assert [with_activities[region].value for region in regions] == [1, 0, 1, 2, 0]

    (chart,) = ws._charts
    assert isinstance(chart, BarChart)
    assert len(chart.series) == 5
    first, last = chart.series[0], chart.series[-1]
    assert first.tx.strRef.f.replace("$", "") == "'Modeller'!D2"  # the series is named by its region
    assert first.val.numRef.f.replace("$", "") == "'Modeller'!D3:D9"
    assert first.cat.strRef.f.replace("$", "") == "'Modeller'!B3:B9"  # "Model 1" …
    assert last.val.numRef.f.replace("$", "") == "'Modeller'!H3:H9"


def test_services_sheet_ranks(book):
    rows = table(book["Ydelser"])
    assert [(row["Ydelseskode"].value, row["Biblioteker"].value) for row in rows[:3]] == [
        ("passport", 3),
        ("health_card", 2),
        ("tax", 2),
    ]
    assert [row["Placering"].value for row in rows[:3]] == [1, 2, 3]
    assert rows[1]["Andel af dem, der svarede"].value == pytest.approx(2 / 3)
    assert len(rows) == 21
    assert book["Ydelser"].cell(row=2 + 21 + 2, column=1).value == "3 biblioteker besvarede spørgsmålet."


def test_economy_sheet(survey, settings):
    settings.SMALL_GROUP_MIN = 3  # the three amounts of the hand-made round are shown
    book = workbook(survey.round)
    rows = {(row["Spørgsmålskode"].value, row["Kode"].value): row for row in table(book["Økonomi"])}
    figures = {
        code: rows[("resources_dkk", code)]["Værdi"] for code in ("answered", "lowest", "median", "highest", "total")
    }
    assert {code: cell.value for code, cell in figures.items()} == {
        "answered": 3,
        "lowest": 20_000,
        "median": 100_000,
        "highest": 300_000,
        "total": 420_000,
    }
    assert figures["median"].number_format == '#,##0 "kr."'
    assert rows[("resources_dkk", "median")]["Spørgsmål"].value.startswith("Hvor mange kroner")
    assert rows[("development_funds", "yes")]["Værdi"].value == 2
    assert rows[("development_funds", "yes")]["Andel"].value == 0.5
    assert ("funds_used_for", "training") in rows


def test_quotes_sheet_respects_consent(book):
    rows = [{key: cell.value for key, cell in row.items()} for row in table(book["Citater"])]
    assert rows == [
        {
            "Citat": "Borgerne er glade for de lange åbningstider.",
            "Navn": "Hanne Jensen",
            "Stilling": "Borgerservicechef",
            "Bibliotek eller kommune": "Københavns Biblioteker",
            "Region": "Region Hovedstaden",
            "Kilde": "Spørgeskema",
            "Tema": "Kulturforskelle og forskellige opfattelser af service",
        },
        {
            "Citat": HOSTILE_QUOTE,
            "Navn": None,
            "Stilling": None,
            "Bibliotek eller kommune": None,
            "Region": "Region Midtjylland",
            "Kilde": "Spørgeskema",
            "Tema": "Kulturforskelle og forskellige opfattelser af service",
        },
    ]
    text = "".join(str(cell.value) for row in book["Citater"].iter_rows() for cell in row)
    assert "Skjult Person" not in text and "Må ikke bruges." not in text


def test_about_sheet(survey):
    book = workbook(survey.round, Filters(region="midtjylland"))
    rows = {row[0].value: row[1] for row in book["Kilde"].iter_rows(min_row=2) if row[0].value}
    assert rows["Undersøgelsesrunde"].value == "Biblioteker og borgerservice 2009"
    assert rows["Rundens kortnavn"].value == "bs2009"
    assert rows["Region"].value == "Region Midtjylland"
    assert rows["Bibliotekstype"].value == "Alle bibliotekstyper"
    assert isinstance(rows["Udtrukket"].value, datetime)
    assert rows["Indsendte besvarelser"].value == 2
    assert book["Kilde"]["A1"].value == "Kilde: Knudsen Syd og Danmarks Biblioteksforening"


def test_filters_apply_to_every_sheet(survey):
    book = workbook(survey.round, Filters(kind="filial"))
    assert [row["bibliotek"].value for row in table(book["Svar"])] == ["Lystrup Bibliotek"]
    assert table(book["Citater"]) == []
    model_4 = next(row for row in table(book["Modeller"]) if row["Modelkode"].value == "model_4")
    assert model_4["I alt"].value == 1


def test_workbook_is_written_in_write_only_mode(survey):
    built = excel.build_workbook(survey.round, Filters())
    assert built.write_only
    built.save(BytesIO())  # closes the streamed sheets


def test_filename(survey):
    assert excel.workbook_filename(survey.round, Filters()) == "borgerservice-bs2009.xlsx"
    assert excel.workbook_filename(survey.round, Filters(), codes=True) == "borgerservice-bs2009-koder.xlsx"
    assert (
        excel.workbook_filename(survey.round, Filters(region="sjaelland", kind="bogbus"))
        == "borgerservice-bs2009-sjaelland-bogbus.xlsx"
    )


def test_command_writes_the_same_workbook(survey, tmp_path):
    output = tmp_path / "results.xlsx"
    with translation.override("da"):
        call_command(
            "export_results", "bs2009", output=str(output), region="midtjylland", codes=True, stdout=StringIO()
        )
    from_command = load_workbook(output)
    from_function = workbook(survey.round, Filters(region="midtjylland"), codes=True)
    for name in SHEETS[:-1]:
        assert [[c.value for c in row] for row in from_command[name].iter_rows()] == [
            [c.value for c in row] for row in from_function[name].iter_rows()
        ], name


def test_command_fails_clearly(survey, tmp_path):
    with pytest.raises(CommandError, match="No round .nope.. Open it first"):
        call_command("export_results", "nope", output=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_results", "bs2009", output=str(tmp_path / "missing" / "x.xlsx"))


def test_export_runs_a_fixed_number_of_queries(db):
    round_ = make_round()
    municipalities = list(Municipality.objects.order_by("code"))

    def add(number, start):
        for index in range(start, start + number):
            make_response(round_, answers() if index % 2 else NOT_STARTED_ANSWERS, municipality=municipalities[index])

    def queries():
        with CaptureQueriesContext(connection) as context:
            excel.workbook_write(round=round_, filters=Filters(), handle=BytesIO())
        return len(context.captured_queries)

    add(3, 0)
    few = queries()
    add(27, 3)
    assert queries() == few


@pytest.mark.django_db(transaction=True)
def test_a_response_reopened_during_the_export_leaves_every_row_whole(monkeypatch):
    import threading

    from django.db import connections

    from questionnaire.models import Response, ResponseStatus
    from tests.conftest import ACTIVE_ANSWERS, answer_all, make_invitation, make_library

    round_ = make_round()
    for name in ("Aabenraa", "Bornholm", "Struer"):
        answer_all(make_invitation(round=round_, library=make_library(name=name)), ACTIVE_ANSWERS)
    first = Response.objects.get(invitation__library__name="Aabenraa")

    def reopen_first():
        Response.objects.filter(pk=first.pk).update(status=ResponseStatus.DRAFT, submitted_at=None)
        connections.close_all()

    # Staff reopen the first response after the export has begun, just before its answers are read.
    reopened = []
    rows = excel.answers.response_rows

    def reopen_then_rows(*args):
        reopened.append(True)
        thread = threading.Thread(target=reopen_first)
        thread.start()
        thread.join()
        yield from rows(*args)

    monkeypatch.setattr(excel.answers, "response_rows", reopen_then_rows)
    book = workbook(round_, codes=True)

    assert reopened
    # One snapshot: the export shows the round as it was when it began, every row whole.
    rows = table(book["Svar"])
    assert [row["bibliotek"].value for row in rows] == ["Aabenraa", "Bornholm", "Struer"]
    assert [row["status"].value for row in rows] == ["active"] * 3
    assert {row[0].value: row[1].value for row in book["Kilde"].iter_rows()}["Indsendte besvarelser"] == 3
    assert Response.objects.get(pk=first.pk).status == ResponseStatus.DRAFT


def test_overview_sheet_opens_with_the_headline_and_a_pie_chart(book):
    ws = book["Overblik"]
    assert book.sheetnames[0] == "Overblik"
    rows = {row["Biblioteker"].value: row for row in table(ws)}
    assert (rows["Med borgerserviceaktiviteter"]["Antal"].value, rows["Ikke påbegyndt endnu"]["Antal"].value) == (4, 2)
    assert rows["Med borgerserviceaktiviteter"]["Andel af besvarelserne"].value == pytest.approx(4 / 6)
    assert rows["Svarprocent"]["Andel af besvarelserne"].value == pytest.approx(6 / 8)
    (chart,) = ws._charts
    assert isinstance(chart, PieChart)
    assert chart.series[0].val.numRef.f.replace("$", "") == "'Overblik'!B3:B4"
    assert chart.series[0].cat.strRef.f.replace("$", "") == "'Overblik'!A3:A4"


def test_services_and_challenges_have_ranked_bar_charts(book):
    for name, rows in (("Ydelser", 21), ("Udfordringer", 8)):
        ws = book[name]
        (chart,) = ws._charts
        assert isinstance(chart, BarChart) and chart.type == "bar", name
        assert chart.series[0].val.numRef.f.replace("$", "") == f"'{name}'!C3:C{2 + rows}"
        assert chart.series[0].cat.strRef.f.replace("$", "") == f"'{name}'!B3:B{2 + rows}"
    challenges = table(book["Udfordringer"])
    assert [(row["Udfordring"].value, row["Biblioteker"].value) for row in challenges[:2]] == [
        ("Kulturforskelle og forskellige opfattelser af service", 3),
        ("Lovstof, man skal kende og formidle", 2),
    ]


def test_every_sheet_prints_landscape_a4_as_wide_as_the_page_with_its_headers(book):
    for ws in book:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.oddFooter.center.text == "&P / &N"
    assert book["Svar"].print_title_rows == "$2:$3"  # codes and question texts on every page
    assert book["Optælling"].print_title_rows == "$2:$2"


def test_a_chart_starts_a_printed_page_of_its_own(book):
    for name in ("Overblik", "Modeller", "Ydelser", "Udfordringer"):
        ws = book[name]
        (chart,) = ws._charts
        anchor_row = chart.anchor._from.row + 1  # zero-based in the file
        assert [brk.id for brk in ws.row_breaks.brk] == [anchor_row - 1], name


def test_the_cross_table_chosen_on_the_page_comes_as_a_sheet(survey):
    from results.breakdowns import cross_table

    handle = BytesIO()
    with translation.override("da"):
        cross = {"question": "primary_model", "by": "region"}
        excel.workbook_write(round=survey.round, filters=NO_FILTERS, handle=handle, cross=cross)
        expected = cross_table(survey.round, **cross)
    book = load_workbook(BytesIO(handle.getvalue()))
    assert "Krydstabel" in book.sheetnames and "Krydstabel" not in workbook(survey.round).sheetnames
    ws = book["Krydstabel"]
    assert ws["A2"].value == "Hvilken model beskriver bedst jeres samarbejde? – Region"
    rows = table(ws, header_row=3)
    by_label = {row["Svar"].value: row for row in rows}
    model_3 = next(row for row in expected.rows if row.code == "model_3")
    counts = [by_label[model_3.label][str(label)].value for _code, label in expected.columns]
    assert counts == [cell.count for cell in model_3.cells] and by_label[model_3.label]["I alt"].value == model_3.total
    assert by_label["I alt"]["I alt"].value == expected.total == 4
    shares = {row[0].value: row for row in ws.iter_rows(min_row=3 + len(rows) + 3)}
    assert [cell.value for cell in shares[model_3.label][1:6]] == [cell.share for cell in model_3.cells]
