"""Reading an XLSForm workbook (the layout: ``xlsform``) back into a questionnaire definition.

The reader turns a workbook into a definition and hands it to the one validator
(``base.validate_definition``); every problem, the reader's own and the validator's,
is told in Danish with its sheet, row and column. ``xlsform_reading`` keeps what it read
and where each part came from (``Reading``), so that a later stage (``services.authoring``:
the codes compared with the installed versions) can place its problems too and every
problem is told at once. Nothing here writes to the database.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ...models import QuestionKind
from ...spreadsheets import SpreadsheetRefused, WorkbookLimits, sheet_rows, workbook_open
from .base import CURRENT_YEAR, KINDS, canonical, validate_definition
from .xlsform import (
    CHOICES,
    FALSE,
    KNOWN_TYPES,
    MULTILINE,
    PLAIN_TYPES,
    REQUIRED_COLUMNS,
    SELECT_TYPES,
    SETTINGS,
    SURVEY,
    THIS_YEAR,
    TRUE,
)


@dataclass(frozen=True)
class Problem:
    """One problem of an uploaded workbook, where it is: sheet, row (1-based, as Excel shows it) and column."""

    sheet: str
    row: int | None
    column: str  # the column's name in row 1, "" for the sheet as a whole
    letter: str
    message: str

    def __str__(self):
        if self.row is None:
            return _("Sheet “%(sheet)s”: %(problem)s") % {"sheet": self.sheet, "problem": self.message}
        if not self.column:
            return _("Sheet “%(sheet)s”, row %(row)d: %(problem)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "problem": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)d, column “%(column)s” (%(letter)s): %(problem)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "problem": self.message,
        }


class WorkbookProblems(ValidationError):
    """The problems of an uploaded workbook, each with its place; nothing may be installed from it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(problem) for problem in problems], code="workbook")


class _Sheet:
    """A sheet's rows as {column name: value}, with the row numbers and column letters Excel shows."""

    def __init__(self, workbook, title, problems, limits: WorkbookLimits):
        self.title = title
        self.rows: list[tuple[int, dict]] = []
        self.letters: dict[str, str] = {}
        self.problems = problems
        if title not in workbook.sheetnames:
            self.missing = True
            problems.append(Problem(title, None, "", "", _("The sheet is missing.")))
            return
        self.missing = False
        ws = workbook[title]
        header = None
        for number, values in enumerate(sheet_rows(ws, limits), 1):
            if header is None:
                header = [_cell(value).lower().replace(" ", "_") for value in values]
                for index, name in enumerate(header):
                    if name and name not in self.letters:
                        self.letters[name] = get_column_letter(index + 1)
                for name in REQUIRED_COLUMNS[title]:
                    if name not in self.letters:
                        problems.append(
                            Problem(title, 1, name, "", _("The column “%(column)s” is missing.") % {"column": name})
                        )
                continue
            row = {name: _cell(value) for name, value in zip(header, values, strict=False) if name}
            if any(row.values()):
                self.rows.append((number, row))

    def place(self, row: int | None, column: str, message: str) -> Problem:
        return Problem(self.title, row, column, self.letters.get(column, ""), message)

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(self.place(row, column, message))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


SELECTED = re.compile(r"^selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)$")
EQUALS = re.compile(r"^\$\{(\w+)\}\s*=\s*'([^']*)'$")
ANSWERED = re.compile(r"^(?:\$\{(\w+)\}\s*!=\s*''|string-length\(\s*\$\{(\w+)\}\s*\)\s*>\s*0)$")
INTEGER = re.compile(r"^-?\d+$")


def parse_relevant(text: str) -> dict | None:
    """Return the show-if condition that the XLSForm expression *text* writes; raise ValueError if it is none."""
    if not text:
        return None
    terms = [term.strip() for term in re.split(r"\s+or\s+", text.strip())]
    if len(terms) == 1 and (match := ANSWERED.match(terms[0])):
        return {"question": match.group(1) or match.group(2), "answered": True}
    question, choices = None, []
    for term in terms:
        match = SELECTED.match(term) or EQUALS.match(term)
        if not match or (question is not None and match.group(1) != question):
            raise ValueError(text)
        question = match.group(1)
        choices.append(match.group(2))
    return {"question": question, "any_of": choices}


def parse_constraint(text: str) -> dict:
    """Return {min, max, max_length} from the XLSForm constraint *text*; raise ValueError naming a bad part."""
    bounds = {}
    if not text:
        return bounds
    for term in re.split(r"\s+and\s+", text.strip()):
        term = term.strip()
        if match := re.match(r"^\.\s*>=\s*(.+)$", term):
            key, value = "min", match.group(1).strip()
        elif match := re.match(r"^\.\s*<=\s*(.+)$", term):
            key, value = "max", match.group(1).strip()
            if value.replace(" ", "") == THIS_YEAR.replace(" ", ""):
                bounds[key] = CURRENT_YEAR
                continue
        elif match := re.match(r"^string-length\(\s*\.\s*\)\s*<=\s*(.+)$", term):
            key, value = "max_length", match.group(1).strip()
        else:
            raise ValueError(term)
        if not INTEGER.match(value):
            raise ValueError(value)
        bounds[key] = int(value)
    return bounds


def _flag(value: str) -> bool | None:
    value = value.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def upload_limits() -> WorkbookLimits:
    """The limits a questionnaire workbook is read within (settings QUESTIONNAIRE_MAX_*)."""
    return WorkbookLimits(
        upload_bytes=django_settings.QUESTIONNAIRE_MAX_UPLOAD_BYTES,
        inflated_bytes=django_settings.QUESTIONNAIRE_MAX_INFLATED_BYTES,
        rows=django_settings.QUESTIONNAIRE_MAX_ROWS,
        columns=django_settings.QUESTIONNAIRE_MAX_COLUMNS,
    )


@dataclass
class Reading:
    """A workbook as read: its definition as written, the problems of reading and validating it, and its places.

    *definition* is None when not even the sheets could be read (no workbook, a sheet or a
    column missing); otherwise it is the mapping as the workbook writes it, valid or not.
    """

    definition: dict | None
    problems: list[Problem]
    places: dict = field(default_factory=dict)  # path in the definition -> (sheet, row)
    broken: set = field(default_factory=set)  # codes of questions whose type or list the reader refused

    def locate(self, error: ValidationError) -> list[Problem]:
        """Return the problems of *error* (``base.problem``: path and field) placed on their sheet, row, column."""
        return _locate(error, self.places, self.broken)


def placed_in_order(problems: list[Problem], later: list[Problem] = ()) -> list[Problem]:
    """Return *problems*, then *later*, one per cell and in the order of the sheets and rows.

    The first problem of a cell is kept (the reader's own before the validator's echo of it);
    a *later* stage's problem is kept unless an earlier one is told on its cell.
    """
    unique, seen = [], set()
    for item in problems:
        key = (item.sheet, item.row, item.column)
        if key not in seen or item.row is None:
            unique.append(item)
            seen.add(key)
    told = set(unique)
    for item in later:
        if item not in told and ((item.sheet, item.row, item.column) not in seen or item.row is None):
            unique.append(item)
            told.add(item)
    order = {SURVEY: 0, CHOICES: 1, SETTINGS: 2}
    unique.sort(key=lambda item: (order.get(item.sheet, 3), item.row or 0))
    return unique


def read_xlsform(handle) -> dict:
    """Return the definition in the XLSForm workbook *handle*, validated; raise WorkbookProblems, naming each."""
    reading = xlsform_reading(handle)
    if reading.problems:
        raise WorkbookProblems(placed_in_order(reading.problems))
    return canonical(reading.definition)


def xlsform_reading(handle) -> Reading:
    """Return the XLSForm workbook *handle* read and validated, with every problem so far placed (``Reading``)."""
    limits = upload_limits()
    # One byte past the limit is enough to know the file is too large.
    data = handle.read(limits.upload_bytes + 1)
    try:
        workbook = workbook_open(data, limits)
    except SpreadsheetRefused as refused:
        message = _("The file is not an Excel workbook (.xlsx).") if refused.unreadable else str(refused)
        return Reading(None, [Problem("", None, "", "", message)])
    problems: list[Problem] = []
    try:
        survey = _Sheet(workbook, SURVEY, problems, limits)
        choices = _Sheet(workbook, CHOICES, problems, limits)
        settings = _Sheet(workbook, SETTINGS, problems, limits)
    except SpreadsheetRefused as refused:
        return Reading(None, [Problem("", None, "", "", str(refused))])
    finally:
        workbook.close()
    if problems:
        return Reading(None, problems)

    lists: dict[str, list[dict]] = {}
    choice_rows: dict[str, list[int]] = {}
    for number, row in choices.rows:
        name = row.get("list_name", "")
        if not name:
            choices.problem(number, "list_name", _("The choice has no list name."))
            continue
        lists.setdefault(name, []).append({"code": row.get("name", ""), "label": row.get("label", "")})
        choice_rows.setdefault(name, []).append(number)

    first_settings = settings.rows[0] if settings.rows else (2, {})
    settings_row, values = first_settings
    data = {
        "code": values.get("form_id", ""),
        "title": values.get("form_title", ""),
        "intro": values.get("introduction", ""),
        "purpose": values.get("purpose", ""),
        "privacy": values.get("privacy", ""),
        "sections": [],
    }
    # Where each part of the definition came from: path -> (sheet, row); fields map to columns below.
    places: dict[tuple, tuple[_Sheet, int | None]] = {(): (settings, settings_row)}
    broken = set()  # questions whose type or list the reader refused: conditions on them are not told again
    section = None
    for number, row in survey.rows:
        kind = " ".join(row.get("type", "").split()).lower().replace("begin_group", "begin group")
        kind = kind.replace("end_group", "end group")
        if kind == "begin group":
            if section is not None:
                survey.problem(number, "type", _("A group begins inside another group; end the first one first."))
            section = {
                "code": row.get("name", ""),
                "title": row.get("label", ""),
                "intro": row.get("hint", ""),
                "questions": [],
            }
            section["show_if"] = _read_relevant(survey, number, row)
            places[("sections", len(data["sections"]))] = (survey, number)
            data["sections"].append(section)
            continue
        if kind == "end group":
            if section is None:
                survey.problem(number, "type", _("A group ends that has not begun."))
            section = None
            continue
        if section is None:
            survey.problem(
                number, "type", _("The question is outside a group: every question belongs to a section (begin group).")
            )
            continue
        question = {
            "code": row.get("name", ""),
            "label": row.get("label", ""),
            "help": row.get("hint", ""),
            "show_if": _read_relevant(survey, number, row),
        }
        required = _flag(row.get("required", ""))
        if required is None:
            survey.problem(
                number,
                "required",
                _("Write yes or leave the cell empty, not “%(value)s”.") % {"value": row["required"]},
            )
        question["required"] = bool(required)
        question["type"], list_name = _read_type(survey, number, kind, row.get("appearance", ""))
        if question["type"] not in KINDS:
            broken.add(question["code"])
        if list_name is not None:
            if list_name not in lists:
                broken.add(question["code"])
                survey.problem(
                    number,
                    "type",
                    _("The choice list “%(list)s” does not exist on the sheet “choices”.") % {"list": list_name},
                )
            question["choices"] = [dict(choice) for choice in lists.get(list_name, [])]
        try:
            question.update(parse_constraint(row.get("constraint", "")))
        except ValueError as error:
            survey.problem(
                number,
                "constraint",
                _(
                    "“%(part)s” is not a bound this app understands; "
                    "bounds are whole numbers, as in “. >= 1 and . <= 200”."
                )
                % {"part": error.args[0]},
            )
        q_index = len(section["questions"])
        places[("sections", len(data["sections"]) - 1, "questions", q_index)] = (survey, number)
        if list_name in choice_rows:
            for c_index, choice_row in enumerate(choice_rows[list_name]):
                places[("sections", len(data["sections"]) - 1, "questions", q_index, "choices", c_index)] = (
                    choices,
                    choice_row,
                )
        section["questions"].append(question)
    if section is not None:
        survey.problem(None, "", _("The last group has no “end group” row."))

    try:
        validate_definition(data)
    except ValidationError as error:
        problems += _locate(error, places, broken)
    return Reading(data, problems, places, broken)


def _read_relevant(sheet: _Sheet, number: int, row: dict):
    try:
        return parse_relevant(row.get("relevant", ""))
    except ValueError:
        sheet.problem(
            number,
            "relevant",
            _(
                "The condition “%(text)s” is not one this app understands; write selected(${question}, 'choice') "
                "(several joined by or) or ${question} != ''."
            )
            % {"text": row.get("relevant", "")},
        )
        return None


def _read_type(sheet: _Sheet, number: int, kind: str, appearance: str) -> tuple[str, str | None]:
    """Return (question type, choice list name or None) of an XLSForm type."""
    word, _space, rest = kind.partition(" ")
    if word in SELECT_TYPES and rest and " " not in rest:
        return SELECT_TYPES[word], rest
    if kind in PLAIN_TYPES:
        if appearance.lower() == MULTILINE and kind == "text":
            return QuestionKind.LONG_TEXT, None
        return PLAIN_TYPES[kind], None
    sheet.problem(
        number, "type", _("Unknown type “%(type)s”. Known types: %(known)s.") % {"type": kind, "known": KNOWN_TYPES}
    )
    return kind, None


# Which column of a row holds each field of the definition.
QUESTION_COLUMNS = {
    "code": "name",
    "type": "type",
    "label": "label",
    "show_if": "relevant",
    "choices": "type",
    "min": "constraint",
    "max": "constraint",
    "max_length": "constraint",
    "questions": "name",
    "title": "label",
}
SETTINGS_FIELDS = {"code": "form_id", "title": "form_title", "sections": ""}


def _locate(error: ValidationError, places, broken: set) -> list[Problem]:
    problems = []
    for item in error.error_list:
        params = item.params or {}
        if params.get("target_code") in broken:
            continue  # a condition on a question already refused: its own row says why
        path, field_name = params.get("path", ()), params.get("field", "")
        message = item.message % params if params else str(item.message)
        sheet, row = places.get(path, (None, None))
        if sheet is None or (path == () and field_name == "sections"):
            problems.append(Problem(SURVEY, None, "", "", message))
        elif path == ():
            problems.append(sheet.place(row, SETTINGS_FIELDS.get(field_name, field_name), message))
        else:
            problems.append(sheet.place(row, QUESTION_COLUMNS.get(field_name, ""), message))
    return problems
