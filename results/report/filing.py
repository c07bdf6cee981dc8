"""Filing quotes, advice and plan comments under the report's themes: what staff may choose, and saving it.

The report prints a questionnaire or interview quote where staff filed it (results.models.ReportQuote),
or, before any filing, under results.quotes' suggestion (the best-ranked challenge the library
ticked). Advice and plan comments are the libraries' words to the survey ("for internal use" on
the results page): printed word for word only where staff filed them, never by default.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from questionnaire.codes import ADVICE, PLANS_COMMENT, QUOTE

from ..filters import NO_FILTERS
from ..models import ReportQuote, ReportSection
from ..quotes import round_quotes
from ..tallies import counted_answers, round_results
from .build import OTHER_THEME, _filings

SUGGESTED = "suggested"  # the select's value for "where results.quotes suggests"; "" is "not in the report"


@dataclass(frozen=True)
class Candidate:
    """A text staff may file in the report: a quote (with its suggested theme) or an advice / plan comment."""

    key: str  # "r12", "i7", "advice:r12", "plans_comment:r12"
    text: str
    who: str
    kind: str
    suggestion: str = ""  # a theme key; "" for advice and plan comments
    suggestion_label: str = ""

    @property
    def field(self) -> str:
        return self.key.replace(":", "_")


def candidates(round) -> list[Candidate]:
    """Return every text of *round* staff may file: the publishable quotes, then advice and plan comments."""
    quotes = round_quotes(round_results(round, NO_FILTERS, with_map=False))
    found = [
        Candidate(quote.key, quote.text, quote.credit, quote.source_label, theme.key, theme.label)
        for theme in quotes.themes
        for quote in theme.quotes
    ]
    kinds = {ADVICE: _("Advice"), PLANS_COMMENT: _("Plan comment")}
    rows = (
        counted_answers(round, NO_FILTERS)
        .filter(question__code__in=tuple(kinds))
        .exclude(text="")
        .values_list("question__code", "response_id", "text", "response__invitation__library__name")
        .order_by("question__code", "response__invitation__library__name", "response_id")
    )
    found += [
        Candidate(f"{code}:r{response_id}", text.strip(), library, kinds[code])
        for code, response_id, text, library in rows
        if text.strip()
    ]
    return found


def theme_choices(round, found: list[Candidate]) -> list[tuple[str, str]]:
    """Return the themes and sections a text may be filed under, the report's order; "" leaves it out."""
    from questionnaire.services.interviews import challenge_choices

    choices = [("", _("Not in the report"))]
    choices += [(section.value, str(section.label)) for section in ReportSection]
    choices += [(code, label) for code, label in challenge_choices(round=round) if code != "other"]
    known = {value for value, _label in choices}
    for candidate in found:
        if candidate.suggestion_label and candidate.suggestion not in known:
            choices.append((candidate.suggestion or OTHER_THEME, candidate.suggestion_label))
            known.add(candidate.suggestion)
    return choices


def filed(round) -> dict[str, tuple[str, int]]:
    """Return {key: (theme, position)} of what staff filed in *round*'s report."""
    return _filings(round)


@transaction.atomic
def filing_save(round, found: list[Candidate], values: dict[str, tuple[str, int]]) -> None:
    """Save staff's filing {key: (theme or SUGGESTED, position)}; SUGGESTED removes a quote's filing."""
    for candidate in found:
        if candidate.key not in values:
            continue
        theme, position = values[candidate.key]
        kind, _colon, ref = candidate.key.rpartition(":")
        lookup = {"round": round}
        if ref.startswith("i"):
            lookup.update(interview_quote_id=int(ref[1:]), response=None, answer="")
        else:
            lookup.update(response_id=int(ref[1:]), answer=kind or QUOTE, interview_quote=None)
        if theme == SUGGESTED:
            ReportQuote.objects.filter(**lookup).delete()
        else:
            ReportQuote.objects.update_or_create(**lookup, defaults={"theme": theme, "position": position})
