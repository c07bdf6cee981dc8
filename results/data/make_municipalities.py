"""Make municipalities.json, the shapes of Denmark's 98 municipalities that the results map draws.

The input is DAGI's municipal boundaries (Styrelsen for Dataforsyning og Infrastruktur, free
with attribution: "Kommunegrænser: DAGI, Styrelsen for Dataforsyning og Infrastruktur") as
TopoJSON, kept in the project's shared data folder (see its README). To remake the file, from
the repository's root and with nothing but Python's standard library:

    python results/data/make_municipalities.py ../shared/data/dagi-kommuner-2014.topojson \\
        > results/data/municipalities.json

What it does, in order:

1. Decode the TopoJSON arcs (delta-encoded, quantized) into longitude and latitude.
2. Project them onto a plane in kilometres: equirectangular, the longitude scaled by
   cos 56° (the latitude of Denmark's middle), from the corner at 8° E, 57.8° N; x grows
   eastwards, y southwards, as on a screen.
3. Simplify each arc on its own (Douglas–Peucker, TOLERANCE_KM), its ends kept: two
   neighbours share the very same simplified border, so no gaps or overlaps open between them.
4. Join the arcs into each municipality's rings; leave out Christiansø (0411, not a
   municipality), islands under SMALLEST_ISLAND_KM2 and lakes (holes) under SMALLEST_HOLE_KM2.
5. Number the municipalities 1–98 in alphabetical order: the number the map writes in
   each shape, and its key lists, whatever the filters.
6. Find a place for the municipality's number: the point of its largest piece farthest from
   any border (the "pole of inaccessibility"), with that distance, so the map knows whether
   the number fits.
7. Round to UNIT_KM (100 m) and write each ring as whole numbers, the first point as it is and
   every later one as the step from the one before: [x0, y0, dx1, dy1, ...].
"""

import heapq
import json
import math
import sys

# The projection: results/denmark.py reads these from the file's "projection" entry.
ORIGIN_LON, ORIGIN_LAT = 8.0, 57.8
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON = 111.32 * math.cos(math.radians(56))

TOLERANCE_KM = 0.12
UNIT_KM = 0.1
SMALLEST_ISLAND_KM2 = 0.6
SMALLEST_HOLE_KM2 = 2.0
NOT_A_MUNICIPALITY = {"0411"}  # Christiansø, governed by the state
DANISH_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # after z, in this order


def alphabetical(name: str) -> str:
    """Return a key that sorts names as a Danish list does (æ, ø, å last; "Aa" as written)."""
    return name.lower().translate(DANISH_LETTERS)


def project(lon: float, lat: float) -> tuple[float, float]:
    return (lon - ORIGIN_LON) * KM_PER_DEGREE_LON, (ORIGIN_LAT - lat) * KM_PER_DEGREE_LAT


def arcs_decoded(topology) -> list[list[tuple[float, float]]]:
    """Return every arc of *topology* as projected (x, y) points in kilometres."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:  # an arc's first position holds a third number (-999): no height
            x, y = x + position[0], y + position[1]
            points.append(project(x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def distance_to_line(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    length = math.hypot(x2 - x1, y2 - y1)
    if not length:
        return math.hypot(x - x1, y - y1)
    return abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length


def simplified(points, tolerance):
    """Douglas–Peucker: keep the points that matter more than *tolerance* to the line."""
    if len(points) < 3:
        return list(points)
    farthest, index = 0.0, 0
    for i, point in enumerate(points[1:-1], 1):
        distance = distance_to_line(point, points[0], points[-1])
        if distance > farthest:
            farthest, index = distance, i
    if farthest <= tolerance:
        return [points[0], points[-1]]
    return simplified(points[: index + 1], tolerance)[:-1] + simplified(points[index:], tolerance)


def arc_simplified(points, tolerance):
    """Simplify one arc; a closed arc (an island on its own) in two halves, so it stays a ring."""
    if len(points) > 3 and points[0] == points[-1]:
        middle = len(points) // 2
        return simplified(points[: middle + 1], tolerance)[:-1] + simplified(points[middle:], tolerance)
    return simplified(points, tolerance)


def ring(arcs, indices) -> list[tuple[float, float]]:
    """Join the arcs *indices* (negative: reversed, TopoJSON's ~i) into one closed ring."""
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def area_km2(points) -> float:
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
    return abs(twice) / 2


def segment_distance(point, start, end) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx or dy:
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        ax, ay = ax + t * dx, ay + t * dy
    return math.hypot(px - ax, py - ay)


def signed_distance(point, rings) -> float:
    """Return how far *point* is from the polygon's border: positive inside, negative outside."""
    x, y = point
    inside, nearest = False, math.inf
    for points in rings:
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            nearest = min(nearest, segment_distance(point, (x1, y1), (x2, y2)))
    return nearest if inside else -nearest


def label_point(rings, precision=0.1) -> tuple[float, float, float]:
    """Return (x, y, distance) of the point of the polygon farthest from its border.

    Mapbox's polylabel: cover the polygon with square cells, and keep splitting the cells
    that might still hold a better point than the best found, best first.
    """
    xs, ys = [x for x, _y in rings[0]], [y for _x, y in rings[0]]
    size = min(max(xs) - min(xs), max(ys) - min(ys))
    if not size:
        return xs[0], ys[0], 0.0
    half = size / 2

    def cell(x, y, h):
        distance = signed_distance((x, y), rings)
        return (-(distance + h * math.sqrt(2)), distance, x, y, h)  # max possible first

    queue = []
    x = min(xs)
    while x < max(xs):
        y = min(ys)
        while y < max(ys):
            heapq.heappush(queue, cell(x + half, y + half, half))
            y += size
        x += size
    # Start from the centroid, which is often close.
    edges = list(zip(rings[0], rings[0][1:] + rings[0][:1], strict=True))
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges)
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in edges)
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in edges)
    best = cell(cx / (3 * twice), cy / (3 * twice), 0) if twice else cell(xs[0], ys[0], 0)
    while queue:
        candidate = heapq.heappop(queue)
        if candidate[1] > best[1]:
            best = candidate
        _bound, _distance, x, y, h = candidate
        if -candidate[0] - best[1] <= precision:
            continue
        h /= 2
        for dx, dy in ((-h, -h), (h, -h), (-h, h), (h, h)):
            heapq.heappush(queue, cell(x + dx, y + dy, h))
    return best[2], best[3], best[1]


def encoded(points) -> list[int]:
    """Return a ring as whole UNIT_KM steps: the first point, then each step from the last."""
    numbers, last = [], (0, 0)
    for x, y in points:
        point = (round(x / UNIT_KM), round(y / UNIT_KM))
        if numbers and point == last:
            continue  # two points rounded onto one
        numbers.extend((point[0] - last[0], point[1] - last[1]))
        last = point
    return numbers


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        topology = json.load(handle)
    full = arcs_decoded(topology)
    arcs = [arc_simplified(arc, TOLERANCE_KM) for arc in full]
    pieces, names = {}, {}  # code: [(area, [outer, *holes])], code: name
    for geometry in topology["objects"]["stdin"]["geometries"]:
        komkode = geometry["properties"]["KOMKODE"]
        if komkode in NOT_A_MUNICIPALITY:
            continue
        polygon = geometry["arcs"]
        area = area_km2(ring(full, polygon[0]))
        if area < SMALLEST_ISLAND_KM2:
            continue
        rings = [ring(arcs, polygon[0])]
        rings += [ring(arcs, hole) for hole in polygon[1:] if area_km2(ring(full, hole)) >= SMALLEST_HOLE_KM2]
        if len(rings[0]) < 4:
            continue
        pieces.setdefault(str(int(komkode)), []).append((area, rings))
        names[str(int(komkode))] = geometry["properties"]["KOMNAVN"]
    numbers = {code: number for number, code in enumerate(sorted(names, key=lambda c: alphabetical(names[c])), 1)}
    municipalities = []
    for code in sorted(pieces, key=int):
        polygons = sorted(pieces[code], key=lambda piece: -piece[0])
        x, y, distance = label_point(polygons[0][1])
        municipalities.append(
            {
                "code": code,
                "number": numbers[code],
                "label": [round(x / UNIT_KM), round(y / UNIT_KM), round(distance / UNIT_KM)],
                "polygons": [[encoded(points) for points in rings] for _area, rings in polygons],
            }
        )
    json.dump(
        {
            "source": "Kommunegrænser: DAGI, Styrelsen for Dataforsyning og Infrastruktur (FOT 2014-02-13, 1:500 000)",
            "projection": {
                "origin": [ORIGIN_LON, ORIGIN_LAT],
                "km_per_degree": [round(KM_PER_DEGREE_LON, 4), KM_PER_DEGREE_LAT],
                "unit_km": UNIT_KM,
                "tolerance_km": TOLERANCE_KM,
            },
            "municipalities": municipalities,
        },
        sys.stdout,
        separators=(",", ":"),
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
