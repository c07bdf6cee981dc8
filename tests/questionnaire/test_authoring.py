"""Authoring in Excel through the admin: upload, every problem at once, codes that keep their meaning, the diff.

The workbook itself (written, read back, each bad row) is tested in services/definition/test_xlsform.py.
"""

import copy
from io import BytesIO

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from questionnaire.admin.authoring import UPLOAD_SALT
from questionnaire.models import Question, Questionnaire
from questionnaire.services.authoring import Change, definition_check, definition_diff, same_meaning
from questionnaire.services.definition import install_default, read_definition
from questionnaire.services.definition.base import canonical, install_definition
from tests.conftest import admin_url
from tests.questionnaire.workbooks import edited, row_of, set_cell, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return workbook_bytes(install_default())


# --- Upload and install ----------------------------------------------------------------------


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


# --- Every problem at once ----------------------------------------------------------------


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


# --- Codes keep their meaning ------------------------------------------------------------------


def upload_page(client, upload):
    return client.post(admin_url("questionnaire_upload"), {"file": upload})


def choice_row(ws, code) -> int:
    return next(row for row in range(2, ws.max_row + 1) if ws.cell(row=row, column=2).value == code)


def set_choice_label(code, label):
    def edit(workbook):
        ws = workbook["choices"]
        ws.cell(row=choice_row(ws, code), column=3, value=label)

    return edit


UNITS_TYPE_CHANGED = (
    "Spørgsmålet »Hvor mange betjeningssteder (hovedbibliotek, filialer, bogbusser) omfatter besvarelsen?« "
    "(units) var heltal i version 1 og er nu kort tekst. En kode beholder sin type, så runderne kan "
    "sammenlignes: giv det nye spørgsmål en ny kode."
)
PASSPORT_CHANGED = (
    "Svarmuligheden passport i »Hvilke ydelser kan borgerne få i biblioteket?« var »Pas« i version 1 og er nu "
    "»Kørekort«: en kode beholder sin betydning. Giv den nye svarmulighed sin egen kode (og fjern den gamle), "
    "eller behold den gamle tekst."
)


def units_as_text(workbook):
    set_cell("survey", "units", "type", "text")(workbook)
    set_cell("survey", "units", "constraint", "")(workbook)


def test_a_question_that_changes_type_is_refused_with_the_reason_on_its_row(manager_client, data):
    row = row_of(load_workbook(BytesIO(data))["survey"], "units")
    page = upload_page(manager_client, edited(data, units_as_text))
    assert [str(p) for p in page.context["problems"]] == [
        f"Ark »survey«, række {row}, kolonne »type« (A): {UNITS_TYPE_CHANGED}"
    ]
    body = page.content.decode()
    assert 'id="install"' not in body and "signed" not in page.context
    assert Questionnaire.objects.count() == 1


def test_the_install_checks_again_and_refuses_what_a_preview_let_through(manager_client):
    """A preview made before another version was installed: the install itself refuses the type change."""
    install_default()
    changed = canonical(read_definition())
    changed["sections"][0]["questions"][4].update(type="text", min=None, max=None)
    signed = signing.dumps(changed, salt=UPLOAD_SALT, compress=True)
    done = manager_client.post(admin_url("questionnaire_install"), {"definition": signed}, follow=True)
    assert UNITS_TYPE_CHANGED in [str(message) for message in done.context["messages"]]
    assert Questionnaire.objects.count() == 1


def test_the_type_change_is_refused_against_any_earlier_version_not_only_the_latest():
    install_default()
    definition = canonical(read_definition())
    without = copy.deepcopy(definition)
    without["sections"][0]["questions"] = [q for q in without["sections"][0]["questions"] if q["code"] != "units"]
    install_definition(without)  # version 2 has no `units`
    changed = copy.deepcopy(definition)
    changed["sections"][0]["questions"][4].update(type="text", min=None, max=None)

    [problem] = definition_check(canonical(changed)).problems
    assert "(units) var heltal i version 1" in problem


def test_a_choice_code_given_another_meaning_is_refused_on_its_row(manager_client, data):
    row = choice_row(load_workbook(BytesIO(data))["choices"], "passport")
    page = upload_page(manager_client, edited(data, set_choice_label("passport", "Kørekort")))
    assert [str(p) for p in page.context["problems"]] == [
        f"Ark »choices«, række {row}, kolonne »label« (C): {PASSPORT_CHANGED}"
    ]


def test_every_stage_tells_its_problems_in_one_upload(manager_client, data):
    """A bad cell (reading), a changed type and a choice given another meaning (the comparison): all three at once."""
    survey = load_workbook(BytesIO(data))["survey"]
    phone_row, units_row = row_of(survey, "respondent_phone"), row_of(survey, "units")
    passport_row = choice_row(load_workbook(BytesIO(data))["choices"], "passport")

    def edit(workbook):
        set_cell("survey", "respondent_phone", "required", "måske")(workbook)
        units_as_text(workbook)
        set_choice_label("passport", "Kørekort")(workbook)

    page = upload_page(manager_client, edited(data, edit))
    assert [(p.sheet, p.row, p.column) for p in page.context["problems"]] == [
        ("survey", phone_row, "required"),
        ("survey", units_row, "type"),
        ("choices", passport_row, "label"),
    ]
    body = page.content.decode()
    assert "Projektmappen blev ikke installeret: der blev fundet 3 fejl." in body
    assert "Skriv yes, eller lad cellen være tom, ikke »måske«." in body
    assert "var heltal i version 1 og er nu kort tekst" in body
    assert "var »Pas« i version 1 og er nu »Kørekort«" in body
    assert Questionnaire.objects.count() == 1


def test_a_type_the_reader_refused_is_not_compared_again(manager_client, data):
    """An unknown type is told once, by the reader: no comparison of it with version 1, no missing code."""
    row = row_of(load_workbook(BytesIO(data))["survey"], "status")
    page = upload_page(manager_client, edited(data, set_cell("survey", "status", "type", "dropdown")))
    assert [(p.row, p.column) for p in page.context["problems"]] == [(row, "type")]


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

    page = upload_page(manager_client, edited(data, edit))
    assert [str(p) for p in page.context["problems"]] == [
        "Ark »survey«: Resultaterne og reglerne for persondata bygger på koder, som dette spørgeskema mangler: "
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


def test_load_questionnaire_lists_the_problems_of_every_stage_of_a_workbook(tmp_path, data):
    def edit(workbook):
        set_cell("survey", "respondent_phone", "required", "måske")(workbook)
        units_as_text(workbook)

    path = tmp_path / "skema.xlsx"
    path.write_bytes(edited(data, edit).getvalue())
    with pytest.raises(CommandError) as error:
        call_command("load_questionnaire", str(path))
    assert "kolonne »required« (E): Skriv yes" in str(error.value)
    assert f"kolonne »type« (A): {UNITS_TYPE_CHANGED}" in str(error.value)


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
