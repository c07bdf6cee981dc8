"""The results page and its downloads, through the test client: access, content, escaping, queries."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from questionnaire.models import Choice, Municipality, Question, Section
from results import tallies
from results.tallies import SOURCE
from tests.conftest import NOT_STARTED_ANSWERS, make_round, make_staff, page_queries
from tests.results.conftest import HOSTILE_QUOTE, answers, make_response

URL_NAMES = ("results:round", "results:export", "results:map", "results:map-png")


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
    assert re.search(r">Model 3</span><span[^>]*>Udvalgte opgaver", models) and "75\xa0%" in models
    regions = section(html, "regions")
    assert "Region Midtjylland" in regions and "Region Nordjylland" in regions
    services = section(html, "services")
    assert services.index("Pas") < services.index("Sygesikring") < services.index("Skattespørgsmål")
    economy = section(html, "economy")
    # Three libraries gave an amount, fewer than SMALL_GROUP_MIN (5): no amount, and why.
    assert "Kun 3 biblioteker har oplyst et beløb" in economy and "kr." not in economy
    challenges = section(html, "challenges")
    assert challenges.index("Kulturforskelle") < challenges.index("Lovstof")
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_page_shows_amounts_in_danish_when_enough_libraries_gave_one(staff_client, settings):
    settings.SMALL_GROUP_MIN = 3
    economy = section(page(staff_client).content.decode(), "economy")
    for amount in ("20.000", "100.000", "300.000", "420.000"):
        assert f"{amount}\xa0kr." in economy  # Danish grouping and kroner
    assert "Kun 3 biblioteker" not in economy


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
    assert "Citat Borgerservicechef Hanne Jensen, Københavns Biblioteker" in quotes
    assert "Et bibliotek i Region Midtjylland" in quotes
    assert "Skjult Person" not in html and "Hemmelig stilling" not in html
    assert "Aarhus Hovedbibliotek" not in quotes
    assert "Må ikke bruges." not in html
    # Hostile text is shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in quotes
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in quotes
    # No script but our own file, which only marks the wide tables (the page works without it).
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/results/tables.js" defer>']


def test_page_includes_the_map_and_its_table(staff_client):
    html = page(staff_client).content.decode()
    map_section = section(html, "map")
    assert map_section.count("data-municipality=") == 98
    assert 'role="img"' in map_section
    assert map_section.count("<tr>") == 98 + 1  # the map as a table: a header and a row per municipality
    # The legend and the numbered list of municipalities are text on the page, beside the map.
    assert "Bibliotekets primære model (antal kommuner)" in map_section
    assert '<span class="results-key-number">51</span>' in map_section and "København</li>" in map_section


def test_filters_narrow_the_page_and_pass_on_to_the_downloads(staff_client):
    response = page(staff_client, region="midtjylland", kind="filial")
    results = response.context["results"]
    assert (results.headline.responses, results.headline.active) == (1, 1)
    html = response.content.decode()
    assert 'href="/results/bs2009/workbook.xlsx?region=midtjylland&amp;kind=filial"' in html
    assert 'href="/results/bs2009/map.svg?region=midtjylland&amp;kind=filial"' in html
    assert 'href="/results/bs2009/map.png?region=midtjylland&amp;kind=filial"' in html
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
        assert many <= 22  # figures, cross-table, bands, texts, earlier rounds, interview quotes: none per response
        # Another cross-table costs no more.
        assert page_queries(client, url + "?question=services&by=models") == many


def test_a_round_without_responses_says_so_in_one_line(client, db):
    make_round(slug="tom")
    client.force_login(make_staff(permissions=["view_response"]))
    response = client.get(reverse("results:round", args=["tom"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Der er endnu ikke indsendt nogen besvarelser." in html
    assert "<section" not in html and "<table" not in html
    book = load_workbook(BytesIO(b"".join(client.get(reverse("results:export", args=["tom"])).streaming_content)))
    assert book["Svar"].max_row == 3  # the source line, the codes and the question texts
    svg = client.get(reverse("results:map", args=["tom"])).content.decode()
    assert svg.count('class="shape shape-none" data-municipality=') == 98


def test_a_filter_without_responses_says_so_in_one_line(staff_client):
    html = page(staff_client, region="nordjylland", kind="bogbus").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("Ingen indsendte besvarelser passer til disse filtre.") == 1
    assert "<section" not in main and "<table" not in main and "<svg" not in main


def test_map_png_download(staff_client):
    response = staff_client.get(reverse("results:map-png", args=["bs2009"]), {"region": "hovedstaden"})
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="borgerservice-bs2009-hovedstaden-kort.png"'
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(response.content) > 20_000


BAR = re.compile(
    r'<td class="text-end">([^<]*)</td>\s*<td class="results-bar-cell[^"]*">'
    r'<span class="results-bar" aria-hidden="true"><span class="results-bar-fill" style="width:(\d+)%'
)


def test_every_bar_is_as_long_as_the_figure_beside_it(staff_client):
    html = page(staff_client).content.decode()
    bars = BAR.findall(html)
    assert len(bars) == html.count('<span class="results-bar"') > 50
    for figure, width in bars:
        expected = "0" if figure == "–" else figure.removesuffix("\xa0%")
        assert width == expected, (figure, width)
    # The models table: the bar draws the share of libraries with activities, written just before it.
    models = section(html, "models")
    assert re.search(
        r">Model 3</span><span[^>]*>Udvalgte[^<]*</span></th>\s*<td[^>]*>3</td>\s*<td[^>]*>50\xa0%</td>\s*<td[^>]*>75\xa0%</td>",
        models,
    )
    assert 'style="width:75%' in models
    # The headline's split: 67 % and 33 %.
    headline = section(html, "headline")
    assert re.findall(r'results-bar-fill" style="width:(\d+)%', headline) == ["67", "33"]


def visible_text(html: str) -> str:
    """Return what a reader sees of *html*: its text, not its markup or attribute values."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.parametrize("params", [{}, {"question": "services", "by": "models"}, {"region": "midtjylland"}])
def test_no_question_or_choice_code_shows_on_the_page(staff_client, params):
    round_ = staff_client.survey.round
    codes = set(Question.objects.filter(questionnaire=round_.questionnaire).values_list("code", flat=True))
    codes |= set(Choice.objects.filter(question__questionnaire=round_.questionnaire).values_list("code", flat=True))
    codes |= set(Section.objects.filter(questionnaire=round_.questionnaire).values_list("code", flat=True))
    codes |= {"hovedstaden", "midtjylland", "sjaelland", "syddanmark", "nordjylland"}  # kinds are Danish words anyway
    assert {"status", "model_1", "not_started", "resources_dkk"} <= codes
    text = visible_text(page(staff_client, **params).content.decode())
    shown = {code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)}
    assert not shown


def test_open_answers_are_listed_with_the_library(staff_client):
    html = page(staff_client).content.decode()
    texts = section(html, "open-answers")
    assert "Beskriv den anden model" in texts and "Hvilke råd vil I give andre biblioteker?" in texts
    assert "-2+3 infodisk" in texts and "=Odense Centralbibliotek, Odense" in texts
    assert "@SUM(1+1)" in texts and "Aarhus Hovedbibliotek, Aarhus" in texts
    for secret in ("Skjult Person", "Hemmelig stilling", "hanne@example.com", "Må ikke bruges.", "Borgerne er glade"):
        assert secret not in texts
    filtered = section(page(staff_client, region="syddanmark").content.decode(), "open-answers")
    assert "-2+3 infodisk" in filtered and "@SUM(1+1)" not in filtered


def test_numbers_are_shown_in_bands(staff_client):
    numbers = section(page(staff_client).content.decode(), "numbers")
    assert "Hvor mange betjeningssteder" in numbers
    assert re.search(r">3–5</th>\s*<td[^>]*>4</td>\s*<td[^>]*>67\xa0%</td>", numbers)
    assert re.search(r">2005–2009</th>\s*<td[^>]*>4</td>\s*<td[^>]*>100\xa0%</td>", numbers)
    assert re.search(r">250.000–499.999\xa0kr.</th>\s*<td[^>]*>1</td>\s*<td[^>]*>33\xa0%</td>", numbers)


def test_the_cross_table_is_chosen_on_the_page(staff_client):
    html = page(staff_client).content.decode()
    crosstab = section(html, "crosstab")
    # By default: the primary model by region.
    assert "Hvilken model beskriver bedst jeres samarbejde? – opdelt efter: Region" in crosstab
    assert re.search(r">Model 3: Udvalgte[^<]*</th>\s*<td[^>]*>1 <span[^>]*>\(50\xa0%\)</span></td>", crosstab)
    assert '<option value="primary_model" selected>' in crosstab
    chosen = section(
        page(staff_client, question="status", by="kind", region="midtjylland").content.decode(), "crosstab"
    )
    assert "opdelt efter: Bibliotekstype" in chosen
    assert re.search(r">Ja, biblioteket har[^<]*</th>\s*<td[^>]*>1 <span[^>]*>\(50\xa0%\)</span></td>", chosen)
    assert '<input type="hidden" name="region" value="midtjylland">' in chosen
    # Nonsense falls back to the default table, not an error.
    fallback = section(page(staff_client, question="units", by="nope").content.decode(), "crosstab")
    assert "opdelt efter: Region" in fallback


def test_the_cross_table_downloads_with_the_workbook(staff_client):
    html = section(page(staff_client, question="status", by="kind", region="midtjylland").content.decode(), "crosstab")
    link = reverse("results:export", args=["bs2009"]) + "?region=midtjylland&amp;question=status&amp;by=kind"
    assert f'href="{link}"' in html
    response = staff_client.get(link.replace("&amp;", "&"))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book["Krydstabel"]["A2"].value == "Har biblioteket borgerserviceaktiviteter i dag? – Bibliotekstype"


def test_the_page_travels_compressed(staff_client):
    import gzip

    plain = page(staff_client).content
    response = staff_client.get(reverse("results:round", args=["bs2009"]), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).decode().count("<table") == plain.decode().count("<table")
    assert len(response.content) < len(plain) / 4
