"""Plausible, clearly made-up answers for demo data and load tests.

Distributions follow the seed: about 45 % of libraries have borgerservice
activities, model 3 is the most common, and resources range from 20 000 kr. to
30 mio. kr.
"""

import math
import random

from .conditions import condition_met
from .models import QuestionKind

FIRST_NAMES = ["Anne", "Bo", "Camilla", "Dorte", "Erik", "Hanne", "Jens", "Lise", "Mette", "Per", "Sofie", "Thomas"]
LAST_NAMES = ["Andersen", "Christensen", "Hansen", "Jensen", "Larsen", "Madsen", "Nielsen", "Pedersen", "Sørensen"]
TITLES = ["Bibliotekschef", "Borgerservicechef", "Bibliotekar", "Afdelingsleder", "Kultur- og borgerservicechef"]
QUOTES = [
    "Vi skulle have brugt mere tid på et fælles uddannelsesforløb.",
    "Borgerne forventer sagsbehandling, som vi ikke kan tilbyde – vi bruger tid på at forklare, hvad vi ikke kan.",
    "Det er en fordel, at bibliotek og borgerservice hører under samme forvaltning.",
    "Giv tid: folk skal være med, og de lokale behov skal analyseres.",
]
# Relative weights: model 3 is the most common, as in the seed.
MODEL_WEIGHTS = {"model_1": 3, "model_2": 1, "model_3": 6, "model_4": 3, "model_5": 2, "model_6": 2, "other": 1}

SAMPLE_MARK = "[DEMO]"


def _text(question, rng, person):
    if question.code == "respondent_name":
        return person
    if question.code == "respondent_title":
        return rng.choice(TITLES)
    if question.code == "respondent_phone":
        return f"{rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if question.code == "quote":
        return rng.choice(QUOTES) if rng.random() < 0.4 else ""
    if question.kind == QuestionKind.LONG_TEXT:
        return f"{SAMPLE_MARK} Eksempeltekst." if rng.random() < 0.3 else ""
    return f"{SAMPLE_MARK} {question.label[:40]}"


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


def sample_answers(sections, rng: random.Random | None = None) -> dict:
    """Return a complete, consistent set of answers {code: value} for the questionnaire."""
    rng = rng or random.Random()
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    answers = {}
    for section in sections:
        if not condition_met(section.show_if, answers):
            continue
        for question in section.questions.all():
            if not condition_met(question.show_if, answers):
                continue
            if question.has_choices:
                value = _choices(question, rng, answers)
            elif question.kind in (QuestionKind.INTEGER, QuestionKind.YEAR):
                value = _number(question, rng)
            elif question.kind == QuestionKind.EMAIL:
                value = f"{person.split()[0].lower()}@bibliotek.example"
            else:
                value = _text(question, rng, person)
            if value not in ("", [], None):
                answers[question.code] = value
    return answers
