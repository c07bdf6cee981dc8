"""The report as a PDF for print and mail: WeasyPrint from the print template, every drawing a vector.

A4, page numbers and the source in every page's margin; bar charts are SVG drawn here (each
bar exactly as long as the percentage written beside it), the map is results.denmark's own SVG.
The content comes from results.report.content; this module only lays it out. WeasyPrint needs Pango
(Debian: libpango-1.0-0, libpangoft2-1.0-0), which `make test` installs when missing.
"""

import logging
import mimetypes
import re
import textwrap
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .. import denmark
from ..templatetags.results_format import whole_percent
from .content import Chart, Report

logger = logging.getLogger(__name__)

# The chart's layout in CSS pixels (the A4 page's text is about 680 px wide).
CHART_WIDTH = 680
LABEL_WIDTH = 300
LABEL_CHARS = 46
BAR_WIDTH = 270
LINE = 14
GAP = 8
FONT = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"


def chart_svg(chart: Chart) -> str:
    """Return *chart* as an SVG of horizontal bars: label, bar (its share of BAR_WIDTH), percentage and count."""
    rows, y = [], GAP
    for bar in chart.bars:
        lines = textwrap.wrap(bar.label, LABEL_CHARS) or [""]
        height = max(len(lines) * LINE, 18)
        text = "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" dy="{0 if index == 0 else LINE}">{escape(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        top = y + (height - 14) / 2
        width = BAR_WIDTH * min(whole_percent(bar.share), 100) / 100 if bar.share else 0
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 11}" text-anchor="end" font-size="11">{text}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{top:.1f}" width="{BAR_WIDTH}" height="14" fill="#EEF1F4"/>'
            f'<rect x="{LABEL_WIDTH}" y="{top:.1f}" width="{width:.1f}" height="14" fill="{escape(bar.colour)}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{top + 11:.1f}" font-size="11">'
            f'<tspan font-weight="bold">{escape(bar.percent)}</tspan> ({bar.count})</text>'
        )
        y += height + GAP
    title = escape(chart.title)
    # Every text above is escaped.
    return mark_safe(  # noqa: S308  # nosec
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{CHART_WIDTH}" height="{y:.0f}" '
        f'viewBox="0 0 {CHART_WIDTH} {y:.0f}" role="img" aria-label="{title}" font-family="{FONT}" '
        f'fill="#1A1A1A">{"".join(rows)}</svg>'
    )


# Characters a CSS string may hold as they are; every other one is written as a CSS escape.
CSS_PLAIN = re.compile(r"[A-Za-z0-9,.:!?()/%+_-]")


def css_string(text: str) -> SafeString:
    """Return *text* as a quoted CSS string that cannot end the string, the rule or the ``<style>`` element.

    Only letters, digits and a little punctuation stay as they are; every other character
    (quotes, backslashes, ``<``, ``>``, ``{``, ``;``, letters outside ASCII) becomes a CSS hex
    escape, so what a member of staff typed reads as text however it is written. Control
    characters go and white space becomes a no-break space (``\\a0``): WeasyPrint drops a
    space at the edge of a string in a margin box, which would run "Side 2 af 18" together.
    """
    line = re.sub(r"\s", "\u00a0", denmark.clean(text))
    escaped = "".join(char if CSS_PLAIN.fullmatch(char) else f"\\{ord(char):x} " for char in line)
    # Every character but the plain ones is a CSS escape above: nothing typed can close the string.
    return SafeString(f'"{escaped}"')  # nosec B703 B308


def _page_counter() -> str:
    """Return the CSS content "Side " counter(page) " af " counter(pages), from the translated sentence."""
    marker = _("Page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
    parts = []
    for piece in marker.split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return SafeString(" ".join(parts))  # nosec B703 B308 - counters and css_string()s only


def report_html(report: Report) -> str:
    """Return the print template filled in: the HTML WeasyPrint lays out (also handy to look at in a browser)."""
    charts = {
        "headline": chart_svg(report.headline),
        "challenges": chart_svg(report.challenges) if report.challenges else "",
    }
    economy = report.economy
    context = {
        "report": report,
        "charts": charts,
        "models": [(page, chart_svg(page.services) if page.services else "") for page in report.models],
        "development_funds": chart_svg(economy.development_funds) if economy.development_funds else "",
        "funds_used_for": chart_svg(economy.funds_used_for) if economy.funds_used_for else "",
        "plans": chart_svg(report.not_started.plans) if report.not_started.plans else "",
        "barriers": chart_svg(report.not_started.barriers) if report.not_started.barriers else "",
        # Marked safe, as it is escaped where it is made (bandit's nosec): the map's own drawing by
        # its template, as the page and the downloads show it.
        "map": mark_safe(denmark.map_svg(report.results)) if report.has_map else "",  # noqa: S308  # nosec
        "themes": [(theme, chart_svg(theme.chart) if theme.chart else "") for theme in report.themes],
        "findings": report.findings,
        "section_quotes": report.section_quotes,
        "css_source": css_string(report.source),
        "css_title": css_string(f"{report.title} · {report.round_title}"),
        "css_pages": _page_counter(),
    }
    return render_to_string("results/report.html", context)


# The origin under which the print template may name the app's own static files. ".invalid" is
# reserved (RFC 2606): no such host exists, so nothing under it can be fetched from the network.
STATIC_ORIGIN = "https://static.invalid"


def static_files_only():
    """Return WeasyPrint's URL fetcher for the report: the app's own static files, and nothing else.

    The report is laid out from text that staff typed. Whatever reaches the template, the
    renderer must not read a file of the server (``file:``), ask a host (``http:``) or take a
    ``data:`` URL: only the files the app ships under ``STATIC_URL`` are served.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            prefix = settings.STATIC_URL
            if f"{parts.scheme}://{parts.netloc}" == STATIC_ORIGIN and parts.path.startswith(prefix):
                try:
                    path = finders.find(unquote(parts.path.removeprefix(prefix)))
                except SuspiciousFileOperation:
                    path = None
                if path:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            logger.warning("The report asked for a URL outside the app's static files; refused: %.200r", url)
            raise ValueError("Only the app's own static files are served to the report.")

    return StaticFilesOnly()


def pdf_write(report: Report, handle) -> None:
    """Write *report* as a PDF to *handle* (a path or a binary file); it fetches nothing but the app's static files."""
    from weasyprint import HTML  # only the PDF needs WeasyPrint and Pango

    html = HTML(
        string=report_html(report), base_url=f"{STATIC_ORIGIN}{settings.STATIC_URL}", url_fetcher=static_files_only()
    )
    html.write_pdf(handle)
