"""Mail through the queue against a real SMTP server on loopback (aiosmtpd), with real workers.

The server is slow (0.2 s a message, as a municipal relay), refuses one address for good
(550) and another once (451). The worker test starts ``manage.py db_worker`` as production
does, kills it (SIGKILL) in the middle of a message, and starts another.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from questionnaire.mail.outbox import invitations_enqueue
from questionnaire.mail.progress import progress
from questionnaire.models import Invitation, Library, Mail, MailStatus
from tests.conftest import make_round, municipality, work_off
from tests.smtpserver import Handler, smtp_server

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


def libraries(round_, count):
    """Invite *count* libraries with the addresses lib0@example.com, lib1@... to *round_*."""
    home = municipality()
    Library.objects.bulk_create(
        Library(name=f"Bibliotek {n:03d}", municipality=home, email=f"lib{n}@example.com") for n in range(count)
    )
    Invitation.objects.bulk_create(Invitation(round=round_, library=library) for library in Library.objects.all())


@pytest.fixture
def smtp_settings(settings):
    """Point Django's SMTP backend at an aiosmtpd server; yield a function that starts one with a handler."""

    def use(port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    return use


@pytest.mark.django_db
def test_every_library_gets_exactly_one_invitation_from_a_slow_refusing_server(smtp_settings, settings):
    settings.EMAIL_RETRY_SECONDS = 0  # the greylisted address is tried again at once
    handler = Handler(delay=0.2, refuse={"lib3@example.com"}, refuse_once={"lib5@example.com"})
    round_ = make_round()
    libraries(round_, 10)

    with smtp_server(handler) as port:
        smtp_settings(port)
        batch = invitations_enqueue(round=round_)
        work_off()

    expected = {f"lib{n}@example.com": 1 for n in range(10) if n != 3}
    assert dict(handler.received) == expected
    refused = Mail.objects.get(invitation__library__email="lib3@example.com")
    assert refused.status == MailStatus.FAILED
    assert refused.error == (
        "lib3@example.com: 550 5.1.1 <lib3@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    greylisted = Mail.objects.get(invitation__library__email="lib5@example.com")
    assert greylisted.status == MailStatus.SENT and greylisted.attempts == 2
    state = progress(batch.mails.all())
    assert (state.sent, state.failed, state.total) == (9, 1, 10)
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 9
    batch.refresh_from_db()
    assert batch.is_finished


def start_worker(database_name: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "worker-test",
        "DATABASE_URL": _database_url(database_name),
        "SITE_URL": "http://testserver",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "2",
        # A short lease, so that the second worker takes over within the test's time.
        "MAIL_LEASE_SECONDS": "3",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "-v", "0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _database_url(name: str) -> str:
    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    user = params["USER"]
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{params['PORT'] or 5432}/{name}"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_nothing_sent_twice_and_nobody_out():
    count = 30
    handler = Handler(delay=0.2)
    round_ = make_round()
    libraries(round_, count)

    with smtp_server(handler) as port:
        invitations_enqueue(round=round_)  # committed: the workers see it
        first = start_worker(connection.settings_dict["NAME"], port)
        second = None
        try:
            # Kill the first worker while the server is taking in its ninth message.
            wait_for(lambda: handler.total() >= 8 and handler.receiving.is_set(), 20, "the first worker to send")
            first.send_signal(signal.SIGKILL)
            first.wait(5)
            killed_after = handler.total()
            assert 8 <= killed_after < count
            second = start_worker(connection.settings_dict["NAME"], port)
            wait_for(lambda: handler.total() >= count, 25, "the second worker to finish the batch")
            time.sleep(0.5)  # anything sent twice would arrive now
        finally:
            for worker in (first, second):
                if worker and worker.poll() is None:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait(5)

    assert dict(handler.received) == {f"lib{n}@example.com": 1 for n in range(count)}
    assert set(Mail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert Invitation.objects.filter(sent_at__isnull=True).count() == 0
