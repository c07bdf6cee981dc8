"""The respondent's page counter ("Side 3 af 4"): one rule, for every page of the questionnaire.

The pages are the sections shown for the answers so far and the review page after them.
While an answer still to be given decides which sections follow, the counter names
every total the library may meet ("Side 2 af 4 eller 9, afhængigt af jeres svar"),
never one it might not: once the deciding answer is given, the total is the real one,
and it is one of those named before. The totals depend on the answers only, never on
the page, so moving back and forth never changes them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from .conditions import possible_lengths, visible_sections


@dataclass(frozen=True)
class PageCounter:
    page: int
    totals: tuple[int, ...]  # every number of pages the library may meet, fewest first; one once settled

    @property
    def settled(self) -> bool:
        return len(self.totals) == 1

    @property
    def percent(self) -> int:
        """How far along: 0 on the first page, 100 on the review.

        Against the longest way still open, so the bar never shrinks as the library goes on.
        """
        last = self.totals[-1]
        return round(100 * (self.page - 1) / (last - 1)) if last > 1 else 100

    @property
    def text(self) -> str:
        if self.settled:
            return gettext("Page %(page)s of %(pages)s") % {"page": self.page, "pages": self.totals[0]}
        values = {"page": self.page, "fewest": self.totals[0], "most": self.totals[-1]}
        if len(self.totals) == 2:
            return gettext("Page %(page)s of %(fewest)s or %(most)s, depending on your answers") % values
        return gettext("Page %(page)s of %(fewest)s to %(most)s, depending on your answers") % values


def page_counter(sections, answers, code: str | None = None) -> PageCounter:
    """Return the counter for section *code*, or for the review page (no *code*), given *answers*."""
    shown = visible_sections(sections, answers)
    if code is None:
        return PageCounter(len(shown) + 1, (len(shown) + 1,))
    page = next(i for i, section in enumerate(shown) if section.code == code) + 1
    # Never a total below the page the library is on (an earlier optional gap may still add a section).
    totals = tuple(total for total in sorted({n + 1 for n in possible_lengths(sections, answers)}) if total > page)
    return PageCounter(page, totals or (len(shown) + 1,))
