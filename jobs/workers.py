"""Whether the queue is being served: each worker shows it is alive, and a dead worker's task is said to be dead.

Every ``manage.py db_worker`` (django-tasks-db's command, with this added in
jobs/management/commands/db_worker.py) keeps a row of its own (``Worker``): written when it
starts, its ``seen_at`` renewed every ``heartbeat_seconds()`` from a thread, idle or busy, and
``stopped_at`` set when it stops as asked (a deploy, ``systemctl stop``). A killed worker just
falls silent. The rule, by the database's clock:

- a worker is *running* while it has been seen within WORKER_SILENT_SECONDS and has not stopped;
- the queue is served while at least one worker runs (``worker_state``): the staff pages say
  in Danish when none does, and ``/healthz`` answers 503 (surveyproject/health.py);
- a task the queue holds as running whose worker no longer runs died with it:
  ``dead_worker_tasks_fail`` (run_scheduled) marks it failed, saying why, instead of leaving it
  running for ever. The work itself is not lost: mail and jobs hold leases of their own and
  are taken over by the next worker.
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Max, Q
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Worker

logger = logging.getLogger(__name__)

# What a task that died with its worker says instead of a traceback.
DEAD_WORKER_ERROR = "jobs.workers.WorkerStopped"
# A stopped or long silent worker's row is kept this long, for whoever looks into what happened.
WORKER_ROWS_KEPT = timedelta(days=7)


def worker_silence() -> timedelta:
    """Return how long a worker may go unseen before it counts as not running."""
    return timedelta(seconds=settings.WORKER_SILENT_SECONDS)


def heartbeat_seconds() -> float:
    """Return how often a worker shows it is alive: well inside the silence, so a live one never looks dead."""
    return min(30.0, settings.WORKER_SILENT_SECONDS / 4)


def running_workers():
    """The workers seen within WORKER_SILENT_SECONDS that have not stopped."""
    return Worker.objects.filter(stopped_at__isnull=True, seen_at__gte=Now() - worker_silence())


class WorkerState(NamedTuple):
    running: bool  # whether any worker serves the queue now
    last_seen: datetime | None  # when a worker was last seen alive (None: never)


def worker_state() -> WorkerState:
    """Return whether a worker runs, and when one was last seen, in one query."""
    state = Worker.objects.aggregate(
        running=Count("pk", filter=Q(stopped_at__isnull=True, seen_at__gte=Now() - worker_silence())),
        last_seen=Max("seen_at"),
    )
    return WorkerState(bool(state["running"]), state["last_seen"])


def worker_beat(name: str) -> None:
    """Record that the worker *name* (this process) is alive."""
    if not Worker.objects.filter(name=name).update(seen_at=Now(), stopped_at=None):
        Worker.objects.create(name=name, host=socket.gethostname()[:255], pid=os.getpid(), seen_at=Now())


@contextmanager
def worker_presence(name: str):
    """Show the worker *name* alive while the body runs (the body is the worker's loop), and stopped after it."""
    worker_beat(name)
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    worker_beat(name)
                except DatabaseError:
                    logger.warning("Worker %s could not record that it is alive", name[:8], exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name="worker-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        try:
            Worker.objects.filter(name=name).update(stopped_at=Now())
        except DatabaseError:
            logger.warning("Worker %s could not record that it stopped", name[:8], exc_info=True)


def dead_worker_tasks_fail() -> int:
    """Mark failed the tasks held as running whose worker no longer runs; return how many.

    A task whose worker left no row (started before workers kept one) counts as dead once it has
    run for longer than WORKER_SILENT_SECONDS.
    """
    alive = set(running_workers().values_list("name", flat=True))
    known = set(Worker.objects.values_list("name", flat=True))
    started_long_ago = timezone.now() - worker_silence()
    dead = []
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        worker = task.worker_ids[-1] if task.worker_ids else None
        if worker in alive:
            continue
        if worker in known or task.started_at is None or task.started_at < started_long_ago:
            dead.append(task.pk)
    if not dead:
        return 0
    return DBTaskResult.objects.filter(pk__in=dead, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=DEAD_WORKER_ERROR,
        traceback=(
            "The worker running this task stopped (killed, restarted or out of memory) before it finished. "
            "Mail and background jobs are taken over by the next worker; nothing needs doing here."
        ),
    )


def workers_prune(moment=None) -> int:
    """Delete the rows of workers not seen for WORKER_ROWS_KEPT; return how many."""
    moment = moment or timezone.now()
    deleted, _counts = Worker.objects.filter(seen_at__lt=moment - WORKER_ROWS_KEPT).delete()
    return deleted
