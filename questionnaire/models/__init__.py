"""The questionnaire app's models, one module per subject, all importable from here.

``from questionnaire.models import X`` is the one way to reach them; migrations name
``questionnaire.models.new_token`` and ``questionnaire.models.validate_reminder_days``, so the
helpers they name are re-exported too. The modules are imported in the order of their
dependencies: the register and the questionnaire below, rounds on them, responses on rounds,
mail and interviews on top.

Codes (question, choice, section, municipality) are the identity of data: they name form
fields, export columns and tally rows. Database ids are not.
"""

# Imported in the order the models were once written in one module, not sorted: Django registers
# models (and so creates their content types and permissions) in import order.
# isort: off
from .register import Library, LibraryKind, LibraryQuerySet, Municipality, Region
from .questionnaire import (
    CHOICE_KINDS,
    FREE_TEXT_KINDS,
    NUMBER_KINDS,
    SAME_ANSWER_KINDS,
    TEXT_KINDS,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
)
from .rounds import (
    MAIL_HELP,
    Round,
    RoundQuerySet,
    personal_data_retention,
    reminder_day_list,
    validate_reminder_days,
)
from .responses import (
    Answer,
    Invitation,
    InvitationQuerySet,
    PersonalQuerySet,
    Response,
    ResponseChange,
    ResponseChangeKind,
    ResponseQuerySet,
    ResponseStatus,
    new_token,
)
from .mail import MAIL_PENDING, Mail, MailBatch, MailKind, MailStatus
from .interviews import CaseStory, Interview, InterviewQuote, QuoteConsent
# isort: on

__all__ = [
    "CHOICE_KINDS",
    "FREE_TEXT_KINDS",
    "NUMBER_KINDS",
    "SAME_ANSWER_KINDS",
    "TEXT_KINDS",
    "MAIL_HELP",
    "MAIL_PENDING",
    "Answer",
    "CaseStory",
    "Choice",
    "Interview",
    "InterviewQuote",
    "Invitation",
    "InvitationQuerySet",
    "Library",
    "LibraryKind",
    "LibraryQuerySet",
    "Mail",
    "MailBatch",
    "MailKind",
    "MailStatus",
    "Municipality",
    "PersonalQuerySet",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuoteConsent",
    "Region",
    "Response",
    "ResponseChange",
    "ResponseChangeKind",
    "ResponseQuerySet",
    "ResponseStatus",
    "Round",
    "RoundQuerySet",
    "Section",
    "new_token",
    "personal_data_retention",
    "reminder_day_list",
    "validate_reminder_days",
]
