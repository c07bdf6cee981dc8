"""Interviews in the admin (questionnaire.admin.interviews) and their personal data when a round is anonymised."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from questionnaire.models import CaseStory, Interview, InterviewQuote, Municipality, QuoteConsent, Round
from questionnaire.services.personal_data import holds_personal_data, round_anonymise
from tests.conftest import make_round


@pytest.fixture
def interviewed(db):
    round_ = make_round(slug="bs-int", closes_at=timezone.now() - timedelta(days=1))
    viborg = Municipality.objects.get(code="791")
    named = Interview.objects.create(round=round_, name="Hanne Jensen", title="Borgerservicechef", municipality=viborg)
    InterviewQuote.objects.create(interview=named, text="Giv tid!", consent=QuoteConsent.NAMED)
    unnamed = Interview.objects.create(round=round_, name="Per Månson", title="Bibliotekar", municipality=viborg)
    InterviewQuote.objects.create(interview=unnamed, text="Anonymt.", consent=QuoteConsent.ANONYMOUS)
    silent = Interview.objects.create(round=round_, name="Mette Caspersen", municipality=viborg, notes="Noter")
    return round_, named, unnamed, silent


def test_anonymising_keeps_only_names_with_named_consent(interviewed):
    round_, named, unnamed, silent = interviewed
    assert Round.objects.annotate(personal=holds_personal_data()).get(pk=round_.pk).personal
    round_anonymise(round=round_)
    for interview in (named, unnamed, silent):
        interview.refresh_from_db()
    assert (named.name, named.title) == ("Hanne Jensen", "Borgerservicechef")
    assert (unnamed.name, unnamed.title) == ("", "")
    assert (silent.name, silent.notes) == ("", "Noter")
    assert unnamed.quotes.get().text == "Anonymt."  # the quote stays, anonymous as it was
    assert not Round.objects.annotate(personal=holds_personal_data()).get(pk=round_.pk).personal


def test_an_interview_needs_a_library_or_a_municipality(db):
    interview = Interview(round=make_round(), name="X")
    with pytest.raises(Exception, match="bibliotek eller den kommune"):
        interview.full_clean()


def test_manager_adds_an_interview_with_themed_quotes(manager_client, interviewed):
    round_ = interviewed[0]
    url = reverse("admin:questionnaire_interview_add")
    page = manager_client.get(url).content.decode()
    assert "Kulturforskelle og forskellige opfattelser af service" in page  # the challenges, as checkboxes
    response = manager_client.post(
        url,
        {
            "round": round_.pk,
            "name": "Marianne Karlsen",
            "title": "Borgerservicechef",
            "municipality": Municipality.objects.get(code="860").pk,
            "held_on": "2009-09-10",
            "interviewer": "Hanne Marie Knudsen",
            "notes": "",
            "quotes-TOTAL_FORMS": "1",
            "quotes-INITIAL_FORMS": "0",
            "quotes-0-text": "Vi har fingeren på pulsen!",
            "quotes-0-consent": "named",
            "quotes-0-themes": ["culture", "routines"],
            "quotes-0-other_themes": "Brugerundersøgelser",
            "quotes-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    quote = InterviewQuote.objects.get(text="Vi har fingeren på pulsen!")
    assert quote.themes == ["culture", "routines"] and quote.other_theme_list == ["Brugerundersøgelser"]
    assert (
        "Marianne Karlsen" in manager_client.get(reverse("admin:questionnaire_interview_changelist")).content.decode()
    )


def test_case_story_names_its_model_in_danish(manager_client, interviewed):
    round_ = interviewed[0]
    CaseStory.objects.create(round=round_, title="Case fra Aabenraa", model="model_3", text="Punkt")
    page = manager_client.get(reverse("admin:questionnaire_casestory_changelist")).content.decode()
    assert "Model 3: Udvalgte opgaver" in page
    form = manager_client.get(reverse("admin:questionnaire_casestory_add")).content.decode()
    assert "Model 1: Borgerserviceopgaver" in form


def test_readers_may_only_look(reader_client, interviewed):
    assert reader_client.get(reverse("admin:questionnaire_interview_changelist")).status_code == 200
    assert reader_client.get(reverse("admin:questionnaire_interview_add")).status_code == 403
