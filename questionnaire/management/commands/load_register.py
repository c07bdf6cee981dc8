from django.core.management.base import BaseCommand

from questionnaire.services.register import default_register_load


class Command(BaseCommand):
    help = "Give every municipality without a main library a default one (safe to run again)."

    def handle(self, *args, **options):
        made = default_register_load()
        self.stdout.write(f"{made} main libraries added.")
