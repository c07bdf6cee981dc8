"""Queueing, running and clearing away background jobs, with a made-up kind of job.

A worker that dies is played here by a job left running with an old heartbeat; the results'
download tests kill real workers.
"""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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
    assert crashed.status == JobStatus.FAILED and "baggrundsprocessens log" in crashed.error
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
    assert jobs_prune() == (0, 0, 0)


def left_running(job: Job, *, attempts: int = 1, seconds_ago: float = 3600) -> None:
    """Leave *job* as a worker that died while running it would: running, its heartbeat *seconds_ago* old."""
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        claim="the-dead-worker",
        attempts=attempts,
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def watchers(job: Job):
    return DBTaskResult.objects.filter(status="READY", args_kwargs__args=[job.pk], args_kwargs__kwargs={"watch": True})


def test_a_job_whose_worker_went_silent_is_started_again_until_its_starts_run_out(kind, settings):
    settings.JOB_LEASE_SECONDS, settings.JOB_MAX_ATTEMPTS = 60, 2
    job = job_queue(kind="test")
    left_running(job, seconds_ago=61)
    assert Job.objects.get(pk=job.pk).is_silent
    assert job_run(job.pk, watch=True) == JobStatus.DONE  # the watcher takes it over
    job.refresh_from_db()
    assert (job.status, job.attempts, job.claim, kind) == (JobStatus.DONE, 2, "", [job.pk])

    spent = job_queue(kind="test", params={"spent": 1})
    left_running(spent, attempts=2, seconds_ago=61)
    assert job_run(spent.pk, watch=True) == JobStatus.FAILED
    spent.refresh_from_db()
    assert (spent.status, spent.attempts, spent.upload) == (JobStatus.FAILED, 2, None)
    assert spent.error.startswith(
        "Arbejdet stoppede uventet: den baggrundsproces, der udførte det, holdt op med at svare"
    )
    assert "Det blev startet 2 gange. Prøv igen" in spent.error
    assert kind == [job.pk]  # never a third start
    assert job_run(spent.pk) is None


def test_a_live_job_is_left_to_its_worker_and_watched_again_when_its_lease_would_end(kind, settings):
    settings.JOB_LEASE_SECONDS = 60
    job = job_queue(kind="test")
    DBTaskResult.objects.all().delete()  # a worker took the task, and runs the job
    left_running(job, seconds_ago=10)
    assert job_run(job.pk) is None and not watchers(job).exists()
    assert job_run(job.pk, watch=True) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.claim, kind) == (JobStatus.RUNNING, 1, "the-dead-worker", [])
    assert watchers(job).get().run_after == job.heartbeat_at + timedelta(seconds=60)


def test_claiming_a_job_queues_its_watcher(kind, settings):
    settings.JOB_LEASE_SECONDS = 60
    job = job_queue(kind="test")
    work_off()
    job.refresh_from_db()
    lease_end = job.heartbeat_at + timedelta(seconds=60)
    assert lease_end <= watchers(job).get().run_after < lease_end + timedelta(seconds=5)
    assert job.attempts == 1


def test_asking_again_for_the_work_of_a_dead_job_queues_a_new_one(kind, settings):
    settings.JOB_LEASE_SECONDS = 60
    round_ = make_round()
    alive = job_queue(kind="test", round=round_)
    left_running(alive, seconds_ago=10)
    assert job_queue(kind="test", round=round_) == alive  # its worker is alive: the same job

    left_running(alive, seconds_ago=61)
    again = job_queue(kind="test", round=round_)
    assert again != alive and again.status == JobStatus.QUEUED
    alive.refresh_from_db()
    assert alive.status == JobStatus.FAILED and alive.error.startswith("Arbejdet stoppede uventet")
    assert job_run(alive.pk, watch=True) is None  # its watcher finds it failed: not started twice
    work_off()
    again.refresh_from_db()
    assert again.status == JobStatus.DONE and kind == [again.pk]


def test_the_outcome_of_a_worker_that_lost_its_job_is_dropped(settings, monkeypatch):
    settings.JOB_LEASE_SECONDS = 60
    made = []

    def run(job):
        job_file_save(job, write=lambda handle: handle.write(b"late"), filename="sen.txt")
        made.append(job.file.name)
        # Meanwhile this worker was silent too long, and another took the job over.
        Job.objects.filter(pk=job.pk).update(claim="the-other-worker", attempts=2)
        return {"late": True}

    monkeypatch.setitem(KINDS, "test", JobKind("test", "Test", run))
    job = job_queue(kind="test")
    assert job_run(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.claim, job.result, job.file.name) == (JobStatus.RUNNING, "the-other-worker", None, "")
    assert not job_files().exists(made[0])


@pytest.mark.django_db(transaction=True)
def test_a_running_job_renews_its_lease(settings, monkeypatch):
    settings.JOB_LEASE_SECONDS = 0.4  # a heartbeat every 0.1 s
    seen = []

    def run(job):
        for _beat in range(6):
            seen.append(Job.objects.get(pk=job.pk).heartbeat_at)
            time.sleep(0.1)
        assert not Job.objects.get(pk=job.pk).is_silent
        return None

    monkeypatch.setitem(KINDS, "test", JobKind("test", "Test", run))
    job = job_queue(kind="test")
    time.sleep(0.5)  # the lease would long have lapsed without the heartbeat
    assert job_run(job.pk) == JobStatus.DONE
    assert len(set(seen)) >= 3 and seen == sorted(seen)


def test_run_scheduled_resumes_a_job_whose_worker_and_watcher_died_and_stops_one_with_no_starts_left(kind, settings):
    settings.JOB_LEASE_SECONDS, settings.JOB_MAX_ATTEMPTS = 60, 2
    resumable, spent = job_queue(kind="test"), job_queue(kind="test", params={"spent": 1})
    DBTaskResult.objects.all().delete()  # the tasks went with the worker that ran them
    left_running(resumable, seconds_ago=61)
    left_running(spent, attempts=2, seconds_ago=61)
    out = StringIO()
    call_command("run_scheduled", stdout=out)
    assert "1 background job(s) whose worker stopped queued to be taken over." in out.getvalue()
    assert "1 background job(s) no worker finished were stopped." in out.getvalue()
    work_off()
    resumable.refresh_from_db()
    spent.refresh_from_db()
    assert (resumable.status, resumable.attempts) == (JobStatus.DONE, 2)
    assert spent.status == JobStatus.FAILED and "Det blev startet 2 gange" in spent.error
    assert kind == [resumable.pk]
