"""The report as a PDF for print and mail: WeasyPrint from the print template, every drawing a vector.

A4, page numbers and the source in every page's margin; bar charts are SVG drawn here (each
bar exactly as long as the percentage written beside it), the map is results.map's own SVG.
The content comes from results.report; this module only lays it out. WeasyPrint needs Pango
(Debian: libpango-1.0-0, libpangoft2-1.0-0), which `make test` installs when missing.
"""

import re
import textwrap

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import map as denmark
from .report import Chart, Report
from .templatetags.results_format import whole_percent

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


def _css_string(text: str) -> str:
    """Return *text* as a CSS string: one line without control characters, quotes and backslashes escaped.

    Spaces become no-break spaces (``\\a0``): WeasyPrint drops a space at the edge of a
    string in a margin box, which would run "Side 2 af 18" together.
    """
    line = re.sub(r"\s", " ", denmark.clean(text))
    return '"' + line.replace("\\", "\\\\").replace('"', '\\"').replace(" ", "\\a0 ") + '"'


def _page_counter() -> str:
    """Return the CSS content "Side " counter(page) " af " counter(pages), from the translated sentence."""
    marker = _("Page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
    parts = []
    for piece in marker.split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


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
        # Marked safe, as each is escaped where it is made (bandit's nosec): the map's own drawing by
        # its template, as the page and the downloads show it; the CSS strings by _css_string.
        "map": mark_safe(denmark.map_svg(report.results)) if report.has_map else "",  # noqa: S308  # nosec
        "css_source": mark_safe(_css_string(report.source)),  # noqa: S308  # nosec
        "css_title": mark_safe(_css_string(f"{report.title} · {report.round_title}")),  # noqa: S308  # nosec
        "css_pages": mark_safe(_page_counter()),  # noqa: S308  # nosec
    }
    return render_to_string("results/report.html", context)


def pdf_write(report: Report, handle) -> None:
    """Write *report* as a PDF to *handle* (a path or a binary file)."""
    from weasyprint import HTML  # only the PDF needs WeasyPrint and Pango

    HTML(string=report_html(report)).write_pdf(handle)
