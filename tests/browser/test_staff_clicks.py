"""What tripped a new staff member, clicked through in a real browser (issue 22).

A look at a library's link from the admin opens nothing; a round cannot close before it
opens; the hidden try-out round is offered nowhere staff pick a round; a round nobody is
invited to says so; and a mistyped personal link is the product's own page, under DEBUG too.
Set STAFF_SHOTS to a directory to keep 1280 px screenshots of the pages on the way.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from questionnaire.models import Invitation, Round
from questionnaire.services.definition import install_default
from tests.browser.conftest import staff_page
from tests.conftest import make_invitation, make_library, make_round, municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("STAFF_SHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"staff-bugs-{name}.png"), full_page=True)


def test_view_on_site_from_an_invitation_leaves_the_library_unopened(live_server, new_page):
    round_ = make_round(title="Borgerservice 2026", closes_at=timezone.now() + timedelta(days=10))
    bornholm = make_library(municipality=municipality("400"), name="Bibliotekerne på Bornholm")
    invitation = make_invitation(round=round_, library=bornholm, sent_at=timezone.now() - timedelta(days=2))
    page, _staff = staff_page(new_page, live_server)

    page.goto(live_server.url + reverse("admin:questionnaire_invitation_change", args=[invitation.pk]))
    for field in ("first_opened_at", "last_saved", "submitted"):  # empty, as every empty value in the admin
        expect(page.locator(f".field-{field} .readonly")).to_have_text("–")
    shot(page, "invitation")
    page.get_by_role("link", name="Se på website").click()

    # The library's own page, as it sees it, with a word to the staff member that this is only a look.
    expect(page.get_by_role("heading", level=1)).to_have_text("Borgerservice 2026")
    expect(page.locator("[data-staff-visit]")).to_contain_text("dit besøg tæller ikke")
    shot(page, "landing-as-staff")
    invitation.refresh_from_db()
    assert invitation.first_opened_at is None

    page.goto(live_server.url + reverse("admin:questionnaire_round_overview", args=[round_.pk]))
    expect(page.locator("#round-progress tr.total td").nth(2)).to_have_text("0")  # opened
    expect(page.locator("#non-respondents")).to_contain_text("Ikke åbnet")


def test_a_round_that_closes_before_it_opens_is_refused_on_the_closing_field(live_server, new_page):
    version = install_default()
    page, _staff = staff_page(new_page, live_server)
    page.goto(live_server.url + reverse("admin:questionnaire_round_add"))
    page.locator("#id_title").fill("Borgerservice 2026")
    page.locator("#id_slug").fill("bs-2026")
    page.locator("#id_questionnaire").select_option(str(version.pk))
    page.locator("#id_opens_at_0").fill("04.12.2026")
    page.locator("#id_opens_at_1").fill("17:30")
    page.locator("#id_closes_at_0").fill("03.12.2026")
    page.locator("#id_closes_at_1").fill("12:00")
    page.get_by_role("button", name="Gem", exact=True).click()

    expect(page.locator(".field-closes_at .errorlist")).to_have_text(
        "Runden skal lukke, efter at den åbner (4. december 2026 kl. 17:30)."
    )
    assert not Round.objects.exists()


def test_the_hidden_try_out_round_is_offered_nowhere_staff_pick_a_round(live_server, new_page):
    version = install_default()
    make_library(name="Viborg Bibliotekerne")
    make_round(slug="bs-2025", title="Runde 2025", questionnaire=version)
    make_round(slug="bs-2026", title="Runde 2026", questionnaire=version)
    page, _staff = staff_page(new_page, live_server)

    # Trying the version makes its hidden round, and a test answer in it.
    page.goto(live_server.url + reverse("admin:questionnaire_questionnaire_change", args=[version.pk]))
    page.get_by_role("button", name="Prøv spørgeskemaet").click()
    expect(page.locator("[data-test-link]")).to_be_visible()
    hidden = Invitation.objects.tests().get().round
    assert hidden.is_test and hidden.title == "Biblioteker og borgerservice"

    page.goto(live_server.url + reverse("admin:questionnaire_interview_add"))
    rounds = page.get_by_label("Runde").locator("option")
    expect(rounds).to_have_text(["---------", "Runde 2026", "Runde 2025"])

    for name in ("response", "invitation", "interview", "casestory"):
        page.goto(live_server.url + reverse(f"admin:questionnaire_{name}_changelist"))
        filters = page.locator("#changelist-filter")
        expect(filters).to_contain_text("Runde 2026")
        expect(filters).not_to_contain_text("Biblioteker og borgerservice")


def test_a_round_nobody_is_invited_to_says_so_until_the_libraries_are_invited(live_server, new_page):
    round_ = make_round(title="Borgerservice 2026", closes_at=timezone.now() + timedelta(days=10))
    make_library(name="Bibliotekerne på Bornholm", municipality=municipality("400"))
    page, _staff = staff_page(new_page, live_server)

    page.goto(live_server.url + reverse("admin:questionnaire_round_overview", args=[round_.pk]))
    expect(page.locator("#none-invited")).to_contain_text("Der er endnu ikke inviteret nogen biblioteker")
    expect(page.get_by_text("Alle inviterede biblioteker har indsendt")).to_have_count(0)
    shot(page, "overview-none-invited")
    page.get_by_role("button", name="Invitér 1 aktivt bibliotek").click()

    expect(page.locator("#non-respondents")).to_contain_text("Bibliotekerne på Bornholm")
    expect(page.locator("#none-invited")).to_have_count(0)
    shot(page, "overview")


def test_a_mistyped_personal_link_is_a_danish_page_saying_whom_to_write_under_debug_too(
    live_server, new_page, settings
):
    settings.DEBUG = True  # as under `make run`
    settings.SURVEY_CONTACT_EMAIL = "undersoegelse@db.example"
    invitation = make_invitation()
    page = new_page(viewport={"width": 390, "height": 844})

    answer = page.goto(f"{live_server.url}/s/{invitation.token[:-3]}/")  # the end of the link lost in a mail

    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    expect(page.locator("main")).to_contain_text("kopieret hele linket fra e-mailen")
    expect(page.locator("main").get_by_role("link", name="undersoegelse@db.example")).to_have_attribute(
        "href", "mailto:undersoegelse@db.example"
    )
    expect(page.get_by_text("URLconf")).to_have_count(0)
    shot(page, "not-found")
