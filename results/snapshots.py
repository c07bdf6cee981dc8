"""Reading the database from one snapshot, on one connection or on several at once.

Libraries submit and staff reopen responses while figures are read; the tallies, the
answers and every sheet of a workbook must come from the same moment, or the figures
would not add up. ``snapshot()`` gives that moment on this thread's connection.

On PostgreSQL, other connections can read from the very same moment (an exported
snapshot: ``pg_export_snapshot`` and ``SET TRANSACTION SNAPSHOT``). ``alongside`` uses
that so the database counts on another core while this thread writes a workbook. Where
a snapshot cannot be shared (SQLite, or a snapshot inside an enclosing transaction, as
in a test case), the same work runs here, in order, with the same results.

Only work that mostly waits for the database goes alongside: the tallies (nine
aggregate queries) do; streaming the answers on a thread of its own was measured to
slow the workbook down (bench/README.md), as the two threads took turns with Python's lock.
"""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

# The snapshot of the current thread's connection, when other connections can share it.
_shared = ContextVar("shared_snapshot", default=None)
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


class _SharedSnapshot:
    """This transaction's snapshot, exported the first time another connection asks for it."""

    def __init__(self):
        self._id = None

    def id(self) -> str:
        if self._id is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                self._id = cursor.fetchone()[0]
        return self._id


@contextmanager
def snapshot():
    """Read everything inside from one snapshot of the database.

    Without this, two queries could see different sets of responses and the figures
    would not add up. Nested, it joins the snapshot around it.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic(savepoint=False):
        if outermost and connection.vendor == "postgresql":
            # Must come before the transaction's first query; SQLite's transactions are snapshots anyway.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            token = _shared.set(_SharedSnapshot())
            try:
                yield
            finally:
                _shared.reset(token)
        else:
            yield


def _in_snapshot(snapshot_id: str, function: Callable, *args, **kwargs):
    """Run *function* on this thread's own connection, in the snapshot *snapshot_id*, then close it."""
    if not SNAPSHOT_ID.fullmatch(snapshot_id):
        raise ValueError(f"Not a snapshot id: {snapshot_id!r}")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # SET takes no bound parameters; the id is checked above.
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
            return function(*args, **kwargs)
    finally:
        connection.close()


def alongside(function: Callable, *args, **kwargs) -> Callable[[], object]:
    """Start ``function(*args, **kwargs)`` on a connection of its own, in this snapshot.

    Return a function that waits for the result (or raises what *function* raised). Where
    the snapshot cannot be shared, *function* runs now and the returned function gives its result.
    """
    shared = _shared.get()
    if shared is None:
        result = function(*args, **kwargs)
        return lambda: result
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot")
    future = executor.submit(_in_snapshot, shared.id(), function, *args, **kwargs)
    executor.shutdown(wait=False)
    return future.result
