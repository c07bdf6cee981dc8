"""/healthz: 200 while the database answers, every migration is applied and a worker serves the queue in time;
503 otherwise, naming the part, with a short JSON body and nothing secret in it."""

from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Worker
from questionnaire.mail.outbox import invitations_enqueue
from surveyproject import health
from tests.conftest import make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(settings):
    settings.WORKER_SILENT_SECONDS = 180
    return Worker.objects.create(name="w", seen_at=timezone.now())


def healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthy_with_a_worker_and_nothing_waiting(client, worker):
    status, body = healthz(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "queue": "ok",
        "worker": "ok",
        "oldest_due_task_seconds": 0,
        "worker_seen_seconds_ago": 0,
    }


def test_no_worker_seen_within_the_setting_is_503(client, worker):
    Worker.objects.filter(pk=worker.pk).update(seen_at=timezone.now() - timedelta(seconds=181))
    status, body = healthz(client)
    assert (status, body["status"], body["worker"]) == (503, "unavailable", "none running")
    assert body["worker_seen_seconds_ago"] >= 181

    Worker.objects.all().delete()
    status, body = healthz(client)
    assert (status, body["worker"]) == (503, "none running") and "worker_seen_seconds_ago" not in body


def test_a_due_task_waiting_longer_than_the_setting_is_503_and_one_due_later_is_not(client, worker, settings):
    settings.HEALTH_QUEUE_WAIT_SECONDS = 600
    invitations_enqueue(round=make_invitation().round)
    task = DBTaskResult.objects.get()
    assert healthz(client)[0] == 200

    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(seconds=601))
    status, body = healthz(client)
    assert (status, body["queue"], body["worker"]) == (503, "waiting too long", "ok")
    assert body["oldest_due_task_seconds"] >= 601

    # Queued long ago to run later (a retry, a watcher): due from its run_after, so not waiting yet.
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() + timedelta(minutes=5))
    assert healthz(client)[0] == 200
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - timedelta(seconds=30))
    status, body = healthz(client)
    assert (status, body["oldest_due_task_seconds"]) == (200, 30)


def test_an_unapplied_migration_is_503(client, worker, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'jobs' AND name = '0003_worker'")
    status, body = healthz(client)
    assert (status, body["migrations"]) == (503, "1 unapplied")


def test_a_database_that_does_not_answer_is_503_without_the_error(client, monkeypatch):
    def refuse():
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: password authentication failed')

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    status, body = healthz(client)
    assert (status, body) == (503, {"status": "unavailable", "database": "unavailable"})


def test_healthz_answers_over_plain_http_where_every_other_page_is_sent_to_https(client, worker, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200
