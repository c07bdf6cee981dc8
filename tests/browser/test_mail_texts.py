"""A round's mail texts: the preview follows what staff type, before they save (issue 22)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from questionnaire.models import Round
from tests.browser.conftest import staff_page
from tests.conftest import make_invitation, make_library, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mail_preview_changes_as_staff_type_and_warns_of_a_greeting_twice(live_server, new_page):
    round_ = make_round(title="Borgerservice 2027")
    make_invitation(round=round_, library=make_library(name="Herning Bibliotekerne"))
    page, _staff = staff_page(new_page, live_server)
    page.goto(live_server.url + reverse("admin:questionnaire_round_change", args=[round_.pk]))
    preview = page.locator("#mail-preview")
    expect(preview).to_contain_text("Danmarks Biblioteksforening spørger alle folkebiblioteker")  # the shipped text

    page.locator("#id_invitation_text").press_sequentially("Kære {bibliotek}\nVi venter på <jeres> svar.")

    expect(preview).to_contain_text("Vi venter på <jeres> svar.")
    expect(preview).not_to_contain_text("Danmarks Biblioteksforening spørger alle folkebiblioteker")
    expect(preview.locator(".mail-text-warning")).to_contain_text("biblioteket bliver hilst to gange")
    page.locator("#id_invitation_text").press_sequentially(" Spørg {nogen}.")
    expect(preview.locator(".errornote")).to_contain_text("Ukendt felt {nogen}")
    assert Round.objects.get(pk=round_.pk).invitation_text == ""  # nothing saved
