"""DB staff's changes to a response: answers on a library's behalf, reopening, submitting for it.

Every change is kept as a ResponseChange row: who, when, what and why.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conditions import is_answered
from ..mail.outbox import reopened_enqueue
from ..models import Invitation, QuestionKind, Response, ResponseChange, ResponseChangeKind, ResponseStatus, Section
from .answers import answers_replace, response_answers
from .questionnaire import questionnaire_sections, section_questions
from .responses import IncompleteResponse, hidden_answers, missing_answers, response_submit
from .summary import answer_display


def _normalised(question, value):
    if not is_answered(value):
        return None
    if question.kind == QuestionKind.MULTI:
        return sorted(set(value))
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
        questions_by_code = {q.code: q for q in section_questions(sections)}
        for code in hidden_answers(sections, new):
            new[code] = None
            question = questions_by_code[code]
            if is_answered(old.get(code)) and question not in changed:
                changed.append(question)

    if not changed:
        return []
    answers_replace(response=response, questions=changed, values=new)
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
    """Set a submitted response back to draft, so the library can change it via its link again.

    The library and whoever answered are told by mail, with the reason; the mail is queued
    in this transaction, so a reopened response always has its mail on the way.
    """
    reason = _reason_required(reason)
    response = Response.objects.select_for_update().select_related("invitation__round").get(pk=response.pk)
    _response_not_anonymised(response)
    if not response.is_submitted:
        raise ValidationError(_("Only a submitted response can be reopened."), code="not_submitted")
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
    response.save(update_fields=["status", "submitted_at"])
    ResponseChange.objects.create(response=response, kind=ResponseChangeKind.REOPENED, reason=reason, changed_by=user)
    reopened_enqueue(invitation=response.invitation)
    return response


@transaction.atomic
def response_submit_by_staff(*, response: Response, user, reason: str) -> Response:
    """Submit a draft on the library's behalf (say, after a telephone interview), and record it with *reason*.

    Raise IncompleteResponse if a shown, required question is unanswered.
    """
    reason = _reason_required(reason)
    _response_not_anonymised(response)
    if response.is_submitted:
        return response
    invitation = response.invitation
    submitted = response_submit(invitation=invitation, sections=questionnaire_sections(invitation.round.questionnaire))
    ResponseChange.objects.create(response=submitted, kind=ResponseChangeKind.SUBMITTED, reason=reason, changed_by=user)
    return submitted
