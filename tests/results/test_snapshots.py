"""One snapshot read on several connections: the same figures, another core, nothing left open.

These tests commit (``transaction=True``): a snapshot is only shared when it is the
outermost transaction, as in a real request or job, never inside a test's transaction.
"""

import threading
import time
from io import BytesIO

import pytest
from django.db import connection, connections, transaction
from django.utils import translation
from openpyxl import load_workbook

from questionnaire.models import Response, ResponseStatus
from questionnaire.services.answers import response_answers, responses_with_answers, rows_one_batch_ahead
from results import excel
from results.snapshots import alongside, snapshot
from results.tallies import NO_FILTERS, response_rows, round_results
from tests.conftest import NOT_STARTED_ANSWERS, answers, make_response

pytestmark = pytest.mark.django_db(transaction=True)


def reopen(response: Response) -> None:
    """Reopen *response* from another connection and commit, as staff would while a workbook is made."""

    def work():
        Response.objects.filter(pk=response.pk).update(status=ResponseStatus.DRAFT, submitted_at=None)
        connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def open_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def settled(count, expected: int) -> bool:
    """Return whether *count()* comes to *expected* within two seconds (a closed connection ends just after)."""
    deadline = time.monotonic() + 2
    while count() != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return count() == expected


def workbook_values(round_, **options) -> dict:
    handle = BytesIO()
    with translation.override("da"):
        excel.workbook_write(round=round_, filters=NO_FILTERS, handle=handle, **options)
    book = load_workbook(BytesIO(handle.getvalue()))
    values = {ws.title: [[cell.value for cell in row] for row in ws.iter_rows()] for ws in book}
    values["Kilde"] = [row for row in values["Kilde"] if row[0] != "Udtrukket"]  # the time it was made
    return values


def test_alongside_reads_the_snapshot_on_a_connection_of_its_own(survey):
    first = Response.objects.submitted().filter(invitation__round=survey.round).order_by("pk").first()
    threads = set()

    def figures(round_):
        threads.add(threading.get_ident())
        return round_results(round_, with_map=False)

    with snapshot():
        before = round_results(survey.round, with_map=False)
        reopen(first)  # committed by someone else after the snapshot began
        counted = alongside(figures, survey.round)
        libraries = [row.library for row in response_rows(survey.round)]
        results = counted()

    assert threads and threading.get_ident() not in threads
    # Both saw the round as it was when the snapshot began: the reopened response still counts.
    assert len(libraries) == before.headline.responses == results.headline.responses == 6
    assert first.invitation.library.name in libraries
    assert round_results(survey.round, with_map=False).headline.responses == 5  # and now it does not


def test_inside_an_enclosing_transaction_the_work_runs_here_in_order(survey):
    threads = set()

    def responses():
        threads.add(threading.get_ident())
        return round_results(survey.round, with_map=False).headline.responses

    with transaction.atomic(), snapshot():
        total = alongside(responses)
        assert threads == {threading.get_ident()}  # already done, here
    assert total() == 6


def test_the_workbook_is_the_same_whether_the_snapshot_is_shared_or_not(survey):
    connections_before = open_connections()
    shared = workbook_values(survey.round)
    assert settled(open_connections, connections_before)  # every connection of its own was closed
    with transaction.atomic():
        alone = workbook_values(survey.round)
    assert shared == alone
    assert list(shared)[:2] == ["Overblik", "Svar"]
    assert len(shared["Svar"]) == 3 + 6  # source, codes, question texts, six responses


def test_an_error_alongside_reaches_the_caller_and_leaves_no_connection_open(survey):
    def figures():
        round_results(survey.round, with_map=False)
        raise LookupError("the database went away")

    threads_before, connections_before = threading.active_count(), open_connections()
    with snapshot():
        counted = alongside(figures)
        with pytest.raises(LookupError, match="went away"):
            counted()
    assert settled(threading.active_count, threads_before)
    assert settled(open_connections, connections_before)


def test_stored_answers_are_read_as_response_answers_reads_them(survey):
    make_response(
        survey.round,
        answers(NOT_STARTED_ANSWERS, plans_comment="Vi venter på kommunen."),
        name="Tekstbibliotek",
    )
    responses = Response.objects.filter(invitation__round=survey.round).order_by("pk")
    read = dict(responses_with_answers(responses, ["pk"]))
    assert read == {response.pk: response_answers(response) for response in responses}
    with transaction.atomic():  # through the pipelined cursor
        assert dict(responses_with_answers(responses, ["pk"])) == read
    assert any(isinstance(value, list) and len(value) > 1 for stored in read.values() for value in stored.values())
    assert any(isinstance(value, int) for stored in read.values() for value in stored.values())


def test_rows_one_batch_ahead_gives_the_rows_of_the_queryset_in_its_order_across_batches(survey):
    rows = Response.objects.order_by("-pk").values_list("pk", "invitation__library__name", "submitted_at")
    with transaction.atomic():
        for batch in (1, 2, 3, 100):
            assert list(rows_one_batch_ahead(rows, batch=batch)) == list(rows), batch
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE 'rows_ahead_%%'")
            assert cursor.fetchone()[0] == 0  # each closed when its rows were done
