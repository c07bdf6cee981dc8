"""No English, code or raw Python value on a page staff read in Danish.

Every admin page (each registered model's list, add and change form, and the custom pages of
a round) and the results pages are walked as a superuser, with a round that has gathered
what a round gathers (mail, test answers, a hidden try-out round, queued tasks, login
lockouts, interviews, a download made by a worker), and their visible text is searched for
words that once leaked through: the worker, the task queue's and axes' own names, buttons
named in English, and Python's ``None``.
"""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone, translation

from jobs.models import Job
from questionnaire.mail.outbox import invitation_resend
from questionnaire.models import Invitation
from questionnaire.services.trials import trial_invitation, trial_round
from tests.conftest import admin_pages, demo_dataset

pytestmark = pytest.mark.django_db

ENGLISH = {
    "worker": re.compile(r"\bworker", re.IGNORECASE),
    "Task": re.compile(r"\bTasks?\b"),
    "None": re.compile(r"\bNone\b"),
    "AXES": re.compile(r"\bAxes\b|\bAXES\b"),
    "Results": re.compile(r"\bResults\b"),
    "Download": re.compile(r"\bDownload\b"),
    "Upload": re.compile(r"\bUpload\b"),
    "Install": re.compile(r"\bInstall\b"),
    "Database": re.compile(r"\bDatabase\b|\bBackend\b"),
    "Can": re.compile(r"\bCan (add|change|delete|view)\b"),
}


class VisibleText(HTMLParser):
    """The text a person reads: text nodes and the labels of buttons, not scripts, styles or markup."""

    HIDDEN = {"script", "style", "template", "head"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str) -> dict[str, list[str]]:
    """Return {word: [the text around each place it occurs]} for the known English words in *text*."""
    found = {}
    for word, pattern in ENGLISH.items():
        places = [text[max(0, match.start() - 50) : match.end() + 50] for match in pattern.finditer(text)]
        if places:
            found[word] = places[:3]
    return found


@pytest.fixture
def gathered_round(settings):
    """The demo round with mail, tests, a try-out round, queued tasks, lockouts and a worker's download."""
    demo, earlier, batch, response = demo_dataset(settings)
    staff = response.changes.first().changed_by
    # A test link to the round and one to the hidden round of its version ("Try the questionnaire").
    trial_invitation(round=demo, user=staff)
    trial_invitation(round=trial_round(demo.questionnaire), user=staff)
    # A queued task, as the queue's own list would show it.
    invitation_resend(invitation=demo.invitations.real().exclude(library__email="").first())
    # Axes' records of a failed and a successful login.
    AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=2)
    AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1", attempt_time=timezone.now())
    AccessLog.objects.create(username="db-staff", ip_address="10.0.0.2", attempt_time=timezone.now())
    return demo, earlier, batch, response, staff


def staff_pages(client, gathered_round, settings) -> dict[str, str]:
    demo, earlier, batch, response, staff = gathered_round
    pages = admin_pages(demo, earlier, batch, response)
    # An invitation nobody has opened or answered, whose times are still empty.
    untouched = demo.invitations.real().filter(response__isnull=True).order_by("pk").first()
    pages["invitation-untouched"] = reverse("admin:questionnaire_invitation_change", args=[untouched.pk])
    test_invitation = Invitation.objects.tests().filter(round=demo).get()
    pages["invitation-test"] = reverse("admin:questionnaire_invitation_change", args=[test_invitation.pk])
    pages["questionnaire-upload"] = reverse("admin:questionnaire_questionnaire_upload")
    results = reverse("results:round", args=[demo.slug])
    pages.update(
        {
            "results": results,
            "results-filtered": f"{results}?region=midtjylland&kind=main",
            "results-compared": f"{results}?compare={earlier.slug}",
            "results-closed-round": reverse("results:round", args=[earlier.slug]),
        }
    )
    # A download made by a worker: the page that follows it.
    settings.RESULTS_SYNC_MAX_RESPONSES = 0
    answer = client.get(reverse("results:export", args=[demo.slug]))
    assert answer.status_code == 302, answer
    pages["results-download"] = answer["Location"]
    assert Job.objects.exists()
    return pages


def test_every_staff_page_is_danish_without_english_words_or_none(client, gathered_round, settings):
    client.force_login(gathered_round[-1])
    pages = staff_pages(client, gathered_round, settings)
    problems = {}
    with translation.override("da"):
        for name, url in pages.items():
            answer = client.get(url, headers={"accept-language": "da"})
            assert answer.status_code == 200, (name, url, answer.status_code)
            found = english_in(visible_text(answer.content.decode()))
            if found:
                problems[name] = found
    assert problems == {}, __import__("pprint").pformat(problems, width=200)
    assert len(pages) > 35


def test_the_search_finds_the_words_it_looks_for():
    html = "<p>Venter på en worker.</p><script>None</script><td>None</td><h2>Task Results</h2>"
    text = visible_text(html)
    assert set(english_in(text)) == {"worker", "None", "Task", "Results"}
    assert "script" not in text
