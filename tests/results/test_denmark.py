"""The map of Denmark: a shape per municipality, coloured, numbered, titled, escaped, self-contained."""

import json
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from questionnaire.models import Municipality
from results import denmark
from results.tallies import Filters, round_results
from tests.conftest import answers, make_response, make_round

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    # Our own output, made in the test: not untrusted.
    return ET.fromstring(svg.removeprefix('<?xml version="1.0" encoding="UTF-8"?>\n'))  # noqa: S314


def shapes(root) -> dict[str, ET.Element]:
    """Return {code: path} of the shapes that carry a municipality's number (one each)."""
    found = [path for path in root.iter(f"{SVG}path") if "data-municipality" in path.attrib]
    by_code = {path.get("data-municipality"): path for path in found}
    assert len(by_code) == len(found), "a municipality carries its number twice"
    return by_code


def title(shape) -> str:
    return shape.find(f"{SVG}title").text


def texts(root) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def rings(path: str) -> list[list[tuple[float, float]]]:
    """Return the rings of path data made of "M x y l dx dy … z" (the map's own compact form)."""
    result = []
    for part in path.split("z"):
        if not part.strip():
            continue
        absolute, relative = part.removeprefix("M").split("l")
        x, y = (float(n) for n in re.findall(r"-?\d*\.?\d+", absolute))
        points = [(x, y)]
        steps = [float(n) for n in re.findall(r"-?\d*\.?\d+", relative)]
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        result.append(points)
    return result


def inside(point, polygon_rings) -> bool:
    x, y = point
    crossings = 0
    for ring in polygon_rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def test_every_municipality_is_a_shape_of_its_own(survey):
    root = parse(denmark.map_svg(round_results(survey.round), standalone=True))
    found = shapes(root)
    assert set(found) == set(Municipality.objects.values_list("code", flat=True))
    assert len(found) == 98
    for code, shape in found.items():
        assert rings(shape.get("d")), code
    # The capital's municipalities are drawn on the main map too (under the inset's frame), without a number.
    copies = [path for path in root.iter(f"{SVG}path") if "data-municipality" not in path.attrib]
    assert len(copies) > 20


def test_shapes_are_coloured_by_primary_model(survey):
    found = shapes(parse(denmark.map_svg(round_results(survey.round))))
    model_3, model_4, other = denmark.MODEL_COLOURS[2], denmark.MODEL_COLOURS[3], denmark.MODEL_COLOURS[6]
    assert found["101"].get("fill") == model_3
    # Aarhus: the main library's model, not the branch's.
    assert found["751"].get("fill") == model_3 != model_4
    assert found["461"].get("fill") == other
    # Not started: grey. No answer (a draft, an unanswered invitation, no invitation): hatched.
    assert found["147"].get("fill") == found["851"].get("fill") == denmark.NOT_STARTED_COLOUR
    for code in ("265", "259", "400"):
        assert found[code].get("fill") == f"url(#{denmark.HATCH_ID})"
        assert "shape-none" in found[code].get("class")
    assert len(set(denmark.MODEL_COLOURS)) == 7
    assert denmark.NOT_STARTED_COLOUR not in denmark.MODEL_COLOURS


def test_the_hatching_is_defined_in_the_drawing(survey):
    root = parse(denmark.map_svg(round_results(survey.round)))
    patterns = {pattern.get("id") for pattern in root.iter(f"{SVG}pattern")}
    assert denmark.HATCH_ID in patterns


def test_each_shape_names_municipality_library_and_answer(survey):
    with translation.override("da"):
        found = shapes(parse(denmark.map_svg(round_results(survey.round))))
    assert title(found["751"]).startswith("Aarhus – Aarhus Hovedbibliotek: Model 3: Udvalgte opgaver")
    assert title(found["147"]) == "Frederiksberg – Frederiksberg Bibliotek: ikke påbegyndt"
    assert title(found["259"]) == "Køge: intet svar"


def numbers(root) -> dict[str, ET.Element]:
    """Return {number: <text>} of the numbers written on the map (not in the key)."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "numbers":
            for text in group.iter(f"{SVG}text"):
                assert text.text not in found, f"number {text.text} written twice"
                found[text.text] = text
    return found


def test_every_municipality_has_a_number_on_the_map_and_in_the_key(survey):
    with translation.override("da"):
        drawing = denmark.denmark_map(round_results(survey.round))
        root = parse(denmark.map_svg(round_results(survey.round)))
    by_code = {mark.code: mark for mark in drawing.marks}
    assert sorted(mark.number for mark in drawing.marks) == list(range(1, 99))
    # Numbered alphabetically, as a Danish list: Aabenraa first, Ærø last.
    assert (by_code["580"].number, by_code["851"].number, by_code["492"].number) == (1, 2, 98)
    assert [mark.number for mark in drawing.marks] == list(range(1, 99))  # the key in number order
    written = numbers(root)
    assert set(written) == {str(n) for n in range(1, 99)}
    for text in written.values():
        assert float(text.get("font-size") or root.find(f".//{SVG}g[@class='numbers']").get("font-size")) >= 9
    # The key beside the map pairs each number with the municipality's name.
    key = {entry.get("data-key"): [t.text for t in entry.iter(f"{SVG}text")] for entry in root.iter(f"{SVG}g")}
    assert key["101"] == [str(by_code["101"].number), "København"]
    assert key["400"] == [str(by_code["400"].number), "Bornholm"]
    assert sum(1 for code in key if code) == 98


def test_numbers_sit_in_their_shape_or_point_at_it(survey):
    root = parse(denmark.map_svg(round_results(survey.round)))
    written = numbers(root)
    found = shapes(root)
    by_number = {mark.number: mark.code for mark in denmark.denmark_map(round_results(survey.round)).marks}
    outside = []
    for number, text in written.items():
        shape = rings(found[by_number[int(number)]].get("d"))
        centre = (float(text.get("x")), float(text.get("y")) - denmark.NUMBER_SIZE / 3)
        if not inside(centre, shape):
            outside.append(by_number[int(number)])
    # Only the smallest islands get their number just off the coast, with a line to it.
    leaders = [line for group in root.iter(f"{SVG}g") if group.get("class") == "numbers" for line in group]
    leaders = [element for element in leaders if element.tag == f"{SVG}line"]
    assert len(outside) == len(leaders) <= 4, outside
    assert set(outside) <= {"563", "492", "260", "741", "825"}  # Fanø, Ærø, Halsnæs, Samsø, Læsø


def test_map_is_an_accessible_image_with_legend_and_sources(survey):
    with translation.override("da"):
        svg = denmark.map_svg(round_results(survey.round), standalone=True)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "map-title map-desc"
    assert root.find(f"{SVG}title").text.startswith("Primær samarbejdsmodel pr. kommune – Biblioteker og")
    # Four active libraries, two of them in Aarhus.
    assert "98 kommuner: 3 med borgerserviceaktiviteter" in root.find(f"{SVG}desc").text
    text = " ".join(texts(root))
    assert "Kilde: Knudsen Syd og Danmarks Biblioteksforening" in text
    assert "Kommunegrænser: DAGI, Styrelsen for Dataforsyning og Infrastruktur" in text
    assert "Natural Earth" not in svg
    for legend in (
        "Model 1: Borgerserviceopgaver",
        "Model 6: Mindre faglige",
        "Anden model",
        "Ikke påbegyndt (2)",
        "Intet svar (93)",
        "Hovedstadsområdet",
        "Kommuner",
    ):
        assert legend in text, legend


def test_the_svg_is_self_contained(survey):
    svg = denmark.map_svg(round_results(survey.round), standalone=True)
    assert "<script" not in svg and "href" not in svg and "<image" not in svg and "@import" not in svg
    assert set(re.findall(r"url\((.)", svg)) == {"#"}  # only the drawing's own hatching and clips
    assert "sans-serif" in parse(svg).get("font-family")


def test_library_names_are_escaped_and_control_characters_dropped(db):
    round_ = make_round(title="Runde\x0b 2026")
    name = '<script>alert(1)</script> & "Co"\x01\x07\x1b\ufffe'
    make_response(round_, answers(), name=name, municipality=Municipality.objects.get(code="101"))
    svg = denmark.map_svg(round_results(round_), standalone=True)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # well-formed XML: no control character survived
    assert '<script>alert(1)</script> & "Co"' in title(shapes(root)["101"])
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", svg)


def test_coordinates_use_dots_whatever_the_language(survey):
    with translation.override("da"):
        root = parse(denmark.map_svg(round_results(survey.round)))
    # float() fails on a Danish "412,5".
    for text in root.iter(f"{SVG}text"):
        assert float(text.get("x")) >= 0 and float(text.get("y")) > 0
    assert all(rings(shape.get("d")) for shape in shapes(root).values())


def test_shapes_stay_inside_their_boxes_and_copenhagen_is_magnified(survey):
    drawing = denmark.denmark_map(round_results(survey.round))
    root = parse(denmark.map_svg(round_results(survey.round)))
    found = shapes(root)
    width, height = float(drawing.width), float(drawing.height)
    for code, shape in found.items():
        for ring in rings(shape.get("d")):
            assert all(-50 < x < width and 40 < y < height for x, y in ring), code
    # In the inset, Frederiksberg is large enough to hold its number comfortably.
    frederiksberg = rings(found["147"].get("d"))[0]
    xs = [x for x, _y in frederiksberg]
    assert max(xs) - min(xs) > 20
    areas = {area.key for area in drawing.areas}
    assert areas == {"main", "copenhagen", "bornholm"}


@pytest.mark.parametrize("region", ["hovedstaden", "nordjylland"])
def test_region_filter_numbers_that_region_and_greys_the_rest(survey, region):
    svg = denmark.map_svg(round_results(survey.round, Filters(region=region)))
    root = parse(svg)
    in_region = set(Municipality.objects.filter(region=region).values_list("code", flat=True))
    assert set(shapes(root)) == in_region
    assert len(numbers(root)) == len(in_region)
    assert f'fill="{denmark.OUTSIDE_COLOUR}"' in svg  # the rest of the country, for orientation
    if region == "nordjylland":
        assert "area-bornholm" not in svg and "area-copenhagen" not in svg


def test_the_page_map_leaves_the_key_to_the_page(survey):
    drawing = denmark.denmark_map(round_results(survey.round), with_key=False)
    svg = denmark.map_svg(round_results(survey.round), with_key=False)
    root = parse(svg)
    assert len(shapes(root)) == 98
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") in ("legend", "key")]
    assert float(drawing.width) < float(denmark.denmark_map(round_results(survey.round)).width)


def test_the_png_is_a_real_png_of_the_map(survey):
    png = denmark.map_png(round_results(survey.round), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    drawing = denmark.denmark_map(round_results(survey.round))
    assert (width, height) == (round(float(drawing.width)), round(float(drawing.height)))


def test_the_shipped_shapes_are_small_and_cover_the_register(db):
    assert denmark.BOUNDARIES.stat().st_size < 200_000
    with open(denmark.BOUNDARIES, encoding="utf-8") as handle:
        data = json.load(handle)
    codes = {municipality["code"] for municipality in data["municipalities"]}
    assert codes == set(Municipality.objects.values_list("code", flat=True))
    assert "DAGI" in data["source"]


def test_the_drawing_holds_the_svgs_outlines_as_points_cut_to_each_box(survey):
    """The deck draws `Shape.rings`: the same outline as the SVG's path, cut where the SVG's clip path cuts."""
    drawing = denmark.denmark_map(round_results(survey.round), with_key=False)
    for area in drawing.areas:
        west, north = float(area.x), float(area.y)
        east, south = west + float(area.width), north + float(area.height)
        for shape in area.shapes:
            points = [point for ring in shape.rings for point in ring]
            assert all(west - 0.01 <= x <= east + 0.01 and north - 0.01 <= y <= south + 0.01 for x, y in points)
            if area.key == "main" and shape.code:  # nothing of the main map reaches its box's edge
                from_svg = rings(shape.path)
                assert len(from_svg) == len(shape.rings), shape.municipality
                for svg_ring, ring in zip(from_svg, shape.rings, strict=True):
                    assert svg_ring[0] == pytest.approx(ring[0], abs=0.06)
    main = next(area for area in drawing.areas if area.key == "main")
    assert {shape.municipality for shape in main.shapes if shape.code} >= {"Aarhus", "Køge", "Odense"}
    copenhagen = next(area for area in drawing.areas if area.key == "copenhagen")
    numbered = {shape.municipality: shape for shape in copenhagen.shapes if shape.code}
    assert numbered["Frederiksberg"].fill == denmark.NOT_STARTED_COLOUR and numbered["Frederiksberg"].rings
