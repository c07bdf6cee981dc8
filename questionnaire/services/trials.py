"""Staff try a questionnaire as a library would, through a test link of their own.

A test link is an Invitation marked ``is_test`` and tied to the staff member who
asked for it (``tested_by``); it opens the library's own pages, unchanged, even
before the round opens. Its answers never count: the tallies, the overview, the
workbooks, the list of libraries that have not answered and the mail all leave
test invitations out, and ``trial_answers_remove`` deletes them in one go.

A version no round uses yet is tried through a hidden round of its own (``Round.is_test``),
one per version, which no list of rounds shows.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Invitation, Library, LibraryKind, Questionnaire, Round


def trial_round(questionnaire: Questionnaire) -> Round:
    """Return the hidden round through which *questionnaire* is tried, making it the first time."""
    round_, _created = Round.objects.get_or_create(
        slug=f"proeve-{questionnaire.code}-v{questionnaire.version}"[:50],
        defaults={"title": questionnaire.title, "questionnaire": questionnaire, "is_test": True},
    )
    return round_


def test_library() -> Library:
    """Return the library staff answer as: the first active main library by municipality code."""
    libraries = Library.objects.active().order_by("municipality__code", "name")
    library = libraries.filter(kind=LibraryKind.MAIN).first() or libraries.first()
    if library is None:
        raise ValidationError(_("The register has no active library to answer as; add one first."), code="no_library")
    return library


@transaction.atomic
def trial_invitation(*, round: Round, user, library: Library | None = None) -> Invitation:
    """Return *user*'s test link to *round*, as *library* (by default ``test_library()``), made the first time."""
    invitation, _created = Invitation.objects.get_or_create(
        round=round, library=library or test_library(), tested_by=user, is_test=True
    )
    return invitation


@transaction.atomic
def trial_answers_remove(*, rounds=None) -> int:
    """Remove the test links (and so their answers) of *rounds*, or of every round; return how many went.

    The hidden rounds of versions go too once they hold no test link.
    """
    tests = Invitation.objects.tests()
    if rounds is not None:
        tests = tests.filter(round__in=rounds)
    count = tests.count()
    tests.delete()
    Round.objects.filter(is_test=True, invitations__isnull=True).delete()
    return count
