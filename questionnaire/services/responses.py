"""What a library does through its personal link: save a section, submit the response."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..conditions import condition_met, is_answered, visible_answers, visible_sections
from ..mail.outbox import receipt_enqueue
from ..models import Invitation, Response, ResponseStatus, Section
from .answers import answers_remove, answers_replace, response_answers


class ResponseAlreadySubmitted(Exception):
    """The response was submitted; answers can no longer change through the link."""


# Not frozen: raising sets __traceback__ on the exception, and a generator context manager
# that it passes through sets it again, which a frozen dataclass refuses.
@dataclass
class IncompleteResponse(Exception):
    """Required questions are unanswered; *missing* holds them in questionnaire order."""

    missing: list


def locked_response(invitation: Invitation) -> Response:
    """Return the response to *invitation*, made if need be, locked until the transaction ends."""
    # The row lock serialises saves of one response: two tabs saving at once each
    # replace only their own section, one after the other.
    response, _created = Response.objects.select_for_update().get_or_create(invitation=invitation)
    return response


@transaction.atomic
def section_save(*, invitation: Invitation, section: Section, values: dict, resume_section: str = "") -> Response:
    """Replace the answers to *section*'s questions with *values* ({code: value}).

    Questions missing from *values* are saved as unanswered. Raise
    ResponseAlreadySubmitted if the response has been submitted.
    """
    response = locked_response(invitation)
    if response.is_submitted:
        raise ResponseAlreadySubmitted
    answers_replace(response=response, questions=list(section.questions.all()), values=values)
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


def hidden_answers(sections, answers) -> set[str]:
    """Return the codes of the answers in *answers* to questions that are not shown: they must not count."""
    return set(answers) - set(visible_answers(sections, answers))


@transaction.atomic
def response_submit(*, invitation: Invitation, sections, receipt: bool = False) -> Response:
    """Submit the response to *invitation*; submitting twice changes nothing.

    Answers to questions that are not shown (say, the model sections of a library
    that has not started) are removed, so that they are never counted. Raise
    IncompleteResponse if a shown, required question is unanswered.
    With *receipt* (the library submitting through its link), the copy of the answers is
    queued in the same transaction, and only by the call that submitted: of two submits
    at the same moment, one queues it. A test link mails nobody: neither the library nor
    the address typed in while trying.
    """
    response = locked_response(invitation)
    if response.is_submitted:
        return response
    answers = response_answers(response)
    missing = missing_answers(sections, answers)
    if missing:
        raise IncompleteResponse(missing)
    answers_remove(response=response, codes=hidden_answers(sections, answers))
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.resume_section = ""
    response.save(update_fields=["status", "submitted_at", "resume_section"])
    if receipt and not invitation.is_test:
        # Queued, not sent: the submit never waits on the mail server, and a submitted
        # response always has its receipt on the way.
        receipt_enqueue(invitation=invitation)
    return response
