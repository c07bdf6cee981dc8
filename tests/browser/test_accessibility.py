"""Every respondent page passes axe-core's WCAG 2.1 AA rules (Danish public bodies must meet them)."""

import pytest

from tests.browser.conftest import accessibility_violations, serious_accessibility_violations
from tests.conftest import ACTIVE_ANSWERS, answer_all, make_invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_respondent_page_has_no_serious_accessibility_violations(live_server, new_page):
    invitation = make_invitation()
    answer_all(invitation, {**ACTIVE_ANSWERS, "quote": "Giv tid!", "quote_consent": "named"}, submit=False)
    base = live_server.url + invitation.get_absolute_url()
    pages = [base, base + "review/"]
    pages += [
        f"{base}section/{code}/"
        for code in ("library", "status", "models", "services", "staff", "economy", "organisation", "experience")
    ]
    page = new_page(viewport={"width": 390, "height": 844})
    found = {}
    for url in pages:
        page.goto(url)
        found[url] = serious_accessibility_violations(page)

    # A page with errors, and the receipt.
    page.goto(base + "section/library/")
    page.get_by_label("E-mail").fill("hanne@")
    page.get_by_role("button", name="Næste").click()
    found["errors"] = serious_accessibility_violations(page)
    page.goto(base + "review/")
    page.get_by_role("button", name="Indsend svarene").click()
    page.get_by_role("heading", name="Tak for jeres svar!").wait_for()
    found["receipt"] = serious_accessibility_violations(page)
    page.goto(live_server.url + "/s/unknown-link/")
    found["404"] = serious_accessibility_violations(page)

    assert {url: v for url, v in found.items() if v} == {}
    assert len(found) == len(pages) + 3


def test_the_results_page_has_no_serious_accessibility_violations(live_server, new_page):
    from tests.conftest import NOT_STARTED_ANSWERS, make_staff

    round_ = make_invitation().round
    answer_all(round_.invitations.get(), {**ACTIVE_ANSWERS, "quote": "Giv tid!", "quote_consent": "named"})
    answer_all(make_invitation(round=round_), NOT_STARTED_ANSWERS)
    make_staff(username="db-staff", password="a-long-test-password", is_superuser=True)

    page = new_page()
    page.goto(f"{live_server.url}/results/{round_.slug}/")  # redirected to the admin login
    page.get_by_label("Brugernavn").fill("db-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="Danmarkskortet").wait_for()
    assert serious_accessibility_violations(page) == []


def test_the_public_pages_have_no_accessibility_violations(live_server, new_page):
    """What the accessibility statement claims: the public pages and a library's own results pass every
    WCAG 2.1 AA rule axe-core has."""
    from django.utils import timezone

    from tests.conftest import NOT_STARTED_ANSWERS, make_round

    round_ = make_round(slug="offentlig", results_published_on=timezone.localdate())
    library = make_invitation(round=round_)
    answer_all(library, {**ACTIVE_ANSWERS, "quote": "Giv tid!", "quote_consent": "named"})
    answer_all(make_invitation(round=round_), NOT_STARTED_ANSWERS)
    found = {}
    for width in (1280, 390):
        page = new_page(viewport={"width": width, "height": 900})
        for path in ("/resultater/offentlig/", f"/s/{library.token}/resultater/", "/privatliv/", "/tilgaengelighed/"):
            page.goto(live_server.url + path)
            found[(width, path)] = accessibility_violations(page)
            # Wide tables scroll in their own box: the page itself never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
    assert {key: v for key, v in found.items() if v} == {}
