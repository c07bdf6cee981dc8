"""Display conditions ("show if"), evaluated on the server.

A condition is a small dict stored with a section or a question:
``{"question": "status", "any_of": ["active"]}`` is met when one of those choices
is chosen; ``{"question": "quote", "answered": true}`` when the question has any
answer. Answers are given as a mapping from question code to value: a choice
code (single), a list of choice codes (multi), a string or an integer.
"""

from collections.abc import Mapping

from django.utils.translation import gettext


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


def possible_sections(sections, answers):
    """Return the sections that are shown, or may still be shown once a question is answered.

    Progress ("step 2 of 9") counts these, so that the count only ever shrinks as
    the library answers the questions the path depends on.
    """
    shown = visible_answers(sections, answers)
    return [
        section
        for section in sections
        if condition_met(section.show_if, shown) or section.show_if["question"] not in shown
    ]


def chosen_labels(condition: Mapping, source) -> str:
    """Return the labels of the choices that *condition* asks of question *source*, for a sentence.

    The sentence puts the result in quotes; the separator closes and reopens them, so
    that each label stands in quotes of its own: “A” or “B” (»A« eller »B«).
    """
    labels = [choice.label for choice in source.choices.all() if choice.code in condition["any_of"]]
    return gettext("” or “").join(labels)
