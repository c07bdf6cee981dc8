"""One snapshot read on several connections: the same figures, another core, nothing left open.

These tests commit (``transaction=True``): a snapshot is only shared when it is the
outermost transaction, as in a real request or job, never inside a test's transaction.
"""

import threading
from io import BytesIO

import pytest
from django.db import connection, connections, transaction
from django.utils import translation
from openpyxl import load_workbook

from questionnaire.models import Response, ResponseStatus
from questionnaire.services.answers import response_answers, responses_with_answers
from results import excel
from results.snapshots import alongside, read_ahead, snapshot
from results.tallies import NO_FILTERS, response_rows, round_results
from tests.conftest import NOT_STARTED_ANSWERS
from tests.results.conftest import answers, make_response

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


def workbook_values(round_, **options) -> dict:
    handle = BytesIO()
    with translation.override("da"):
        excel.workbook_write(round=round_, filters=NO_FILTERS, handle=handle, **options)
    book = load_workbook(BytesIO(handle.getvalue()))
    values = {ws.title: [[cell.value for cell in row] for row in ws.iter_rows()] for ws in book}
    values["Kilde"] = [row for row in values["Kilde"] if row[0] != "Udtrukket"]  # the time it was made
    return values


def test_read_ahead_and_alongside_read_the_snapshot_on_connections_of_their_own(survey):
    first = Response.objects.submitted().filter(invitation__round=survey.round).order_by("pk").first()
    threads = set()

    def rows(round_):
        threads.add(threading.get_ident())
        yield from response_rows(round_)

    def figures(round_):
        threads.add(threading.get_ident())
        return round_results(round_, with_map=False)

    with snapshot():
        before = round_results(survey.round, with_map=False)
        reopen(first)  # committed by someone else after the snapshot began
        counted = alongside(figures, survey.round)
        libraries = [row.library for row in read_ahead(rows, survey.round)]
        results = counted()

    assert threading.get_ident() not in threads and len(threads) == 2
    # Both saw the round as it was when the snapshot began: the reopened response still counts.
    assert len(libraries) == before.headline.responses == results.headline.responses == 6
    assert first.invitation.library.name in libraries
    assert round_results(survey.round, with_map=False).headline.responses == 5  # and now it does not


def test_inside_an_enclosing_transaction_the_work_runs_here_in_order(survey):
    threads = set()

    def rows(round_):
        threads.add(threading.get_ident())
        yield from response_rows(round_)

    with transaction.atomic(), snapshot():
        libraries = [row.library for row in read_ahead(rows, survey.round)]
        total = alongside(lambda: round_results(survey.round, with_map=False).headline.responses)()
    assert threads == {threading.get_ident()}
    assert len(libraries) == total == 6


def test_the_workbook_is_the_same_whether_the_snapshot_is_shared_or_not(survey):
    connections_before = open_connections()
    shared = workbook_values(survey.round)
    assert open_connections() == connections_before  # every connection of its own was closed
    with transaction.atomic():
        alone = workbook_values(survey.round)
    assert shared == alone
    assert list(shared)[:2] == ["Overblik", "Svar"]
    assert len(shared["Svar"]) == 3 + 6  # source, codes, question texts, six responses


def test_an_error_while_reading_ahead_reaches_the_caller_and_stops_the_reader(survey):
    def rows(round_):
        yield from response_rows(round_)
        raise LookupError("the database went away")

    threads_before = threading.active_count()
    with snapshot(), pytest.raises(LookupError, match="went away"):
        for _row in read_ahead(rows, survey.round):
            pass
    assert threading.active_count() == threads_before


def test_a_caller_that_stops_early_stops_the_reader_too(survey):
    produced = []

    def rows():
        for number in range(100_000):
            produced.append(number)
            yield number

    threads_before, connections_before = threading.active_count(), open_connections()
    with snapshot():
        for number in read_ahead(rows):
            if number == 3:
                break
    assert threading.active_count() == threads_before
    assert open_connections() == connections_before
    assert len(produced) < 100_000  # a few batches ahead at most, not the whole of it


def test_stored_answers_are_read_as_response_answers_reads_them(survey):
    make_response(
        survey.round,
        answers(NOT_STARTED_ANSWERS, plans_comment="Vi venter på kommunen."),
        name="Tekstbibliotek",
    )
    responses = Response.objects.filter(invitation__round=survey.round).order_by("pk")
    read = dict(responses_with_answers(responses, ["pk"]))
    assert read == {response.pk: response_answers(response) for response in responses}
    assert any(isinstance(value, list) and len(value) > 1 for stored in read.values() for value in stored.values())
    assert any(isinstance(value, int) for stored in read.values() for value in stored.values())
