"""Grid polygons projected onto an SVG box, server-side (the report form's map, the choropleth).

Longitude and latitude are projected onto the SVG box with a local equirectangular
projection (x scaled by cos of the middle latitude, so a grid keeps its shape at 西昌's
27.9°N); the box's numbers travel as ``data-*`` attributes so that ``report.js`` can turn a
tap back into lon/lat with the exact inverse. No tiles, no network, works offline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import shape

#: Width of the SVG user space; it scales to the screen (``width: 100%``).
WIDTH = 360.0
MAX_HEIGHT = 420.0
MIN_HEIGHT = 160.0
PAD = 12.0

Ring = Sequence[Sequence[float]]


@dataclass(frozen=True, slots=True)
class GridShape:
    code: str
    name: str
    d: str  # the SVG path
    label_x: float
    label_y: float


@dataclass(frozen=True, slots=True)
class GridMap:
    """The projected polygons and the numbers of the projection (see :meth:`project`)."""

    width: float
    height: float
    x0: float  # SVG x of lon0
    y0: float  # SVG y of lat0
    lon0: float  # the west edge
    lat0: float  # the north edge
    kx: float  # SVG units per degree of longitude
    ky: float  # SVG units per degree of latitude
    shapes: tuple[GridShape, ...]

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return self.x0 + (lon - self.lon0) * self.kx, self.y0 + (self.lat0 - lat) * self.ky

    def unproject(self, x: float, y: float) -> tuple[float, float]:
        """(lon, lat) of an SVG point: what report.js computes for a tap."""
        return self.lon0 + (x - self.x0) / self.kx, self.lat0 - (y - self.y0) / self.ky

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _polygons(geojson: Any) -> list[list[Ring]]:
    """The polygons (each a list of rings) of a GeoJSON Polygon or MultiPolygon."""
    if not isinstance(geojson, dict):
        return []
    kind, coords = geojson.get("type"), geojson.get("coordinates")
    if not isinstance(coords, list):
        return []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return [p for p in coords if isinstance(p, list)]
    return []


def _points(polygons: list[list[Ring]]) -> Iterable[tuple[float, float]]:
    for polygon in polygons:
        for ring in polygon:
            for point in ring:
                if isinstance(point, list | tuple) and len(point) >= 2:
                    lon, lat = float(point[0]), float(point[1])
                    if math.isfinite(lon) and math.isfinite(lat):
                        yield lon, lat


def build_grid_map(
    grids: Iterable[tuple[str, str, Any]],
    *,
    width: float = WIDTH,
    max_height: float = MAX_HEIGHT,
) -> GridMap | None:
    """A map of ``(code, name, GeoJSON)`` grids; ``None`` when none has a usable polygon."""
    parsed = [(code, name, geojson, _polygons(geojson)) for code, name, geojson in grids]
    parsed = [p for p in parsed if p[3]]
    points = [pt for p in parsed for pt in _points(p[3])]
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    cos_mid = math.cos(math.radians((south + north) / 2)) or 1e-6
    span_x = max((east - west) * cos_mid, 1e-9)
    span_y = max(north - south, 1e-9)
    inner = width - 2 * PAD
    scale = inner / span_x
    if span_y * scale > max_height - 2 * PAD:
        scale = (max_height - 2 * PAD) / span_y
    height = max(span_y * scale + 2 * PAD, MIN_HEIGHT)
    kx, ky = scale * cos_mid, scale
    x0 = PAD + (inner - span_x * scale) / 2
    y0 = (height - span_y * scale) / 2
    gmap = GridMap(width, height, x0, y0, west, north, kx, ky, ())
    shapes = []
    for code, name, geojson, polygons in parsed:
        parts = []
        for polygon in polygons:
            for ring in polygon:
                xy = [gmap.project(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]
                if len(xy) >= 3:
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        try:
            anchor = shape(geojson).representative_point()
            label_x, label_y = gmap.project(anchor.x, anchor.y)
        except Exception:  # an odd polygon still gets drawn, its label at the first vertex
            first = polygons[0][0][0]
            label_x, label_y = gmap.project(float(first[0]), float(first[1]))
        shapes.append(GridShape(code, name, "".join(parts), round(label_x, 1), round(label_y, 1)))
    return GridMap(width, height, x0, y0, west, north, kx, ky, tuple(shapes))
