from django.core.management.base import BaseCommand, CommandError

from questionnaire.services.register import RegisterImportError, register_import


class Command(BaseCommand):
    help = (
        "Read the register of libraries from an Excel (.xlsx) or CSV file with the header "
        "kommunekode, kommune, region, navn, type, email. Known libraries (same municipality and name) "
        "are updated, new ones added. Any bad row rejects the whole file and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"{file}: {error}") from error
        try:
            report = register_import(data=data, filename=file)
        except RegisterImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file} was not imported: {len(error.problems)} problem(s). Nothing was changed."
            ) from error
        self.stdout.write(
            f"{file} imported: {report.created} new, {report.updated} updated, {report.unchanged} unchanged."
        )
