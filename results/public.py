"""The results for everyone, from a round's publication day: the page and the report as a PDF.

Before ``Round.results_published_on`` nothing here exists for the reader (a Danish 404 that says
when the results come, if a day is set); from that day on, no login is asked. Every figure is the
figures of the staff's results page (results.tallies, no filters), and groups of fewer than
SMALL_GROUP_MIN libraries show no exact figure, by the same rule as the report.

The report is made by a worker, once for each state of the data it is made of (``report_state``):
publication day brings every library to the page at once, and a PDF made per reader would
keep every web worker busy. Until the file for the present state is ready, readers get the
file of the state before it, or a page that asks them to come back in a minute.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.postgres.aggregates import StringAgg
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, Max, Value
from django.db.models.functions import MD5, Cast, Concat
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jobs.models import Job, JobStatus
from jobs.services import job_file_exists, job_queue
from questionnaire.downloads import PDF
from questionnaire.models import CaseStory, Interview, InterviewQuote, Invitation, ResponseChange, Round

from . import denmark
from .comparison import PUBLISHED_2009
from .downloads import download_params
from .filters import NO_FILTERS
from .snapshots import snapshot
from .tallies import is_small_group, model_heading, round_results, small_group_note, submitted_responses

REPORT_KIND = "report-pdf"
# A rendered page is kept for this long at most; its key holds the state of the data, so a change
# shows at once, and an older state's page is never served.
PAGE_CACHE_SECONDS = 600


def published_round(request: HttpRequest, slug: str) -> Round | HttpResponse:
    """Return the round *slug* if its results are public; otherwise the 404 page that says when they come."""
    round_ = get_object_or_404(Round.objects.real(), slug=slug)
    if round_.results_are_public():
        return round_
    return render(request, "results/public_not_yet.html", {"round": round_}, status=404)


def report_state(round_: Round) -> str:
    """Return a digest of everything the published report is made of, in a fixed number of queries.

    It changes when a response is submitted, reopened or corrected, when staff change an
    interview, a quote or a case story, and when personal data are removed; the report is made
    again only then. (Finished jobs are cleared after JOB_KEEP_HOURS, so at worst a change
    nothing here notices waits that long.)
    """
    responses = submitted_responses(round_).aggregate(
        count=Count("pk"), saved=Max("last_saved_at"), submitted=Max("submitted_at")
    )
    changes = ResponseChange.objects.filter(response__invitation__round=round_).aggregate(last=Max("changed_at"))
    staff_texts = [
        model.objects.filter(**{lookup: round_}).aggregate(count=Count("pk"), last=Max("changed_at"))
        for model, lookup in ((Interview, "round"), (InterviewQuote, "interview__round"), (CaseStory, "round"))
    ]
    facts = [round_.pk, round_.title, round_.personal_data_removed_at, responses, changes, staff_texts]
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]


def page_state(round_: Round) -> str:
    """Return a digest of everything the public page is made of: ``report_state`` and what the page adds.

    The page also tells how many libraries were invited and counts each response under its library's
    kind and municipality (and names it beside a named quote), so the round's invitations and their
    libraries are in it too (one query; PostgreSQL makes their digest), and the round's own columns.
    """
    fields = ("pk", "is_test", "library_id", "library__municipality_id", "library__kind", "library__name")
    invitations = Invitation.objects.filter(round=round_)
    if connection.vendor == "postgresql":
        parts = [Cast(field, CharField()) for field in fields]
        text = Concat(*(part for cast in parts for part in (cast, Value("|"))), output_field=CharField())
        digest = invitations.aggregate(digest=MD5(StringAgg(text, delimiter="\n", order_by="pk")))["digest"]
    else:
        digest = hashlib.sha256(repr(list(invitations.order_by("pk").values_list(*fields))).encode()).hexdigest()
    columns = [getattr(round_, field.attname) for field in Round._meta.concrete_fields]
    facts = [report_state(round_), digest, columns]
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]


def _report_params(state: str) -> dict:
    # The download job's own parameters (results.downloads), and the state it was made of.
    return {**download_params(NO_FILTERS), "published": state}


def published_report_job(round_: Round) -> Job | None:
    """Return the newest made report of *round_* whose file is there, queueing one for the present state if needed.

    Return None when no report has been made yet.
    """
    # The newest reports, the one being made among them, in one query: while one is made (readers
    # who wait ask again and again), nothing more is read, no lock taken and nothing written.
    newest = list(
        Job.objects.filter(kind=REPORT_KIND, round=round_, params__has_key="published")
        .exclude(status=JobStatus.FAILED)
        .latest_first()[:4]
    )
    made = [job for job in newest if job.status == JobStatus.DONE]
    if any(not job.is_finished and not job.is_silent for job in newest):
        return _newest_file(made)
    params = _report_params(report_state(round_))
    # The present state's job is looked for whether it waits, runs or is done, in one query: looking
    # for a done one and then (in job_queue) for an unfinished one would miss a job that finished in
    # between, and make the report twice.
    jobs = Job.objects.filter(kind=REPORT_KIND, round=round_, params=params).exclude(status=JobStatus.FAILED)
    current = next((job for job in newest if job.params == params), None) or jobs.latest_first().first()
    if current is not None and current.status == JobStatus.DONE and job_file_exists(current):
        return current
    if current is None or current.status == JobStatus.DONE or current.is_silent:
        # None yet, its file gone, or its worker gone quiet (job_queue then fails it and queues anew).
        # Readers queue under the round's lock (job_queue takes it too) and look again holding it,
        # so that two of them queue one job.
        with transaction.atomic():
            Round.objects.select_for_update().filter(pk=round_.pk).first()
            current = jobs.latest_first().first()
            if current is not None and current.status == JobStatus.DONE and job_file_exists(current):
                return current
            if current is None or current.status == JobStatus.DONE or current.is_silent:
                job_queue(kind=REPORT_KIND, round=round_, params=params)
    return _newest_file(made)


def _newest_file(made: list[Job]) -> Job | None:
    return next((job for job in made[:3] if job_file_exists(job)), None)


def small_regions(results) -> dict[str, str]:
    """Return {region: the line that stands instead of its figures} for regions with too few responses."""
    return {
        region.region: small_group_note(region.responses, region.label)
        for region in results.model_adoption.regions
        if is_small_group(region.responses)
    }


@require_GET
def results_page(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = published_round(request, slug)
    if isinstance(round_, HttpResponse):
        return round_
    # Every reader without messages of their own gets the same page: made once per state of the data.
    key = f"public-results:{round_.pk}:{page_state(round_)}:{get_language()}:{settings.SMALL_GROUP_MIN}"
    shared = not len(messages.get_messages(request))
    if shared and (page := cache.get(key)) is not None:
        return HttpResponse(page)
    response = _results_page(request, round_)
    if shared:
        cache.set(key, response.content, PAGE_CACHE_SECONDS)
    return response


def _results_page(request: HttpRequest, round_: Round) -> HttpResponse:
    with snapshot():
        results = round_results(round_, NO_FILTERS)
    colours = denmark.model_colours(results)
    withheld = small_regions(results)
    adoption = results.model_adoption
    # The table by region names a model by its number and a region without "Region", so that it
    # has a chance on a phone; the table of models above gives the full names.
    regions = [
        (str(region.label).removeprefix("Region "), region, withheld.get(region.region, ""))
        for region in adoption.regions
    ]
    rows = [
        (
            model_heading(model.label)[0],
            model,
            [(cell, withheld.get(region.region, "")) for cell, region in zip(cells, adoption.regions, strict=True)],
        )
        for model, cells in adoption.rows
    ]
    return render(
        request,
        "results/public.html",
        {
            "round": round_,
            "results": results,
            "headline_withheld": small_group_note(results.headline.responses, _("the whole country"))
            if is_small_group(results.headline.responses)
            else "",
            "models": [(*model_heading(model.label), model, colours[model.code][0]) for model in adoption.models],
            "regions": regions,
            "region_rows": rows,
            "withheld_notes": sorted(set(withheld.values())),
            "map": denmark.denmark_map(results, with_key=False),
            "published_2009": PUBLISHED_2009,
            "small_group_min": settings.SMALL_GROUP_MIN,
        },
    )


@require_GET
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = published_round(request, slug)
    if isinstance(round_, HttpResponse):
        return round_
    job = published_report_job(round_)
    if job is None:
        response = render(request, "results/public_report_wait.html", {"round": round_}, status=503)
        response["Retry-After"] = "60"
        return response
    response = FileResponse(job.file.open("rb"), content_type=PDF, filename=f"borgerservice-{round_.slug}-rapport.pdf")
    # Should the file be opened in the browser, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
