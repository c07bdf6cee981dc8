from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaire.services import PERSONAL_QUESTION_CODES, round_anonymise

from ._sending import round_or_error


class Command(BaseCommand):
    help = (
        "Remove the contact persons' names, titles, e-mails and phone numbers from every response of a closed "
        "round. The other answers and all tallies are kept. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="do not ask for confirmation")

    def handle(self, *args, slug, interactive, **options):
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
