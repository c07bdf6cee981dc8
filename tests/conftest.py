"""Shared fixtures and data helpers. Helpers fill in defaults with setdefault."""

import copy
import importlib
import os
import smtplib
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from questionnaire.mail.outbox import reminders_enqueue
from questionnaire.models import (
    Invitation,
    Library,
    LibraryKind,
    Mail,
    MailBatch,
    MailStatus,
    Municipality,
    Response,
    Round,
)
from questionnaire.services.answers import response_answers
from questionnaire.services.corrections import response_reopen, staff_section_save
from questionnaire.services.definition import install_default, read_definition
from questionnaire.services.definition.base import canonical, install_definition
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.responses import response_submit, section_save
from questionnaire.services.rounds import invitations_create

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


# --- A small, hand-made round whose every figure is known --------------------------------
#
# The round (`survey` fixture) has eight invited libraries:
#
# | library                  | municipality  | region      | kind   | answer                                |
# |--------------------------|---------------|-------------|--------|---------------------------------------|
# | Københavns Biblioteker   | 101 København | hovedstaden | main   | active, models 1+3, primary 3; quote, named |
# | Frederiksberg Bibliotek  | 147           | hovedstaden | main   | not started                           |
# | Aarhus Hovedbibliotek    | 751 Aarhus    | midtjylland | main   | active, model 3; hostile quote, anonymous |
# | Lystrup Bibliotek        | 751 Aarhus    | midtjylland | branch | active, models 3+4, primary 4; quote, no |
# | =Odense Centralbibliotek | 461 Odense    | syddanmark  | main   | active, other model; no kroner, no services |
# | Aalborg Bibliotekerne    | 851 Aalborg   | nordjylland | main   | not started                           |
# | Roskilde Bibliotek       | 265 Roskilde  | sjaelland   | main   | active, but only a draft              |
# | Køge Bibliotek           | 259 Køge      | sjaelland   | main   | invited, no answer                    |
#
# The hostile names and texts (a leading "=", "@", "-", a <script>) test escaping.
# A library in another round has submitted too; it must never be counted here.

HOSTILE_QUOTE = '<script>alert(1)</script> =HYPERLINK("http://x","y")'
FORMULA_QUOTE = '=HYPERLINK("http://x","y")'


def answers(base=ACTIVE_ANSWERS, **changes) -> dict:
    """Return *base* with *changes*; a change to None removes the answer."""
    result = {**base, **changes}
    return {code: value for code, value in result.items() if value is not None}


def make_response(round: Round, answers: dict, *, library=None, submit=True, **library_fields):
    """Invite a library to *round* (a new one unless given) and answer; return the response."""
    if library is None:
        if "municipality" in library_fields and isinstance(library_fields["municipality"], str):
            library_fields["municipality"] = municipality(library_fields["municipality"])
        library = make_library(**library_fields)
    invitation = make_invitation(round=round, library=library)
    return answer_all(invitation, answers, submit=submit)


@dataclass
class Survey:
    round: Round
    other_round: Round


def make_survey() -> Survey:
    """Make the hand-made round (the table above) and another; return both."""
    round_ = make_round(slug="bs2009", title="Biblioteker og borgerservice 2009")
    make_response(
        round_,
        answers(
            models=["model_1", "model_3"],
            primary_model="model_3",
            services=["passport", "health_card", "tax"],
            resources_dkk=100_000,
            development_funds="yes",
            challenges=["culture", "legislation"],
            quote="Borgerne er glade for de lange åbningstider.",
            quote_consent="named",
        ),
        name="Københavns Biblioteker",
        municipality="101",
    )
    make_response(round_, NOT_STARTED_ANSWERS, name="Frederiksberg Bibliotek", municipality="147")
    make_response(
        round_,
        answers(
            respondent_name="Skjult Person",
            respondent_title="Hemmelig stilling",
            models=["model_3"],
            primary_model="model_3",
            services=["passport"],
            resources_dkk=300_000,
            development_funds="no",
            challenges=["culture"],
            quote=HOSTILE_QUOTE,
            quote_consent="anonymous",
            advice="@SUM(1+1)",
        ),
        name="Aarhus Hovedbibliotek",
        municipality="751",
    )
    make_response(
        round_,
        answers(
            models=["model_3", "model_4"],
            primary_model="model_4",
            services=["passport", "tax", "health_card"],
            resources_dkk=20_000,
            development_funds="applied",
            challenges=["routines", "culture"],
            quote="Må ikke bruges.",
            quote_consent="no",
        ),
        name="Lystrup Bibliotek",
        municipality="751",
        kind=LibraryKind.BRANCH,
    )
    make_response(
        round_,
        answers(
            models=["other"],
            models_other="-2+3 infodisk",
            primary_model="other",
            services=None,
            resources_dkk=None,
            development_funds="yes",
            challenges=["legislation"],
        ),
        name="=Odense Centralbibliotek",
        municipality="461",
    )
    make_response(round_, NOT_STARTED_ANSWERS, name="Aalborg Bibliotekerne", municipality="851")
    make_response(round_, ACTIVE_ANSWERS, name="Roskilde Bibliotek", municipality="265", submit=False)
    make_invitation(round=round_, library=make_library(name="Køge Bibliotek", municipality=municipality("259")))

    other_round = make_round(slug="bs2010", title="Biblioteker og borgerservice 2010")
    make_response(
        other_round, answers(models=["model_6"], primary_model="model_6"), name="Anden runde", municipality="101"
    )
    return Survey(round_, other_round)


@pytest.fixture
def survey(db) -> Survey:
    return make_survey()


def moment(year):
    """Return 1 September *year*, 9:00, in the current time zone."""
    return timezone.make_aware(datetime(year, 9, 1, 9, 0))


@pytest.fixture
def rounds():
    """Two hand-made rounds side by side (the table in tests/results/test_comparison.py); return both."""
    municipality()  # the register, reloaded if a transactional test (the browser's) flushed it
    earlier = make_round(
        slug="bs2009", title="Runde 2009", opens_at=moment(2009), closes_at=moment(2009).replace(month=12)
    )
    definition = copy.deepcopy(canonical(read_definition()))
    services = next(q for s in definition["sections"] for q in s["questions"] if q["code"] == "services")
    services["choices"] = [c for c in services["choices"] if c["code"] != "tax"]
    services["choices"].append({"code": "mitid", "label": "Hjælp med MitID"})
    version_2, _created = install_definition(definition)
    current = make_round(slug="bs2026", title="Runde 2026", questionnaire=version_2, opens_at=moment(2026))

    def active(round_, municipality, **changes):
        make_response(
            round_, answers(**changes), name=f"Bibliotek {round_.slug} {municipality}", municipality=municipality
        )

    active(
        earlier,
        "101",
        models=["model_1", "model_3"],
        primary_model="model_3",
        services=["passport", "tax"],
        challenges=["culture"],
        resources_dkk=100_000,
        development_funds="yes",
    )
    make_response(earlier, NOT_STARTED_ANSWERS, name="B", municipality="147")
    active(
        earlier,
        "751",
        models=["model_3"],
        primary_model="model_3",
        services=["passport"],
        challenges=["culture", "legislation"],
        resources_dkk=300_000,
        development_funds="no",
    )
    make_response(earlier, NOT_STARTED_ANSWERS, name="D", municipality="851")
    active(
        current,
        "101",
        models=["model_3", "model_4"],
        primary_model="model_3",
        services=["passport", "mitid"],
        challenges=["legislation"],
        resources_dkk=150_000,
        development_funds="yes",
    )
    active(
        current,
        "147",
        models=["model_1"],
        primary_model="model_1",
        services=["mitid"],
        challenges=["culture", "legislation"],
        resources_dkk=250_000,
        development_funds="applied",
    )
    make_response(current, NOT_STARTED_ANSWERS, name="G", municipality="751")
    make_invitation(round=current, library=make_library(name="H", municipality=municipality("265")))
    return earlier, current  # fmt: skip


# --- Mail a server refuses ------------------------------------------------------------------


def refusing(settings, *, permanent=(), once=()):
    """Use the recording backend, refusing *permanent* addresses with 550 and *once* with 451 the first time."""
    settings.EMAIL_BACKEND = "tests.conftest.RefusingBackend"
    RefusingBackend.permanent, RefusingBackend.once, RefusingBackend.refused = set(permanent), set(once), set()


class RefusingBackend(EmailBackend):
    permanent: set = set()
    once: set = set()
    refused: set = set()

    def send_messages(self, messages):
        for message in messages:
            to = message.to[0]
            if to in self.permanent:
                raise smtplib.SMTPRecipientsRefused({to: (550, b"5.1.1 User unknown")})
            if to in self.once and to not in self.refused:
                type(self).refused.add(to)
                raise smtplib.SMTPRecipientsRefused({to: (451, b"4.7.1 Greylisted, try again later")})
        return super().send_messages(messages)


# --- The demo's data and every admin page ---------------------------------------------------

LONG_REFUSAL = (
    "550 5.1.1 <borgerservice.og.bibliotek@lyngby-taarbaek-kommune.dk>: Recipient address rejected: "
    "User unknown in virtual mailbox table; see https://support.example.dk/postmaster/5.1.1"
)


def demo_dataset(settings):
    """Load the demo's data and add what a round gathers on the way; return the demo round."""
    municipality()  # an earlier transactional test may have flushed the 98 municipalities
    settings.DEBUG = True  # the demo command is for local use only
    call_command("demo", stdout=StringIO())
    settings.DEBUG = False
    demo = Round.objects.get(slug="demo")

    long_named = Library.objects.create(
        municipality=municipality("173"),
        name="Lyngby-Taarbæk Kommunes Biblioteker, Stadsbiblioteket og Borgerservice",
        kind=LibraryKind.BRANCH,
        email="borgerservice.og.bibliotek@lyngby-taarbaek-kommune.dk",
    )
    invitations_create(round=demo)
    Invitation.objects.filter(library=long_named).update(sent_at=timezone.now() - timedelta(days=10))

    earlier = Round.objects.create(
        slug="bs-2025",
        title="Biblioteker og borgerservice 2025",
        questionnaire=demo.questionnaire,
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=330),
        reminder_days="7, 2",
    )
    invitations_create(round=earlier)
    for invitation in earlier.invitations.order_by("pk")[:5]:
        answer_all(invitation, ACTIVE_ANSWERS)

    # Reminders queued, some sent, some refused in the server's long words.
    batch = reminders_enqueue(round=demo, queue=False)
    mails = list(batch.mails.order_by("pk").values_list("pk", flat=True))
    Mail.objects.filter(pk__in=mails[:20]).update(status=MailStatus.SENT, sent_at=timezone.now(), attempts=1)
    Mail.objects.filter(pk__in=mails[20:23]).update(status=MailStatus.FAILED, error=LONG_REFUSAL, attempts=1)
    Mail.objects.filter(pk__in=mails[23:25]).update(
        status=MailStatus.RETRY, error="421 4.7.0 Try again later", attempts=2
    )
    Invitation.objects.filter(mails__pk__in=mails[20:23]).update(send_error=f"01.12.26 10:15: {LONG_REFUSAL}")
    MailBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now())

    # A response that staff reopened and corrected.
    staff = make_staff(username="db-staff", password="a-long-test-password", is_superuser=True)
    submitted = next(
        response
        for response in Response.objects.filter(invitation__round=demo, status="submitted").order_by("pk")
        if response_answers(response).get("status") == "active"
    )
    response_reopen(response=submitted, user=staff, reason="Biblioteket vil rette tallene for økonomi og personale.")
    economy = next(s for s in questionnaire_sections(demo.questionnaire) if s.code == "economy")
    staff_section_save(
        response=submitted, section=economy, values={"resources_dkk": 300000}, user=staff, reason="Telefon 3. maj"
    )
    return demo, earlier, batch, submitted


def admin_pages(demo, earlier, batch, response) -> dict[str, str]:
    """Return {name: url} of every admin page: index, each list, add and change form, and the custom pages."""
    pages = {"index": reverse("admin:index"), "app-questionnaire": reverse("admin:app_list", args=["questionnaire"])}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        pages[f"{name}-list"] = reverse(f"admin:{name}_changelist")
        first = model.objects.order_by("pk").first()
        if first is not None:
            pages[f"{name}-change"] = reverse(f"admin:{name}_change", args=[first.pk])
        if model_admin.has_add_permission(_SuperRequest()):
            pages[f"{name}-add"] = reverse(f"admin:{name}_add")
    invitation = demo.invitations.filter(send_error__gt="").first()
    invitations = reverse("admin:questionnaire_invitation_changelist")
    pages.update(
        {
            "round-overview": reverse("admin:questionnaire_round_overview", args=[demo.pk]),
            "round-overview-closed": reverse("admin:questionnaire_round_overview", args=[earlier.pk]),
            "round-change": reverse("admin:questionnaire_round_change", args=[demo.pk]),
            "send-invitations": reverse("admin:questionnaire_round_send_invitations", args=[demo.pk]),
            "send-reminders": reverse("admin:questionnaire_round_send_reminders", args=[demo.pk]),
            "mail-progress": reverse("admin:questionnaire_round_mail_progress", args=[demo.pk, batch.pk]),
            "anonymise": reverse("admin:questionnaire_round_anonymise", args=[earlier.pk]),
            "invitation-failed": reverse("admin:questionnaire_invitation_change", args=[invitation.pk]),
            "invitations-of-demo": f"{invitations}?round__id__exact={demo.pk}",
            "response-detail": reverse("admin:questionnaire_response_change", args=[response.pk]),
            "response-edit-section": reverse("admin:questionnaire_response_edit", args=[response.pk, "models"]),
            "response-reopen": reverse("admin:questionnaire_response_reopen", args=[response.pk]),
            "register-import": reverse("admin:questionnaire_library_import"),
            "version-questions": reverse("admin:questionnaire_questionnaire_questions", args=[demo.questionnaire_id]),
        }
    )
    return pages


class _SuperRequest:
    """Just enough of a request for has_add_permission: a superuser's."""

    class user:  # noqa: N801
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(permission, obj=None):
            return True


# --- A published round (results/public.py, results/own.py) -----------------------------------

# Five libraries in Hovedstaden (four active, model 3; one not started) and four in Midtjylland
# (all active, model 4): Midtjylland is a group too small to show exactly.
HOVEDSTADEN = ("101", "147", "151", "153", "155")
MIDTJYLLAND = ("751", "730", "740", "746")


def published_round(*, published_on=None, slug="bs2026", **fields) -> Round:
    """Return a round of nine submitted responses, its results published on *published_on*."""
    round_ = make_round(slug=slug, title="Borgerservice 2026", results_published_on=published_on, **fields)
    for code in HOVEDSTADEN[:4]:
        make_response(round_, answers(models=["model_3"], primary_model="model_3"), municipality=code)
    make_response(round_, NOT_STARTED_ANSWERS, municipality=HOVEDSTADEN[4])
    for code in MIDTJYLLAND:
        make_response(round_, answers(models=["model_4"], primary_model="model_4"), municipality=code)
    return round_
