"""Opening a round and inviting libraries: the invitations and their personal links."""

import csv
import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Invitation, Library, Round
from ..spreadsheets import csv_row
from .definition import install_default


def closing_time(day: datetime.date) -> datetime.datetime:
    """Return the last second of *day* in Denmark: a round closes at the end of its last day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


@transaction.atomic
def round_open(*, slug: str, title: str | None = None, closes_at=None) -> tuple[Round, bool]:
    """Return the round *slug*, opening it on the current questionnaire if it does not exist yet.

    Raise ValidationError, changing nothing, when the round would break a rule of Round (its
    full_clean: e.g. a deadline before it opens).
    """
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
            existing.full_clean()
            existing.save(update_fields=changed)
        return existing, False
    questionnaire = install_default()
    round_ = Round(slug=slug, title=title or questionnaire.title, questionnaire=questionnaire, closes_at=closes_at)
    round_.full_clean()
    round_.save()
    return round_, True


def invitations_create(*, round: Round) -> list[Invitation]:
    """Invite every active library not yet invited to *round*; return the new invitations."""
    invited = Invitation.objects.real().filter(round=round).values("library_id")
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
        # Names typed by people reach mail merge in Excel: text, never formulas.
        writer.writerow(
            csv_row(
                (
                    library.name,
                    library.kind,
                    library.municipality.name,
                    library.municipality.code,
                    library.email,
                    invitation_url(invitation),
                )
            )
        )
        count += 1
    return count


def invitation_mark_opened(invitation: Invitation) -> None:
    if invitation.first_opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(first_opened_at=now)
        invitation.first_opened_at = now
