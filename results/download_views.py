"""The page that follows a large round's download while a worker makes it, and the file it made.

Any staff member allowed to see responses sees every download of a round: the file holds
nothing they could not download themselves, and a link can be passed to a colleague.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jobs.models import Job, JobStatus

from .downloads import DOWNLOADS, download_filters
from .views import staff_required

# Seconds between two reloads of the page while the file is being made (a meta refresh: the CSP forbids inline script).
REFRESH_SECONDS = 3


def _download_job(slug: str, pk: int) -> Job:
    return get_object_or_404(
        Job.objects.select_related("round", "requested_by"), pk=pk, round__slug=slug, kind__in=DOWNLOADS
    )


@require_GET
@never_cache
@staff_required
def download_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    job = _download_job(slug, pk)
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
            "results_url": reverse("results:round", args=[slug]) + (f"?{query}" if query else ""),
            "keep_hours": settings.JOB_KEEP_HOURS,
            "sync_max": settings.RESULTS_SYNC_MAX_RESPONSES,
            "refresh_seconds": None if job.is_finished else REFRESH_SECONDS,
        },
    )


@require_GET
@never_cache
@staff_required
def download_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    job = _download_job(slug, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=DOWNLOADS[job.kind].content_type
    )
