from django.conf import settings
from django.core.management.base import BaseCommand

from questionnaire.mail.here import reminders_send
from questionnaire.mail.outbox import reminders_enqueue

from ..lookup import round_or_error
from ._sending import add_now_argument, run


class Command(BaseCommand):
    help = (
        "Queue a reminder to every library of a round that has not submitted, at most once in "
        "REMINDER_INTERVAL_DAYS days and not within that many days of the invitation (safe to run again); "
        "a worker (manage.py db_worker) sends them."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        add_now_argument(parser)

    def handle(self, *args, slug, now, **options):
        round_ = round_or_error(slug)
        self.stdout.write(f"Reminder interval: {settings.REMINDER_INTERVAL_DAYS} days.")
        run(self, round_, enqueue=reminders_enqueue, send=reminders_send, now=now)
