"""The base of a definition: the shipped file valid, installing idempotent, every problem with its place."""

import copy

import pytest
from django.core.exceptions import ValidationError

from questionnaire.models import Choice, Question, QuestionKind, Questionnaire, Section
from questionnaire.services.definition import read_definition
from questionnaire.services.definition.base import install_definition, validate_definition

SPEC_SECTIONS = ["library", "status", "models", "services", "staff", "economy", "organisation", "experience", "plans"]


@pytest.fixture
def definition():
    return read_definition()


def test_shipped_definition_has_the_spec_sections_and_unique_codes(definition):
    assert [s["code"] for s in definition["sections"]] == SPEC_SECTIONS
    codes = [q["code"] for s in definition["sections"] for q in s["questions"]]
    assert len(codes) == len(set(codes))
    assert {"status", "models", "primary_model", "resources_dkk", "quote_consent", "plans"} <= set(codes)


@pytest.mark.django_db
def test_install_creates_rows_for_every_section_question_and_choice(definition):
    questionnaire, created = install_definition(definition)
    assert created and questionnaire.version == 1
    assert list(questionnaire.sections.values_list("code", flat=True)) == SPEC_SECTIONS
    models = Question.objects.get(questionnaire=questionnaire, code="models")
    assert models.kind == QuestionKind.MULTI and models.required
    assert list(models.choices.values_list("code", flat=True)) == [
        "model_1", "model_2", "model_3", "model_4", "model_5", "model_6", "other",
    ]  # fmt: skip
    primary = Question.objects.get(questionnaire=questionnaire, code="primary_model")
    assert list(primary.choices.values_list("code", flat=True)) == list(models.choices.values_list("code", flat=True))
    units = Question.objects.get(questionnaire=questionnaire, code="units")
    assert (units.min_value, units.max_value) == (1, 200)
    started = Question.objects.get(questionnaire=questionnaire, code="started_year")
    assert started.kind == QuestionKind.YEAR and started.max_value is None  # "current": judged when answering
    assert started.show_if == {"question": "status", "any_of": ["active"]}
    assert Section.objects.get(questionnaire=questionnaire, code="plans").show_if == {
        "question": "status",
        "any_of": ["not_started"],
    }
    # Codes that YAML 1.1 would read as booleans stay strings.
    case = Question.objects.get(questionnaire=questionnaire, code="case_processing")
    assert list(case.choices.values_list("code", flat=True)) == ["yes", "partly", "no"]


@pytest.mark.django_db
def test_installing_the_same_definition_twice_keeps_one_version(definition):
    first, _ = install_definition(definition)
    again, created = install_definition(copy.deepcopy(definition))
    assert not created and again == first
    assert Questionnaire.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_definition_becomes_a_new_version_and_leaves_the_old_one_alone(definition):
    first, _ = install_definition(definition)
    old_label = Question.objects.get(questionnaire=first, code="units").label
    changed = copy.deepcopy(definition)
    changed["sections"][0]["questions"][4]["label"] = "Antal betjeningssteder?"
    second, created = install_definition(changed)
    assert created and second.version == 2
    assert Question.objects.get(questionnaire=first, code="units").label == old_label
    assert Question.objects.get(questionnaire=second, code="units").label == "Antal betjeningssteder?"
    assert (
        Choice.objects.filter(question__questionnaire=first).count()
        == Choice.objects.filter(question__questionnaire=second).count()
    )


def minimal(**question):
    question.setdefault("code", "q1")
    question.setdefault("type", "text")
    question.setdefault("label", "Spørgsmål")
    return {"code": "t", "title": "T", "sections": [{"code": "s", "title": "S", "questions": [question]}]}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (minimal(type="dropdown"), ("unknown_type", "type")),
        (minimal(type="single"), ("no_choices", "choices")),
        (minimal(type="integer", min=10, max=1), ("bounds", "min")),
        (minimal(type="integer"), ("bounds", "min")),
        (minimal(code="Bad Code"), ("bad_code", "code")),
        (minimal(show_if={"question": "later", "any_of": ["x"]}), ("condition_order", "show_if")),
        (
            minimal(type="single", choices=[{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]),
            ("duplicate_choice", "code"),
        ),
    ],
)
def test_invalid_definitions_are_rejected_with_the_problem_and_its_place(data, problem):
    with pytest.raises(ValidationError) as error:
        validate_definition(data)
    [found] = error.value.error_list
    assert (found.code, found.params["field"]) == problem
    assert found.params["path"][:4] == ("sections", 0, "questions", 0)


def test_a_condition_on_a_choice_the_question_does_not_offer_is_rejected():
    data = minimal(type="single", choices=[{"code": "a", "label": "A"}])
    data["sections"][0]["questions"].append(
        {"code": "q2", "type": "text", "label": "L", "show_if": {"question": "q1", "any_of": ["zzz"]}}
    )
    with pytest.raises(ValidationError) as error:
        validate_definition(data)
    [found] = error.value.error_list
    assert found.code == "condition_choice" and found.params["choices"] == "zzz"
    assert found.params["path"] == ("sections", 0, "questions", 1)


def test_duplicate_question_codes_across_sections_are_rejected(definition):
    data = copy.deepcopy(definition)
    data["sections"][1]["questions"].append({"code": "units", "type": "text", "label": "Igen"})
    with pytest.raises(ValidationError) as error:
        validate_definition(data)
    [found] = error.value.error_list
    assert (found.code, found.params["question"]) == ("duplicate", "units")
