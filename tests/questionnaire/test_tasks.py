"""Mail through the queue against a real SMTP server on loopback (aiosmtpd), with real workers.

The server is slow (0.2 s a message, as a municipal relay), refuses one address for good
(550) and another once (451). The worker test starts ``manage.py db_worker`` as production
does, kills it (SIGKILL) in the middle of a message, and starts another.
"""

import signal
import time

import pytest

from questionnaire.mail.outbox import invitations_enqueue
from questionnaire.mail.progress import progress
from questionnaire.models import Invitation, Library, Mail, MailStatus
from tests.conftest import make_round, municipality, wait_for, work_off, worker_start, worker_stop
from tests.smtpserver import Handler, smtp_server

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


def start_worker(port: int):
    return worker_start(
        {
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "EMAIL_TIMEOUT": "2",
            # A short lease, so that the second worker takes over within the test's time.
            "MAIL_LEASE_SECONDS": "3",
        }
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_nothing_sent_twice_and_nobody_out():
    count = 30
    handler = Handler(delay=0.2)
    round_ = make_round()
    libraries(round_, count)

    with smtp_server(handler) as port:
        invitations_enqueue(round=round_)  # committed: the workers see it
        first = start_worker(port)
        second = None
        try:
            # Kill the first worker while the server is taking in its ninth message.
            wait_for(lambda: handler.total() >= 8 and handler.receiving.is_set(), 20, "the first worker to send")
            first.send_signal(signal.SIGKILL)
            first.wait(5)
            killed_after = handler.total()
            assert 8 <= killed_after < count
            second = start_worker(port)
            wait_for(lambda: handler.total() >= count, 25, "the second worker to finish the batch")
            time.sleep(0.5)  # anything sent twice would arrive now
        finally:
            worker_stop(first, second)

    assert dict(handler.received) == {f"lib{n}@example.com": 1 for n in range(count)}
    assert set(Mail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert Invitation.objects.filter(sent_at__isnull=True).count() == 0
