"""What run_scheduled clears away besides jobs: the queue's old records, expired sessions, dead workers' traces.

- a task the queue holds as running whose worker died is marked failed, saying so (jobs.workers);
- the queue's record of a task finished more than TASK_RESULTS_KEEP_DAYS ago is deleted (the mail
  and the jobs keep what staff read in rows of their own; the records only grow);
- expired sessions are deleted (Django leaves them in the table);
- the rows of workers not seen for a week are deleted.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .workers import dead_worker_tasks_fail, workers_prune


@dataclass
class Housekept:
    dead_tasks: int
    task_results: int
    sessions: int
    workers: int


def housekeep(moment=None) -> Housekept:
    """Do the housekeeping above and return how many of each went."""
    moment = moment or timezone.now()
    dead_tasks = dead_worker_tasks_fail()
    task_results, _counts = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=moment - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS))
        .delete()
    )
    sessions, _counts = Session.objects.filter(expire_date__lt=moment).delete()
    return Housekept(dead_tasks, task_results, sessions, workers_prune(moment))
