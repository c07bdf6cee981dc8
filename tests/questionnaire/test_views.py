import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from questionnaire.models import Invitation, Mail, MailKind, MailStatus, Response
from tests.conftest import (
    ACTIVE_ANSWERS,
    NOT_STARTED_ANSWERS,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    page_queries,
    stored_answers,
    work_off,
)

pytestmark = pytest.mark.django_db

LIBRARY_PAGE = {"respondent_name": "Hanne Jensen", "respondent_email": "hanne@example.com", "units": "3"}


def section_url(invitation, code):
    return reverse("questionnaire:section", args=[invitation.token, code])


def post(client, invitation, code, data, action="next"):
    return client.post(section_url(invitation, code), {**data, "action": action})


def text(response):
    return response.content.decode()


# --- Landing and links ------------------------------------------------------------


def test_landing_names_library_round_deadline_purpose_and_who_sees_answers(client):
    closes = timezone.make_aware(timezone.datetime(2030, 9, 30, 23, 59))
    invitation = make_invitation(
        round=make_round(title="Biblioteker og borgerservice 2009", closes_at=closes),
        library=make_library(name="Aabenraa Bibliotekerne"),
    )
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    body = text(page)
    assert "Aabenraa Bibliotekerne" in body and "Biblioteker og borgerservice 2009" in body
    assert "30. september 2030" in body
    assert "Hvad undersøgelsen skal bruges til" in body and "Hvem ser svarene" in body
    assert "Start spørgeskemaet" in body
    assert f"http://testserver/s/{invitation.token}/" in body  # to bookmark
    assert Invitation.objects.get(pk=invitation.pk).first_opened_at is not None


def test_after_staff_reopen_the_landing_page_says_so_and_why(client):
    from questionnaire.services.corrections import response_reopen
    from tests.conftest import make_staff

    invitation = make_invitation()
    response = answer_all(invitation, ACTIVE_ANSWERS)
    draft = make_invitation(round=invitation.round)
    answer_all(draft, {"respondent_name": "Bo"}, submit=False)
    response_reopen(response=response, user=make_staff(), reason="Tallene for økonomi mangler.")

    body = text(client.get(invitation.get_absolute_url()))
    assert "Jeres svar er åbnet igen" in body
    assert "Tallene for økonomi mangler." in body
    assert re.search(r"åbnede jeres indsendte svar igen den \d{1,2}\. \w+ \d{4} kl\. \d\d:\d\d", body)
    # A draft that nobody reopened says nothing of the kind.
    assert "åbnet igen" not in text(client.get(draft.get_absolute_url()))


DANISH_DATETIME = "15. december 2030 kl. 23:59"


def test_respondent_pages_write_date_and_time_one_way(client):
    closes = timezone.make_aware(timezone.datetime(2030, 12, 15, 23, 59))
    invitation = make_invitation(round=make_round(closes_at=closes))
    answer_all(invitation, {"respondent_name": "Bo"}, submit=False)
    Response.objects.filter(invitation=invitation).update(last_saved_at=closes - timedelta(days=1))
    landing = text(client.get(invitation.get_absolute_url()))
    assert DANISH_DATETIME in landing and "14. december 2030 kl. 23:59" in landing

    not_open = make_invitation(round=make_round(opens_at=closes, closes_at=closes + timedelta(days=9)))
    assert DANISH_DATETIME in text(client.get(not_open.get_absolute_url()))

    done = make_invitation(round=invitation.round)
    answer_all(done, ACTIVE_ANSWERS)
    Response.objects.filter(invitation=done).update(submitted_at=closes)
    assert f"blev indsendt den {DANISH_DATETIME}" in text(client.get(done.get_absolute_url()))


def test_every_page_links_the_icon_and_favicon_ico_answers(client, invitation):
    assert 'rel="icon"' in text(client.get(invitation.get_absolute_url()))
    assert 'rel="icon"' in text(client.get(reverse("admin:login")))
    found = client.get("/favicon.ico", follow=True)
    assert found.status_code == 200 and found.redirect_chain[0][0].endswith("questionnaire/favicon.ico")
    assert b"".join(found.streaming_content).startswith(b"\x00\x00\x01\x00")  # an .ico file


@pytest.mark.parametrize("token", ["nonsense", "A" * 43, "../../admin"])
def test_unknown_links_get_the_same_danish_404(client, token, invitation):
    page = client.get(f"/s/{token}/")
    assert page.status_code == 404
    assert "Linket er ikke gyldigt" in text(page)


@pytest.mark.parametrize(
    "path",
    [
        "/s/nonsense/",
        "/s/nonsense",
        "/s/{token}/nosuchpage/",
        "/s/{token}x/review/",
        "/s/{token}/section/nosuch/",
        "/s/",
    ],
)
def test_a_mistyped_link_is_the_products_404_in_debug_too(client, settings, invitation, path):
    """Under DEBUG (make run), Django would answer with its English page listing the URL patterns."""
    settings.DEBUG = True
    settings.SURVEY_CONTACT_EMAIL = "survey@db.example"
    page = client.get(path.format(token=invitation.token), follow=True)
    assert page.status_code == 404
    html = text(page)
    assert "Linket er ikke gyldigt" in html and "Page not found" not in html and "URLconf" not in html
    assert 'href="mailto:survey@db.example"' in html and "bibliotekets navn" in html


def test_a_link_cut_before_its_last_slash_still_leads_to_the_landing_page(client, invitation):
    assert client.get(f"/s/{invitation.token}", follow=True).redirect_chain == [(invitation.get_absolute_url(), 301)]


def test_a_staff_member_looking_at_a_librarys_link_does_not_open_it(client, invitation):
    from tests.conftest import make_staff

    client.force_login(make_staff())
    page = text(client.get(invitation.get_absolute_url()))
    invitation.refresh_from_db()
    assert invitation.first_opened_at is None
    assert "dit besøg tæller ikke" in page
    client.logout()
    client.get(invitation.get_absolute_url())
    invitation.refresh_from_db()
    assert invitation.first_opened_at is not None


def test_the_admins_view_on_site_leaves_the_tracking_as_it_was(client, invitation):
    """The admin's "Se på website" goes through Django's shortcut to the personal link, signed in."""
    from django.contrib.contenttypes.models import ContentType

    from questionnaire.services.follow import invitation_status
    from tests.conftest import make_staff

    before = invitation_status(invitation)
    client.force_login(make_staff(is_superuser=True))
    change = text(client.get(reverse("admin:questionnaire_invitation_change", args=[invitation.pk])))
    shortcut = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Invitation).pk, invitation.pk])
    assert f'href="{shortcut}"' in change
    landing = client.get(shortcut, follow=True)
    assert landing.redirect_chain[-1][0].endswith(invitation.get_absolute_url()) and landing.status_code == 200
    invitation.refresh_from_db()
    assert invitation.first_opened_at is None and invitation_status(invitation) == before


def test_closed_round_says_so_in_danish_and_saves_nothing(client):
    invitation = make_invitation(round=make_round(closes_at=timezone.now() - timedelta(days=1)))
    assert "Undersøgelsen er lukket" in text(client.get(invitation.get_absolute_url()))
    late = post(client, invitation, "library", LIBRARY_PAGE)
    assert late.status_code == 403 and "Undersøgelsen er lukket" in text(late)
    assert stored_answers(invitation) == {}


def test_after_closing_a_library_that_submitted_still_sees_its_answers_read_only(client):
    invitation = make_invitation()
    answer_all(invitation, ACTIVE_ANSWERS)
    invitation.round.closes_at = timezone.now() - timedelta(days=1)
    invitation.round.save()
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    body = text(page)
    assert "Undersøgelsen lukkede" in body and "Jeres indsendte svar" in body
    assert "Hanne Jensen" in body and "Ja, biblioteket har borgerserviceaktiviteter" in body
    assert "<form" not in body.split("<main", 1)[1]  # nothing to change
    late = post(client, invitation, "library", {**LIBRARY_PAGE, "respondent_name": "Ændret"})
    assert late.status_code == 403 and "Undersøgelsen er lukket" in text(late)
    assert stored_answers(invitation)["respondent_name"] == "Hanne Jensen"


def test_round_not_yet_open_says_when_it_opens(client):
    invitation = make_invitation(round=make_round(opens_at=timezone.now() + timedelta(days=3)))
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 403 and "Undersøgelsen er ikke åbnet endnu" in text(page)


# --- Going through the questionnaire ------------------------------------------------


def test_next_saves_the_section_and_goes_on(client, invitation):
    page = post(client, invitation, "library", LIBRARY_PAGE)
    assert page.status_code == 302 and page.url == section_url(invitation, "status")
    assert stored_answers(invitation) == {
        "respondent_name": "Hanne Jensen",
        "respondent_email": "hanne@example.com",
        "units": 3,
    }


def test_the_active_path_goes_through_every_model_section_to_review(client, invitation):
    post(client, invitation, "library", LIBRARY_PAGE)
    page = post(client, invitation, "status", {"status": "active", "started_year": "2007"})
    assert page.url == section_url(invitation, "models")
    page = post(
        client,
        invitation,
        "models",
        {"models": ["model_3", "other"], "models_other": "Infodisk", "primary_model": "model_3"},
    )
    assert page.url == section_url(invitation, "services")
    for code, nxt in [
        ("services", "staff"),
        ("staff", "economy"),
        ("economy", "organisation"),
        ("organisation", "experience"),
    ]:
        assert post(client, invitation, code, {}).url == section_url(invitation, nxt)
    assert post(client, invitation, "experience", {}).url == reverse("questionnaire:review", args=[invitation.token])
    assert stored_answers(invitation)["models"] == ["model_3", "other"]


def test_the_page_counter_names_both_totals_until_the_path_is_settled_then_counts_it(client, invitation):
    def counter(url):
        return re.search(r'id="progress-label">([^<]+)<', text(client.get(url))).group(1)

    assert counter(section_url(invitation, "library")) == "Side 1 af 4 eller 9, afhængigt af jeres svar"
    post(client, invitation, "library", LIBRARY_PAGE)
    assert counter(section_url(invitation, "status")) == "Side 2 af 4 eller 9, afhængigt af jeres svar"
    post(client, invitation, "status", {"status": "active", "started_year": "2005"})
    assert counter(section_url(invitation, "models")) == "Side 3 af 9"
    assert counter(section_url(invitation, "library")) == "Side 1 af 9"
    post(client, invitation, "status", {"status": "not_started"})
    assert counter(section_url(invitation, "plans")) == "Side 3 af 4"
    assert counter(reverse("questionnaire:review", args=[invitation.token])) == "Side 4 af 4"


def test_the_not_started_path_skips_the_model_sections_and_asks_plans(client, invitation):
    post(client, invitation, "library", LIBRARY_PAGE)
    page = post(client, invitation, "status", {"status": "not_started", "started_year": "2005"})
    assert page.url == section_url(invitation, "plans")
    assert "started_year" not in stored_answers(invitation)  # hidden by the answer on the same page
    models = client.get(section_url(invitation, "models"))
    assert models.status_code == 302 and models.url == section_url(invitation, "plans")
    # A tampered post to a hidden section saves nothing.
    post(client, invitation, "models", {"models": ["model_1"], "primary_model": "model_1"})
    assert "models" not in stored_answers(invitation)
    assert post(client, invitation, "plans", {"plans": "later"}).url == reverse(
        "questionnaire:review", args=[invitation.token]
    )


def test_back_saves_and_returns_to_the_previous_section(client, invitation):
    post(client, invitation, "library", LIBRARY_PAGE)
    page = post(client, invitation, "status", {"status": "active"}, action="back")
    assert page.url == section_url(invitation, "library")
    assert stored_answers(invitation)["status"] == "active"


def test_save_for_later_keeps_incomplete_answers_and_resumes_there(client, invitation):
    page = post(client, invitation, "library", {"respondent_name": "Hanne"}, action="save")
    assert page.url == invitation.get_absolute_url()
    landing = client.get(page.url)
    assert "Jeres svar er gemt" in text(landing)
    assert f'href="{section_url(invitation, "library")}"' in text(landing)
    assert "Fortsæt" in text(landing)
    assert stored_answers(invitation) == {"respondent_name": "Hanne"}


def test_unknown_section_is_404(client, invitation):
    assert client.get(section_url(invitation, "nosuchsection")).status_code == 404


# --- Bad input ----------------------------------------------------------------------


def test_missing_required_answers_are_named_in_danish_and_nothing_is_lost(client, invitation):
    page = post(client, invitation, "library", {"respondent_title": "Bibliotekar"})
    assert page.status_code == 200
    body = text(page)
    assert "Ret venligst følgende" in body and body.count("Besvar venligst dette spørgsmål.") >= 3
    assert 'value="Bibliotekar"' in body
    assert stored_answers(invitation) == {}


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("status", {"status": "hacked"}, "Marker en gyldig valgmulighed"),
        ("models", {"models": ["model_9"], "primary_model": "model_1"}, "Marker en gyldig valgmulighed"),
        ("library", {**LIBRARY_PAGE, "units": "500"}, "Angiv et tal mellem 1 og 200"),
        ("library", {**LIBRARY_PAGE, "units": "tre"}, "Indtast et heltal"),
        ("library", {**LIBRARY_PAGE, "respondent_email": "hanne@"}, "gyldig e-mail-adresse"),
        ("library", {**LIBRARY_PAGE, "respondent_name": "x" * 501}, "højst have 500 tegn"),
        (
            "status",
            {"status": "active", "started_year": "1900"},
            f"Angiv et tal mellem 1995 og {timezone.localdate().year}",
        ),
    ],
)
def test_bad_input_gets_a_danish_field_error_and_saves_nothing(client, code, data, message):
    invitation = make_invitation()
    answer_all(invitation, {**ACTIVE_ANSWERS}, submit=False)
    before = stored_answers(invitation)
    page = post(client, invitation, code, data)
    assert page.status_code == 200
    assert message in text(page)
    assert stored_answers(invitation) == before


def test_typed_values_are_kept_when_another_field_is_wrong(client, invitation):
    page = post(client, invitation, "library", {**LIBRARY_PAGE, "respondent_email": "ikke-en-adresse"})
    assert 'value="Hanne Jensen"' in text(page) and 'value="ikke-en-adresse"' in text(page)


class Inputs(HTMLParser):
    """The form's inputs and the elements with an id, as a browser's accessibility tree sees them."""

    def __init__(self):
        super().__init__()
        self.inputs, self.ids, self.fieldsets, self._open = [], {}, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
        if tag == "fieldset":
            self.fieldsets.append(attrs)
        if "id" in attrs:
            self._open.append(attrs["id"])
            self.ids[attrs["id"]] = ""

    def handle_data(self, data):
        for element_id in self._open:
            self.ids[element_id] += data

    def handle_endtag(self, tag):
        if tag in ("div", "p") and self._open:
            self._open.pop()


def inputs_of(page):
    parser = Inputs()
    parser.feed(text(page))
    return parser


def test_a_returning_library_sees_exactly_its_stored_choices_checked(client, invitation):
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    page = inputs_of(client.get(section_url(invitation, "models")))
    checked = {(i["name"], i["value"]) for i in page.inputs if "checked" in i}
    assert checked == {
        ("models", "model_3"),
        ("models", "model_4"),
        ("primary_model", "model_3"),
        ("locations", "main_library"),
    }
    ids = [i["id"] for i in page.inputs if i.get("name") == "models"]
    assert len(ids) == len(set(ids)) == 7  # one label target per choice


def test_an_unanswered_choice_group_points_screen_readers_at_its_error(client, invitation):
    answer_all(invitation, {"status": "active"}, submit=False)
    page = inputs_of(post(client, invitation, "models", {"locations": ["branches"]}))
    group = next(f for f in page.fieldsets if "id_primary_model_error" in f.get("aria-describedby", ""))
    described = [page.ids[i] for i in group["aria-describedby"].split()]
    assert any("Besvar venligst dette spørgsmål." in d for d in described)
    radios = [i for i in page.inputs if i.get("name") == "primary_model"]
    assert radios and all(i.get("aria-invalid") == "true" for i in radios)
    kept = [i["value"] for i in page.inputs if i.get("name") == "locations" and "checked" in i]
    assert kept == ["branches"]  # what was ticked stays ticked


def test_danish_thousands_separators_are_understood(client, invitation):
    answer_all(invitation, {"status": "active"}, submit=False)
    post(client, invitation, "economy", {"resources_dkk": "1.250.000"})
    assert stored_answers(invitation)["resources_dkk"] == 1250000


def test_fields_that_are_not_questions_are_ignored(client, invitation):
    post(client, invitation, "library", {**LIBRARY_PAGE, "status": "active", "is_submitted": "1"})
    assert "status" not in stored_answers(invitation)


def test_hostile_text_is_stored_as_typed_and_escaped_when_shown(client, invitation):
    hostile = '<script>alert("x")</script>=HYPERLINK("http://evil")'
    answer_all(invitation, {**NOT_STARTED_ANSWERS, "respondent_name": hostile}, submit=False)
    assert stored_answers(invitation)["respondent_name"] == hostile
    body = text(client.get(reverse("questionnaire:review", args=[invitation.token])))
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_a_post_without_csrf_token_is_refused(invitation):
    from django.test import Client

    page = Client(enforce_csrf_checks=True).post(section_url(invitation, "library"), LIBRARY_PAGE)
    assert page.status_code == 403
    assert stored_answers(invitation) == {}


# --- Review, submit, receipt ----------------------------------------------------------


def test_review_lists_answers_with_labels_and_change_links(client, invitation):
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    body = text(client.get(reverse("questionnaire:review", args=[invitation.token])))
    assert "Hanne Jensen" in body
    assert "Model 3: Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk" in body
    assert "250.000" in body
    assert section_url(invitation, "economy") in body
    assert "Indsend svarene" in body and "disabled" not in body.split("Indsend svarene")[0][-200:]


def test_submit_with_missing_answers_goes_back_to_review_and_says_what_is_missing(client, invitation):
    answer_all(invitation, {k: v for k, v in ACTIVE_ANSWERS.items() if k != "units"}, submit=False)
    page = client.post(reverse("questionnaire:submit", args=[invitation.token]), follow=True)
    body = text(page)
    assert "Nogle obligatoriske spørgsmål er endnu ikke besvaret" in body
    assert "Hvor mange betjeningssteder" in body
    assert not Response.objects.get(invitation=invitation).is_submitted


def test_submit_shows_a_danish_receipt_and_the_link_then_shows_answers_read_only(client, invitation):
    answer_all(invitation, NOT_STARTED_ANSWERS, submit=False)
    page = client.post(reverse("questionnaire:submit", args=[invitation.token]), follow=True)
    assert "Tak for jeres svar!" in text(page)
    response = Response.objects.get(invitation=invitation)
    assert response.is_submitted
    again = client.get(invitation.get_absolute_url())
    assert "Tak for jeres svar!" in text(again) and "Per Månson" in text(again)
    assert "<form" not in text(again)
    # A second submit and a late post change nothing.
    client.post(reverse("questionnaire:submit", args=[invitation.token]))
    late = post(client, invitation, "plans", {"plans": "no_plans"})
    assert late.status_code == 302
    assert Response.objects.get(pk=response.pk).submitted_at == response.submitted_at
    assert stored_answers(invitation)["plans"] == "later"


# --- Queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["landing", "section", "review"])
def test_query_count_does_not_grow_with_answers(client, page):
    empty, full = make_invitation(), make_invitation()
    answer_all(full, {**ACTIVE_ANSWERS, "services": ["passport", "tax", "pension", "daycare", "bills"]}, submit=False)
    answer_all(empty, {"status": "active"}, submit=False)

    def url(invitation):
        if page == "section":
            return section_url(invitation, "services")
        if page == "review":
            return reverse("questionnaire:review", args=[invitation.token])
        return invitation.get_absolute_url()

    for invitation in (empty, full):  # the first visit marks the link opened; the process loads the version
        client.get(url(invitation))
    assert page_queries(client, url(empty), (200, 302)) == page_queries(client, url(full), (200, 302)) <= 4


def test_a_lost_database_gives_a_danish_503_and_saves_nothing(client, invitation, monkeypatch):
    from django.db import OperationalError

    from questionnaire.services import answers as services

    answer_all(invitation, {"respondent_name": "Før"}, submit=False)

    def lost_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.Answer.objects, "bulk_create", lost_connection)
    page = post(client, invitation, "library", LIBRARY_PAGE)
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Undersøgelsen er kortvarigt utilgængelig" in text(page) and "blev ikke gemt" in text(page)
    monkeypatch.undo()
    assert stored_answers(invitation) == {"respondent_name": "Før"}  # the half-done save was rolled back
    assert post(client, invitation, "library", LIBRARY_PAGE).status_code == 302  # sending again works
    assert stored_answers(invitation)["respondent_name"] == "Hanne Jensen"


def test_an_unknown_action_is_judged_as_next(client, invitation):
    page = post(client, invitation, "library", {"respondent_title": "Bibliotekar"}, action="skip-validation")
    assert page.status_code == 200 and "Besvar venligst dette spørgsmål." in text(page)
    assert stored_answers(invitation) == {}


def test_submitting_mails_a_danish_receipt_with_the_answers_once(client, mailoutbox):
    invitation = make_invitation(library=make_library(name="Viborg <Bibliotekerne>", email="viborg@example.dk"))
    answer_all(invitation, {**NOT_STARTED_ANSWERS, "plans_comment": "<b>Giv tid!</b>"}, submit=False)
    client.post(reverse("questionnaire:submit", args=[invitation.token]))
    client.post(reverse("questionnaire:submit", args=[invitation.token]))  # a double click
    assert mailoutbox == []  # the submit does not wait on the mail server
    receipt_page = client.get(reverse("questionnaire:landing", args=[invitation.token]), follow=True)
    assert "En kopi af svarene sendes til per@example.com, viborg@example.dk." in text(receipt_page)
    work_off()

    assert len(mailoutbox) == 1
    receipt = mailoutbox[0]
    assert receipt.to == ["per@example.com", "viborg@example.dk"]
    assert receipt.subject == f"Tak for jeres svar på »{invitation.round.title}«"  # one dash at most: the title's own
    submitted = Response.objects.get(invitation=invitation).submitted_at
    assert timezone.localtime(submitted).strftime("%H:%M") in receipt.body
    assert "Planlægger I at indlede et samarbejde med borgerservice?" in receipt.body
    assert "Ja, senere" in receipt.body and "<b>Giv tid!</b>" in receipt.body  # plain text, as typed
    html = receipt.alternatives[0][0]
    assert "&lt;b&gt;Giv tid!&lt;/b&gt;" in html and "<b>Giv tid!</b>" not in html
    assert "Viborg &lt;Bibliotekerne&gt;" in html


def test_a_failing_mail_server_does_not_undo_the_submission(client, invitation, settings):
    settings.EMAIL_BACKEND = "tests.questionnaire.test_views.BrokenBackend"
    answer_all(invitation, NOT_STARTED_ANSWERS, submit=False)
    page = client.post(reverse("questionnaire:submit", args=[invitation.token]), follow=True)
    assert "Tak for jeres svar!" in text(page)
    assert Response.objects.get(invitation=invitation).is_submitted
    work_off()
    receipt = Mail.objects.get(invitation=invitation, kind=MailKind.RECEIPT)
    assert receipt.status == MailStatus.RETRY and "the mail server is down" in receipt.error


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_template_syntax_in_questionnaire_text_is_shown_as_text(client, invitation):
    from questionnaire.models import Choice

    Choice.objects.filter(question__questionnaire=invitation.round.questionnaire, code="active").update(
        label="Ja {{ invitation.token }} {% now 'Y' %}"
    )
    body = text(client.get(section_url(invitation, "status"))).replace("&#123;", "{").replace("&#125;", "}")
    note = body.split('class="condition-note')[1].split("</p>")[0]
    assert "Ja {{ invitation.token }} {% now &#x27;Y&#x27; %}" in note
