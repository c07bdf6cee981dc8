"""A staff member prepares next year's round in a real browser: Excel in and out, preview, try it, open the round.

Set AUTHORING_SHOTS to a directory to keep a screenshot (1280 px wide) of each page on the way.
"""

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from questionnaire.models import Invitation, Questionnaire, Round
from questionnaire.services.definition import install_default
from tests.browser.conftest import staff_page
from tests.conftest import make_library

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("AUTHORING_SHOTS")
NEW_LABEL = "Hvor mange betjeningssteder har biblioteket i alt?"


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def edit_workbook(path: Path, *, label=None, type_of_units=None) -> Path:
    workbook = load_workbook(path)
    ws = workbook["survey"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=2).value == "units")
    if label:
        ws.cell(row=row, column=3, value=label)
    if type_of_units:
        ws.cell(row=row, column=1, value=type_of_units)
    edited = path.with_name(f"edited-{type_of_units or 'label'}.xlsx")
    workbook.save(edited)
    return edited


def test_staff_upload_an_edited_workbook_preview_try_it_and_open_a_round(live_server, new_page, tmp_path):
    version_1 = install_default()
    make_library(name="Viborg Bibliotekerne")
    page, user = staff_page(new_page, live_server)

    # Download this year's questionnaire as a workbook.
    page.goto(f"{live_server.url}/admin/questionnaire/questionnaire/{version_1.pk}/change/")
    shot(page, "1-version")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som Excel").click()
    path = tmp_path / "borgerservice-v1.xlsx"
    download.value.save_as(path)
    assert load_workbook(path).sheetnames == ["survey", "choices", "settings"]

    # A bad edit first: every problem with its sheet, row and column; nothing installed.
    page.goto(f"{live_server.url}/admin/questionnaire/questionnaire/upload/")
    page.get_by_label("Excel-projektmappe").set_input_files(edit_workbook(path, type_of_units="tal"))
    page.get_by_role("button", name="Kontrollér projektmappen").click()
    problems = page.locator("#upload-problems")
    expect(problems).to_contain_text("Ukendt type »tal«")
    expect(problems).to_contain_text("survey")
    shot(page, "2-upload-problems")
    assert Questionnaire.objects.count() == 1

    # The real edit: a clearer label. The preview shows it and what changed; then install.
    page.get_by_label("Excel-projektmappe").set_input_files(edit_workbook(path, label=NEW_LABEL))
    page.get_by_role("button", name="Kontrollér projektmappen").click()
    expect(page.locator("#upload-preview")).to_contain_text(NEW_LABEL)
    expect(page.locator("#version-changes")).to_contain_text("Spørgsmålets tekst ændret")
    shot(page, "3-upload-preview")
    page.get_by_role("button", name="Installér som ny version").click()
    expect(page.get_by_text("Installeret som version 2.")).to_be_visible()
    version_2 = Questionnaire.objects.get(version=2)

    page.get_by_role("link", name="Hvad er ændret").click()
    expect(page.locator("#version-changes")).to_contain_text(NEW_LABEL)
    shot(page, "4-changes")

    # Try it as a library: the library's own pages, marked as a test.
    page.goto(f"{live_server.url}/admin/questionnaire/questionnaire/{version_2.pk}/change/")
    page.get_by_role("button", name="Prøv spørgeskemaet").click()
    expect(page.locator("[data-test-link]")).to_be_visible()
    expect(page.get_by_text("Viborg Bibliotekerne").first).to_be_visible()
    shot(page, "5-try-landing")
    page.get_by_role("link", name="Start spørgeskemaet").click()
    expect(page.get_by_label(NEW_LABEL)).to_be_visible()
    invitation = Invitation.objects.get(tested_by=user)
    assert invitation.is_test and invitation.round.questionnaire == version_2

    # Open next year's round on it, having seen what changed since the last round's version.
    Round.objects.create(slug="bs-2025", title="Runde 2025", questionnaire=version_1)
    page.goto(f"{live_server.url}/admin/questionnaire/questionnaire/{version_2.pk}/change/")
    page.get_by_role("link", name="Åbn en runde på denne version").click()
    expect(page.locator("#changes-before-round")).to_contain_text(NEW_LABEL)
    shot(page, "6-round-add")
    page.get_by_label("Titel").fill("Biblioteker og borgerservice 2026")
    page.get_by_label("Kortnavn").fill("bs-2026")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Round.objects.get(slug="bs-2026").questionnaire == version_2


def test_the_results_page_sets_a_round_beside_an_earlier_one(live_server, new_page, rounds):
    earlier, current = rounds
    page, _user = staff_page(new_page, live_server)
    page.goto(f"{live_server.url}/results/{current.slug}/")
    expect(page.locator("#reference-2009")).to_contain_text("2009")
    page.get_by_label("Sammenlign med").select_option(earlier.slug)
    page.get_by_role("form", name="Filtre").get_by_role("button", name="Vis").click()
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("Sammenlignet med Runde 2009")
    expect(comparison.locator("[data-comparison=services]")).to_contain_text("ikke spurgt")
    page.locator("#headline").scroll_into_view_if_needed()
    shot(page, "7-results-headline")
    comparison.scroll_into_view_if_needed()
    shot(page, "8-results-comparison")
    page.locator("[data-comparison=services]").scroll_into_view_if_needed()
    shot(page, "9-results-comparison-services")
