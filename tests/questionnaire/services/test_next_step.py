"""A round's next step on the staff start page: the first step of register → round → mail texts →
invitations → follow → results → report not yet done, with the page that does it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from questionnaire.models import Round
from questionnaire.services.follow import Progress
from questionnaire.services.next_step import next_step

NOW = timezone.now()


def a_round(**kwargs) -> Round:
    kwargs.setdefault("opens_at", NOW - timedelta(days=14))
    kwargs.setdefault("closes_at", NOW + timedelta(days=30))
    return Round(pk=7, slug="runde-2009", title="Runde 2009", **kwargs)


def step(round_, *, now=NOW, register_empty=False, **counts):
    with translation.override("da"):
        return next_step(round_, Progress("", **counts), now=now, register_empty=register_empty)


def test_an_open_round_without_invitations_invites_the_libraries_from_its_overview():
    result = step(a_round())
    assert (result.key, result.label) == ("invitations", "Inviter bibliotekerne")
    assert result.url == reverse("admin:questionnaire_round_overview", args=[7])


def test_invitations_not_yet_sent_are_sent_next():
    result = step(a_round(), invited=10, sent=4)
    assert (result.key, result.label) == ("send", "Send invitationerne")
    assert result.url == reverse("admin:questionnaire_round_send_invitations", args=[7])
    assert result.note == "6 biblioteker har ikke fået deres invitation."


def test_a_week_before_the_deadline_a_reminder_is_next_while_libraries_have_not_submitted():
    near = a_round(closes_at=NOW + timedelta(days=6))
    result = step(near, invited=10, sent=10, submitted=7)
    assert (result.key, result.label) == ("reminder", "Send påmindelse")
    assert result.url == reverse("admin:questionnaire_round_send_reminders", args=[7])
    assert "3 biblioteker har ikke indsendt" in result.note
    # Every library has submitted: nothing to remind of.
    assert step(near, invited=10, sent=10, submitted=10).key == "follow"
    # Far from the deadline the answers are followed.
    far = step(a_round(closes_at=NOW + timedelta(days=8)), invited=10, sent=10, submitted=7)
    assert (far.key, far.label) == ("follow", "Følg besvarelserne")


def test_a_closed_round_shows_its_results_then_its_personal_data_is_removed_when_due():
    closed = a_round(opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=1))
    result = step(closed, invited=10, sent=10, submitted=3)
    assert (result.key, result.label) == ("results", "Se resultaterne")
    assert result.url == reverse("results:round", args=["runde-2009"])

    long_ago = a_round(opens_at=NOW - timedelta(days=800), closes_at=NOW - timedelta(days=700))
    assert step(long_ago, invited=10).key == "personal_data"
    long_ago.personal_data_removed_at = NOW - timedelta(days=10)
    assert step(long_ago, invited=10).key == "results"


def test_a_round_not_yet_open_reads_its_mail_texts_then_invites_then_is_tried():
    upcoming = a_round(opens_at=NOW + timedelta(days=3))
    result = step(upcoming)
    assert (result.key, result.label) == ("mail_texts", "Læs mailteksterne igennem")
    assert result.url == reverse("admin:questionnaire_round_change", args=[7])
    assert "standardteksterne" in result.note

    upcoming.invitation_text = "Kære {bibliotek}"
    assert step(upcoming).key == "invitations"
    assert step(upcoming, invited=5).key == "round"


def test_an_empty_register_comes_first():
    result = step(a_round(), register_empty=True)
    assert (result.key, result.label) == ("register", "Udfyld biblioteksregistret")
    assert result.url == reverse("admin:questionnaire_library_changelist")
    # Once invited, the register no longer holds the round up.
    assert step(a_round(), register_empty=True, invited=3, sent=3).key == "follow"


@pytest.mark.parametrize("days", [0, 5, 20])
def test_every_step_names_a_page(days):
    result = step(a_round(opens_at=NOW - timedelta(days=days + 1)), invited=2, sent=1)
    assert result.url.startswith("/admin/")


def test_a_closed_round_is_published_on_its_day():
    closed = a_round(opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=1))
    assert "offentliggørelsesdag" in step(closed, invited=10, submitted=3).note
    closed.results_published_on = timezone.localdate(NOW) + timedelta(days=5)
    waiting = step(closed, invited=10, submitted=3)
    assert waiting.key == "results" and "offentliggøres" in waiting.note
    closed.results_published_on = timezone.localdate(NOW)
    published = step(closed, invited=10, submitted=3)
    assert (published.key, published.label) == ("published", "Se de offentliggjorte resultater")
    assert published.url == reverse("public:results", args=["runde-2009"])
