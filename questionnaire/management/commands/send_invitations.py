from django.core.management.base import BaseCommand

from questionnaire.mail.here import invitations_send
from questionnaire.mail.outbox import invitations_enqueue
from questionnaire.mail.recipients import invitations_without_email

from ..lookup import round_or_error
from ._sending import add_now_argument, run


class Command(BaseCommand):
    help = (
        "Queue the invitation to every invited library of a round that has an e-mail address and has not been "
        "sent one yet (safe to run again); a worker (manage.py db_worker) sends them. Invite libraries first "
        "in the admin or with manage.py invite."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        add_now_argument(parser)

    def handle(self, *args, slug, now, **options):
        round_ = round_or_error(slug)
        without = invitations_without_email(round_).count()
        if without:
            self.stdout.write(f"{without} invited library(ies) have no e-mail address and get no mail.")
        run(self, round_, enqueue=invitations_enqueue, send=invitations_send, now=now)
