"""The system check: a round's questionnaire must hold every code the code relies on."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from questionnaire.checks import required_codes_missing
from questionnaire.models import Choice, Question
from questionnaire.services.questionnaire import questionnaire_sections, section_questions
from tests.conftest import make_round

pytestmark = pytest.mark.django_db


def test_the_shipped_questionnaire_holds_every_required_code():
    round_ = make_round()
    assert required_codes_missing(section_questions(questionnaire_sections(round_.questionnaire))) == []
    call_command("check")  # raises SystemCheckError on any error


def test_a_round_on_a_version_without_a_required_code_fails_the_check():
    round_ = make_round()
    Choice.objects.filter(
        question__questionnaire=round_.questionnaire, question__code="quote_consent", code="named"
    ).delete()
    Question.objects.filter(questionnaire=round_.questionnaire, code="resources_dkk").update(kind="text")
    Question.objects.filter(questionnaire=round_.questionnaire, code="primary_model").delete()
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    message = str(error.value)
    assert "questionnaire.E001" in message
    assert "no question 'primary_model'" in message
    assert "question 'resources_dkk' is 'text', not integer" in message
    assert "question 'quote_consent' has no choice 'named'" in message


def test_a_version_no_round_uses_is_not_checked():
    round_ = make_round()
    round_.delete()
    Question.objects.filter(code="status").delete()
    call_command("check")
