import datetime
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from questionnaire.mail import sending
from questionnaire.mail.here import invitations_send, reminders_send
from questionnaire.mail.messages import RoundMails, mail_message
from questionnaire.mail.outbox import (
    invitation_resend,
    invitation_test_send,
    invitations_enqueue,
    reminders_enqueue,
    scheduled_reminders_enqueue,
)
from questionnaire.mail.progress import progress
from questionnaire.mail.recipients import reminders_to_send
from questionnaire.mail.runs import batch_work
from questionnaire.mail.sending import _retry_delay
from questionnaire.models import (
    Invitation,
    Mail,
    MailBatch,
    MailKind,
    MailStatus,
    reminder_day_list,
    validate_reminder_days,
)
from questionnaire.services.rounds import invitation_url
from questionnaire.tasks import batch_send, mail_resume
from tests.conftest import (
    ACTIVE_ANSWERS,
    admin_url,
    answer_all,
    days_ago,
    make_invitation,
    make_library,
    make_round,
    refusing,
    work_off,
)
from tests.smtpserver import Handler, smtp_server

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


def _parts(message):
    return message.subject, message.body, message.alternatives[0][0], message.to


def test_mails_rendered_once_per_round_are_the_mails_rendered_whole_hostile_names_included(caplog):
    # The worker renders a round's invitation once and fills in each library: the mails must not differ.
    round_ = make_round(title='Runde "A" & <b>B</b>', closes_at=timezone.now() + timedelta(days=30))
    names = ["Aabenraa Bibliotek", "<script>alert('x')</script> & Co", 'Tø "&amp;" {library} %(x)s \\1', "Ærø"]
    for number, name in enumerate(names):
        make_invitation(round=round_, library=make_library(name=name, email=f"lib{number}@example.com"))
    expected = {
        inv.library.email: _parts(mail_message(inv, "invitation"))
        for inv in round_.invitations.select_related("library", "round")
    }

    assert invitations_send(round=round_).sent == len(names)

    assert {message.to[0]: _parts(message) for message in mail.outbox} == expected
    hostile = next(m for m in mail.outbox if "script" in m.body)
    assert "<script>" not in hostile.alternatives[0][0] and "&lt;script&gt;" in hostile.alternatives[0][0]
    assert "<script>alert('x')</script> & Co" in hostile.body
    assert "cannot be rendered once" not in caplog.text


def test_a_round_changed_between_two_mails_shows_in_the_second():
    round_ = make_round(title="Første titel")
    first, second = (make_invitation(round=round_, library=make_library()) for _ in range(2))
    rendered = RoundMails()

    assert "Første titel" in rendered.message(first, "invitation", None).subject
    second.round.title = "Anden titel"
    message = rendered.message(second, "invitation", None)
    assert "Anden titel" in message.subject and "Anden titel" in message.alternatives[0][0]
    assert _parts(message) == _parts(mail_message(second, "invitation"))


def test_a_template_that_reads_more_of_the_library_is_rendered_whole_for_each(settings, tmp_path, caplog):
    folder = tmp_path / "questionnaire" / "mail"
    folder.mkdir(parents=True)
    (folder / "invitation.txt").write_text("{{ library.name }} <{{ library.email }}> {{ url }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    round_ = make_round()
    invitations = [
        make_invitation(round=round_, library=make_library(name=f"Bib {n}", email=f"b{n}@example.com"))
        for n in range(3)
    ]
    rendered = RoundMails()

    bodies = [rendered.message(invitation, "invitation", None).body for invitation in invitations]

    assert bodies == [f"Bib {n} <b{n}@example.com> {invitation_url(inv)}" for n, inv in enumerate(invitations)]
    assert "cannot be rendered once" in caplog.text


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


def test_a_reminder_to_a_library_in_progress_goes_to_whoever_started_too():
    round_ = make_round()
    started = make_invitation(round=round_, sent_at=days_ago(10), library=make_library(email="bib@example.dk"))
    answer_all(started, {"respondent_name": "Hanne", "respondent_email": "hanne@example.com"}, submit=False)
    fresh = make_invitation(round=round_, sent_at=days_ago(10), library=make_library(email="ny@example.dk"))

    assert reminders_send(round=round_).sent == 2

    to = {tuple(message.to) for message in mail.outbox}
    assert to == {("hanne@example.com", "bib@example.dk"), (fresh.library.email,)}


def test_reopening_tells_the_library_and_whoever_answered_why():
    from questionnaire.services.corrections import response_reopen
    from tests.conftest import make_staff

    invitation = make_invitation(library=make_library(email="bib@example.dk"))
    response = answer_all(invitation, ACTIVE_ANSWERS)
    response_reopen(response=response, user=make_staff(), reason="Økonomien mangler beløbet for 2025.")

    assert Mail.objects.get().kind == MailKind.REOPENED
    work_off()

    [message] = mail.outbox
    assert message.to == ["hanne@example.com", "bib@example.dk"]
    assert message.subject == f"Jeres svar på {invitation.round.title} er åbnet igen"
    assert "Økonomien mangler beløbet for 2025." in message.body
    assert "indsend igen på sidste side" in message.body
    assert invitation_url(invitation) in message.body
    assert "Økonomien mangler beløbet for 2025." in message.alternatives[0][0]


def test_a_reopening_mail_is_not_sent_once_the_library_has_submitted_again():
    from questionnaire.services.corrections import response_reopen
    from questionnaire.services.questionnaire import questionnaire_sections
    from questionnaire.services.responses import response_submit
    from tests.conftest import make_staff

    invitation = make_invitation()
    response = answer_all(invitation, ACTIVE_ANSWERS)
    response_reopen(response=response, user=make_staff(), reason="Tjek tallene.")
    response_submit(invitation=invitation, sections=questionnaire_sections(invitation.round.questionnaire))
    work_off()

    assert mail.outbox == []
    assert Mail.objects.get().status == MailStatus.SKIPPED


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


# --- On the queue ------------------------------------------------------------------------


def test_asking_queues_at_once_and_the_worker_sends():
    round_ = make_round()
    invitations = [make_invitation(round=round_, library=make_library(email=f"lib{n}@example.com")) for n in range(3)]

    batch = invitations_enqueue(round=round_)

    assert mail.outbox == [] and batch.mails.count() == 3 and not batch.is_finished
    work_off()
    assert sorted(m.to[0] for m in mail.outbox) == [f"lib{n}@example.com" for n in range(3)]
    batch.refresh_from_db()
    assert batch.is_finished and batch.started_at <= batch.finished_at
    assert progress(batch.mails.all()).sent == 3
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.sent_at is not None


def test_asking_twice_queues_each_library_once():
    round_ = make_round()
    make_invitation(round=round_, library=make_library(email="a@example.com"))

    first = invitations_enqueue(round=round_)
    second = invitations_enqueue(round=round_)

    assert first.mails.count() == 1 and second.mails.count() == 0 and second.is_finished
    work_off()
    assert len(mail.outbox) == 1


def test_a_permanent_refusal_is_recorded_with_the_servers_words_and_not_retried(settings):
    refusing(settings, permanent={"gone@example.com"})
    settings.EMAIL_RETRY_SECONDS = 0
    round_ = make_round()
    gone = make_invitation(round=round_, library=make_library(email="gone@example.com"))

    batch = invitations_enqueue(round=round_)
    work_off()
    work_off()

    refused = Mail.objects.get(invitation=gone)
    assert refused.status == MailStatus.FAILED and refused.attempts == 1
    assert refused.error == "gone@example.com: 550 5.1.1 User unknown"
    gone.refresh_from_db()
    # The invitation list says why, in Danish, with the server's words after.
    assert gone.sent_at is None
    assert gone.send_error.endswith(": Mailserveren afviste adressen. gone@example.com: 550 5.1.1 User unknown")
    batch.refresh_from_db()
    assert batch.is_finished
    assert [m.invitation for m in progress(batch.mails.all()).failures] == [gone]


def test_a_temporary_refusal_is_tried_again_later_with_back_off(settings):
    refusing(settings, once={"grey@example.com"})
    settings.EMAIL_RETRY_SECONDS = 60
    round_ = make_round()
    grey = make_invitation(round=round_, library=make_library(email="grey@example.com"))

    batch = invitations_enqueue(round=round_)
    work_off()

    waiting = Mail.objects.get(invitation=grey)
    assert waiting.status == MailStatus.RETRY and "451 4.7.1 Greylisted" in waiting.error
    grey.refresh_from_db()
    assert ": Ikke sendt endnu; prøves igen senere. Mailserveren afviste den for nu. grey@" in grey.send_error
    assert timedelta(seconds=50) < waiting.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    # The batch's next run waits for it on the queue.
    assert DBTaskResult.objects.ready().count() == 0
    assert DBTaskResult.objects.filter(status="READY", run_after__gte=waiting.next_attempt_at).exists()
    batch.refresh_from_db()
    assert not batch.is_finished and mail.outbox == []

    Mail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    work_off()

    waiting.refresh_from_db()
    assert waiting.status == MailStatus.SENT and waiting.attempts == 2
    assert [m.to for m in mail.outbox] == [["grey@example.com"]]
    batch.refresh_from_db()
    assert batch.is_finished


def test_the_wait_doubles_and_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_RETRY_SECONDS = 60
    assert [_retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8)] == [60, 120, 240, 3600, 3600]
    refusing(settings, once={"grey@example.com"})
    settings.EMAIL_MAX_ATTEMPTS = 1
    round_ = make_round()
    grey = make_invitation(round=round_, library=make_library(email="grey@example.com"))

    invitations_enqueue(round=round_)
    work_off()

    given_up = Mail.objects.get(invitation=grey)
    assert given_up.status == MailStatus.FAILED and given_up.error.startswith("Opgivet efter 1 forsøg: ")
    grey.refresh_from_db()
    assert grey.send_error.endswith(
        ": Opgivet efter 1 forsøg: Mailserveren afviste den for nu."
        " grey@example.com: 451 4.7.1 Greylisted, try again later"
    )


def test_the_most_mails_a_minute_holds_and_the_rest_wait_on_the_queue(settings):
    settings.EMAIL_MAX_PER_MINUTE = 4
    round_ = make_round()
    for n in range(6):
        make_invitation(round=round_, library=make_library(email=f"lib{n}@example.com"))
    # Mails attempted a minute and more ago do not count; one 30 s ago does.
    Mail.objects.create(invitation=make_invitation(), kind=MailKind.TEST, attempted_at=days_ago(1))
    Mail.objects.create(
        invitation=make_invitation(), kind=MailKind.TEST, attempted_at=timezone.now() - timedelta(seconds=30)
    )

    batch = invitations_enqueue(round=round_)
    work_off()

    assert len(mail.outbox) == 3
    assert progress(batch.mails.all()).queued == 3
    later = DBTaskResult.objects.get(status="READY", args_kwargs__args=[batch.pk], args_kwargs__kwargs={})
    assert timedelta(seconds=20) < later.run_after - timezone.now() <= timedelta(seconds=31)


def test_a_claim_whose_worker_went_silent_is_taken_over_and_a_live_one_is_not(settings):
    settings.MAIL_LEASE_SECONDS = 60
    round_ = make_round()
    stale = make_invitation(round=round_, library=make_library(email="stale@example.com"))
    live = make_invitation(round=round_, library=make_library(email="live@example.com"))
    batch = invitations_enqueue(round=round_)
    Mail.objects.filter(invitation=stale).update(status=MailStatus.SENDING, claim="dead", claimed_at=days_ago(1))
    Mail.objects.filter(invitation=live).update(status=MailStatus.SENDING, claim="alive", claimed_at=timezone.now())

    batch_work(batch.pk, task=batch_send)

    assert [m.to for m in mail.outbox] == [["stale@example.com"]]
    assert Mail.objects.get(invitation=live).status == MailStatus.SENDING
    batch.refresh_from_db()
    assert not batch.is_finished  # it waits for the live claim, or for its lease to end


def test_the_watcher_takes_over_a_batch_whose_worker_died_and_leaves_a_live_one(settings):
    settings.MAIL_LEASE_SECONDS = 60
    round_ = make_round()
    make_invitation(round=round_, library=make_library(email="a@example.com"))
    batch = invitations_enqueue(round=round_)

    MailBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    assert batch_work(batch.pk, task=batch_send, watch=True) is None
    assert mail.outbox == []
    batch.refresh_from_db()
    assert batch.watch_at > timezone.now() + timedelta(seconds=50)  # it looks again when the lease ends

    MailBatch.objects.filter(pk=batch.pk).update(heartbeat_at=days_ago(1))
    assert batch_work(batch.pk, task=batch_send, watch=True).sent == 1
    batch.refresh_from_db()
    assert batch.is_finished and batch.heartbeat_at is None


def test_mail_resume_queues_what_a_dead_worker_left(settings):
    settings.MAIL_LEASE_SECONDS = 60
    round_ = make_round()
    make_invitation(round=round_, library=make_library(email="a@example.com"))
    batch = invitations_enqueue(round=round_)
    receipt = Mail.objects.create(invitation=make_invitation(), kind=MailKind.TEST, to="staff@example.com")
    DBTaskResult.objects.all().delete()  # as if the worker that ran them had died
    MailBatch.objects.filter(pk=batch.pk).update(heartbeat_at=days_ago(1))
    Mail.objects.filter(pk=receipt.pk).update(status=MailStatus.SENDING, claimed_at=days_ago(1))

    assert mail_resume() == 2
    work_off()

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "staff@example.com"]


def test_a_resent_invitation_goes_again_and_a_test_goes_to_staff_only():
    round_ = make_round()
    invitation = make_invitation(round=round_, library=make_library(email="lib@example.com"), sent_at=days_ago(3))

    invitation_resend(invitation=invitation)
    invitation_test_send(invitation=invitation, to="staff@example.com")
    work_off()

    assert sorted(m.to[0] for m in mail.outbox) == ["lib@example.com", "staff@example.com"]
    test = next(m for m in mail.outbox if m.to == ["staff@example.com"])
    assert test.subject.startswith("[Test] ") and invitation_url(invitation) in test.body
    invitation.refresh_from_db()
    assert invitation.sent_at < days_ago(2)  # the first sending stays on record


def test_a_queued_reminder_is_not_sent_to_a_library_that_submitted_meanwhile():
    round_ = make_round()
    invitation = make_invitation(round=round_, library=make_library(email="lib@example.com"), sent_at=days_ago(10))
    batch = reminders_enqueue(round=round_)
    answer_all(invitation, ACTIVE_ANSWERS)

    work_off()

    assert mail.outbox == []
    skipped = Mail.objects.get(batch=batch)
    assert (skipped.status, skipped.error) == (MailStatus.SKIPPED, "Biblioteket har indsendt.")


def test_a_still_needed_check_that_fails_is_that_mails_alone(monkeypatch):
    round_ = make_round()
    first = make_invitation(round=round_, library=make_library(name="A", email="a@example.com"))
    broken = make_invitation(round=round_, library=make_library(name="B", email="b@example.com"))
    last = make_invitation(round=round_, library=make_library(name="C", email="c@example.com"))
    asked = sending._not_needed

    def not_needed(mail_row):
        if mail_row.invitation_id == broken.pk:
            raise RuntimeError("the check broke")
        return asked(mail_row)

    monkeypatch.setattr(sending, "_not_needed", not_needed)
    batch = invitations_enqueue(round=round_)
    batch_work(batch.pk, task=batch_send)

    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "c@example.com"]
    failed = Mail.objects.get(invitation=broken)
    assert (failed.status, failed.attempts, failed.error) == (
        MailStatus.FAILED,
        1,
        "Mailen kunne ikke laves: the check broke",
    )
    others = Mail.objects.filter(invitation__in=[first, last])
    assert {(m.status, m.attempts) for m in others} == {(MailStatus.SENT, 1)}
    batch.refresh_from_db()
    assert batch.is_finished


@pytest.fixture
def smtp_port(settings):
    """Run a real SMTP server (aiosmtpd) on loopback and point Django's SMTP backend at it; yield its handler."""
    handler = Handler()
    with smtp_server(handler) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield handler


def test_a_mail_that_cannot_be_built_fails_with_its_reason_and_the_rest_arrive_at_the_server(smtp_port, admin_client):
    round_ = make_round()
    libraries = [make_library(name=f"Bibliotek {n}", email=f"lib{n}@example.com") for n in range(4)]
    invitations = [make_invitation(round=round_, library=library) for library in libraries]
    # A damaged token (as from a restore gone wrong): no link can be made, so no mail either.
    broken = invitations[1]
    Invitation.objects.filter(pk=broken.pk).update(token="broken/token")

    batch = invitations_enqueue(round=round_)
    work_off()

    assert dict(smtp_port.received) == {"lib0@example.com": 1, "lib2@example.com": 1, "lib3@example.com": 1}
    failed = Mail.objects.get(invitation=broken)
    assert failed.status == MailStatus.FAILED and failed.attempts == 1
    assert failed.error.startswith("Mailen kunne ikke laves: Reverse for 'landing'")
    broken.refresh_from_db()
    assert broken.sent_at is None and ": Mailen kunne ikke laves: " in broken.send_error
    sent = Mail.objects.exclude(invitation=broken)
    assert {(m.status, m.attempts) for m in sent} == {(MailStatus.SENT, 1)}
    batch.refresh_from_db()
    assert batch.is_finished
    # The invitation list says which failed and why.
    listing = admin_client.get(admin_url("invitation_changelist") + "?mail_failed=yes").content.decode()
    assert "Bibliotek 1" in listing and "Mailen kunne ikke laves: " in listing and "Bibliotek 2" not in listing


def test_a_queued_invitation_is_not_sent_to_a_library_that_submitted_meanwhile():
    round_ = make_round()
    invitation = make_invitation(round=round_, library=make_library(email="lib@example.com"))
    batch = invitations_enqueue(round=round_)
    answer_all(invitation, ACTIVE_ANSWERS)

    work_off()

    assert mail.outbox == [] and progress(batch.mails.all()).skipped == 1


# --- Reminders on a schedule ---------------------------------------------------------------


def test_reminder_days_are_read_and_checked():
    assert reminder_day_list("7, 2") == [7, 2]
    assert reminder_day_list("2,7,7") == [7, 2]
    assert reminder_day_list("") == []
    with pytest.raises(ValidationError):
        validate_reminder_days("en uge")


def test_the_scheduled_job_reminds_on_each_reminder_day_once():
    now = timezone.now()
    # The deadline a week from today at noon, local time: today is its first reminder day, at any hour of the day.
    noon = datetime.datetime.combine(timezone.localdate(now) + timedelta(days=7), datetime.time(12))
    round_ = make_round(closes_at=timezone.make_aware(noon), reminder_days="7, 2")
    waiting = make_invitation(round=round_, library=make_library(email="waiting@example.com"), sent_at=days_ago(1))
    done = make_invitation(round=round_, library=make_library(email="done@example.com"), sent_at=days_ago(1))
    answer_all(done, ACTIVE_ANSWERS)
    make_invitation(round=round_, library=make_library(email="today@example.com"), sent_at=now)
    make_round(slug="no-days", closes_at=now + timedelta(days=7))

    call_command("run_scheduled", stdout=StringIO())
    call_command("run_scheduled", stdout=StringIO())  # cron runs it again: nothing twice
    work_off()

    assert [m.to for m in mail.outbox] == [["waiting@example.com"]]
    batch = MailBatch.objects.get()
    assert batch.kind == MailKind.REMINDER and batch.scheduled_for == round_.reminder_dates()[0]

    # Two days before the deadline: the second reminder, though the first was five days ago.
    Invitation.objects.filter(pk=waiting.pk).update(last_reminded_at=days_ago(5))
    later = now + timedelta(days=5)
    assert len(scheduled_reminders_enqueue(later)) == 1
    assert scheduled_reminders_enqueue(later) == []
    work_off()
    # The library invited on the first reminder day gets the second reminder too.
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["today@example.com", "waiting@example.com"]


def test_a_mail_that_cannot_be_made_fails_alone_and_the_batch_sends_the_rest(monkeypatch):
    round_ = make_round()
    first = make_invitation(round=round_, library=make_library(name="A", email="a@example.com"))
    broken = make_invitation(round=round_, library=make_library(name="B", email="b@example.com"))
    last = make_invitation(round=round_, library=make_library(name="C", email="c@example.com"))
    made = sending.queued_message

    def queued_message(mail_row, connection, rendered):
        if mail_row.invitation_id == broken.pk:
            raise ValueError("Unknown format code 'd' for object of type 'str'")
        return made(mail_row, connection, rendered)

    monkeypatch.setattr(sending, "queued_message", queued_message)
    batch = invitations_enqueue(round=round_)
    batch_work(batch.pk, task=batch_send)

    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "c@example.com"]
    failed = Mail.objects.get(invitation=broken)
    assert failed.status == MailStatus.FAILED and failed.attempts == 1
    assert failed.error == "Mailen kunne ikke laves: Unknown format code 'd' for object of type 'str'"
    broken.refresh_from_db()
    assert broken.send_error.endswith(": Mailen kunne ikke laves: Unknown format code 'd' for object of type 'str'")
    # The others spent one attempt each (their own), and went.
    others = Mail.objects.filter(invitation__in=[first, last])
    assert {(m.status, m.attempts) for m in others} == {(MailStatus.SENT, 1)}
    batch.refresh_from_db()
    assert batch.is_finished


def test_a_silent_claim_that_has_had_every_attempt_is_given_up_not_taken_again(settings):
    settings.MAIL_LEASE_SECONDS = 60
    settings.EMAIL_MAX_ATTEMPTS = 3
    round_ = make_round()
    again = make_invitation(round=round_, library=make_library(email="again@example.com"))
    spent = make_invitation(round=round_, library=make_library(email="spent@example.com"))
    batch = invitations_enqueue(round=round_)
    silent = {"status": MailStatus.SENDING, "claim": "dead", "claimed_at": days_ago(1)}
    Mail.objects.filter(invitation=again).update(**silent, attempts=2)
    Mail.objects.filter(invitation=spent).update(**silent, attempts=3)

    batch_work(batch.pk, task=batch_send)

    assert [m.to for m in mail.outbox] == [["again@example.com"]]
    given_up = Mail.objects.get(invitation=spent)
    assert (given_up.status, given_up.attempts) == (MailStatus.FAILED, 3)
    assert given_up.error.startswith("Opgivet efter 3 forsøg")
    spent.refresh_from_db()
    assert spent.send_error.endswith(": Opgivet efter 3 forsøg: afsenderen stoppede hver gang, mens den sendte den.")
    batch.refresh_from_db()
    assert batch.is_finished
