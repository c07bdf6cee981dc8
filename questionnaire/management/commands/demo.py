import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.text import slugify

from questionnaire.models import Library
from questionnaire.register import default_register_load
from questionnaire.sample import sample_answers
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.responses import response_submit, section_save
from questionnaire.services.rounds import invitation_mark_opened, invitation_url, invitations_create, round_open

DEMO_ROUND = "demo"
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
SUBMITTED, DRAFTS = 40, 10


class Command(BaseCommand):
    help = "Load demo data for trying the app: register, an open round, invitations, an admin user, some answers."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for local use only: set DJANGO_DEBUG=true.")
        default_register_load()
        for library in Library.objects.filter(email=""):
            name = library.municipality.name.lower().translate(DANISH_LETTERS)
            library.email = f"{slugify(name)}@bibliotek.example"
            library.save(update_fields=["email"])

        round_, _ = round_open(
            slug=DEMO_ROUND,
            title="Biblioteker og borgerservice – demo",
            closes_at=timezone.now() + timedelta(days=30),
        )
        invitations_create(round=round_)
        invitations = list(round_.invitations.select_related("library").order_by("library__municipality__code"))
        if not round_.invitations.filter(response__isnull=False).exists():
            self._answer(round_, invitations[: SUBMITTED + DRAFTS])

        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@db.example"}
        )
        user.set_password(password)
        user.save()

        untouched = round_.invitations.filter(response__isnull=True).select_related("library")[:3]
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Admin:    {settings.SITE_URL}/admin/  (user: admin, password: {password})")
        for invitation in untouched:
            self.stdout.write(f"Library:  {invitation_url(invitation)}  ({invitation.library.name})")

    def _answer(self, round_, invitations):
        rng = random.Random(2009)
        sections = questionnaire_sections(round_.questionnaire)
        for number, invitation in enumerate(invitations):
            invitation_mark_opened(invitation)
            answers = sample_answers(sections, rng)
            last = len(sections) if number < SUBMITTED else rng.randint(1, 3)
            for section in sections[:last]:
                values = {q.code: answers.get(q.code) for q in section.questions.all()}
                section_save(invitation=invitation, section=section, values=values)
            if number < SUBMITTED:
                response_submit(invitation=invitation, sections=sections)
