"""The results workbook: the answers, the tallies and the sources, ready to forward.

Built from results.tallies (the figures) and one streamed query (the answers, row by
row) in openpyxl's write-only mode, so memory does not grow with the number of
responses. The management command and the download view both call
``workbook_write``, so they produce the same workbook. The sheets are written by
results.excel.answers (`Svar`) and results.excel.summary (the figures), on results.excel.cells.

Respondent text is data: every string is written as a text cell, never a formula,
and text that Excel could take for one (``=``, ``+``, ``-``, ``@``…) also gets
Excel's quote prefix, so it stays text even when someone edits the cell.
"""

from openpyxl import Workbook

from questionnaire.models import Round

from ..breakdowns import cross_table
from ..comparison import chosen_comparison
from ..filters import Filters, file_stem
from ..snapshots import alongside, snapshot
from ..tallies import SOURCE, round_questions, round_results
from .answers import answer_rows, answers_sheet
from .cells import OVERVIEW
from .summary import (
    about_sheet,
    challenges_sheet,
    changes_sheet,
    comparison_sheet,
    counts_sheet,
    crosstab_sheet,
    economy_sheet,
    models_sheet,
    overview_sheet,
    quotes_sheet,
    services_sheet,
)

__all__ = ["answer_rows", "build_workbook", "workbook_filename", "workbook_write"]


def build_workbook(
    round: Round, filters: Filters, *, codes: bool = False, cross: dict | None = None, compare: str = ""
) -> Workbook:
    """Return the write-only workbook of *round* under *filters*, ready to save.

    With *codes*, `Svar` holds choice codes and 1/0 rather than labels and Ja/Nej. *cross*
    ({"question": code, "by": …}, as the results page chooses it) adds that cross-table. With
    *compare* (an earlier round's slug), `Sammenligning` sets the round beside that one;
    `Ændringer` lists what changed in the questionnaire since the previous round's version.
    """
    questions = round_questions(round)
    # The database counts on a connection of its own while the answers are written.
    tallies = alongside(round_results, round, filters, with_map=False, questions=questions)
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{round.title} – {SOURCE}"
    workbook.properties.creator = "Danmarks Biblioteksforening"
    answers_sheet(workbook, round, filters, questions, codes=codes)
    results = tallies()
    overview_sheet(workbook, results)
    workbook.move_sheet(OVERVIEW, -1)  # the overview opens the workbook
    counts_sheet(workbook, results)
    models_sheet(workbook, results)
    services_sheet(workbook, results)
    challenges_sheet(workbook, results)
    if cross:
        crosstab_sheet(workbook, cross_table(round, **cross, filters=filters, questions=questions))
    economy_sheet(workbook, results)
    quotes_sheet(workbook, results)
    comparison_sheet(workbook, chosen_comparison(results, compare, with_map=False))
    changes_sheet(workbook, round)
    about_sheet(workbook, results)
    return workbook


def workbook_write(
    *, round: Round, filters: Filters, handle, codes: bool = False, cross: dict | None = None, compare: str = ""
) -> None:
    """Write the results workbook of *round* under *filters* to *handle* (a path or a binary file).

    Every sheet is read from the same snapshot, so the answers and the tallies agree.
    """
    with snapshot():
        build_workbook(round, filters, codes=codes, cross=cross, compare=compare).save(handle)


def workbook_filename(round: Round, filters: Filters, *, codes: bool = False) -> str:
    """Return the download name, e.g. ``borgerservice-2009-hovedstaden.xlsx`` (``…-koder.xlsx`` with codes)."""
    return filters.file_name(file_stem(round), "xlsx", suffix="koder" if codes else "")
