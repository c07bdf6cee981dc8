"""A large round's files: made by a worker, followed on a page, then downloaded; a small round's at once."""

from dataclasses import replace
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job, JobStatus
from results import downloads
from tests.conftest import make_staff, work_off


@pytest.fixture
def staff_client(client, survey):
    client.force_login(make_staff(permissions=["view_response"]))
    return client


@pytest.fixture
def large(settings):
    """Make the hand-made round (six submitted responses) count as large."""
    settings.RESULTS_SYNC_MAX_RESPONSES = 5
    return settings


def export(client, **params):
    return client.get(reverse("results:export", args=["bs2009"]), params)


def workbook_cells(content: bytes) -> dict:
    """Return {sheet name: rows of values}, leaving out the time the workbook was made."""
    book = load_workbook(BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        sheets[sheet.title] = [row for row in rows if row[:1] != ["Udtrukket"]]
    return sheets


def test_a_small_round_downloads_at_once(staff_client):
    response = export(staff_client)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009.xlsx"'
    assert not Job.objects.exists()
    assert (
        " download>Hent Excel-filen</a>" in staff_client.get(reverse("results:round", args=["bs2009"])).content.decode()
    )


def test_a_large_round_is_made_by_a_worker_and_then_offered(staff_client, large):
    wanted = {"region": "midtjylland", "codes": "1", "question": "services", "by": "models"}
    large.RESULTS_SYNC_MAX_RESPONSES = 1  # two responses in Midtjylland
    response = export(staff_client, **wanted)
    job = Job.objects.get()
    assert (job.kind, job.params, job.status) == (
        "workbook-codes",
        {
            "filters": {"region": "midtjylland"},
            "options": {"cross": {"question": "services", "by": "models"}, "compare": ""},
        },
        JobStatus.QUEUED,
    )
    page_url = reverse("results:download", args=["bs2009", job.pk])
    assert response.status_code == 302 and response["Location"] == page_url

    waiting = staff_client.get(page_url).content.decode()
    assert "Filen venter på en worker." in waiting
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "Excel-filen med koder" in waiting
    # Asking again while it waits finds the same job.
    assert export(staff_client, **wanted)["Location"] == page_url
    assert Job.objects.count() == 1

    work_off()
    ready = staff_client.get(page_url).content.decode()
    file_url = reverse("results:download-file", args=["bs2009", job.pk])
    assert "Filen er klar" in ready and f'href="{file_url}"' in ready
    assert "borgerservice-bs2009-midtjylland-koder.xlsx" in ready
    assert "http-equiv" not in ready
    made = staff_client.get(file_url)
    assert made["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009-midtjylland-koder.xlsx"'
    assert made["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    made_cells = workbook_cells(b"".join(made.streaming_content))

    large.RESULTS_SYNC_MAX_RESPONSES = 2000
    at_once = export(staff_client, **wanted)
    at_once_cells = workbook_cells(b"".join(at_once.streaming_content))
    assert list(made_cells) == list(at_once_cells) and "Krydstabel" in made_cells  # the cross-table came along
    for name, rows in at_once_cells.items():
        assert made_cells[name] == rows, name
    # The same file for the next one to ask is a new job: the answers may have changed.
    large.RESULTS_SYNC_MAX_RESPONSES = 1
    assert export(staff_client, **wanted)["Location"] != page_url


def test_the_results_page_of_a_large_round_links_to_pages_not_files(staff_client, large):
    html = staff_client.get(reverse("results:round", args=["bs2009"])).content.decode()
    assert 'href="/results/bs2009/workbook.xlsx">Hent Excel-filen</a>' in html
    assert "Runden er stor" in html


def test_a_failing_job_says_so_in_danish(staff_client, large, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(downloads.DOWNLOADS, "workbook", replace(downloads.DOWNLOADS["workbook"], write=fail))
    page_url = export(staff_client)["Location"]
    work_off()
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not job.file
    html = staff_client.get(page_url).content.decode()
    assert "Filen kunne ikke laves." in html
    assert "En fejl i programmet stoppede arbejdet" in html
    assert "the disk is full" not in html  # the details are in the worker's log, not on the page
    assert staff_client.get(reverse("results:download-file", args=["bs2009", job.pk])).status_code == 404


def test_only_staff_allowed_to_see_responses_get_the_page_and_the_file(client, staff_client, large):
    page_url = export(staff_client)["Location"]
    work_off()
    job = Job.objects.get()
    file_url = reverse("results:download-file", args=["bs2009", job.pk])
    # Another staff member with the right sees the same download.
    client.force_login(make_staff(permissions=["view_response"]))
    assert client.get(page_url).status_code == 200
    assert client.get(file_url).status_code == 200
    client.force_login(make_staff())
    assert client.get(page_url).status_code == 403
    assert client.get(file_url).status_code == 403
    client.logout()
    assert client.get(file_url)["Location"] == f"/admin/login/?next={file_url}"
    # The job belongs to its round.
    client.force_login(make_staff(permissions=["view_response"]))
    assert client.get(reverse("results:download-file", args=["andet", job.pk])).status_code == 404


def test_the_report_joins_the_downloads_with_one_entry(survey, monkeypatch):
    from jobs.registry import KINDS, JobKind
    from jobs.services import job_queue

    def report_write(*, round, filters, handle, format):
        handle.write(f"{format}:{round.slug}:{filters.region}".encode())

    for kind in downloads.report_downloads(report_write):
        monkeypatch.setitem(downloads.DOWNLOADS, kind.code, kind)
        monkeypatch.setitem(KINDS, kind.code, JobKind(kind.code, kind.label, downloads.download_make))
    job = job_queue(kind="report-pptx", round=survey.round, params={"filters": {"region": "hovedstaden"}})
    work_off()
    job.refresh_from_db()
    assert job.file.read() == b"pptx:bs2009:hovedstaden"
    assert job.filename == "borgerservice-bs2009-hovedstaden-rapport.pptx"
