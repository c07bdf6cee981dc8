"""The report of a round built from the data: results.report.content filled in from the round.

The content is the seed's, in its order: title page, about the survey, the headline split, an
overview of the models with the map, a page per model (with its cases), the economy, dilemmas and
challenges with their quotes, the libraries that have not started, and advice to other libraries.
Everything comes from results.tallies (`round_results`), results.breakdowns (services by model),
results.quotes (questionnaire and interview quotes under one consent rule) and the round's case
stories, so the report holds the figures of the results page and the workbook. Every page names
the source (`SOURCE`); contact details never appear (quotes are credited only as their consent
allows, and nothing else names a person).

The number of queries is fixed whatever the number of responses, and lists of libraries
and written answers are cut at a few dozen, so time and memory stay flat in N.
"""

from datetime import datetime

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from questionnaire.codes import ADVICE, BARRIERS, MODELS, PLANS, PLANS_COMMENT, SERVICES
from questionnaire.models import CaseStory, Interview, Round

from .. import denmark
from ..breakdowns import cross_table
from ..filters import Filters
from ..models import ReportFinding, ReportQuote, ReportSection, ReportText
from ..quotes import (
    INTERVIEW,
    OTHER,
    QUESTIONNAIRE,
    PublishedQuote,
    RoundQuotes,
    interview_count,
    interviews_q,
    round_quotes,
)
from ..snapshots import snapshot
from ..tallies import QuestionTally, Results, counted_answers, round_questions, round_results, submitted_responses
from ..templatetags.results_format import kroner, percent
from .content import (
    ACTIVE_COLOUR,
    BAR_COLOUR,
    NOT_STARTED_COLOUR,
    Bar,
    Case,
    Chart,
    Economy,
    Figure,
    Finding,
    ModelKey,
    ModelPage,
    NotStarted,
    Report,
    TextAnswer,
    Theme,
    few_note,
    kroner_words,
    model_heading,
)
from .texts import THEMES, figure_values, fill_in, measure_count

# How many libraries a model's page names, services a model lists.
LIBRARY_LIMIT = 40
SERVICE_LIMIT = 8
# Quotes a theme prints: those staff chose from the interviews first, then named ones, then anonymous.
QUOTE_LIMIT = 6


# The theme staff choose for "other quotes" (whose key, OTHER, is "": what leaves a quote out).
OTHER_THEME = "other"
# A quote staff filed comes before the suggestions, in their order.
UNFILED = 1_000_000


def _staff_texts(round) -> tuple[str, dict[str, tuple[str, str]]]:
    """Return the author line and {section: (heading, text)} staff wrote for *round* (two queries)."""
    text = ReportText.objects.filter(round=round).first()
    findings = ReportFinding.objects.filter(report_text__round=round).values_list("section", "heading", "text")
    return (text.author.strip() if text else ""), {section: (heading, body) for section, heading, body in findings}


def _findings(written: dict[str, tuple[str, str]], values: dict[str, str]) -> dict[str, Finding]:
    """Return staff's findings with their placeholders filled in; an empty one is left out."""
    findings = {}
    for section, (heading, text) in written.items():
        heading, text = fill_in(heading.strip(), values), fill_in(text.strip(), values)
        if heading or text:
            findings[section] = Finding(heading, text)
    return findings


def _filings(round) -> dict[str, tuple[str, int]]:
    """Return {quote key: (theme, position)} of what staff filed in *round*'s report (one query).

    The keys are PublishedQuote.key's ("r12", "i7") and, for advice and plan comments,
    "advice:r12" and "plans_comment:r12".
    """
    filed = {}
    rows = ReportQuote.objects.filter(round=round).values_list(
        "response_id", "answer", "interview_quote_id", "theme", "position"
    )
    for response_id, answer, interview_quote_id, theme, position in rows:
        if interview_quote_id:
            filed[f"i{interview_quote_id}"] = (theme, position)
        elif answer in (ADVICE, PLANS_COMMENT):
            filed[f"{answer}:r{response_id}"] = (theme, position)
        else:
            filed[f"r{response_id}"] = (theme, position)
    return filed


def _chosen_texts(round, filters, filed) -> list[tuple[str, int, TextAnswer]]:
    """Return [(theme, position, answer)] of the advice and plan comments staff chose for the report (one query)."""
    chosen = {key: place for key, place in filed.items() if ":" in key and place[0]}
    ids = {int(key.partition(":r")[2]) for key in chosen}
    rows = (
        counted_answers(round, filters)
        .filter(question__code__in=(ADVICE, PLANS_COMMENT), response_id__in=sorted(ids) or [0])  # 0: no response
        .exclude(text="")
        .values_list("question__code", "response_id", "text", "response__invitation__library__name")
    )
    found = []
    for code, response_id, text, library in rows:
        theme, position = chosen[f"{code}:r{response_id}"]
        if text.strip():
            found.append((theme, position, TextAnswer(text.strip(), library)))
    return sorted(found, key=lambda item: (item[1], item[2].library))


def _theme_page(spec, results: Results) -> tuple[tuple[Figure, ...], Chart | None] | None:
    """Return the figures and chart of a seed theme, or None when the round's questionnaire asks none of it."""
    figures = []
    for measure in spec.measures:
        found = measure_count(results, measure)
        if found is None:
            continue
        count, base = found
        value = percent(count / base if base else None)
        label = ngettext(
            "%(label)s (%(count)s of %(base)s library)", "%(label)s (%(count)s of %(base)s libraries)", base
        ) % {"label": measure.label, "count": count, "base": base}
        figures.append(Figure(label, value))
    if not figures:
        return None
    chart = _chart(results.question(spec.chart)) if spec.chart else None
    return tuple(figures), chart


def _themes(
    quotes: RoundQuotes, results: Results, filed, findings, chosen
) -> tuple[tuple[Theme, ...], dict[str, tuple[PublishedQuote, ...]]]:
    """Return the report's themes with their quotes, and the quotes staff filed under another section.

    A quote stands where staff filed it ("" leaves it out), or, before any filing, where
    results.quotes suggests; the seed's themes first (those the questionnaire asked, or with quotes
    staff filed there), then the challenges and free themes with quotes.
    """
    placed: dict[str, list[tuple[int, int, PublishedQuote]]] = {}
    for order, (suggested, quote) in enumerate((theme.key, quote) for theme in quotes.themes for quote in theme.quotes):
        theme, position = filed.get(quote.key, (suggested, None))
        if quote.key in filed and not theme:
            continue  # staff left it out
        theme = OTHER if theme == OTHER_THEME else theme
        rank = position if position is not None else UNFILED
        placed.setdefault(theme, []).append((rank, order, quote))
    for order, (theme, position, answer) in enumerate(chosen):
        if theme not in (ReportSection.ADVICE, ReportSection.NOT_STARTED):
            theme = OTHER if theme == OTHER_THEME else theme
            quote = PublishedQuote(answer.text, QUESTIONNAIRE, True, place=answer.library)
            placed.setdefault(theme, []).append((position, -len(chosen) + order, quote))

    def pick(key) -> tuple[tuple[PublishedQuote, ...], int]:
        items = sorted(
            placed.pop(key, ()), key=lambda item: (item[0], item[2].source != INTERVIEW, not item[2].named, item[1])
        )
        staff = [quote for rank, _order, quote in items if rank != UNFILED]
        suggested = [quote for rank, _order, quote in items if rank == UNFILED]
        shown = suggested[: max(QUOTE_LIMIT - len(staff), 0)]
        return tuple(staff + shown), len(suggested) - len(shown)

    themes = []
    for spec in THEMES:
        page = _theme_page(spec, results)
        if page is None and spec.key not in placed:
            continue  # not asked, and no quote filed there
        chosen_quotes, more = pick(spec.key)
        figures, chart = page or ((), None)
        themes.append(
            Theme(
                spec.key,
                str(ReportSection(spec.key).label),
                None,
                chosen_quotes,
                more,
                figures,
                chart,
                findings.get(spec.key),
            )
        )
    for theme in quotes.themes:
        if theme.key in placed:
            chosen_quotes, more = pick(theme.key)
            themes.append(Theme(theme.key, theme.label, theme.count, chosen_quotes, more))
    challenges = {choice.code: choice for choice in (results.challenges.choices if results.challenges else ())}
    for key in [key for key in placed if key in challenges]:
        chosen_quotes, more = pick(key)
        themes.append(Theme(key, challenges[key].label, challenges[key].count, chosen_quotes, more))
    sections = {}
    for key in [key for key in placed if key in ReportSection.values]:
        sections[key] = pick(key)[0]
    return tuple(themes), sections


def _chart(tally: QuestionTally | None, *, title: str = "", ranked: bool = True, colour=BAR_COLOUR) -> Chart | None:
    if tally is None:
        return None
    choices = tally.ranked if ranked else tally.choices
    bars = tuple(Bar(choice.label, choice.count, choice.share, colour) for choice in choices)
    return Chart(title or tally.label, bars, tally.answered, few_note(tally.answered))


def _text_count(round, filters, code: str) -> int:
    """Return how many libraries wrote an answer to *code* (one query)."""
    return counted_answers(round, filters).filter(question__code=code).exclude(text="").count()


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
        advice_total = _text_count(round, filters, ADVICE)
        author, written = _staff_texts(round)
        filed = _filings(round)
        chosen = _chosen_texts(round, filters, filed)
    findings = _findings(written, figure_values(results))
    themes, section_quotes = _themes(quotes, results, filed, findings, chosen)
    # Advice and plan comments are the libraries' own words to the survey: printed only where staff chose them.
    advice = tuple(answer for theme, _position, answer in chosen if theme == ReportSection.ADVICE)
    comments = tuple(answer for theme, _position, answer in chosen if theme == ReportSection.NOT_STARTED)
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
    return Report(
        round=round,
        filters=filters,
        results=results,
        title=_("Libraries and Borgerservice"),
        subtitle=_("Experiences and trends in the cooperation"),
        round_title=round.title,
        scope=filters.description,
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
        themes=themes,
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
        author=author,
        findings=findings,
        section_quotes=section_quotes,
    )
