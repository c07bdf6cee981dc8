from django.core.management.base import BaseCommand, CommandError

from questionnaire.services.register import register_write_csv, register_write_xlsx


class Command(BaseCommand):
    help = (
        "Write the register of active libraries to an Excel (.xlsx) or CSV file with the header "
        "kommunekode, kommune, region, navn, type, email."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="file to write; .xlsx for Excel, .csv for CSV")

    def handle(self, *args, file, **options):
        if file.lower().endswith(".csv"):
            # utf-8-sig so that Excel opens the Danish letters correctly.
            with open(file, "w", newline="", encoding="utf-8-sig") as handle:
                register_write_csv(handle)
        elif file.lower().endswith(".xlsx"):
            with open(file, "wb") as handle:
                register_write_xlsx(handle)
        else:
            raise CommandError("The file name must end in .xlsx or .csv.")
        self.stdout.write(f"Register written to {file}.")
