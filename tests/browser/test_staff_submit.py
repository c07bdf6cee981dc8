"""Staff submit a library's draft on its behalf: a confirmation with a reason first, as for reopening."""

import pytest
from playwright.sync_api import expect

from questionnaire.models import ResponseChangeKind
from tests.browser.test_authoring import staff_page
from tests.conftest import NOT_STARTED_ANSWERS, admin_url, answer_all, make_invitation, make_library

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submitting_on_the_library_s_behalf_asks_for_a_reason_and_shows_it_in_the_history(live_server, new_page):
    response = answer_all(
        make_invitation(library=make_library(name="Viborg Bibliotekerne")), NOT_STARTED_ANSWERS, submit=False
    )
    page, staff = staff_page(new_page, live_server)
    page.goto(live_server.url + admin_url("response_change", response.pk))

    page.get_by_role("link", name="Indsend på bibliotekets vegne").click()
    expect(page.get_by_text("Indsendelse sætter besvarelsen fra Viborg Bibliotekerne")).to_be_visible()
    page.get_by_role("button", name="Indsend på bibliotekets vegne").click()  # no reason yet
    expect(page.get_by_text("Dette felt er påkrævet.")).to_be_visible()
    response.refresh_from_db()
    assert not response.is_submitted

    page.get_by_label("Begrundelse for ændringen").fill("Telefoninterview 3. maj")
    page.get_by_role("button", name="Indsend på bibliotekets vegne").click()

    expect(page.get_by_text("Besvarelsen er indsendt på bibliotekets vegne.")).to_be_visible()
    history = page.locator("#changes")
    expect(history).to_contain_text("indsendt på bibliotekets vegne")
    expect(history).to_contain_text("Telefoninterview 3. maj")
    response.refresh_from_db()
    change = response.changes.get()
    assert response.is_submitted
    assert (change.kind, change.reason, change.changed_by) == (
        ResponseChangeKind.SUBMITTED,
        "Telefoninterview 3. maj",
        staff,
    )
