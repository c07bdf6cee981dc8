"""The XLSForm workbook: a version written and read back, every bad row named with its sheet, row and column."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from questionnaire.services.definition import install_default, read_definition
from questionnaire.services.definition.base import canonical
from questionnaire.services.definition.xlsform_read import parse_constraint, parse_relevant, read_xlsform
from tests.questionnaire.workbooks import edited, problems_of, row_of, set_cell, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return workbook_bytes(install_default())


# --- The round trip ------------------------------------------------------------------------


def test_a_downloaded_version_reads_back_as_the_same_content():
    questionnaire = install_default()
    data = workbook_bytes(questionnaire)
    assert read_xlsform(BytesIO(data)) == canonical(read_definition())
    workbook = load_workbook(BytesIO(data))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    survey = workbook["survey"]
    assert [cell.value for cell in survey[1]][:7] == [
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
    ]
    row = row_of(survey, "started_year")
    assert survey.cell(row=row, column=1).value == "year"
    assert survey.cell(row=row, column=6).value == "selected(${status}, 'active')"
    assert survey.cell(row=row, column=7).value == ". >= 1995 and . <= format-date(today(), '%Y')"
    assert survey.cell(row=row_of(survey, "units"), column=7).value == ". >= 1 and . <= 200"
    assert survey.cell(row=row_of(survey, "status"), column=1).value == "select_one status"
    assert survey.cell(row=row_of(survey, "quote_consent"), column=6).value == "${quote} != ''"
    assert survey.cell(row=row_of(survey, "advice"), column=8).value == "multiline"
    # The models and the primary model share a list; so do the yes/no questions.
    assert survey.cell(row=row_of(survey, "primary_model"), column=1).value == "select_one models"
    assert survey.cell(row=row_of(survey, "same_committee"), column=1).value == "select_one same_department"
    settings = workbook["settings"]
    assert [cell.value for cell in settings[2]][:2] == ["Biblioteker og borgerservice", "borgerservice"]


# --- Each class of bad row -------------------------------------------------------------------


def the_problem(problems, column):
    [found] = [problem for problem in problems if problem.column == column]
    return found


def test_an_unknown_type_is_named_with_sheet_row_and_column(data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "units")
    problems = problems_of(edited(data, set_cell("survey", "units", "type", "dropdown")))
    assert [str(p) for p in problems] == [
        f"Ark »survey«, række {row}, kolonne »type« (A): Ukendt type »dropdown«. "
        "Kendte typer: select_one LISTE, select_multiple LISTE, text, integer, email, year, begin group, end group."
    ]


def test_a_duplicate_code_is_named_at_its_second_row(data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "respondent_title")
    problems = problems_of(edited(data, set_cell("survey", "respondent_title", "name", "respondent_name")))
    problem = the_problem(problems, "name")
    assert (problem.sheet, problem.row, problem.letter) == ("survey", row, "B")
    assert "Spørgsmålskoden respondent_name bruges to gange" in problem.message


def test_a_condition_on_a_later_question_is_refused(data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "started_year")
    problems = problems_of(edited(data, set_cell("survey", "started_year", "relevant", "${models} != ''")))
    assert str(the_problem(problems, "relevant")).startswith(
        f"Ark »survey«, række {row}, kolonne »relevant« (F): Spørgsmålet started_year har en betingelse på 'models', "
        "som ikke er et tidligere spørgsmål."
    )


def test_a_condition_the_app_cannot_read_is_refused(data):
    problems = problems_of(edited(data, set_cell("survey", "started_year", "relevant", "${status} > 3")))
    assert "Betingelsen »${status} > 3« forstår programmet ikke" in the_problem(problems, "relevant").message


def test_a_choice_list_that_does_not_exist_is_named(data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "status")
    problems = problems_of(edited(data, set_cell("survey", "status", "type", "select_one statusser")))
    # Only the reader's own message: the validator's echo (no choices) on the same cell is left out.
    assert [str(p) for p in problems if p.row == row] == [
        f"Ark »survey«, række {row}, kolonne »type« (A): Listen »statusser« findes ikke på arket »choices«."
    ]


def test_bounds_that_are_not_numbers_are_named(data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "units")
    problems = problems_of(edited(data, set_cell("survey", "units", "constraint", ". >= en and . <= 200")))
    assert [str(p) for p in problems] == [
        f"Ark »survey«, række {row}, kolonne »constraint« (G): »en« er ikke en grænse, programmet forstår; "
        "grænser er hele tal, som i ». >= 1 and . <= 200«."
    ]


def test_a_duplicate_choice_is_named_on_the_choices_sheet(data):
    def edit(workbook):
        ws = workbook["choices"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "case_processing")
        ws.cell(row=row + 1, column=2, value=ws.cell(row=row, column=2).value)

    problems = problems_of(edited(data, edit))
    assert [(p.sheet, p.column) for p in problems] == [("choices", "name")]
    assert "har svarmuligheden yes to gange" in problems[0].message


def test_a_file_that_is_no_workbook_is_refused():
    problems = problems_of(BytesIO(b"code: x"))
    assert [p.message for p in problems] == ["Filen er ikke en Excel-projektmappe (.xlsx)."]


def test_a_missing_sheet_is_named(data):
    problems = problems_of(edited(data, lambda workbook: workbook.remove(workbook["settings"])))
    assert [str(p) for p in problems] == ["Ark »settings«: Arket mangler."]


# --- XLSForm expressions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("selected(${status}, 'active')", {"question": "status", "any_of": ["active"]}),
        ("${status} = 'active'", {"question": "status", "any_of": ["active"]}),
        ("selected(${m}, 'a') or selected(${m}, 'b')", {"question": "m", "any_of": ["a", "b"]}),
        ("${quote} != ''", {"question": "quote", "answered": True}),
        ("string-length(${quote}) > 0", {"question": "quote", "answered": True}),
        ("", None),
    ],
)
def test_relevant_is_read_as_xlsform_writes_it(text, condition):
    assert parse_relevant(text) == condition


@pytest.mark.parametrize("text", ["selected(${a}, 'x') or selected(${b}, 'y')", "${a} > 1", "${a} != '' or ${b} != ''"])
def test_relevant_the_app_cannot_judge_is_refused(text):
    with pytest.raises(ValueError):
        parse_relevant(text)


def test_constraints_give_bounds():
    assert parse_constraint(". >= 1 and . <= 200") == {"min": 1, "max": 200}
    assert parse_constraint(". >= 1995 and . <= format-date(today(), '%Y')") == {"min": 1995, "max": "current"}
    assert parse_constraint("string-length(.) <= 30") == {"max_length": 30}
    with pytest.raises(ValueError):
        parse_constraint(". >= 1.5")
