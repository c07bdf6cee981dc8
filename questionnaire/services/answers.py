"""How an answer is stored and read back: the one module that writes and reads Answer rows.

An answer is known by its question's code and comes in one of four shapes: a choice
code (single choice), a list of choice codes (multiple choice), a string (text,
e-mail) or an int (whole number, year). Unanswered is None or absent. In the database
an answer is one Answer row per value, so a multiple-choice answer is a row per chosen
choice and tallies stay plain aggregate queries.

The respondent's pages, staff corrections, the generator of made-up responses, the
tallies, the workbook and the quotes all go through here.
"""

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from uuid import uuid4

from django.db import NotSupportedError, connection
from django.db.models import Expression, F, JSONField

from ..conditions import is_answered
from ..models import NUMBER_KINDS, Answer, Choice, Question, QuestionKind, Response

# What a stored answer is read back from: its question and choice by code, and its value.
READ_FIELDS = ("question__code", "question__kind", "choice__code", "text", "number")


# --- Writing ------------------------------------------------------------------------


def stored_values(question, value) -> list[tuple[int | None, str, int | None]]:
    """Return the (choice id, text, number) of each row that stores *value* for *question*; [] if unanswered.

    A choice given twice is stored once. Raise KeyError for a choice code the question lacks.
    """
    if not is_answered(value):
        return []
    if question.has_choices:
        codes = value if isinstance(value, list | tuple) else [value]
        return [(question.choice_by_code[code].pk, "", None) for code in dict.fromkeys(codes)]
    if question.kind in NUMBER_KINDS:
        return [(None, "", value)]
    return [(None, value, None)]


def answers_replace(*, response: Response, questions, values: dict) -> None:
    """Replace *response*'s answers to *questions* with *values* ({code: value}); a missing code is unanswered.

    Call inside a transaction that holds the response's row lock.
    """
    Answer.objects.filter(response=response, question__in=questions).delete()
    Answer.objects.bulk_create(
        Answer(response=response, question=question, choice_id=choice_id, text=text, number=number)
        for question in questions
        for choice_id, text, number in stored_values(question, values.get(question.code))
    )


def answers_remove(*, response: Response, codes: Iterable[str]) -> None:
    """Remove *response*'s answers to the questions *codes* (no query when there are none)."""
    codes = list(codes)
    if codes:
        Answer.objects.filter(response=response, question__code__in=codes).delete()


def answers_insert(rows: Iterable[tuple]) -> None:
    """Insert many answers at once: (response id, question, value) triples, as for a bulk load.

    On PostgreSQL with COPY, an order of magnitude faster than INSERT for millions of rows.
    """
    values = (
        (response_id, question.pk, *fields)
        for response_id, question, value in rows
        for fields in stored_values(question, value)
    )
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {Answer._meta.db_table} (response_id, question_id, choice_id, text, number) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in values:
                copy.write_row(row)
        return
    Answer.objects.bulk_create(
        (Answer(response_id=r, question_id=q, choice_id=c, text=t, number=n) for r, q, c, t, n in values),
        batch_size=2_000,
    )


# --- Reading ------------------------------------------------------------------------


def answers_from_rows(rows: Iterable[tuple]) -> dict:
    """Return {code: value} from one response's rows of READ_FIELDS."""
    answers = {}
    for code, kind, choice, text, number in rows:
        if kind == QuestionKind.MULTI:
            answers.setdefault(code, []).append(choice)
        elif kind == QuestionKind.SINGLE:
            answers[code] = choice
        elif kind in NUMBER_KINDS:
            answers[code] = number
        else:
            answers[code] = text
    return answers


def response_answers(response: Response | None) -> dict:
    """Return the stored answers of *response* as {code: value}, in one query; {} for no response.

    The choices of a multiple-choice answer come in questionnaire order.
    """
    if response is None:
        return {}
    rows = response.answers.order_by("question__position", "choice__position").values_list(*READ_FIELDS)
    return answers_from_rows(rows)


def answers_by_response(
    answers, *, order=("response_id",), extra: tuple[str, ...] = ()
) -> Iterator[tuple[int, tuple, dict]]:
    """Yield (response id, values of *extra*, {code: value}) for each response in the queryset *answers*.

    Responses come in *order* (fields of Answer that order them, such as
    ``response__submitted_at``; their rows must come together), streamed: memory
    does not grow with their number. *extra* names fields read along with a
    response's answers (its library's name, say). Values are as ``response_answers`` gives them.
    """
    width = len(extra)
    rows = (
        answers.order_by(*order, "question__position", "choice__position")
        .values_list("response_id", *extra, *READ_FIELDS)
        .iterator(chunk_size=10_000)
    )
    for response_id, group in groupby(rows, key=itemgetter(0)):
        first = next(group)
        values = answers_from_rows(row[1 + width :] for row in (first, *group))
        yield response_id, first[1 : 1 + width], values


class StoredAnswers(Expression):
    """A response's answers as one JSON object, {code: value} as ``response_answers`` gives them (PostgreSQL).

    One row per response instead of one per answer: the database shapes the answers,
    faster than Python would and, for the workbook, on another core at the same time.
    """

    output_field = JSONField()

    def __init__(self, response=None):
        super().__init__()
        self.response = response if response is not None else F("pk")

    def get_source_expressions(self):
        return [self.response]

    def set_source_expressions(self, expressions):
        (self.response,) = expressions

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError("StoredAnswers needs PostgreSQL's JSON aggregates")
        response_sql, params = compiler.compile(self.response)
        answer, question, choice = (
            connection.ops.quote_name(model._meta.db_table) for model in (Answer, Question, Choice)
        )
        # One value per question: the chosen choices in questionnaire order, a choice, a number or a text.
        # Table names come from the models, the response from the compiler; values are bound.
        number_kinds = ", ".join(["%s"] * len(NUMBER_KINDS))
        sql = f"""(
            SELECT json_object_agg(per_question.code, per_question.value)::text FROM (
                SELECT question.code, CASE
                    WHEN question.kind = %s THEN json_agg(choice.code ORDER BY choice.position)
                    WHEN question.kind = %s THEN to_json(min(choice.code))
                    WHEN question.kind IN ({number_kinds}) THEN to_json(min(answer.number))
                    ELSE to_json(min(answer.text)) END AS value
                FROM {answer} answer
                JOIN {question} question ON question.id = answer.question_id
                LEFT JOIN {choice} choice ON choice.id = answer.choice_id
                WHERE answer.response_id = {response_sql}
                GROUP BY question.id
            ) per_question
        )"""  # nosec B608 # noqa: S608
        kinds = [QuestionKind.MULTI, QuestionKind.SINGLE, *NUMBER_KINDS]
        return sql, (*kinds, *params)


def responses_with_answers(responses, fields: Iterable[str]) -> Iterator[tuple]:
    """Yield (*the values of fields*, {code: value}) for each response of the ordered queryset *responses*.

    Streamed in the queryset's order: memory does not grow with the number of
    responses. On PostgreSQL one query, the answers shaped by the database
    (``StoredAnswers``); elsewhere the responses and their answers in two queries of
    the same order, merged here.
    """
    fields = tuple(fields)
    if connection.vendor == "postgresql":
        rows = responses.annotate(stored_answers=StoredAnswers()).values_list(*fields, "stored_answers")
        for *values, answers in rows_one_batch_ahead(rows):
            yield (*values, answers or {})
        return
    order = [
        key.replace("-", "-response__", 1) if key.startswith("-") else f"response__{key}"
        for key in responses.query.order_by
    ]
    answers = answers_by_response(Answer.objects.filter(response__in=responses.values("pk")), order=order)
    group = next(answers, None)
    for pk, *values in responses.values_list("pk", *fields).iterator(chunk_size=2_000):
        # Both queries are in the same order, so this response's answers come next.
        answers_of_response = {}
        if group is not None and group[0] == pk:
            answers_of_response = group[2]
            group = next(answers, None)
        yield (*values, answers_of_response)


def rows_one_batch_ahead(rows, batch: int = 2_000) -> Iterator[tuple]:
    """Yield the rows of the queryset *rows* (PostgreSQL), the next batch asked for early.

    Rows come as ``iterator()`` gives them, with Django's converters, in the order of the
    select: a ``values_list`` whose annotations, if any, are named last.

    Through a server-side cursor in psycopg's pipeline mode: the FETCH of the next batch
    goes out before this batch is used, so the database prepares it on its own core
    meanwhile (at 10 000 responses, most of a second of the workbook's time). A second
    thread reading ahead was measured slower: the two took turns with Python's lock.
    Such a cursor lives in a transaction: it is closed when the rows are done, or with
    the transaction. Outside one, this is Django's own ``iterator()``.
    """
    from psycopg import Pipeline

    if not (connection.in_atomic_block and Pipeline.is_supported()):  # libpq 14 has pipelines
        yield from rows.iterator(chunk_size=batch)
        return
    compiler = rows.query.get_compiler(using=rows.db)
    sql, params = compiler.as_sql()
    name = f"rows_ahead_{uuid4().hex}"
    with connection.cursor() as cursor:
        # The name is made here and the query by Django's compiler, its values bound.
        cursor.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)  # noqa: S608
        database = cursor.cursor.connection

    def batches():
        asked = deque()

        def ask():
            fetch = database.cursor()
            fetch.execute(f"FETCH {int(batch)} FROM {name}")
            asked.append(fetch)

        with database.pipeline():
            ask()
            ask()
            while asked:
                fetch = asked.popleft()
                fetched = fetch.fetchall()
                fetch.close()
                if len(fetched) == batch:
                    ask()
                yield fetched

    # Django's own converters (JSON, times) and row shapes, as for any queryset.
    yield from compiler.results_iter(results=batches(), tuple_expected=True)
    with connection.cursor() as cursor:
        cursor.execute(f"CLOSE {name}")
