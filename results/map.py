"""The map of Denmark: every municipality at its place, coloured by its library's primary model.

Municipalities are drawn as circles from their latitude and longitude with an
equirectangular projection (longitude scaled by cos 56°, the latitude of Denmark's
middle), over Natural Earth's coastline (data/denmark.json). Greater Copenhagen, where 20 municipalities
share a few kilometres, is drawn magnified in an inset, and Bornholm in a box of
its own, as Danish maps usually do. The figures come from results.tallies; this
module only draws them. All text goes through a Django template, so respondent
text (library names) is escaped, and control characters are removed (questionnaire.text).
"""

import functools
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from questionnaire.text import text_clean

from .tallies import ACTIVE, NOT_STARTED, PRIMARY_MODEL, SOURCE, MunicipalityModel, Results

# Okabe & Ito's palette, distinguishable with every common form of colour blindness,
# in the order of the model choices (model_1 … model_6, other). Every mark has a dark
# outline, so light fills (yellow) still stand out from the white ground.
MODEL_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
NOT_STARTED_COLOUR = "#A0A0A0"
UNKNOWN_MODEL_COLOUR = "#000000"
NO_ANSWER_COLOUR = "#FFFFFF"
OUTLINE = "#333333"

WIDTH, HEIGHT = 1020, 650
SCALE = 170  # pixels per degree of latitude
LON_SCALE = math.cos(math.radians(56))
RADIUS = 6

# The main map: mainland Denmark and its islands, Bornholm excepted.
MAIN_LON, MAIN_LAT, MAIN_ORIGIN = (8.0, 12.8), (54.55, 57.8), (20, 60)
LEGEND_X, LEGEND_Y, LEGEND_WRAP = 735, 66, 38


@dataclass(frozen=True)
class Inset:
    """A part of the country drawn apart: *lon* × *lat* magnified *zoom* times at (x, y)."""

    key: str
    lon: tuple[float, float]
    lat: tuple[float, float]
    zoom: float
    x: float
    y: float
    framed_on_main: bool  # whether the main map shows where the inset comes from

    def contains(self, mark: MunicipalityModel) -> bool:
        return self.lon[0] <= mark.longitude <= self.lon[1] and self.lat[0] <= mark.latitude <= self.lat[1]

    @property
    def width(self):
        return (self.lon[1] - self.lon[0]) * LON_SCALE * SCALE * self.zoom

    @property
    def height(self):
        return (self.lat[1] - self.lat[0]) * SCALE * self.zoom

    def project(self, longitude, latitude):
        return (
            self.x + (longitude - self.lon[0]) * LON_SCALE * SCALE * self.zoom,
            self.y + (self.lat[1] - latitude) * SCALE * self.zoom,
        )


MAIN = Inset("main", MAIN_LON, MAIN_LAT, 1, *MAIN_ORIGIN, framed_on_main=False)
INSETS = (
    Inset("copenhagen", (12.25, 12.72), (55.56, 55.9), 4.5, 505, 66, framed_on_main=True),
    Inset("bornholm", (14.62, 15.22), (54.97, 55.32), 1.5, 505, 395, framed_on_main=False),
)


# Natural Earth's coastline of Denmark (public domain), made by data/make_denmark_outline.py.
COASTLINE = Path(__file__).parent / "data" / "denmark.json"


@functools.cache
def _coastline() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Return Denmark's land as rings of (longitude, latitude), the largest first."""
    with open(COASTLINE, encoding="utf-8") as handle:
        return tuple(tuple((lon, lat) for lon, lat in ring) for ring in json.load(handle)["rings"])


def _inset_labels():
    return {"copenhagen": _("Greater Copenhagen"), "bornholm": _("Bornholm")}


def _number(value: float) -> str:
    # SVG needs a dot as decimal mark whatever the language of the page.
    return f"{value:.1f}"


@dataclass(frozen=True)
class Mark:
    code: str
    municipality: str
    region_label: str
    library: str
    answer: str
    category: str  # model code, "not_started", "unknown" or "none"
    cx: str
    cy: str
    fill: str
    title: str

    @property
    def answered(self):
        return self.category != "none"


@dataclass(frozen=True)
class LegendItem:
    lines: tuple[str, ...]
    fill: str
    cy: str
    text_y: str


@dataclass(frozen=True)
class Frame:
    """An inset's box, its label, and where on the main map it comes from."""

    label: str
    x: str
    y: str
    width: str
    height: str
    label_y: str
    source: tuple[str, str, str, str] | None  # x, y, width, height on the main map
    lines: tuple[tuple[str, str, str, str], ...]  # connectors x1, y1, x2, y2


@dataclass(frozen=True)
class Land:
    """The coastline drawn in one area (the main map or an inset), clipped to its box."""

    key: str
    path: str  # SVG path data
    x: str
    y: str
    width: str
    height: str


@dataclass(frozen=True)
class DenmarkMap:
    title: str
    description: str
    heading: str
    subheading: str
    marks: tuple[Mark, ...]
    legend: tuple[LegendItem, ...]
    frames: tuple[Frame, ...]
    lands: tuple[Land, ...]
    legend_heading: str
    source: str
    coastline_source: str
    outline: str = OUTLINE
    # Layout, as strings: SVG wants dots as decimal marks and no thousands separators.
    width: str = str(WIDTH)
    height: str = str(HEIGHT)
    source_y: str = str(HEIGHT - 12)
    coastline_source_x: str = str(WIDTH - 20)
    radius: str = str(RADIUS)
    legend_x: str = str(LEGEND_X)
    legend_heading_y: str = str(LEGEND_Y)
    legend_mark_x: str = str(LEGEND_X + RADIUS + 2)
    legend_text_x: str = str(LEGEND_X + 2 * RADIUS + 12)


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
        return "none", NO_ANSWER_COLOUR, _("no answer")
    if mark.status == NOT_STARTED:
        return NOT_STARTED, NOT_STARTED_COLOUR, _("not started")
    if mark.status == ACTIVE and mark.primary_model in colours:
        colour, label = colours[mark.primary_model]
        return mark.primary_model, colour, label
    return "unknown", UNKNOWN_MODEL_COLOUR, _("activities, primary model not given")


def _frame(inset: Inset) -> Frame:
    source, lines = None, ()
    if inset.framed_on_main:
        x1, y1 = MAIN.project(inset.lon[0], inset.lat[1])
        x2, y2 = MAIN.project(inset.lon[1], inset.lat[0])
        source = tuple(_number(value) for value in (x1, y1, x2 - x1, y2 - y1))
        lines = (
            tuple(_number(v) for v in (x2, y1, inset.x, inset.y)),
            tuple(_number(v) for v in (x2, y2, inset.x, inset.y + inset.height)),
        )
    return Frame(
        label=_inset_labels()[inset.key],
        x=_number(inset.x),
        y=_number(inset.y),
        width=_number(inset.width),
        height=_number(inset.height),
        label_y=_number(inset.y - 6),
        source=source,
        lines=lines,
    )


def land_rings(inset: Inset) -> list[list[tuple[float, float]]]:
    """Return the rings of land that reach into *inset*, projected onto it."""
    rings = []
    for ring in _coastline():
        longitudes, latitudes = [lon for lon, _lat in ring], [lat for _lon, lat in ring]
        if max(longitudes) < inset.lon[0] or min(longitudes) > inset.lon[1]:
            continue
        if max(latitudes) < inset.lat[0] or min(latitudes) > inset.lat[1]:
            continue
        rings.append([inset.project(lon, lat) for lon, lat in ring])
    return rings


@functools.cache
def _lands() -> tuple[Land, ...]:
    # The same for every round and filter: drawn once per process.
    lands = []
    for inset in (MAIN, *INSETS):
        path = " ".join(
            "M" + " L".join(f"{_number(x)} {_number(y)}" for x, y in ring) + "Z" for ring in land_rings(inset)
        )
        lands.append(
            Land(
                key=inset.key,
                path=path,
                x=_number(inset.x),
                y=_number(inset.y),
                width=_number(inset.width),
                height=_number(inset.height),
            )
        )
    return tuple(lands)


def _legend(colours) -> tuple[LegendItem, ...]:
    entries = [(label, colour) for colour, label in colours.values()]
    entries += [(_("Not started"), NOT_STARTED_COLOUR), (_("No answer"), NO_ANSWER_COLOUR)]
    items, y = [], LEGEND_Y + 22
    for label, colour in entries:
        lines = tuple(textwrap.wrap(label, LEGEND_WRAP)) or ("",)
        items.append(LegendItem(lines, colour, cy=_number(y - 4), text_y=_number(y)))
        y += 15 * len(lines) + 9
    return tuple(items)


def denmark_map(results: Results) -> DenmarkMap:
    """Return the drawing of the map for *results*: one mark per municipality, legend and frames."""
    colours = model_colours(results)
    marks = []
    counts = {"none": 0, NOT_STARTED: 0, "active": 0}
    for municipality in results.municipalities:
        category, fill, answer = _classify(municipality, colours)
        counts["active" if category not in counts else category] += 1
        inset = next((inset for inset in INSETS if inset.contains(municipality)), MAIN)
        x, y = inset.project(municipality.longitude, municipality.latitude)
        if municipality.answered:
            title = _("%(municipality)s – %(library)s: %(answer)s") % {
                "municipality": municipality.name,
                "library": municipality.library,
                "answer": answer,
            }
        else:
            title = _("%(municipality)s: no answer") % {"municipality": municipality.name}
        marks.append(
            Mark(
                code=municipality.code,
                municipality=municipality.name,
                region_label=str(municipality.region_label),
                library=municipality.library,
                answer=answer,
                category=category,
                cx=_number(x),
                cy=_number(y),
                fill=fill,
                title=title,
            )
        )
    round_title = results.round.title
    filters = results.filters
    heading = _("Primary cooperation model by municipality")
    subheading = " · ".join(
        [round_title]
        + ([str(filters.region_label)] if filters.region else [])
        + ([str(filters.kind_label)] if filters.kind else [])
    )
    description = _(
        "%(total)d municipalities: %(active)d with borgerservice activities, coloured by the primary "
        "model of the main library (or another library of the municipality); %(not_started)d not "
        "started (grey); %(none)d without an answer (outlined)."
    ) % {
        "total": len(marks),
        "active": counts["active"],
        "not_started": counts[NOT_STARTED],
        "none": counts["none"],
    }
    return DenmarkMap(
        title=f"{heading} – {round_title}",
        description=description,
        heading=heading,
        subheading=subheading,
        marks=tuple(marks),
        legend=_legend(colours),
        frames=tuple(_frame(inset) for inset in INSETS),
        lands=_lands(),
        legend_heading=_("Primary model of the library"),
        source=SOURCE,
        coastline_source=_("Coastline: Natural Earth"),
    )


def map_svg(results: Results, *, standalone: bool = False) -> str:
    """Return the map as SVG markup; *standalone* adds the XML declaration for a file of its own."""
    # XML cannot hold control characters; a library's name with one must not make the file invalid.
    svg = text_clean(render_to_string("results/map.svg", {"map": denmark_map(results)}))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg if standalone else svg
