"""Who may do what: anonymous visitors, readers, administrators; and login throttling."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from questionnaire.models import Library, Municipality
from tests.conftest import (
    ACTIVE_ANSWERS,
    MANAGERS,
    READERS,
    admin_url,
    answer_all,
    make_invitation,
    make_library,
    make_round,
    make_staff,
    work_off,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    """A round with a submitted response, a library due its invitation and one not yet invited."""
    round_ = make_round(slug="2009")
    response = answer_all(make_invitation(round=round_), ACTIVE_ANSWERS)
    pending = make_invitation(round=round_, library=make_library(email="pending@example.com"))
    make_library(name="Ny")
    return round_, response, pending


def read_urls(round_, response, pending):
    return [
        admin_url("round_changelist"),
        admin_url("round_overview", round_.pk),
        admin_url("round_non_respondents", round_.pk),
        admin_url("library_changelist"),
        admin_url("library_export"),
        admin_url("municipality_changelist"),
        admin_url("invitation_changelist"),
        admin_url("invitation_change", pending.pk),
        admin_url("response_changelist"),
        admin_url("response_change", response.pk),
        admin_url("responsechange_changelist"),
    ]


def manage_urls(round_, response):
    """Pages that only administrators may open (GET)."""
    return [
        admin_url("library_import"),
        admin_url("library_add"),
        admin_url("round_add"),
        admin_url("round_send_invitations", round_.pk),
        admin_url("round_send_reminders", round_.pk),
        admin_url("round_anonymise", round_.pk),
        admin_url("response_edit", response.pk, "library"),
        admin_url("response_reopen", response.pk),
        admin_url("response_submit", response.pk),
    ]


def test_the_groups_exist_with_their_rights():
    readers = set(Group.objects.get(name=READERS).permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name=MANAGERS).permissions.values_list("codename", flat=True))

    assert {"view_library", "view_round", "view_response", "export_library", "export_round"} <= readers
    assert not {codename for codename in readers if not codename.startswith(("view_", "export_"))}
    assert readers < managers
    assert {"change_library", "send_mail", "anonymise_round", "edit_answers", "reopen_response"} <= managers


def test_nothing_in_admin_without_login(client, setting):
    round_, response, pending = setting

    for path in read_urls(*setting) + manage_urls(round_, response):
        page = client.get(path)
        assert page.status_code == 302, path
        assert page.url.startswith(reverse("admin:login")), path


def test_a_staff_user_outside_the_groups_sees_nothing(client, setting):
    client.force_login(make_staff(username="nobody"))
    round_, response, pending = setting

    for path in read_urls(*setting):
        assert client.get(path).status_code == 403, path


def test_readers_may_look_and_export(reader_client, setting):
    for path in read_urls(*setting):
        assert reader_client.get(path).status_code == 200, path


def test_readers_may_not_manage(reader_client, setting):
    round_, response, pending = setting
    before = Library.objects.count()

    for path in manage_urls(round_, response):
        assert reader_client.get(path).status_code == 403, path
    for path in (
        admin_url("round_invite", round_.pk),
        admin_url("round_send_invitations", round_.pk),
        admin_url("round_anonymise", round_.pk),
        admin_url("response_reopen", response.pk),
        admin_url("response_submit", response.pk),
        admin_url("invitation_answer", pending.pk),
    ):
        assert reader_client.post(path, {"staff-reason": "x"}).status_code == 403, path
    reader_client.post(
        admin_url("invitation_changelist"), {"action": "send_invitation", "_selected_action": [pending.pk]}
    )
    libraries = list(Library.objects.values_list("pk", flat=True))
    assert libraries  # the action below is tried on real libraries
    reader_client.post(admin_url("library_changelist"), {"action": "make_inactive", "_selected_action": libraries})

    assert mail.outbox == []
    assert Library.objects.count() == before and Library.objects.filter(active=False).count() == 0
    response.refresh_from_db()
    assert response.is_submitted
    assert round_.invitations.count() == 2


def test_readers_are_not_offered_the_managing_actions(client, setting):
    def actions(group, name):
        client.force_login(make_staff(group=group))
        form = client.get(admin_url(name)).context["action_form"]
        return {choice[0] for choice in form.fields["action"].choices} - {""} if form else set()

    assert actions(READERS, "round_changelist") == set()
    assert actions(READERS, "invitation_changelist") == set()
    assert actions(READERS, "library_changelist") == set()
    assert {"send_invitations", "send_reminders", "anonymise"} <= actions(MANAGERS, "round_changelist")
    assert {"send_invitation", "send_reminder"} <= actions(MANAGERS, "invitation_changelist")


def test_administrators_may_manage(manager_client, setting):
    round_, response, pending = setting

    for path in manage_urls(round_, response):
        assert manager_client.get(path).status_code == 200, path
    manager_client.post(admin_url("round_send_invitations", round_.pk))
    work_off()
    assert [m.to for m in mail.outbox] == [["pending@example.com"]]
    manager_client.post(
        admin_url("library_change", Library.objects.get(name="Ny").pk),
        {
            "name": "Ny",
            "kind": "filial",
            "municipality": Municipality.objects.get(code="101").pk,
            "email": "ny@example.com",
            "active": "on",
        },
    )
    assert Library.objects.get(name="Ny").email == "ny@example.com"


def test_anonymising_needs_its_own_right(client, setting):
    round_, _response, _pending = setting
    round_.closes_at = timezone.now() - timedelta(days=1)
    round_.save()
    client.force_login(make_staff(username="reader2", group=READERS))

    assert client.post(admin_url("round_anonymise", round_.pk)).status_code == 403
    round_.refresh_from_db()
    assert round_.personal_data_removed_at is None


# --- Login throttling ------------------------------------------------------------------------


def login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="10.0.0.1",
    )


def login_through_proxy(client, username, password, forwarded_for):
    """Log in as a request that a reverse proxy on 127.0.0.1 passed on."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_a_guesser_elsewhere_cannot_lock_staff_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 1
    make_staff(username="hanne", password="the-right-password", group=READERS)
    for _attempt in range(5):
        # The guesser also writes an address of its own in front; the proxy appends the real one.
        login_through_proxy(client, "hanne", "wrong", "198.51.100.7, 203.0.113.5")

    assert login_through_proxy(Client(), "hanne", "the-right-password", "198.51.100.7").status_code == 302
    assert login_through_proxy(Client(), "hanne", "the-right-password", "203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 0
    make_staff(username="hanne", password="the-right-password", group=READERS)
    for attempt in range(5):
        login_through_proxy(client, "hanne", "wrong", f"203.0.113.{attempt}")

    # The same client naming another address is still the same client: locked out.
    assert login_through_proxy(Client(), "hanne", "the-right-password", "198.51.100.7").status_code == 429


def test_repeated_failed_logins_lock_the_user_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    make_staff(username="hanne", password="the-right-password", group=READERS)

    assert login(client, "hanne", "the-right-password").status_code == 302  # logs in at first
    client.logout()
    for _attempt in range(5):
        page = login(client, "hanne", "wrong")
        assert page.status_code in (200, 429)

    locked = login(client, "hanne", "the-right-password")

    assert locked.status_code == 429
    assert "For mange mislykkede loginforsøg" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out.
    make_staff(username="per", password="pers-password", group=READERS)
    assert login(client, "per", "pers-password").status_code == 302
