"""Queueing, running and clearing away background jobs, with a made-up kind of job."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Job, JobStatus, job_files
from jobs.registry import KINDS, JobKind
from jobs.services import job_file_save, job_queue, job_run, jobs_prune
from tests.conftest import make_round, work_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind(monkeypatch):
    """Register the kind "test": it writes a small file, or fails as the job's parameters say."""
    calls = []

    def run(job):
        calls.append(job.pk)
        if job.params.get("refuse"):
            raise ValidationError("Runden er ikke lukket.")
        if job.params.get("crash"):
            raise RuntimeError("boom")
        job_file_save(job, write=lambda handle: handle.write(b"hello"), filename="hilsen.txt")
        return {"upload": bytes(job.upload or b"").decode()}

    monkeypatch.setitem(KINDS, "test", JobKind("test", "Test", run))
    return calls


def test_a_job_runs_once_and_keeps_its_file_and_result(kind):
    job = job_queue(kind="test", upload=b"data", upload_name="data.csv")
    work_off()
    job.refresh_from_db()
    assert (job.status, job.result, job.upload) == (JobStatus.DONE, {"upload": "data"}, None)
    assert job.file.read() == b"hello" and (job.filename, job.size) == ("hilsen.txt", 5)
    assert job.started_at <= job.finished_at
    assert job_run(job.pk) is None and kind == [job.pk]  # a task run twice does the work once


def test_the_same_unfinished_job_is_not_queued_twice(kind):
    round_ = make_round()
    first = job_queue(kind="test", round=round_, params={"region": "hovedstaden"})
    assert job_queue(kind="test", round=round_, params={"region": "hovedstaden"}) == first
    assert job_queue(kind="test", round=round_, params={}) != first
    work_off()
    assert job_queue(kind="test", round=round_, params={"region": "hovedstaden"}) != first
    with pytest.raises(ValueError):
        job_queue(kind="unknown")


def test_a_refusal_is_shown_and_a_crash_is_logged(kind, caplog):
    refused = job_queue(kind="test", params={"refuse": True})
    crashed = job_queue(kind="test", params={"crash": True})
    work_off()
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert (refused.status, refused.error) == (JobStatus.FAILED, "Runden er ikke lukket.")
    assert crashed.status == JobStatus.FAILED and "workerens log" in crashed.error
    assert "boom" in caplog.text


def test_old_jobs_and_their_files_are_deleted_and_stale_ones_stopped(kind, settings):
    settings.JOB_KEEP_HOURS = 24
    old, recent = job_queue(kind="test"), job_queue(kind="test", params={"other": 1})
    work_off()
    name = Job.objects.get(pk=old.pk).file.name
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    stale = job_queue(kind="test", params={"stale": 1})
    Job.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    out = StringIO()
    call_command("run_scheduled", stdout=out)
    assert "1 background job(s) no worker finished were stopped." in out.getvalue()
    assert "1 old background job(s) and their files deleted." in out.getvalue()
    assert not Job.objects.filter(pk=old.pk).exists() and not job_files().exists(name)
    assert Job.objects.get(pk=recent.pk).file.read() == b"hello"
    stale.refresh_from_db()
    assert stale.status == JobStatus.FAILED and "inden for en time" in stale.error
    work_off()  # its task still runs, and does nothing
    assert kind.count(stale.pk) == 0
    assert jobs_prune() == (0, 0)
