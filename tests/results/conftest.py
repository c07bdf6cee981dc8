"""Data helpers and a small, hand-made round whose every figure is known.

The round (`survey` fixture) has eight invited libraries:

| library                  | municipality  | region      | kind   | answer                                |
|--------------------------|---------------|-------------|--------|---------------------------------------|
| Københavns Biblioteker   | 101 København | hovedstaden | main   | active, models 1+3, primary 3; quote, named |
| Frederiksberg Bibliotek  | 147           | hovedstaden | main   | not started                           |
| Aarhus Hovedbibliotek    | 751 Aarhus    | midtjylland | main   | active, model 3; hostile quote, anonymous |
| Lystrup Bibliotek        | 751 Aarhus    | midtjylland | branch | active, models 3+4, primary 4; quote, no |
| =Odense Centralbibliotek | 461 Odense    | syddanmark  | main   | active, other model; no kroner, no services |
| Aalborg Bibliotekerne    | 851 Aalborg   | nordjylland | main   | not started                           |
| Roskilde Bibliotek       | 265 Roskilde  | sjaelland   | main   | active, but only a draft              |
| Køge Bibliotek           | 259 Køge      | sjaelland   | main   | invited, no answer                    |

The hostile names and texts (a leading "=", "@", "-", a <script>) test escaping.
A library in another round has submitted too; it must never be counted here.
"""

from dataclasses import dataclass

import pytest

from questionnaire.models import LibraryKind, Round
from tests.conftest import (
    ACTIVE_ANSWERS,
    NOT_STARTED_ANSWERS,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    municipality,
)

HOSTILE_QUOTE = '<script>alert(1)</script> =HYPERLINK("http://x","y")'
FORMULA_QUOTE = '=HYPERLINK("http://x","y")'


def answers(base=ACTIVE_ANSWERS, **changes) -> dict:
    """Return *base* with *changes*; a change to None removes the answer."""
    result = {**base, **changes}
    return {code: value for code, value in result.items() if value is not None}


def make_response(round: Round, answers: dict, *, library=None, submit=True, **library_fields):
    """Invite a library to *round* (a new one unless given) and answer; return the response."""
    if library is None:
        if "municipality" in library_fields and isinstance(library_fields["municipality"], str):
            library_fields["municipality"] = municipality(library_fields["municipality"])
        library = make_library(**library_fields)
    invitation = make_invitation(round=round, library=library)
    return answer_all(invitation, answers, submit=submit)


@dataclass
class Survey:
    round: Round
    other_round: Round


@pytest.fixture
def survey(db) -> Survey:
    round_ = make_round(slug="bs2009", title="Biblioteker og borgerservice 2009")
    make_response(
        round_,
        answers(
            models=["model_1", "model_3"],
            primary_model="model_3",
            services=["passport", "health_card", "tax"],
            resources_dkk=100_000,
            development_funds="yes",
            challenges=["culture", "legislation"],
            quote="Borgerne er glade for de lange åbningstider.",
            quote_consent="named",
        ),
        name="Københavns Biblioteker",
        municipality="101",
    )
    make_response(round_, NOT_STARTED_ANSWERS, name="Frederiksberg Bibliotek", municipality="147")
    make_response(
        round_,
        answers(
            respondent_name="Skjult Person",
            respondent_title="Hemmelig stilling",
            models=["model_3"],
            primary_model="model_3",
            services=["passport"],
            resources_dkk=300_000,
            development_funds="no",
            challenges=["culture"],
            quote=HOSTILE_QUOTE,
            quote_consent="anonymous",
            advice="@SUM(1+1)",
        ),
        name="Aarhus Hovedbibliotek",
        municipality="751",
    )
    make_response(
        round_,
        answers(
            models=["model_3", "model_4"],
            primary_model="model_4",
            services=["passport", "tax", "health_card"],
            resources_dkk=20_000,
            development_funds="applied",
            challenges=["routines", "culture"],
            quote="Må ikke bruges.",
            quote_consent="no",
        ),
        name="Lystrup Bibliotek",
        municipality="751",
        kind=LibraryKind.BRANCH,
    )
    make_response(
        round_,
        answers(
            models=["other"],
            models_other="-2+3 infodisk",
            primary_model="other",
            services=None,
            resources_dkk=None,
            development_funds="yes",
            challenges=["legislation"],
        ),
        name="=Odense Centralbibliotek",
        municipality="461",
    )
    make_response(round_, NOT_STARTED_ANSWERS, name="Aalborg Bibliotekerne", municipality="851")
    make_response(round_, ACTIVE_ANSWERS, name="Roskilde Bibliotek", municipality="265", submit=False)
    make_invitation(round=round_, library=make_library(name="Køge Bibliotek", municipality=municipality("259")))

    other_round = make_round(slug="bs2010", title="Biblioteker og borgerservice 2010")
    make_response(
        other_round, answers(models=["model_6"], primary_model="model_6"), name="Anden runde", municipality="101"
    )
    return Survey(round_, other_round)
