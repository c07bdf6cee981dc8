"""The page that follows a large round's download while a worker makes it, and the file it made.

Any staff member allowed to see responses sees every download of a round: the file holds
nothing they could not download themselves, and a link can be passed to a colleague. Whatever
became of the job (its worker stopped, its file is gone), the page says so in words and offers
to make the file again; it never answers with an error of the server.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jobs.models import Job, JobStatus
from jobs.services import job_file_exists, job_queue

from .downloads import DOWNLOADS, download_filters
from .views import staff_required

# Seconds between two reloads of the page while the file is being made (a meta refresh: the CSP forbids inline script).
REFRESH_SECONDS = 3


def _download_job(slug: str, pk: int) -> Job:
    return get_object_or_404(
        Job.objects.select_related("round", "requested_by"), pk=pk, round__slug=slug, kind__in=DOWNLOADS
    )


def _download_page(request: HttpRequest, job: Job, *, status: int = 200) -> HttpResponse:
    filters = download_filters(job)
    query = urlencode(filters.params)
    return render(
        request,
        "results/download.html",
        {
            "job": job,
            "round": job.round,
            "download": DOWNLOADS[job.kind],
            "filters": filters,
            "results_url": reverse("results:round", args=[job.round.slug]) + (f"?{query}" if query else ""),
            "keep_hours": settings.JOB_KEEP_HOURS,
            "sync_max": settings.RESULTS_SYNC_MAX_RESPONSES,
            "max_attempts": settings.JOB_MAX_ATTEMPTS,
            "file_gone": job.status == JobStatus.DONE and not job_file_exists(job),
            "refresh_seconds": None if job.is_finished else REFRESH_SECONDS,
        },
        status=status,
    )


@require_GET
@never_cache
@staff_required
def download_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _download_page(request, _download_job(slug, pk))


@require_GET
@never_cache
@staff_required
def download_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    job = _download_job(slug, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except OSError:
        # Deleted, or made by a worker whose folder (JOB_FILES_DIR) the web server does not share.
        return _download_page(request, job, status=410)
    return FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=DOWNLOADS[job.kind].content_type
    )


@require_POST
@staff_required
def download_again(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Queue the same file again (its job failed, or its file is gone) and follow the new job."""
    job = _download_job(slug, pk)
    if job.is_finished:
        job = job_queue(kind=job.kind, round=job.round, params=job.params, user=request.user)
    return redirect("results:download", slug, job.pk)
