from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from questionnaire.services.authoring import definition_check, upload_install, upload_read
from questionnaire.services.definition import DEFAULT_DEFINITION, read_definition
from questionnaire.services.definition.base import canonical


class Command(BaseCommand):
    help = (
        "Install a questionnaire from a definition file (YAML) or an Excel workbook in the XLSForm layout (.xlsx); "
        "a new version only if the content changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="definition file: .yaml or .xlsx (default: the shipped YAML)")
        parser.add_argument("--file", help="the same as the path, for scripts written before")

    def handle(self, *args, path, file, **options):
        path = path or file or str(DEFAULT_DEFINITION)
        try:
            if path.lower().endswith(".xlsx"):
                # As the admin's upload: every problem of every stage at once, each on its sheet and row.
                with open(path, "rb") as handle:
                    upload = upload_read(handle)
            else:
                upload = definition_check(canonical(read_definition(path)))
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        except ValidationError as error:
            raise CommandError(f"{path}:\n" + "\n".join(f"  {message}" for message in error.messages)) from error
        if not upload.installable:
            raise CommandError(f"{path}:\n" + "\n".join(f"  {message}" for message in upload.problems))
        questionnaire, created = upload_install(definition=upload.definition)
        state = "installed" if created else "already installed"
        self.stdout.write(f"{questionnaire.code} version {questionnaire.version} {state}.")
