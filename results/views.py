"""Staff pages for the results of a round: the page, the Excel workbook and the map.

Only active staff with permission to view responses get in; everyone else is sent
to the admin login or refused. Every view reads its figures from results.tallies and
results.breakdowns in a fixed number of queries, from one snapshot. Filters come as GET
parameters (region, kind) and are passed on to the downloads, so a download holds what
the page shows.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from questionnaire.models import Round

from . import denmark
from .breakdowns import cross_table, number_distributions, open_answers
from .comparison import PUBLISHED_2009, chosen_comparison, earlier_rounds
from .downloads import download_response, in_background
from .filters import Filters, file_stem
from .forms import CrossTableForm, FilterForm
from .quotes import round_quotes
from .snapshots import snapshot
from .tallies import model_heading, round_questions, round_results

VIEW_PERMISSION = "questionnaire.view_response"


def staff_required(view):
    """Send anonymous users to the admin login; refuse users who are not staff allowed to see responses."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(checked, login_url=reverse_lazy("admin:login"))


def _round_and_filters(request: HttpRequest, slug: str) -> tuple[Round, Filters]:
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), slug=slug)
    return round_, Filters.from_params(request.GET)


@require_GET
@never_cache
@gzip_page  # the page carries the map and every table: some 250 kB of HTML, a fifth of it compressed
@staff_required
def round_page(request: HttpRequest, slug: str) -> HttpResponse:
    round_, filters = _round_and_filters(request, slug)
    with snapshot():
        questions = round_questions(round_)
        results = round_results(round_, filters, questions=questions)
        cross = CrossTableForm(request.GET, questions=questions).choice()
        crosstab = cross_table(round_, **cross, filters=filters, questions=questions) if cross["question"] else None
        distributions = number_distributions(round_, filters, questions=questions)
        texts = open_answers(round_, filters, questions=questions)
        quotes = round_quotes(results)
    colours = denmark.model_colours(results)
    # Beside an earlier round chosen by staff (?compare=SLUG); the downloads take it along.
    compare = request.GET.get("compare", "")
    comparison = chosen_comparison(results, compare, with_map=False)
    query = urlencode({**filters.params, **({"compare": compare} if comparison else {})})
    return render(
        request,
        "results/round.html",
        {
            "round": round_,
            "results": results,
            "form": FilterForm(initial=filters.params),
            "cross_form": CrossTableForm(questions=questions, initial=cross),
            "cross": cross,
            "crosstab": crosstab,
            "distributions": distributions,
            "open_answers": texts,
            "quotes": quotes,
            "query": f"?{query}" if query else "",
            "cross_query": urlencode({**filters.params, **cross}),
            "map": denmark.denmark_map(results, with_key=False),
            # "Model 3" above its description: the table then fits a phone (results/public.py does the same).
            "models": [
                (*model_heading(model.label), model, colours[model.code][0]) for model in results.model_adoption.models
            ],
            "comparison": comparison,
            "earlier_rounds": earlier_rounds(round_),
            "published_2009": PUBLISHED_2009,
            # Then a download link leads to a page, not a file: no "download" attribute.
            "background_downloads": in_background(results.headline.responses),
        },
    )


@require_GET
@never_cache
@staff_required
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """The workbook; ``?codes=1`` writes the answers as choice codes and 1/0, for analysts.

    A large round's workbook is made by a worker: the answer is then a redirect to its page.
    """
    round_, filters = _round_and_filters(request, slug)
    kind = "workbook-codes" if request.GET.get("codes") == "1" else "workbook"
    # The cross-table the page shows, when the link comes from it.
    cross = (
        CrossTableForm(request.GET, questions=round_questions(round_)).choice() if "question" in request.GET else None
    )
    options = {"cross": cross, "compare": request.GET.get("compare", "")}
    return download_response(request, round=round_, filters=filters, kind=kind, options=options)


def _map_response(content, content_type: str, round_: Round, filters: Filters, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = filters.file_name(file_stem(round_), extension, suffix="kort")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Should the file ever be opened in the browser, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@never_cache
@staff_required
def map_download(request: HttpRequest, slug: str) -> HttpResponse:
    round_, filters = _round_and_filters(request, slug)
    svg = denmark.map_svg(round_results(round_, filters), standalone=True)
    return _map_response(svg, "image/svg+xml; charset=utf-8", round_, filters, "svg")


@require_GET
@never_cache
@staff_required
def map_png_download(request: HttpRequest, slug: str) -> HttpResponse:
    round_, filters = _round_and_filters(request, slug)
    return _map_response(denmark.map_png(round_results(round_, filters)), "image/png", round_, filters, "png")


# --- The report (results.report): PDF and PowerPoint, by a worker for a large round ---------------


@require_GET
@never_cache
@staff_required
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    round_, filters = _round_and_filters(request, slug)
    return download_response(request, round=round_, filters=filters, kind="report-pdf")


@require_GET
@never_cache
@staff_required
def report_pptx(request: HttpRequest, slug: str) -> HttpResponse:
    round_, filters = _round_and_filters(request, slug)
    return download_response(request, round=round_, filters=filters, kind="report-pptx")


@require_GET
@never_cache
@staff_required
def report_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The report as it will print: the very HTML the PDF is laid out from (results.report.pdf.report_html)."""
    from .report import report_build
    from .report.pdf import report_html

    round_, filters = _round_and_filters(request, slug)
    response = HttpResponse(report_html(report_build(round=round_, filters=filters)))
    # Staff's and the libraries' text is escaped by the template; should anything slip, nothing may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response
