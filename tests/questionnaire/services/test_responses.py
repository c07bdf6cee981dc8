"""What a library does through its link: saving sections and submitting."""

import contextlib
import threading

import pytest
from django.db import connection

from questionnaire.models import Response
from questionnaire.services.answers import response_answers
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.responses import IncompleteResponse, ResponseAlreadySubmitted, response_submit, section_save
from tests.conftest import ACTIVE_ANSWERS, NOT_STARTED_ANSWERS, answer_all, make_invitation

pytestmark = pytest.mark.django_db


def sections_of(invitation):
    return questionnaire_sections(invitation.round.questionnaire)


def section(invitation, code):
    return next(s for s in sections_of(invitation) if s.code == code)


def test_saving_a_section_replaces_only_that_sections_answers(invitation):
    section_save(invitation=invitation, section=section(invitation, "library"), values=ACTIVE_ANSWERS)
    section_save(invitation=invitation, section=section(invitation, "models"), values=ACTIVE_ANSWERS)
    section_save(
        invitation=invitation,
        section=section(invitation, "models"),
        values={"models": ["model_1"], "primary_model": "model_1"},
    )
    answers = response_answers(invitation.response)
    assert answers["models"] == ["model_1"] and answers["primary_model"] == "model_1"
    assert "locations" not in answers  # saved again without it: unanswered now
    assert answers["respondent_name"] == "Hanne Jensen" and answers["units"] == 3


def test_submit_removes_answers_that_are_no_longer_shown(invitation):
    answer_all(invitation, {**ACTIVE_ANSWERS, "quote": ""}, submit=False)
    # The library changes its mind: it has not started after all.
    section_save(invitation=invitation, section=section(invitation, "status"), values={"status": "not_started"})
    section_save(invitation=invitation, section=section(invitation, "plans"), values={"plans": "within_year"})
    response = response_submit(invitation=invitation, sections=sections_of(invitation))
    answers = response_answers(response)
    assert answers["status"] == "not_started" and answers["plans"] == "within_year"
    assert not {"models", "primary_model", "services", "resources_dkk", "started_year"} & set(answers)


def test_submit_refuses_while_a_shown_required_question_is_unanswered(invitation):
    incomplete = {k: v for k, v in ACTIVE_ANSWERS.items() if k != "primary_model"}
    answer_all(invitation, incomplete, submit=False)
    with pytest.raises(IncompleteResponse) as error:
        response_submit(invitation=invitation, sections=sections_of(invitation))
    assert [q.code for q in error.value.missing] == ["primary_model"]
    assert not Response.objects.get(invitation=invitation).is_submitted


def test_an_incomplete_submit_reaches_the_caller_through_a_context_manager(invitation):
    @contextlib.contextmanager
    def around():
        yield

    answer_all(invitation, {k: v for k, v in ACTIVE_ANSWERS.items() if k != "primary_model"}, submit=False)
    # A generator context manager sets the exception's __traceback__ on the way out.
    with pytest.raises(IncompleteResponse), around():
        response_submit(invitation=invitation, sections=sections_of(invitation))


def test_quote_consent_is_required_only_when_a_quote_is_given(invitation):
    answer_all(invitation, {**ACTIVE_ANSWERS, "quote": "Giv tid!"}, submit=False)
    with pytest.raises(IncompleteResponse) as error:
        response_submit(invitation=invitation, sections=sections_of(invitation))
    assert [q.code for q in error.value.missing] == ["quote_consent"]


def test_submitting_twice_changes_nothing_and_later_saves_are_refused(invitation):
    first = answer_all(invitation, NOT_STARTED_ANSWERS)
    again = response_submit(invitation=invitation, sections=sections_of(invitation))
    assert again.submitted_at == first.submitted_at
    with pytest.raises(ResponseAlreadySubmitted):
        section_save(invitation=invitation, section=section(invitation, "plans"), values={"plans": "no_plans"})
    assert response_answers(again)["plans"] == "later"


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_different_sections_at_once_lose_neither():
    invitation = make_invitation()
    sections = {s.code: s for s in sections_of(invitation)}
    barrier = threading.Barrier(2)
    errors = []

    def save(code, values):
        try:
            barrier.wait()
            section_save(invitation=invitation, section=sections[code], values=values)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("library", ACTIVE_ANSWERS)),
        threading.Thread(target=save, args=("status", {"status": "active", "started_year": 2008})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    answers = response_answers(Response.objects.get(invitation=invitation))
    assert answers["respondent_name"] == "Hanne Jensen" and answers["status"] == "active"
    assert Response.objects.filter(invitation=invitation).count() == 1
