"""Shared fixtures and data helpers. Helpers fill in defaults with setdefault."""

import importlib
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from questionnaire.models import Invitation, Library, LibraryKind, Municipality, Response, Round
from questionnaire.services.answers import response_answers
from questionnaire.services.definition import install_default
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.responses import response_submit, section_save

ROOT = Path(__file__).resolve().parent.parent


def municipality(code="101") -> Municipality:
    """Return the municipality *code*, reloading the register a transactional test flushed."""
    if not Municipality.objects.exists():
        importlib.import_module("questionnaire.migrations.0002_municipalities").load(apps, None)
    return Municipality.objects.get(code=code)


def make_library(**kwargs) -> Library:
    if "municipality" not in kwargs:
        kwargs["municipality"] = municipality()
    kwargs.setdefault("name", f"Testbibliotek {Library.objects.count() + 1}")
    kwargs.setdefault("kind", LibraryKind.MAIN)
    kwargs.setdefault("email", "bibliotek@example.com")
    return Library.objects.create(**kwargs)


def make_round(**kwargs) -> Round:
    kwargs.setdefault("slug", f"runde-{Round.objects.count() + 1}")
    kwargs.setdefault("title", "Biblioteker og borgerservice 2009")
    if "questionnaire" not in kwargs:
        kwargs["questionnaire"] = install_default()
    return Round.objects.create(**kwargs)


def make_invitation(**kwargs) -> Invitation:
    if "round" not in kwargs:
        kwargs["round"] = make_round()
    if "library" not in kwargs:
        kwargs["library"] = make_library()
    return Invitation.objects.create(**kwargs)


def answer_all(invitation: Invitation, answers: dict, *, submit: bool = True):
    """Save *answers* ({code: value}) section by section through the services, and submit."""
    sections = questionnaire_sections(invitation.round.questionnaire)
    for section in sections:
        values = {q.code: answers.get(q.code) for q in section.questions.all()}
        section_save(invitation=invitation, section=section, values=values)
    if submit:
        return response_submit(invitation=invitation, sections=sections)
    return invitation.response


ACTIVE_ANSWERS = {
    "respondent_name": "Hanne Jensen",
    "respondent_title": "Borgerservicechef",
    "respondent_email": "hanne@example.com",
    "units": 3,
    "status": "active",
    "started_year": 2007,
    "models": ["model_3", "model_4"],
    "primary_model": "model_3",
    "locations": ["main_library"],
    "services": ["passport", "health_card"],
    "case_processing": "no",
    "resources_dkk": 250000,
    "development_funds": "yes",
    "challenges": ["culture", "legislation"],
}

NOT_STARTED_ANSWERS = {
    "respondent_name": "Per Månson",
    "respondent_email": "per@example.com",
    "units": 1,
    "status": "not_started",
    "plans": "later",
}


def stored_answers(invitation: Invitation) -> dict:
    """Return what the database holds for *invitation*: {} before anything was saved."""
    response = Response.objects.filter(invitation=invitation).first()
    return response_answers(response) if response else {}


def admin_url(name: str, *args) -> str:
    """Return the URL of this project's admin page *name*, e.g. admin_url("round_overview", pk)."""
    return reverse(f"admin:questionnaire_{name}", args=args)


@pytest.fixture
def invitation(db):
    return make_invitation()


# --- Measuring -------------------------------------------------------------------------


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def count_queries(action) -> int:
    """Return the number of database queries that calling *action* makes."""
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def page_queries(client, url, statuses=(200,)) -> int:
    """Return the number of database queries of GET *url*, which must answer one of *statuses*."""

    def get():
        assert client.get(url).status_code in statuses, url

    return count_queries(get)


# --- Staff users ------------------------------------------------------------------------

READERS = "Læsere"
MANAGERS = "Administratorer"


def make_staff(*, group: str | None = None, permissions=(), **kwargs):
    """Return a staff user, in *group* (READERS or MANAGERS) and with this app's *permissions* if given."""
    from django.contrib.auth.models import Group, Permission, User

    kwargs.setdefault("username", f"staff{User.objects.count() + 1}")
    kwargs.setdefault("is_staff", True)
    user = User.objects.create_user(password=kwargs.pop("password", "a-long-test-password"), **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="questionnaire"))
    return user


@pytest.fixture
def reader(db):
    return make_staff(group=READERS, username="reader")


@pytest.fixture
def manager(db):
    return make_staff(group=MANAGERS, username="manager")


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# --- The task queue -----------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def job_files_dir(tmp_path_factory):
    """Keep the files background jobs make in a temporary directory, not the checkout's var/jobs."""
    from django.conf import settings
    from django.core.files.storage import storages as storage_handler
    from django.test import override_settings

    from jobs.models import Job

    storages = {**settings.STORAGES, "jobs": {**settings.STORAGES["jobs"], "OPTIONS": {}}}
    storages["jobs"]["OPTIONS"] = {"location": str(tmp_path_factory.mktemp("jobs"))}
    # The file field took its storage when the model was defined: it must follow the setting too.
    field = Job._meta.get_field("file")
    with override_settings(STORAGES=storages):
        field.storage, original = storage_handler["jobs"], field.storage
        try:
            yield storages["jobs"]["OPTIONS"]["location"]
        finally:
            field.storage = original


def work_off() -> None:
    """Run every queued task that is due, in this process, as ``manage.py db_worker --batch`` does.

    The worker's own check for stale database connections is left out: inside a test's
    transaction it would close the connection.
    """
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    from django_tasks_db.models import DBTaskResult

    failed = DBTaskResult.objects.failed()
    assert not failed.exists(), "\n".join(result.traceback for result in failed)


# --- Real workers, in processes of their own ---------------------------------------------


def worker_start(environment: dict, *, command: tuple = ("manage.py", "db_worker")) -> subprocess.Popen:
    """Start a worker process as production does (``manage.py db_worker``), on the test database.

    *environment* is added to the defaults (e.g. a short lease, so that another worker takes
    over within a test's time); *command* may name another entry point that ends in db_worker.
    """
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "worker-test",
        "DATABASE_URL": running_database_url(),
        "SITE_URL": "http://testserver",
        **environment,
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, *command, "--interval", "0.1", "--no-startup-delay", "-v", "0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def worker_stop(*workers) -> None:
    """Kill the workers still running (SIGKILL: nothing of theirs runs on)."""
    for worker in workers:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(5)


def running_database_url() -> str:
    """Return the URL of the database this test runs on, for a process of its own."""
    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return f"postgres://{params['USER']}{password}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def wait_for(condition, timeout: float, what: str) -> None:
    """Wait until *condition()* is true; fail, naming *what*, after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.02)
