"""A catalogue of hostile input, each entry with its expected outcome.

Respondent text is data: it is stored as typed and shown escaped everywhere (pages,
admin, mails) and as text in Excel. Malformed, oversized or forged requests are
refused with a clear page and change nothing.
"""

import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from questionnaire.mail import mail_message
from questionnaire.models import Response
from results.excel import workbook_write
from results.tallies import Filters
from tests.conftest import (
    ACTIVE_ANSWERS,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    make_staff,
    stored_answers,
)

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]
SQL = "'; DROP TABLE questionnaire_answer; --"

# Every free-text question of the questionnaire, with the answers that make it shown.
TEXT_QUESTIONS = {
    "respondent_name": {},
    "respondent_title": {},
    "respondent_phone": {},
    "models_other": {"models": ["model_3", "other"]},
    "services_other": {"services": ["other"]},
    "advice": {},
    "quote": {"quote_consent": "named"},
}


def section_post(client, invitation, code, data, **extra):
    url = reverse("questionnaire:section", args=[invitation.token, code])
    return client.post(url, {**data, "action": "next"}, **extra)


@pytest.mark.parametrize("code", TEXT_QUESTIONS)
def test_script_in_every_text_field_is_stored_as_typed_and_escaped_on_every_page(client, code):
    invitation = make_invitation()
    hostile = f"{SCRIPT} {SQL}"
    answer_all(invitation, {**ACTIVE_ANSWERS, **TEXT_QUESTIONS[code], code: hostile})
    assert stored_answers(invitation)[code] == hostile

    receipt = client.get(invitation.get_absolute_url()).content.decode()
    staff = Client()
    staff.force_login(make_staff(is_superuser=True, username="root"))
    response = Response.objects.get(invitation=invitation)
    admin_page = staff.get(reverse("admin:questionnaire_response_change", args=[response.pk])).content.decode()
    results_page = staff.get(reverse("results:round", args=[invitation.round.slug])).content.decode()
    for page in (receipt, admin_page):
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page
    for page in (receipt, admin_page, results_page):
        assert "<script>alert" not in page and "<img src=x" not in page


def test_a_hostile_library_name_is_escaped_in_the_html_mail_and_plain_in_the_text_mail():
    invitation = make_invitation(library=make_library(name=f"Bibliotek {SCRIPT}", email="b@example.dk"))
    message = mail_message(invitation, "invitation")
    html = message.alternatives[0][0]
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert SCRIPT in message.body  # plain text is not HTML: shown as typed
    assert mail.outbox == []


def test_formula_text_is_text_in_the_excel_workbook():
    round_ = make_round(slug="formler")
    for number, formula in enumerate(FORMULAS):
        invitation = make_invitation(round=round_, library=make_library(name=f"{formula} {number}"))
        answer_all(invitation, {**ACTIVE_ANSWERS, "advice": formula, "models": ["other"], "models_other": formula})
    handle = io.BytesIO()
    workbook_write(round=round_, filters=Filters(), handle=handle)
    sheet = load_workbook(io.BytesIO(handle.getvalue()))["Svar"]
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    for formula in FORMULAS:
        matching = [cell for cell in cells if cell.value == formula]
        assert matching, formula
        assert all(cell.data_type == "s" for cell in matching)
    assert not [cell for cell in cells if cell.data_type == "f"]


def test_an_oversized_post_is_refused_in_danish_and_saves_nothing(client, invitation, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    page = section_post(client, invitation, "library", {"respondent_name": "x" * 60_000})
    assert page.status_code == 400
    assert "Forespørgslen kunne ikke behandles" in page.content.decode()
    assert stored_answers(invitation) == {}


def test_a_post_with_thousands_of_fields_is_refused(client, invitation):
    fields = {f"field_{number}": "x" for number in range(1_500)}
    page = section_post(client, invitation, "library", {"respondent_name": "Hanne", **fields})
    assert page.status_code == 400
    assert stored_answers(invitation) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"respondent_name": "Hanne\x00Jensen"}, "Null-tegn er ikke tilladt"),
        ({"respondent_name": "x" * 501}, "højst have 500 tegn"),
        ({"units": "1e9"}, "Indtast et heltal"),
        ({"units": "-5"}, "Angiv et tal mellem 1 og 200"),
        ({"respondent_email": "a@b@c"}, "gyldig e-mail-adresse"),
    ],
)
def test_malformed_values_get_a_danish_field_error_and_save_nothing(client, invitation, data, message):
    base = {"respondent_name": "Hanne", "respondent_email": "h@example.dk", "units": "2"}
    page = section_post(client, invitation, "library", {**base, **data})
    assert page.status_code == 200 and message in page.content.decode()
    assert stored_answers(invitation) == {}


def test_tampered_choice_and_question_codes_change_nothing(client, invitation):
    answer_all(invitation, {"status": "active"}, submit=False)
    page = section_post(client, invitation, "status", {"status": "model_1"})
    assert "Marker en gyldig valgmulighed" in page.content.decode()
    section_post(client, invitation, "status", {"status": "active", "resources_dkk": "999", "token": "x"})
    assert stored_answers(invitation) == {"status": "active"}


def test_another_librarys_link_sees_and_changes_only_its_own_answers(client):
    round_ = make_round()
    mine = make_invitation(round=round_, library=make_library(name="Mit bibliotek"))
    theirs = make_invitation(round=round_, library=make_library(name="Deres bibliotek"))
    answer_all(theirs, {**ACTIVE_ANSWERS, "respondent_name": "Hemmelig Person"}, submit=False)
    page = client.get(reverse("questionnaire:review", args=[mine.token])).content.decode()
    assert "Hemmelig Person" not in page and "Deres bibliotek" not in page
    section_post(client, mine, "library", {"respondent_name": "Mig", "respondent_email": "m@x.dk", "units": "1"})
    assert stored_answers(theirs)["respondent_name"] == "Hemmelig Person"


def test_a_post_without_csrf_token_gets_the_danish_expired_page(invitation):
    page = section_post(Client(enforce_csrf_checks=True), invitation, "library", {"respondent_name": "Hanne"})
    assert page.status_code == 403 and "Siden er udløbet" in page.content.decode()
    assert stored_answers(invitation) == {}


def test_an_expired_round_refuses_answers(client):
    invitation = make_invitation(round=make_round(closes_at=timezone.now() - timezone.timedelta(hours=1)))
    page = section_post(client, invitation, "library", {"respondent_name": "For sent"})
    assert page.status_code == 403 and "Undersøgelsen er lukket" in page.content.decode()
    assert stored_answers(invitation) == {}
