"""Plane geometry for drawing maps: projection, views, outlines, clipping, path data, labels.

Nothing here knows the survey, Denmark or Django: points are (x, y) pairs, a polygon is a
tuple of rings (the outer ring first, then its holes), a shape is a tuple of polygons, and
a box is (west, north, east, south) with y growing southwards, as in SVG. results.denmark
draws the map of the municipalities with it.

Numbers written into SVG go through `coordinate`: one decimal and a dot as decimal mark,
whatever the language of the page.
"""

import math
from dataclasses import dataclass

Point = tuple[float, float]
Ring = tuple[Point, ...]
Box = tuple[float, float, float, float]  # west, north, east, south


def coordinate(value: float) -> str:
    """Return *value* as SVG wants a number: one decimal, with a dot whatever the language."""
    return f"{value:.1f}"


def text_colour(fill: str) -> str:
    """Return black or white, whichever reads better on *fill* (WCAG relative luminance)."""
    if not fill.startswith("#"):
        return "#000000"
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def decode_ring(numbers, unit: float) -> Ring:
    """Return the ring stored as steps (x1, y1, dx2, dy2, …: each point relative to the one before) in *unit*s."""
    x = y = 0
    points = []
    for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
        x, y = x + dx, y + dy
        points.append((x * unit, y * unit))
    return tuple(points)


@dataclass(frozen=True)
class Projection:
    """Longitude and latitude to kilometres (x east, y south) from *origin*, at a fixed number of km per degree."""

    origin: tuple[float, float]  # longitude, latitude
    km_per_degree: tuple[float, float]  # along a parallel, along a meridian

    def point(self, longitude: float, latitude: float) -> Point:
        (origin_lon, origin_lat), (km_lon, km_lat) = self.origin, self.km_per_degree
        return (longitude - origin_lon) * km_lon, (origin_lat - latitude) * km_lat

    def box(self, lon: tuple[float, float], lat: tuple[float, float]) -> Box:
        """Return the box (west, north, east, south) in kilometres between two longitudes and two latitudes."""
        west, north = self.point(lon[0], lat[1])
        east, south = self.point(lon[1], lat[0])
        return west, north, east, south


@dataclass(frozen=True)
class View:
    """The part *box* (in kilometres) drawn at *scale* pixels per kilometre with its north-west corner at (x, y)."""

    key: str
    box: Box
    scale: float
    x: float
    y: float
    framed_on_main: bool = False  # whether the main view shows where this one comes from

    @property
    def width(self) -> float:
        return (self.box[2] - self.box[0]) * self.scale

    @property
    def height(self) -> float:
        return (self.box[3] - self.box[1]) * self.scale

    def point(self, x: float, y: float) -> Point:
        """Return the drawing's pixel for (x, y) in kilometres."""
        west, north, _east, _south = self.box
        return self.x + (x - west) * self.scale, self.y + (y - north) * self.scale

    def holds(self, x: float, y: float) -> bool:
        west, north, east, south = self.box
        return west <= x <= east and north <= y <= south

    def touches(self, bounds: Box) -> bool:
        """Return whether the box *bounds* (west, north, east, south in kilometres) overlaps the view's."""
        west, north, east, south = self.box
        return not (bounds[2] < west or bounds[0] > east or bounds[3] < north or bounds[1] > south)


def bounds(polygons) -> Box:
    """Return the box around the outer rings of *polygons*."""
    xs = [x for rings in polygons for x, _y in rings[0]]
    ys = [y for rings in polygons for _x, y in rings[0]]
    return min(xs), min(ys), max(xs), max(ys)


def inside(point: Point, polygons) -> bool:
    """Return whether *point* lies in *polygons* (even–odd rule: a hole's inside is outside)."""
    x, y = point
    result = False
    for rings in polygons:
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    result = not result
    return result


def outlines(view: View, shapes: dict) -> dict[str, tuple[Ring, ...]]:
    """Return {key: rings in the view's pixels} of the *shapes* ({key: polygons in km}) reaching into *view*."""
    return {
        key: tuple(tuple(view.point(x, y) for x, y in ring) for rings in polygons for ring in rings)
        for key, polygons in shapes.items()
        if view.touches(bounds(polygons))
    }


def clip(ring, box: Box) -> Ring:
    """Return *ring* cut to the rectangle *box* (west, north, east, south), Sutherland–Hodgman; () if outside."""
    west, north, east, south = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: (west, a[1] + (b[1] - a[1]) * (west - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= east, lambda a, b: (east, a[1] + (b[1] - a[1]) * (east - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= north, lambda a, b: (a[0] + (b[0] - a[0]) * (north - a[1]) / (b[1] - a[1]), north)),
        (lambda p: p[1] <= south, lambda a, b: (a[0] + (b[0] - a[0]) * (south - a[1]) / (b[1] - a[1]), south)),
    )
    points = list(ring)
    for holds, cross in edges:
        if not points:
            break
        kept = []
        for a, b in zip(points[-1:] + points[:-1], points, strict=True):
            if holds(b):
                if not holds(a):
                    kept.append(cross(a, b))
                kept.append(b)
            elif holds(a):
                kept.append(cross(a, b))
        points = kept
    return tuple(points) if len(points) >= 3 else ()


def clipped(view: View, outlines: dict[str, tuple[Ring, ...]]) -> dict[str, tuple[Ring, ...]]:
    """Return *outlines* (in the view's pixels) cut to the view's box; without those wholly outside."""
    box = (view.x, view.y, view.x + view.width, view.y + view.height)
    result = {}
    for key, rings in outlines.items():
        kept = tuple(ring for ring in (clip(ring, box) for ring in rings) if ring)
        if kept:
            result[key] = kept
    return result


def ring_path(points) -> str:
    """Return a closed ring as compact path data: absolute first point, then relative steps of 0.1 px."""
    tenths = []
    for x, y in points:
        point = (round(x * 10), round(y * 10))
        if not tenths or point != tenths[-1]:
            tenths.append(point)
    steps = [tenths[0]] + [(x2 - x1, y2 - y1) for (x1, y1), (x2, y2) in zip(tenths, tenths[1:], strict=False)]
    text = []
    for x, y in steps:
        for value in (x, y):
            number = f"{value / 10:.1f}".removesuffix(".0")
            # A minus sign separates numbers by itself.
            text.append(number if number.startswith("-") or not text else " " + number)
    return "M" + text[0] + text[1] + "l" + "".join(text[2:]).lstrip() + "z"


def paths(outlines: dict[str, tuple[Ring, ...]]) -> dict[str, str]:
    """Return {key: SVG path data} of *outlines*, a subpath per ring."""
    return {key: "".join(ring_path(ring) for ring in rings) for key, rings in outlines.items()}


@dataclass(frozen=True)
class Place:
    """Where a label goes, and the line to its shape when it is written outside."""

    x: str
    y: str  # the baseline: the centre lowered by a third of the font size
    leader: tuple[str, str, str, str] | None = None


def place_label(view: View, point: Point, room: float, land, *, label_room: float, font_size: float) -> Place:
    """Return where the label of a shape goes: at *point* if the shape has room, else just outside.

    *point* is the shape's inner point in kilometres and *room* its distance to the shape's
    border; a label needs *label_room* pixels around its centre. Where the shape is too small,
    the label goes to the nearest spot clear of every polygon of *land* in one of eight
    directions (west and east first), with a leader line back to *point*.
    """
    x, y = point
    px, py = view.point(x, y)
    baseline = font_size / 3
    if room * view.scale >= label_room:
        return Place(coordinate(px), coordinate(py + baseline))
    step = label_room / view.scale  # km
    for distance in (2.5, 3.5, 4.5):
        for angle in (180, 0, 90, 270, 135, 45, 225, 315):
            dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            spot = (x + dx * (room + distance * step), y + dy * (room + distance * step))
            clear = all(
                not any(inside(near, polygons) for polygons in land)
                for near in [spot] + [(spot[0] + ex * step, spot[1] + ey * step) for ex, ey in ((1, 0), (-1, 0))]
            )
            if clear and view.holds(*spot):
                sx, sy = view.point(*spot)
                # The line runs from the shape's inner point to the edge of the label.
                ex, ey = sx - dx * (label_room + 1), sy - dy * (label_room + 1)
                leader = tuple(coordinate(v) for v in (px, py, ex, ey))
                return Place(coordinate(sx), coordinate(sy + baseline), leader)
    return Place(coordinate(px), coordinate(py + baseline))
