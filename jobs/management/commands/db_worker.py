"""``manage.py db_worker``: django-tasks-db's worker, which also shows that it is alive (jobs.workers).

It takes the place of django-tasks-db's command of the same name (``jobs`` stands before
``django_tasks_db`` in INSTALLED_APPS), so every way of starting a worker (the systemd unit,
``make run``, the tests) keeps a row of its own while it runs.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from jobs.workers import worker_presence


class Command(db_worker.Command):
    help = "Run a worker of the task queue (mail, background jobs); it shows the pages and /healthz it is alive"

    def handle(self, *args, worker_id: str, reload: bool, batch: bool, **options):
        # With --reload the first process only restarts the second, which runs the loop: that one shows itself.
        watching_only = reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if watching_only:
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        with worker_presence(worker_id):
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
