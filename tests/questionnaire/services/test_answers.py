"""How answers are stored and read back."""

import pytest
from django.db import connection

from questionnaire.models import Answer, Library, Response
from questionnaire.services.answers import answers_by_response, answers_insert, response_answers
from questionnaire.services.questionnaire import questionnaire_sections, section_questions
from questionnaire.services.responses import section_save
from tests.conftest import (
    ACTIVE_ANSWERS,
    NOT_STARTED_ANSWERS,
    answer_all,
    make_invitation,
    make_library,
    make_round,
)

pytestmark = pytest.mark.django_db

IN_QUESTIONNAIRE_ORDER = {**ACTIVE_ANSWERS, "services": ["health_card", "passport"]}


def test_answers_are_one_row_per_value(invitation):
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    rows = Answer.objects.filter(response__invitation=invitation, question__code="models")
    assert sorted(rows.values_list("choice__code", flat=True)) == ["model_3", "model_4"]
    assert Library.objects.count() == 1


def test_a_choice_given_twice_is_stored_once(invitation):
    sections = questionnaire_sections(invitation.round.questionnaire)
    models = next(s for s in sections if s.code == "models")
    section_save(invitation=invitation, section=models, values={"models": ["model_1", "model_3", "model_1"]})
    assert response_answers(invitation.response)["models"] == ["model_1", "model_3"]


def test_every_shape_reads_back_as_it_was_written(invitation):
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    stored = response_answers(invitation.response)
    # Chosen choices come back in questionnaire order, whatever order they were given in.
    assert stored == IN_QUESTIONNAIRE_ORDER
    assert isinstance(stored["units"], int) and isinstance(stored["respondent_name"], str)


def test_many_responses_read_back_one_by_one_with_fields_alongside(db):
    round_ = make_round()
    first = answer_all(make_invitation(round=round_, library=make_library(name="Aabenraa")), ACTIVE_ANSWERS)
    second = answer_all(make_invitation(round=round_, library=make_library(name="Bornholm")), NOT_STARTED_ANSWERS)
    rows = list(
        answers_by_response(
            Answer.objects.filter(response__invitation__round=round_),
            order=("response__invitation__library__name",),
            extra=("response__invitation__library__name",),
        )
    )
    assert rows == [
        (first.pk, ("Aabenraa",), response_answers(first)),
        (second.pk, ("Bornholm",), response_answers(second)),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_stores_what_a_save_stores():
    round_ = make_round()
    saved = answer_all(make_invitation(round=round_, library=make_library(name="Gemt")), ACTIVE_ANSWERS)
    loaded = Response.objects.create(invitation=make_invitation(round=round_, library=make_library(name="Indlæst")))
    questions = {q.code: q for q in section_questions(questionnaire_sections(round_.questionnaire))}
    answers_insert((loaded.pk, questions[code], value) for code, value in ACTIVE_ANSWERS.items())
    assert connection.vendor == "postgresql"  # the COPY path, as the generator uses it
    assert response_answers(loaded) == response_answers(saved) == IN_QUESTIONNAIRE_ORDER
