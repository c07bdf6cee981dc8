"""System checks: ``manage.py check`` fails when a round's questionnaire lacks a code the code relies on."""

from django.core.checks import Error, register
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from .codes import (
    ACTIVE,
    ANONYMOUS,
    CHALLENGES,
    DEVELOPMENT_FUNDS,
    FUNDS_USED_FOR,
    MODELS,
    NAMED,
    NOT_STARTED,
    PRIMARY_MODEL,
    QUOTE,
    QUOTE_CONSENT,
    RESOURCES,
    RESPONDENT_EMAIL,
    RESPONDENT_NAME,
    RESPONDENT_PHONE,
    RESPONDENT_TITLE,
    SERVICES,
    STATUS,
)
from .models import TEXT_KINDS, Question, QuestionKind, Questionnaire

# {question code: (the kinds it may have, the choice codes it must offer)}
REQUIRED_QUESTIONS = {
    STATUS: ((QuestionKind.SINGLE,), (ACTIVE, NOT_STARTED)),
    MODELS: ((QuestionKind.MULTI,), ()),
    PRIMARY_MODEL: ((QuestionKind.SINGLE,), ()),
    SERVICES: ((QuestionKind.MULTI,), ()),
    CHALLENGES: ((QuestionKind.MULTI,), ()),
    RESOURCES: ((QuestionKind.INTEGER,), ()),
    DEVELOPMENT_FUNDS: ((QuestionKind.SINGLE,), ()),
    FUNDS_USED_FOR: ((QuestionKind.MULTI,), ()),
    QUOTE: (TEXT_KINDS, ()),
    QUOTE_CONSENT: ((QuestionKind.SINGLE,), (NAMED, ANONYMOUS)),
    RESPONDENT_NAME: (TEXT_KINDS, ()),
    RESPONDENT_TITLE: (TEXT_KINDS, ()),
    RESPONDENT_EMAIL: ((QuestionKind.EMAIL,), ()),
    RESPONDENT_PHONE: (TEXT_KINDS, ()),
}


def required_codes_missing(questions) -> list[str]:
    """Return what *questions* (with their choices) lack of REQUIRED_QUESTIONS, one sentence each; [] if nothing."""
    by_code = {question.code: question for question in questions}
    problems = []
    for code, (kinds, choices) in REQUIRED_QUESTIONS.items():
        question = by_code.get(code)
        if question is None:
            problems.append(_("no question %(code)s") % {"code": repr(code)})
            continue
        if question.kind not in kinds:
            problems.append(
                _("question %(code)s is %(kind)s, not %(kinds)s")
                % {"code": repr(code), "kind": repr(question.kind), "kinds": _(" or ").join(kinds)}
            )
        offered = {choice.code for choice in question.choices.all()}
        problems += [
            _("question %(code)s has no choice %(choice)s") % {"code": repr(code), "choice": repr(choice)}
            for choice in choices
            if choice not in offered
        ]
    return problems


@register()
def round_questionnaires_check(app_configs=None, **kwargs):
    """Report every questionnaire version that a round uses and that lacks a required code."""
    try:
        versions = list(Questionnaire.objects.filter(rounds__isnull=False).distinct())
        questions = list(
            Question.objects.filter(questionnaire__in=versions).prefetch_related("choices").order_by("position")
        )
    except DatabaseError:
        return []  # not migrated yet: no rounds to check
    errors = []
    for version in versions:
        # The check speaks to developers, in English; staff uploading a workbook read the same in Danish.
        with translation.override("en"):
            problems = required_codes_missing(q for q in questions if q.questionnaire_id == version.pk)
        if problems:
            errors.append(
                Error(
                    f"Questionnaire {version.code} v{version.version} is used by a round but lacks "
                    f"what the code relies on: {'; '.join(problems)}.",
                    hint="Add them to the questionnaire definition (questionnaire/codes.py names them).",
                    obj=version,
                    id="questionnaire.E001",
                )
            )
    return errors
