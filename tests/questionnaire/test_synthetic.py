import pytest
from django.core.management import CommandError, call_command

from questionnaire.conditions import visible_answers
from questionnaire.models import Answer, Invitation, Library, Response
from questionnaire.services.answers import response_answers
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.rounds import invitations_create
from tests.conftest import make_invitation, make_round

pytestmark = pytest.mark.django_db


def test_generates_submitted_consistent_responses_from_marked_libraries(capsys):
    round_ = make_round(slug="bench")
    call_command("generate_responses", "bench", "--count", "300")
    assert "300 synthetic responses added" in capsys.readouterr().out
    responses = Response.objects.filter(invitation__round=round_)
    assert responses.count() == 300 == responses.submitted().count()
    libraries = Library.objects.filter(invitations__round=round_)
    assert libraries.count() == 300
    assert not libraries.filter(synthetic=False).exists()
    assert not libraries.filter(active=True).exists() and not libraries.exclude(email="").exists()
    assert libraries.values("municipality").distinct().count() == 98

    # Answers respect the conditions: only shown questions are answered, required ones always.
    sections = questionnaire_sections(round_.questionnaire)
    for response in responses[:25]:
        answers = response_answers(response)
        assert visible_answers(sections, answers) == answers
        assert answers["status"] in ("active", "not_started") and answers["respondent_name"]

    # Distributions like the seed's: about 45 % active, model 3 the most common.
    active = Answer.objects.filter(response__in=responses, question__code="status", choice__code="active").count()
    assert 0.35 < active / 300 < 0.55
    models = Answer.objects.filter(response__in=responses, question__code="models")
    counts = {c: models.filter(choice__code=c).count() for c in ("model_1", "model_3", "model_6")}
    assert counts["model_3"] > counts["model_1"] > 0 and counts["model_3"] > counts["model_6"]
    amounts = Answer.objects.filter(response__in=responses, question__code="resources_dkk").values_list(
        "number", flat=True
    )
    assert min(amounts) >= 20_000 and max(amounts) <= 30_000_000


def test_synthetic_libraries_are_never_invited_to_a_real_round():
    call_command("open_round", "bench")
    call_command("generate_responses", "bench", "--count", "5")
    real = make_round(slug="real")
    assert invitations_create(round=real) == []


def test_refuses_a_round_with_real_libraries():
    invitation = make_invitation()
    with pytest.raises(CommandError, match="real libraries"):
        call_command("generate_responses", invitation.round.slug, "--count", "10")
    assert Invitation.objects.count() == 1 and not Response.objects.exists()
