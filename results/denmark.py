"""The map of Denmark: every municipality as its own shape, coloured by its library's answer.

One function makes the drawing, `denmark_map`: plain data (every municipality's outline in
the drawing's pixels, as SVG path data and as points cut to its area's box, with its colour;
the numbers, insets, legend and key). `map_svg` writes it as SVG: the results page shows it,
the downloads are it (SVG, and PNG made from the same SVG with `map_png`), and the PDF
report holds it; the PowerPoint report draws the same data as native shapes
(results.report_pptx), so the two cannot disagree. The SVG is self-contained: no scripts, no
links, no external fonts or images, only generic font families, so it prints and converts the
same everywhere.

The shapes are DAGI's municipal boundaries (data/municipalities.json, made by
data/make_municipalities.py), already projected into kilometres. Each municipality carries
a number (1–98, alphabetical), written in its shape and listed in the key beside the map,
so that a printed copy can be read without hovering; each shape also has a <title> for
those who can. Greater Copenhagen, where twenty municipalities share a few kilometres, is
drawn magnified in an inset, and Bornholm in a box of its own, as Danish maps usually do.

The figures come from results.tallies; this module only draws them, with the plane geometry
of results.geometry (views, clipping, path data, placing the numbers). All text goes through
a Django template, so respondent text (library names) is escaped, and control characters,
which no XML may hold, are taken out first.
"""

import functools
import json
import math
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from questionnaire.text import text_clean

from . import geometry
from .geometry import Place, Projection, View, coordinate, decode_ring, place_label, text_colour
from .tallies import ACTIVE, NOT_STARTED, PRIMARY_MODEL, SOURCE, MunicipalityModel, Results

# Okabe & Ito's palette, distinguishable with every common form of colour blindness,
# in the order of the model choices (model_1 … model_6, other).
MODEL_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
NOT_STARTED_COLOUR = "#A0A0A0"
UNKNOWN_MODEL_COLOUR = "#000000"
NO_ANSWER_COLOUR = "#FFFFFF"  # under grey hatching
HATCH_COLOUR = "#9A9A9A"
OUTSIDE_COLOUR = "#F1F3F5"  # municipalities outside the region filter, drawn for orientation
BORDER = "#4A4A4A"
HATCH_ID = "denmark-map-hatch"
NO_ANSWER_FILL = f"url(#{HATCH_ID})"
# The same hatching for HTML swatches (the page's legend and table).
NO_ANSWER_CSS = f"repeating-linear-gradient(45deg, {NO_ANSWER_COLOUR} 0 3px, {HATCH_COLOUR} 3px 4.5px)"

BOUNDARIES = Path(__file__).parent / "data" / "municipalities.json"
BOUNDARIES_SOURCE = "Kommunegrænser: DAGI, Styrelsen for Dataforsyning og Infrastruktur"

# Layout, in pixels of the drawing (1 px is about 0.2 mm on an A4 page across).
MAP_TOP = 72
KEY_X, KEY_WIDTH = 830, 580
KEY_COLUMNS = 4
LINE = 15
NUMBER_SIZE = 9  # font size of the numbers in the shapes
LABEL_ROOM = 5.5  # least distance (px) from a number's centre to its shape's border
LEGEND_WRAP = 86  # characters per line of a legend entry
FOOTER = 34


def clean(text) -> str:
    """Return *text* as a string without control characters, so the SVG is always well-formed XML."""
    return text_clean(str(text))


@functools.cache
def _boundaries() -> dict:
    """Return the shipped shapes: {code: (number, (x, y, room) in km, polygons as rings of (x, y) in km)}."""
    with open(BOUNDARIES, encoding="utf-8") as handle:
        data = json.load(handle)
    unit = data["projection"]["unit_km"]
    shapes = {}
    for municipality in data["municipalities"]:
        polygons = tuple(
            tuple(decode_ring(numbers, unit) for numbers in polygon) for polygon in municipality["polygons"]
        )
        label_x, label_y, room = (value * unit for value in municipality["label"])
        shapes[municipality["code"]] = (municipality["number"], (label_x, label_y, room), polygons)
    projection = Projection(tuple(data["projection"]["origin"]), tuple(data["projection"]["km_per_degree"]))
    return {"projection": projection, "shapes": shapes}


def _view(key: str, lon: tuple[float, float], lat: tuple[float, float], scale: float, x: float, y: float, **kw):
    """Return the view of the country between longitudes *lon* and latitudes *lat*, in the shapes' projection."""
    return View(key, _boundaries()["projection"].box(lon, lat), scale, x, y, **kw)


# The main map: mainland Denmark and its islands, Bornholm excepted.
MAIN = _view("main", (8.0, 12.72), (54.54, 57.76), 1.75, 20, MAP_TOP)
COPENHAGEN = _view("copenhagen", (12.14, 12.70), (55.515, 55.92), 6.5, 560, MAP_TOP + 22, framed_on_main=True)
BORNHOLM = _view("bornholm", (14.67, 15.17), (54.98, 55.31), 3.6, 560, MAP_TOP + 360)
INSETS = (COPENHAGEN, BORNHOLM)
VIEWS = (MAIN, *INSETS)
MAP_WIDTH = round(max(view.x + view.width for view in VIEWS)) + 20


def _inset_labels():
    return {"copenhagen": _("Greater Copenhagen"), "bornholm": _("Bornholm")}


# --- The shapes in each view, the same for every round: worked out once per process ---------


def _home(code: str) -> View:
    """Return the view that numbers *code*: an inset where its number's place lies in one, else the main map."""
    _code_number, (x, y, _room), _polygons = _boundaries()["shapes"][code]
    return next((view for view in INSETS if view.holds(x, y)), MAIN)


def _by_key(view_key: str) -> View:
    return next(view for view in VIEWS if view.key == view_key)


@functools.cache
def _outlines(view_key: str) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    """Return {code: rings of (x, y) in the view's pixels} of the municipalities reaching into the view.

    The one geometry of the drawing: the SVG's path data is written from it, and the deck's
    freeform shapes are drawn from it (clipped to the view's box, see `_clipped`).
    """
    shapes = {code: polygons for code, (_code_number, _label, polygons) in _boundaries()["shapes"].items()}
    return geometry.outlines(_by_key(view_key), shapes)


@functools.cache
def _paths(view_key: str) -> dict[str, str]:
    """Return {code: SVG path data} of the municipalities reaching into the view, in its pixels."""
    return geometry.paths(_outlines(view_key))


@functools.cache
def _clipped(view_key: str) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    """Return `_outlines` cut to the view's box, as the SVG's clip path shows them; without what lies outside."""
    return geometry.clipped(_by_key(view_key), _outlines(view_key))


@functools.cache
def _place(code: str) -> Place:
    """Return where *code*'s number is written: in its shape if it fits there, else just outside at sea."""
    _code_number, (x, y, room), _polygons = _boundaries()["shapes"][code]
    # Too small for its number (Fanø, Ærø): the nearest spot at sea, clear of every municipality.
    land = [shape[2] for shape in _boundaries()["shapes"].values()]
    return place_label(_home(code), (x, y), room, land, label_room=LABEL_ROOM, font_size=NUMBER_SIZE)


# --- The drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One municipality drawn in one view; *code* is set on the one copy that carries its number."""

    code: str
    path: str  # SVG path data, in the drawing's pixels, to be clipped to the area's box
    fill: str
    category: str  # model code, "not_started", "unknown", "none" or "outside" (filtered away)
    title: str
    municipality: str = ""  # its name ("" outside the region filter)
    rings: tuple[tuple[tuple[float, float], ...], ...] = ()  # the same outline as points, already clipped


@dataclass(frozen=True)
class Label:
    number: int
    x: str
    y: str
    colour: str
    leader: tuple[str, str, str, str] | None
    backing: tuple[str, str, str, str] | None = None  # a white box under a number on hatching: x, y, w, h


@dataclass(frozen=True)
class Area:
    """The main map or an inset: its box, label, shapes and numbers, and where it comes from."""

    key: str
    label: str
    x: str
    y: str
    width: str
    height: str
    label_y: str
    shapes: tuple[Shape, ...]
    labels: tuple[Label, ...]
    source: tuple[str, str, str, str] | None = None  # x, y, width, height on the main map
    lines: tuple[tuple[str, str, str, str], ...] = ()  # connectors x1, y1, x2, y2


@dataclass(frozen=True)
class Mark:
    """A municipality's entry in the key: its number, name, library and answer."""

    number: int
    code: str
    municipality: str
    region_label: str
    library: str
    answer: str
    category: str
    fill: str  # SVG paint
    swatch: str  # the same as a CSS background
    title: str
    # In the drawn key: the swatch at (x, y), the number ending at number_x, the name from name_x.
    x: str = "0"
    y: str = "0"
    number_x: str = "0"
    name_x: str = "0"
    text_y: str = "0"


@dataclass(frozen=True)
class LegendItem:
    label: str
    count: int
    fill: str
    swatch: str
    lines: tuple[str, ...]
    y: str = "0"  # of the swatch's top in the drawn legend
    text_x: str = str(KEY_X + 22)


@dataclass(frozen=True)
class DenmarkMap:
    title: str
    description: str
    heading: str
    subheading: str
    areas: tuple[Area, ...]
    marks: tuple[Mark, ...]  # the key, by number
    legend: tuple[LegendItem, ...]
    legend_heading: str
    key_heading: str
    source: str
    boundaries_source: str
    with_key: bool
    width: str
    height: str
    map_width: str
    key_heading_y: str
    hatch_id: str = HATCH_ID
    hatch_colour: str = HATCH_COLOUR
    no_answer_colour: str = NO_ANSWER_COLOUR
    border: str = BORDER
    number_size: str = str(NUMBER_SIZE)
    key_x: str = str(KEY_X)
    legend_heading_y: str = str(MAP_TOP + 8)
    footer_y: str = "0"
    boundaries_x: str = "0"


def model_colours(results: Results) -> dict[str, tuple[str, str]]:
    """Return {model code: (colour, label)} in questionnaire order: the same on the map and in charts."""
    question = results.question(PRIMARY_MODEL)
    choices = question.choices if question else ()
    return {
        choice.code: (MODEL_COLOURS[index % len(MODEL_COLOURS)], choice.label) for index, choice in enumerate(choices)
    }


def _classify(mark: MunicipalityModel, colours) -> tuple[str, str, str]:
    """Return (category, fill, answer text) for a municipality."""
    if not mark.answered:
        return "none", NO_ANSWER_FILL, _("no answer")
    if mark.status == NOT_STARTED:
        return NOT_STARTED, NOT_STARTED_COLOUR, _("not started")
    if mark.status == ACTIVE and mark.primary_model in colours:
        colour, label = colours[mark.primary_model]
        return mark.primary_model, colour, label
    return "unknown", UNKNOWN_MODEL_COLOUR, _("activities, primary model not given")


def _swatch(fill: str) -> str:
    return NO_ANSWER_CSS if fill == NO_ANSWER_FILL else fill


def _marks(results: Results, colours) -> list[Mark]:
    shapes = _boundaries()["shapes"]
    marks = []
    for municipality in results.municipalities:
        category, fill, answer = _classify(municipality, colours)
        name, library = clean(municipality.name), clean(municipality.library)
        if municipality.answered:
            title = _("%(municipality)s – %(library)s: %(answer)s") % {
                "municipality": name,
                "library": library,
                "answer": answer,
            }
        else:
            title = _("%(municipality)s: no answer") % {"municipality": name}
        marks.append(
            Mark(
                number=shapes[municipality.code][0],
                code=municipality.code,
                municipality=name,
                region_label=str(municipality.region_label),
                library=library,
                answer=clean(answer),
                category=category,
                fill=fill,
                swatch=_swatch(fill),
                title=clean(title),
            )
        )
    return sorted(marks, key=lambda mark: mark.number)


def _areas(marks: list[Mark]) -> tuple[Area, ...]:
    by_code = {mark.code: mark for mark in marks}
    areas = []
    for view in VIEWS:
        shapes, labels = [], []
        clipped = _clipped(view.key)
        for code, path in _paths(view.key).items():
            mark = by_code.get(code)
            rings = clipped.get(code, ())
            if mark is None:  # outside the region filter
                shapes.append(Shape("", path, OUTSIDE_COLOUR, "outside", "", rings=rings))
                continue
            home = _home(code) is view
            shapes.append(
                Shape(code if home else "", path, mark.fill, mark.category, mark.title, mark.municipality, rings)
            )
            if home:
                place = _place(code)
                backing = None
                if mark.fill == NO_ANSWER_FILL and not place.leader:
                    # Hatching runs through the digits: a white box under them keeps them legible.
                    width = 5.6 * len(str(mark.number)) + 3
                    top = float(place.y) - NUMBER_SIZE + 1
                    backing = tuple(coordinate(v) for v in (float(place.x) - width / 2, top, width, NUMBER_SIZE + 1))
                labels.append(Label(mark.number, place.x, place.y, text_colour(mark.fill), place.leader, backing))
        if view is not MAIN and not labels:
            continue  # an inset with nothing of the filtered region to show
        source, lines = None, ()
        if view.framed_on_main:
            west, north, east, south = view.box
            x1, y1 = MAIN.point(west, north)
            x2, y2 = MAIN.point(east, south)
            source = tuple(coordinate(value) for value in (x1, y1, x2 - x1, y2 - y1))
            lines = (
                tuple(coordinate(v) for v in (x2, y1, view.x, view.y)),
                tuple(coordinate(v) for v in (x2, y2, view.x, view.y + view.height)),
            )
        areas.append(
            Area(
                key=view.key,
                label=_inset_labels().get(view.key, ""),
                x=coordinate(view.x),
                y=coordinate(view.y),
                width=coordinate(view.width),
                height=coordinate(view.height),
                label_y=coordinate(view.y - 6),
                shapes=tuple(shapes),
                labels=tuple(labels),
                source=source,
                lines=lines,
            )
        )
    return tuple(areas)


def _legend(colours, marks: list[Mark]) -> tuple[LegendItem, ...]:
    counts = {}
    for mark in marks:
        counts[mark.category] = counts.get(mark.category, 0) + 1
    entries = [(code, label, colour) for code, (colour, label) in colours.items()]
    if counts.get("unknown"):
        entries.append(("unknown", _("Activities, primary model not given"), UNKNOWN_MODEL_COLOUR))
    entries += [(NOT_STARTED, _("Not started"), NOT_STARTED_COLOUR), ("none", _("No answer"), NO_ANSWER_FILL)]
    items, y = [], MAP_TOP + 20
    for code, label, fill in entries:
        text = f"{label} ({counts.get(code, 0)})"
        lines = tuple(textwrap.wrap(text, LEGEND_WRAP)) or ("",)
        items.append(LegendItem(label, counts.get(code, 0), fill, _swatch(fill), lines, y=coordinate(y)))
        y += LINE * len(lines) + 5
    return tuple(items)


def _key_layout(marks: list[Mark], top: float) -> tuple[list[Mark], float]:
    """Return the marks placed in the drawn key's columns (top to bottom, then across), and its bottom."""
    rows = max(1, math.ceil(len(marks) / KEY_COLUMNS))
    column = KEY_WIDTH / KEY_COLUMNS
    placed = []
    for index, mark in enumerate(marks):
        x = KEY_X + (index // rows) * column
        y = top + (index % rows) * LINE
        placed.append(
            replace(
                mark,
                x=coordinate(x),
                y=coordinate(y),
                number_x=coordinate(x + 32),
                name_x=coordinate(x + 36),
                text_y=coordinate(y + 8.5),
            )
        )
    return placed, top + rows * LINE


def denmark_map(results: Results, *, with_key: bool = True) -> DenmarkMap:
    """Return the drawing of the map for *results*: shapes, numbers, insets, legend and key.

    Without the key (*with_key* false) the drawing is the map alone, for a page that shows
    the legend and the key as text of its own (see `templates/results/round.html`).
    """
    colours = model_colours(results)
    marks = _marks(results, colours)
    legend = _legend(colours, marks)
    legend_bottom = float(legend[-1].y) + LINE * len(legend[-1].lines) if legend else MAP_TOP
    key_heading_y = legend_bottom + 28
    marks, key_bottom = _key_layout(marks, key_heading_y + 22)
    map_bottom = max(float(view.y) + view.height for view in VIEWS)
    bottom = max(map_bottom, key_bottom if with_key else 0) + FOOTER
    width = KEY_X + KEY_WIDTH + 10 if with_key else MAP_WIDTH

    round_title = clean(results.round.title)
    filters = results.filters
    heading = _("Primary cooperation model by municipality")
    subheading = " · ".join(
        [round_title]
        + ([str(filters.region_label)] if filters.region else [])
        + ([str(filters.kind_label)] if filters.kind else [])
    )
    counts = {"none": 0, NOT_STARTED: 0}
    for mark in marks:
        if mark.category in counts:
            counts[mark.category] += 1
    description = _(
        "%(total)d municipalities: %(active)d with borgerservice activities, coloured by the primary "
        "model of the main library (or another library of the municipality); %(not_started)d not "
        "started (grey); %(none)d without an answer (hatched). The number in each municipality "
        "refers to the list of municipalities."
    ) % {
        "total": len(marks),
        "active": len(marks) - counts[NOT_STARTED] - counts["none"],
        "not_started": counts[NOT_STARTED],
        "none": counts["none"],
    }
    return DenmarkMap(
        title=f"{heading} – {round_title}",
        description=description,
        heading=heading,
        subheading=subheading,
        areas=_areas(marks),
        marks=tuple(marks),
        legend=legend,
        legend_heading=_("Primary model of the library (number of municipalities)"),
        key_heading=_("Municipalities"),
        source=SOURCE,
        boundaries_source=BOUNDARIES_SOURCE,
        with_key=with_key,
        width=str(width),
        height=coordinate(bottom),
        map_width=str(MAP_WIDTH),
        key_heading_y=coordinate(key_heading_y),
        footer_y=coordinate(bottom - 14),
        boundaries_x=str(width - 20),
    )


def map_svg(results: Results, *, standalone: bool = False, with_key: bool = True) -> str:
    """Return the map as SVG markup: the one drawing of the page, the downloads and reports.

    *standalone* adds the XML declaration, for a file of its own; *with_key* false leaves out
    the legend and the list of municipalities, for a page that shows them as text beside it.
    """
    svg = render_to_string("results/map.svg", {"map": denmark_map(results, with_key=with_key)})
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg if standalone else svg


def map_png(results: Results, *, scale: float = 2) -> bytes:
    """Return the map with its key as a PNG, *scale* pixels per pixel of the drawing (2: for print)."""
    import cairosvg  # only the PNG download needs cairo

    return cairosvg.svg2png(bytestring=map_svg(results, standalone=True).encode("utf-8"), scale=scale)
