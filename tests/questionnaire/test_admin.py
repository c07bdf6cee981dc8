"""The admin as DB staff use it: register, rounds, overview, invitations, responses."""

import re
import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import Workbook, load_workbook

from jobs.models import Job
from jobs.services import job_run
from questionnaire.models import Invitation, Library, MailBatch, Municipality
from questionnaire.services.follow import round_overview
from questionnaire.services.register import HEADER
from tests.conftest import (
    ACTIVE_ANSWERS,
    NOT_STARTED_ANSWERS,
    RefusingBackend,
    admin_url,
    answer_all,
    count_queries,
    days_ago,
    make_invitation,
    make_library,
    make_round,
    make_staff,
    page_queries,
    work_off,
)

pytestmark = pytest.mark.django_db


# --- The register ------------------------------------------------------------------------


def test_library_list_filters_and_search(manager_client):
    copenhagen = Municipality.objects.get(code="101")
    aarhus = Municipality.objects.get(code="751")
    make_library(municipality=copenhagen, name="Med mail", email="a@example.com")
    make_library(municipality=copenhagen, name="Uden mail", email="", kind="filial")
    make_library(municipality=aarhus, name="Bogbussen Aarhus", kind="bogbus", email="", active=False)

    def names(query):
        page = manager_client.get(admin_url("library_changelist") + query)
        assert page.status_code == 200
        return sorted(library.name for library in page.context["cl"].result_list)

    assert names("?has_email=no") == ["Bogbussen Aarhus", "Uden mail"]
    assert names("?has_email=yes") == ["Med mail"]
    assert names("?municipality__region__exact=midtjylland") == ["Bogbussen Aarhus"]
    assert names("?kind__exact=filial") == ["Uden mail"]
    assert names("?active__exact=0") == ["Bogbussen Aarhus"]
    assert names(f"?municipality__id__exact={aarhus.pk}") == ["Bogbussen Aarhus"]
    assert names("?q=aarhus") == ["Bogbussen Aarhus"]
    assert names("?q=751") == ["Bogbussen Aarhus"]


def test_the_library_form_refuses_an_address_mail_cannot_use(manager_client):
    copenhagen = Municipality.objects.get(code="101")
    form = {"name": "Nørrebro Bibliotek", "kind": "filial", "municipality": copenhagen.pk, "active": "on"}

    for address, error in (
        ("norrebro@kk\u00ad.dk", "usynligt tegn"),  # a soft hyphen, which Django's own check lets through
        ("n@" + "ø" * 60 + ".dk", "højst have 63 tegn"),
    ):
        page = manager_client.post(admin_url("library_add"), {**form, "email": address})
        assert page.status_code == 200 and error in page.content.decode(), address
    assert not Library.objects.filter(name="Nørrebro Bibliotek").exists()

    page = manager_client.post(admin_url("library_add"), {**form, "email": "norrebro@kk.dk"})
    assert page.status_code == 302
    assert Library.objects.get(name="Nørrebro Bibliotek").email == "norrebro@kk.dk"


def test_kinds_and_statuses_read_as_labels_not_codes(busy_round, manager_client):
    libraries = manager_client.get(admin_url("library_changelist")).content.decode()
    assert ">Hovedbibliotek<" in libraries and ">hovedbibliotek<" not in libraries
    responses = manager_client.get(admin_url("response_changelist")).content.decode()
    assert ">I gang<" in responses and ">Indsendt<" in responses and ">i gang<" not in responses
    overview = manager_client.get(admin_url("round_overview", busy_round.pk)).content.decode()
    assert "(Hovedbibliotek)" in overview
    statuses = {
        row.status for row in manager_client.get(admin_url("round_overview", busy_round.pk)).context["non_respondents"]
    }
    assert statuses == {"Ikke åbnet", "I gang", "Ikke sendt"}
    invitations = manager_client.get(admin_url("invitation_changelist")).content.decode()
    assert ">Åbnet, ikke påbegyndt</a>" in invitations  # the status filter


def test_list_pages_run_the_same_number_of_queries_for_more_rows(manager_client):
    round_ = make_round()

    def add_rows(count):
        for _number in range(count):
            invitation = make_invitation(round=round_, sent_at=days_ago(3))
            answer_all(invitation, ACTIVE_ANSWERS, submit=False)

    pages = [
        admin_url("library_changelist"),
        admin_url("invitation_changelist"),
        admin_url("response_changelist"),
        admin_url("round_changelist"),
        admin_url("round_overview", round_.pk),
        admin_url("municipality_changelist"),
    ]
    add_rows(2)
    few = [page_queries(manager_client, page) for page in pages]
    add_rows(6)
    many = [page_queries(manager_client, page) for page in pages]
    assert few == many


def test_register_download_is_the_import_layout(reader_client):
    make_library(municipality=Municipality.objects.get(code="101"), name="Hovedbiblioteket", email="h@x.dk")

    page = reader_client.get(admin_url("library_export"))

    assert page.status_code == 200
    assert page["Content-Disposition"].startswith('attachment; filename="biblioteker-')
    rows = list(load_workbook(BytesIO(b"".join(page.streaming_content))).active.iter_rows(values_only=True))
    assert rows == [HEADER, ("101", "København", "Region Hovedstaden", "Hovedbiblioteket", "hovedbibliotek", "h@x.dk")]
    csv_page = reader_client.get(admin_url("library_export") + "?format=csv")
    # For Danish Excel: a byte order mark, then semicolons.
    assert csv_page.content.startswith("\ufeff".encode())
    assert csv_page.content.decode("utf-8-sig").splitlines()[0] == ";".join(HEADER)


def upload(rows):
    workbook = Workbook()
    workbook.active.append(list(HEADER))
    for row in rows:
        workbook.active.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "register.xlsx"
    return buffer


def test_register_upload_imports_a_good_file(manager_client):
    page = manager_client.post(
        admin_url("library_import"), {"file": upload([("101", "", "", "Nyt Bibliotek", "filial", "n@example.com")])}
    )

    assert page.status_code == 302
    assert Library.objects.get().name == "Nyt Bibliotek"
    follow = manager_client.get(page.url)
    assert "Registret er importeret: 1 tilføjet, 0 opdateret, 0 uændret." in follow.content.decode()


def test_register_upload_of_a_bad_file_lists_every_bad_row_and_changes_nothing(manager_client):
    rows = [
        ("101", "", "", "Godt Bibliotek", "filial", ""),
        ("998", "", "", "<b>Fed</b>", "filial", ""),
        ("101", "", "", "Dårlig", "filial", "ikke en mail"),
    ]

    page = manager_client.post(admin_url("library_import"), {"file": upload(rows)})

    assert page.status_code == 200
    assert [(p.row, p.column, p.value) for p in page.context["problems"]] == [
        (3, "kommunekode", "998"),
        (4, "email", "ikke en mail"),
    ]
    html = page.content.decode()
    assert "ikke en mail" in html and "998" in html
    assert Library.objects.count() == 0


def test_a_large_register_file_is_imported_by_a_worker_and_then_reported_as_a_small_one(manager_client, settings):
    settings.REGISTER_SYNC_MAX_BYTES = 100
    page = manager_client.post(
        admin_url("library_import"), {"file": upload([("101", "", "", "Nyt Bibliotek", "filial", "n@example.com")])}
    )
    job = Job.objects.get()
    assert page.status_code == 302 and page.url == admin_url("library_import_job", job.pk)
    waiting = manager_client.get(page.url).content.decode()
    assert "register.xlsx venter på, at baggrundsprocessen importerer den." in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert Library.objects.count() == 0

    work_off()
    done = manager_client.get(page.url)
    assert done.status_code == 302 and done.url == admin_url("library_changelist")
    assert (
        "Registret er importeret: 1 tilføjet, 0 opdateret, 0 uændret." in manager_client.get(done.url).content.decode()
    )
    assert Library.objects.get().name == "Nyt Bibliotek"
    assert Job.objects.get().upload is None  # the file is not kept


def test_a_register_import_whose_worker_stopped_says_so_and_is_started_again(manager_client, settings):
    settings.REGISTER_SYNC_MAX_BYTES, settings.JOB_LEASE_SECONDS, settings.JOB_MAX_ATTEMPTS = 100, 60, 2
    rows = [("101", "", "", "Nyt Bibliotek", "filial", "n@example.com")]
    url = manager_client.post(admin_url("library_import"), {"file": upload(rows)}).url
    job = Job.objects.get()
    # Its worker was killed a lease ago, in the middle of the import.
    stopped = timezone.now() - timedelta(seconds=61)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, claim="dead", heartbeat_at=stopped)
    html = manager_client.get(url).content.decode()
    assert "Arbejdet stoppede uventet: den baggrundsproces, der importerede filen, holdt op med at svare" in html
    assert "den stoppede import har ikke ændret noget" in html and 'http-equiv="refresh"' in html

    job_run(job.pk, watch=True)  # the next worker runs the watcher
    assert manager_client.get(url).url == admin_url("library_changelist")
    assert Library.objects.get().name == "Nyt Bibliotek"


def test_a_large_bad_register_file_lists_every_bad_row_and_changes_nothing(manager_client, settings):
    settings.REGISTER_SYNC_MAX_BYTES = 100
    rows = [("101", "", "", "Godt Bibliotek", "filial", ""), ("998", "", "", "Dårligt", "filial", "ikke en mail")]
    url = manager_client.post(admin_url("library_import"), {"file": upload(rows)}).url
    work_off()
    page = manager_client.get(url)
    assert page.status_code == 200
    assert [(p.row, p.column, p.value) for p in page.context["problems"]] == [
        (3, "kommunekode", "998"),
        (3, "email", "ikke en mail"),
    ]
    assert "Filen blev ikke importeret: der blev fundet 2 problemer." in page.content.decode()
    assert "http-equiv" not in page.content.decode()
    assert Library.objects.count() == 0


def test_only_staff_who_may_import_follow_an_import(client, manager_client, settings):
    settings.REGISTER_SYNC_MAX_BYTES = 100
    url = manager_client.post(admin_url("library_import"), {"file": upload([("101", "", "", "B", "filial", "")])}).url
    client.force_login(make_staff(group="Læsere"))
    assert client.get(url).status_code == 403


# --- Rounds and the overview ---------------------------------------------------------------


@pytest.fixture
def busy_round():
    """A round in two regions: submitted, in progress, opened, not opened and not sent."""
    round_ = make_round(slug="2009", closes_at=timezone.now() + timedelta(days=10))
    copenhagen = Municipality.objects.get(code="101")
    aarhus = Municipality.objects.get(code="751")

    def invite(municipality, name, **kwargs):
        library = make_library(municipality=municipality, name=name, email=f"{len(name)}{name[:3]}@example.com")
        return make_invitation(round=round_, library=library, **kwargs)

    submitted = invite(copenhagen, "Afsendt", sent_at=days_ago(20), first_opened_at=days_ago(19))
    answer_all(submitted, ACTIVE_ANSWERS)
    draft = invite(copenhagen, "Kladde", sent_at=days_ago(20), first_opened_at=days_ago(18))
    answer_all(draft, {**NOT_STARTED_ANSWERS, "respondent_phone": "12 34 56 78"}, submit=False)
    invite(copenhagen, "Ikke åbnet", sent_at=days_ago(20))
    aarhus_done = invite(aarhus, "Aarhus Afsendt", sent_at=days_ago(20), first_opened_at=days_ago(5))
    answer_all(aarhus_done, NOT_STARTED_ANSWERS)
    invite(aarhus, "Aarhus Ikke sendt")
    make_library(name="Ikke inviteret")
    return round_


def test_overview_counts_overall_and_per_region(busy_round, django_assert_num_queries):
    with django_assert_num_queries(1):
        overview = round_overview(busy_round)

    total = overview.total
    assert (total.invited, total.sent, total.opened, total.in_progress, total.submitted) == (5, 4, 3, 1, 2)
    assert total.response_rate == pytest.approx(0.4)
    regions = {region.label: region for region in overview.regions}
    assert len(regions) == 5
    capital, central = regions["Region Hovedstaden"], regions["Region Midtjylland"]
    assert (capital.invited, capital.sent, capital.opened, capital.in_progress, capital.submitted) == (3, 3, 2, 1, 1)
    assert (central.invited, central.sent, central.opened, central.in_progress, central.submitted) == (2, 1, 1, 0, 1)
    assert regions["Region Sjælland"].invited == 0 and regions["Region Sjælland"].response_rate is None


def test_overview_page_shows_the_numbers_and_who_has_not_answered(busy_round, reader_client):
    page = reader_client.get(admin_url("round_overview", busy_round.pk))

    assert page.status_code == 200
    html = page.content.decode()
    rows = re.findall(r'<tr[^>]*data-region="([^"]+)">(.*?)</tr>', html, flags=re.S)
    rates = {region: re.findall(r'<td class="number">([^<]*)</td>', cells)[-1] for region, cells in rows}
    assert rates == {
        "Alle regioner": "40 %",
        "Region Hovedstaden": "33 %",
        "Region Sjælland": "–",
        "Region Syddanmark": "–",
        "Region Midtjylland": "50 %",
        "Region Nordjylland": "–",
    }
    non_respondents = [row.library.name for row in page.context["non_respondents"]]
    assert non_respondents == ["Ikke åbnet", "Kladde", "Aarhus Ikke sendt"]
    assert "12 34 56 78" in html  # the contact person's phone from the draft
    assert admin_url("round_non_respondents", busy_round.pk) in html
    with translation.override("da"):
        removal = date_format(timezone.localtime(busy_round.closes_at + timedelta(days=365)), "j. F Y")
    assert f"Slettes senest {removal}." in html  # the promise of the landing page, in days


def test_non_respondents_download(busy_round, reader_client):
    page = reader_client.get(admin_url("round_non_respondents", busy_round.pk))

    assert page.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(page.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 4
    by_library = {row[3]: row for row in rows[1:]}
    assert set(by_library) == {"Ikke åbnet", "Kladde", "Aarhus Ikke sendt"}
    draft = by_library["Kladde"]
    assert draft[0] == "101" and draft[5].endswith("@example.com")
    assert draft[10:] == ("Per Månson", "per@example.com", "12 34 56 78")


def test_the_overview_writes_dates_one_way_and_captions_its_tables(busy_round, manager_client):
    busy_round.opens_at = timezone.make_aware(timezone.datetime(2030, 9, 1, 9, 0))
    busy_round.closes_at = timezone.make_aware(timezone.datetime(2030, 12, 15, 23, 59))
    busy_round.save()

    html = manager_client.get(admin_url("round_overview", busy_round.pk)).content.decode()

    # The same format as the library's own pages and mails (surveyproject/formats/da).
    assert "1. september 2030 kl. 09:00 – 15. december 2030 kl. 23:59" in html
    for table in ("round-progress", "non-respondents"):
        assert re.search(rf'<table class="survey-table" id="{table}">\s*<caption>[^<]+</caption>', html), table


def test_round_list_links_to_the_overview_and_shows_personal_data(busy_round, manager_client):
    page = manager_client.get(admin_url("round_changelist"))

    html = page.content.decode()
    assert admin_url("round_overview", busy_round.pk) in html
    assert f'href="/results/{busy_round.slug}/"' in html
    row = page.context["cl"].result_list[0]
    assert (row.invited, row.submitted, row.personal_data_held) == (5, 2, True)
    change = manager_client.get(admin_url("round_change", busy_round.pk)).content.decode()
    assert admin_url("round_overview", busy_round.pk) in change and f'href="/results/{busy_round.slug}/"' in change


def test_invite_and_send_invitations_from_the_overview(busy_round, manager_client):
    overview = manager_client.get(admin_url("round_overview", busy_round.pk))
    assert overview.context["not_invited"] == 1 and overview.context["to_invite"] == 1

    manager_client.post(admin_url("round_invite", busy_round.pk))
    assert busy_round.invitations.count() == 6

    confirm = manager_client.get(admin_url("round_send_invitations", busy_round.pk))
    assert confirm.status_code == 200 and confirm.context["count"] == 2
    assert mail.outbox == []  # asking sends nothing
    done = manager_client.post(admin_url("round_send_invitations", busy_round.pk))
    batch = MailBatch.objects.get()
    assert done.status_code == 302 and done.url == admin_url("round_mail_progress", busy_round.pk, batch.pk)
    assert mail.outbox == []  # queued: the worker sends

    waiting = manager_client.get(done.url)
    html = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert waiting.context["progress"].queued == 2 and "Venter på at blive sendt." in html
    work_off()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Library.objects.filter(name__in=["Aarhus Ikke sendt", "Ikke inviteret"]).values_list("email", flat=True)
    )
    finished = manager_client.get(done.url)
    assert finished.context["progress"].sent == 2 and 'http-equiv="refresh"' not in finished.content.decode()
    assert "Færdig" in finished.content.decode()

    again = manager_client.post(admin_url("round_send_invitations", busy_round.pk))
    assert again.url == admin_url("round_overview", busy_round.pk)  # nothing due: nothing queued
    work_off()
    assert len(mail.outbox) == 2
    overview = manager_client.get(admin_url("round_overview", busy_round.pk))
    assert [counts.sent for _batch, counts in overview.context["batches"]] == [0, 2]


def test_the_progress_page_and_the_overview_name_the_failures_in_the_servers_words(
    busy_round, manager_client, settings
):
    settings.EMAIL_BACKEND = "tests.conftest.RefusingBackend"
    refused = busy_round.invitations.get(library__name="Aarhus Ikke sendt")
    RefusingBackend.permanent, RefusingBackend.once = {refused.library.email}, set()

    done = manager_client.post(admin_url("round_send_invitations", busy_round.pk))
    work_off()

    page = manager_client.get(done.url).content.decode()
    assert "Aarhus Ikke sendt" in page and "550 5.1.1 User unknown" in page
    overview = manager_client.get(admin_url("round_overview", busy_round.pk)).content.decode()
    assert 'id="mail-failures"' in overview and "550 5.1.1 User unknown" in overview


def request_cost(manager_client, round_) -> tuple[float, int]:
    """Return the seconds and queries of the request that asks for the invitations of *round_*."""

    def post():
        assert manager_client.post(admin_url("round_send_invitations", round_.pk)).status_code == 302

    started = time.perf_counter()
    queries = count_queries(post)
    return time.perf_counter() - started, queries


def test_send_invitations_takes_the_same_queries_and_no_longer_for_500_libraries_than_for_10(manager_client):
    costs = {}
    for count in (10, 500):
        round_ = make_round(slug=f"runde-{count}")
        home = Municipality.objects.get(code="101")
        Library.objects.bulk_create(
            Library(name=f"Bibliotek {count}-{n}", municipality=home, email=f"lib{n}@example.com") for n in range(count)
        )
        Invitation.objects.bulk_create(
            Invitation(round=round_, library=library)
            for library in Library.objects.filter(name__startswith=f"Bibliotek {count}-")
        )
        costs[count] = request_cost(manager_client, round_)
    assert costs[500][1] == costs[10][1]
    assert costs[500][0] < 1.0
    assert mail.outbox == []


def test_send_reminders_from_the_admin(busy_round, manager_client):
    manager_client.post(admin_url("round_send_reminders", busy_round.pk))
    work_off()

    # Not submitted and invited long enough ago: the draft (also to whoever started it) and the unopened one.
    emails = dict(Library.objects.filter(name__in=["Kladde", "Ikke åbnet"]).values_list("name", "email"))
    assert sorted(m.to for m in mail.outbox) == sorted([[emails["Ikke åbnet"]], ["per@example.com", emails["Kladde"]]])


def test_round_actions_lead_to_the_confirmation(busy_round, manager_client):
    page = manager_client.post(
        admin_url("round_changelist"), {"action": "send_reminders", "_selected_action": [busy_round.pk]}
    )

    assert page.status_code == 302 and page.url == admin_url("round_send_reminders", busy_round.pk)
    assert mail.outbox == []


def test_invitation_list_shows_mail_and_progress(busy_round, manager_client):
    failed = busy_round.invitations.get(library__name="Ikke åbnet")
    failed.send_error = "2009-09-01 10:00: SMTPRecipientsRefused"
    failed.reminder_count = 2
    failed.last_reminded_at = days_ago(1)
    failed.save()

    page = manager_client.get(admin_url("invitation_changelist") + f"?round__id__exact={busy_round.pk}")

    assert page.status_code == 200
    headers = [str(header["text"]) for header in page.context["result_headers"]]
    for column in ("invitation sendt", "påmindelser sendt", "status", "indsendt"):
        assert column in headers
    # The list fits 1280 px: the round only when several are listed; opened and saved on each invitation's page.
    assert "runde" not in headers and "først åbnet" not in headers and "e-mail fejlede" not in headers
    html = page.content.decode()
    assert f"2, senest {timezone.localtime(failed.last_reminded_at):%d.%m.%y}" in html
    assert 'title="2009-09-01 10:00: SMTPRecipientsRefused">(e-mail fejlede)</span>' in html
    failing = manager_client.get(admin_url("invitation_changelist") + "?mail_failed=yes")
    assert [invitation.pk for invitation in failing.context["cl"].result_list] == [failed.pk]
    in_progress = manager_client.get(admin_url("invitation_changelist") + "?status=draft")
    assert [i.library.name for i in in_progress.context["cl"].result_list] == ["Kladde"]
    not_submitted = manager_client.get(admin_url("invitation_changelist") + "?status=not_submitted")
    assert len(not_submitted.context["cl"].result_list) == 3
    change = manager_client.get(admin_url("invitation_change", failed.pk))
    assert "SMTPRecipientsRefused" in change.content.decode()
    assert failed.token in change.content.decode()  # the personal link, to give on the phone


def test_invitation_actions_send_to_the_selected(busy_round, manager_client):
    not_sent = busy_round.invitations.get(library__name="Aarhus Ikke sendt")
    already = busy_round.invitations.get(library__name="Afsendt")

    manager_client.post(
        admin_url("invitation_changelist"),
        {"action": "send_invitation", "_selected_action": [not_sent.pk, already.pk]},
    )
    work_off()

    assert [m.to[0] for m in mail.outbox] == [not_sent.library.email]
    not_sent.refresh_from_db()
    assert not_sent.sent_at is not None


def test_resend_one_invitation_and_a_test_to_oneself_from_its_page(busy_round, manager_client, manager):
    manager.email = "medarbejder@db.example"
    manager.save()
    already = busy_round.invitations.get(library__name="Afsendt")

    page = manager_client.get(admin_url("invitation_change", already.pk)).content.decode()
    assert "Send invitationen igen" in page and "Send en test af invitationen til mig selv" in page
    manager_client.post(admin_url("invitation_resend", already.pk))
    manager_client.post(admin_url("invitation_test", already.pk))
    work_off()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([already.library.email, "medarbejder@db.example"])
    assert manager_client.get(admin_url("invitation_resend", already.pk)).status_code == 405
    history = manager_client.get(admin_url("invitation_change", already.pk)).content.decode()
    assert 'id="invitation-mails"' in history and "Test til medarbejder" in history


def test_a_closed_round_offers_no_sending(manager_client):
    now = timezone.now()
    closed = make_round(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))
    make_invitation(round=closed)

    page = manager_client.get(admin_url("round_overview", closed.pk)).content.decode()

    assert admin_url("round_send_invitations", closed.pk) not in page
    assert admin_url("round_send_reminders", closed.pk) not in page


def test_a_round_that_closes_before_it_opens_is_refused_on_the_closing_field(manager_client, busy_round):
    form = {
        "title": busy_round.title,
        "questionnaire": busy_round.questionnaire_id,
        "opens_at_0": "04.12.2026",
        "opens_at_1": "17:30",
        "closes_at_0": "03.12.2026",
        "closes_at_1": "12:00",
        "reminder_days": "",
    }
    page = manager_client.post(admin_url("round_change", busy_round.pk), form)
    assert page.status_code == 200
    assert page.context["adminform"].form.errors == {
        "closes_at": ["Runden skal lukke, efter at den åbner (4. december 2026 kl. 17:30)."]
    }
    busy_round.refresh_from_db()
    assert busy_round.closes_at > busy_round.opens_at


def test_an_overview_of_a_round_nobody_is_invited_to_says_so(manager_client):
    make_library()
    round_ = make_round()
    page = manager_client.get(admin_url("round_overview", round_.pk)).content.decode()
    assert "Der er endnu ikke inviteret nogen biblioteker til denne runde." in page
    assert "Alle inviterede biblioteker har indsendt" not in page


def test_an_overview_of_a_round_everybody_answered_says_so(manager_client):
    answer_all(make_invitation(), ACTIVE_ANSWERS)
    page = manager_client.get(admin_url("round_overview", Invitation.objects.get().round_id)).content.decode()
    assert "Alle inviterede biblioteker har indsendt." in page and "ikke inviteret nogen" not in page


def test_a_round_takes_reminder_days(manager_client, busy_round):
    page = manager_client.get(admin_url("round_change", busy_round.pk)).content.decode()
    assert 'name="reminder_days"' in page


# --- Anonymising ---------------------------------------------------------------------------


def test_anonymise_a_closed_round_from_the_admin(busy_round, manager_client):
    refused = manager_client.post(admin_url("round_anonymise", busy_round.pk), follow=True).content.decode()
    assert "er ikke lukket endnu" in refused and not Job.objects.exists()  # still open: refused at once

    busy_round.closes_at = days_ago(1)
    busy_round.save()
    confirm = manager_client.get(admin_url("round_anonymise", busy_round.pk))
    assert confirm.status_code == 200 and confirm.context["has_closed"]
    overview = manager_client.post(admin_url("round_anonymise", busy_round.pk), follow=True).content.decode()
    # A worker does it; the overview says so, reloads itself and offers no second removal.
    assert "Baggrundsprocessen fjerner personoplysningerne; oversigten viser, når det er gjort." in overview
    assert "Baggrundsprocessen fjerner dem (bestilt " in overview
    assert '<meta http-equiv="refresh" content="5">' in overview
    assert admin_url("round_anonymise", busy_round.pk) not in overview
    busy_round.refresh_from_db()
    assert busy_round.personal_data_removed_at is None

    work_off()
    overview = manager_client.get(admin_url("round_overview", busy_round.pk)).content.decode()
    assert "svar blev slettet." in overview and "http-equiv" not in overview
    busy_round.refresh_from_db()
    assert busy_round.personal_data_removed_at is not None
    page = manager_client.get(admin_url("round_changelist") + "?personal_data=yes")
    assert list(page.context["cl"].result_list) == []
    page = manager_client.get(admin_url("round_changelist") + "?personal_data=no")
    assert [r.pk for r in page.context["cl"].result_list] == [busy_round.pk]
    response = busy_round.invitations.get(library__name="Afsendt").response
    answers = {answer.question.code for answer in response.answers.select_related("question")}
    assert "respondent_name" not in answers and "respondent_email" not in answers
    assert {"status", "models", "resources_dkk"} <= answers


# --- Responses -----------------------------------------------------------------------------


def test_response_page_shows_answers_by_section_with_labels(reader_client):
    invitation = make_invitation(library=make_library(name="Testby Bibliotek"))
    answers = {**ACTIVE_ANSWERS, "quote": "<script>alert(1)</script> Godt samarbejde", "quote_consent": "named"}
    response = answer_all(invitation, answers)

    page = reader_client.get(admin_url("response_change", response.pk))

    assert page.status_code == 200
    html = page.content.decode()
    sections = [section.code for section, _rows in page.context["summary"]]
    assert sections == ["library", "status", "models", "services", "staff", "economy", "organisation", "experience"]
    assert "Om biblioteket og kontaktperson" in html
    assert "Hvilke samarbejdsmodeller bruger I?" in html
    assert "Model 3: Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk" in html
    assert "250.000" in html  # kroner with Danish thousands separators
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert ">model_3<" not in html
    # Read-only for readers: no change links.
    assert admin_url("response_edit", response.pk, "library") not in html


def test_the_admin_index_is_danish_down_to_the_login_lockout_models(client):
    client.force_login(make_staff(username="root", is_superuser=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "Loginforsøg" in page and "Mislykkede login" in page and "Undersøgelsesrunder" in page
    assert "Access attempts" not in page and "Access failures" not in page
