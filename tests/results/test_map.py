"""The map of Denmark: one mark per municipality, coloured, titled, escaped."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from questionnaire.models import Municipality
from results import map as denmark
from results.tallies import Filters, round_results
from tests.conftest import make_round
from tests.results.conftest import answers, make_response

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    # Our own output, made in the test: not untrusted.
    return ET.fromstring(svg.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n'))  # noqa: S314


def marks(root) -> dict[str, ET.Element]:
    circles = root.iter(f"{SVG}circle")
    found = [circle for circle in circles if "data-municipality" in circle.attrib]
    by_code = {circle.get("data-municipality"): circle for circle in found}
    assert len(by_code) == len(found), "a municipality is marked twice"
    return by_code


def title(mark) -> str:
    return mark.find(f"{SVG}title").text


def test_the_map_marks_every_municipality(survey):
    root = parse(denmark.map_svg(round_results(survey.round), standalone=True))
    assert set(marks(root)) == set(Municipality.objects.values_list("code", flat=True))
    assert len(marks(root)) == 98


def test_marks_are_coloured_by_primary_model(survey):
    found = marks(parse(denmark.map_svg(round_results(survey.round))))
    model_3, model_4, other = denmark.MODEL_COLOURS[2], denmark.MODEL_COLOURS[3], denmark.MODEL_COLOURS[6]
    assert found["101"].get("fill") == model_3
    # Aarhus: the main library's model, not the branch's.
    assert found["751"].get("fill") == model_3 != model_4
    assert found["461"].get("fill") == other
    # Not started: grey. No answer (a draft, an unanswered invitation, no invitation): outlined.
    assert found["147"].get("fill") == found["851"].get("fill") == denmark.NOT_STARTED_COLOUR
    for code in ("265", "259", "400"):
        assert found[code].get("fill") == denmark.NO_ANSWER_COLOUR
        assert "mark-none" in found[code].get("class")
    assert len(set(denmark.MODEL_COLOURS)) == 7
    assert denmark.NOT_STARTED_COLOUR not in denmark.MODEL_COLOURS


def test_each_mark_names_municipality_library_and_answer(survey):
    with translation.override("da"):
        found = marks(parse(denmark.map_svg(round_results(survey.round))))
    assert title(found["751"]).startswith("Aarhus – Aarhus Hovedbibliotek: Model 3: Udvalgte opgaver")
    assert title(found["147"]) == "Frederiksberg – Frederiksberg Bibliotek: ikke påbegyndt"
    assert title(found["259"]) == "Køge: intet svar"


def test_map_is_an_accessible_image_with_legend_and_source(survey):
    with translation.override("da"):
        svg = denmark.map_svg(round_results(survey.round), standalone=True)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "map-title map-desc"
    assert root.find(f"{SVG}title").text.startswith("Primær samarbejdsmodel pr. kommune – Biblioteker og")
    # Four active libraries, two of them in Aarhus.
    assert "98 kommuner: 3 med borgerserviceaktiviteter" in root.find(f"{SVG}desc").text
    text = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert "Kilde: Knudsen Syd og Danmarks Biblioteksforening" in text
    for legend in (
        "Model 1: Borgerserviceopgaver",
        "Model 6: Mindre faglige",
        "Anden model",
        "Ikke påbegyndt",
        "Intet svar",
    ):
        assert legend in text


def test_library_names_are_escaped(db):
    round_ = make_round()
    make_response(
        round_, answers(), name='<script>alert(1)</script> & "Co"', municipality=Municipality.objects.get(code="101")
    )
    svg = denmark.map_svg(round_results(round_))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<script>alert(1)</script> & "Co"' in title(marks(parse(svg))["101"])


def test_coordinates_use_dots_whatever_the_language(survey):
    with translation.override("da"):
        root = parse(denmark.map_svg(round_results(survey.round)))
    # float() fails on a Danish "412,5".
    assert all(float(circle.get("cx")) > 0 and float(circle.get("cy")) > 0 for circle in root.iter(f"{SVG}circle"))


def test_marks_stay_inside_the_drawing_and_copenhagen_is_magnified(survey):
    drawing = denmark.denmark_map(round_results(survey.round))
    for mark in drawing.marks:
        assert 0 < float(mark.cx) < denmark.LEGEND_X and 50 < float(mark.cy) < denmark.HEIGHT - 20, mark.municipality
    by_code = {mark.code: mark for mark in drawing.marks}
    # Frederiksberg and København are 2.3 km apart: far enough apart in the inset to tell.
    distance = abs(float(by_code["101"].cx) - float(by_code["147"].cx))
    assert distance > 2 * denmark.RADIUS


@pytest.mark.parametrize("region", ["hovedstaden", "nordjylland"])
def test_region_filter_draws_that_region(survey, region):
    found = marks(parse(denmark.map_svg(round_results(survey.round, Filters(region=region)))))
    assert set(found) == set(Municipality.objects.filter(region=region).values_list("code", flat=True))


def rings_of(path: str) -> list[list[tuple[float, float]]]:
    """Return the rings of an SVG path made of "M x y L x y … Z" only."""
    rings = []
    for part in path.split("Z"):
        numbers = [float(n) for n in part.replace("M", " ").replace("L", " ").split()]
        if numbers:
            rings.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
    return rings


def inside(point, ring) -> bool:
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_the_marks_sit_on_the_coastline_of_denmark(survey):
    root = parse(denmark.map_svg(round_results(survey.round), standalone=True))
    clips = {clip.get("id") for clip in root.iter(f"{SVG}clipPath")}
    lands = [path for path in root.iter(f"{SVG}path") if path.get("class", "").startswith("land-")]
    assert {path.get("class") for path in lands} == {"land-main", "land-copenhagen", "land-bornholm"}
    for path in lands:  # each area's land is cut to its own box
        assert path.get("clip-path").removeprefix("url(#").removesuffix(")") in clips
    rings = [ring for path in lands for ring in rings_of(path.get("d"))]
    on_land = [
        code
        for code, mark in marks(root).items()
        if any(inside((float(mark.get("cx")), float(mark.get("cy"))), ring) for ring in rings)
    ]
    # Town halls by the sea may fall just outside a coastline drawn at about 1 km.
    assert len(on_land) >= 94, sorted(set(marks(root)) - set(on_land))
    text = ET.tostring(root, encoding="unicode")
    assert "Natural Earth" in text
