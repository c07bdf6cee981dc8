"""A questionnaire as an Excel workbook in the XLSForm layout that KoboToolbox and ODK users know.

Three sheets, each with its column names in row 1:

- ``survey``: ``type``, ``name``, ``label``, ``hint``, ``required``, ``relevant``,
  ``constraint``, ``appearance``; a section is a ``begin group`` row (its code, title,
  introduction and condition) and an ``end group`` row.
- ``choices``: ``list_name``, ``name``, ``label``.
- ``settings``: ``form_title``, ``form_id``, ``introduction``, ``purpose``, ``privacy``.

Types are XLSForm's ``select_one LIST``, ``select_multiple LIST``, ``text`` (with
appearance ``multiline`` for a long text) and ``integer``, and this app's own
``email`` and ``year``. Conditions are written as XLSForm writes them:
``selected(${status}, 'active')`` (several choices joined by ``or``; ``${status} = 'active'``
is read too) and ``${quote} != ''`` (answered). Bounds are an XLSForm constraint:
``. >= 1 and . <= 200``, ``. <= format-date(today(), '%Y')`` (this year) and
``string-length(.) <= 30`` (a text's length).

This module names the layout and writes a version as a workbook; ``xlsform_read`` reads
one back. Nothing here writes to the database.
"""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ...models import NUMBER_KINDS, QuestionKind
from .base import CURRENT_YEAR, DEFAULT_MAX_LENGTH

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint", "appearance")
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "introduction", "purpose", "privacy")
REQUIRED_COLUMNS = {
    SURVEY: ("type", "name", "label"),
    CHOICES: ("list_name", "name", "label"),
    SETTINGS: ("form_title", "form_id"),
}
MULTILINE = "multiline"
THIS_YEAR = "format-date(today(), '%Y')"
# Our question types as XLSForm writes them (a long text is a text with appearance multiline).
PLAIN_TYPES = {
    "text": QuestionKind.TEXT,
    "integer": QuestionKind.INTEGER,
    "email": QuestionKind.EMAIL,
    "year": QuestionKind.YEAR,
}
SELECT_TYPES = {"select_one": QuestionKind.SINGLE, "select_multiple": QuestionKind.MULTI}
KNOWN_TYPES = "select_one LISTE, select_multiple LISTE, text, integer, email, year, begin group, end group"
TRUE = {"yes", "true", "true()", "ja", "1", "x"}
FALSE = {"", "no", "false", "false()", "nej", "0"}


# --- Writing --------------------------------------------------------------------------


def _relevant(condition) -> str:
    if not condition:
        return ""
    question = condition["question"]
    if "any_of" in condition:
        return " or ".join(f"selected(${{{question}}}, '{code}')" for code in condition["any_of"])
    return f"${{{question}}} != ''"


def _constraint(question: dict) -> str:
    terms = []
    if question["type"] in NUMBER_KINDS:
        if question["min"] is not None:
            terms.append(f". >= {question['min']}")
        if question["max"] == CURRENT_YEAR:
            terms.append(f". <= {THIS_YEAR}")
        elif question["max"] is not None:
            terms.append(f". <= {question['max']}")
    max_length = question["max_length"]
    if max_length is not None and max_length != DEFAULT_MAX_LENGTH.get(question["type"]):
        terms.append(f"string-length(.) <= {max_length}")
    return " and ".join(terms)


def _type(question: dict, list_name: str) -> tuple[str, str]:
    """Return (type, appearance) of *question* as XLSForm writes them."""
    kind = question["type"]
    if kind == QuestionKind.SINGLE:
        return f"select_one {list_name}", ""
    if kind == QuestionKind.MULTI:
        return f"select_multiple {list_name}", ""
    if kind == QuestionKind.LONG_TEXT:
        return "text", MULTILINE
    return kind, ""


def _sheet(workbook, title, columns, widths):
    ws = workbook.create_sheet(title)
    ws.append(list(columns))
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
        ws.cell(row=1, column=index).font = Font(bold=True)
    ws.freeze_panes = "A2"
    return ws


def write_xlsform(definition: dict, handle) -> None:
    """Write the canonical *definition* (``base.version_definition``) to *handle* as an XLSForm workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    survey = _sheet(workbook, SURVEY, SURVEY_COLUMNS, (22, 24, 70, 40, 10, 44, 34, 12))
    choices = _sheet(workbook, CHOICES, CHOICE_COLUMNS, (24, 24, 80))
    settings = _sheet(workbook, SETTINGS, SETTINGS_COLUMNS, (34, 18, 70, 70, 70))
    wrap = Alignment(wrap_text=True, vertical="top")
    lists = {}  # (choice codes and labels) -> list name: questions with the same choices share a list
    for section in definition["sections"]:
        survey.append(
            ["begin group", section["code"], section["title"], section["intro"], "", _relevant(section["show_if"])]
        )
        for question in section["questions"]:
            list_name = ""
            if question["choices"]:
                key = tuple((choice["code"], choice["label"]) for choice in question["choices"])
                if key not in lists:
                    list_name = lists[key] = question["code"]
                    for code, label in key:
                        choices.append([list_name, code, label])
                list_name = lists[key]
            kind, appearance = _type(question, list_name)
            survey.append(
                [
                    kind,
                    question["code"],
                    question["label"],
                    question["help"],
                    "yes" if question["required"] else "",
                    _relevant(question["show_if"]),
                    _constraint(question),
                    appearance,
                ]
            )
        survey.append(["end group", section["code"]])
    settings.append(
        [definition["title"], definition["code"], definition["intro"], definition["purpose"], definition["privacy"]]
    )
    for ws in (survey, choices, settings):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
                # Texts stay texts: no cell of a questionnaire is a formula.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    workbook.save(handle)
