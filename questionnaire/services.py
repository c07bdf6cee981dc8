"""Business rules that write: opening rounds, inviting libraries, saving and submitting answers.

Each function that touches several rows runs in one transaction, so a request that
fails half-way (the database going away, two tabs at once) leaves nothing half-saved.
"""

import csv
import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
    Questionnaire,
    Response,
    ResponseChange,
    ResponseChangeKind,
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
    """Return the sections with their questions and choices, loaded once per process.

    A questionnaire version never changes once installed (a changed definition is a
    new version), so every page can share one copy instead of three queries each.
    """
    return list(_version_sections(questionnaire.pk, questionnaire.content_hash))


@functools.lru_cache(maxsize=16)
def _version_sections(questionnaire_id: int, content_hash: str) -> tuple[Section, ...]:
    # The hash is part of the key so that a reused id can never return other content.
    return tuple(Section.objects.filter(questionnaire_id=questionnaire_id).prefetch_related("questions__choices"))


@functools.lru_cache(maxsize=16)
def questionnaire_version(questionnaire_id: int) -> Questionnaire:
    """Return the questionnaire version *questionnaire_id*, loaded once per process.

    Versions are never altered and their ids never reused, so the respondent's pages
    take the version from here instead of joining its long texts into every query.
    """
    return Questionnaire.objects.get(pk=questionnaire_id)


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


def answer_texts(question, value) -> list[str]:
    """Return *value* as people read it: choice labels rather than codes, amounts with
    thousands separators; an empty list when unanswered."""
    if not is_answered(value):
        return []
    if question.has_choices:
        labels = {choice.code: choice.label for choice in question.choices.all()}
        return [labels.get(code, code) for code in (value if isinstance(value, list | tuple) else [value])]
    if question.kind == QuestionKind.INTEGER:
        return [number_format(value, force_grouping=True)]
    return [str(value)]


def answer_summary(sections, answers, missing=()) -> list[tuple[Section, list[SummaryRow]]]:
    """Return the shown sections with their shown questions and answers as display texts.

    The respondent's review page, the receipt and the admin all show answers this way.
    """
    shown = visible_answers(sections, answers)
    missing_codes = {question.code for question in missing}
    summary = []
    for section in visible_sections(sections, answers):
        rows = []
        for question in section.questions.all():
            if not condition_met(question.show_if, shown):
                continue
            values = answer_texts(question, shown.get(question.code))
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


# --- Work by DB staff: answers on a library's behalf, reopening, anonymising ---------

# The contact person's details: personal data, removed when a closed round is anonymised.
PERSONAL_QUESTION_CODES = ("respondent_name", "respondent_title", "respondent_email", "respondent_phone")


def answer_display(question, value) -> str:
    """Return *value* as one line for the change history, "" when unanswered."""
    return "; ".join(answer_texts(question, value))


def _normalised(question, value):
    if not is_answered(value):
        return None
    if question.kind == QuestionKind.MULTI:
        return sorted(value)
    return value


def _response_not_anonymised(response: Response) -> None:
    if response.invitation.round.personal_data_removed_at is not None:
        raise ValidationError(
            _("The personal data of this round have been removed; its responses can no longer change."),
            code="anonymised",
        )


def response_for_staff(*, invitation: Invitation) -> Response:
    """Return the response to *invitation*, starting an empty one for staff to fill in."""
    response, _created = Response.objects.get_or_create(invitation=invitation)
    return response


@transaction.atomic
def staff_section_save(*, response: Response, section: Section, values: dict, user, reason: str = "") -> list:
    """Save *values* ({code: value}) for *section* on the library's behalf; return the changes.

    One ResponseChange row is kept per question whose answer changed, with the old
    and the new value as display text. On a submitted response the result must
    still be complete: a change that makes an unanswered required question appear
    raises IncompleteResponse, and answers that a change hides are removed (and
    recorded), as on submitting.
    """
    response = Response.objects.select_for_update().select_related("invitation__round").get(pk=response.pk)
    _response_not_anonymised(response)
    questions = list(section.questions.all())
    old = response_answers(response)
    new = {**old, **{question.code: values.get(question.code) for question in questions}}
    changed = [q for q in questions if _normalised(q, old.get(q.code)) != _normalised(q, new.get(q.code))]

    if response.is_submitted:
        sections = questionnaire_sections(section.questionnaire)
        missing = missing_answers(sections, new)
        if missing:
            raise IncompleteResponse(missing)
        hidden = set(new) - set(visible_answers(sections, new))
        questions_by_code = {q.code: q for s in sections for q in s.questions.all()}
        for code in hidden:
            new[code] = None
            question = questions_by_code[code]
            if is_answered(old.get(code)) and question not in changed:
                changed.append(question)

    if not changed:
        return []
    Answer.objects.filter(response=response, question__in=changed).delete()
    rows = []
    for question in changed:
        rows += _answer_rows(response, question, new.get(question.code))
    Answer.objects.bulk_create(rows)
    now = timezone.now()
    changes = ResponseChange.objects.bulk_create(
        ResponseChange(
            response=response,
            kind=ResponseChangeKind.ANSWER,
            question=question,
            old_value=answer_display(question, old.get(question.code)),
            new_value=answer_display(question, new.get(question.code)),
            reason=reason,
            changed_by=user,
            changed_at=now,
        )
        for question in changed
    )
    response.last_saved_at = now
    response.save(update_fields=["last_saved_at"])
    return changes


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    return reason


@transaction.atomic
def response_reopen(*, response: Response, user, reason: str) -> Response:
    """Set a submitted response back to draft, so the library can change it via its link again."""
    reason = _reason_required(reason)
    response = Response.objects.select_for_update().select_related("invitation__round").get(pk=response.pk)
    _response_not_anonymised(response)
    if not response.is_submitted:
        raise ValidationError(_("Only a submitted response can be reopened."), code="not_submitted")
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
    response.save(update_fields=["status", "submitted_at"])
    ResponseChange.objects.create(response=response, kind=ResponseChangeKind.REOPENED, reason=reason, changed_by=user)
    return response


@transaction.atomic
def response_submit_by_staff(*, response: Response, user, reason: str = "") -> Response:
    """Submit a draft on the library's behalf (say, after a telephone interview), and record it.

    Raise IncompleteResponse if a shown, required question is unanswered.
    """
    _response_not_anonymised(response)
    if response.is_submitted:
        return response
    invitation = response.invitation
    submitted = response_submit(invitation=invitation, sections=questionnaire_sections(invitation.round.questionnaire))
    ResponseChange.objects.create(
        response=submitted, kind=ResponseChangeKind.SUBMITTED, reason=reason.strip(), changed_by=user
    )
    return submitted


@transaction.atomic
def round_anonymise(*, round: Round) -> int:
    """Remove the contact persons' details from every response of a closed round; return how many answers went.

    The other answers, and so every tally, stay as they are. The change history
    loses the old and new values of those questions too. Raise ValidationError if
    the round has not closed yet.
    """
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if not round_.has_closed():
        raise ValidationError(
            _("The round %(round)s has not closed yet; its personal data are still needed."),
            code="round_open",
            params={"round": round_.title},
        )
    personal = Q(question__code__in=PERSONAL_QUESTION_CODES)
    removed, _counts = Answer.objects.filter(personal, response__invitation__round=round_).delete()
    ResponseChange.objects.filter(personal, response__invitation__round=round_).update(old_value="", new_value="")
    if round_.personal_data_removed_at is None:
        round_.personal_data_removed_at = timezone.now()
        round_.save(update_fields=["personal_data_removed_at"])
    round.personal_data_removed_at = round_.personal_data_removed_at
    return removed


def due_rounds_anonymise(moment=None) -> list[tuple[Round, int]]:
    """Anonymise every round closed longer than PERSONAL_DATA_RETENTION_DAYS ago; return (round, answers removed).

    Run daily (``manage.py anonymise_round --due``), it keeps the privacy promise
    without anyone having to remember it.
    """
    due = Round.objects.personal_data_due(moment or timezone.now()).order_by("closes_at")
    return [(round_, round_anonymise(round=round_)) for round_ in due]
