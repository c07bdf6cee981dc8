"""Test links: staff answer as a library would, and those answers are absent from every figure, list and mail."""

import re
from dataclasses import replace
from io import BytesIO

import pytest
from django.core import mail
from openpyxl import load_workbook

from questionnaire.mail.recipients import invitations_to_send, invitations_without_email, reminders_to_send
from questionnaire.models import CaseStory, Interview, Invitation, Library, Mail, Response, Round
from questionnaire.services.follow import round_non_respondents, round_overview
from questionnaire.services.rounds import invitations_create
from questionnaire.services.trials import trial_answers_remove, trial_invitation, trial_round
from results.excel import workbook_write
from results.tallies import NO_FILTERS, response_rows, round_results
from tests.conftest import ACTIVE_ANSWERS, admin_url, answer_all, answers, days_ago, install_default

pytestmark = pytest.mark.django_db


def figures(round_):
    return replace(round_results(round_), made_at=None)


def workbook_rows(round_) -> dict[str, int]:
    handle = BytesIO()
    workbook_write(round=round_, filters=NO_FILTERS, handle=handle)
    book = load_workbook(BytesIO(handle.getvalue()), read_only=True)
    return {name: book[name].max_row for name in book.sheetnames}


@pytest.fixture
def tried(survey, manager):
    """The survey round before and after the manager tried it twice: a submitted and a draft test response."""
    before = {
        "figures": figures(survey.round),
        "overview": round_overview(survey.round),
        "non_respondents": [row.library.name for row in round_non_respondents(survey.round)],
        "rows": list(response_rows(survey.round)),
        "workbook": workbook_rows(survey.round),
    }
    copenhagen = Library.objects.get(name="Københavns Biblioteker")
    submitted = trial_invitation(round=survey.round, user=manager, library=copenhagen)
    answer_all(submitted, answers(models=["model_6"], primary_model="model_6", resources_dkk=9_000_000))
    draft = trial_invitation(round=survey.round, user=manager, library=Library.objects.get(name="Køge Bibliotek"))
    answer_all(draft, ACTIVE_ANSWERS, submit=False)
    return before, submitted, draft


def test_a_test_link_belongs_to_the_staff_member_and_is_made_once(survey, manager):
    library = Library.objects.get(name="Køge Bibliotek")
    first = trial_invitation(round=survey.round, user=manager, library=library)
    assert (first.is_test, first.tested_by, first.library) == (True, manager, library)
    assert trial_invitation(round=survey.round, user=manager, library=library) == first
    # The library's own invitation is untouched beside it.
    assert Invitation.objects.real().filter(round=survey.round, library=library).count() == 1


@pytest.fixture
def amounts_of_three_shown(settings):
    """The hand-made round has three amounts, fewer than SMALL_GROUP_MIN: show them, to see what counts."""
    settings.SMALL_GROUP_MIN = 3


def test_test_answers_are_absent_from_every_figure(survey, amounts_of_three_shown, tried):
    before, _submitted, _draft = tried
    assert figures(survey.round) == before["figures"]
    assert round_overview(survey.round) == before["overview"]
    assert [row.library.name for row in round_non_respondents(survey.round)] == before["non_respondents"]
    assert list(response_rows(survey.round)) == before["rows"]
    assert workbook_rows(survey.round) == before["workbook"]
    results = round_results(survey.round)
    assert results.headline.invited == 8 and results.headline.responses == 6
    assert "model_6" not in {m.code for m in results.model_adoption.models if m.count}
    assert results.resources.highest == 300_000


def test_test_links_are_never_mailed_nor_counted_as_invited(survey, tried):
    _before, submitted, draft = tried
    for invitation in (submitted, draft):
        assert invitation not in invitations_to_send(survey.round)
        assert invitation not in invitations_without_email(survey.round)
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=days_ago(30))
        assert invitation not in reminders_to_send(survey.round)
    # Køge's and København's test links do not count as their invitations; only the library never invited is.
    assert [invitation.library.name for invitation in invitations_create(round=survey.round)] == ["Anden runde"]


def test_submitting_through_a_test_link_mails_no_receipt(client, survey, manager):
    invitation = trial_invitation(round=survey.round, user=manager, library=Library.objects.get(name="Køge Bibliotek"))
    answer_all(invitation, ACTIVE_ANSWERS, submit=False)
    mail.outbox.clear()
    response = client.post(f"/s/{invitation.token}/submit/")
    assert response.status_code == 302
    assert Response.objects.get(invitation=invitation).is_submitted
    assert mail.outbox == []
    assert not Mail.objects.filter(invitation=invitation).exists()  # nothing queued for a worker either


def test_a_test_link_opens_before_the_round_does_and_says_it_is_a_test(client, manager):
    round_ = Round.objects.create(
        slug="naeste", title="Næste år", questionnaire=install_default(), opens_at=days_ago(-30)
    )
    library = Library.objects.create(name="Prøvested", municipality_id=_municipality_id())
    invitation = trial_invitation(round=round_, user=manager, library=library)
    page = client.get(f"/s/{invitation.token}/")
    assert page.status_code == 200
    assert "Prøvelink for DB’s medarbejdere" in page.content.decode()
    library_invitation = Invitation.objects.create(round=round_, library=library)
    assert client.get(f"/s/{library_invitation.token}/").status_code == 403  # the library waits


def _municipality_id():
    from tests.conftest import municipality

    return municipality().pk


def test_a_version_is_tried_through_a_hidden_round_that_no_list_shows(manager_client, manager):
    questionnaire = install_default()
    Library.objects.create(name="Prøvested", municipality_id=_municipality_id())
    response = manager_client.post(admin_url("questionnaire_try", questionnaire.pk))
    invitation = Invitation.objects.get(tested_by=manager)
    assert response.status_code == 302 and response["Location"] == invitation.get_absolute_url()
    assert invitation.round == trial_round(questionnaire) and invitation.round.is_test
    rounds = manager_client.get(admin_url("round_changelist"))
    assert invitation.round.slug not in rounds.content.decode()
    assert manager_client.get(admin_url("round_change", invitation.round.pk)).status_code == 302  # not found


def test_no_page_where_staff_pick_a_round_offers_the_hidden_round(manager_client, survey, manager):
    hidden = trial_invitation(round=trial_round(survey.round.questionnaire), user=manager).round
    answer_all(Invitation.objects.get(round=hidden), ACTIVE_ANSWERS, submit=False)
    Interview.objects.create(round=survey.round, name="Hanne Jensen", municipality_id=_municipality_id())
    CaseStory.objects.create(round=survey.round, title="Viborg", model="model_3", text="…")

    def offered(url, field="round") -> set[int]:
        html = manager_client.get(url).content.decode()
        select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
        return {int(value) for value in re.findall(r'<option value="(\d+)"', select.group(1))}

    for model in ("invitation", "interview", "casestory"):
        assert offered(admin_url(f"{model}_add")) == {survey.round.pk, survey.other_round.pk}, model
    for model, parameter in (
        ("invitation", "round__id__exact"),
        ("response", "invitation__round__id__exact"),
        ("interview", "round__id__exact"),
        ("casestory", "round__id__exact"),
        ("responsechange", "response__invitation__round__id__exact"),
    ):
        filters = manager_client.get(admin_url(f"{model}_changelist")).content.decode()
        assert f"{parameter}={survey.round.pk}" in filters, model
        assert f"{parameter}={hidden.pk}" not in filters, model


def test_trying_a_round_from_its_page(manager_client, survey, manager):
    response = manager_client.post(admin_url("round_try", survey.round.pk))
    invitation = Invitation.objects.get(tested_by=manager)
    assert response["Location"] == invitation.get_absolute_url() and invitation.round == survey.round
    assert "Prøv spørgeskemaet" in manager_client.get(admin_url("round_change", survey.round.pk)).content.decode()


def test_test_answers_are_marked_where_staff_see_them(manager_client, survey, tried):
    _before, submitted, _draft = tried
    listing = manager_client.get(admin_url("response_changelist") + "?invitation__is_test__exact=1")
    assert listing.context["cl"].result_count == 2
    detail = manager_client.get(admin_url("response_change", submitted.response.pk))
    assert "Prøvesvar, givet af manager via et prøvelink" in detail.content.decode()
    invitations = manager_client.get(admin_url("invitation_changelist") + "?is_test__exact=1")
    assert "Prøvelink: indsendt" in invitations.content.decode()


def test_one_action_removes_the_test_answers(manager_client, survey, tried):
    before, _submitted, _draft = tried
    response = manager_client.post(
        admin_url("round_changelist"), {"action": "remove_test_answers", "_selected_action": [survey.round.pk]}
    )
    assert response.status_code == 302
    assert not Invitation.objects.tests().exists()
    assert Response.objects.count() == 8  # the libraries' own, in both rounds
    assert figures(survey.round) == before["figures"]


def test_removing_every_test_link_also_removes_the_hidden_rounds(manager):
    questionnaire = install_default()
    Library.objects.create(name="Prøvested", municipality_id=_municipality_id())
    trial_invitation(round=trial_round(questionnaire), user=manager)
    assert trial_answers_remove() == 1
    assert not Round.objects.filter(is_test=True).exists()
