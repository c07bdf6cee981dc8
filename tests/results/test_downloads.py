"""A large round's files: made by a worker, followed on a page, then downloaded; a small round's at once.

The workers killed here are real ``db_worker`` processes (tests/jobworker.py: only the
workbook's writer is replaced, by one that hangs until the process is killed).
"""

from dataclasses import replace
from io import BytesIO

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from jobs.models import Job, JobStatus, job_files
from results import downloads
from tests.conftest import make_staff, wait_for, work_off, worker_start, worker_stop


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
    assert "Filen venter på baggrundsprocessen." in waiting
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


def test_a_file_that_is_gone_gets_a_page_that_offers_to_make_it_again(staff_client, large):
    page_url = export(staff_client)["Location"]
    work_off()
    job = Job.objects.get()
    job_files().delete(job.file.name)  # deleted, or made where the web server cannot see it

    page = staff_client.get(page_url)
    again_url = reverse("results:download-again", args=["bs2009", job.pk])
    html = page.content.decode()
    assert page.status_code == 200
    assert "findes ikke længere på serveren" in html and "Filen er klar" not in html
    assert f'action="{again_url}"' in html and "Lav filen igen" in html and "JOB_FILES_DIR" in html
    file_page = staff_client.get(reverse("results:download-file", args=["bs2009", job.pk]))
    assert file_page.status_code == 410 and "findes ikke længere på serveren" in file_page.content.decode()

    assert staff_client.get(again_url).status_code == 405
    made_again = staff_client.post(again_url)
    new = Job.objects.latest_first().first()
    assert new != job and (new.kind, new.params) == (job.kind, job.params)
    assert made_again["Location"] == reverse("results:download", args=["bs2009", new.pk])
    assert staff_client.post(again_url)["Location"] == made_again["Location"]  # pressed twice: one job
    work_off()
    assert "Filen er klar" in staff_client.get(made_again["Location"]).content.decode()


# --- A worker killed in the middle of a file ------------------------------------------------

LEASE = 2  # seconds: a heartbeat every half second


def job_worker(files: str, *, hang: bool, max_attempts: int):
    """Start a real worker sharing the test's job files; with *hang* its workbook never finishes."""
    return worker_start(
        {
            "JOB_LEASE_SECONDS": str(LEASE),
            "JOB_MAX_ATTEMPTS": str(max_attempts),
            "JOB_FILES_DIR": files,
            "JOB_TEST_HANG": "1" if hang else "0",
        },
        command=("tests/jobworker.py",),
    )


def status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_started_again_by_the_next_worker(staff_client, large, job_files_dir):
    large.JOB_LEASE_SECONDS, large.JOB_MAX_ATTEMPTS = LEASE, 2
    page_url = export(staff_client)["Location"]
    job = Job.objects.get()
    first = job_worker(job_files_dir, hang=True, max_attempts=2)
    second = None
    try:
        wait_for(lambda: status(job) == JobStatus.RUNNING, 30, "the first worker to start the file")
        second = job_worker(job_files_dir, hang=False, max_attempts=2)
        # The second worker runs the watcher: a worker that is alive keeps its job past the lease.
        watched = DBTaskResult.objects.filter(args_kwargs__kwargs={"watch": True}, status="SUCCESSFUL")
        wait_for(watched.exists, 30, "the second worker to look at the running job")
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
        assert "Filen laves nu af baggrundsprocessen." in staff_client.get(page_url).content.decode()

        first.kill()
        first.wait(5)
        wait_for(lambda: status(job) == JobStatus.DONE, 6 * LEASE, "the second worker to take the job over")
    finally:
        worker_stop(first, second)

    job.refresh_from_db()
    assert job.attempts == 2  # the bound: started once more, no more
    html = staff_client.get(page_url).content.decode()
    assert "Filen er klar" in html
    made = staff_client.get(reverse("results:download-file", args=["bs2009", job.pk]))
    assert b"".join(made.streaming_content) == b"made"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_with_no_starts_left_fails_in_danish_and_asking_again_starts_anew(
    staff_client, large, job_files_dir
):
    large.JOB_LEASE_SECONDS, large.JOB_MAX_ATTEMPTS = LEASE, 1
    page_url = export(staff_client)["Location"]
    job = Job.objects.get()
    first = job_worker(job_files_dir, hang=True, max_attempts=1)
    second = None
    try:
        wait_for(lambda: status(job) == JobStatus.RUNNING, 30, "the first worker to start the file")
        first.kill()
        first.wait(5)
        wait_for(lambda: Job.objects.silent().filter(pk=job.pk).exists(), 3 * LEASE, "the lease to lapse")
        silent = staff_client.get(page_url).content.decode()
        assert "Arbejdet stoppede uventet: den baggrundsproces, der lavede filen, holdt op med at svare" in silent
        assert "markeret som fejlet; derefter kan du lave filen igen" in silent
        assert 'http-equiv="refresh"' in silent  # it follows the job on

        second = job_worker(job_files_dir, hang=False, max_attempts=1)
        wait_for(lambda: status(job) == JobStatus.FAILED, 30, "the next worker to fail the job")
        failed = staff_client.get(page_url).content.decode()
        assert "Filen kunne ikke laves. Arbejdet stoppede uventet" in failed
        assert "Det blev startet 1 gang. Prøv igen; stopper det igen, så kontakt den, der driver systemet." in failed
        assert "Lav filen igen" in failed and "http-equiv" not in failed
        job.refresh_from_db()
        assert job.attempts == 1

        asked_again = export(staff_client)["Location"]
        assert asked_again != page_url
        new = Job.objects.exclude(pk=job.pk).get()
        wait_for(lambda: status(new) == JobStatus.DONE, 30, "the second worker to make the new file")
    finally:
        worker_stop(first, second)
    assert "Filen er klar" in staff_client.get(asked_again).content.decode()
