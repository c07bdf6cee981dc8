from django.core.management.base import BaseCommand, CommandError

from questionnaire.management.lookup import round_or_error
from questionnaire.models import Library
from questionnaire.services.rounds import invitation_links_write, invitations_create

EMPTY_REGISTER = (
    "The register is empty: there is no active library to invite, so no links were written. Fill it first with "
    "`manage.py load_register` (one main library per municipality), `manage.py import_libraries FILE.xlsx`, "
    "or in the admin under Biblioteker → Importér fra Excel eller CSV."
)


class Command(BaseCommand):
    help = "Invite every active library not yet invited to a round, and write all personal links to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--links", required=True, help="CSV file to write (library, municipality, e-mail, link)")

    def handle(self, *args, slug, links, **options):
        round_ = round_or_error(slug)
        if not round_.invitations.exists() and not Library.objects.active().exists():
            # An empty file without a word would look like a round with nobody in it.
            raise CommandError(EMPTY_REGISTER)
        created = invitations_create(round=round_)
        # utf-8-sig so that Excel opens the Danish letters correctly.
        with open(links, "w", newline="", encoding="utf-8-sig") as handle:
            rows = invitation_links_write(round=round_, handle=handle)
        self.stdout.write(f"{len(created)} new invitations; {rows} links written to {links}.")
