"""The results for everyone: nothing before the publication day, then the page and the report without a login."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from jobs.models import Job
from questionnaire.models import Municipality, Round
from tests.conftest import (
    MIDTJYLLAND,
    answer_all,
    answers,
    make_response,
    make_round,
    page_queries,
    published_round,
    work_off,
)


def results_url(round_):
    return reverse("public:results", args=[round_.slug])


def report_url(round_):
    return reverse("public:report", args=[round_.slug])


def region_column(html: str, region: str) -> list[str]:
    """Return the cells under *region*'s heading in the table of models by region."""
    import re

    table = html[html.index('id="regions-caption"') : html.index("</table>", html.index('id="regions-caption"'))]
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    column = headings.index(region)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row)[column - 1] for row in rows]


@pytest.mark.django_db
def test_before_the_publication_day_the_page_says_when_and_nothing_is_shown(client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    round_ = published_round(published_on=tomorrow)
    for url in (results_url(round_), report_url(round_)):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert f"offentliggøres {date_format(tomorrow, 'DATE_FORMAT')}" in page
        assert "Model 3" not in page
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_round_without_a_publication_day_is_not_public(client):
    round_ = published_round(published_on=None)
    response = client.get(results_url(round_))
    assert response.status_code == 404
    assert "er ikke offentliggjort endnu" in response.content.decode()


@pytest.mark.django_db
def test_unknown_and_hidden_rounds_are_not_found(client):
    hidden = make_round(slug="proeve", is_test=True, results_published_on=timezone.localdate())
    assert client.get(results_url(hidden)).status_code == 404
    assert client.get(reverse("public:results", args=["findes-ikke"])).status_code == 404


@pytest.mark.django_db
def test_from_the_publication_day_everyone_sees_the_figures(client):
    round_ = published_round(published_on=timezone.localdate())
    response = client.get(results_url(round_))
    assert response.status_code == 200
    page = response.content.decode()
    assert "9 af 9 inviterede biblioteker har svaret" in page
    # 8 of 9 have activities: 89 %, beside the 2009 survey's 45 % (written with a no-break space).
    assert "89\xa0%" in page and "45\xa0%" in page
    assert "Kilde: Knudsen Syd og Danmarks Biblioteksforening" in page
    assert reverse("public:report", args=[round_.slug]) in page
    # Every chart has its figures in a table.
    assert 'id="models-caption"' in page and 'id="map-table-caption"' in page


@pytest.mark.django_db
def test_a_region_of_four_libraries_shows_no_exact_figure(client, settings):
    settings.SMALL_GROUP_MIN = 5
    round_ = published_round(published_on=timezone.localdate())
    page = client.get(results_url(round_)).content.decode()
    assert set(region_column(page, "Midtjylland")) == {"–"}
    assert "færre end 5 biblioteker" in page.lower()
    hovedstaden = region_column(page, "Hovedstaden")
    assert "4" in hovedstaden and "5" in hovedstaden  # model 3 and the responses


@pytest.mark.django_db
def test_the_page_makes_as_many_queries_however_many_libraries_answered(client):
    round_ = published_round(published_on=timezone.localdate())
    few = page_queries(client, results_url(round_))
    for code in ("157", "159", "161"):
        make_response(round_, answers(models=["model_1"], primary_model="model_1"), municipality=code)
    assert page_queries(client, results_url(round_)) == few


@pytest.mark.django_db
def test_the_report_is_made_once_for_each_state_of_the_data(client):
    round_ = published_round(published_on=timezone.localdate())
    first = client.get(report_url(round_))
    assert first.status_code == 503 and first["Retry-After"] == "60"
    assert "Rapporten bliver lavet" in first.content.decode()
    client.get(report_url(round_))  # a second reader does not queue the work again
    assert Job.objects.count() == 1
    work_off()

    for _reader in range(3):
        response = client.get(report_url(round_))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(BytesIO(b"".join(response.streaming_content)))
    assert "Borgerservice 2026" in "".join(page.extract_text() for page in pdf.pages)
    assert Job.objects.count() == 1

    # A new response: readers get the report they had until the new one is made, once.
    make_response(round_, answers(models=["model_1"], primary_model="model_1"), municipality="157")
    assert client.get(report_url(round_)).status_code == 200
    assert client.get(report_url(round_)).status_code == 200
    assert Job.objects.count() == 2
    work_off()
    client.get(report_url(round_))
    assert Job.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("privacy", ("Dataansvarlig", "Danmarks Biblioteksforening", "365 dage", "Datatilsynet", "db@db.dk")),
        ("accessibility", ("Overholdelsesstatus", "WCAG 2.1", "Digitaliseringsstyrelsen", "db@db.dk")),
    ],
)
def test_the_privacy_notice_and_the_accessibility_statement(client, name, words):
    page = client.get(reverse(name)).content.decode()
    for word in words:
        assert word in page


@pytest.mark.django_db
def test_every_public_and_respondent_page_links_to_them(client, invitation):
    for url in (reverse("questionnaire:landing", args=[invitation.token]), reverse("privacy")):
        page = client.get(url).content.decode()
        assert reverse("privacy") in page and reverse("accessibility") in page


@pytest.mark.django_db
def test_the_libraries_are_told_once_when_the_results_are_published(client):
    from django.core import mail
    from django.core.management import call_command

    tomorrow = timezone.localdate() + timedelta(days=1)
    round_ = published_round(published_on=tomorrow)
    call_command("run_scheduled", stdout=StringIO())
    work_off()
    assert mail.outbox == []

    Round.objects.filter(pk=round_.pk).update(results_published_on=timezone.localdate())
    for _run in range(2):  # the scheduled job runs every quarter of an hour
        call_command("run_scheduled", stdout=StringIO())
    work_off()
    invitations = list(round_.invitations.real())
    assert len(mail.outbox) == len(invitations) == 9
    message = mail.outbox[0]
    assert message.subject == "Resultaterne af Borgerservice 2026 er offentliggjort"
    own = next(i for i in invitations if message.body.startswith(f"Til {i.library.name}\n"))
    assert f"http://testserver/s/{own.token}/resultater/" in message.body
    assert "http://testserver/resultater/bs2026/" in message.body
    assert client.get(f"/s/{own.token}/resultater/").status_code == 200


@pytest.mark.django_db
def test_the_page_is_made_once_per_state_and_a_new_response_shows_at_once(client):
    round_ = published_round(published_on=timezone.localdate())
    waiting = make_response(
        round_, answers(models=["model_1"], primary_model="model_1"), municipality="157", submit=False
    )
    made = page_queries(client, results_url(round_))
    # The second reader gets the page made for the first: the figures are not counted again.
    assert page_queries(client, results_url(round_)) < made
    assert "9 af 10 inviterede biblioteker har svaret" in client.get(results_url(round_)).content.decode()

    # The tenth library submits: the next reader sees it, not the page kept for the state before.
    answer_all(waiting.invitation, answers(models=["model_1"], primary_model="model_1"))
    page = client.get(results_url(round_)).content.decode()
    assert "10 af 10 inviterede biblioteker har svaret" in page

    # Staff move a library to another region: its figures move at once too.
    moved = round_.invitations.get(library__municipality__code=MIDTJYLLAND[0]).library
    moved.municipality = Municipality.objects.get(code="159")  # Hovedstaden
    moved.save()
    hovedstaden = region_column(client.get(results_url(round_)).content.decode(), "Hovedstaden")
    assert hovedstaden != region_column(page, "Hovedstaden")


@pytest.mark.django_db
def test_a_report_that_is_finished_while_a_reader_asks_is_not_made_again(client, monkeypatch):
    from jobs import services
    from jobs.models import JobStatus
    from results import public

    round_ = published_round(published_on=timezone.localdate())
    assert client.get(report_url(round_)).status_code == 503
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())

    def worker_finishes_first(**kwargs):
        # The worker marks the job done just as the reader, having found no finished report, asks
        # for one: the reader must not take the job for missing.
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
        return services.job_queue(**kwargs)

    monkeypatch.setattr(public, "job_queue", worker_finishes_first)
    assert client.get(report_url(round_)).status_code == 503  # its file is not there yet: the page asks to wait
    assert Job.objects.count() == 1
