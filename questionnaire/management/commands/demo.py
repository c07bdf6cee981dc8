import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.text import slugify

from questionnaire.codes import ACTIVE, NOT_STARTED, STATUS
from questionnaire.models import (
    CaseStory,
    Interview,
    InterviewQuote,
    Invitation,
    Library,
    Municipality,
    QuoteConsent,
    Response,
)
from questionnaire.sample import QUOTES, sample_answers
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.register import default_register_load
from questionnaire.services.responses import response_submit, section_save
from questionnaire.services.rounds import (
    closing_time,
    invitation_mark_opened,
    invitation_url,
    invitations_create,
    round_open,
)

DEMO_ROUND = "demo"
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
SUBMITTED, DRAFTS = 40, 10
# (name, title, municipality code, [(quote, consent, challenge codes)]): made up, in the seed's manner.
INTERVIEWS = [
    (
        "Hanne Jensen",
        "Borgerservicechef",
        "791",
        [
            ("Vi har lært hinandens fag at kende, og det mærker borgerne.", QuoteConsent.NAMED, ["culture"]),
            (
                "Lovstoffet ændrer sig hele tiden; vi holder et fælles morgenmøde hver uge.",
                QuoteConsent.NAMED,
                ["legislation"],
            ),
        ],
    ),
    (
        "Mette Caspersen",
        "Bibliotekschef",
        "326",
        [
            (
                "Borgerne forventer, at vi kan sagsbehandle – det kan vi ikke, og det skal vi sige tydeligt.",
                QuoteConsent.ANONYMOUS,
                ["expectations"],
            ),
            ("Uden opbakning fra politikerne var vi aldrig kommet i gang.", QuoteConsent.NAMED, ["politics"]),
        ],
    ),
    (
        "Per Månson",
        "Kultur- og borgerservicechef",
        "510",
        [
            ("Der er for lidt tid til at uddanne hinanden.", QuoteConsent.ANONYMOUS, ["training_time"]),
            ("Den interne diskussion om løn skal ikke i avisen.", QuoteConsent.NOT_FOR_PUBLICATION, ["other"]),
        ],
    ),
]
OPEN_FOR_DAYS = 14


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

        round_, created = round_open(
            slug=DEMO_ROUND,
            title="Biblioteker og borgerservice – demo",
            closes_at=closing_time(timezone.localdate() + timedelta(days=30)),
        )
        if created:
            # The round has run for two weeks: invitations went out when it opened.
            round_.opens_at = timezone.now() - timedelta(days=OPEN_FOR_DAYS)
            round_.save(update_fields=["opens_at"])
        invitations_create(round=round_)
        round_.invitations.filter(sent_at__isnull=True).update(sent_at=round_.opens_at)
        invitations = list(round_.invitations.select_related("library").order_by("library__municipality__code"))
        if not round_.invitations.filter(response__isnull=False).exists():
            # Spread over the country, as answers come in: every region gets some.
            rng = random.Random(2009)
            self._answer(round_, rng.sample(invitations, SUBMITTED + DRAFTS), rng)
        if not round_.interviews.exists():
            self._interview(round_)

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

    def _interview(self, round_):
        """A few interviews with quotes, as the seed's 25 gave it its qualitative half, and one case."""
        held = (round_.opens_at + timedelta(days=3)).date()
        for name, title, code, quotes in INTERVIEWS:
            municipality = Municipality.objects.get(code=code)
            interview = Interview.objects.create(
                round=round_, name=name, title=title, municipality=municipality, held_on=held, interviewer="Knudsen Syd"
            )
            for position, (text, consent, themes) in enumerate(quotes):
                InterviewQuote.objects.create(
                    interview=interview, text=text, consent=consent, themes=themes, position=position
                )
        CaseStory.objects.create(
            round=round_,
            title="Rødekroafdelingen: synergier og fordele i samarbejdet",
            text="\n".join(
                (
                    "At kunne henvise til hinanden for yderligere information",
                    "Borgerservicekunder kan læse dagens avis, finde inspiration på hylderne og bruge pc'erne "
                    "i hele husets åbningstid",
                    "Borgerservice og biblioteket kan hjælpe hinanden i de skæve åbningstider",
                )
            ),
            model="model_4",
            municipality=Municipality.objects.get(code="580"),
        )

    def _answer(self, round_, invitations, rng):
        sections = questionnaire_sections(round_.questionnaire)
        quotes = iter(rng.sample(QUOTES, len(QUOTES)))  # each quote once
        for number, invitation in enumerate(invitations):
            invitation_mark_opened(invitation)
            # 9 in every 20 with activities: the seed's 45 % / 55 %, exactly.
            status = ACTIVE if number % 20 < 9 else NOT_STARTED
            answers = sample_answers(sections, rng, quotes, fixed={STATUS: status})
            last = len(sections) if number < SUBMITTED else rng.randint(1, 3)
            for section in sections[:last]:
                values = {q.code: answers.get(q.code) for q in section.questions.all()}
                section_save(invitation=invitation, section=section, values=values)
            if number < SUBMITTED:
                response_submit(invitation=invitation, sections=sections)
            # As if opened, saved and submitted on a day of the two weeks, not all just now.
            moment = round_.opens_at + timedelta(minutes=rng.randint(60, 60 * 24 * OPEN_FOR_DAYS - 60))
            Invitation.objects.filter(pk=invitation.pk).update(first_opened_at=moment - timedelta(minutes=30))
            Response.objects.filter(invitation=invitation).update(
                started_at=moment - timedelta(minutes=25),
                last_saved_at=moment,
                submitted_at=moment if number < SUBMITTED else None,
            )
