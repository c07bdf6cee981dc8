"""The report of a round as a file: the one entry point (`report_write`) for the views, the command and jobs.

Shaped like Django's serializers: results.report.content is the content model and
results.report.build makes it from a round (`report_build`); the formats lay it out,
results.report.pdf (WeasyPrint) and results.report.pptx (python-pptx, with the native map of
results.report.pptx_map in the colours of results.report.palette). This module dispatches to
them; no format imports it, and the base imports no format.
"""

from questionnaire import downloads
from questionnaire.models import Round

from ..filters import Filters, file_stem
from .build import report_build
from .content import Report, kroner_words, model_heading

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "PDF",
    "PPTX",
    "Report",
    "kroner_words",
    "model_heading",
    "report_build",
    "report_filename",
    "report_write",
]

PDF, PPTX = "pdf", "pptx"
FORMATS = (PDF, PPTX)
CONTENT_TYPES = {PDF: downloads.PDF, PPTX: downloads.PPTX}


def report_filename(round: Round, filters: Filters, format: str) -> str:
    """Return the download name, e.g. ``borgerservice-bs2009-hovedstaden-rapport.pdf``."""
    return filters.file_name(file_stem(round), format, suffix="rapport")


def report_write(*, round: Round, filters: Filters, handle, format: str) -> None:
    """Write *round*'s report under *filters* to *handle* (a path or a binary file) as ``"pdf"`` or ``"pptx"``.

    The one entry point: the download views, ``manage.py report`` and background jobs call it.
    Raise ValueError for another format.
    """
    if format not in FORMATS:
        raise ValueError(f"Unknown report format {format!r}")
    report = report_build(round=round, filters=filters)
    if format == PDF:
        from .pdf import pdf_write

        pdf_write(report, handle)
    else:
        from .pptx import pptx_write

        pptx_write(report, handle)
