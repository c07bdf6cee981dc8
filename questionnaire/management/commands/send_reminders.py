from django.conf import settings
from django.core.management.base import BaseCommand

from questionnaire.mail import reminders_send

from ..lookup import round_or_error
from ._sending import run


class Command(BaseCommand):
    help = (
        "Mail a reminder to every library of a round that has not submitted, at most once in "
        "REMINDER_INTERVAL_DAYS days and not within that many days of the invitation (safe to run again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        round_ = round_or_error(slug)
        self.stdout.write(f"Reminder interval: {settings.REMINDER_INTERVAL_DAYS} days.")
        run(self, reminders_send, round_)
