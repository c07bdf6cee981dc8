"""The report of a round: the seed ("Biblioteker og Borgerservice") made from the data.

This module decides what the report says; results.report_pdf and results.report_pptx only
lay it out, so the PDF and the PowerPoint always hold the same figures, and those are the
figures of the results page and the workbook: everything comes from results.tallies
(`round_results`), results.breakdowns (services by model), results.quotes (questionnaire
and interview quotes under one consent rule) and the round's case stories.

The content is plain dataclasses with every figure already written as Danish text
(`45 %`, `250.000 kr.`), in the seed's order: title page, about the survey, the headline
split, an overview of the models with the map, a page per model (with its cases), the
economy, dilemmas and challenges with their quotes, the libraries that have not started,
and advice to other libraries. Every page names the source (`SOURCE`); a group of fewer
than `SMALL_GROUP_MIN` libraries says so beside its figures; contact details never appear (quotes are
credited only as their consent allows, and nothing else names a person).

The number of queries is fixed whatever the number of responses, and lists of libraries
and written answers are cut at a few dozen, so time and memory stay flat in N.
`report_write` is the one entry point for the views, the command and background jobs.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from questionnaire import downloads
from questionnaire.codes import ADVICE, BARRIERS, MODELS, PLANS, PLANS_COMMENT, SERVICES
from questionnaire.models import CaseStory, Interview, Round

from . import denmark
from .breakdowns import cross_table
from .quotes import INTERVIEW, PublishedQuote, RoundQuotes, interview_count, interviews_q, round_quotes
from .snapshots import snapshot
from .tallies import (
    SOURCE,
    Filters,
    QuestionTally,
    Results,
    counted_answers,
    round_questions,
    round_results,
    submitted_responses,
)
from .templatetags.results_format import kroner, percent, round_half_up

# How many libraries a model's page names, written answers a page quotes, services a model lists.
LIBRARY_LIMIT = 40
TEXT_LIMIT = 8
SERVICE_LIMIT = 8
# Quotes a theme prints: those staff chose from the interviews first, then named ones, then anonymous.
QUOTE_LIMIT = 6

ACTIVE_COLOUR, NOT_STARTED_COLOUR, BAR_COLOUR = "#0072B2", denmark.NOT_STARTED_COLOUR, "#1F4E79"
PDF, PPTX = "pdf", "pptx"
FORMATS = (PDF, PPTX)
CONTENT_TYPES = {PDF: downloads.PDF, PPTX: downloads.PPTX}


# --- Danish figures -----------------------------------------------------------------------


def kroner_words(amount) -> str:
    """Return an amount as the seed writes a range: "20.000 kr.", "30 millioner kr.", "1,5 millioner kr."."""
    if amount is None:
        return percent(None)
    if amount < 1_000_000:
        return kroner(amount)
    millions = round_half_up(amount / 1_000_000, 1)
    text = number_format(millions, 0 if millions == int(millions) else 1)
    return ngettext("DKK %(amount)s million", "DKK %(amount)s million", 1 if millions == 1 else 2) % {"amount": text}


def few_note(count: int) -> str:
    """Return the warning that goes beside figures resting on fewer than SMALL_GROUP_MIN libraries ("" otherwise)."""
    if count == 0:
        return _("No library answered.")
    if count < settings.SMALL_GROUP_MIN:
        return ngettext(
            "Only %(count)s library: read the shares with care.",
            "Only %(count)s libraries: read the shares with care.",
            count,
        ) % {"count": count}
    return ""


# --- The content --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float | None
    colour: str = BAR_COLOUR

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per answer, shares of *base* libraries (each bar's length is its share)."""

    title: str
    bars: tuple[Bar, ...]
    base: int
    note: str = ""  # few_note(base)

    @property
    def base_text(self) -> str:
        return ngettext(
            "Share of the %(count)s library that answered",
            "Share of the %(count)s libraries that answered",
            self.base,
        ) % {"count": number_format(self.base, 0, force_grouping=True)}


@dataclass(frozen=True)
class TextAnswer:
    text: str
    library: str


@dataclass(frozen=True)
class Case:
    title: str
    municipality: str
    model_heading: str
    points: tuple[str, ...]

    @property
    def heading(self) -> str:
        if self.municipality:
            return _("Case from %(place)s: %(title)s") % {"place": self.municipality, "title": self.title}
        return _("Case: %(title)s") % {"title": self.title}


@dataclass(frozen=True)
class ModelPage:
    """One cooperation model: what it is, how many use it, who, and what they offer."""

    code: str
    heading: str  # "Model 3"
    description: str  # "Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk"
    colour: str
    count: int
    figures: tuple[Figure, ...]
    libraries: tuple[str, ...]
    more_libraries: int  # libraries using it beyond those named
    services: Chart | None
    example_library: str
    example_services: tuple[str, ...]
    cases: tuple[Case, ...]
    note: str

    @property
    def libraries_more_text(self) -> str:
        if not self.more_libraries:
            return ""
        return ngettext("and %(count)s other library", "and %(count)s other libraries", self.more_libraries) % {
            "count": number_format(self.more_libraries, 0, force_grouping=True)
        }


@dataclass(frozen=True)
class ModelKey:
    heading: str
    description: str
    colour: str
    count: int


@dataclass(frozen=True)
class Economy:
    range_text: str  # "Fra 20.000 kr. til 30 millioner kr."
    figures: tuple[Figure, ...]
    answered: int
    note: str
    development_funds: Chart | None
    funds_used_for: Chart | None


@dataclass(frozen=True)
class NotStarted:
    count: int
    share: str
    plans: Chart | None
    barriers: Chart | None
    comments: tuple[TextAnswer, ...]
    note: str


@dataclass(frozen=True)
class Theme:
    """A challenge (or a free theme) with the quotes the report prints under it."""

    key: str
    label: str
    count: int | None
    quotes: tuple[PublishedQuote, ...]
    more: int  # quotes under the theme that the report leaves to the workbook

    @property
    def count_text(self) -> str:
        if self.count is None:
            return ""
        return ngettext("%(counter)s library", "%(counter)s libraries", self.count) % {"counter": self.count}

    @property
    def more_text(self) -> str:
        if not self.more:
            return ""
        return ngettext(
            "%(count)s more quote in the workbook",
            "%(count)s more quotes in the workbook",
            self.more,
        ) % {"count": number_format(self.more, 0, force_grouping=True)}


def _themes(quotes: RoundQuotes) -> tuple[Theme, ...]:
    themes = []
    for theme in quotes.with_quotes:
        chosen = sorted(theme.quotes, key=lambda quote: (quote.source != INTERVIEW, not quote.named))[:QUOTE_LIMIT]
        themes.append(Theme(theme.key, theme.label, theme.count, tuple(chosen), len(theme.quotes) - len(chosen)))
    return tuple(themes)


@dataclass(frozen=True)
class Report:
    round: Round
    filters: Filters
    results: Results  # for the map
    title: str
    subtitle: str
    round_title: str
    scope: str  # the filters, or "" for all libraries
    behind: str
    reuse: str
    made: str
    about: tuple[Figure, ...]
    method: tuple[str, ...]
    background: str
    headline: Chart
    headline_text: tuple[str, ...]
    model_keys: tuple[ModelKey, ...]
    models: tuple[ModelPage, ...]
    economy: Economy
    challenges: Chart | None
    themes: tuple[Theme, ...]  # with quotes, most often met first
    not_started: NotStarted
    advice: tuple[TextAnswer, ...]
    advice_total: int
    source: str = field(default=SOURCE)

    @property
    def has_map(self) -> bool:
        return bool(self.results.municipalities)


def _chart(tally: QuestionTally | None, *, title: str = "", ranked: bool = True, colour=BAR_COLOUR) -> Chart | None:
    if tally is None:
        return None
    choices = tally.ranked if ranked else tally.choices
    bars = tuple(Bar(choice.label, choice.count, choice.share, colour) for choice in choices)
    return Chart(title or tally.label, bars, tally.answered, few_note(tally.answered))


def model_heading(label: str) -> tuple[str, str]:
    """Split "Model 3: Udvalgte opgaver …" into ("Model 3", "Udvalgte opgaver …"); others are their own heading."""
    heading, colon, description = label.partition(": ")
    if colon and heading.split()[-1].isdigit():
        return heading, description
    text, _paren, rest = label.partition(" (")
    return text, (f"({rest}" if rest else "")


def _texts(round, filters, code: str, limit: int) -> tuple[tuple[TextAnswer, ...], int]:
    """Return the first *limit* written answers to *code* by library name, and how many there are (two queries)."""
    answers = counted_answers(round, filters).filter(question__code=code).exclude(text="")
    rows = answers.values_list("text", "response__invitation__library__name").order_by(
        "response__invitation__library__name", "response_id"
    )[:limit]
    return tuple(TextAnswer(text.strip(), library) for text, library in rows if text.strip()), answers.count()


def _model_libraries(round, filters, models) -> dict[str, list[tuple[int, str]]]:
    """Return {model code: [(response id, library name)]}, the first LIBRARY_LIMIT by name (a query per model)."""
    found = {}
    for model in models:
        rows = (
            counted_answers(round, filters)
            .filter(question__code=MODELS, choice__code=model.code)
            .values_list("response_id", "response__invitation__library__name")
            .order_by("response__invitation__library__name", "response_id")[:LIBRARY_LIMIT]
        )
        found[model.code] = list(rows)
    return found


def _services_of(round, filters, response_ids) -> dict[int, list[str]]:
    """Return {response id: [service labels]} for a few responses, in one query."""
    services = {}
    rows = (
        counted_answers(round, filters)
        .filter(question__code=SERVICES, response_id__in=response_ids, choice__isnull=False)
        .values_list("response_id", "choice__label")
        .order_by("response_id", "choice__position")
    )
    for response_id, label in rows:
        services.setdefault(response_id, []).append(label)
    return services


def _cases(round, filters, headings) -> dict[str, list[Case]]:
    cases = {}
    stories = CaseStory.objects.filter(round=round).select_related("municipality").order_by("model", "title", "pk")
    if filters.region:
        stories = stories.filter(municipality__region=filters.region)
    for story in stories:
        case = Case(
            story.title,
            story.municipality.name if story.municipality else "",
            headings.get(story.model, ""),
            tuple(story.points),
        )
        cases.setdefault(story.model, []).append(case)
    return cases


def _model_pages(round, filters, results: Results, questions) -> tuple[tuple[ModelPage, ...], tuple[ModelKey, ...]]:
    adoption = results.model_adoption
    colours = denmark.model_colours(results)
    headings = {model.code: model_heading(model.label)[0] for model in adoption.models}
    libraries = _model_libraries(round, filters, adoption.models)
    services = _services_of(round, filters, [pk for rows in libraries.values() for pk, _name in rows])
    by_model = None
    if any(question.code == SERVICES for question in questions) and adoption.active:
        by_model = cross_table(round, question=SERVICES, by=MODELS, filters=filters, questions=questions)
    cases = _cases(round, filters, headings)
    pages, keys = [], []
    for model in adoption.models:
        heading, description = model_heading(model.label)
        colour = colours.get(model.code, (BAR_COLOUR, ""))[0]
        keys.append(ModelKey(heading, description, colour, model.count))
        chart = None
        if by_model is not None and model.count:
            column = [code for code, _label in by_model.columns].index(model.code)
            base = by_model.column_totals[column]
            bars = [
                Bar(row.label, row.cells[column].count, (row.cells[column].count / base) if base else None, colour)
                for row in by_model.rows
                if row.cells[column].count
            ]
            bars = sorted(bars, key=lambda bar: -bar.count)[:SERVICE_LIMIT]
            title = _("Services most often offered by libraries using %(model)s") % {"model": heading}
            chart = Chart(title, tuple(bars), base, few_note(base))
        named = libraries.get(model.code, [])
        # The seed's "Eksempler på ydelser i Brønderslev Bogbus": the named library offering the most.
        example = max(named, key=lambda row: (len(services.get(row[0], [])), -named.index(row)), default=None)
        example_services = tuple(services.get(example[0], [])) if example else ()
        pages.append(
            ModelPage(
                code=model.code,
                heading=heading,
                description=description,
                colour=colour,
                count=model.count,
                figures=(
                    Figure(_("Libraries using the model"), number_format(model.count, 0, force_grouping=True)),
                    Figure(_("Share of the libraries with activities"), percent(model.share_of_active)),
                    Figure(_("Share of all responses"), percent(model.share_of_all)),
                ),
                libraries=tuple(name for _pk, name in named),
                more_libraries=max(model.count - len(named), 0),
                services=chart,
                example_library=example[1] if example and example_services else "",
                example_services=example_services,
                cases=tuple(cases.get(model.code, ())),
                note=few_note(model.count) if model.count else "",
            )
        )
    return tuple(pages), tuple(keys)


def _economy(results: Results) -> Economy:
    money = results.resources
    if money.withheld:
        range_text = _("The amounts are not shown")
    elif money.answered:
        range_text = _("From %(lowest)s to %(highest)s") % {
            "lowest": kroner_words(money.lowest),
            "highest": kroner_words(money.highest),
        }
    else:
        range_text = _("No library gave a figure.")
    figures = (
        Figure(_("Lowest"), kroner(money.lowest)),
        Figure(_("Median"), kroner(money.median)),
        Figure(_("Highest"), kroner(money.highest)),
        Figure(_("Sum"), kroner(money.total)),
        Figure(_("Libraries that gave a figure"), number_format(money.answered, 0, force_grouping=True)),
    )
    return Economy(
        range_text,
        figures,
        money.answered,
        money.withheld_note or few_note(money.answered),
        _chart(results.development_funds, ranked=False),
        _chart(results.funds_used_for),
    )


def _about(round: Round, filters: Filters, results: Results) -> tuple[tuple[Figure, ...], tuple[str, ...], str]:
    headline = results.headline
    interviews = Interview.objects.filter(round=round).filter(interviews_q(filters))
    held = interviews.aggregate(first=Min("held_on"), last=Max("held_on"))
    answered = submitted_responses(round, filters).aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    count = interview_count(round, filters)

    def period(first, last) -> str:
        if not first:
            return percent(None)
        first, last = (timezone.localdate(d) if isinstance(d, datetime) else d for d in (first, last))
        if first == last:
            return date_format(first)
        return _("%(first)s to %(last)s") % {"first": date_format(first), "last": date_format(last)}

    figures = (
        Figure(_("Libraries invited"), number_format(headline.invited, 0, force_grouping=True)),
        Figure(_("Responses"), number_format(headline.responses, 0, force_grouping=True)),
        Figure(_("Response rate"), percent(headline.response_rate)),
        Figure(_("Interviews"), number_format(count, 0, force_grouping=True)),
        Figure(_("Answers submitted"), period(answered["first"], answered["last"])),
        Figure(_("Interviews held"), period(held["first"], held["last"])),
    )
    method = (
        ngettext("%(count)s selected interviewee", "%(count)s selected interviewees", count) % {"count": count},
        _("Electronic questionnaire"),
    )
    background = _(
        "On %(date)s the country's public libraries were asked to what extent the library and the "
        "municipality's citizen service (borgerservice) work together."
    ) % {"date": date_format(timezone.localdate(round.opens_at))}
    return figures, method, background


def report_build(*, round: Round, filters: Filters) -> Report:
    """Return the content of *round*'s report under *filters*, read from one snapshot in a fixed number of queries."""
    with snapshot():
        questions = round_questions(round)
        results = round_results(round, filters, questions=questions)
        quotes = round_quotes(results)
        about, method, background = _about(round, filters, results)
        models, keys = _model_pages(round, filters, results, questions)
        comments, _comment_count = _texts(round, filters, PLANS_COMMENT, TEXT_LIMIT)
        advice, advice_total = _texts(round, filters, ADVICE, TEXT_LIMIT)
    headline = results.headline
    split = Chart(
        _("Libraries with borgerservice activities"),
        (
            Bar(_("Have borgerservice activities"), headline.active, headline.share_active, ACTIVE_COLOUR),
            Bar(_("Have not started yet"), headline.not_started, headline.share_not_started, NOT_STARTED_COLOUR),
        ),
        headline.responses,
        few_note(headline.responses),
    )
    headline_text = (
        _("%(share)s of the responses have borgerservice activities") % {"share": percent(headline.share_active)},
        _("%(share)s of the responses have not started the work yet") % {"share": percent(headline.share_not_started)},
    )
    scope = ""
    if filters.params:
        scope = ", ".join(
            str(label)
            for label, value in ((filters.region_label, filters.region), (filters.kind_label, filters.kind))
            if value
        )
    return Report(
        round=round,
        filters=filters,
        results=results,
        title=_("Libraries and Borgerservice"),
        subtitle=_("Experiences and trends in the cooperation"),
        round_title=round.title,
        scope=scope,
        behind=_("Behind the survey are the consultancy Knudsen Syd and Danmarks Biblioteksforening."),
        reuse=_("The results of the survey may be reproduced when the two above are named as sources."),
        made=_("Figures as of %(date)s")
        % {"date": date_format(timezone.localtime(results.made_at), "DATETIME_FORMAT")},
        about=about,
        method=method,
        background=background,
        headline=split,
        headline_text=headline_text,
        model_keys=keys,
        models=models,
        economy=_economy(results),
        challenges=_chart(results.challenges, title=_("Challenges, most often met first")),
        themes=_themes(quotes),
        not_started=NotStarted(
            count=headline.not_started,
            share=percent(headline.share_not_started),
            plans=_chart(results.question(PLANS), ranked=False),
            barriers=_chart(results.question(BARRIERS)),
            comments=comments,
            note=few_note(headline.not_started) if headline.not_started else "",
        ),
        advice=advice,
        advice_total=advice_total,
    )


# --- Writing ------------------------------------------------------------------------------


def report_filename(round: Round, filters: Filters, format: str) -> str:
    """Return the download name, e.g. ``borgerservice-bs2009-hovedstaden-rapport.pdf``."""
    parts = ["borgerservice", round.slug, filters.region, filters.kind, "rapport"]
    return "-".join(part for part in parts if part) + f".{format}"


def report_write(*, round: Round, filters: Filters, handle, format: str) -> None:
    """Write *round*'s report under *filters* to *handle* (a path or a binary file) as ``"pdf"`` or ``"pptx"``.

    The one entry point: the download views, ``manage.py report`` and background jobs call it.
    Raise ValueError for another format.
    """
    if format not in FORMATS:
        raise ValueError(f"Unknown report format {format!r}")
    report = report_build(round=round, filters=filters)
    if format == PDF:
        from .report_pdf import pdf_write

        pdf_write(report, handle)
    else:
        from .report_pptx import pptx_write

        pptx_write(report, handle)
