"""``/healthz``: whether this installation serves, for the proxy or a monitor: 200 when it does, 503 when not.

Healthy means all of:

- the database answers;
- no migration is left unapplied (the code running expects the tables it finds);
- the queue is served: the oldest task that is due has waited at most HEALTH_QUEUE_WAIT_SECONDS,
  and a worker has been seen alive within WORKER_SILENT_SECONDS (jobs.workers).

The body is a short JSON object naming each part's state, with nothing secret in it: no host,
address, setting or error text (those go to the log).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, F, Min, When
from django.db.models.functions import Greatest
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
# Once every migration is applied, it stays so for the life of the process (its code cannot change).
_migrations_applied = False


def unapplied_migrations() -> int:
    """Return how many migrations the code has that the database has not applied."""
    global _migrations_applied
    if _migrations_applied:
        return 0
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    count = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_applied = count == 0
    return count


def oldest_due_task_wait() -> timedelta | None:
    """Return how long the longest-waiting task that is due has waited (None: nothing is due)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A task is due from when it was queued, or from its run_after if that is later (the maximum date means none).
    due = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=Greatest("run_after", "enqueued_at"))
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(due))["oldest"]
    return None if oldest is None else max(timezone.now() - oldest, timedelta(0))


def health() -> dict:
    """Return the state of each part (database, migrations, queue, worker) and the whole ``status``."""
    from jobs.workers import worker_state

    state = {"status": OK, "database": OK, "migrations": OK, "queue": OK, "worker": OK}
    try:
        connections[DEFAULT_DB_ALIAS].ensure_connection()
        unapplied = unapplied_migrations()
        wait = oldest_due_task_wait()
        running, seen = worker_state()
    except DatabaseError:
        logger.exception("Health: the database does not answer")
        return {"status": "unavailable", "database": "unavailable"}
    if unapplied:
        state["migrations"] = f"{unapplied} unapplied"
    state["oldest_due_task_seconds"] = round(wait.total_seconds()) if wait else 0
    if wait and wait > timedelta(seconds=settings.HEALTH_QUEUE_WAIT_SECONDS):
        state["queue"] = "waiting too long"
    if seen is not None:
        state["worker_seen_seconds_ago"] = max(round((timezone.now() - seen).total_seconds()), 0)
    if not running:
        state["worker"] = "none running"
    if any(state[part] != OK for part in ("migrations", "queue", "worker")):
        state["status"] = "unavailable"
    return state


@never_cache
@require_GET
def healthz(request):
    state = health()
    return JsonResponse(state, status=200 if state["status"] == OK else 503)
