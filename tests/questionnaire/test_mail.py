import datetime
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from questionnaire.mail import invitations_send, mail_message, reminders_send, reminders_to_send
from questionnaire.models import Invitation
from questionnaire.services.rounds import invitation_url
from tests.conftest import ACTIVE_ANSWERS, answer_all, days_ago, make_invitation, make_library, make_round

pytestmark = pytest.mark.django_db


class RecordingBackend(EmailBackend):
    """The test backend, counting connections and refusing addresses that start with "fail"."""

    opened = 0
    disconnect_once = False

    def open(self):
        # As Django's SMTP backend: opening an open connection does nothing.
        if getattr(self, "_open", False):
            return False
        self._open = True
        type(self).opened += 1
        return True

    def close(self):
        self._open = False

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("fail"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
            if type(self).disconnect_once:
                type(self).disconnect_once = False
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def backend(settings):
    settings.EMAIL_BACKEND = "tests.questionnaire.test_mail.RecordingBackend"
    RecordingBackend.opened = 0
    RecordingBackend.disconnect_once = False
    return RecordingBackend


# --- Invitations -----------------------------------------------------------------------


def test_invitation_goes_to_every_invited_library_with_email_not_yet_sent():
    round_ = make_round()
    due = make_invitation(round=round_, library=make_library(email="due@example.com"))
    make_invitation(round=round_, library=make_library(email=""))
    already = make_invitation(round=round_, library=make_library(email="sent@example.com"), sent_at=days_ago(1))
    make_library(email="not-invited@example.com")
    make_invitation(library=make_library(email="other-round@example.com"))

    report = invitations_send(round=round_)

    assert report.sent == 1 and report.failed == []
    assert [message.to for message in mail.outbox] == [["due@example.com"]]
    due.refresh_from_db()
    assert due.sent_at is not None and due.send_error == ""
    already.refresh_from_db()
    assert already.sent_at < timezone.now() - timedelta(hours=1)


def test_sending_invitations_twice_sends_each_once():
    round_ = make_round()
    for number in range(3):
        make_invitation(round=round_, library=make_library(email=f"lib{number}@example.com"))

    assert invitations_send(round=round_).sent == 3
    assert invitations_send(round=round_).sent == 0
    assert len(mail.outbox) == 3


def test_hundreds_of_mails_go_over_one_connection(backend):
    round_ = make_round()
    Invitation.objects.bulk_create(
        Invitation(round=round_, library=make_library(email=f"lib{number}@example.com")) for number in range(120)
    )

    report = invitations_send(round=round_)

    assert report.sent == 120
    assert len(mail.outbox) == 120
    assert backend.opened == 1


def test_a_refused_address_is_recorded_and_does_not_stop_the_rest(backend):
    round_ = make_round()
    first = make_invitation(round=round_, library=make_library(name="A", email="a@example.com"))
    failing = make_invitation(round=round_, library=make_library(name="B", email="fail@example.com"))
    last = make_invitation(round=round_, library=make_library(name="C", email="c@example.com"))

    report = invitations_send(round=round_)

    assert report.sent == 2
    assert [invitation.pk for invitation, _error in report.failed] == [failing.pk]
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "c@example.com"]
    failing.refresh_from_db()
    assert failing.sent_at is None
    assert "550 No such user" in failing.send_error and "fail@example.com" in failing.send_error
    for invitation in (first, last):
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
    assert backend.opened == 1  # a refused address leaves the connection usable


def test_a_failed_invitation_is_retried_by_the_next_run_and_its_error_cleared(backend):
    round_ = make_round()
    library = make_library(email="fail@example.com")
    invitation = make_invitation(round=round_, library=library)
    invitations_send(round=round_)
    library.email = "fixed@example.com"
    library.save()

    report = invitations_send(round=round_)

    assert report.sent == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and invitation.send_error == ""
    assert [message.to for message in mail.outbox] == [["fixed@example.com"]]


def test_a_dropped_connection_is_reopened_for_the_rest(backend):
    round_ = make_round()
    for name in ("A", "B", "C"):
        make_invitation(round=round_, library=make_library(name=name, email=f"{name.lower()}@example.com"))
    backend.disconnect_once = True

    report = invitations_send(round=round_)

    # A dropped connection is the connection's fault, not the address's: that mail waits for a retry.
    assert report.sent == 2 and report.failed == [] and len(report.retry) == 1
    assert "SMTPServerDisconnected" in report.retry[0][1]
    assert backend.opened == 2


def test_no_mail_for_a_round_that_is_not_open():
    closed = make_round(opens_at=days_ago(30), closes_at=days_ago(1))
    make_invitation(round=closed)
    later = make_round(opens_at=timezone.now() + timedelta(days=3))
    make_invitation(round=later)

    for round_ in (closed, later):
        with pytest.raises(ValidationError):
            invitations_send(round=round_)
        with pytest.raises(ValidationError):
            reminders_send(round=round_)
    assert mail.outbox == []


def test_only_the_selected_invitations_are_sent():
    round_ = make_round()
    chosen = make_invitation(round=round_, library=make_library(email="chosen@example.com"))
    make_invitation(round=round_, library=make_library(email="other@example.com"))

    invitations_send(round=round_, invitations=Invitation.objects.filter(pk=chosen.pk))

    assert [message.to for message in mail.outbox] == [["chosen@example.com"]]


# --- What the mail says ----------------------------------------------------------------


def test_invitation_mail_carries_link_deadline_and_contact(settings):
    settings.SURVEY_CONTACT_EMAIL = "survey@db.example"
    closes = timezone.make_aware(datetime.datetime(2031, 9, 1, 23, 59, 59))
    invitation = make_invitation(round=make_round(title="Biblioteker og borgerservice", closes_at=closes))

    message = mail_message(invitation, "invitation")

    url = invitation_url(invitation)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert url in body
        assert "1. september 2031" in body  # Danish date, in the site's time zone
        assert "Vi beder om jeres svar senest den 1. september 2031 kl. 23:59." in body
        assert "survey@db.example" in body
    assert invitation.library.name in message.body
    assert "Biblioteker og borgerservice" in message.subject and "\n" not in message.subject
    assert message.subject == "Jeres bibliotek er inviteret til at deltage: Biblioteker og borgerservice"
    assert message.to == [invitation.library.email]
    assert message.reply_to == ["survey@db.example"]


def test_library_name_is_escaped_in_the_html_mail():
    library = make_library(name="<script>alert('x')</script> & Co")
    invitation = make_invitation(library=library)

    for kind in ("invitation", "reminder"):
        message = mail_message(invitation, kind)
        html = message.alternatives[0][0]
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        # The plain text part is not HTML: the name stays as written.
        assert "<script>alert('x')</script> & Co" in message.body


# --- Reminders -------------------------------------------------------------------------


def test_reminders_go_only_to_libraries_that_have_not_submitted_and_are_due(settings):
    settings.REMINDER_INTERVAL_DAYS = 7
    round_ = make_round()

    def invite(name, **kwargs):
        kwargs.setdefault("sent_at", days_ago(10))
        return make_invitation(round=round_, library=make_library(name=name, email=f"{name}@example.com"), **kwargs)

    not_started = invite("not-started")
    draft = invite("draft")
    answer_all(draft, {"respondent_name": "Bo"}, submit=False)
    submitted = invite("submitted")
    answer_all(submitted, ACTIVE_ANSWERS)
    invite("invited-recently", sent_at=days_ago(2))
    invite("reminded-recently", last_reminded_at=days_ago(3), reminder_count=1)
    reminded_long_ago = invite("reminded-long-ago", last_reminded_at=days_ago(8), reminder_count=1)
    invite("never-invited", sent_at=None)
    make_invitation(round=round_, library=make_library(name="no-email", email=""), sent_at=days_ago(10))

    report = reminders_send(round=round_)

    assert report.sent == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        "draft@example.com",
        "not-started@example.com",
        "reminded-long-ago@example.com",
    ]
    for invitation, count in ((not_started, 1), (draft, 1), (reminded_long_ago, 2)):
        invitation.refresh_from_db()
        assert invitation.reminder_count == count
        assert invitation.last_reminded_at > days_ago(1)
    submitted.refresh_from_db()
    assert submitted.reminder_count == 0

    # Running again within the interval sends nothing.
    assert reminders_send(round=round_).sent == 0
    assert len(mail.outbox) == 3


def test_reminder_text_tells_a_started_library_its_answers_are_saved():
    round_ = make_round()
    started = make_invitation(round=round_, sent_at=days_ago(10))
    answer_all(started, {"respondent_name": "Bo"}, submit=False)
    started = Invitation.objects.select_related("response").get(pk=started.pk)
    fresh = make_invitation(round=round_, sent_at=days_ago(10))

    saved = "De svar, I har givet indtil nu, er gemt"
    assert saved in mail_message(started, "reminder").body
    assert saved not in mail_message(fresh, "reminder").body
    assert "Vi har endnu ikke modtaget jeres svar" in mail_message(fresh, "reminder").body


def test_reminder_interval_is_configurable(settings):
    round_ = make_round()
    make_invitation(round=round_, sent_at=days_ago(3))

    settings.REMINDER_INTERVAL_DAYS = 7
    assert reminders_to_send(round_).count() == 0
    settings.REMINDER_INTERVAL_DAYS = 2
    assert reminders_to_send(round_).count() == 1


def test_a_failed_reminder_is_recorded_and_not_counted(backend):
    round_ = make_round()
    failing = make_invitation(round=round_, library=make_library(email="fail@example.com"), sent_at=days_ago(10))
    fine = make_invitation(round=round_, library=make_library(email="fine@example.com"), sent_at=days_ago(10))

    report = reminders_send(round=round_)

    assert report.sent == 1
    failing.refresh_from_db()
    fine.refresh_from_db()
    assert failing.reminder_count == 0 and failing.last_reminded_at is None and failing.send_error
    assert fine.reminder_count == 1


def test_a_library_that_has_already_submitted_is_not_invited():
    round_ = make_round()
    done = make_invitation(round=round_, library=make_library(email="done@example.com"))
    answer_all(done, ACTIVE_ANSWERS)

    assert invitations_send(round=round_).sent == 0
    assert mail.outbox == []
