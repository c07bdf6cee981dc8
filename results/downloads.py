"""The files of a round's results: made at once for a small round, by a worker for a large one.

Every file the results page offers (but the map, which is small whatever the round) is a
DownloadKind in DOWNLOADS, written by the same function for both ways. A round with at most
RESULTS_SYNC_MAX_RESPONSES submitted responses under the filters downloads at once, as it always
has; a larger one could keep a web worker past gunicorn's timeout, so the request queues a job
(jobs) and sends staff to a page that follows it and then offers the file. Asking again while
the job runs finds the same job, so a GET can ask without piling up work.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from jobs.services import job_file_save, job_queue
from questionnaire.downloads import PDF, PPTX, XLSX, file_response
from questionnaire.models import Round

from .excel import workbook_write
from .filters import Filters, file_stem
from .report import report_write
from .tallies import submitted_responses


@dataclass(frozen=True)
class DownloadKind:
    code: str  # the kind of job, e.g. "workbook"
    label: str
    # write(round=, filters=, handle=, **options, **asked) writes the file to the binary file *handle*;
    # *asked* is what the request chose besides the filters (JSON), e.g. the workbook's cross-table.
    write: Callable
    extension: str
    content_type: str
    suffix: str = ""  # after the round and filters in the file name: "koder"
    options: dict = field(default_factory=dict)

    def filename(self, round: Round, filters: Filters) -> str:
        """Return the download name, e.g. ``borgerservice-2009-hovedstaden-koder.xlsx``."""
        return filters.file_name(file_stem(round), self.extension, suffix=self.suffix)

    def write_to(self, handle, *, round: Round, filters: Filters, asked: dict | None = None) -> None:
        self.write(round=round, filters=filters, handle=handle, **self.options, **(asked or {}))


def report_downloads(report_write) -> tuple[DownloadKind, ...]:
    """Return the report as PDF and as PowerPoint, written by ``report_write(round=, filters=, handle=, format=)``.

    A writer of the same signature can stand in for it (the tests' does).
    """
    return (
        DownloadKind(
            "report-pdf", _("The report (PDF)"), report_write, "pdf", PDF, suffix="rapport", options={"format": "pdf"}
        ),
        DownloadKind(
            "report-pptx",
            _("The report (PowerPoint)"),
            report_write,
            "pptx",
            PPTX,
            suffix="rapport",
            options={"format": "pptx"},
        ),
    )


def in_background(responses: int) -> bool:
    """Return whether a file of *responses* submitted responses is made by a worker."""
    return responses > settings.RESULTS_SYNC_MAX_RESPONSES


DOWNLOADS = {
    kind.code: kind
    for kind in (
        DownloadKind("workbook", _("The Excel workbook"), workbook_write, "xlsx", XLSX),
        DownloadKind(
            "workbook-codes",
            _("The Excel workbook with codes"),
            workbook_write,
            "xlsx",
            XLSX,
            suffix="koder",
            options={"codes": True},
        ),
        *report_downloads(report_write),
    )
}


def download_response(
    request: HttpRequest, *, round: Round, filters: Filters, kind: str, options: dict | None = None
) -> HttpResponse:
    """Return the file *kind* of *round* under *filters*, or, for a large round, send to the page of its job.

    *options* (JSON: they go into the job) are passed on to the kind's writer, e.g. ``{"compare": "2009"}``.
    """
    download = DOWNLOADS[kind]
    if not in_background(submitted_responses(round, filters).count()):
        response = file_response(
            lambda handle: download.write_to(handle, round=round, filters=filters, asked=options),
            download.filename(round, filters),
            download.content_type,
        )
        # Should a file ever be opened in the browser, nothing in it may run or load.
        response["Content-Security-Policy"] = "default-src 'none'"
        return response
    job = job_queue(kind=kind, round=round, params=download_params(filters, options), user=request.user)
    return redirect("results:download", round.slug, job.pk)


def download_params(filters: Filters, options: dict | None = None) -> dict:
    """Return a download job's parameters: the filters, and the writer's options."""
    return {**filters.job_params(), "options": options or {}}


def download_filters(job) -> Filters:
    return Filters.from_job_params(job.params)


def download_make(job) -> None:
    """Make the file of the download job *job* (in a worker)."""
    download = DOWNLOADS[job.kind]
    filters = download_filters(job)
    job_file_save(
        job,
        write=lambda handle: download.write_to(
            handle, round=job.round, filters=filters, asked=job.params.get("options")
        ),
        filename=download.filename(job.round, filters),
    )
