from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from questionnaire.models import Answer, Library, Municipality
from questionnaire.services.register import HEADER
from tests.conftest import ACTIVE_ANSWERS, answer_all, make_invitation, make_library, make_round, work_off

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_export_then_import_libraries_round_trip(tmp_path):
    make_library(municipality=Municipality.objects.get(code="101"), name="Hovedbiblioteket", email="h@x.dk")
    path = tmp_path / "register.xlsx"

    run("export_libraries", str(path))

    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == HEADER and len(rows) == 2
    out, _err = run("import_libraries", str(path))
    assert "0 new, 0 updated, 1 unchanged" in out


def test_export_libraries_as_csv(tmp_path):
    make_library(name="Hovedbiblioteket")
    path = tmp_path / "register.csv"

    run("export_libraries", str(path))

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ";".join(HEADER)


def test_import_libraries_rejects_a_bad_file_and_lists_the_rows(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "kommunekode,kommune,region,navn,type,email\n"
        "101,København,,Godt Bibliotek,filial,\n"
        "999,,,Ukendt,filial,\n"
        "101,,,Slem,rumskib,\n",
        encoding="utf-8",
    )
    err = StringIO()

    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_libraries", str(path), stdout=StringIO(), stderr=err)

    assert "Række 3, kommunekode »999«: Ukendt kommunekode." in err.getvalue() and "999" in err.getvalue()
    assert "Række 4, type »rumskib«: Ukendt type; brug hovedbibliotek, filial, bogbus." in err.getvalue()
    assert Library.objects.count() == 0


def test_send_invitations_twice_sends_once():
    round_ = make_round(slug="2009")
    make_invitation(round=round_, library=make_library(email="a@example.com"))
    make_invitation(round=round_, library=make_library(email=""))

    out, _err = run("send_invitations", "2009")
    assert "1 invited library(ies) have no e-mail" in out
    assert "1 mail(s) queued" in out and mail.outbox == []  # the worker sends
    again, _err = run("send_invitations", "2009")
    assert "0 mail(s) queued" in again
    work_off()
    assert len(mail.outbox) == 1

    out, _err = run("send_invitations", "2009", "--now")
    assert "0 mail(s) sent" in out and len(mail.outbox) == 1


def test_send_invitations_reports_failures_with_a_nonzero_exit(settings):
    settings.EMAIL_BACKEND = "tests.questionnaire.test_mail.RecordingBackend"
    round_ = make_round(slug="2009")
    make_invitation(round=round_, library=make_library(email="fail@example.com"))
    make_invitation(round=round_, library=make_library(email="ok@example.com"))
    err = StringIO()

    with pytest.raises(CommandError, match="1 mail"):
        call_command("send_invitations", "2009", "--now", stdout=StringIO(), stderr=err)

    assert "fail@example.com" in err.getvalue()
    assert len(mail.outbox) == 1


def test_send_reminders_only_to_those_not_submitted():
    round_ = make_round(slug="2009")
    long_ago = timezone.now() - timedelta(days=30)
    waiting = make_invitation(round=round_, library=make_library(email="waiting@example.com"), sent_at=long_ago)
    done = make_invitation(round=round_, library=make_library(email="done@example.com"), sent_at=long_ago)
    answer_all(done, ACTIVE_ANSWERS)

    run("send_reminders", "2009")
    run("send_reminders", "2009")
    work_off()

    assert [message.to for message in mail.outbox] == [["waiting@example.com"]]
    waiting.refresh_from_db()
    assert waiting.reminder_count == 1


def test_sending_for_an_unknown_or_closed_round_fails():
    with pytest.raises(CommandError, match="No round"):
        run("send_invitations", "nope")
    now = timezone.now()
    make_invitation(round=make_round(slug="old", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1)))
    with pytest.raises(CommandError, match="er ikke åben, så dens links virker ikke"):
        run("send_reminders", "old")
    assert mail.outbox == []


def test_anonymise_round_only_after_it_has_closed():
    round_ = make_round(slug="2009")
    answer_all(make_invitation(round=round_), ACTIVE_ANSWERS)

    with pytest.raises(CommandError, match="er ikke lukket endnu"):
        run("anonymise_round", "2009", "--no-input")

    round_.closes_at = timezone.now() - timedelta(minutes=1)
    round_.save()
    out, _err = run("anonymise_round", "2009", "--no-input")

    assert "3 answer(s) deleted" in out  # name, title and e-mail; no phone was given
    assert not Answer.objects.filter(question__code__startswith="respondent_").exists()
    assert Answer.objects.filter(question__code="status").exists()
    round_.refresh_from_db()
    assert round_.personal_data_removed_at is not None


def test_anonymise_due_removes_personal_data_a_year_after_closing_and_only_then(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    now = timezone.now()
    old = make_round(slug="old", opens_at=now - timedelta(days=500), closes_at=now - timedelta(days=366))
    recent = make_round(slug="recent", opens_at=now - timedelta(days=100), closes_at=now - timedelta(days=30))
    for round_ in (old, recent):
        answer_all(make_invitation(round=round_), ACTIVE_ANSWERS)

    out, _err = run("anonymise_round", "--due")

    assert out.strip() == "Personal data removed from round old: 3 answer(s) deleted."
    personal = Answer.objects.filter(question__code__startswith="respondent_")
    assert not personal.filter(response__invitation__round=old).exists()
    assert personal.filter(response__invitation__round=recent).count() == 3
    old.refresh_from_db()
    assert old.personal_data_removed_at is not None
    # A daily run finds nothing more to do until the next round is due.
    assert run("anonymise_round", "--due") == ("", "")


def test_anonymise_round_needs_a_round_or_due():
    with pytest.raises(CommandError, match="slug --due"):
        run("anonymise_round")


def test_demo_data_looks_like_the_seed(settings):
    from django.db.models import Count

    from questionnaire.models import Invitation, Response

    settings.DEBUG = True
    call_command("demo", stdout=StringIO())
    submitted = Response.objects.submitted()
    status = dict(
        Answer.objects.filter(question__code="status", response__in=submitted)
        .values_list("choice__code")
        .annotate(count=Count("pk"))
    )
    assert status == {"active": 18, "not_started": 22}  # the seed's 45 % and 55 %
    regions = set(submitted.values_list("invitation__library__municipality__region", flat=True))
    assert len(regions) == 5  # answers from every region
    assert not submitted.filter(submitted_at__gt=timezone.now()).exists()
    assert submitted.values("submitted_at__date").distinct().count() > 5  # spread over the days
    quotes = list(Answer.objects.filter(question__code="quote").values_list("text", flat=True))
    assert quotes and len(quotes) == len(set(quotes))
    assert not Answer.objects.filter(text__contains="[DEMO]").exists()
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()
    round_ = submitted.first().invitation.round
    assert timezone.localtime(round_.closes_at).strftime("%H:%M:%S") == "23:59:59"
    # The qualitative half: interviews with quotes under every consent, and a case.
    assert round_.interviews.count() == 3 and round_.case_stories.count() == 1
    consents = set(round_.interviews.values_list("quotes__consent", flat=True))
    assert consents == {"named", "anonymous", "no"}
