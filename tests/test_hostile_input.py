"""A catalogue of hostile input, each entry with its expected outcome.

Respondent text is data: it is stored as typed and shown escaped everywhere (pages,
admin, mails) and as text in Excel. Malformed, oversized or forged requests are
refused with a clear page and change nothing.
"""

import csv
import importlib.util
import io
import os
import re
import socket
import threading
import time
import tracemalloc
import zipfile
from http.client import HTTPConnection
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from questionnaire.mail.messages import mail_message
from questionnaire.models import (
    CaseStory,
    Choice,
    Interview,
    InterviewQuote,
    Library,
    Mail,
    MailKind,
    Question,
    Questionnaire,
    QuoteConsent,
    Response,
    Round,
    Section,
)
from results.excel import workbook_write
from results.models import ReportFinding, ReportQuote, ReportText
from results.report import report_write
from results.report.pdf import STATIC_ORIGIN, static_files_only
from results.tallies import NO_FILTERS, Filters
from tests.conftest import (
    ACTIVE_ANSWERS,
    admin_url,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    make_staff,
    municipality,
    stored_answers,
    work_off,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
bench_common = importlib.import_module("bench.common")

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


# --- NUL and control characters: refused where text comes in, removed where files go out ----

BAD_REQUEST = "Forespørgslen kunne ikke behandles"
CONTROL = "\x01\x1b[31m\x7f\x0b"  # as a terminal, an old program or Word's line break leaves them


def nul_urls(invitation):
    section = reverse("questionnaire:section", args=[invitation.token, "library"])
    autocomplete = "/admin/autocomplete/?app_label=questionnaire&model_name=library&field_name=municipality"
    return [f"/s/{invitation.token}%00/", section.replace("/library/", "/lib%00rary/"), autocomplete + "&term=K%00"]


def test_a_nul_in_a_url_gets_the_danish_400_page(client, invitation):
    client.force_login(make_staff(is_superuser=True, username="root"))
    for url in nul_urls(invitation):
        page = client.get(url)
        assert page.status_code == 400 and BAD_REQUEST in page.content.decode(), url


def test_control_characters_typed_by_a_library_are_removed(client, invitation):
    data = {"respondent_name": f"Hanne{CONTROL}Jensen", "respondent_email": "h@example.dk", "units": "2"}
    section_post(client, invitation, "library", data)
    assert stored_answers(invitation)["respondent_name"] == "Hanne[31mJensen"


def non_respondents_sheet(client, round_):
    page = client.get(admin_url("round_non_respondents", round_.pk))
    assert page.status_code == 200
    return load_workbook(io.BytesIO(b"".join(page.streaming_content))).active


def register_download(client, fmt=""):
    page = client.get(admin_url("library_export") + (f"?format={fmt}" if fmt else ""))
    assert page.status_code == 200
    if fmt == "csv":
        return page.content.decode("utf-8-sig")
    return load_workbook(io.BytesIO(b"".join(page.streaming_content))).active


def test_control_characters_already_stored_break_no_export(client):
    """Text stored before the rule (or by a path that forgot it) still gives valid files."""
    round_ = make_round(slug="styretegn")
    invitation = make_invitation(round=round_, library=make_library(name=f"Bibliotek{CONTROL}Nord"))
    answer_all(invitation, {**ACTIVE_ANSWERS, "respondent_name": f"Per{CONTROL}"})  # the service stores as given
    draft = make_invitation(round=round_, library=make_library(name="Kladde"))
    answer_all(draft, {"respondent_name": f"Else{CONTROL}"}, submit=False)
    client.force_login(make_staff(is_superuser=True, username="root"))

    assert non_respondents_sheet(client, round_)["K2"].value == "Else[31m"
    assert [row[3].value for row in register_download(client).iter_rows(min_row=2)] == ["Bibliotek[31mNord", "Kladde"]
    assert "Bibliotek[31mNord" in register_download(client, "csv")
    svg = client.get(reverse("results:map", args=[round_.slug])).content.decode()
    ElementTree.fromstring(svg.split("\n", 1)[1])  # noqa: S314 – our own output, which must be well-formed
    assert "Bibliotek[31mNord" in svg


# --- Formulas: one writer rule for every spreadsheet the app produces ----------------------


def assert_text_not_formula(cell, value):
    assert cell.value == value and cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


def test_formula_text_is_text_in_the_register_and_non_respondent_files(client):
    round_ = make_round(slug="formler-2")
    for number, formula in enumerate(FORMULAS):
        invitation = make_invitation(round=round_, library=make_library(name=f"{formula}{number}"))
        answer_all(invitation, {"respondent_name": formula, "respondent_phone": "+45 12 34 56 78"}, submit=False)
    client.force_login(make_staff(is_superuser=True, username="root"))
    names = sorted(f"{formula}{number}" for number, formula in enumerate(FORMULAS))

    register = register_download(client)
    for row in register.iter_rows(min_row=2):
        assert_text_not_formula(row[3], row[3].value)
    assert sorted(row[3].value for row in register.iter_rows(min_row=2)) == names
    sheet = non_respondents_sheet(client, round_)
    for row in sheet.iter_rows(min_row=2):
        assert_text_not_formula(row[3], row[3].value)
        assert row[10].value in FORMULAS
        assert_text_not_formula(row[10], row[10].value)
        assert_text_not_formula(row[12], "+45 12 34 56 78")
    rows = list(csv.reader(io.StringIO(register_download(client, "csv")), delimiter=";"))
    assert sorted(row[3] for row in rows[1:]) == sorted(f"'{name}" for name in names)  # OWASP: quoted


# --- Odd request encodings: the Danish 400 page, also from gunicorn -------------------------

ODD_CHARSETS = ["utf-7", "utf-16", "utf-32", "base64", "rot13", "idna", "zlib", "no-such-charset"]
BODIES = {
    "application/x-www-form-urlencoded": b"respondent_name=Hanne&action=next",
    "multipart/form-data; boundary=BB": b'--BB\r\nContent-Disposition: form-data; name="respondent_name"\r\n\r\n'
    b"Hanne\r\n--BB--\r\n",
}


@pytest.mark.parametrize("charset", ODD_CHARSETS)
def test_a_post_in_an_odd_charset_gets_the_danish_400_page_and_saves_nothing(client, invitation, charset):
    url = reverse("questionnaire:section", args=[invitation.token, "library"])
    content_type = "multipart/form-data; boundary=BB"  # the test client sends urlencoded bodies right (see gunicorn)
    page = client.generic("POST", url, BODIES[content_type], content_type=f"{content_type}; charset={charset}")
    assert page.status_code == 400 and BAD_REQUEST in page.content.decode()
    assert stored_answers(invitation) == {}
    # What a browser sends is read as before.
    body = "respondent_name=Søren&respondent_email=s%40example.dk&units=1&action=next".encode()
    page = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded; charset=UTF-8")
    assert page.status_code == 302 and stored_answers(invitation)["respondent_name"] == "Søren"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_odd_charsets_get_the_danish_400_page_from_gunicorn():
    """Here the error pages once read the body again, and gunicorn answered with its bare English page."""
    from django.conf import settings

    invitation = make_invitation()
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    with bench_common.gunicorn(url, workers=1) as port:
        browser = bench_common.Client(port)
        path = reverse("questionnaire:section", args=[invitation.token, "library"])
        browser.get(path)
        token = browser.cookies["csrftoken"]
        for charset in ["utf-16", "base64", "idna"]:
            for content_type, body in BODIES.items():
                connection = HTTPConnection("127.0.0.1", port, timeout=30)
                headers = {"Content-Type": f"{content_type}; charset={charset}", "Cookie": f"csrftoken={token}"}
                connection.request("POST", path, body=body, headers={**headers, "X-CSRFToken": token})
                reply = connection.getresponse()
                text = reply.read().decode()
                connection.close()
                assert reply.status == 400 and BAD_REQUEST in text, (charset, content_type, text[:200])
    assert stored_answers(invitation) == {}


# --- The same choice twice: the one choice ------------------------------------------------


def test_a_choice_posted_twice_is_the_one_choice_for_a_library_and_for_staff(client, invitation):
    answer_all(invitation, {**ACTIVE_ANSWERS, "models": None, "primary_model": None}, submit=False)
    data = {"started_year": "2007", "models": ["model_4", "model_3", "model_4"], "primary_model": "model_3"}
    page = section_post(client, invitation, "models", data)
    assert page.status_code == 302
    assert stored_answers(invitation)["models"] == ["model_3", "model_4"]

    staff = Client()
    staff.force_login(make_staff(is_superuser=True, username="root"))
    response = Response.objects.get(invitation=invitation)
    data = {**data, "models": ["model_1", "model_1"], "primary_model": "model_1", "staff-reason": "telefon"}
    page = staff.post(admin_url("response_edit", response.pk, "models"), data)
    assert page.status_code == 302
    assert stored_answers(invitation)["models"] == ["model_1"]


# --- E-mail addresses mail cannot use -----------------------------------------------------


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("hanne@" + "ø" * 60 + ".dk", "højst have 63 tegn"),  # 67 characters once encoded for mail
        ("hanne@bib\u200eliotek.dk", "usynligt tegn"),  # a direction mark, pasted from a web page
        ("hanne@bib\u200bliotek.dk", "usynligt tegn"),  # a zero-width space: mail would go elsewhere
    ],
)
def test_an_address_mail_cannot_use_gets_a_danish_field_error(client, invitation, address, message):
    page = section_post(
        client, invitation, "library", {"respondent_name": "H", "respondent_email": address, "units": 1}
    )
    assert page.status_code == 200 and message in page.content.decode()
    assert stored_answers(invitation) == {}


# --- The staff login -----------------------------------------------------------------------


def test_a_very_long_user_name_at_the_login_gets_a_danish_field_error(client):
    page = client.post(reverse("admin:login"), {"username": "x" * 300, "password": "forkert"})
    assert page.status_code == 200 and "Et brugernavn har højst 150 tegn." in page.content.decode()


def test_a_refused_next_at_the_login_lands_on_the_admin(client):
    make_staff(username="hanne", password="a-long-test-password")
    page = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "hanne", "password": "a-long-test-password", "next": "https://evil.example/"},
    )
    assert page.status_code == 302 and page.url == reverse("admin:index")


# --- Files in a respondent post --------------------------------------------------------------


def test_a_file_in_a_respondent_post_is_refused_unread(client, invitation, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # anything saved would land in tmp_path
    upload = SimpleUploadedFile("bilag.pdf", b"%PDF-" + b"x" * 100_000, content_type="application/pdf")
    page = section_post(client, invitation, "library", {"respondent_name": "Hanne", "bilag": upload})
    assert page.status_code == 400 and BAD_REQUEST in page.content.decode()
    assert stored_answers(invitation) == {}
    assert list(tmp_path.iterdir()) == []


# --- Two submits at the same moment ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_moment_send_one_receipt(monkeypatch):
    from questionnaire import views

    invitation = make_invitation()
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    both_loaded = threading.Barrier(2, timeout=10)
    original = views._visit

    def visit_then_wait(request, token):
        visit = original(request, token)
        both_loaded.wait()  # both requests have read the draft before either submits
        return visit

    monkeypatch.setattr(views, "_visit", visit_then_wait)
    url = reverse("questionnaire:submit", args=[invitation.token])
    statuses = []

    def submit():
        try:
            statuses.append(Client().post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Response.objects.get(invitation=invitation).is_submitted
    assert Mail.objects.filter(invitation=invitation, kind=MailKind.RECEIPT).count() == 1  # one receipt queued
    work_off()
    assert len(mail.outbox) == 1


# --- Cache headers: respondent pages are never stored -----------------------------------------


def test_every_respondent_page_is_sent_no_store_private(client, invitation):
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    draft_pages = [
        invitation.get_absolute_url(),
        reverse("questionnaire:section", args=[invitation.token, "library"]),
        reverse("questionnaire:review", args=[invitation.token]),
    ]
    pages = [client.get(url) for url in draft_pages]
    pages.append(client.post(reverse("questionnaire:submit", args=[invitation.token])))
    pages.append(client.get(invitation.get_absolute_url()))  # the receipt, with the answers
    closed = make_invitation(round=make_round(closes_at=timezone.now() - timezone.timedelta(days=1)))
    pages.append(client.get(closed.get_absolute_url()))
    assert [page.status_code for page in pages] == [200, 200, 200, 302, 200, 403]
    for page in pages:
        directives = {part.strip() for part in page["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, page.wsgi_request.path


# --- make audit says what it checked ------------------------------------------------------------


def audit_verdict(report):
    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.verdict(report)


def test_an_audit_that_reached_no_service_says_so_and_one_that_did_fails_on_what_it_found():
    skipped = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    clean = {"name": "openpyxl", "version": "3.1.5", "vulns": []}
    vulnerable = {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]}

    code, lines = audit_verdict({"dependencies": [skipped, {**skipped, "name": "openpyxl"}]})
    assert code == 0 and lines[-1].startswith("not audited: no vulnerability service reachable")
    assert audit_verdict({"dependencies": [clean, vulnerable]})[0] == 1
    assert audit_verdict({"dependencies": [clean, skipped]})[0] == 1  # the service answered: --strict
    assert audit_verdict({"dependencies": [clean]}) == (0, ["audited: no known vulnerabilities in 1 packages"])


# --- Register files: a clear Danish refusal, or read right -------------------------------------

REGISTER_HEADER = "kommunekode,kommune,region,navn,type,email"


def register_upload(client, data: bytes, name: str):
    upload = SimpleUploadedFile(name, data)
    return client.post(admin_url("library_import"), {"file": upload})


def register_problems(page) -> str:
    assert page.status_code == 200, page.status_code
    return " ".join(str(problem) for problem in page.context["problems"])


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*lines, newline="\n", encoding="utf-8"):
    return newline.join([REGISTER_HEADER, *lines]).encode(encoding)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + b"\x00" * 64
REFUSED_FILES = {
    "a field over the csv module's limit": (
        csv_bytes("101,,," + "x" * 200_000 + ",filial,"),
        "register.csv",
        "CSV-filen kan ikke læses i linje 2",
    ),
    "a real .xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "register.xls", "gamle format (.xls)"),
    "an image named .csv": (PNG, "register.csv", "ikke en CSV-tekstfil"),
    "a NUL in a name": (csv_bytes("101,,,Nord\x00bibliotek,filial,"), "register.csv", "NUL-tegn"),
    "an e-mail over 254 characters": (
        csv_bytes("101,,,Nord,filial," + "h" * 64 + "@" + ("b" * 60 + ".") * 4 + "dk"),
        "register.csv",
        "højst have 254 tegn",
    ),
    "an e-mail domain mail cannot use": (csv_bytes("101,,,Nord,filial,h@" + "ø" * 60 + ".dk"), "r.csv", "63 tegn"),
    "an .xlsx that is no workbook": (b"PK\x03\x04 ikke en projektmappe", "register.xlsx", "kan ikke læses som Excel"),
}


@pytest.mark.parametrize("case", REFUSED_FILES)
def test_a_bad_register_file_gets_a_danish_refusal_and_changes_nothing(manager_client, case):
    data, name, message = REFUSED_FILES[case]
    assert message in register_problems(register_upload(manager_client, data, name))
    assert Library.objects.count() == 0


NORD_AND_SYD = [("101", "Nord", "filial"), ("751", "Syd", "bogbus")]
READ_RIGHT = {
    "CR-only line endings (old Mac Excel)": (
        csv_bytes("101,,,Nord,filial,", "751,,,Syd,bogbus,", newline="\r"),
        NORD_AND_SYD,
    ),
    "Excel's Unicode text (UTF-16 with BOM, tabs)": (
        "\r\n".join([REGISTER_HEADER.replace(",", "\t"), "101\t\t\tNord\tfilial\t", "751\t\t\tSyd\tbogbus\t"]).encode(
            "utf-16"
        ),
        NORD_AND_SYD,
    ),
    "control characters in names": (
        csv_bytes(f"101,,,{CONTROL}Nord,filial,", "751,,,Syd\x1b,bogbus,"),
        [("101", "[31mNord", "filial"), ("751", "Syd", "bogbus")],
    ),
}


@pytest.mark.parametrize("case", READ_RIGHT)
def test_register_files_in_other_shapes_are_read_right(manager_client, case):
    data, expected = READ_RIGHT[case]
    page = register_upload(manager_client, data, "register.csv")
    assert page.status_code == 302, register_problems(page)
    assert sorted(Library.objects.values_list("municipality__code", "name", "kind")) == expected


def test_the_register_csv_export_imports_back_unchanged(manager_client):
    names = ['Bibliotek "Nord", afd. 1', "=Formel", "-Minus; og komma,", "Helt almindeligt", "@Snabel"]
    for name in names:
        make_library(name=name, email="b@example.dk", kind="filial")
    exported = register_download(manager_client, "csv").encode("utf-8-sig")

    page = register_upload(manager_client, exported, "biblioteker.csv")

    assert page.status_code == 302, register_problems(page)
    assert "0 tilføjet, 0 opdateret, 5 uændret" in manager_client.get(page.url).content.decode()
    assert sorted(Library.objects.values_list("name", flat=True)) == sorted(names)


# --- Register bombs: limits, named in the refusal -------------------------------------------------


def sheet_bomb(data: bytes, dimension: str, last_row: int) -> bytes:
    """Return the workbook *data* declaring the size *dimension*, with an empty row at *last_row*: the 1.6 kB bomb."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as result:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), content)
                content = content.replace(b"</sheetData>", f'<row r="{last_row}"/></sheetData>'.encode())
                assert dimension.encode() in content
            result.writestr(member, content)
    return target.getvalue()


def test_a_workbook_that_declares_a_huge_sheet_is_read_without_its_padding(manager_client):
    rows = [REGISTER_HEADER.split(","), ("101", "", "", "Nord", "filial", "")]
    bomb = sheet_bomb(workbook_bytes(rows), "A1:AZZ5000", 5000)  # 1 378 columns × 5 000 rows declared
    assert len(bomb) < 10_000
    tracemalloc.start()
    try:
        page = register_upload(manager_client, bomb, "register.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert page.status_code == 302, register_problems(page)
    assert list(Library.objects.values_list("name", flat=True)) == ["Nord"]
    assert peak < 20 * 1024 * 1024  # padding every row to the declared width took 55 MB here, 1.5 GB at XFD1048576


def test_a_workbook_with_a_row_far_down_is_refused_at_the_row_limit(manager_client):
    rows = [REGISTER_HEADER.split(","), ("101", "", "", "Nord", "filial", "")]
    bomb = sheet_bomb(workbook_bytes(rows), "A1:F1048576", 1048576)  # a million rows to pad, six columns wide
    started = time.monotonic()
    problems = register_problems(register_upload(manager_client, bomb, "register.xlsx"))
    assert "mere end 10000 rækker" in problems
    assert time.monotonic() - started < 5
    assert Library.objects.count() == 0


def test_a_workbook_that_inflates_past_the_limit_is_refused_before_it_is_unpacked(manager_client, settings):
    settings.REGISTER_MAX_INFLATED_BYTES = 1024 * 1024
    data = workbook_bytes([REGISTER_HEADER.split(","), ("101", "", "", "Nord", "filial", "")])
    padded = io.BytesIO(data)
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("xl/media/padding.bin", b"\x00" * (2 * 1024 * 1024))  # 2 MB in a 2 kB member
    assert len(padded.getvalue()) < 20_000
    problems = register_problems(register_upload(manager_client, padded.getvalue(), "register.xlsx"))
    assert "mere end 1 MB udpakket" in problems
    assert Library.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_register_over_the_row_limit_is_refused_with_the_limit_named(manager_client, settings, fmt):
    settings.REGISTER_MAX_ROWS = 5
    rows = [("101", "", "", f"Filial {number}", "filial", "") for number in range(10)]
    if fmt == "xlsx":
        data = workbook_bytes([REGISTER_HEADER.split(","), *rows])
    else:
        data = csv_bytes(*(",".join(row) for row in rows))
    problems = register_problems(register_upload(manager_client, data, f"register.{fmt}"))
    assert "mere end 5 rækker" in problems
    assert Library.objects.count() == 0


def test_a_register_file_over_the_size_limit_is_refused_with_the_limit_named(manager_client, settings):
    settings.REGISTER_MAX_UPLOAD_BYTES = 1024 * 1024
    data = csv_bytes(*["101,,,Nord,filial,"] * 70_000)  # 1.3 MB
    assert "større end 1 MB" in register_problems(register_upload(manager_client, data, "register.csv"))
    assert Library.objects.count() == 0


# --- With the lead's changes (lead-patches/): the links CSV, admin ids ---------------------------


def test_formula_names_are_quoted_in_the_invitation_links_csv(tmp_path):
    round_ = make_round(slug="links")
    for number, formula in enumerate(FORMULAS):
        make_invitation(round=round_, library=make_library(name=f"{formula}{number}{CONTROL}"))
    links = tmp_path / "links.csv"
    call_command("invite", round_.slug, "--links", str(links))
    with open(links, encoding="utf-8-sig") as handle:
        names = sorted(row["bibliotek"] for row in csv.DictReader(handle))
    assert names == sorted(f"'{formula}{number}[31m" for number, formula in enumerate(FORMULAS))


@pytest.mark.parametrize("object_id", ["²", "①"])  # digits to str.isdigit, not to int()
def test_an_admin_url_with_a_digit_look_alike_is_a_404(client, object_id):
    client.force_login(make_staff(is_superuser=True, username="root"))
    page = client.get(reverse("admin:questionnaire_response_change", args=[object_id]))
    assert page.status_code == 404


# --- Staff text is hostile too: what reaches a renderer is text, and no renderer fetches ------------


@pytest.fixture
def loopback_listener():
    """Return a function giving a URL on a loopback listener, and the list of requests it heard."""
    heard = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            try:
                peer, _address = server.accept()
            except TimeoutError:
                continue
            with peer:
                peer.settimeout(1)
                try:
                    heard.append(peer.recv(1024))
                except OSError:
                    heard.append(b"")

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    yield (lambda path: f"http://127.0.0.1:{port}/{path}"), heard
    stop.set()
    thread.join()
    server.close()


def staff_markup(url) -> str:
    """Return text (under 200 characters) that tries every way out of its place: HTML, attribute, CSS, a URL.

    The tags hold no space and quote with ' , as a CSS string may write a space or a " as an escape.
    """
    text = (
        f"</style><link/rel='attachment'/href='file:///etc/hosts'><link/rel='attachment'/href='{url('a')}'>"
        f"\"'; }} @import url({url('c')}); <script>alert(1)</script>"
    )
    assert len(text) < 190
    return text


def test_staff_text_in_every_field_an_output_reads_stays_text_and_nothing_is_fetched(manager_client, loopback_listener):
    url, heard = loopback_listener
    hostile = staff_markup(url)
    round_ = make_round(slug="fiendtlig", title=f"Runde {hostile}")
    # Mail texts may hold only named placeholders; everything else staff may type.
    mail_text = hostile.replace("{", "(").replace("}", ")")
    Round.objects.filter(pk=round_.pk).update(
        invitation_subject=f"Emne {mail_text}",
        invitation_text=f"{{bibliotek}} {mail_text} {{link}}",
        reminder_subject=f"Påmindelse {mail_text}",
        reminder_text=f"{{bibliotek}} {mail_text} {{link}}",
    )
    round_.refresh_from_db()
    questionnaire = round_.questionnaire
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        title=f"Skema {hostile}", intro=hostile, purpose=hostile, privacy=hostile
    )
    Section.objects.filter(questionnaire=questionnaire).update(title=f"Afsnit {hostile}", intro=hostile)
    Question.objects.filter(section__questionnaire=questionnaire).update(label=Concat(F("label"), Value(f" {hostile}")))
    Choice.objects.filter(question__section__questionnaire=questionnaire).update(
        label=Concat(F("label"), Value(f" {hostile}"))
    )
    for number in range(6):  # a group of five or more shows its figures
        library = make_library(name=f"Bibliotek {number} {hostile}", municipality=municipality("101"))
        answer_all(
            make_invitation(round=round_, library=library),
            {**ACTIVE_ANSWERS, "quote": f"Citat {hostile}", "quote_consent": "named", "advice": f"Råd {hostile}"},
        )
    # The report's own words (results.models): findings may hold only known placeholders, like mail texts.
    report_text = ReportText.objects.create(round=round_, author=f"Forfatter {hostile}")
    for section in ("about", "headline", "synergies", "advice"):
        ReportFinding.objects.create(
            report_text=report_text, section=section, heading=f"Fund {mail_text}", text=f"{{andel_aktive}} {mail_text}"
        )
    for response in Response.objects.filter(invitation__round=round_):
        ReportQuote.objects.create(round=round_, response=response, answer="advice", theme="advice")
        ReportQuote.objects.create(round=round_, response=response, answer="quote", theme="economy")
    interview = Interview.objects.create(
        round=round_, name=f"Navn {hostile}", title=f"Titel {hostile}", interviewer="DB", notes=hostile
    )
    InterviewQuote.objects.create(
        interview=interview, text=f"Interview {hostile}", consent=QuoteConsent.NAMED, themes=["culture"]
    )
    CaseStory.objects.create(round=round_, title=f"Case {hostile}", model="model_3", text=f"Punkt {hostile}")

    pdf = io.BytesIO()
    report_write(round=round_, filters=NO_FILTERS, handle=pdf, format="pdf")
    reader = PdfReader(io.BytesIO(pdf.getvalue()))
    assert reader.attachments == {}
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    assert "Runde </style><link/rel" in pdf_text.replace("\xa0", " ")  # the title is printed as typed, as text
    for typed in ("Forfatter </style><link/rel", "Fund </style><link/rel", "Råd </style><link/rel"):
        assert typed in pdf_text.replace("\xa0", " "), typed

    deck = io.BytesIO()
    report_write(round=round_, filters=NO_FILTERS, handle=deck, format="pptx")
    workbook = io.BytesIO()
    workbook_write(round=round_, filters=NO_FILTERS, handle=workbook)
    load_workbook(io.BytesIO(workbook.getvalue()), read_only=True)

    invitation = round_.invitations.select_related("library", "round").first()
    for kind in (MailKind.INVITATION, MailKind.REMINDER):
        message = mail_message(invitation, kind)
        html = message.alternatives[0][0]
        assert "<link" not in html and "<script" not in html
        assert "&lt;/style&gt;" in html

    pages = [
        admin_url("round_change", round_.pk),
        admin_url("round_overview", round_.pk),
        reverse("results:round", args=[round_.slug]),
        reverse("results:report-preview", args=[round_.slug]),
        reverse("admin:results_reporttext_change", args=[report_text.pk]),
        reverse("admin:results_reporttext_quotes", args=[report_text.pk]),
    ]
    for page in pages:
        body = manager_client.get(page).content.decode()
        assert "<link/rel='attachment'" not in body and "<script>alert" not in body, page
    preview = manager_client.get(admin_url("round_change", round_.pk)).content.decode()
    assert "&lt;/style&gt;&lt;link/rel=&#x27;attachment&#x27;" in preview

    assert heard == []


def test_the_report_renderer_serves_the_apps_static_files_and_refuses_every_other_url(loopback_listener, tmp_path):
    from weasyprint import HTML

    url, heard = loopback_listener
    secret = tmp_path / "secret.txt"
    secret.write_text("DJANGO_SECRET_KEY=hemmelig")
    markup = (
        f"<link rel='attachment' href='{secret.as_uri()}'><link rel='attachment' href='{url('a')}'>"
        f"<link rel='attachment' href='data:text/plain,indlejret'><img src='{url('img')}'>"
        f"<style>@import url({url('css')});</style><link rel='attachment' href='questionnaire/admin.css'>"
    )
    pdf = io.BytesIO()
    HTML(string=markup, base_url=f"{STATIC_ORIGIN}/static/", url_fetcher=static_files_only()).write_pdf(pdf)
    attachments = PdfReader(io.BytesIO(pdf.getvalue())).attachments
    assert list(attachments) == ["admin.css"]  # the app's own file, and nothing else
    assert heard == []


# --- A questionnaire workbook is read within limits, as the register is ----------------------


def questionnaire_workbook(client) -> bytes:
    from questionnaire.services.definition import install_default

    return client.get(admin_url("questionnaire_workbook", install_default().pk)).getvalue()


def padded(data: bytes, size: int, *, compress: bool) -> bytes:
    """Return the workbook *data* with a member of *size* bytes added (zeros, or random bytes stored as they are)."""
    handle = io.BytesIO(data)
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(handle, "a", method) as workbook:
        workbook.writestr("xl/media/padding.bin", b"\x00" * size if compress else os.urandom(size))
    return handle.getvalue()


QUESTIONNAIRE_BOMBS = {
    "declares a million rows": (lambda data: sheet_bomb(data, "A1:XFD1048576", 1048576), "mere end 2000 rækker"),
    "unpacks to 300 MB": (lambda data: padded(data, 300 * 1024 * 1024, compress=True), "mere end 10 MB udpakket"),
    "is larger than the limit": (lambda data: padded(data, 3 * 1024 * 1024, compress=False), "større end 2 MB"),
}


@pytest.mark.parametrize("case", QUESTIONNAIRE_BOMBS)
def test_a_questionnaire_workbook_bomb_is_refused_within_a_second(manager_client, case):
    make_bomb, message = QUESTIONNAIRE_BOMBS[case]
    bomb = make_bomb(questionnaire_workbook(manager_client))
    versions = Questionnaire.objects.count()
    started = time.monotonic()
    tracemalloc.start()
    try:
        page = manager_client.post(admin_url("questionnaire_upload"), {"file": SimpleUploadedFile("skema.xlsx", bomb)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 1
    assert [problem.message for problem in page.context["problems"]] == [
        next(problem.message for problem in page.context["problems"] if message in problem.message)
    ]
    assert peak < 20 * 1024 * 1024 + len(bomb)
    assert Questionnaire.objects.count() == versions


def test_a_questionnaire_with_more_rows_than_the_limit_is_refused_with_the_limit_named(manager_client, settings):
    data = questionnaire_workbook(manager_client)
    settings.QUESTIONNAIRE_MAX_ROWS = 50  # the questionnaire has some 150
    page = manager_client.post(admin_url("questionnaire_upload"), {"file": SimpleUploadedFile("skema.xlsx", data)})
    assert [problem.message for problem in page.context["problems"]] == ["Filen har mere end 50 rækker."]


def test_a_bound_beyond_what_the_database_holds_is_refused_with_its_sheet_and_row(manager_client):
    workbook = load_workbook(io.BytesIO(questionnaire_workbook(manager_client)))
    survey = workbook["survey"]
    header = [cell.value for cell in survey[1]]
    row = next(r for r in survey.iter_rows(min_row=2) if r[header.index("name")].value == "units")
    row[header.index("constraint")].value = ". >= 1 and . <= 99999999999999999999"
    handle = io.BytesIO()
    workbook.save(handle)
    page = manager_client.post(
        admin_url("questionnaire_upload"), {"file": SimpleUploadedFile("skema.xlsx", handle.getvalue())}
    )
    assert page.status_code == 200
    problems = [p for p in page.context["problems"] if "databasen kan rumme" in p.message]
    assert [(p.sheet, p.row) for p in problems] == [("survey", row[0].row)]
