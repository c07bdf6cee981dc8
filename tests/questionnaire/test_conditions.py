import pytest

from questionnaire.conditions import (
    chosen_labels,
    condition_met,
    neighbour_section,
    possible_lengths,
    visible_answers,
    visible_sections,
)
from questionnaire.services.definition import install_default
from questionnaire.services.questionnaire import questionnaire_sections


def test_any_of_matches_single_and_multi_values():
    condition = {"question": "models", "any_of": ["other"]}
    assert condition_met(condition, {"models": ["model_1", "other"]})
    assert not condition_met(condition, {"models": ["model_1"]})
    assert condition_met({"question": "status", "any_of": ["active"]}, {"status": "active"})
    assert not condition_met({"question": "status", "any_of": ["active"]}, {})


def test_answered_condition_ignores_empty_values():
    condition = {"question": "quote", "answered": True}
    assert condition_met(condition, {"quote": "Godt samarbejde"})
    assert not condition_met(condition, {"quote": ""})
    assert not condition_met(condition, {})


def test_no_condition_always_holds():
    assert condition_met(None, {})


@pytest.fixture
def sections(db):
    return questionnaire_sections(install_default())


def test_not_started_libraries_see_plans_and_never_the_model_sections(sections):
    codes = [s.code for s in visible_sections(sections, {"status": "not_started"})]
    assert codes == ["library", "status", "plans"]


def test_active_libraries_see_every_section_but_plans(sections):
    codes = [s.code for s in visible_sections(sections, {"status": "active"})]
    assert codes == ["library", "status", "models", "services", "staff", "economy", "organisation", "experience"]


def test_a_hidden_answer_never_makes_another_question_appear(sections):
    # models_other depends on models, which is hidden for a library that has not started:
    # the stale "other" must not count.
    answers = {"status": "not_started", "models": ["other"], "models_other": "Infodisk", "plans": "later"}
    shown = visible_answers(sections, answers)
    assert shown == {"status": "not_started", "plans": "later"}


def test_possible_lengths_name_both_ways_until_status_settles_it(sections):
    # Before status is answered: 3 sections (not started) or 8 (active), never the 9 of both paths.
    assert possible_lengths(sections, {}) == (3, 8)
    assert possible_lengths(sections, {"respondent_name": "Hanne"}) == (3, 8)
    assert possible_lengths(sections, {"status": "not_started"}) == (3,)
    assert possible_lengths(sections, {"status": "active"}) == (8,)
    # Answers that decide nothing about the sections leave the count as it is.
    assert possible_lengths(sections, {"status": "active", "models": ["other"]}) == (8,)


def test_chosen_labels_stand_each_in_danish_quotes(sections):
    status = next(q for s in sections for q in s.questions.all() if q.code == "status")
    both = {"question": "status", "any_of": ["active", "not_started"]}
    sentence = f"»{chosen_labels(both, status)}«"
    assert sentence == "»Ja, biblioteket har borgerserviceaktiviteter« eller »Nej, arbejdet er ikke påbegyndt endnu«"


def test_neighbour_section_moves_among_the_sections_shown(sections):
    active = {"status": "active"}
    assert neighbour_section(sections, active, "status", 1).code == "models"
    assert neighbour_section(sections, {"status": "not_started"}, "status", 1).code == "plans"
    assert neighbour_section(sections, active, "experience", 1) is None
    assert neighbour_section(sections, active, "library", -1) is None
    assert neighbour_section(sections, active, "models", 0).code == "models"
