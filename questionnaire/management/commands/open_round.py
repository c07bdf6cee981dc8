import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from questionnaire.services.rounds import closing_time, round_open


def end_of_day(value: str) -> datetime.datetime:
    """Return the last second of the date *value* (YYYY-MM-DD) in the local time zone."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--closes must be a date as YYYY-MM-DD, not {value!r}") from error
    return closing_time(day)


class Command(BaseCommand):
    help = "Open a survey round on the current questionnaire (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--title")
        parser.add_argument("--closes", help="last day for answers, YYYY-MM-DD")

    def handle(self, *args, slug, title, closes, **options):
        closes_at = end_of_day(closes) if closes else None
        if closes_at and closes_at <= timezone.now():
            raise CommandError("--closes lies in the past.")
        try:
            round_, created = round_open(slug=slug, title=title, closes_at=closes_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        state = "opened" if created else "already exists"
        self.stdout.write(
            f"Round {round_.slug} ({round_.title}) {state}, questionnaire version {round_.questionnaire.version}."
        )
