"""Workers show they are alive; staff read in Danish when none runs; a dead worker's task is said to be dead;
run_scheduled clears away the queue's old records, expired sessions and old workers' rows."""

import signal
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.housekeeping import housekeep
from jobs.models import Worker
from jobs.workers import DEAD_WORKER_ERROR, dead_worker_tasks_fail, worker_presence, worker_state
from questionnaire.mail.outbox import invitations_enqueue
from questionnaire.models import MailBatch
from tests.conftest import admin_url, make_invitation, make_round, wait_for, worker_start, worker_stop

pytestmark = pytest.mark.django_db

NO_WORKER = "Ingen afsender kører lige nu"


def seen(name: str, *, ago: timedelta = timedelta(0), stopped: bool = False) -> Worker:
    moment = timezone.now() - ago
    return Worker.objects.create(name=name, seen_at=moment, stopped_at=moment if stopped else None)


def running_task(worker_name: str, *, started_ago: timedelta = timedelta(minutes=1)) -> DBTaskResult:
    """Queue a batch's task and record it as claimed by *worker_name*, as db_worker does."""
    batch = invitations_enqueue(round=make_invitation().round)
    task = DBTaskResult.objects.get(args_kwargs__args=[batch.pk])
    task.claim(worker_name)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - started_ago)
    return task


def test_a_worker_counts_as_running_until_silent_for_the_setting_or_stopped(settings):
    settings.WORKER_SILENT_SECONDS = 180
    assert worker_state() == (False, None)

    recent = seen("a", ago=timedelta(seconds=170))
    assert worker_state() == (True, recent.seen_at)

    Worker.objects.filter(pk=recent.pk).update(seen_at=timezone.now() - timedelta(seconds=190))
    assert worker_state().running is False

    seen("b", stopped=True)
    assert worker_state().running is False


@pytest.mark.django_db(transaction=True)  # the heartbeat's thread writes on a connection of its own
def test_a_worker_shows_itself_while_it_runs_and_says_when_it_stops(settings):
    settings.WORKER_SILENT_SECONDS = 0.2  # a beat every 0.05 s
    with worker_presence("worker-1"):
        first = Worker.objects.get(name="worker-1")
        assert first.stopped_at is None and first.pid
        wait_for(lambda: Worker.objects.get(name="worker-1").seen_at > first.seen_at, 5, "a heartbeat")
        assert worker_state().running
    assert Worker.objects.get(name="worker-1").stopped_at is not None
    assert worker_state().running is False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_db_worker_shows_itself_and_a_sigterm_leaves_it_stopped():
    worker = worker_start({"EMAIL_URL": "memorymail://"})
    try:
        wait_for(lambda: worker_state().running, 20, "the worker to show itself")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(20) == 0
    finally:
        worker_stop(worker)
    (row,) = Worker.objects.all()
    assert row.stopped_at is not None and not worker_state().running


def test_the_tasks_of_a_dead_worker_are_marked_failed_saying_so_and_a_live_workers_are_left(settings):
    settings.WORKER_SILENT_SECONDS = 180
    seen("alive")
    seen("killed", ago=timedelta(minutes=10))
    seen("stopped", stopped=True)
    alive, killed, stopped = running_task("alive"), running_task("killed"), running_task("stopped")
    # A worker that left no row (one from before workers kept them): dead once it ran longer than the silence.
    unknown_old = running_task("unknown", started_ago=timedelta(minutes=10))
    unknown_new = running_task("unknown", started_ago=timedelta(seconds=10))

    assert dead_worker_tasks_fail() == 3

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[alive.pk] == statuses[unknown_new.pk] == TaskResultStatus.RUNNING
    assert statuses[killed.pk] == statuses[stopped.pk] == statuses[unknown_old.pk] == TaskResultStatus.FAILED
    dead = DBTaskResult.objects.get(pk=killed.pk)
    assert dead.exception_class_path == DEAD_WORKER_ERROR and "stopped" in dead.traceback and dead.finished_at


def test_housekeeping_deletes_old_task_records_expired_sessions_and_old_worker_rows(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    old, recent, waiting = (running_task("w") for _ in range(3))
    for task, days in ((old, 8), (recent, 6)):
        DBTaskResult.objects.filter(pk=task.pk).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - timedelta(days=days)
        )
    DBTaskResult.objects.filter(pk=waiting.pk).update(status=TaskResultStatus.READY)
    expired, current = SessionStore(), SessionStore()
    expired.create()
    current.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    seen("w")
    seen("long-gone", ago=timedelta(days=8), stopped=True)

    kept = housekeep()

    assert (kept.task_results, kept.sessions, kept.workers) == (1, 1, 1)
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
    assert list(Worker.objects.values_list("name", flat=True)) == ["w"]


def test_run_scheduled_does_the_housekeeping_and_says_so(settings):
    settings.WORKER_SILENT_SECONDS = 180
    seen("killed", ago=timedelta(minutes=10))
    task = running_task("killed")
    out = StringIO()

    call_command("run_scheduled", stdout=out)

    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.FAILED
    assert "1 task(s) whose worker stopped marked as failed." in out.getvalue()


# --- What staff read ---------------------------------------------------------------------------------


def test_the_admin_start_and_a_rounds_overview_say_in_danish_when_no_worker_runs(manager_client, settings):
    settings.WORKER_SILENT_SECONDS = 180
    round_ = make_round()
    pages = [reverse("admin:index"), admin_url("round_overview", round_.pk)]
    for url in pages:
        assert NO_WORKER in manager_client.get(url).content.decode(), url

    gone = seen("w", ago=timedelta(minutes=5))
    page = manager_client.get(reverse("admin:index")).content.decode()
    assert f"{NO_WORKER} (sidst set" in page and "afsenderen skal startes igen" in page

    Worker.objects.filter(pk=gone.pk).update(seen_at=timezone.now())
    for url in pages:
        assert NO_WORKER not in manager_client.get(url).content.decode(), url


def test_the_mail_progress_page_says_when_no_worker_runs_and_when_its_sender_died(manager_client, settings):
    settings.WORKER_SILENT_SECONDS = 180
    settings.MAIL_LEASE_SECONDS = 300
    batch = invitations_enqueue(round=make_invitation().round)
    url = admin_url("round_mail_progress", batch.round_id, batch.pk)

    page = manager_client.get(url).content.decode()
    assert NO_WORKER in page and "Venter på at blive sendt." in page

    seen("w")
    MailBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - timedelta(minutes=10), heartbeat_at=timezone.now() - timedelta(minutes=6)
    )
    page = manager_client.get(url).content.decode()
    assert NO_WORKER not in page
    assert "Afsenderen holdt op med at svare midt i afsendelsen" in page

    MailBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    page = manager_client.get(url).content.decode()
    assert "Sendes nu." in page and "holdt op med at svare" not in page
