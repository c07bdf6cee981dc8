"""Display conditions ("show if"), evaluated on the server.

A condition is a small dict stored with a section or a question:
``{"question": "status", "any_of": ["active"]}`` is met when one of those choices
is chosen; ``{"question": "quote", "answered": true}`` when the question has any
answer. Answers are given as a mapping from question code to value: a choice
code (single), a list of choice codes (multi), a string or an integer.
"""

from collections.abc import Mapping
from itertools import combinations

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


def branching_questions(sections) -> set[str]:
    """Return the codes of the questions that decide which sections are shown.

    Those a section's condition names, and those a condition of one of them names in
    turn (a question shown only after another answer, whose own answer shows a section).
    """
    questions = {question.code: question for section in sections for question in section.questions.all()}
    deciding = {section.show_if["question"] for section in sections if section.show_if}
    while True:
        more = {
            questions[code].show_if["question"]
            for code in deciding
            if code in questions and questions[code].show_if and questions[code].show_if["question"] not in deciding
        }
        if not more:
            return deciding
        deciding |= more


# A multiple-choice question naming more choices in conditions than this is tried choice by choice
# and with all of them, not in every combination.
MAX_COMBINED_CHOICES = 8


def possible_answers(question, conditions) -> list:
    """Return answers to *question* that between them meet every outcome *conditions* can have."""
    named = sorted({code for condition in conditions for code in condition.get("any_of", ())})
    if question.kind == QuestionKind.MULTI:
        named = named or [choice.code for choice in question.choices.all()][:1]
        if len(named) <= MAX_COMBINED_CHOICES:
            values = [list(chosen) for n in range(1, len(named) + 1) for chosen in combinations(named, n)]
        else:
            values = [[code] for code in named] + [named]
    elif question.has_choices:
        values = [choice.code for choice in question.choices.all()]
    else:
        values = ["…"]
    # A question that need not be answered may stay empty; a hidden one never counts anyway.
    return values if question.required and not question.show_if else [*values, None]


def possible_lengths(sections, answers) -> tuple[int, ...]:
    """Return every number of sections the library's way may still have, given *answers*, fewest first.

    One number once the answers that decide the way are given; until then each answer
    the deciding questions could still get is tried, in questionnaire order.
    """
    deciding = branching_questions(sections)
    conditions = [
        holder.show_if
        for section in sections
        for holder in (section, *section.questions.all())
        if holder.show_if and holder.show_if["question"] in deciding
    ]
    lengths = set()

    def walk(answers, tried):
        shown = visible_answers(sections, answers)
        visible = visible_sections(sections, answers)
        pending = next(
            (
                question
                for section in visible
                for question in section.questions.all()
                if question.code in deciding and question.code not in shown and question.code not in tried
            ),
            None,
        )
        if pending is None:
            lengths.add(len(visible))
            return
        on_it = [condition for condition in conditions if condition["question"] == pending.code]
        for value in possible_answers(pending, on_it):
            trial = {key: given for key, given in answers.items() if key != pending.code}
            if value is not None:
                trial[pending.code] = value
            walk(trial, tried | {pending.code})

    walk(dict(answers), frozenset())
    return tuple(sorted(lengths))


def chosen_labels(condition: Mapping, source) -> str:
    """Return the labels of the choices that *condition* asks of question *source*, for a sentence.

    The sentence puts the result in quotes; the separator closes and reopens them, so
    that each label stands in quotes of its own: “A” or “B” (»A« eller »B«).
    """
    labels = [choice.label for choice in source.choices.all() if choice.code in condition["any_of"]]
    return gettext("” or “").join(labels)
