"""The questionnaire's background work: importing a large register file, and anonymising a round.

Both do what their synchronous paths do (``register_import``, ``round_anonymise``), in a worker;
the admin pages follow the job (jobs.models.Job) and show its outcome as they would have.
"""

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _

from jobs import registry
from jobs.models import Job
from jobs.services import job_queue

from .models import Round
from .services.personal_data import round_anonymise, round_anonymise_check
from .services.register import RegisterImportError, register_import, register_upload_check

REGISTER_IMPORT, ANONYMISE = "register-import", "anonymise"


def register_import_queue(*, data: bytes, filename: str, user=None) -> Job:
    """Queue the import of the register file *data*; a file over the upload limit is refused at once."""
    register_upload_check(len(data))
    return job_queue(kind=REGISTER_IMPORT, upload=data, upload_name=filename, user=user)


def register_import_run(job: Job) -> dict:
    """Import the job's file: {"created": …, "updated": …, "unchanged": …}, or {"problems": [...]}, nothing changed."""
    try:
        report = register_import(data=bytes(job.upload), filename=job.upload_name)
    except RegisterImportError as error:
        return {"problems": [asdict(problem) for problem in error.problems]}
    return asdict(report)


def round_anonymise_queue(*, round: Round, user=None) -> Job:
    """Queue the removal of *round*'s personal data; raise ValidationError at once if it has not closed."""
    round_anonymise_check(round=round)
    return job_queue(kind=ANONYMISE, round=round, user=user)


def round_anonymise_run(job: Job) -> dict:
    return {"removed": round_anonymise(round=job.round)}


def round_anonymise_job(round: Round) -> Job | None:
    """Return the latest job that removes *round*'s personal data, if any is kept."""
    return Job.objects.filter(kind=ANONYMISE, round=round).latest_first().first()


registry.register(REGISTER_IMPORT, _("Import of the register"), register_import_run)
registry.register(ANONYMISE, _("Removal of personal data"), round_anonymise_run)
