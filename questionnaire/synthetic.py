"""Fill a round of its own with many realistic, submitted responses, fast.

For benchmarks and load tests. Every response comes from a synthetic library
(marked ``synthetic``, inactive and without e-mail, so it is never invited to nor
mailed in a real round), spread over the 98 municipalities. Rows go in with bulk
inserts, the answers on PostgreSQL with COPY, in chunks, so that memory stays flat
and 100 000 responses take minutes.
"""

import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .models import (
    Answer,
    Invitation,
    Library,
    LibraryKind,
    Municipality,
    Response,
    ResponseStatus,
    Round,
    new_token,
)
from .sample import sample_answers
from .services.answers import answers_insert
from .services.questionnaire import questionnaire_sections, section_questions

CHUNK = 5_000
KINDS = [LibraryKind.MAIN] + [LibraryKind.BRANCH] * 4 + [LibraryKind.MOBILE]


class RoundNotForSyntheticData(Exception):
    """The round has real invitations or answers; made-up answers must not mix with them."""


def responses_generate(*, round: Round, count: int, seed: int = 2009, progress=None) -> int:
    """Add *count* submitted responses from synthetic libraries to *round*; return how many.

    Raise RoundNotForSyntheticData unless the round holds nothing but synthetic data.
    """
    if round.invitations.filter(library__synthetic=False).exists():
        raise RoundNotForSyntheticData
    rng = random.Random(seed)
    sections = questionnaire_sections(round.questionnaire)
    questions = {question.code: question for question in section_questions(sections)}
    municipalities = list(Municipality.objects.order_by("code"))
    start = Library.objects.filter(synthetic=True).count()
    # Submitted during the 30 days before now (or before the round closed): never in the future.
    until = min(timezone.now(), round.closes_at) if round.closes_at else timezone.now()
    since = until - timedelta(days=30)
    made = 0
    while made < count:
        size = min(CHUNK, count - made)
        with transaction.atomic():
            libraries = Library.objects.bulk_create(
                Library(
                    name=f"Syntetisk bibliotek {start + made + i + 1:06d}",
                    kind=rng.choice(KINDS),
                    municipality=municipalities[(start + made + i) % len(municipalities)],
                    active=False,
                    synthetic=True,
                )
                for i in range(size)
            )
            invitations = Invitation.objects.bulk_create(
                Invitation(round=round, library=library, token=new_token()) for library in libraries
            )
            moments = [since + timedelta(minutes=rng.randint(0, 60 * 24 * 30)) for _ in invitations]
            responses = Response.objects.bulk_create(
                Response(
                    invitation=invitation,
                    status=ResponseStatus.SUBMITTED,
                    started_at=moment - timedelta(minutes=20),
                    last_saved_at=moment,
                    submitted_at=moment,
                )
                for invitation, moment in zip(invitations, moments, strict=True)
            )
            answers_insert(
                (response.pk, questions[code], value)
                for response in responses
                for code, value in sample_answers(sections, rng).items()
            )
        made += size
        if progress:
            progress(made)
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk load, or the planner guesses one row where there are
        # 100 000 and picks nested loops (the tallies ran 2.5x slower before this).
        with connection.cursor() as cursor:
            for model in (Library, Invitation, Response, Answer):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return made
