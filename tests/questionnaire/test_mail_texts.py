"""A round's own invitation and reminder texts: placeholders checked, filled in, previewed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from questionnaire.mail.here import invitations_send
from questionnaire.mail.messages import INVITATION, REMINDER, mail_message
from questionnaire.mail.texts import doubled_parts, validate_placeholders
from questionnaire.models import Invitation
from questionnaire.services.rounds import invitation_url
from tests.conftest import admin_url, make_invitation, make_library, make_round

pytestmark = pytest.mark.django_db

OWN_TEXT = "Kære {bibliotek}\nSvar senest {frist} via {link}.\nSpørgsmål: {kontakt} ({runde})"


def test_an_unknown_placeholder_or_an_open_brace_is_refused_in_danish():
    validate_placeholders("Hej {bibliotek}, se {link} – {{ikke et felt}}")
    with pytest.raises(ValidationError) as error:
        validate_placeholders("Hej {biblioteket} og {navn}")
    assert error.value.messages == [
        "Ukendt felt {biblioteket}, {navn}. Du kan bruge: {bibliotek}, {link}, {frist}, {kontakt}, {runde}."
    ]
    with pytest.raises(ValidationError) as error:
        validate_placeholders("Hej {bibliotek")
    assert "ikke lukket" in error.value.messages[0]


def test_the_rounds_own_texts_are_filled_in_for_each_library(settings):
    settings.SURVEY_CONTACT_EMAIL = "undersoegelse@db.dk"
    round_ = make_round(
        title="Borgerservice 2027",
        closes_at=timezone.now() + timedelta(days=10),
        invitation_subject="Invitation til {bibliotek}",
        invitation_text=OWN_TEXT,
    )
    first = make_invitation(round=round_, library=make_library(name="Aabenraa <Bibliotekerne>", email="a@example.dk"))
    second = make_invitation(round=round_, library=make_library(name="Struer Bibliotek", email="s@example.dk"))

    invitations_send(round=round_)  # one run for the round: rendered once, filled in per library

    by_library = {message.to[0]: message for message in mail.outbox}
    assert by_library["a@example.dk"].subject == "Invitation til Aabenraa <Bibliotekerne>"
    assert "Kære Aabenraa <Bibliotekerne>" in by_library["a@example.dk"].body
    assert invitation_url(first) in by_library["a@example.dk"].body
    assert (
        "Kære Struer Bibliotek" in by_library["s@example.dk"].body
        and invitation_url(second) in by_library["s@example.dk"].body
    )
    assert "undersoegelse@db.dk (Borgerservice 2027)" in by_library["s@example.dk"].body
    deadline = date_format(timezone.localtime(round_.closes_at), "DATETIME_FORMAT")
    assert f"Svar senest {deadline} via" in by_library["s@example.dk"].body  # Danish time, as the deadline line
    html = by_library["a@example.dk"].alternatives[0][0]
    assert "Kære Aabenraa &lt;Bibliotekerne&gt;" in html and "<Bibliotekerne>" not in html
    # The shipped text is gone; the greeting, link button and signature stay around the round's own.
    assert "spørger alle folkebiblioteker" not in by_library["s@example.dk"].body
    assert "Danmarks Biblioteksforening" in by_library["s@example.dk"].body


def test_empty_texts_mean_the_shipped_danish_ones():
    round_ = make_round(title="Borgerservice 2027", reminder_text="Husk os, {bibliotek}!")
    invitation = make_invitation(round=round_, library=make_library(name="Vejle Bibliotekerne"))
    shipped = mail_message(invitation, INVITATION)
    assert shipped.subject == "Jeres bibliotek er inviteret til at deltage: Borgerservice 2027"
    assert "Danmarks Biblioteksforening spørger alle folkebiblioteker" in shipped.body
    reminder = mail_message(invitation, REMINDER)
    assert reminder.subject == "Påmindelse: Borgerservice 2027" and "Husk os, Vejle Bibliotekerne!" in reminder.body


def test_staff_see_the_mails_with_a_real_librarys_values_and_a_bad_placeholder_is_an_error(manager_client):
    round_ = make_round(slug="r2027", title="Borgerservice 2027", invitation_text="Kære {bibliotek}, se {link}")
    invitation = make_invitation(round=round_, library=make_library(name="Herning Bibliotekerne"))
    page = manager_client.get(admin_url("round_change", round_.pk)).content.decode()
    assert "Mailtekster" in page and "Kære Herning Bibliotekerne, se " + invitation_url(invitation) in page
    data = {
        "title": round_.title,
        "opens_at_0": "01.01.2027",
        "opens_at_1": "09:00",
        "closes_at_0": "",
        "closes_at_1": "",
        "reminder_days": "",
        "invitation_subject": "",
        "invitation_text": "Kære {navn}",
        "reminder_subject": "",
        "reminder_text": "",
        "questionnaire": round_.questionnaire_id,
    }
    refused = manager_client.post(admin_url("round_change", round_.pk), data)
    assert refused.status_code == 200 and "Ukendt felt {navn}" in refused.content.decode()
    round_.refresh_from_db()
    assert round_.invitation_text == "Kære {bibliotek}, se {link}"


@pytest.mark.parametrize(
    "hole",
    ["{bibliotek:>99999999}", "{bibliotek:d}", "{bibliotek!r}", "{bibliotek.__class__}", "{bibliotek[0]}", "{}", "{0}"],
)
def test_a_hole_with_more_than_a_name_is_refused_in_danish(hole):
    with pytest.raises(ValidationError) as error:
        validate_placeholders(f"Kære {{bibliotek}}, {hole}")
    assert error.value.messages == [
        f"{hole} kan ikke bruges: et felt er kun et ord i krøllede parenteser, fx {{bibliotek}}."
    ]


def test_a_text_saved_before_the_rules_prints_its_odd_holes_as_written_and_small():
    round_ = make_round(closes_at=timezone.now() + timedelta(days=10))
    # Written to the database directly, past the form's validation, as before the rules.
    round_.__class__.objects.filter(pk=round_.pk).update(
        invitation_subject="{bibliotek:>99999999}", invitation_text="Kære {bibliotek} {bibliotek:d} {0} {{ok}}"
    )
    round_.refresh_from_db()
    invitation = make_invitation(round=round_, library=make_library(name="Ærø Bibliotek"))
    message = mail_message(invitation, INVITATION)
    assert message.subject == "{bibliotek:>99999999}"
    assert "Kære Ærø Bibliotek {bibliotek:d} {0} {ok}" in message.body
    assert len(message.body) < 5000


# --- The preview on the round's form: a mail that cannot be made, live while typing, doubled parts ---------


def round_form(round_, **texts) -> dict:
    """The round's change form as staff post it, with *texts* for its mail texts."""
    return {
        "title": round_.title,
        "opens_at_0": "01.01.2027",
        "opens_at_1": "09:00",
        "closes_at_0": "",
        "closes_at_1": "",
        "reminder_days": "",
        "invitation_subject": "",
        "invitation_text": "",
        "reminder_subject": "",
        "reminder_text": "",
        "questionnaire": round_.questionnaire_id,
        **texts,
    }


def test_a_preview_mail_that_cannot_be_made_says_why_and_the_page_opens(manager_client):
    round_ = make_round(title="Borgerservice 2027")
    invitation = make_invitation(round=round_, library=make_library(name="Herning Bibliotekerne"))
    # A damaged token (as from a restore gone wrong): no link, so no mail can be made for the first library.
    Invitation.objects.filter(pk=invitation.pk).update(token="broken/token")

    page = manager_client.get(admin_url("round_change", round_.pk))

    assert page.status_code == 200
    assert page.content.decode().count("Mailen kunne ikke laves: Reverse for") == 2  # the invitation and the reminder


def preview(client, round_, **texts):
    return client.post(admin_url("round_mail_texts_preview", round_.pk), texts)


def test_the_preview_shows_the_draft_texts_as_the_real_mail_without_saving(manager_client):
    round_ = make_round(slug="r2027", title="Borgerservice 2027", reminder_text="Gemt tekst")
    invitation = make_invitation(round=round_, library=make_library(name="Herning <Bibliotekerne>"))

    answer = preview(
        manager_client,
        round_,
        invitation_subject="Til {runde}",
        invitation_text="Vi venter på <b>jer</b>, {bibliotek}.\nSpørg {nogen}.",
        reminder_text="Husk os, {bibliotek}.",
    )

    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    html = answer.json()["html"]
    draft = mail_message(invitation, INVITATION)  # the same function, with the texts saved
    assert (
        "Til Borgerservice 2027" in html
        and "Vi venter på &lt;b&gt;jer&lt;/b&gt;, Herning &lt;Bibliotekerne&gt;." in html
    )
    assert "<b>" not in html and invitation_url(invitation) in html and draft.subject not in html
    assert "Husk os, Herning &lt;Bibliotekerne&gt;." in html
    # A placeholder the mail cannot fill in is named in Danish, as on save.
    assert "Invitationens tekst: Ukendt felt {nogen}." in html
    round_.refresh_from_db()
    assert (round_.invitation_text, round_.reminder_text) == ("", "Gemt tekst")


def test_the_preview_is_for_staff_who_may_change_the_round_and_needs_post_and_csrf(client, reader_client, manager):
    round_ = make_round()
    make_invitation(round=round_)
    assert preview(reader_client, round_, invitation_text="x").status_code == 403
    reader_client.logout()
    assert preview(reader_client, round_, invitation_text="x").status_code == 302  # to the login
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(manager)
    assert preview(checked, round_, invitation_text="x").status_code == 403
    checked.get(admin_url("round_change", round_.pk))  # the form sets the CSRF cookie
    token = checked.cookies["csrftoken"].value
    assert preview(checked, round_, invitation_text="x", csrfmiddlewaretoken=token).status_code == 200
    assert checked.get(admin_url("round_mail_texts_preview", round_.pk)).status_code == 405


GREETED_TWICE = (
    "Teksten begynder med en hilsen (“Kære {bibliotek},”), men mailen begynder allerede med “Til {bibliotek}”"
)
LINK_TWICE = "Teksten indeholder {link}, men mailen giver allerede bibliotekets link under teksten"


@pytest.mark.parametrize(
    ("text", "greets", "links"),
    [
        ("Kære {bibliotek},\n\nSvar her: {link}", True, True),
        ("\n  Hej alle sammen!\nVi mangler jeres svar.", True, False),
        ("{bibliotek}:\nSvar inden {frist}.", True, False),
        ("Tilmeld jer inden {frist}. Linket står nedenfor.", False, False),
        ("Til lykke med de første svar fra hele landet i år, og tak for dem.", False, False),
        ("Vi mangler jeres svar, {bibliotek}.", False, False),
        ("Skriv {{link}} som tekst", False, False),
    ],
)
def test_a_text_that_greets_or_links_once_more_than_the_mail_is_pointed_out(text, greets, links):
    warnings = doubled_parts(text)
    assert any("hilst to gange" in w for w in warnings) == greets
    assert any("linket står der to gange" in w for w in warnings) == links


def test_a_greeting_or_link_twice_is_warned_of_in_the_preview_and_on_save_and_saved(manager_client):
    round_ = make_round(title="Borgerservice 2027")
    make_invitation(round=round_, library=make_library(name="Herning Bibliotekerne"))
    twice = "Kære {bibliotek},\n\nSvar her: {link}"

    html = preview(manager_client, round_, invitation_text=twice).json()["html"]
    assert f"Invitationens tekst: {GREETED_TWICE}" in html and f"Invitationens tekst: {LINK_TWICE}" in html
    assert (
        preview(manager_client, round_, invitation_text="Vi mangler jeres svar.")
        .json()["html"]
        .count("mail-text-warning")
        == 0
    )

    saved = manager_client.post(
        admin_url("round_change", round_.pk), round_form(round_, reminder_text=twice), follow=True
    )
    assert saved.status_code == 200
    warned = [str(m) for m in saved.context["messages"] if m.level_tag == "warning"]
    assert len(warned) == 2
    assert warned[0].startswith(f"Påmindelsens tekst: {GREETED_TWICE}")
    assert warned[1].startswith(f"Påmindelsens tekst: {LINK_TWICE}")
    round_.refresh_from_db()
    assert round_.reminder_text == twice  # a warning, not a refusal
