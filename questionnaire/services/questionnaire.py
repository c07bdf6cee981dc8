"""The questionnaire versions, loaded once per process: they never change once installed."""

import functools

from ..models import Questionnaire, Section


def questionnaire_sections(questionnaire) -> list[Section]:
    """Return the sections with their questions and choices, loaded once per process.

    A questionnaire version never changes once installed (a changed definition is a
    new version), so every page can share one copy instead of three queries each.
    """
    return list(_version_sections(questionnaire.pk, questionnaire.content_hash))


@functools.lru_cache(maxsize=16)
def _version_sections(questionnaire_id: int, content_hash: str) -> tuple[Section, ...]:
    # The hash is part of the key so that a reused id can never return other content.
    return tuple(Section.objects.filter(questionnaire_id=questionnaire_id).prefetch_related("questions__choices"))


@functools.lru_cache(maxsize=16)
def questionnaire_version(questionnaire_id: int) -> Questionnaire:
    """Return the questionnaire version *questionnaire_id*, loaded once per process.

    Versions are never altered and their ids never reused, so the respondent's pages
    take the version from here instead of joining its long texts into every query.
    """
    return Questionnaire.objects.get(pk=questionnaire_id)


def section_questions(sections) -> list:
    """Return the questions of *sections*, in questionnaire order."""
    return [question for section in sections for question in section.questions.all()]
