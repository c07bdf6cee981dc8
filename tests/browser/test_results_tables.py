"""The results page's tables on a phone (390 px): each fits, or says it scrolls and scrolls by keyboard."""

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    ACTIVE_ANSWERS,
    NOT_STARTED_ANSWERS,
    answer_all,
    make_invitation,
    make_library,
    make_staff,
    municipality,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/work/briefs/respondent-390.png"

# For every table box: does it fit, does it scroll, is its hint shown, can the keyboard reach it, its name.
BOXES = """() => [...document.querySelectorAll(".table-responsive")].map((box) => {
  const hint = box.previousElementSibling;
  const label = box.getAttribute("aria-label")
    || (document.getElementById(box.getAttribute("aria-labelledby")) || {}).textContent || "";
  return {
    label: label.trim(),
    fits: box.scrollWidth <= box.clientWidth + 1,
    overflowX: getComputedStyle(box).overflowX,
    hintShown: !!hint && hint.classList.contains("results-scroll-hint") && hint.offsetParent !== null
      && hint.textContent.includes("Stryg for at se hele tabellen"),
    faded: getComputedStyle(box).maskImage.includes("gradient"),
    tabindex: box.getAttribute("tabindex"),
    role: box.getAttribute("role"),
  };
})"""


def open_results_on_a_phone(live_server, new_page):
    round_ = make_invitation(library=make_library(municipality=municipality("101"))).round
    answer_all(round_.invitations.get(), {**ACTIVE_ANSWERS, "quote": "Giv tid!", "quote_consent": "named"})
    answer_all(make_invitation(round=round_, library=make_library(municipality=municipality("751"))), ACTIVE_ANSWERS)
    answer_all(make_invitation(round=round_), NOT_STARTED_ANSWERS)
    make_staff(username="phone-staff", password="a-long-test-password", is_superuser=True)
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/results/{round_.slug}/")  # redirected to the admin login
    page.get_by_label("Brugernavn").fill("phone-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="Danmarkskortet").wait_for()
    page.get_by_text("Kortet som tabel").click()  # the map's table, in <details>
    return page


def test_every_table_fits_a_phone_or_says_it_scrolls_and_scrolls_by_keyboard(live_server, new_page):
    page = open_results_on_a_phone(live_server, new_page)
    boxes = page.evaluate(BOXES)
    assert len(boxes) >= 5
    for box in boxes:
        assert box["role"] == "region" and box["label"], box
        if box["fits"]:
            assert not box["hintShown"], box
        else:
            # Cut off at the right: the box scrolls, says so in Danish, fades the hidden edge, takes focus.
            assert box["overflowX"] == "auto" and box["hintShown"] and box["faded"], box
            assert box["tabindex"] == "0", box
    wide = [box["label"] for box in boxes if not box["fits"]]
    assert any(label.startswith("Biblioteker pr. model (") for label in wide), wide
    assert any(label.startswith("Biblioteker pr. model og region") for label in wide), wide

    regions = page.get_by_role("region", name="Biblioteker pr. model og region")
    regions.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT, full_page=True, clip=_clip_around(page, "#models", "#regions"))
    regions.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    assert regions.evaluate("(box) => box.scrollLeft") > 0
    # Scrolled to its end, the fade goes (nothing more is hidden); the hint stays as the table still scrolls.
    regions.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    expect(regions).to_have_class("table-responsive results-scroll is-scrollable is-at-end")


def test_on_a_wide_screen_the_tables_fit_and_no_hint_shows(live_server, new_page):
    page = open_results_on_a_phone(live_server, new_page)
    page.set_viewport_size({"width": 1400, "height": 900})
    # The boxes are judged again as the window widens (the script's ResizeObserver, a frame later).
    page.wait_for_function(f"() => ({BOXES})().every((box) => box.fits && !box.hintShown && box.tabindex === null)")
    assert len(page.evaluate(BOXES)) >= 5


def _clip_around(page, first, last):
    top = page.eval_on_selector(first, "(el) => el.getBoundingClientRect().top + window.scrollY")
    bottom = page.eval_on_selector(last, "(el) => el.getBoundingClientRect().bottom + window.scrollY")
    return {"x": 0, "y": top, "width": 390, "height": min(bottom - top, 1800)}
