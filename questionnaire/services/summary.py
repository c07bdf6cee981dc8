"""Answers as people read them: choice labels rather than codes, amounts with thousands separators.

The respondent's review page, the receipt, the admin and the change history show answers this way.
"""

from dataclasses import dataclass

from django.utils.formats import number_format

from ..conditions import condition_met, is_answered, visible_answers, visible_sections
from ..models import Question, QuestionKind, Section


@dataclass
class SummaryRow:
    question: Question
    values: list[str]  # display texts, in questionnaire order; empty when unanswered
    missing: bool


def answer_texts(question, value) -> list[str]:
    """Return *value* as people read it; an empty list when unanswered."""
    if not is_answered(value):
        return []
    if question.has_choices:
        labels = {choice.code: choice.label for choice in question.choices.all()}
        return [labels.get(code, code) for code in (value if isinstance(value, list | tuple) else [value])]
    if question.kind == QuestionKind.INTEGER:
        return [number_format(value, force_grouping=True)]
    return [str(value)]


def answer_display(question, value) -> str:
    """Return *value* as one line for the change history, "" when unanswered."""
    return "; ".join(answer_texts(question, value))


def answer_summary(sections, answers, missing=()) -> list[tuple[Section, list[SummaryRow]]]:
    """Return the shown sections with their shown questions and answers as display texts."""
    shown = visible_answers(sections, answers)
    missing_codes = {question.code for question in missing}
    summary = []
    for section in visible_sections(sections, answers):
        rows = []
        for question in section.questions.all():
            if not condition_met(question.show_if, shown):
                continue
            values = answer_texts(question, shown.get(question.code))
            rows.append(SummaryRow(question, values, question.code in missing_codes))
        summary.append((section, rows))
    return summary
