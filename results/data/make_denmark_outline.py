"""Make denmark.json, the coastline the results map draws, from Natural Earth.

Natural Earth's 1:10m admin-0 countries are in the public domain; the world-atlas
package on npm redistributes them as TopoJSON. To remake the file:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python results/data/make_denmark_outline.py package/countries-10m.json > results/data/denmark.json

Denmark's rings are decoded, simplified (Douglas–Peucker, about 150 m) and rounded to
three decimals (about 100 m); islands under 0.5 km² are left out.
"""

import json
import math
import sys

DENMARK = "208"  # ISO 3166-1 numeric
TOLERANCE = 0.0015  # degrees
SMALLEST_ISLAND_KM2 = 0.5


def arcs_decoded(topology) -> list[list[tuple[float, float]]]:
    """Return every arc of *topology* as absolute (longitude, latitude) points."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring(arcs, indices) -> list[tuple[float, float]]:
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def distance_to_line(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    length = math.hypot(x2 - x1, y2 - y1)
    if not length:
        return math.hypot(x - x1, y - y1)
    return abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length


def simplified(points, tolerance):
    """Douglas–Peucker: keep the points that matter more than *tolerance* to the shape."""
    if len(points) < 3:
        return points
    farthest, index = 0.0, 0
    for i, point in enumerate(points[1:-1], 1):
        distance = distance_to_line(point, points[0], points[-1])
        if distance > farthest:
            farthest, index = distance, i
    if farthest <= tolerance:
        return [points[0], points[-1]]
    return simplified(points[: index + 1], tolerance)[:-1] + simplified(points[index:], tolerance)


def area_km2(points) -> float:
    km_x, km_y = 111.32 * math.cos(math.radians(56)), 110.57
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
    return abs(twice) / 2 * km_x * km_y


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        topology = json.load(handle)
    arcs = arcs_decoded(topology)
    country = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == DENMARK)
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    rings = []
    for polygon in polygons:
        outer = ring(arcs, polygon[0])  # Denmark's islands have no lakes worth a hole at this scale
        if area_km2(outer) < SMALLEST_ISLAND_KM2:
            continue
        # Simplify the ring in two halves so that its closing point is kept.
        middle = len(outer) // 2
        points = simplified(outer[: middle + 1], TOLERANCE)[:-1] + simplified(outer[middle:], TOLERANCE)
        rings.append([[round(x, 3), round(y, 3)] for x, y in points])
    rings.sort(key=lambda points: -area_km2([tuple(p) for p in points]))
    json.dump(
        {
            "source": "Natural Earth 1:10m admin-0 countries (public domain), via world-atlas 2.0.2",
            "rings": rings,
        },
        sys.stdout,
        separators=(",", ":"),
    )


if __name__ == "__main__":
    main(sys.argv[1])
