"""The section form: what a library may post, and what it is told when it may not."""

import pytest

from questionnaire.forms import SectionForm
from questionnaire.services.questionnaire import questionnaire_sections
from tests.conftest import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections():
    return questionnaire_sections(make_round().questionnaire)


def form(sections, code, data, answers=None):
    section = next(s for s in sections if s.code == code)
    return SectionForm(data, sections=sections, section=section, answers=answers or {})


def test_a_number_out_of_bounds_is_told_both_bounds_in_danish(sections):
    bound = form(sections, "library", {"respondent_name": "Bo", "respondent_email": "bo@example.com", "units": "201"})
    assert not bound.is_valid()
    assert bound.errors["units"] == ["Angiv et tal mellem 1 og 200."]
    money = form(sections, "economy", {"resources_dkk": "-5"}, answers={"status": "active"})
    assert money.errors["resources_dkk"] == ["Angiv et tal mellem 0 og 100.000.000."]


def test_an_optional_choice_can_be_taken_back_with_no_answer(sections):
    bound = form(sections, "organisation", {"same_department": ""}, answers={"status": "active"})
    names = [label for _code, label in bound.fields["same_department"].choices]
    assert names == ["Ja", "Nej", "Intet svar"]
    assert bound.is_valid() and bound.answer_values()["same_department"] == ""
    required = form(sections, "status", {})
    assert "" not in dict(required.fields["status"].choices)  # a required question offers no way out


def test_the_primary_model_must_be_one_of_the_models_ticked(sections):
    answers = {"status": "active"}
    wrong = form(sections, "models", {"models": ["model_1", "model_3"], "primary_model": "model_4"}, answers)
    assert not wrong.is_valid()
    assert wrong.errors["primary_model"] == [
        "Vælg en af de modeller, I har sat kryds ved ovenfor, eller sæt også kryds ved denne."
    ]
    right = form(sections, "models", {"models": ["model_1", "model_3"], "primary_model": "model_3"}, answers)
    assert right.is_valid(), right.errors


def test_the_required_note_stands_only_on_pages_with_a_required_question(sections):
    assert form(sections, "library", None).has_required
    assert not form(sections, "organisation", None, answers={"status": "active"}).has_required
