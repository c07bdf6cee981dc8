"""Plausible, clearly made-up answers for demo data and load tests.

Distributions follow the seed: about 45 % of libraries have borgerservice
activities, model 3 is the most common, and resources range from 20 000 kr. to
30 mio. kr.
"""

import math
import random

from .conditions import condition_met
from .models import NUMBER_KINDS, QuestionKind

FIRST_NAMES = ["Anne", "Bo", "Camilla", "Dorte", "Erik", "Hanne", "Jens", "Lise", "Mette", "Per", "Sofie", "Thomas"]
LAST_NAMES = ["Andersen", "Christensen", "Hansen", "Jensen", "Larsen", "Madsen", "Nielsen", "Pedersen", "Sørensen"]
TITLES = ["Bibliotekschef", "Borgerservicechef", "Bibliotekar", "Afdelingsleder", "Kultur- og borgerservicechef"]
QUOTES = [
    "Vi skulle have brugt mere tid på et fælles uddannelsesforløb.",
    "Borgerne forventer sagsbehandling, som vi ikke kan tilbyde – vi bruger tid på at forklare, hvad vi ikke kan.",
    "Det er en fordel, at bibliotek og borgerservice hører under samme forvaltning.",
    "Giv tid: folk skal være med, og de lokale behov skal analyseres.",
    "Borgerne er glade for de lange åbningstider, og de kommer igen – også for bøgerne.",
    "Lovstoffet er det svære. Vi har lavet små fælles tjeklister, og det hjælper.",
    "Vores bogbus tager pas og kørekort med ud i landsbyerne; det er blevet en succes.",
    "Det tog et år, før vi talte samme sprog. Nu henviser vi til hinanden hver dag.",
    "Vi har fået en fælles skranke, og køen er blevet kortere for alle.",
    "Selvbetjeningen kræver hjælp, og den hjælp er biblioteket godt til at give.",
    "Start småt med få ydelser, og udvid, når personalet er trygt ved opgaverne.",
    "Politisk opbakning fra start var afgørende for os.",
    "Vi savner tid til at uddanne hinanden; hverdagen fylder meget.",
    "Udviklingsmidlerne gav os ro til at prøve os frem.",
    "Det er vigtigt at fortælle borgerne, hvad vi kan hjælpe med, og hvad vi ikke kan.",
    "Fælles ledelse har gjort samarbejdet lettere.",
]
# What a library might write in the text fields, by question code: plausible, never marked as samples.
TEXTS = {
    "models_other": ["Biblioteksfolk i borgerservicecentrets infodisk", "Fælles servicecenter med jobcentret"],
    "locations_other": ["Kulturhuset", "Rådhusets forhal"],
    "services_other": ["Hjælp til NemID og MitID", "Udlevering af affaldssække"],
    "funds_used_for_other": ["Studietur til Odense", "Skiltning"],
    "synergies_other": ["Flere besøgende i biblioteket", "Fælles arrangementer"],
    "challenges_other": ["Forskellige lønvilkår", "IT-systemer, der ikke taler sammen"],
    "barriers_other": ["Afventer ny kommuneplan", "Mangler lokaler"],
    "advice": [
        "Lav en fælles plan for uddannelse, før I åbner.",
        "Inddrag medarbejderne tidligt, og besøg et bibliotek, der allerede er i gang.",
        "Aftal klart, hvem der gør hvad – og fortæl borgerne det.",
        "Start med de ydelser, borgerne oftest spørger om: pas, kørekort og flytning.",
        "Sæt tid af til at lære hinandens fag at kende.",
        "Få politikerne med fra begyndelsen, og fortæl dem om resultaterne undervejs.",
        "Indret en skranke, hvor borgeren kan sidde ned og tale i fred.",
        "Mål på borgernes tilfredshed fra første dag.",
        "Lad de erfarne medarbejdere være mentorer for de nye.",
        "Vær ærlige over for borgerne om, hvad I ikke kan hjælpe med.",
    ],
    "plans_comment": ["Vi venter på en politisk beslutning i byrådet.", "Vi ser på det, når det nye bibliotek åbner."],
}
# Relative weights: model 3 is the most common, as in the seed.
MODEL_WEIGHTS = {"model_1": 3, "model_2": 1, "model_3": 6, "model_4": 3, "model_5": 2, "model_6": 2, "other": 1}


def _text(question, rng, person, quotes):
    if question.code == "respondent_name":
        return person
    if question.code == "respondent_title":
        return rng.choice(TITLES)
    if question.code == "respondent_phone":
        return f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if question.code == "quote":
        return next(quotes, "") if rng.random() < 0.4 else ""
    if question.code in TEXTS and (question.kind != QuestionKind.LONG_TEXT or rng.random() < 0.3):
        return rng.choice(TEXTS[question.code])
    return ""


def _number(question, rng):
    if question.code == "resources_dkk":
        # Log-uniform between 20 000 and 30 mio. kr., rounded to thousands.
        return int(round(math.exp(rng.uniform(math.log(20_000), math.log(30_000_000))), -3))
    if question.code == "units":
        return rng.randint(1, 12)
    if question.kind == QuestionKind.YEAR:
        return rng.randint(2000, 2009)
    return rng.randint(question.min_value or 0, question.max_value or 100)


def _choices(question, rng, answers):
    codes = [choice.code for choice in question.choices.all()]
    if question.code == "status":
        return "active" if rng.random() < 0.45 else "not_started"
    if question.code == "models":
        count = rng.choice([1, 1, 1, 2, 2, 3])
        weights = [MODEL_WEIGHTS.get(code, 1) for code in codes]
        chosen = set()
        while len(chosen) < count:
            chosen.add(rng.choices(codes, weights)[0])
        return [code for code in codes if code in chosen]
    if question.code == "primary_model":
        return rng.choice(answers.get("models") or codes)
    if question.kind == QuestionKind.MULTI:
        picked = [code for code in codes if rng.random() < 0.35]
        return picked or [rng.choice(codes)]
    return rng.choice(codes)


def sample_answers(sections, rng: random.Random | None = None, quotes=None, fixed=None) -> dict:
    """Return a complete, consistent set of answers {code: value} for the questionnaire.

    *quotes*, an iterator, gives the quotes to use one by one (so that a demo never
    repeats one); by default they are drawn from QUOTES at random. *fixed* ({code:
    value}) sets answers instead of drawing them, say the status.
    """
    fixed = fixed or {}
    rng = rng or random.Random()
    if quotes is None:
        quotes = iter(lambda: rng.choice(QUOTES), None)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    answers = {}
    for section in sections:
        if not condition_met(section.show_if, answers):
            continue
        for question in section.questions.all():
            if not condition_met(question.show_if, answers):
                continue
            if question.code in fixed:
                value = fixed[question.code]
            elif question.has_choices:
                value = _choices(question, rng, answers)
            elif question.kind in NUMBER_KINDS:
                value = _number(question, rng)
            elif question.kind == QuestionKind.EMAIL:
                value = f"{person.split()[0].lower()}@bibliotek.example"
            else:
                value = _text(question, rng, person, quotes)
            if value not in ("", [], None):
                answers[question.code] = value
    return answers
