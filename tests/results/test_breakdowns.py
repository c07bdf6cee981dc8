"""Open-text answers, distributions of numbers and cross-tables, against the hand-made round (conftest)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from results.breakdowns import cross_table, number_distributions, open_answers
from results.tallies import Filters, round_questions
from tests.conftest import NOT_STARTED_ANSWERS, answers, make_response, make_round


def test_open_answers_name_the_library_and_leave_out_personal_and_quote_texts(survey):
    found = {question.code: question for question in open_answers(survey.round)}
    # The text questions of the questionnaire, contact details, quote and consent excepted.
    assert list(found) == [
        "models_other",
        "locations_other",
        "services_other",
        "funds_used_for_other",
        "synergies_other",
        "challenges_other",
        "advice",
        "barriers_other",
        "plans_comment",
    ]
    assert [(a.library, a.municipality, a.text) for a in found["models_other"].answers] == [
        ("=Odense Centralbibliotek", "Odense", "-2+3 infodisk")
    ]
    assert [(a.library, a.text) for a in found["advice"].answers] == [("Aarhus Hovedbibliotek", "@SUM(1+1)")]
    assert found["services_other"].answers == found["plans_comment"].answers == ()
    everything = repr(found)
    for secret in ("Skjult Person", "Hemmelig stilling", "hanne@example.com", "Må ikke bruges.", "Borgerne er glade"):
        assert secret not in everything
    assert found["advice"].label == "Hvilke råd vil I give andre biblioteker?"


def test_open_answers_follow_the_filters_and_skip_drafts(survey):
    found = {q.code: q for q in open_answers(survey.round, Filters(region="syddanmark"))}
    assert found["advice"].answers == ()
    assert len(found["models_other"].answers) == 1
    make_response(survey.round, answers(advice="Kladde"), name="Kladdebibliotek", municipality="101", submit=False)
    assert "Kladde" not in repr(open_answers(survey.round))


def bands(distribution) -> dict[str, int]:
    return {band.label: band.count for band in distribution.bands}


def test_distributions_of_the_numbers_are_exact(survey):
    with translation.override("da"):
        found = {d.code: d for d in number_distributions(survey.round)}
    assert list(found) == ["units", "started_year", "resources_dkk"]
    # Betjeningssteder: 3, 1, 3, 3, 3, 1.
    units = found["units"]
    assert units.answered == 6
    assert bands(units) == {"1": 2, "2": 0, "3–5": 4, "6–10": 0, "11–20": 0, "21 eller flere": 0}
    assert units.bands[2].share == pytest.approx(4 / 6)
    # Four active libraries, all started in 2007.
    years = found["started_year"]
    assert years.answered == 4
    assert bands(years)["2005–2009"] == 4
    assert sum(bands(years).values()) == 4
    assert years.bands[0].label == "1995–1999"
    assert years.bands[-1].label.endswith("eller senere")
    # Kroner: 100 000, 300 000, 20 000 (Odense gave none).
    money = found["resources_dkk"]
    assert money.answered == 3
    assert bands(money) == {
        "0\xa0kr.": 0,
        "1–49.999\xa0kr.": 1,
        "50.000–99.999\xa0kr.": 0,
        "100.000–249.999\xa0kr.": 1,
        "250.000–499.999\xa0kr.": 1,
        "500.000–999.999\xa0kr.": 0,
        "1.000.000\xa0kr. eller mere": 0,
    }


def test_distributions_under_a_filter(survey):
    found = {d.code: d for d in number_distributions(survey.round, Filters(kind="filial"))}
    assert found["units"].answered == 1
    assert found["resources_dkk"].bands[1].count == 1  # Lystrup's 20 000


def cells(table) -> dict[tuple[str, str], int]:
    return {
        (row.code, code): cell.count
        for row in table.rows
        for (code, _label), cell in zip(table.columns, row.cells, strict=True)
        if cell.count
    }


def test_cross_table_against_region(survey):
    table = cross_table(survey.round, question="primary_model", by="region")
    assert cells(table) == {
        ("model_3", "hovedstaden"): 1,  # København
        ("model_3", "midtjylland"): 1,  # Aarhus
        ("model_4", "midtjylland"): 1,  # Lystrup
        ("other", "syddanmark"): 1,  # Odense
    }
    assert table.cell("model_3", "hovedstaden").share == pytest.approx(0.5)
    assert table.cell("model_4", "midtjylland").share == 1
    assert table.cell("model_1", "hovedstaden").share is None  # nobody in the row: no share
    assert [row.total for row in table.rows] == [0, 0, 1 + 1, 1, 0, 0, 1]
    assert dict(zip([c for c, _l in table.columns], table.column_totals, strict=True)) == {
        "hovedstaden": 1,
        "sjaelland": 0,
        "syddanmark": 1,
        "midtjylland": 2,
        "nordjylland": 0,
    }
    assert table.total == 4
    assert not table.overlapping
    assert table.label == "Hvilken model beskriver bedst jeres samarbejde?"
    assert [label for _code, label in table.columns][0] == "Region Hovedstaden"


def test_cross_table_against_library_kind(survey):
    table = cross_table(survey.round, question="status", by="kind")
    assert cells(table) == {
        ("active", "hovedbibliotek"): 3,
        ("active", "filial"): 1,
        ("not_started", "hovedbibliotek"): 2,
    }
    assert table.cell("active", "filial").share == pytest.approx(1 / 4)
    assert table.column_totals == (5, 1, 0)
    assert table.total == 6


def test_cross_table_of_two_multiple_choice_questions(survey):
    table = cross_table(survey.round, question="services", by="models")
    # passport: København (models 1, 3), Aarhus (3), Lystrup (3, 4); health card: København, Lystrup; tax: the same.
    assert cells(table) == {
        ("health_card", "model_1"): 1,
        ("health_card", "model_3"): 2,
        ("health_card", "model_4"): 1,
        ("passport", "model_1"): 1,
        ("passport", "model_3"): 3,
        ("passport", "model_4"): 1,
        ("tax", "model_1"): 1,
        ("tax", "model_3"): 2,
        ("tax", "model_4"): 1,
    }
    passport = next(row for row in table.rows if row.code == "passport")
    assert passport.total == 3
    assert table.cell("passport", "model_3").share == 1
    assert table.cell("passport", "model_1").share == pytest.approx(1 / 3)
    assert dict(zip([c for c, _l in table.columns], table.column_totals, strict=True))["model_3"] == 3
    assert table.total == 3  # Odense chose a model but no service
    assert table.overlapping


def test_cross_table_follows_filters(survey):
    table = cross_table(survey.round, question="primary_model", by="kind", filters=Filters(region="midtjylland"))
    assert cells(table) == {("model_3", "hovedbibliotek"): 1, ("model_4", "filial"): 1}
    by_region = cross_table(survey.round, question="status", by="region", filters=Filters(region="nordjylland"))
    assert [code for code, _label in by_region.columns] == ["nordjylland"]
    assert cells(by_region) == {("not_started", "nordjylland"): 1}


@pytest.mark.parametrize(("question", "by"), [("units", "region"), ("status", "status"), ("status", "nope")])
def test_cross_table_refuses_what_it_cannot_count(survey, question, by):
    with pytest.raises(ValueError):
        cross_table(survey.round, question=question, by=by)


@pytest.mark.parametrize("by", ["region", "kind", "models"])
def test_a_fixed_number_of_queries(db, by):
    round_ = make_round()
    questions = round_questions(round_)

    def count():
        with CaptureQueriesContext(connection) as context:
            cross_table(round_, question="services", by=by, questions=questions)
            number_distributions(round_, questions=questions)
            open_answers(round_, questions=questions)
        return len(context.captured_queries)

    make_response(round_, answers(advice="Råd"), municipality="101")
    few = count()
    for index in range(10):
        make_response(round_, answers(advice=f"Råd {index}") if index % 2 else NOT_STARTED_ANSWERS, municipality="751")
    assert count() == few == 4 + 1 + 1
