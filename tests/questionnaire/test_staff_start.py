"""The staff start page (the admin's index), its lists grouped by step, and a version's questions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from questionnaire.models import Mail, MailKind, MailStatus, Section
from questionnaire.services.follow import round_overview
from tests.conftest import (
    ACTIVE_ANSWERS,
    admin_url,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    make_staff,
    page_queries,
)

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def sent_round(libraries: int, *, submitted: int = 0, **kwargs):
    """Return an open round with *libraries* invited and sent their invitation, *submitted* of them submitted."""
    round_ = make_round(opens_at=timezone.now() - timedelta(days=10), **kwargs)
    for number in range(libraries):
        invitation = make_invitation(round=round_, library=make_library(), sent_at=timezone.now())
        if number < submitted:
            answer_all(invitation, ACTIVE_ANSWERS)
    return round_


def start_row(html: str, round_) -> str:
    start = html.index(f'id="start-round-{round_.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_start_page_shows_each_round_in_progress_with_its_rate_deadline_and_next_step(manager_client):
    following = sent_round(
        4, submitted=1, slug="foelges", title="Runde der følges", closes_at=timezone.now() + timedelta(days=20)
    )
    uninvited = make_round(slug="ny", title="Runde uden invitationer", opens_at=timezone.now() - timedelta(days=1))
    closed = make_round(
        slug="lukket",
        title="Lukket runde",
        opens_at=timezone.now() - timedelta(days=40),
        closes_at=timezone.now() - timedelta(days=2),
    )
    make_round(
        slug="gammel",
        title="Gammel runde",
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )
    make_round(slug="proeve", title="Skjult prøverunde", is_test=True)

    page = manager_client.get(INDEX)
    html = page.content.decode()
    assert page.status_code == 200
    # The rate is the one the round's overview computes (services/follow.py).
    assert round_overview(following).total.response_rate == 0.25
    row = start_row(html, following)
    assert "Runde der følges" in row and "25" in row and "1 af 4" in row and "Åben" in row
    with translation.override("da"):
        assert date_format(timezone.localtime(following.closes_at), "SHORT_DATETIME_FORMAT") in row
    assert 'data-step="follow"' in row and "Følg besvarelserne" in row
    row = start_row(html, uninvited)
    assert "Inviter bibliotekerne" in row and admin_url("round_overview", uninvited.pk) in row
    assert "ingen svarfrist" in row
    row = start_row(html, closed)
    assert "Se resultaterne" in row and reverse("results:round", args=["lukket"]) in row and "Lukket" in row
    # Long closed and hidden try-out rounds are not in progress.
    assert "Gammel runde" not in html and "Skjult prøverunde" not in html
    assert "None" not in html


def test_what_needs_attention_is_counted_with_a_link_to_the_cases(manager_client):
    round_ = sent_round(5, closes_at=timezone.now() + timedelta(days=5), title="Runde med frist om fem dage")
    invitations = list(round_.invitations.order_by("pk"))
    for invitation in invitations[:2]:
        invitation.send_error = "550 Mailbox unavailable"
        invitation.save(update_fields=["send_error"])
    invitations[2].first_opened_at = timezone.now()
    invitations[2].save(update_fields=["first_opened_at"])
    answer_all(invitations[3], ACTIVE_ANSWERS, submit=False)  # opened and begun
    for invitation in invitations[:3]:
        Mail.objects.create(invitation=invitation, kind=MailKind.REMINDER, status=MailStatus.QUEUED)
    Mail.objects.create(invitation=invitations[4], kind=MailKind.INVITATION, status=MailStatus.SENT)

    html = manager_client.get(INDEX).content.decode()
    attention = html[html.index('id="attention"') :]
    assert "Mailen til 2 biblioteker blev afvist eller kom retur." in attention
    assert "3 mails venter i udbakken og er ikke sendt endnu." in attention
    # 0, 1 and 4 have not opened their link (3 began answering without the link being marked opened).
    assert "3 biblioteker har ikke åbnet deres link" in attention

    failed = admin_url("invitation_changelist") + f"?round__id__exact={round_.pk}&mail_failed=yes"
    unopened = admin_url("invitation_changelist") + f"?round__id__exact={round_.pk}&status=not_opened"
    assert failed.replace("&", "&amp;") in attention and unopened.replace("&", "&amp;") in attention
    assert admin_url("round_overview", round_.pk) + "#mail" in attention
    # The links list exactly the cases counted.
    assert manager_client.get(failed).context["cl"].result_count == 2
    assert manager_client.get(unopened).context["cl"].result_count == 3


def test_unopened_links_need_attention_only_in_the_last_week(manager_client):
    sent_round(3, closes_at=timezone.now() + timedelta(days=10))
    html = manager_client.get(INDEX).content.decode()
    assert "åbnet deres link" not in html
    assert "Intet kræver opmærksomhed lige nu." in html


def test_the_start_page_asks_as_many_queries_for_many_rounds_as_for_one(manager_client):
    def queries():
        return page_queries(manager_client, INDEX)

    sent_round(1, submitted=1, closes_at=timezone.now() + timedelta(days=3))
    one = queries()
    for _ in range(3):
        round_ = sent_round(6, submitted=2, closes_at=timezone.now() + timedelta(days=3))
        first = round_.invitations.first()
        first.send_error = "bounced"
        first.save(update_fields=["send_error"])
        Mail.objects.create(invitation=first, kind=MailKind.REMINDER)
    make_round(slug="lukket", opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1))
    assert queries() == one


def test_the_lists_are_grouped_by_the_steps_of_a_round(client):
    client.force_login(make_staff(username="root", is_superuser=True))
    html = client.get(INDEX).content.decode()
    headings = ["Register", "Spørgeskema", "Runder", "Post", "Opfølgning", "Interviews", "System"]
    positions = [html.index(f"<caption>{heading}</caption>") for heading in headings]
    assert positions == sorted(positions)
    register = html[positions[0] : positions[1]]
    assert "Biblioteker" in register and "Kommuner" in register
    system = html[positions[-1] :]
    assert "Brugere" in system and "Loginforsøg" in system
    # Each list once: none left out, none twice.
    for url in (admin_url("library_changelist"), admin_url("round_changelist"), reverse("admin:auth_user_changelist")):
        assert html.count(f'<a href="{url}">') == 1, url


def test_a_user_sees_only_the_steps_and_lists_they_may_see(client):
    client.force_login(make_staff(permissions=["view_round"]))
    html = client.get(INDEX).content.decode()
    assert "<caption>Runder</caption>" in html
    assert "<caption>Register</caption>" not in html and admin_url("library_changelist") not in html
    assert admin_url("round_add") not in html
    # Seeing the rounds without the invitations: the rounds, not what needs attention in their lists.
    assert 'id="start-rounds"' in html and 'id="attention"' not in html

    client.force_login(make_staff(permissions=["view_library"]))
    html = client.get(INDEX).content.decode()
    assert 'id="start-rounds"' not in html and "<caption>Register</caption>" in html


def test_a_versions_page_shows_its_sections_and_questions_as_the_respondent_meets_them(reader_client):
    round_ = make_round()
    questionnaire = round_.questionnaire
    change = reader_client.get(admin_url("questionnaire_change", questionnaire.pk)).content.decode()
    url = admin_url("questionnaire_questions", questionnaire.pk)
    assert f'href="{url}"' in change and "Spørgsmålene" in change

    page = reader_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    titles = [section.title for section in Section.objects.filter(questionnaire=questionnaire).order_by("position")]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Har biblioteket borgerserviceaktiviteter i dag?" in html
    assert "Ja, biblioteket har borgerserviceaktiviteter" in html  # a choice
    assert "Ét svar" in html  # the kind, in Danish
    status = "»Har biblioteket borgerserviceaktiviteter i dag?«"
    condition = f"Vises, hvis {status} er »Ja, biblioteket har borgerserviceaktiviteter«"
    assert condition in html
    assert "1995–i år" in html  # the year question's bounds
    assert "None" not in html and ">status<" not in html


def test_a_versions_page_is_for_those_who_may_see_the_versions(client):
    questionnaire = make_round().questionnaire
    client.force_login(make_staff(permissions=["view_round"]))
    assert client.get(admin_url("questionnaire_questions", questionnaire.pk)).status_code == 403
    client.logout()
    assert client.get(admin_url("questionnaire_questions", questionnaire.pk)).status_code == 302


def test_a_step_the_user_may_not_take_is_named_without_a_link(reader_client, client, manager):
    make_library()
    round_ = make_round(opens_at=timezone.now() - timedelta(days=1))
    overview = admin_url("round_overview", round_.pk)
    row = start_row(reader_client.get(INDEX).content.decode(), round_)
    # A reader cannot invite: the step is named, and only the round's name leads to its overview.
    assert "Inviter bibliotekerne" in row and 'class="start-step"' not in row and row.count(overview) == 1

    client.force_login(manager)
    row = start_row(client.get(INDEX).content.decode(), round_)
    assert f'class="start-step" href="{overview}"' in row
