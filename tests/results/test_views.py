"""The results page and its downloads, through the test client: access, content, escaping, queries."""

import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from questionnaire.models import Municipality
from results import tallies
from results.tallies import SOURCE
from tests.conftest import NOT_STARTED_ANSWERS, make_round, make_staff, page_queries
from tests.results.conftest import HOSTILE_QUOTE, answers, make_response

URL_NAMES = ("results:round", "results:export", "results:map")


@pytest.fixture
def staff_client(client, survey):
    client.force_login(make_staff(permissions=["view_response"]))
    client.survey = survey
    return client


def page(client, slug="bs2009", **params):
    response = client.get(reverse("results:round", args=[slug]), params)
    assert response.status_code == 200
    return response


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_users_go_to_the_admin_login(client, survey, name):
    url = reverse(name, args=["bs2009"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize(
    "fields",
    [
        {"is_staff": False, "permissions": ["view_response"]},  # a logged-in user who is not staff
        {},  # staff without permission to view responses
    ],
)
def test_others_are_refused(client, survey, name, fields):
    client.force_login(make_staff(**fields))
    assert client.get(reverse(name, args=["bs2009"])).status_code == 403


@pytest.mark.parametrize("name", URL_NAMES)
def test_staff_with_permission_and_superusers_get_in(client, survey, name):
    client.force_login(make_staff(permissions=["view_response"]))
    assert client.get(reverse(name, args=["bs2009"])).status_code == 200
    client.force_login(make_staff(is_superuser=True))
    assert client.get(reverse(name, args=["bs2009"])).status_code == 200


@pytest.mark.parametrize("name", URL_NAMES)
def test_unknown_round_is_not_found(staff_client, name):
    assert staff_client.get(reverse(name, args=["nope"])).status_code == 404


def test_only_get(staff_client):
    assert staff_client.post(reverse("results:round", args=["bs2009"])).status_code == 405


def test_page_shows_the_figures(staff_client):
    response = page(staff_client)
    results = response.context["results"]
    assert (results.headline.responses, results.headline.active) == (6, 4)
    html = response.content.decode()
    headline = section(html, "headline")
    assert "67\xa0%" in headline and "33\xa0%" in headline  # Danish: a (no-break) space before %
    assert "har borgerserviceaktiviteter (4 af 6 besvarelser)" in headline
    assert "6 af 8 inviterede biblioteker har indsendt" in headline
    models = section(html, "models")
    assert "Model 3: Udvalgte opgaver" in models and "75\xa0%" in models
    regions = section(html, "regions")
    assert "Region Midtjylland" in regions and "Region Nordjylland" in regions
    services = section(html, "services")
    assert services.index("Pas") < services.index("Sygesikring") < services.index("Skattespørgsmål")
    economy = section(html, "economy")
    for amount in ("20.000", "100.000", "300.000", "420.000"):
        assert f"{amount}\xa0kr." in economy  # Danish grouping and kroner
    challenges = section(html, "challenges")
    assert challenges.index("Kulturforskelle") < challenges.index("Lovstof")
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_every_table_and_chart_names_the_source(staff_client):
    html = page(staff_client).content.decode()
    figures = [chunk[: chunk.index("</figure>")] for chunk in html.split('<figure class="results-figure')[1:]]
    assert len(figures) >= 8 + len(tallies.round_results(staff_client.survey.round).questions)
    for figure in figures:
        assert SOURCE in figure
    assert SOURCE in section(html, "quotes")


def test_quotes_respect_consent_and_are_escaped(staff_client):
    html = page(staff_client).content.decode()
    quotes = section(html, "quotes")
    assert "Borgerne er glade for de lange åbningstider." in quotes
    assert "Hanne Jensen, Borgerservicechef, Københavns Biblioteker" in quotes
    assert "Et bibliotek i Region Midtjylland" in quotes
    assert "Skjult Person" not in html and "Hemmelig stilling" not in html
    assert "Aarhus Hovedbibliotek" not in quotes
    assert "Må ikke bruges." not in html
    # Hostile text is shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in quotes
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in quotes
    assert "<script" not in html  # nor any script of our own: the page needs no JavaScript


def test_page_includes_the_map_and_its_table(staff_client):
    html = page(staff_client).content.decode()
    map_section = section(html, "map")
    assert map_section.count("data-municipality=") == 98
    assert 'role="img"' in map_section
    assert map_section.count("<tr>") == 98 + 1  # the map as a table: a header and a row per municipality


def test_filters_narrow_the_page_and_pass_on_to_the_downloads(staff_client):
    response = page(staff_client, region="midtjylland", kind="filial")
    results = response.context["results"]
    assert (results.headline.responses, results.headline.active) == (1, 1)
    html = response.content.decode()
    assert 'href="/results/bs2009/workbook.xlsx?region=midtjylland&amp;kind=filial"' in html
    assert 'href="/results/bs2009/map.svg?region=midtjylland&amp;kind=filial"' in html
    assert '<option value="midtjylland" selected>' in html
    # Unknown values are ignored, not an error.
    assert page(staff_client, region="skaane").context["results"].filters.region == ""


def test_excel_download(staff_client):
    response = staff_client.get(reverse("results:export", args=["bs2009"]), {"region": "midtjylland"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009-midtjylland.xlsx"'
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:2] == ["Overblik", "Svar"] and book.sheetnames[-1] == "Kilde"
    names = [row[0] for row in book["Svar"].iter_rows(min_row=4, values_only=True)]
    assert names == ["Aarhus Hovedbibliotek", "Lystrup Bibliotek"]
    assert book["Citater"]["A3"].value == HOSTILE_QUOTE
    assert book["Citater"]["A3"].data_type == "s"
    status = [cell.value for cell in book["Svar"][2]].index("status")
    assert book["Svar"].cell(row=4, column=status + 1).value == "Ja, biblioteket har borgerserviceaktiviteter"


def test_excel_download_with_codes_is_offered_and_keeps_the_filters(staff_client):
    html = page(staff_client, region="midtjylland").content.decode()
    link = reverse("results:export", args=["bs2009"]) + "?region=midtjylland&amp;codes=1"
    assert f'href="{link}"' in html and "Excel med koder" in html
    response = staff_client.get(reverse("results:export", args=["bs2009"]), {"region": "midtjylland", "codes": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009-midtjylland-koder.xlsx"'
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    status = [cell.value for cell in book["Svar"][2]].index("status")
    assert book["Svar"].cell(row=4, column=status + 1).value == "active"


def test_map_download(staff_client):
    response = staff_client.get(reverse("results:map", args=["bs2009"]), {"region": "hovedstaden"})
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009-hovedstaden-kort.svg"'
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(svg.split("\n", 1)[1])  # noqa: S314 – our own output
    marks = [element for element in root.iter() if "data-municipality" in element.attrib]
    assert len(marks) == Municipality.objects.filter(region="hovedstaden").count() == 29
    assert SOURCE in svg


@pytest.mark.parametrize("name", URL_NAMES)
def test_a_fixed_number_of_queries_whatever_the_number_of_responses(client, db, name):
    round_ = make_round(slug="load")
    municipalities = list(Municipality.objects.order_by("code"))
    client.force_login(make_staff(permissions=["view_response"]))
    url = reverse(name, args=["load"])

    def add(start, stop):
        for index in range(start, stop):
            quote = {"quote": f"Citat {index}", "quote_consent": "named"} if index % 3 == 0 else {}
            make_response(
                round_, answers(**quote) if index % 2 else NOT_STARTED_ANSWERS, municipality=municipalities[index]
            )

    add(0, 3)
    few = page_queries(client, url)
    add(3, 30)
    many = page_queries(client, url)
    assert few == many
    if name == "results:round":
        assert many <= 16


def test_a_round_without_responses_renders_with_dashes(client, db):
    make_round(slug="tom")
    client.force_login(make_staff(permissions=["view_response"]))
    response = client.get(reverse("results:round", args=["tom"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "–" in section(html, "headline")  # no share without responses, not 0% and not an error
    assert section(html, "map").count("mark-none") == 98
    book = load_workbook(BytesIO(b"".join(client.get(reverse("results:export", args=["tom"])).streaming_content)))
    assert book["Svar"].max_row == 3  # the source line, the codes and the question texts
    assert client.get(reverse("results:map", args=["tom"])).status_code == 200
