"""Headless Chromium from Debian, driven by Playwright, against pytest-django's live server."""

import os
import shutil

import pytest
from django.contrib.auth.models import User
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Offline machines: keep Chromium from calling home at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Return a function that opens a page in a fresh browser context (a new device, no cookies)."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(locale="da-DK", viewport=viewport or {"width": 1100, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_violations(page, impacts=("minor", "moderate", "serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.1 AA rules) on *page*; return its violations of the given *impacts*."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in impacts
    ]


def serious_accessibility_violations(page) -> list[str]:
    """Return *page*'s serious and critical violations of WCAG 2.1 AA (axe-core)."""
    return accessibility_violations(page, impacts=("serious", "critical"))


def staff_page(new_page, live_server):
    """Return a page logged in as a staff superuser (the session made by Django's test client)."""
    user = User.objects.create_superuser("dbstaff", "staff@example.com", "a-long-test-password")
    client = Client()
    client.force_login(user)
    page = new_page(viewport={"width": 1280, "height": 900})
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page, user
