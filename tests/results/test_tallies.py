"""Every figure of the hand-made round (see conftest.py), computed and compared."""

import pytest
from django.db import connection

from questionnaire.models import LibraryKind, Municipality, Region, Response
from questionnaire.services.answers import response_answers
from results import tallies
from results.tallies import Filters
from results.templatetags.results_format import percent, percentage_points, round_half_up, whole_percent
from tests.conftest import HOSTILE_QUOTE, NOT_STARTED_ANSWERS, answers, count_queries, make_response, make_round


def counts(tally):
    return {choice.code: choice.count for choice in tally.choices if choice.count}


def test_share_is_none_without_a_denominator():
    assert tallies.share(3, 4) == 0.75
    assert tallies.share(0, 0) is None
    assert tallies.share(1, None) is None


def test_filters_reject_and_ignore_unknown_values():
    with pytest.raises(ValueError):
        Filters(region="skaane")
    assert Filters.from_params({"region": "skaane", "kind": "filial"}) == Filters(kind="filial")
    assert Filters(region="sjaelland").params == {"region": "sjaelland"}


def test_headline(survey):
    headline = tallies.round_results(survey.round).headline
    assert (headline.invited, headline.responses, headline.active, headline.not_started) == (8, 6, 4, 2)
    assert headline.share_active == pytest.approx(4 / 6)
    assert headline.share_not_started == pytest.approx(2 / 6)
    assert headline.response_rate == pytest.approx(6 / 8)


def test_headline_reproduces_the_seed_45_55(db):
    round_ = make_round()
    for number in range(20):
        make_response(round_, answers() if number < 9 else NOT_STARTED_ANSWERS)
    # Drafts never count, whatever they say.
    make_response(round_, answers(), submit=False)
    headline = tallies.round_results(round_).headline
    assert (headline.responses, headline.active, headline.not_started) == (20, 9, 11)
    assert headline.share_active == pytest.approx(0.45)
    assert headline.share_not_started == pytest.approx(0.55)


def test_region_counts(survey):
    regions = {region.region: region for region in tallies.round_results(survey.round).regions}
    assert list(regions) == list(Region.values)
    assert [(r.invited, r.responses, r.active, r.not_started) for r in regions.values()] == [
        (2, 2, 1, 1),  # hovedstaden
        (2, 0, 0, 0),  # sjaelland: a draft and an invitation without answer
        (1, 1, 1, 0),  # syddanmark
        (2, 2, 2, 0),  # midtjylland
        (1, 1, 0, 1),  # nordjylland
    ]


def test_question_tallies_for_every_choice(survey):
    questions = {tally.code: tally for tally in tallies.round_results(survey.round).questions}
    # Every choice question is there, text and number questions are not.
    assert "status" in questions and "barriers" in questions and "quote" not in questions
    status = questions["status"]
    assert (status.answered, counts(status)) == (6, {"active": 4, "not_started": 2})
    assert status.choice("active").share == pytest.approx(4 / 6)

    models = questions["models"]
    assert models.kind == "multi"
    assert [choice.code for choice in models.choices] == [f"model_{n}" for n in range(1, 7)] + ["other"]
    assert models.answered == 4
    assert counts(models) == {"model_1": 1, "model_3": 3, "model_4": 1, "other": 1}
    assert models.choice("model_3").share == pytest.approx(0.75)
    assert models.choice("model_2").share == 0

    assert counts(questions["primary_model"]) == {"model_3": 2, "model_4": 1, "other": 1}
    assert counts(questions["plans"]) == {"later": 2}
    assert counts(questions["quote_consent"]) == {"named": 1, "anonymous": 1, "no": 1}
    # Nobody answered barriers: counts are 0 and shares have no denominator.
    barriers = questions["barriers"]
    assert barriers.answered == 0
    assert {choice.share for choice in barriers.choices} == {None}


def test_services_ranked(survey):
    services = tallies.round_results(survey.round).services
    assert services.answered == 3  # Odense did not answer the question
    ranked = [(choice.code, choice.count, choice.share) for choice in services.ranked if choice.count]
    # Ties keep questionnaire order: health_card comes before tax.
    assert ranked == [("passport", 3, 1.0), ("health_card", 2, pytest.approx(2 / 3)), ("tax", 2, pytest.approx(2 / 3))]
    assert len(services.ranked) == len(services.choices) == 21


def test_challenges_ranked_and_development_funds(survey):
    results = tallies.round_results(survey.round)
    challenges = [(choice.code, choice.count) for choice in results.challenges.ranked if choice.count]
    assert challenges == [("culture", 3), ("legislation", 2), ("routines", 1)]
    assert results.challenges.choice("culture").share == pytest.approx(3 / 4)
    funds = results.development_funds
    assert (funds.answered, counts(funds)) == (4, {"yes": 2, "applied": 1, "no": 1})
    assert funds.choice("yes").share == pytest.approx(0.5)


def test_model_adoption_overall(survey):
    adoption = tallies.round_results(survey.round).model_adoption
    assert (adoption.responses, adoption.active) == (6, 4)
    by_code = {model.code: model for model in adoption.models}
    assert [(m.count, m.share_of_active, m.share_of_all) for m in by_code.values()] == [
        (1, 0.25, pytest.approx(1 / 6)),
        (0, 0.0, 0.0),
        (3, 0.75, 0.5),
        (1, 0.25, pytest.approx(1 / 6)),
        (0, 0.0, 0.0),
        (0, 0.0, 0.0),
        (1, 0.25, pytest.approx(1 / 6)),
    ]
    assert by_code["model_3"].label.startswith("Model 3: Udvalgte opgaver")


def test_model_adoption_per_region(survey):
    regions = {region.region: region for region in tallies.round_results(survey.round).model_adoption.regions}
    hovedstaden = regions["hovedstaden"]
    assert (hovedstaden.responses, hovedstaden.active) == (2, 1)
    assert {m.code: (m.count, m.share_of_active, m.share_of_all) for m in hovedstaden.models if m.count} == {
        "model_1": (1, 1.0, 0.5),
        "model_3": (1, 1.0, 0.5),
    }
    midtjylland = regions["midtjylland"]
    assert {m.code: (m.count, m.share_of_active) for m in midtjylland.models if m.count} == {
        "model_3": (2, 1.0),
        "model_4": (1, 0.5),
    }
    assert {m.code for m in regions["syddanmark"].models if m.count} == {"other"}
    # No active library: nothing to divide by, so no share (not a ZeroDivisionError).
    assert {m.share_of_active for m in regions["nordjylland"].models} == {None}
    assert {(m.share_of_active, m.share_of_all) for m in regions["sjaelland"].models} == {(None, None)}
    # The cross-table's rows: overall first, then one cell per region.
    overall, per_region = tallies.round_results(survey.round).model_adoption.rows[2]
    assert overall.code == "model_3" and [cell.count for cell in per_region] == [1, 0, 0, 2, 0]


def test_resources(survey, settings):
    settings.SMALL_GROUP_MIN = 1  # the arithmetic, on groups too small to publish
    resources = tallies.round_results(survey.round).resources
    assert resources == tallies.Resources(
        answered=3,
        lowest=20_000,
        median=100_000,
        highest=300_000,
        total=420_000,
        label="Hvor mange kroner er der i alt afsat til samarbejdet?",
    )


def test_resources_median_of_an_even_number_and_of_none(survey, settings):
    settings.SMALL_GROUP_MIN = 1  # the arithmetic, on groups too small to publish
    resources = tallies.round_results(survey.round, Filters(region="midtjylland")).resources
    assert (resources.answered, resources.median, resources.total) == (2, 160_000, 320_000)
    nothing = tallies.round_results(survey.round, Filters(region="nordjylland")).resources
    assert (nothing.answered, nothing.lowest, nothing.median, nothing.highest, nothing.total) == (
        0,
        None,
        None,
        None,
        None,
    )


def test_median_without_percentile_cont(survey, monkeypatch, settings):
    settings.SMALL_GROUP_MIN = 1  # the arithmetic, on groups too small to publish
    # SQLite (for `make run`) has no percentile_cont: the fallback must agree, for odd, even and no counts.
    expected = [
        (filters, tallies.round_results(survey.round, filters).resources)
        for filters in (
            Filters(),
            Filters(region="midtjylland"),
            Filters(region="nordjylland"),
        )
    ]
    monkeypatch.setattr(connection, "vendor", "sqlite")
    for filters, resources in expected:
        assert tallies.round_results(survey.round, filters).resources == resources
    assert [resources.median for _filters, resources in expected] == [100_000, 160_000, None]


def test_municipality_models_cover_every_municipality(survey):
    marks = {mark.code: mark for mark in tallies.round_results(survey.round).municipalities}
    assert len(marks) == Municipality.objects.count() == 98
    # Aarhus: the main library speaks for the municipality, not the branch.
    assert (marks["751"].library, marks["751"].primary_model) == ("Aarhus Hovedbibliotek", "model_3")
    assert (marks["147"].status, marks["147"].primary_model) == ("not_started", "")
    assert marks["461"].primary_model == "other"
    # A draft is no answer; nor is an invitation without one.
    assert not marks["265"].answered and not marks["259"].answered and not marks["400"].answered
    assert marks["101"].latitude == pytest.approx(55.6761)


def test_municipality_models_fall_back_to_another_library(survey):
    marks = {
        mark.code: mark for mark in tallies.round_results(survey.round, Filters(kind=LibraryKind.BRANCH)).municipalities
    }
    assert (marks["751"].library, marks["751"].primary_model) == ("Lystrup Bibliotek", "model_4")
    assert not marks["101"].answered


def test_quotes_respect_consent(survey):
    quotes = tallies.round_results(survey.round).quotes
    assert len(quotes) == 2  # Lystrup said no
    named, anonymous = sorted(quotes, key=lambda quote: not quote.named)
    assert (named.text, named.name, named.title, named.library, named.region) == (
        "Borgerne er glade for de lange åbningstider.",
        "Hanne Jensen",
        "Borgerservicechef",
        "Københavns Biblioteker",
        "hovedstaden",
    )
    assert (anonymous.text, anonymous.name, anonymous.title, anonymous.library, anonymous.region) == (
        HOSTILE_QUOTE,
        "",
        "",
        "",
        "midtjylland",
    )


def test_filter_by_region(survey):
    results = tallies.round_results(survey.round, Filters(region="midtjylland"))
    assert (results.headline.responses, results.headline.active) == (2, 2)
    assert [region.region for region in results.regions] == ["midtjylland"]
    assert [region.region for region in results.model_adoption.regions] == ["midtjylland"]
    assert counts(results.question("models")) == {"model_3": 2, "model_4": 1}
    assert {mark.region for mark in results.municipalities} == {"midtjylland"}
    assert [quote.region for quote in results.quotes] == ["midtjylland"]


def test_filter_by_kind(survey, settings):
    settings.SMALL_GROUP_MIN = 1  # the arithmetic, on groups too small to publish
    results = tallies.round_results(survey.round, Filters(kind=LibraryKind.BRANCH))
    assert (results.headline.invited, results.headline.responses, results.headline.active) == (1, 1, 1)
    assert counts(results.question("models")) == {"model_3": 1, "model_4": 1}
    assert results.resources.total == 20_000
    assert results.quotes == ()


def test_other_rounds_and_drafts_never_count(survey):
    results = tallies.round_results(survey.other_round)
    assert (results.headline.responses, results.headline.active) == (1, 1)
    assert counts(results.question("models")) == {"model_6": 1}


def test_response_rows(survey):
    rows = list(tallies.response_rows(survey.round))
    assert [row.library for row in rows] == [
        "Københavns Biblioteker",
        "Frederiksberg Bibliotek",
        "=Odense Centralbibliotek",
        "Aarhus Hovedbibliotek",
        "Lystrup Bibliotek",
        "Aalborg Bibliotekerne",
    ]
    copenhagen = rows[0]
    assert (copenhagen.municipality, copenhagen.municipality_code, copenhagen.region) == (
        "København",
        "101",
        "hovedstaden",
    )
    assert copenhagen.answers["models"] == ["model_1", "model_3"]
    assert copenhagen.answers["status"] == "active"
    assert copenhagen.answers["resources_dkk"] == 100_000
    assert copenhagen.answers["respondent_name"] == "Hanne Jensen"
    assert copenhagen.submitted_at is not None
    # The export reads answers in the very shape the respondent's pages do.
    responses = Response.objects.submitted().filter(invitation__round=survey.round)
    by_library = {response.invitation.library.name: response_answers(response) for response in responses}
    assert [row.answers for row in rows] == [by_library[row.library] for row in rows]


def test_round_results_run_a_fixed_number_of_queries(db):
    round_ = make_round()
    municipalities = list(Municipality.objects.order_by("code"))

    def add(number):
        for index in range(number):
            make_response(round_, answers() if index % 2 else NOT_STARTED_ANSWERS, municipality=municipalities[index])

    add(3)
    few = count_queries(lambda: tallies.round_results(round_))
    add(27)
    many = count_queries(lambda: tallies.round_results(round_))
    assert few == many
    assert many <= 10


def test_results_without_the_map_or_with_questions_given_skip_queries_and_change_no_figure(db):
    from dataclasses import replace

    round_ = make_round()
    for index, municipality in enumerate(Municipality.objects.order_by("code")[:6]):
        make_response(round_, answers() if index % 2 else NOT_STARTED_ANSWERS, municipality=municipality)

    full = tallies.round_results(round_)
    without = tallies.round_results(round_, with_map=False)

    assert full.municipalities and without.municipalities == ()
    assert replace(without, municipalities=full.municipalities, made_at=full.made_at) == full
    assert count_queries(lambda: tallies.round_results(round_, with_map=False)) == (
        count_queries(lambda: tallies.round_results(round_)) - 2
    )
    questions = tallies.round_questions(round_)
    given = tallies.round_results(round_, with_map=False, questions=questions)
    assert replace(given, made_at=without.made_at) == without
    assert count_queries(lambda: tallies.round_results(round_, with_map=False, questions=questions)) == (
        count_queries(lambda: tallies.round_results(round_, with_map=False)) - 2
    )


def test_streamed_reads_are_planned_for_every_row(db):
    # Server-side cursors (QuerySet.iterator) stream whole exports; PostgreSQL's default plans
    # them for the first tenth of their rows and made the quotes 15x slower.
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone() == ("1",)


@pytest.mark.parametrize(
    ("share", "written"),
    [(1 / 40, "3%"), (0.145, "15%"), (0.125, "13%"), (0.454, "45%"), (0.995, "100%"), (0.0049, "0%")],
)
def test_shares_are_rounded_half_up_as_danish_statistics_print_them(share, written):
    assert percent(share).replace("\xa0", "").replace(" ", "") == written
    assert whole_percent(share) == int(written.rstrip("%"))


def test_a_change_in_percentage_points_is_rounded_half_up():
    assert percentage_points(0.45, 0.30) == 15.0
    assert percentage_points(0.3125, 0.30) == 1.3  # 1.25 points
    assert round_half_up(2.5) == 3 and round_half_up(-0.0) == 0
