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
from django.db.models import Count, Max
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from jobs.models import Job, JobStatus
from jobs.services import job_file_exists, job_queue
from questionnaire.downloads import PDF
from questionnaire.models import CaseStory, Interview, InterviewQuote, ResponseChange, Round

from . import denmark
from .comparison import PUBLISHED_2009
from .downloads import download_params
from .filters import NO_FILTERS
from .report import model_heading
from .snapshots import snapshot
from .tallies import is_small_group, round_results, submitted_responses

REPORT_KIND = "report-pdf"


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


def _report_params(state: str) -> dict:
    # The download job's own parameters (results.downloads), and the state it was made of.
    return {**download_params(NO_FILTERS), "published": state}


def published_report_job(round_: Round) -> Job | None:
    """Return the newest made report of *round_* whose file is there, queueing one for the present state if needed.

    Return None when no report has been made yet.
    """
    state = report_state(round_)
    made = Job.objects.filter(kind=REPORT_KIND, round=round_, status=JobStatus.DONE, params__has_key="published")
    current = made.filter(params=_report_params(state)).latest_first().first()
    if current is not None and job_file_exists(current):
        return current
    job_queue(kind=REPORT_KIND, round=round_, params=_report_params(state))
    return next((job for job in made.latest_first()[:3] if job_file_exists(job)), None)


def small_group_note(count: int, where: str) -> str:
    """Return the line that stands where the figures of a group of *count* libraries (*where*) are withheld."""
    return ngettext(
        "Only %(count)s library in %(where)s answered. Figures resting on fewer than %(least)s libraries are "
        "not shown, so that no figure can be traced to one library.",
        "Only %(count)s libraries in %(where)s answered. Figures resting on fewer than %(least)s libraries are "
        "not shown, so that no figure can be traced to one library.",
        count,
    ) % {"count": count, "where": where, "least": settings.SMALL_GROUP_MIN}


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
