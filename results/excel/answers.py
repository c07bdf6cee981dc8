"""`Svar`: a row per submitted response, streamed from the database so memory does not grow with N.

The library's columns first, then a column per question (a column per choice of a
multiple-choice question), with the codes above the texts; personal answers are left out.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from questionnaire.models import TEXT_KINDS, Choice, LibraryKind, Question, QuestionKind, Region, Round
from questionnaire.spreadsheets import xlsx_text_cell, xlsx_value

from ..filters import Filters
from ..tallies import PERSONAL_QUESTIONS, response_rows
from .cells import ANSWERS, CODE_FONT, Sheet, value_cell


@dataclass(frozen=True)
class AnswerColumn:
    """A column of `Svar` after the first ones: a question, or one choice of a multiple-choice question."""

    question: Question
    choice: Choice | None = None

    @property
    def code(self) -> str:
        return f"{self.question.code}/{self.choice.code}" if self.choice else self.question.code

    @property
    def header(self) -> str:
        return f"{self.question.label}: {self.choice.label}" if self.choice else self.question.label


def _answer_columns(questions) -> list[AnswerColumn]:
    """Return the columns of `Svar` after the first ones, leaving out personal answers."""
    columns = []
    for question in questions:
        if question.code in PERSONAL_QUESTIONS:
            continue
        if question.kind == QuestionKind.MULTI:
            columns += [AnswerColumn(question, choice) for choice in question.choices.all()]
        else:
            columns.append(AnswerColumn(question))
    return columns


def _library_columns(codes: bool) -> list[tuple[str, str, dict | None]]:
    """Return (code, header, {stored value: cell value} or None) for the library columns of `Svar`."""
    kinds = None if codes else {value: capfirst(str(label)) for value, label in LibraryKind.choices}
    regions = None if codes else {value: str(label) for value, label in Region.choices}
    return [
        ("bibliotek", _("Library"), None),
        ("type", _("Kind"), kinds),
        ("kommune", _("Municipality"), None),
        ("kommunekode", _("Municipality code"), None),
        ("region", _("Region"), regions),
        ("indsendt", _("Submitted"), None),
    ]


def answer_rows(round: Round, filters: Filters, columns, *, codes: bool = False, ws=None) -> Iterator[list]:
    """Yield the values of `Svar`, a list per submitted response, streamed from the database.

    With *codes*, choices are written as their codes and the choices of a multiple-choice
    question as 1/0; otherwise as people read them: labels, and Ja/Nej.
    """
    library_columns = _library_columns(codes)
    yes, no = (1, 0) if codes else (_("Yes"), _("No"))
    # Each question's part of a row: its answer as written, or the written choices of a multiple-choice question.
    parts = []
    for column in columns:
        question = column.question
        if column.choice is None:
            labels = None if codes or not question.has_choices else _labels(ws, question)
            parts.append((question.code, labels))
        elif parts and parts[-1][0] == question.code:
            parts[-1][1].append(column.choice.code)
        else:
            parts.append((question.code, [column.choice.code]))
    for row in response_rows(round, filters):
        library = (row.library, row.kind, row.municipality, row.municipality_code, row.region, row.submitted_at)
        values = [
            mapping[value] if mapping else value
            for value, (_c, _h, mapping) in zip(library, library_columns, strict=True)
        ]
        for code, part in parts:
            answer = row.answers.get(code)
            if isinstance(part, list):
                # Empty where the question was not answered (or not shown), yes/no where it was.
                values += [None] * len(part) if answer is None else [yes if choice in answer else no for choice in part]
            elif part is not None and answer is not None:
                values.append(part[answer])
            else:
                values.append(answer)
        yield values


def _labels(ws, question) -> dict:
    """Return {choice code: its label as a cell value}: a text cell where Excel could take the label for a formula."""
    return {choice.code: value_cell(ws, choice.label) for choice in question.choices.all()}


def answers_sheet(workbook, round: Round, filters: Filters, questions, *, codes: bool):
    columns = _answer_columns(questions)
    library_columns = _library_columns(codes)
    widths = [32, 16, 18, 12, 20, 17] + [
        40 if column.question.kind in TEXT_KINDS else (14 if codes else 22) for column in columns
    ]
    sheet = Sheet(workbook, ANSWERS, widths, freeze="B4")
    # The codes name the columns for analysts, the same in every round; the texts are for people.
    ws = sheet.ws
    codes_row = sheet.append(
        [xlsx_text_cell(ws, code, font=CODE_FONT) for code, _h, _m in library_columns]
        + [xlsx_text_cell(ws, column.code, font=CODE_FONT) for column in columns]
    )
    sheet.header(
        [str(header) for _c, header, _m in library_columns] + [column.header for column in columns],
        first_title_row=codes_row,
    )
    # Most columns hold numbers, yes/no, choice codes or labels, prepared once per choice.
    # Only what people typed (library names, text answers) goes through the writer rule cell by cell.
    typed_library_columns = {"bibliotek", "kommune"}
    kinds = [code in typed_library_columns for code, _h, _m in library_columns] + [
        column.question.kind in TEXT_KINDS for column in columns
    ]
    typed = [index for index, typed_by_people in enumerate(kinds) if typed_by_people]
    submitted = [code for code, _h, _m in library_columns].index("indsendt")
    # Excel has no time zones: the time as read in Denmark. The zone is looked up once, not per row.
    here = timezone.get_current_timezone()
    for values in answer_rows(round, filters, columns, codes=codes, ws=ws):
        for index in typed:
            if values[index] is not None:
                values[index] = xlsx_value(ws, values[index])
        if values[submitted] is not None:
            values[submitted] = values[submitted].astimezone(here).replace(tzinfo=None)
        sheet.append(values)
    sheet.filter()
