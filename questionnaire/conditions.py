"""Display conditions ("show if"), evaluated on the server.

A condition is a small dict stored with a section or a question:
``{"question": "status", "any_of": ["active"]}`` is met when one of those choices
is chosen; ``{"question": "quote", "answered": true}`` when the question has any
answer. Answers are given as a mapping from question code to value: a choice
code (single), a list of choice codes (multi), a string or an integer.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from .models import QuestionKind


def is_answered(value):
    return value not in (None, "", [], ())


def condition_met(condition: Mapping | None, answers: Mapping) -> bool:
    """Return whether *condition* holds for *answers*; no condition always holds."""
    if not condition:
        return True
    value = answers.get(condition["question"])
    if "any_of" in condition:
        chosen = value if isinstance(value, list | tuple) else [value]
        return any(code in chosen for code in condition["any_of"])
    if condition.get("answered"):
        return is_answered(value)
    raise ValueError(f"Unknown condition: {condition!r}")


def visible_answers(sections, answers):
    """Return the answers that count: those of questions that are shown.

    Walks the questionnaire in order, so a condition is judged only on answers
    that are themselves shown (conditions refer to earlier questions only). A
    hidden question's old answer never makes anything else appear.
    """
    shown = {}
    for section in sections:
        if not condition_met(section.show_if, shown):
            continue
        for question in section.questions.all():
            if condition_met(question.show_if, shown) and question.code in answers:
                shown[question.code] = answers[question.code]
    return shown


def visible_sections(sections, answers):
    """Return the sections that are shown for *answers*, in order."""
    shown = visible_answers(sections, answers)
    return [section for section in sections if condition_met(section.show_if, shown)]


def neighbour_section(sections, answers, code, step: int):
    """Return the section *step* places from section *code* among those shown, or None past either end."""
    shown = visible_sections(sections, answers)
    index = next(i for i, section in enumerate(shown) if section.code == code) + step
    return shown[index] if 0 <= index < len(shown) else None


@dataclass(frozen=True)
class Path:
    """How many sections the library's way through the questionnaire has, as far as its answers tell."""

    length: int
    settled: bool  # False while an unanswered question may still add or remove sections


def questionnaire_path(sections, answers) -> Path:
    """Return the length of the longest way through *sections* still open to *answers*.

    Progress ("step 3 of 9") counts it. Until the questions the way depends on are
    answered, each answer they could get is tried and the longest way counts, so the
    count never names more steps than any library can meet ("up to 9").
    """
    shown = visible_answers(sections, answers)
    visible = visible_sections(sections, answers)
    on_the_way = {question.code: question for section in visible for question in section.questions.all()}
    pending = next(
        (
            section.show_if["question"]
            for section in sections
            if section.show_if
            and section.show_if["question"] not in shown
            and section.show_if["question"] in on_the_way
        ),
        None,
    )
    if pending is None:
        return Path(len(visible), settled=True)
    question = on_the_way[pending]
    if question.has_choices:
        multi = question.kind == QuestionKind.MULTI
        alternatives = [[choice.code] if multi else choice.code for choice in question.choices.all()]
    else:
        alternatives = ["…"]
    longest = max(questionnaire_path(sections, {**answers, pending: value}).length for value in alternatives)
    return Path(max(longest, len(visible)), settled=False)


def chosen_labels(condition: Mapping, source) -> str:
    """Return the labels of the choices that *condition* asks of question *source*, for a sentence.

    The sentence puts the result in quotes; the separator closes and reopens them, so
    that each label stands in quotes of its own: “A” or “B” (»A« eller »B«).
    """
    labels = [choice.label for choice in source.choices.all() if choice.code in condition["any_of"]]
    return gettext("” or “").join(labels)
