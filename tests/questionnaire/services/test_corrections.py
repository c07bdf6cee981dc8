"""DB staff enter, correct, reopen and submit answers on a library's behalf; every change is kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from questionnaire.models import ResponseChange, ResponseChangeKind, ResponseStatus, Section
from questionnaire.services.answers import response_answers
from questionnaire.services.corrections import response_reopen, response_submit_by_staff, staff_section_save
from questionnaire.services.personal_data import round_anonymise
from questionnaire.services.responses import section_save
from tests.conftest import ACTIVE_ANSWERS, NOT_STARTED_ANSWERS, admin_url, answer_all, make_invitation

pytestmark = pytest.mark.django_db


def section_of(response, code):
    return Section.objects.get(questionnaire=response.invitation.round.questionnaire, code=code)


def post_section(client, response, code, values, reason=""):
    """Post the admin's edit page for one section, as the browser would."""
    data = {key: value for key, value in values.items() if value is not None}
    data["staff-reason"] = reason
    return client.post(admin_url("response_edit", response.pk, code), data)


def test_staff_enter_answers_for_a_library_that_has_not_started(manager_client, manager):
    invitation = make_invitation()

    start = manager_client.post(admin_url("invitation_answer", invitation.pk))
    response = invitation.response
    assert start.url == admin_url("response_change", response.pk)
    page = manager_client.get(admin_url("response_edit", response.pk, "library"))
    assert page.status_code == 200
    saved = post_section(
        manager_client,
        response,
        "library",
        {"respondent_name": "Hanne Jensen", "respondent_email": "hanne@example.com", "units": "150"},
        reason="Telefoninterview 3. september",
    )

    assert saved.status_code == 302
    assert response_answers(response) == {
        "respondent_name": "Hanne Jensen",
        "respondent_email": "hanne@example.com",
        "units": 150,
    }
    changes = list(response.changes.order_by("question__position"))
    assert [(c.question.code, c.old_value, c.new_value) for c in changes] == [
        ("respondent_name", "", "Hanne Jensen"),
        ("respondent_email", "", "hanne@example.com"),
        ("units", "", "150"),
    ]
    assert {(c.changed_by, c.reason, c.kind) for c in changes} == {
        (manager, "Telefoninterview 3. september", ResponseChangeKind.ANSWER)
    }


def test_correcting_a_submitted_response_needs_a_reason_and_is_recorded(manager_client, manager):
    response = answer_all(make_invitation(), ACTIVE_ANSWERS)
    values = {**ACTIVE_ANSWERS, "models": ["model_3", "model_6"], "primary_model": "model_6"}
    models = {key: values[key] for key in ("models", "primary_model", "locations")}

    without_reason = post_section(manager_client, response, "models", models)
    assert without_reason.status_code == 200
    assert response_answers(response)["models"] == ["model_3", "model_4"]

    post_section(manager_client, response, "models", models, reason="Rettet efter mail fra biblioteket")

    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response_answers(response)["models"] == ["model_3", "model_6"]
    changes = {c.question.code: c for c in response.changes.select_related("question")}
    assert set(changes) == {"models", "primary_model"}  # locations did not change
    assert changes["models"].old_value == (
        "Model 3: Udvalgte opgaver lægges over i bibliotekerne og udføres af biblioteksfolk; "
        "Model 4: Borgerservicefolk og biblioteksfolk udfører opgaverne sammen i bibliotekerne"
    )
    assert changes["models"].new_value.endswith(
        "Model 6: Mindre faglige fælles initiativer (fx fælles kommunale IT-løsninger, undervisning i Borger.dk)"
    )
    assert changes["models"].changed_by == manager
    page = manager_client.get(admin_url("response_change", response.pk))
    assert "Rettet efter mail fra biblioteket" in page.content.decode()


def test_a_correction_that_leaves_a_submitted_response_incomplete_is_refused(manager_client):
    response = answer_all(make_invitation(), NOT_STARTED_ANSWERS)

    page = post_section(manager_client, response, "status", {"status": "active"}, reason="Fejl")

    assert page.status_code == 200
    assert "Genåbn besvarelsen først for at udfylde dem." in page.content.decode()
    assert response_answers(response)["status"] == "not_started"
    assert not ResponseChange.objects.exists()


def test_a_correction_that_hides_answers_removes_them_and_records_it(manager):
    response = answer_all(make_invitation(), ACTIVE_ANSWERS)

    changes = staff_section_save(
        response=response,
        section=section_of(response, "status"),
        values={"status": "not_started", "started_year": None},
        user=manager,
        reason="Biblioteket svarede forkert",
    )

    answers = response_answers(response)
    assert answers["status"] == "not_started"
    assert "models" not in answers and "resources_dkk" not in answers and "started_year" not in answers
    recorded = {change.question.code for change in changes}
    assert {"status", "started_year", "models", "primary_model", "services", "resources_dkk"} <= recorded
    assert "respondent_name" not in recorded


def test_saving_the_same_values_records_nothing(manager):
    response = answer_all(make_invitation(), ACTIVE_ANSWERS)
    values = {"models": ["model_4", "model_3"], "primary_model": "model_3", "locations": ["main_library"]}

    assert (
        staff_section_save(response=response, section=section_of(response, "models"), values=values, user=manager) == []
    )
    assert not ResponseChange.objects.exists()


def test_reopen_needs_a_reason_and_lets_the_library_change_its_answers(manager_client, manager):
    invitation = make_invitation()
    response = answer_all(invitation, ACTIVE_ANSWERS)

    refused = manager_client.post(admin_url("response_reopen", response.pk), {"staff-reason": ""})
    assert refused.status_code == 200
    response.refresh_from_db()
    assert response.is_submitted

    manager_client.post(admin_url("response_reopen", response.pk), {"staff-reason": "Biblioteket vil rette økonomien"})

    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT and response.submitted_at is None
    reopened = response.changes.get()
    assert (reopened.kind, reopened.reason, reopened.changed_by) == (
        ResponseChangeKind.REOPENED,
        "Biblioteket vil rette økonomien",
        manager,
    )
    # The library can now save again through its link.
    section_save(invitation=invitation, section=section_of(response, "economy"), values={"resources_dkk": 300000})
    assert response_answers(response)["resources_dkk"] == 300000


def test_reopen_service_refuses_a_draft_and_a_missing_reason(manager):
    response = answer_all(make_invitation(), ACTIVE_ANSWERS, submit=False)
    with pytest.raises(ValidationError):
        response_reopen(response=response, user=manager, reason="Grund")
    with pytest.raises(ValidationError):
        response_reopen(response=response, user=manager, reason="  ")


def test_staff_submit_on_the_library_s_behalf_after_confirming_with_a_reason(manager_client, manager):
    response = answer_all(make_invitation(), NOT_STARTED_ANSWERS, submit=False)
    url = admin_url("response_submit", response.pk)
    detail = manager_client.get(admin_url("response_change", response.pk)).content.decode()
    assert f'href="{url}"' in detail  # the button leads to the confirmation, it submits nothing itself

    page = manager_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Indsendelse sætter besvarelsen fra" in html and 'name="staff-reason"' in html
    assert 'value="Indsend på bibliotekets vegne"' in html

    refused = manager_client.post(url, {"staff-reason": "  "})
    assert refused.status_code == 200
    assert "Dette felt er påkrævet." in refused.content.decode()
    response.refresh_from_db()
    assert not response.is_submitted and not response.changes.exists()

    done = manager_client.post(url, {"staff-reason": "Telefoninterview 3. maj"})
    assert done.url == admin_url("response_change", response.pk)
    response.refresh_from_db()
    assert response.is_submitted
    submitted = response.changes.get()
    assert (submitted.kind, submitted.reason, submitted.changed_by) == (
        ResponseChangeKind.SUBMITTED,
        "Telefoninterview 3. maj",
        manager,
    )
    history = manager_client.get(admin_url("response_change", response.pk)).content.decode()
    history = history[history.index('id="changes"') :]
    assert "indsendt på bibliotekets vegne" in history and "Telefoninterview 3. maj" in history
    # Submitted now: the confirmation has nothing left to confirm.
    assert "Besvarelsen er allerede indsendt." in manager_client.get(url).content.decode()


def test_staff_submit_refuses_an_incomplete_response_and_a_missing_reason(manager_client, manager):
    incomplete = answer_all(make_invitation(), {"respondent_name": "Bo"}, submit=False)
    page = manager_client.post(admin_url("response_submit", incomplete.pk), {"staff-reason": "Telefoninterview"})
    assert "Ikke indsendt" in manager_client.get(page.url).content.decode()
    incomplete.refresh_from_db()
    assert not incomplete.is_submitted and not incomplete.changes.exists()

    response = answer_all(make_invitation(), NOT_STARTED_ANSWERS, submit=False)
    with pytest.raises(ValidationError):
        response_submit_by_staff(response=response, user=manager, reason=" ")
    response.refresh_from_db()
    assert not response.is_submitted


def test_responses_of_an_anonymised_round_can_no_longer_change(manager_client, manager):
    invitation = make_invitation()
    response = answer_all(invitation, ACTIVE_ANSWERS)
    round_ = invitation.round
    round_.closes_at = timezone.now() - timedelta(days=1)
    round_.save()
    round_anonymise(round=round_)

    with pytest.raises(ValidationError):
        response_reopen(response=response, user=manager, reason="Grund")
    page = manager_client.get(admin_url("response_change", response.pk))
    assert page.context["can_edit"] is False and page.context["can_reopen"] is False


def test_anonymising_blanks_personal_values_in_the_history(manager):
    invitation = make_invitation()
    response = answer_all(invitation, ACTIVE_ANSWERS)
    staff_section_save(
        response=response,
        section=section_of(response, "library"),
        values={**ACTIVE_ANSWERS, "respondent_phone": "12 34 56 78"},
        user=manager,
        reason="Telefon tilføjet",
    )
    round_ = invitation.round
    round_.closes_at = timezone.now() - timedelta(days=1)
    round_.save()

    round_anonymise(round=round_)

    change = response.changes.get(question__code="respondent_phone")
    assert (change.old_value, change.new_value, change.reason) == ("", "", "Telefon tilføjet")


def test_history_shows_numbers_as_staff_read_them(manager):
    response = answer_all(make_invitation(), ACTIVE_ANSWERS)

    (change,) = staff_section_save(
        response=response,
        section=section_of(response, "economy"),
        values={"resources_dkk": 1250000, "development_funds": "yes"},
        user=manager,
        reason="Rettet",
    )

    assert (change.old_value, change.new_value) == ("250.000", "1.250.000")
