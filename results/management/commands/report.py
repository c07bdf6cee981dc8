from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaire.management.lookup import round_or_error
from questionnaire.models import LibraryKind, Region
from results.filters import Filters
from results.report import FORMATS, report_write


class Command(BaseCommand):
    help = "Write the report of a survey round as PDF or PowerPoint (the same as the downloads on the results page)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the round's slug")
        parser.add_argument("--output", required=True, help="the file to write: .pdf or .pptx")
        parser.add_argument("--region", choices=Region.values, default="", help="count only this region's libraries")
        parser.add_argument("--kind", choices=LibraryKind.values, default="", help="count only this kind of library")

    def handle(self, *args, **options):
        round_ = round_or_error(options["slug"])
        filters = Filters.from_cleaned_data(options)
        output = options["output"]
        format = Path(output).suffix.lower().lstrip(".")
        if format not in FORMATS:
            raise CommandError(f"Write a .pdf or a .pptx file, not {output}.")
        try:
            # Open the file first, so that a wrong path fails before the work is done.
            with open(output, "wb") as handle:
                report_write(round=round_, filters=filters, handle=handle, format=format)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Wrote the report of {round_.slug} to {output}."))
