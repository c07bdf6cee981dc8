"""The task behind every job (jobs.services): the row says what to do, the task only starts it."""

from django_tasks import task

from . import services

# Staff wait on a page for these: before the slices of a mail batch (0), after single mails (10).
JOB_PRIORITY = 5


@task(priority=JOB_PRIORITY)
def job_work(job_pk: int, watch: bool = False) -> str | None:
    """Do the work of the job *job_pk*, or take it over from a worker that stopped (*watch*: the lease's watcher)."""
    return services.job_run(job_pk, watch=watch)
