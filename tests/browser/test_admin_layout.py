"""Every admin page works at 1280 px: nothing scrolls sideways, no list clips its columns.

The data is the demo's (98 libraries, a round with 40 submitted and 10 started responses)
and what a round gathers on the way: a closed round, mail batches with refusals in the
server's long words, a reopened and corrected response, a library with a long name and
address. Screenshots go to /tmp/polish-shots/ (POLISH_SHOTS to change) for a person to look at.
"""

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path
from pprint import pformat

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from questionnaire.mail.outbox import reminders_enqueue
from questionnaire.models import Invitation, Library, LibraryKind, Mail, MailBatch, MailStatus, Response, Round
from questionnaire.services.answers import response_answers
from questionnaire.services.corrections import response_reopen, staff_section_save
from questionnaire.services.questionnaire import questionnaire_sections
from questionnaire.services.rounds import invitations_create
from tests.conftest import ACTIVE_ANSWERS, answer_all, make_staff, municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("POLISH_SHOTS", "/tmp/polish-shots"))  # noqa: S108 – screenshots for people to look at
LONG_REFUSAL = (
    "550 5.1.1 <borgerservice.og.bibliotek@lyngby-taarbaek-kommune.dk>: Recipient address rejected: "
    "User unknown in virtual mailbox table; see https://support.example.dk/postmaster/5.1.1"
)

# Elements (deepest first) that reach past the window, or a list whose columns are cut off.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
    .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > width + 1))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : ''));
  const clipped = [...document.querySelectorAll('#changelist .results, .survey-scroll')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
  return {scroll: document.documentElement.scrollWidth, width, wide, clipped};
}"""


def demo_dataset(settings):
    """Load the demo's data and add what a round gathers on the way; return the demo round."""
    municipality()  # an earlier transactional test may have flushed the 98 municipalities
    settings.DEBUG = True  # the demo command is for local use only
    call_command("demo", stdout=StringIO())
    settings.DEBUG = False
    demo = Round.objects.get(slug="demo")

    long_named = Library.objects.create(
        municipality=municipality("173"),
        name="Lyngby-Taarbæk Kommunes Biblioteker, Stadsbiblioteket og Borgerservice",
        kind=LibraryKind.BRANCH,
        email="borgerservice.og.bibliotek@lyngby-taarbaek-kommune.dk",
    )
    invitations_create(round=demo)
    Invitation.objects.filter(library=long_named).update(sent_at=timezone.now() - timedelta(days=10))

    earlier = Round.objects.create(
        slug="bs-2025",
        title="Biblioteker og borgerservice 2025",
        questionnaire=demo.questionnaire,
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=330),
        reminder_days="7, 2",
    )
    invitations_create(round=earlier)
    for invitation in earlier.invitations.order_by("pk")[:5]:
        answer_all(invitation, ACTIVE_ANSWERS)

    # Reminders queued, some sent, some refused in the server's long words.
    batch = reminders_enqueue(round=demo, queue=False)
    mails = list(batch.mails.order_by("pk").values_list("pk", flat=True))
    Mail.objects.filter(pk__in=mails[:20]).update(status=MailStatus.SENT, sent_at=timezone.now(), attempts=1)
    Mail.objects.filter(pk__in=mails[20:23]).update(status=MailStatus.FAILED, error=LONG_REFUSAL, attempts=1)
    Mail.objects.filter(pk__in=mails[23:25]).update(
        status=MailStatus.RETRY, error="421 4.7.0 Try again later", attempts=2
    )
    Invitation.objects.filter(mails__pk__in=mails[20:23]).update(send_error=f"01.12.26 10:15: {LONG_REFUSAL}")
    MailBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now())

    # A response that staff reopened and corrected.
    staff = make_staff(username="db-staff", password="a-long-test-password", is_superuser=True)
    submitted = next(
        response
        for response in Response.objects.filter(invitation__round=demo, status="submitted").order_by("pk")
        if response_answers(response).get("status") == "active"
    )
    response_reopen(response=submitted, user=staff, reason="Biblioteket vil rette tallene for økonomi og personale.")
    economy = next(s for s in questionnaire_sections(demo.questionnaire) if s.code == "economy")
    staff_section_save(
        response=submitted, section=economy, values={"resources_dkk": 300000}, user=staff, reason="Telefon 3. maj"
    )
    return demo, earlier, batch, submitted


def admin_pages(demo, earlier, batch, response) -> dict[str, str]:
    """Return {name: url} of every admin page: index, each list, add and change form, and the custom pages."""
    pages = {"index": reverse("admin:index"), "app-questionnaire": reverse("admin:app_list", args=["questionnaire"])}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        pages[f"{name}-list"] = reverse(f"admin:{name}_changelist")
        first = model.objects.order_by("pk").first()
        if first is not None:
            pages[f"{name}-change"] = reverse(f"admin:{name}_change", args=[first.pk])
        if model_admin.has_add_permission(_SuperRequest()):
            pages[f"{name}-add"] = reverse(f"admin:{name}_add")
    invitation = demo.invitations.filter(send_error__gt="").first()
    invitations = reverse("admin:questionnaire_invitation_changelist")
    pages.update(
        {
            "round-overview": reverse("admin:questionnaire_round_overview", args=[demo.pk]),
            "round-overview-closed": reverse("admin:questionnaire_round_overview", args=[earlier.pk]),
            "round-change": reverse("admin:questionnaire_round_change", args=[demo.pk]),
            "send-invitations": reverse("admin:questionnaire_round_send_invitations", args=[demo.pk]),
            "send-reminders": reverse("admin:questionnaire_round_send_reminders", args=[demo.pk]),
            "mail-progress": reverse("admin:questionnaire_round_mail_progress", args=[demo.pk, batch.pk]),
            "anonymise": reverse("admin:questionnaire_round_anonymise", args=[earlier.pk]),
            "invitation-failed": reverse("admin:questionnaire_invitation_change", args=[invitation.pk]),
            "invitations-of-demo": f"{invitations}?round__id__exact={demo.pk}",
            "response-detail": reverse("admin:questionnaire_response_change", args=[response.pk]),
            "response-edit-section": reverse("admin:questionnaire_response_edit", args=[response.pk, "models"]),
            "response-reopen": reverse("admin:questionnaire_response_reopen", args=[response.pk]),
            "register-import": reverse("admin:questionnaire_library_import"),
            "version-questions": reverse("admin:questionnaire_questionnaire_questions", args=[demo.questionnaire_id]),
        }
    )
    return pages


class _SuperRequest:
    """Just enough of a request for has_add_permission: a superuser's."""

    class user:  # noqa: N801
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(permission, obj=None):
            return True


def test_no_admin_page_scrolls_sideways_at_1280_px(live_server, new_page, settings):
    demo, earlier, batch, response = demo_dataset(settings)
    pages = admin_pages(demo, earlier, batch, response)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Brugernavn").fill("db-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="Gennemfør undersøgelsen").wait_for()

    problems = {}
    for name, url in pages.items():
        answer = page.goto(live_server.url + url)
        assert answer.status == 200, (name, url, answer.status)
        found = page.evaluate(OVERFLOW)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if found["scroll"] > found["width"] or found["clipped"]:
            problems[name] = found
    assert problems == {}, pformat(problems)
    assert len(pages) > 30


def test_the_breadcrumb_links_are_underlined_not_told_by_colour_alone(live_server, new_page, settings):
    make_staff(username="db-staff", password="a-long-test-password", is_superuser=True)
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Brugernavn").fill("db-staff")
    page.get_by_label("Adgangskode").fill("a-long-test-password")
    page.get_by_role("button", name="Log ind").click()
    page.goto(live_server.url + reverse("admin:questionnaire_library_changelist"))

    decoration = page.evaluate("getComputedStyle(document.querySelector('div.breadcrumbs a')).textDecorationLine")
    assert decoration == "underline"  # WCAG 1.4.1: the link is told from the text by more than colour
