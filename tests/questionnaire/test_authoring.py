"""Authoring in Excel: versions as workbooks and back, every bad row named, codes that keep their meaning, the diff."""

import copy
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from questionnaire.definition import canonical, install_default, install_definition, read_definition
from questionnaire.models import Question, Questionnaire
from questionnaire.services.authoring import Change, definition_diff, same_meaning, version_workbook_write
from questionnaire.xlsform import WorkbookProblems, parse_constraint, parse_relevant, read_xlsform
from tests.conftest import admin_url

pytestmark = pytest.mark.django_db


def workbook_bytes(questionnaire) -> bytes:
    handle = BytesIO()
    version_workbook_write(questionnaire=questionnaire, handle=handle)
    return handle.getvalue()


def row_of(ws, name) -> int:
    """Return the row of the question (or choice) *name*: the first with that name that is not a group's row."""
    return next(
        row
        for row in range(2, ws.max_row + 1)
        if ws.cell(row=row, column=2).value == name and "group" not in str(ws.cell(row=row, column=1).value)
    )


def edited(data: bytes, edit) -> BytesIO:
    """Return the workbook *data* after *edit(workbook)*, as a file to upload."""
    workbook = load_workbook(BytesIO(data))
    edit(workbook)
    handle = BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = "borgerservice.xlsx"
    return handle


def set_cell(sheet, name, column, value):
    def edit(workbook):
        ws = workbook[sheet]
        ws.cell(row=row_of(ws, name), column=COLUMNS[column], value=value)

    return edit


COLUMNS = {"type": 1, "name": 2, "label": 3, "hint": 4, "required": 5, "relevant": 6, "constraint": 7}


def problems_of(handle) -> list:
    with pytest.raises(WorkbookProblems) as error:
        read_xlsform(handle)
    return error.value.problems


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


def test_download_and_upload_unchanged_installs_nothing_new(manager_client):
    questionnaire = install_default()
    data = manager_client.get(admin_url("questionnaire_workbook", questionnaire.pk)).getvalue()
    page = manager_client.post(admin_url("questionnaire_upload"), {"file": edited(data, lambda wb: None)})
    assert page.status_code == 200
    assert page.context["upload"].existing == questionnaire
    assert "Intet nyt" in page.content.decode()
    done = manager_client.post(admin_url("questionnaire_install"), {"definition": page.context["signed"]})
    assert done.status_code == 302
    assert Questionnaire.objects.count() == 1


def test_an_edited_label_becomes_a_new_version_after_the_preview(manager_client):
    questionnaire = install_default()
    data = workbook_bytes(questionnaire)
    upload = edited(data, set_cell("survey", "units", "label", "Hvor mange betjeningssteder har I?"))
    page = manager_client.post(admin_url("questionnaire_upload"), {"file": upload})
    body = page.content.decode()
    assert page.context["upload"].existing is None
    assert "Hvor mange betjeningssteder har I?" in body  # the preview
    assert [(c.kind, c.code) for c in page.context["changes"]] == [("relabelled", "units")]
    assert Questionnaire.objects.count() == 1  # nothing installed before "install"
    manager_client.post(admin_url("questionnaire_install"), {"definition": page.context["signed"]})
    new = Questionnaire.objects.get(version=2)
    assert Question.objects.get(questionnaire=new, code="units").label == "Hvor mange betjeningssteder har I?"
    assert Question.objects.get(questionnaire=questionnaire, code="units").label.startswith(
        "Hvor mange betjeningssteder"
    )


def test_the_install_refuses_a_tampered_definition(manager_client):
    response = manager_client.post(admin_url("questionnaire_install"), {"definition": "forged"})
    assert response.status_code == 302 and Questionnaire.objects.count() == 0


def test_a_reader_can_download_but_not_upload(reader_client):
    questionnaire = install_default()
    assert reader_client.get(admin_url("questionnaire_workbook", questionnaire.pk)).status_code == 200
    assert reader_client.get(admin_url("questionnaire_upload")).status_code == 403


# --- Each class of bad row -------------------------------------------------------------------


@pytest.fixture
def data():
    return workbook_bytes(install_default())


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


def test_every_problem_is_listed_at_once_and_nothing_is_installed(manager_client, data):
    def edit(workbook):
        set_cell("survey", "units", "type", "dropdown")(workbook)
        set_cell("survey", "status", "type", "select_one nope")(workbook)
        set_cell("survey", "respondent_phone", "required", "måske")(workbook)

    page = manager_client.post(admin_url("questionnaire_upload"), {"file": edited(data, edit)})
    problems = page.context["problems"]
    assert [p.column for p in problems] == ["required", "type", "type"]
    assert "Projektmappen blev ikke installeret: der blev fundet 3 fejl." in page.content.decode()
    assert Questionnaire.objects.count() == 1


def test_a_file_that_is_no_workbook_is_refused():
    problems = problems_of(BytesIO(b"code: x"))
    assert [p.message for p in problems] == ["Filen er ikke en Excel-projektmappe (.xlsx)."]


def test_a_missing_sheet_is_named(data):
    problems = problems_of(edited(data, lambda workbook: workbook.remove(workbook["settings"])))
    assert [str(p) for p in problems] == ["Ark »settings«: Arket mangler."]


# --- Codes keep their meaning ------------------------------------------------------------------


def upload_page(client, upload):
    return client.post(admin_url("questionnaire_upload"), {"file": upload})


def test_a_question_that_changes_type_is_refused_with_the_reason(manager_client, data):
    def edit(workbook):
        set_cell("survey", "units", "type", "text")(workbook)
        set_cell("survey", "units", "constraint", "")(workbook)

    page = upload_page(manager_client, edited(data, edit))
    upload = page.context["upload"]
    assert upload.problems == [
        "Spørgsmålet »Hvor mange betjeningssteder (hovedbibliotek, filialer, bogbusser) omfatter besvarelsen?« "
        "(units) var heltal i version 1 og er nu kort tekst. En kode beholder sin type, så runderne kan "
        "sammenlignes: giv det nye spørgsmål en ny kode."
    ]
    assert 'id="install"' not in page.content.decode()
    manager_client.post(admin_url("questionnaire_install"), {"definition": page.context["signed"]})
    assert Questionnaire.objects.count() == 1


def test_the_type_change_is_refused_against_any_earlier_version_not_only_the_latest():
    install_default()
    definition = canonical(read_definition())
    without = copy.deepcopy(definition)
    without["sections"][0]["questions"] = [q for q in without["sections"][0]["questions"] if q["code"] != "units"]
    install_definition(without)  # version 2 has no `units`
    changed = copy.deepcopy(definition)
    changed["sections"][0]["questions"][4].update(type="text", min=None, max=None)
    from questionnaire.services.authoring import definition_check

    [problem] = definition_check(canonical(changed)).problems
    assert "(units) var heltal i version 1" in problem


def test_a_choice_code_given_another_meaning_is_refused(manager_client, data):
    def edit(workbook):
        ws = workbook["choices"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=2).value == "passport")
        ws.cell(row=row, column=3, value="Kørekort")

    upload = upload_page(manager_client, edited(data, edit)).context["upload"]
    assert upload.problems == [
        "Svarmuligheden passport i »Hvilke ydelser kan borgerne få i biblioteket?« var »Pas« i version 1 og er nu "
        "»Kørekort«: en kode beholder sin betydning. Giv den nye svarmulighed sin egen kode (og fjern den gamle), "
        "eller behold den gamle tekst."
    ]


def test_relabelling_a_choice_is_fine(manager_client, data):
    def edit(workbook):
        ws = workbook["choices"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=2).value == "health_card")
        ws.cell(row=row, column=3, value="Sygesikringskort")

    upload = upload_page(manager_client, edited(data, edit)).context["upload"]
    assert upload.installable


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("Pas", "Kørekort", False),
        ("Sygesikring", "Det gule sygesikringskort", True),
        ("Ja", "Ja, helt sikkert", True),
        ("Bogbus", "Bogbusser", True),
        ("Skattespørgsmål", "Boligstøtte", False),
    ],
)
def test_same_meaning_is_a_shared_word_or_most_letters(old, new, same):
    assert same_meaning(old, new) is same


def test_the_default_questionnaire_must_keep_the_codes_the_results_rely_on(manager_client, data):
    def edit(workbook):
        ws = workbook["survey"]
        ws.delete_rows(row_of(ws, "respondent_phone"))

    upload = upload_page(manager_client, edited(data, edit)).context["upload"]
    assert upload.problems == [
        "Resultaterne og reglerne for persondata bygger på koder, som dette spørgeskema mangler: "
        "intet spørgsmål 'respondent_phone'."
    ]


# --- The command ----------------------------------------------------------------------------


def test_load_questionnaire_reads_a_workbook(tmp_path, data, capsys):
    path = tmp_path / "skema.xlsx"
    path.write_bytes(edited(data, set_cell("survey", "units", "label", "Antal betjeningssteder")).getvalue())
    call_command("load_questionnaire", str(path))
    assert "borgerservice version 2 installed." in capsys.readouterr().out
    call_command("load_questionnaire", str(path))
    assert "borgerservice version 2 already installed." in capsys.readouterr().out


def test_load_questionnaire_lists_every_problem_of_a_workbook(tmp_path, data):
    path = tmp_path / "skema.xlsx"
    path.write_bytes(edited(data, set_cell("survey", "units", "type", "dropdown")).getvalue())
    with pytest.raises(CommandError) as error:
        call_command("load_questionnaire", str(path))
    assert "kolonne »type« (A): Ukendt type »dropdown«." in str(error.value)


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


# --- What changed between two versions -----------------------------------------------------------


def hand_made(**changes):
    """Return a small canonical definition: a status question, a services question shown if active, a number."""
    data = {
        "code": "lille",
        "title": "Lille skema",
        "sections": [
            {
                "code": "a",
                "title": "Status",
                "questions": [
                    {
                        "code": "status",
                        "type": "single",
                        "label": "Har I aktiviteter?",
                        "required": True,
                        "choices": [{"code": "active", "label": "Ja"}, {"code": "not_started", "label": "Nej"}],
                    },
                    {
                        "code": "services",
                        "type": "multi",
                        "label": "Hvilke ydelser?",
                        "show_if": {"question": "status", "any_of": ["active"]},
                        "choices": [{"code": "passport", "label": "Pas"}, {"code": "tax", "label": "Skat"}],
                    },
                    {"code": "units", "type": "integer", "label": "Antal steder", "min": 1, "max": 200},
                    {"code": "note", "type": "text", "label": "Bemærkning"},
                ],
            }
        ],
    }
    for apply in changes.values():
        apply(data)
    return canonical(data)


def test_the_diff_of_two_hand_made_versions_names_every_change():
    def edit(data):
        questions = data["sections"][0]["questions"]
        questions[0]["label"] = "Har biblioteket aktiviteter?"
        questions[1]["choices"][0]["label"] = "Pas og id-kort"
        questions[1]["choices"].pop(1)  # tax removed
        questions[1]["choices"].append({"code": "health_card", "label": "Sygesikring"})
        questions[1]["show_if"] = {"question": "status", "any_of": ["active", "not_started"]}
        questions[2]["max"] = 500
        questions[2]["required"] = True
        questions.pop(3)  # note removed
        questions.append({"code": "plans", "type": "long_text", "label": "Planer"})
        data["title"] = "Lille skema 2026"

    old, new = hand_made(), hand_made(edit=edit)
    assert definition_diff(old, new) == [
        Change("text", "questionnaire", "Spørgeskemaets titel", "Lille skema", "Lille skema 2026", "title"),
        Change("relabelled", "question", "Har biblioteket aktiviteter?", "Har I aktiviteter?",
               "Har biblioteket aktiviteter?", "status"),
        Change("condition", "question", "Hvilke ydelser?", "Vises, hvis »Har I aktiviteter?« er »Ja«",
               "Vises, hvis »Har biblioteket aktiviteter?« er »Ja« eller »Nej«", "services"),
        Change("relabelled", "choice", "Hvilke ydelser?: Pas og id-kort", "Pas", "Pas og id-kort", "services/passport"),
        Change("added", "choice", "Hvilke ydelser?: Sygesikring", "", "Sygesikring", "services/health_card"),
        Change("removed", "choice", "Hvilke ydelser?: Skat", "Skat", "", "services/tax"),
        Change("required", "question", "Antal steder", "Nej", "Ja", "units"),
        Change("bounds", "question", "Antal steder", "1–200", "1–500", "units"),
        Change("added", "question", "Planer", "", "lang tekst", "plans"),
        Change("removed", "question", "Bemærkning", "kort tekst", "", "note"),
    ]  # fmt: skip
    assert definition_diff(old, old) == []


def test_the_changes_page_compares_with_the_version_before_by_default(manager_client):
    first, _ = install_definition(hand_made())
    second, _ = install_definition(
        hand_made(edit=lambda data: data["sections"][0]["questions"][3].update(label="Andre bemærkninger"))
    )
    page = manager_client.get(admin_url("questionnaire_changes", second.pk))
    assert [(c.kind, c.label) for c in page.context["changes"]] == [("relabelled", "Andre bemærkninger")]
    assert page.context["other"] == first
    again = manager_client.get(admin_url("questionnaire_changes", first.pk) + f"?with={second.pk}")
    assert [(c.before, c.after) for c in again.context["changes"]] == [("Bemærkning", "Andre bemærkninger")]


def test_opening_a_round_shows_what_changed_since_the_latest_rounds_version(manager_client):
    from tests.conftest import make_round

    first, _ = install_definition(hand_made())
    make_round(questionnaire=first, title="Runde 2025")
    second, _ = install_definition(
        hand_made(edit=lambda data: data["sections"][0]["questions"][2].update(label="Antal betjeningssteder"))
    )
    page = manager_client.get(admin_url("round_add") + f"?questionnaire={second.pk}")
    body = page.content.decode()
    assert page.context["previous_round"].title == "Runde 2025"
    assert [(c.kind, c.after) for c in page.context["version_changes"]] == [("relabelled", "Antal betjeningssteder")]
    assert 'id="changes-before-round"' in body and "Antal betjeningssteder" in body
    assert page.context["adminform"].form.initial["questionnaire"] == str(second.pk)
