"""Who is due a mail: an invitation once, a reminder at most once per interval, never after submitting.

A library without an e-mail address gets no mail; one that has submitted (its link went out
another way, or staff entered its answers) is neither invited nor reminded.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import ResponseStatus, Round


def invitations_to_send(round: Round) -> QuerySet:
    """Return the invitations of *round* whose library has an e-mail and has not been sent the invitation.

    A library that has already submitted (its link went out another way, or staff
    entered its answers) is not invited again.
    """
    return (
        round.invitations.real()
        .filter(sent_at__isnull=True)
        .exclude(library__email="")
        .exclude(response__status=ResponseStatus.SUBMITTED)
    )


def invitations_without_email(round: Round) -> QuerySet:
    return round.invitations.real().filter(library__email="")


def _reminder_due(now) -> Q:
    # The invitation counts as a mail too: a library is never written to twice within the interval.
    since = now - timedelta(days=settings.REMINDER_INTERVAL_DAYS)
    return (
        Q(sent_at__lte=since)
        & (Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=since))
        & ~Q(library__email="")
    )


def reminders_to_send(round: Round, now=None) -> QuerySet:
    """Return the invitations of *round* that are due a reminder now.

    Due: invited by mail, not submitted, and neither invited nor reminded within
    the last ``REMINDER_INTERVAL_DAYS`` days.
    """
    now = now or timezone.now()
    return round.invitations.real().filter(_reminder_due(now)).exclude(response__status=ResponseStatus.SUBMITTED)


def scheduled_reminders_to_send(round: Round, since: datetime) -> QuerySet:
    """Return the invitations of *round* due the reminder of a reminder day that began at *since*.

    The round's own reminder days set the pace, not ``REMINDER_INTERVAL_DAYS``: every library
    invited before that day and not written to since it began gets one, unless it has submitted.
    """
    return (
        round.invitations.filter(sent_at__lt=since)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=since))
        .exclude(library__email="")
        .exclude(response__status=ResponseStatus.SUBMITTED)
    )


def results_to_send(round: Round) -> QuerySet:
    """Return the invitations of *round* that hear when its results are published: every invited library."""
    return round.invitations.real()
