"""What a library gets back through its link: its answers beside the others', and its answers as a PDF."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from results.own import number_band
from tests.conftest import (
    HOVEDSTADEN,
    MIDTJYLLAND,
    answers,
    make_invitation,
    make_response,
    make_staff,
    page_queries,
    published_round,
)


def own_url(invitation):
    return reverse("own-results", args=[invitation.token])


def pdf_url(invitation):
    return reverse("own-answers", args=[invitation.token])


def own_row(page: str, caption: str, answer: str) -> str:
    """Return the row of *answer* in the table captioned *caption* on *page*."""
    table = page[page.index(f">{caption}</caption>") :]
    table = table[: table.index("</table>")]
    start = table.rindex("<tr", 0, table.index(answer))
    return table[start : table.index("</tr>", start)]


@pytest.mark.django_db
def test_a_library_sees_its_own_answer_marked_beside_the_countrys_share(client, settings):
    settings.SMALL_GROUP_MIN = 5
    round_ = published_round(published_on=timezone.localdate())
    # Hovedstaden's first library: model 3, as 4 of the 8 active libraries in the country.
    invitation = round_.invitations.get(library__municipality__code=HOVEDSTADEN[0])
    response = client.get(own_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    row = own_row(page, "Hvilken model beskriver bedst jeres samarbejde?", "Model 3")
    assert "Jeres svar" in row
    # 4 of 8 in the country (50 %), 4 of 4 active in Hovedstaden (100 %).
    assert "50\xa0%" in row and "100\xa0%" in row
    other = own_row(page, "Hvilken model beskriver bedst jeres samarbejde?", "Model 4")
    assert "Jeres svar" not in other and "50\xa0%" in other


@pytest.mark.django_db
def test_a_library_in_a_region_of_four_sees_no_regional_figure(client, settings):
    settings.SMALL_GROUP_MIN = 5
    round_ = published_round(published_on=timezone.localdate())
    invitation = round_.invitations.get(library__municipality__code=MIDTJYLLAND[0])
    page = client.get(own_url(invitation)).content.decode()
    row = own_row(page, "Hvilken model beskriver bedst jeres samarbejde?", "Model 4")
    cells = row.split("<td")[1:]
    assert "50\xa0%" in cells[0] and "–" in cells[1] and "%" not in cells[1]
    assert "Kun 4 biblioteker i Region Midtjylland har svaret" in page


@pytest.mark.django_db
def test_before_the_publication_day_a_library_gets_no_results_but_its_answers(client):
    round_ = published_round(published_on=timezone.localdate() + timedelta(days=3))
    invitation = round_.invitations.get(library__municipality__code=HOVEDSTADEN[0])
    assert client.get(own_url(invitation)).status_code == 404
    response = client.get(pdf_url(invitation))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split())
    assert invitation.library.name in text
    assert "Borgerservice 2026" in text
    assert "Indsendt" in text
    assert "Kilde: Knudsen Syd og Danmarks Biblioteksforening" in text
    # The answers as submitted: the primary model, as its label.
    assert "Model 3" in text


@pytest.mark.django_db
def test_unknown_links_and_test_links_get_nothing(client):
    assert client.get(reverse("own-results", args=["ukendt"])).status_code == 404
    assert client.get(reverse("own-answers", args=["ukendt"])).status_code == 404
    test_link = make_invitation(is_test=True, tested_by=make_staff())
    assert client.get(pdf_url(test_link)).status_code == 404


@pytest.mark.django_db
def test_the_page_makes_as_many_queries_however_many_libraries_answered(client):
    round_ = published_round(published_on=timezone.localdate())
    invitation = round_.invitations.get(library__municipality__code=HOVEDSTADEN[0])
    client.get(own_url(invitation))  # the questionnaire version is cached from the first visit on
    few = page_queries(client, own_url(invitation))
    for code in ("157", "159", "161"):
        make_response(round_, answers(models=["model_1"], primary_model="model_1"), municipality=code)
    assert page_queries(client, own_url(invitation)) == few


@pytest.mark.parametrize(
    ("lower", "higher", "band"),
    [(9, 0, "blandt de 25 % højeste"), (0, 9, "blandt de 25 % laveste"), (4, 5, "i den midterste halvdel"), (1, 2, "")],
)
def test_a_number_is_placed_in_a_band_only_among_enough_libraries(lower, higher, band):
    from django.utils import translation

    with translation.override("da"):
        answered = lower + higher + 1
        assert number_band("integer", lower=lower, higher=higher, answered=answered) == band


@pytest.mark.django_db
def test_a_library_sees_the_libraries_with_its_own_primary_model(client, settings):
    settings.SMALL_GROUP_MIN = 4
    round_ = published_round(published_on=timezone.localdate())
    # A library in Midtjylland chose model 4 as its primary model, as did the other three there.
    make_response(round_, answers(models=["model_1"], primary_model="model_4"), municipality="101")
    invitation = round_.invitations.get(library__municipality__code=MIDTJYLLAND[0])
    page = client.get(own_url(invitation)).content.decode()
    assert "Jeres model" in page
    # Which models the five libraries with model 4 use: model 4 by four of them (80 %), model 1 by one (20 %).
    cells = own_row(page, "Hvilke samarbejdsmodeller bruger I? (flere svar mulige)", "Model 4").split("<td")[1:]
    assert "80\xa0%" in cells[2]
    cells = own_row(page, "Hvilke samarbejdsmodeller bruger I? (flere svar mulige)", "Model 1").split("<td")[1:]
    assert "20\xa0%" in cells[2] and "0\xa0%" in cells[1]
