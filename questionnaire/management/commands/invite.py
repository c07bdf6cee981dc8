from django.core.management.base import BaseCommand

from questionnaire.management.lookup import round_or_error
from questionnaire.services.rounds import invitation_links_write, invitations_create


class Command(BaseCommand):
    help = "Invite every active library not yet invited to a round, and write all personal links to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--links", required=True, help="CSV file to write (library, municipality, e-mail, link)")

    def handle(self, *args, slug, links, **options):
        round_ = round_or_error(slug)
        created = invitations_create(round=round_)
        # utf-8-sig so that Excel opens the Danish letters correctly.
        with open(links, "w", newline="", encoding="utf-8-sig") as handle:
            rows = invitation_links_write(round=round_, handle=handle)
        self.stdout.write(f"{len(created)} new invitations; {rows} links written to {links}.")
