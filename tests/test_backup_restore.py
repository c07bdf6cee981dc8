"""The backup and restore that the README prescribes work: pg_dump, then pg_restore into a new database."""

import shutil
import subprocess

import pytest
from django.db import connection

from questionnaire.models import Answer, Invitation, Library, Response
from tests.conftest import ACTIVE_ANSWERS, NOT_STARTED_ANSWERS, answer_all, make_invitation, make_round

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs PostgreSQL's client programs"),
]

TABLES = {
    "questionnaire_library": Library,
    "questionnaire_invitation": Invitation,
    "questionnaire_response": Response,
    "questionnaire_answer": Answer,
}


def run(*command) -> str:
    """Run one of PostgreSQL's client programs; return what it printed."""
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603


def test_a_dump_restores_into_a_new_database_with_every_answer(tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("The backup test needs PostgreSQL (DATABASE_URL).")
    round_ = make_round()
    answer_all(make_invitation(round=round_), {**ACTIVE_ANSWERS, "advice": "Æble, øl og å – «citat»"})
    answer_all(make_invitation(round=round_), NOT_STARTED_ANSWERS, submit=False)

    settings = connection.settings_dict
    server = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-U", settings["USER"]]
    dump = tmp_path / "borgerservice.dump"
    restored = f"{settings['NAME']}_restored"
    run("pg_dump", *server, "--format=custom", "--file", str(dump), settings["NAME"])
    run("dropdb", *server, "--if-exists", restored)
    run("createdb", *server, restored)
    try:
        run("pg_restore", *server, "--no-owner", "--dbname", restored, str(dump))
        for table, model in TABLES.items():
            counted = run("psql", *server, "-At", "-d", restored, "-c", f"SELECT count(*) FROM {table}")  # noqa: S608
            assert int(counted) == model.objects.count() > 0, table
        query = "SELECT text FROM questionnaire_answer WHERE text LIKE 'Æble%'"
        assert run("psql", *server, "-At", "-d", restored, "-c", query) == "Æble, øl og å – «citat»"
    finally:
        run("dropdb", *server, "--if-exists", restored)
