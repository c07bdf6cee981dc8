"""Every admin page works at 1280 px: nothing scrolls sideways, no list clips its columns.

The data is the demo's (98 libraries, a round with 40 submitted and 10 started responses)
and what a round gathers on the way: a closed round, mail batches with refusals in the
server's long words, a reopened and corrected response, a library with a long name and
address. Screenshots go to /tmp/polish-shots/ (POLISH_SHOTS to change) for a person to look at.
"""

import os
from pathlib import Path
from pprint import pformat

import pytest
from django.urls import reverse

from tests.conftest import admin_pages, demo_dataset, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("POLISH_SHOTS", "/tmp/polish-shots"))  # noqa: S108 – screenshots for people to look at

# Elements (deepest first) that reach past the window, or a list whose columns are cut off.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
    .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > width + 1))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''));
  const clipped = [...document.querySelectorAll('#changelist .results, .survey-scroll')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
  return {scroll: document.documentElement.scrollWidth, width, wide, clipped};
}"""


def test_no_admin_page_scrolls_sideways_at_1280_px(live_server, new_page, settings):
    demo, earlier, batch, response = demo_dataset(settings)
    pages = admin_pages(demo, earlier, batch, response)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Brugernavn").fill("db-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="Gennemfør undersøgelsen").wait_for()

    problems = {}
    for name, url in pages.items():
        answer = page.goto(live_server.url + url)
        assert answer.status == 200, (name, url, answer.status)
        found = page.evaluate(OVERFLOW)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if found["scroll"] > found["width"] or found["clipped"]:
            problems[name] = found
    assert problems == {}, pformat(problems)
    assert len(pages) > 30


def test_the_breadcrumb_links_are_underlined_not_told_by_colour_alone(live_server, new_page, settings):
    make_staff(username="db-staff", password="a-long-test-password", is_superuser=True)
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Brugernavn").fill("db-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.goto(live_server.url + reverse("admin:questionnaire_library_changelist"))

    decoration = page.evaluate("getComputedStyle(document.querySelector('div.breadcrumbs a')).textDecorationLine")
    assert decoration == "underline"  # WCAG 1.4.1: the link is told from the text by more than colour
