"""Opening a round, inviting libraries, their personal links."""

import csv
import io

import pytest

from questionnaire.models import Invitation, Round
from questionnaire.services.rounds import invitation_links_write, invitations_create, round_open
from tests.conftest import make_invitation, make_library, make_round

pytestmark = pytest.mark.django_db


def test_round_open_is_idempotent_and_uses_the_current_questionnaire():
    round_, created = round_open(slug="bs-2009", title="Borgerservice 2009")
    again, created_again = round_open(slug="bs-2009")
    assert created and not created_again and again == round_
    assert Round.objects.count() == 1
    assert round_.questionnaire.code == "borgerservice"


def test_invitations_go_to_active_libraries_not_yet_invited():
    round_ = make_round()
    first = make_library(name="Hovedbiblioteket")
    make_library(name="Lukket filial", active=False)
    assert [i.library for i in invitations_create(round=round_)] == [first]
    second = make_library(name="Ny filial")
    assert [i.library for i in invitations_create(round=round_)] == [second]
    assert invitations_create(round=round_) == []
    assert Invitation.objects.filter(round=round_).count() == 2


def test_tokens_are_unguessable_and_unique():
    round_ = make_round()
    for number in range(20):
        make_library(name=f"Bibliotek {number}")
    tokens = [i.token for i in invitations_create(round=round_)]
    assert len(set(tokens)) == 20
    # token_urlsafe(32): 43 characters of 6 bits each, at least 128 bits of randomness.
    assert {len(token) for token in tokens} == {43}


def test_links_csv_names_library_municipality_email_and_personal_url(settings):
    settings.SITE_URL = "https://survey.example.dk"
    invitation = make_invitation(library=make_library(name="Aabenraa Bibliotekerne", email="ab@example.dk"))
    handle = io.StringIO()
    assert invitation_links_write(round=invitation.round, handle=handle) == 1
    rows = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert rows == [
        {
            "bibliotek": "Aabenraa Bibliotekerne",
            "type": "hovedbibliotek",
            "kommune": "København",
            "kommunekode": "101",
            "email": "ab@example.dk",
            "link": f"https://survey.example.dk/s/{invitation.token}/",
        }
    ]
