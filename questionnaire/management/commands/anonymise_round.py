from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaire.codes import PERSONAL_QUESTION_CODES
from questionnaire.services.personal_data import due_rounds_anonymise, round_anonymise

from ..lookup import round_or_error


class Command(BaseCommand):
    help = (
        "Remove the contact persons' names, titles, e-mails and phone numbers from every response of a closed "
        "round. The other answers and all tallies are kept. Cannot be undone. With --due (for a daily cron "
        "job): every round closed longer than PERSONAL_DATA_RETENTION_DAYS ago."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("slug", nargs="?")
        target.add_argument(
            "--due",
            action="store_true",
            help=f"every round closed more than {settings.PERSONAL_DATA_RETENTION_DAYS} days ago; asks nothing",
        )
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="do not ask for confirmation")

    def handle(self, *args, slug, due, interactive, **options):
        if due:
            for round_, removed in due_rounds_anonymise():
                self.stdout.write(f"Personal data removed from round {round_.slug}: {removed} answer(s) deleted.")
            return
        round_ = round_or_error(slug)
        if interactive:
            answer = input(
                f"Remove {', '.join(PERSONAL_QUESTION_CODES)} from every response of {round_.title!r}? "
                "This cannot be undone. Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Nothing was changed.")
        try:
            removed = round_anonymise(round=round_)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Personal data removed from round {round_.slug}: {removed} answer(s) deleted.")
