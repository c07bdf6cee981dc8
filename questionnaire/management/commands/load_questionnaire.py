from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaire.definition import DEFAULT_DEFINITION, install_definition, read_definition


class Command(BaseCommand):
    help = "Install a questionnaire definition file as a version (a new version only if the content changed)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_DEFINITION), help="definition file (YAML)")

    def handle(self, *args, file, **options):
        try:
            questionnaire, created = install_definition(read_definition(file))
        except (OSError, ValidationError) as error:
            raise CommandError(f"{file}: {error}") from error
        state = "installed" if created else "already installed"
        self.stdout.write(f"{questionnaire.code} version {questionnaire.version} {state}.")
