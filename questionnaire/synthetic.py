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

from .models import (
    Answer,
    Invitation,
    Library,
    LibraryKind,
    Municipality,
    QuestionKind,
    Response,
    ResponseStatus,
    Round,
    new_token,
)
from .sample import sample_answers
from .services import questionnaire_sections

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
    questions = {q.code: q for s in sections for q in s.questions.all()}
    choice_ids = {(q.code, c.code): c.pk for q in questions.values() for c in q.choices.all()}
    municipalities = list(Municipality.objects.order_by("code"))
    start = Library.objects.filter(synthetic=True).count()
    opened = round.opens_at
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
            moments = [opened + timedelta(minutes=rng.randint(0, 60 * 24 * 30)) for _ in invitations]
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
            rows = (
                row
                for response in responses
                for row in _answer_rows(response.pk, sample_answers(sections, rng), questions, choice_ids)
            )
            _insert_answers(rows)
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


def _answer_rows(response_id, answers, questions, choice_ids):
    """Yield (response_id, question_id, choice_id, text, number) for one response's answers."""
    for code, value in answers.items():
        question = questions[code]
        if isinstance(value, list):
            for choice in value:
                yield response_id, question.pk, choice_ids[code, choice], "", None
        elif question.has_choices:
            yield response_id, question.pk, choice_ids[code, value], "", None
        elif question.kind in (QuestionKind.INTEGER, QuestionKind.YEAR):
            yield response_id, question.pk, None, "", value
        else:
            yield response_id, question.pk, None, value, None


def _insert_answers(rows):
    if connection.vendor == "postgresql":
        table = Answer._meta.db_table
        copy_sql = f"COPY {table} (response_id, question_id, choice_id, text, number) FROM STDIN"
        # COPY is an order of magnitude faster than INSERT for millions of rows.
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    Answer.objects.bulk_create(
        (Answer(response_id=r, question_id=q, choice_id=c, text=t, number=n) for r, q, c, t, n in rows),
        batch_size=2_000,
    )
