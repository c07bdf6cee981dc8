"""The log: one line per record (time, level, logger, message), and no e-mail address, personal link or
client address in it; a library's id instead."""

import logging
import re

import pytest

from questionnaire.mail.outbox import invitations_enqueue
from surveyproject.logs import LineFormatter
from tests.conftest import make_invitation, make_library, make_round, refusing, work_off

LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ .+")


def formatted(caplog) -> list[str]:
    return [LineFormatter().format(record) for record in caplog.records]


def test_a_record_with_a_traceback_is_one_line_without_addresses_or_personal_links():
    try:
        raise ValueError("No mail to hanne@example.com from /s/AbC123-secret_token/review/")
    except ValueError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "Failed for %s", ("per@kommune.dk",), True)
        record.exc_info = __import__("sys").exc_info()
    line = LineFormatter().format(record)

    assert "\n" not in line and LINE.fullmatch(line), line
    assert line.split(" ", 3)[1:3] == ["ERROR", "app"]
    assert "Failed for <address>" in line and "\\nTraceback" in line and "ValueError: No mail to <address>" in line
    assert "/s/…/review/" in line and "AbC123" not in line and "@" not in line


@pytest.mark.django_db
def test_a_refused_mail_is_logged_with_the_librarys_id_not_its_address(settings, caplog):
    refusing(settings, permanent={"gone@example.com"})
    invitation = make_invitation(round=make_round(), library=make_library(email="gone@example.com"))
    invitations_enqueue(round=invitation.round)
    with caplog.at_level(logging.WARNING, logger="questionnaire.mail.sending"):
        work_off()

    (line,) = [line for line in formatted(caplog) if "refused" in line]
    assert f"to library {invitation.library_id} refused: " in line and "550" in line
    assert "gone@example.com" not in line and "@" not in line


@pytest.mark.django_db
def test_a_personal_link_that_is_not_found_is_logged_without_its_token(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/s/a-guessed-token-1234/").status_code == 404
    assert formatted(caplog) and all("a-guessed-token" not in line for line in formatted(caplog))
    assert any("/s/…/" in line for line in formatted(caplog))


@pytest.mark.django_db
def test_a_failed_staff_login_is_logged_without_the_user_name_or_the_clients_address(client, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.INFO, logger="axes"):
        client.post(
            "/admin/login/",
            {"username": "hanne.jensen", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    lines = formatted(caplog)
    assert any("login failure" in line for line in lines), lines
    assert all("hanne" not in line and "203.0.113.5" not in line for line in lines), lines
