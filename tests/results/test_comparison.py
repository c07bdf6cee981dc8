"""Two hand-made rounds side by side, every figure checked.

The earlier round (bs2009, on the shipped questionnaire) and the current one (bs2026, on
a version whose services drop `tax` and add `mitid`):

| round  | library | answer                                                                            |
|--------|---------|-----------------------------------------------------------------------------------|
| bs2009 | A 101   | active, models 1+3, services passport+tax, challenges culture, 100,000 kr, funds yes |
| bs2009 | B 147   | not started                                                                       |
| bs2009 | C 751   | active, model 3, services passport, challenges culture+legislation, 300,000 kr, funds no |
| bs2009 | D 851   | not started                                                                       |
| bs2026 | E 101   | active, models 3+4, services passport+mitid, challenges legislation, 150,000 kr, funds yes |
| bs2026 | F 147   | active, model 1, services mitid, challenges culture+legislation, 250,000 kr, funds applied |
| bs2026 | G 751   | not started                                                                       |
| bs2026 | H 265   | invited, no answer                                                                |
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from questionnaire.services.definition import install_default
from results.comparison import CURRENT, EARLIER, PUBLISHED_2009, round_comparison
from results.excel import workbook_write
from results.tallies import NO_FILTERS, round_results
from results.templatetags.results_format import percent
from tests.conftest import (
    make_round,
    moment,
)

pytestmark = pytest.mark.django_db


def figures(table):
    return [(f.code, f.earlier, f.current, f.change, f.only) for f in table.figures]


def test_every_figure_of_two_rounds_side_by_side(rounds, settings):
    settings.SMALL_GROUP_MIN = 2  # each round has two amounts; their figures are compared as they are
    earlier, current = rounds
    comparison = round_comparison(round_results(current), round_results(earlier))
    assert not comparison.same_questionnaire
    assert figures(comparison.table("headline")) == [
        ("active", 0.5, 2 / 3, 16.7, ""),
        ("not_started", 0.5, 1 / 3, -16.7, ""),
        ("response_rate", 1.0, 0.75, -25.0, ""),
        ("responses", 4, 3, -1, ""),
    ]
    models = {code: rest for code, *rest in figures(comparison.table("models"))}
    assert models["model_1"] == [0.5, 0.5, 0.0, ""]
    assert models["model_3"] == [1.0, 0.5, -50.0, ""]
    assert models["model_4"] == [0.0, 0.5, 50.0, ""]
    assert models["model_2"] == [0.0, 0.0, 0.0, ""]
    services = comparison.table("services")
    assert (services.earlier_answered, services.current_answered) == (2, 2)
    by_code = {code: rest for code, *rest in figures(services)}
    assert by_code["passport"] == [1.0, 0.5, -50.0, ""]
    assert by_code["health_card"] == [0.0, 0.0, 0.0, ""]
    # What only one round asked is said, not hidden: tax was dropped, mitid is new.
    assert by_code["mitid"] == [None, 1.0, None, CURRENT]
    assert by_code["tax"] == [0.5, None, None, EARLIER]
    assert [f.code for f in services.figures][-2:] == ["mitid", "tax"]  # new ones in their place, dropped ones last
    challenges = {code: rest for code, *rest in figures(comparison.table("challenges"))}
    assert challenges["culture"] == [1.0, 0.5, -50.0, ""]
    assert challenges["legislation"] == [0.5, 1.0, 50.0, ""]
    assert challenges["politics"] == [0.0, 0.0, 0.0, ""]
    assert figures(comparison.table("resources")) == [
        ("answered", 2, 2, 0, ""),
        ("median", 200_000, 200_000, 0, ""),
        ("total", 400_000, 400_000, 0, ""),
        ("lowest", 100_000, 150_000, 50_000, ""),
        ("highest", 300_000, 250_000, -50_000, ""),
    ]
    assert figures(comparison.table("development_funds")) == [
        ("yes", 0.5, 0.5, 0.0, ""),
        ("applied", 0.0, 0.5, 50.0, ""),
        ("no", 0.5, 0.0, -50.0, ""),
    ]


def test_the_results_page_sets_a_round_beside_an_earlier_one_chosen_by_staff(reader_client, rounds):
    earlier, current = rounds
    plain = reader_client.get(f"/results/{current.slug}/")
    body = plain.content.decode()
    assert plain.context["comparison"] is None
    assert list(plain.context["earlier_rounds"]) == [earlier]
    reference = f"{percent(0.45)} med borgerserviceaktiviteter, {percent(0.55)} ikke påbegyndt"
    assert 'id="reference-2009"' in body and reference in body
    assert PUBLISHED_2009.source in body
    page = reader_client.get(f"/results/{current.slug}/?compare={earlier.slug}")
    body = page.content.decode()
    assert page.context["comparison"].earlier.round == earlier
    assert 'id="comparison"' in body and "Sammenlignet med Runde 2009" in body
    assert "+16,7 procentpoint" in body and "−50,0 procentpoint" in body
    assert "Hjælp med MitID" in body and "ikke spurgt" in body
    assert f"compare={earlier.slug}" in page.context["query"]
    # A later round, or an unknown one, is no earlier round: no comparison.
    assert reader_client.get(f"/results/{earlier.slug}/?compare={current.slug}").context["comparison"] is None


def test_the_workbook_has_the_comparison_and_the_changes_of_the_questionnaire(rounds):
    earlier, current = rounds
    handle = BytesIO()
    workbook_write(round=current, filters=NO_FILTERS, handle=handle, compare=earlier.slug)
    book = load_workbook(BytesIO(handle.getvalue()))
    assert book.sheetnames[-3:] == ["Sammenligning", "Ændringer", "Kilde"]
    rows = list(book["Sammenligning"].iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("Emne", "Kode", "Tal", "Runde 2009", "Runde 2026", "Ændring", "Bemærkning")
    by_code = {(row[0], row[1]): row for row in rows[1:] if row[1]}
    assert by_code[("Borgerserviceaktiviteter", "active")][3:6] == (0.5, 2 / 3, 16.7)
    assert by_code[("Ydelser, som borgerne kan få i biblioteket", "mitid")][3:] == (None, 1.0, None, "Kun i Runde 2026")
    assert by_code[("Ydelser, som borgerne kan få i biblioteket", "tax")][3:] == (0.5, None, None, "Kun i Runde 2009")
    assert ("Med borgerserviceaktiviteter", None, None, 0.45, None, None, None) in rows
    changes = list(book["Ændringer"].iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[1]) for row in changes] == [
        ("Svarmulighed tilføjet", "services/mitid"),
        ("Svarmulighed fjernet", "services/tax"),
    ]


def test_no_changes_sheet_when_the_previous_round_used_the_same_version():
    version = install_default()
    make_round(slug="a", opens_at=moment(2009), questionnaire=version)
    later = make_round(slug="b", opens_at=moment(2010), questionnaire=version)
    handle = BytesIO()
    workbook_write(round=later, filters=NO_FILTERS, handle=handle)
    names = load_workbook(BytesIO(handle.getvalue())).sheetnames
    assert "Ændringer" not in names and "Sammenligning" not in names
