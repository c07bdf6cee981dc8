"""Quotes for publication, from the questionnaire and from the interviews, filed by theme.

The one place that decides which quotes may be shown and how they are credited: the results
page, the workbook's `Citater` sheet and the report all read `round_quotes`. The rules are
questionnaire.services.quote_consent's, for the questionnaire's quotes (results.tallies._quotes)
and the interviews' alike: a quote is published only with consent; only a quote whose consent
is *named* carries a name, a title and a place; an anonymous one tells its region at most (an
interview's, not even that: interviewees are few and known).

Themes are the challenges of the questionnaire: the ones a library ticked for its own quote,
the ones staff gave an interview quote. Each quote is filed once, under the best-ranked of
its challenges (the one most libraries met), else under its first free theme, else under
"other quotes", so that a report never prints the same quote twice.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from questionnaire.models import Interview, InterviewQuote, Region
from questionnaire.services.quote_consent import may_name, published_q

from .tallies import Filters, Results

QUESTIONNAIRE, INTERVIEW = "questionnaire", "interview"
OTHER = ""  # the theme of quotes without one


@dataclass(frozen=True)
class PublishedQuote:
    """A quote that may be published, with what may be told about who said it."""

    text: str
    source: str  # QUESTIONNAIRE or INTERVIEW
    named: bool
    name: str = ""
    title: str = ""
    place: str = ""  # the library, or the municipality of an interview without one; "" unless named
    region: str = ""  # "" for interview quotes that are not named
    themes: tuple[str, ...] = ()  # challenge codes
    other_themes: tuple[str, ...] = ()
    key: str = ""  # "r<response id>" or "i<interview quote id>": where staff file it (results.models.ReportQuote)

    @property
    def who(self) -> str:
        return " ".join(part for part in (self.title, self.name) if part)

    @property
    def credit(self) -> str:
        """Return the credit as the seed writes it: "Citat Borgerservicechef Hanne Jensen, Viborg"."""
        if self.named:
            parts = [part for part in (self.who, self.place) if part]
            return _("Quote %(credit)s") % {"credit": ", ".join(parts)}
        if self.source == INTERVIEW:
            return _("Quote from an interview (anonymous)")
        return _("A library in %(region)s") % {"region": Region(self.region).label}

    @property
    def source_label(self) -> str:
        return _("Interview") if self.source == INTERVIEW else _("Questionnaire")

    @property
    def region_label(self) -> str:
        return str(Region(self.region).label) if self.region else ""


@dataclass(frozen=True)
class QuoteTheme:
    """A theme and the quotes filed under it; *count* is how many libraries met the challenge."""

    key: str  # a challenge code, "other:" + a free theme, or OTHER
    label: str
    count: int | None
    share: float | None
    quotes: tuple[PublishedQuote, ...]


@dataclass(frozen=True)
class RoundQuotes:
    quotes: tuple[PublishedQuote, ...]  # questionnaire quotes first (in tallies' order), then interviews'
    themes: tuple[QuoteTheme, ...]  # every challenge, most often met first; then free themes; then OTHER
    answered: int  # libraries that answered the challenges question

    def theme(self, key: str) -> QuoteTheme | None:
        return next((theme for theme in self.themes if theme.key == key), None)

    @property
    def with_quotes(self) -> tuple[QuoteTheme, ...]:
        return tuple(theme for theme in self.themes if theme.quotes)


def interviews_q(filters: Filters, prefix: str = "") -> Q:
    """Return the condition that an interview (reached through *prefix*) passes *filters*.

    The region is the municipality's where one is given, else the library's; a kind
    filter keeps only interviews with a library of that kind.
    """
    condition = Q()
    if filters.region:
        condition &= Q(**{f"{prefix}municipality__region": filters.region}) | Q(
            **{f"{prefix}municipality__isnull": True, f"{prefix}library__municipality__region": filters.region}
        )
    if filters.kind:
        condition &= Q(**{f"{prefix}library__kind": filters.kind})
    return condition


def interview_count(round, filters: Filters) -> int:
    """Return the number of interviews of *round* under *filters*."""
    return Interview.objects.filter(round=round).filter(interviews_q(filters)).count()


def _interview_quotes(round, filters: Filters) -> list[PublishedQuote]:
    rows = (
        InterviewQuote.objects.filter(interview__round=round)
        .filter(interviews_q(filters, "interview__"))
        .filter(published_q())
        .exclude(text="")
        .select_related("interview__library__municipality", "interview__municipality")
        .order_by("interview__held_on", "interview_id", "position", "pk")
    )
    quotes = []
    for row in rows:
        themes, others = tuple(row.themes or ()), tuple(row.other_theme_list)
        if may_name(row.consent):
            interview = row.interview
            quotes.append(
                PublishedQuote(
                    row.text.strip(),
                    INTERVIEW,
                    True,
                    interview.name,
                    interview.title,
                    interview.place,
                    interview.region,
                    themes,
                    others,
                    f"i{row.pk}",
                )
            )
        else:
            quotes.append(
                PublishedQuote(row.text.strip(), INTERVIEW, False, themes=themes, other_themes=others, key=f"i{row.pk}")
            )
    return quotes


def round_quotes(results: Results) -> RoundQuotes:
    """Return the quotes that may be published for *results*' round and filters, filed by theme (one query)."""
    quotes = [
        PublishedQuote(
            quote.text.strip(),
            QUESTIONNAIRE,
            quote.named,
            quote.name,
            quote.title,
            quote.library,
            quote.region,
            quote.themes,
            key=f"r{quote.response}",
        )
        for quote in results.quotes
    ]
    quotes += _interview_quotes(results.round, results.filters)
    challenges = results.challenges
    ranked = challenges.ranked if challenges else ()
    order = [choice.code for choice in ranked]
    filed: dict[str, list[PublishedQuote]] = {key: [] for key in order}
    free: dict[str, tuple[str, list]] = {}
    other = []
    for quote in quotes:
        known = [theme for theme in quote.themes if theme in filed]
        if known:
            filed[min(known, key=order.index)].append(quote)
        elif quote.other_themes:
            label = quote.other_themes[0]
            free.setdefault(label.casefold(), (label, []))[1].append(quote)
        else:
            other.append(quote)
    themes = [
        QuoteTheme(choice.code, choice.label, choice.count, choice.share, tuple(filed[choice.code]))
        for choice in ranked
    ]
    themes += [QuoteTheme(f"other:{key}", label, None, None, tuple(items)) for key, (label, items) in free.items()]
    if other:
        themes.append(QuoteTheme(OTHER, _("Other quotes"), None, None, tuple(other)))
    return RoundQuotes(tuple(quotes), tuple(themes), challenges.answered if challenges else 0)
