"""What a library gets back through its personal link: its results beside the others', and its answers as a PDF.

From the round's publication day, each of the library's answers to a choice question stands
beside the share of the whole country and of its region that gave each answer, and each
number is placed in a band of the country's ("among the 25 % highest"). A group of fewer than
SMALL_GROUP_MIN libraries shows no figure (tallies.is_small_group), as everywhere.

The library's own answers as a PDF can be had at any time, before publication too: they are
its own. Both pages answer to the personal link alone, as every respondent page does.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from questionnaire.codes import PRIMARY_MODEL
from questionnaire.downloads import PDF
from questionnaire.models import NUMBER_KINDS, Invitation, QuestionKind
from questionnaire.services.answers import response_answers
from questionnaire.services.questionnaire import questionnaire_sections, questionnaire_version
from questionnaire.services.summary import answer_summary, answer_texts
from questionnaire.views import unknown_link

from .filters import NO_FILTERS, Filters
from .report.pdf import STATIC_ORIGIN, static_files_only
from .snapshots import snapshot
from .tallies import (
    PERSONAL_QUESTIONS,
    SOURCE,
    QuestionTally,
    counted_answers,
    is_small_group,
    model_heading,
    round_results,
    small_group_note,
)

# A number in the top or bottom quarter of the country's is said to be so; the rest is the middle half.
QUARTER = 0.25


@dataclass(frozen=True)
class Group:
    """The libraries an answer is set beside: the whole country, or the library's region."""

    label: str  # "Region Syddanmark"
    heading: str  # the table's column: short, for a phone ("Jeres region")
    responses: int
    withheld: str  # the line that stands instead of the group's figures, if it is too small


@dataclass(frozen=True)
class ChoiceRow:
    label: str
    chosen: bool
    shares: tuple[float | None, ...]  # one per group; None where the group is withheld


@dataclass(frozen=True)
class OwnChoices:
    label: str
    rows: tuple[ChoiceRow, ...]


@dataclass(frozen=True)
class OwnNumber:
    label: str
    value: str
    band: str  # "" where the country's group is too small to place it


@dataclass(frozen=True)
class OwnResults:
    groups: tuple[Group, ...]
    choices: tuple[OwnChoices, ...]
    numbers: tuple[OwnNumber, ...]


def _group(label: str, heading: str, responses: int) -> Group:
    return Group(label, heading, responses, small_group_note(responses, label) if is_small_group(responses) else "")


def _choices(tallies: list[QuestionTally | None], groups: tuple[Group, ...], value) -> OwnChoices | None:
    country = tallies[0]
    chosen = set(value if isinstance(value, list | tuple) else [value])
    rows = []
    for choice in country.choices:
        shares = []
        for tally, group in zip(tallies, groups, strict=True):
            shares.append(None if group.withheld or tally is None else tally.choice(choice.code).share)
        rows.append(ChoiceRow(choice.label, choice.code in chosen, tuple(shares)))
    return OwnChoices(country.label, tuple(rows))


def number_band(kind: str, *, lower: int, higher: int, answered: int) -> str:
    """Return where a number stands among *answered* numbers, *lower* below and *higher* above it."""
    if is_small_group(answered) or not answered:
        return ""
    year = kind == QuestionKind.YEAR
    if higher / answered < QUARTER:
        return _("among the 25 % latest") if year else _("among the 25 % highest")
    if lower / answered < QUARTER:
        return _("among the 25 % earliest") if year else _("among the 25 % lowest")
    return _("in the middle half")


def _numbers(round_, questions, answers) -> tuple[OwnNumber, ...]:
    numbers = [
        question
        for question in questions
        if question.kind in NUMBER_KINDS and question.code not in PERSONAL_QUESTIONS and answers.get(question.code)
    ]
    if not numbers:
        return ()
    # One query for every number question: how many of the country's numbers lie below and above the library's.
    aggregates = {}
    for question in numbers:
        value, mine = answers[question.code], Q(question_id=question.id, number__isnull=False)
        aggregates[f"lower_{question.id}"] = Count("id", filter=mine & Q(number__lt=value))
        aggregates[f"higher_{question.id}"] = Count("id", filter=mine & Q(number__gt=value))
        aggregates[f"answered_{question.id}"] = Count("id", filter=mine)
    counts = counted_answers(round_, NO_FILTERS).aggregate(**aggregates)
    return tuple(
        OwnNumber(
            question.label,
            answer_texts(question, answers[question.code])[0],
            number_band(
                question.kind,
                lower=counts[f"lower_{question.id}"],
                higher=counts[f"higher_{question.id}"],
                answered=counts[f"answered_{question.id}"],
            ),
        )
        for question in numbers
    )


def own_results(invitation: Invitation, questions, answers: dict) -> OwnResults:
    """Return the library's answers beside the country's, its region's and its model's, in a fixed number of queries."""
    round_ = invitation.round
    region = invitation.library.municipality.region
    model = answers.get(PRIMARY_MODEL)
    with snapshot():
        country = round_results(round_, NO_FILTERS, with_map=False, questions=questions)
        regional = round_results(round_, Filters(region=region), with_map=False, questions=questions)
        # The libraries that named the same primary model: the comparison that means most to this one.
        same = (
            round_results(round_, Filters(primary_model=model), with_map=False, questions=questions) if model else None
        )
        numbers = _numbers(round_, questions, answers)
    groups = [
        _group(_("the whole country"), _("Whole country"), country.headline.responses),
        _group(str(regional.filters.region_label), _("Your region"), regional.headline.responses),
    ]
    tallies = [country, regional]
    if same is not None:
        heading = model_heading(country.question(PRIMARY_MODEL).choice(model).label)[0]
        groups.append(_group(heading, _("Your model"), same.headline.responses))
        tallies.append(same)
    groups = tuple(groups)
    choices = []
    for tally in country.questions:
        value = answers.get(tally.code)
        if tally.code in PERSONAL_QUESTIONS or value in (None, "", []):
            continue
        choices.append(_choices([results.question(tally.code) for results in tallies], groups, value))
    return OwnResults(groups, tuple(choices), numbers)


def _invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("round", "library__municipality", "response")
        .filter(token=token, is_test=False)
        .first()
    )


@require_GET
@never_cache
def library_results(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation is None:
        return unknown_link(request)
    round_ = invitation.round
    if not round_.results_are_public():
        return render(request, "results/public_not_yet.html", {"round": round_}, status=404)
    response = getattr(invitation, "response", None)
    submitted = response is not None and response.is_submitted
    round_.questionnaire = questionnaire_version(round_.questionnaire_id)
    questions = [
        question for section in questionnaire_sections(round_.questionnaire) for question in section.questions.all()
    ]
    answers = response_answers(response) if submitted else {}
    results = own_results(invitation, questions, answers) if submitted else None
    return render(
        request,
        "results/own.html",
        {"invitation": invitation, "round": round_, "results": results, "submitted": submitted, "source": SOURCE},
    )


@require_GET
@never_cache
def answers_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The library's answers as a PDF, as they stand (submitted or not), with the round, the date and the source."""
    from weasyprint import HTML  # only the PDFs need WeasyPrint and Pango

    invitation = _invitation(token)
    if invitation is None:
        return unknown_link(request)
    round_ = invitation.round
    round_.questionnaire = questionnaire_version(round_.questionnaire_id)
    sections = questionnaire_sections(round_.questionnaire)
    response = getattr(invitation, "response", None)
    html = render_to_string(
        "results/own_answers_pdf.html",
        {
            "invitation": invitation,
            "round": round_,
            "response": response,
            "summary": answer_summary(sections, response_answers(response)),
            "printed": timezone.localtime(),
            "source": SOURCE,
        },
    )
    pdf = HTML(
        string=html, base_url=f"{STATIC_ORIGIN}{settings.STATIC_URL}", url_fetcher=static_files_only()
    ).write_pdf()
    reply = HttpResponse(pdf, content_type=PDF)
    reply["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"borgerservice-{round_.slug}-svar.pdf"
    )
    reply["Content-Security-Policy"] = "default-src 'none'"
    return reply
