from django.core.management.base import BaseCommand, CommandError

from questionnaire.management.lookup import round_or_error
from questionnaire.models import LibraryKind, Region
from results.excel import workbook_write
from results.filters import Filters


class Command(BaseCommand):
    help = "Write the results of a survey round to an Excel workbook (the same as the download on the results page)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the round's slug")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--region", choices=Region.values, default="", help="count only this region's libraries")
        parser.add_argument("--kind", choices=LibraryKind.values, default="", help="count only this kind of library")
        parser.add_argument(
            "--codes", action="store_true", help="answers as choice codes and 1/0 instead of Danish labels and Ja/Nej"
        )
        parser.add_argument("--compare", default="", help="an earlier round's slug: adds the sheet Sammenligning")

    def handle(self, *args, **options):
        round_ = round_or_error(options["slug"])
        filters = Filters.from_cleaned_data(options)
        try:
            # Open the file first, so that a wrong path fails before the work is done.
            with open(options["output"], "wb") as handle:
                workbook_write(
                    round=round_, filters=filters, handle=handle, codes=options["codes"], compare=options["compare"]
                )
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Wrote the results of {round_.slug} to {options['output']}."))
