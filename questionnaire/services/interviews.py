"""Interviews of a round: the questionnaire's choices that their quotes and cases refer to.

A quote's themes are codes of the questionnaire's challenges question and a case story's
model is a code of its models question, so that interview findings stand beside the
answers they speak to. The choices come from the round's own questionnaire version (the
newest version for an interview not yet saved to a round).
"""

from ..codes import CHALLENGES, MODELS
from ..models import Choice, Questionnaire, Round


def _choices(question_code: str, round: Round | None) -> list[tuple[str, str]]:
    questionnaire_id = round.questionnaire_id if round is not None else None
    if questionnaire_id is None:
        newest = Questionnaire.objects.order_by("-created_at", "-pk").first()
        questionnaire_id = newest.pk if newest else None
    choices = Choice.objects.filter(question__questionnaire_id=questionnaire_id, question__code=question_code)
    return list(choices.order_by("position").values_list("code", "label"))


def challenge_choices(*, round: Round | None = None) -> list[tuple[str, str]]:
    """Return the (code, label) of the challenges a quote may speak to."""
    return _choices(CHALLENGES, round)


def model_choices(*, round: Round | None = None) -> list[tuple[str, str]]:
    """Return the (code, label) of the cooperation models a case story may illustrate."""
    return _choices(MODELS, round)
