"""Business rules that write: opening rounds, inviting libraries, saving and submitting answers.

Each function that touches several rows runs in one transaction, so a request that
fails half-way (the database going away, two tabs at once) leaves nothing half-saved.
"""

import csv
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .conditions import condition_met, is_answered, visible_answers, visible_sections
from .definition import install_default
from .models import (
    Answer,
    Invitation,
    Library,
    LibraryKind,
    Municipality,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Round,
    Section,
)


class ResponseAlreadySubmitted(Exception):
    """The response was submitted; answers can no longer change through the link."""


@dataclass(frozen=True)
class IncompleteResponse(Exception):
    """Required questions are unanswered; *missing* holds them in questionnaire order."""

    missing: list


# --- The questionnaire's structure ----------------------------------------------


def questionnaire_sections(questionnaire) -> list[Section]:
    """Return the sections with their questions and choices, in three queries whatever their number."""
    return list(questionnaire.sections.prefetch_related("questions__choices"))


# --- The register of libraries ---------------------------------------------------


def default_register_load() -> int:
    """Give every municipality without a main library one; return how many were made.

    DB staff correct names, add e-mails, branches and mobile libraries afterwards.
    """
    without_main = Municipality.objects.exclude(libraries__kind=LibraryKind.MAIN)
    libraries = [
        Library(
            name=_("%(municipality)s Libraries") % {"municipality": municipality.name},
            kind=LibraryKind.MAIN,
            municipality=municipality,
        )
        for municipality in without_main
    ]
    Library.objects.bulk_create(libraries)
    return len(libraries)


# --- Rounds and invitations -------------------------------------------------------


def round_open(*, slug: str, title: str | None = None, closes_at=None) -> tuple[Round, bool]:
    """Return the round *slug*, opening it on the current questionnaire if it does not exist yet."""
    existing = Round.objects.filter(slug=slug).first()
    if existing:
        changed = []
        if title and existing.title != title:
            existing.title = title
            changed.append("title")
        if closes_at and existing.closes_at != closes_at:
            existing.closes_at = closes_at
            changed.append("closes_at")
        if changed:
            existing.save(update_fields=changed)
        return existing, False
    questionnaire = install_default()
    round_ = Round.objects.create(
        slug=slug, title=title or questionnaire.title, questionnaire=questionnaire, closes_at=closes_at
    )
    return round_, True


def invitations_create(*, round: Round) -> list[Invitation]:
    """Invite every active library not yet invited to *round*; return the new invitations."""
    invited = Invitation.objects.filter(round=round).values("library_id")
    libraries = Library.objects.active().exclude(pk__in=invited)
    invitations = [Invitation(round=round, library=library) for library in libraries]
    # ignore_conflicts: an invitation made meanwhile by another run is simply kept.
    Invitation.objects.bulk_create(invitations, ignore_conflicts=True)
    return invitations


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + invitation.get_absolute_url()


LINK_COLUMNS = ("bibliotek", "type", "kommune", "kommunekode", "email", "link")


def invitation_links_write(*, round: Round, handle) -> int:
    """Write one CSV row per invitation of *round* (for mail merge); return the number of rows."""
    writer = csv.writer(handle)
    writer.writerow(LINK_COLUMNS)
    invitations = round.invitations.select_related("library__municipality").order_by(
        "library__municipality__code", "library__name"
    )
    count = 0
    for invitation in invitations:
        library = invitation.library
        writer.writerow(
            (
                library.name,
                library.kind,
                library.municipality.name,
                library.municipality.code,
                library.email,
                invitation_url(invitation),
            )
        )
        count += 1
    return count


def invitation_mark_opened(invitation: Invitation) -> None:
    if invitation.first_opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(first_opened_at=now)
        invitation.first_opened_at = now


# --- Answers -----------------------------------------------------------------------


def response_answers(response: Response | None) -> dict:
    """Return the stored answers as {question code: value}, in one query.

    Values: a choice code (single), a list of choice codes (multi), a string or an int.
    """
    if response is None:
        return {}
    answers = {}
    rows = response.answers.order_by("question__position", "choice__position").values_list(
        "question__code", "question__kind", "choice__code", "text", "number"
    )
    for code, kind, choice, text, number in rows:
        if kind == QuestionKind.MULTI:
            answers.setdefault(code, []).append(choice)
        elif kind == QuestionKind.SINGLE:
            answers[code] = choice
        elif kind in (QuestionKind.INTEGER, QuestionKind.YEAR):
            answers[code] = number
        else:
            answers[code] = text
    return answers


def _answer_rows(response, question, value):
    if not is_answered(value):
        return []
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        choices = {choice.code: choice for choice in question.choices.all()}
        codes = value if isinstance(value, list | tuple) else [value]
        return [Answer(response=response, question=question, choice=choices[code]) for code in codes]
    if question.kind in (QuestionKind.INTEGER, QuestionKind.YEAR):
        return [Answer(response=response, question=question, number=value)]
    return [Answer(response=response, question=question, text=value)]


def _locked_response(invitation: Invitation) -> Response:
    # The row lock serialises saves of one response: two tabs saving at once each
    # replace only their own section, one after the other.
    response, _ = Response.objects.select_for_update().get_or_create(invitation=invitation)
    return response


@transaction.atomic
def section_save(*, invitation: Invitation, section: Section, values: dict, resume_section: str = "") -> Response:
    """Replace the answers to *section*'s questions with *values* ({code: value}).

    Questions missing from *values* are saved as unanswered. Raise
    ResponseAlreadySubmitted if the response has been submitted.
    """
    response = _locked_response(invitation)
    if response.is_submitted:
        raise ResponseAlreadySubmitted
    questions = list(section.questions.all())
    Answer.objects.filter(response=response, question__in=questions).delete()
    rows = []
    for question in questions:
        rows += _answer_rows(response, question, values.get(question.code))
    Answer.objects.bulk_create(rows)
    response.last_saved_at = timezone.now()
    response.resume_section = resume_section
    response.save(update_fields=["last_saved_at", "resume_section"])
    return response


def missing_answers(sections, answers) -> list:
    """Return the shown, required questions that have no answer, in questionnaire order."""
    shown = visible_answers(sections, answers)
    missing = []
    for section in visible_sections(sections, answers):
        missing += [
            question
            for question in section.questions.all()
            if question.required
            and condition_met(question.show_if, shown)
            and not is_answered(shown.get(question.code))
        ]
    return missing


@dataclass
class SummaryRow:
    question: Question
    values: list[str]  # display texts, in questionnaire order; empty when unanswered
    missing: bool


def answer_summary(sections, answers, missing=()) -> list[tuple[Section, list[SummaryRow]]]:
    """Return the shown sections with their shown questions and answers as display texts.

    Choice codes become their labels and amounts get thousands separators; the
    respondent's review page, the receipt and the admin all show answers this way.
    """
    shown = visible_answers(sections, answers)
    missing_codes = {question.code for question in missing}
    summary = []
    for section in visible_sections(sections, answers):
        rows = []
        for question in section.questions.all():
            if not condition_met(question.show_if, shown):
                continue
            value = shown.get(question.code)
            labels = {choice.code: choice.label for choice in question.choices.all()}
            if not is_answered(value):
                values = []
            elif question.has_choices:
                values = [labels[code] for code in (value if isinstance(value, list) else [value])]
            elif question.kind == QuestionKind.INTEGER:
                values = [number_format(value, force_grouping=True)]
            else:
                values = [str(value)]
            rows.append(SummaryRow(question, values, question.code in missing_codes))
        summary.append((section, rows))
    return summary


@transaction.atomic
def response_submit(*, invitation: Invitation, sections) -> Response:
    """Submit the response to *invitation*; submitting twice changes nothing.

    Answers to questions that are not shown (say, the model sections of a library
    that has not started) are removed, so that they are never counted. Raise
    IncompleteResponse if a shown, required question is unanswered.
    """
    response = _locked_response(invitation)
    if response.is_submitted:
        return response
    answers = response_answers(response)
    missing = missing_answers(sections, answers)
    if missing:
        raise IncompleteResponse(missing)
    hidden = set(answers) - set(visible_answers(sections, answers))
    if hidden:
        Answer.objects.filter(response=response, question__code__in=hidden).delete()
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.resume_section = ""
    response.save(update_fields=["status", "submitted_at", "resume_section"])
    return response
