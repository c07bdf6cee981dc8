"""Removing the contact persons' details once a round has closed, as the landing page promises."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Interview, InterviewQuote, Mail, MailKind, ResponseChange, Round
from .quote_consent import named_q


def holds_personal_data():
    """Return an expression for a Round queryset: whether the round still holds contact persons' details."""
    answers = Answer.objects.personal().filter(response__invitation__round=OuterRef("pk"))
    history = (
        ResponseChange.objects.personal()
        .filter(response__invitation__round=OuterRef("pk"))
        .exclude(old_value="", new_value="")
    )
    return Exists(answers) | Exists(history) | Exists(_unnamed_interviewees().filter(round=OuterRef("pk")))


def _unnamed_interviewees():
    """Return the interviews that still name a person none of whose quotes may be published with the name."""
    named = InterviewQuote.objects.filter(named_q(), interview=OuterRef("pk"))
    return Interview.objects.exclude(name="", title="").exclude(Exists(named))


def round_anonymise_check(*, round: Round) -> None:
    """Raise ValidationError if *round* has not closed yet: its personal data are still needed."""
    if not round.has_closed():
        raise ValidationError(
            _("The round %(round)s has not closed yet; its personal data are still needed."),
            code="round_open",
            params={"round": round.title},
        )


@transaction.atomic
def round_anonymise(*, round: Round) -> int:
    """Remove the contact persons' details from every response of a closed round; return how many answers went.

    Interviewees' names and titles go too, unless one of their quotes may be published
    with them (consent named). The other answers, and so every tally, stay as they are. The change history
    loses the old and new values of those questions too. Raise ValidationError if
    the round has not closed yet.
    """
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    round_anonymise_check(round=round_)
    removed, _counts = Answer.objects.personal().filter(response__invitation__round=round_).delete()
    ResponseChange.objects.personal().filter(response__invitation__round=round_).update(old_value="", new_value="")
    # Interviewees keep their name and title only where a quote may be published with them.
    _unnamed_interviewees().filter(round=round_).update(name="", title="")
    # A refused receipt's server answer may name the contact person's address.
    Mail.objects.filter(invitation__round=round_, kind=MailKind.RECEIPT).exclude(error="").update(error="")
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
