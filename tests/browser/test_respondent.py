"""A library fills in the questionnaire in a real browser, as a person would."""

import pytest
from playwright.sync_api import expect

from questionnaire.models import Response
from questionnaire.services.answers import response_answers
from tests.conftest import make_invitation, make_library

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invitation():
    return make_invitation(library=make_library(name="Viborg Bibliotekerne"))


def answers_of(invitation):
    return response_answers(Response.objects.get(invitation=invitation))


def fill_library_page(page):
    page.get_by_label("Navn på den, der udfylder skemaet").fill("Hanne Jensen")
    page.get_by_label("Stilling").fill("Borgerservicechef")
    page.get_by_label("E-mail").fill("hanne@example.com")
    page.get_by_label("Hvor mange betjeningssteder").fill("3")


def next_page(page):
    page.get_by_role("button", name="Næste").click()


def expect_counter(page, text):
    expect(page.locator("#progress-label")).to_have_text(text)


UNSETTLED = "af 4 eller 9, afhængigt af jeres svar"


def test_a_library_with_borgerservice_fills_in_and_submits_everything(live_server, new_page, invitation):
    page = new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(live_server.url + invitation.get_absolute_url())
    expect(page.get_by_text("Viborg Bibliotekerne").first).to_be_visible()
    page.get_by_role("link", name="Start spørgeskemaet").click()

    expect(page.get_by_role("heading", name="Om biblioteket og kontaktperson")).to_be_visible()
    expect_counter(page, f"Side 1 {UNSETTLED}")
    fill_library_page(page)
    next_page(page)

    expect_counter(page, f"Side 2 {UNSETTLED}")
    started_year = page.get_by_label("Hvilket år begyndte samarbejdet?")
    expect(started_year).to_be_hidden()
    page.get_by_label("Ja, biblioteket har borgerserviceaktiviteter").check()
    expect(started_year).to_be_visible()
    started_year.fill("2007")
    next_page(page)

    expect(page.get_by_role("heading", name="Samarbejdsmodel")).to_be_visible()
    expect_counter(page, "Side 3 af 9")
    models = page.get_by_role("group", name="Hvilke samarbejdsmodeller bruger I?")
    models.get_by_label("Model 3:").check()
    models.get_by_label("Anden model").check()
    page.get_by_label("Beskriv den anden model").fill("Biblioteksfolk i infodisken")
    page.get_by_role("group", name="Hvilken model beskriver bedst").get_by_label("Model 3:").check()
    next_page(page)

    expect(page.get_by_role("heading", name="Borgerserviceydelser i biblioteket")).to_be_visible()
    expect_counter(page, "Side 4 af 9")
    page.get_by_label("Pas", exact=True).check()
    page.get_by_label("Sygesikring").check()
    next_page(page)
    expect_counter(page, "Side 5 af 9")
    next_page(page)  # staff: nothing required

    expect_counter(page, "Side 6 af 9")
    page.get_by_label("Hvor mange kroner").fill("1.250.000")
    next_page(page)
    expect_counter(page, "Side 7 af 9")
    page.get_by_role("button", name="Tilbage").click()  # back and on again: the total stays
    expect_counter(page, "Side 6 af 9")
    next_page(page)
    expect_counter(page, "Side 7 af 9")
    next_page(page)  # organisation

    expect_counter(page, "Side 8 af 9")
    consent = page.get_by_role("group", name="Hvordan må citatet bruges?")
    expect(consent).to_be_hidden()
    page.get_by_label("Vil I give os et citat").fill("Giv tid! Folk skal være med.")
    expect(consent).to_be_visible()
    consent.get_by_label("Uden navn").check()
    next_page(page)

    expect(page.get_by_role("heading", name="Gennemse jeres svar")).to_be_visible()
    expect_counter(page, "Side 9 af 9")
    expect(page.get_by_text("Biblioteksfolk i infodisken")).to_be_visible()
    expect(page.get_by_text("1.250.000")).to_be_visible()
    page.get_by_role("button", name="Indsend svarene").click()

    expect(page.get_by_role("heading", name="Tak for jeres svar!")).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    assert response.is_submitted
    answers = answers_of(invitation)
    assert answers["models"] == ["model_3", "other"] and answers["primary_model"] == "model_3"
    assert answers["resources_dkk"] == 1250000 and answers["quote_consent"] == "anonymous"
    assert answers["services"] == ["health_card", "passport"]


def test_a_library_leaves_and_resumes_on_another_device(live_server, new_page, invitation):
    link = live_server.url + invitation.get_absolute_url()
    page = new_page()
    page.goto(link)
    page.get_by_role("link", name="Start spørgeskemaet").click()
    fill_library_page(page)
    next_page(page)
    page.get_by_label("Ja, biblioteket har borgerserviceaktiviteter").check()
    page.get_by_role("button", name="Gem og fortsæt senere").click()
    expect(page.get_by_text("Jeres svar er gemt")).to_be_visible()

    later = new_page()
    later.goto(link)
    later.get_by_role("link", name="Fortsæt").click()
    expect(later.get_by_role("heading", name="Samarbejde med borgerservice")).to_be_visible()
    expect(later.get_by_label("Ja, biblioteket har borgerserviceaktiviteter")).to_be_checked()
    later.get_by_role("button", name="Tilbage").click()
    expect(later.get_by_label("Navn på den, der udfylder skemaet")).to_have_value("Hanne Jensen")
    assert answers_of(invitation)["status"] == "active"


def test_a_library_that_has_not_started_skips_the_model_sections(live_server, new_page, invitation):
    page = new_page()
    page.goto(live_server.url + invitation.get_absolute_url())
    page.get_by_role("link", name="Start spørgeskemaet").click()
    expect_counter(page, f"Side 1 {UNSETTLED}")
    fill_library_page(page)
    next_page(page)
    expect_counter(page, f"Side 2 {UNSETTLED}")
    page.get_by_label("Nej, arbejdet er ikke påbegyndt endnu").check()
    expect(page.get_by_label("Hvilket år begyndte samarbejdet?")).to_be_hidden()
    next_page(page)

    expect(page.get_by_role("heading", name="Planer")).to_be_visible()
    expect_counter(page, "Side 3 af 4")
    # Back once the way is known: the earlier pages count it too, the total never jumps back.
    page.get_by_role("button", name="Tilbage").click()
    expect_counter(page, "Side 2 af 4")
    next_page(page)
    expect_counter(page, "Side 3 af 4")
    page.get_by_label("Ja, senere").check()
    page.get_by_role("group", name="Hvad holder jer tilbage?").get_by_label("Økonomi").check()
    next_page(page)

    expect(page.get_by_role("heading", name="Gennemse jeres svar")).to_be_visible()
    expect_counter(page, "Side 4 af 4")
    expect(page.get_by_text("Samarbejdsmodel")).to_have_count(0)
    page.get_by_role("button", name="Indsend svarene").click()
    expect(page.get_by_role("heading", name="Tak for jeres svar!")).to_be_visible()
    answers = answers_of(invitation)
    assert answers["status"] == "not_started" and answers["plans"] == "later"
    assert "models" not in answers


def test_errors_are_summarised_and_the_page_keeps_what_was_typed(live_server, new_page, invitation):
    page = new_page()
    page.goto(live_server.url + invitation.get_absolute_url())
    page.get_by_role("link", name="Start spørgeskemaet").click()
    page.get_by_label("Navn på den, der udfylder skemaet").fill("Hanne Jensen")
    page.get_by_label("E-mail").fill("hanne@")
    next_page(page)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ret venligst følgende")
    expect(summary).to_contain_text("Indtast en gyldig e-mail-adresse")
    expect(page.get_by_label("Navn på den, der udfylder skemaet")).to_have_value("Hanne Jensen")
