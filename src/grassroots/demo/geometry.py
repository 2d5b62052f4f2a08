"""Synthetic but plausible boundaries for the demo city: a county blob, tiled level by level.

Pure functions over shapely geometries (lon/lat degrees), no Django. The demo seeder builds
county → townships → villages → grids by calling :func:`tile` on each parent, and stores
:func:`to_geojson` of every piece in ``Unit.geometry``.

How a parent is tiled (see :func:`tile`):

1. sample a cloud of points uniformly inside the parent (by triangulation, so that thin or
   concave parents work as well as round ones); their Voronoi cells form a fine mesh,
   about 24 cells per piece;
2. split the cloud recursively across a jittered principal axis where the accumulated cell
   area reaches each weight's share (a k-d split): every piece gets a contiguous set of
   cells whose area follows its weight to within a cell or two;
3. a piece is the union of its cells. Unions of Voronoi cells have irregular, "surveyed"
   borders; those are simplified as a coverage (neighbours keep one shared edge) so that
   a border has a few vertices rather than a zigzag of cell edges;
4. the pieces are clipped to the parent, and small detached fragments (a cell hanging on
   by a vertex, a bay of a concave parent) join the neighbour they share most border with.

Why not the Voronoi of one seed per piece (the obvious design)? A Voronoi cell's area is
set by the spacing of the seeds, so unequal weights cannot be met (in trials, weights of
1 and 100 came out off by a factor of up to 18) without a power diagram, which GEOS does
not offer. The
mesh gives area control, irregular shapes and exact shared edges with only shapely calls.

All of it runs in a local isotropic frame (longitude scaled by cos(latitude), origin at the
parent, unit size), so that shapes are not squashed and tiny parents do not lose precision.
The mesh is mapped back and clipped against the *original* parent, so neighbouring pieces
share exactly the same edge coordinates and their union is the parent.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "COORDINATE_DECIMALS",
    "area_km2",
    "county_boundary",
    "from_geojson",
    "sample_point",
    "sample_points",
    "tile",
    "to_geojson",
]

# Kilometres per degree of latitude, and of longitude at the equator (WGS 84, rounded).
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320

# 6 decimals of a degree is about 0.1 m: far below anything a grid worker can point at.
COORDINATE_DECIMALS = 6
GRID_SIZE = 10.0**-COORDINATE_DECIMALS

# Mesh cells per piece of average weight, and at least per piece of the smallest weight:
# enough for areas to follow the weights within a few per cent and for borders to look
# irregular, few enough that the province (150,000 grids) stays cheap.
_CELLS_PER_PIECE = 24
_CELLS_SMALLEST = 12
_CELLS_MIN = 64
_CELLS_MAX = 20_000
# A detached part of a piece smaller than this share of it joins a neighbour.
_FRAGMENT_SHARE = 0.2
# Border simplification tolerance, in mesh-cell spacings.
_SIMPLIFY = 0.8

FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------------------
# county boundary


def county_boundary(
    center_lon: float, center_lat: float, area_km2: float, rng: random.Random
) -> Polygon:
    """A simple, irregular, star-shaped polygon of ``area_km2`` around the centre.

    The radius is a random low-order Fourier series (a lobed blob) with a little per-vertex
    jitter (a ragged border); it stays positive, so the polygon is star-shaped around the
    centre and therefore simple. The area is exact in the local equirectangular scale.
    """
    _check_lon_lat(center_lon, center_lat)
    if not (math.isfinite(area_km2) and area_km2 > 0):
        raise ValueError(f"area_km2 must be a positive number, got {area_km2!r}")
    vertices = 120
    theta = np.linspace(0.0, 2.0 * math.pi, vertices, endpoint=False)
    radius = np.ones(vertices)
    for k in range(2, 7):
        # amplitudes sum to < 0.55, so the radius stays above 0.45 - 0.05 jitter
        amplitude = rng.uniform(0.02, 0.22 / (k - 1) ** 0.7) if k < 4 else rng.uniform(0, 0.05)
        radius += amplitude * np.cos(k * theta + rng.uniform(0.0, 2.0 * math.pi))
    radius *= np.array([1.0 + rng.uniform(-0.04, 0.04) for _ in range(vertices)])
    x = radius * np.cos(theta)
    y = radius * np.sin(theta)
    shoelace = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    scale = math.sqrt(area_km2 / shoelace)
    km_per_deg_lon = KM_PER_DEG_LON * math.cos(math.radians(center_lat))
    lon = center_lon + x * scale / km_per_deg_lon
    lat = center_lat + y * scale / KM_PER_DEG_LAT
    return Polygon(np.column_stack([lon, lat]))


def area_km2(geom: BaseGeometry) -> float:
    """Area in km² with the equirectangular scale at the geometry's centroid latitude."""
    if geom.is_empty:
        return 0.0
    lat = float(geom.centroid.y)
    km2_per_deg2 = KM_PER_DEG_LAT * KM_PER_DEG_LON * math.cos(math.radians(lat))
    return float(geom.area) * km2_per_deg2


# --------------------------------------------------------------------------------------
# tiling


def tile(
    parent: Polygon | MultiPolygon, weights: Sequence[float], rng: random.Random
) -> list[Polygon | MultiPolygon]:
    """Split ``parent`` into ``len(weights)`` non-empty pieces that tile it.

    Pieces do not overlap (pairwise intersections have zero area up to floating rounding),
    their union is the parent, and areas are roughly proportional to ``weights`` (within a
    few per cent for ordinary weights; a piece is never smaller than one mesh cell, see the
    module docstring). Pieces come back in the order of ``weights``, and consecutive weights
    tend to get neighbouring pieces. The result depends only on the arguments and the
    state of ``rng``.
    """
    n = len(weights)
    if n == 0:
        raise ValueError("tile() needs at least one weight")
    w = np.asarray(weights, dtype=np.float64)
    if not bool(np.all(np.isfinite(w))) or bool(np.any(w <= 0)):
        raise ValueError("weights must be positive finite numbers")
    w = w / w.max()  # so that sums cannot overflow
    if bool(np.any(w == 0)):
        raise ValueError("weights span too many orders of magnitude")
    if not isinstance(parent, Polygon | MultiPolygon):
        raise TypeError(f"parent must be a Polygon or MultiPolygon, got {parent.geom_type}")
    if parent.is_empty or not parent.area > 0:
        raise ValueError("cannot tile an empty or zero-area parent")
    if not parent.is_valid:
        parent = _polygonal_part(shapely.make_valid(parent))
    if n == 1:
        return [parent]
    nprng = np.random.default_rng(rng.getrandbits(64))
    frame = _Frame.of(parent)
    local = shapely.transform(parent, frame.forward)
    shapely.prepare(local)

    # the smallest piece gets about _CELLS_SMALLEST cells, unless the weights are so uneven
    # that this would take more than _CELLS_MAX (it still gets at least one)
    for_smallest = math.ceil(min(_CELLS_SMALLEST * float(w.sum() / w.min()), _CELLS_MAX))
    cells_wanted = max(_CELLS_MIN, _CELLS_PER_PIECE * n, for_smallest)
    cloud = _interior_cloud(local, cells_wanted, n, nprng)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(cloud), extend_to=shapely.box(-2.0, -2.0, 2.0, 2.0), ordered=True
        )
    )
    if len(cells) != len(cloud):  # _interior_cloud removed duplicates, so this cannot happen
        raise RuntimeError("Voronoi diagram lost points")
    cell_area = _clipped_areas(cells, local)
    labels = _kd_labels(cloud, cell_area, w, nprng)

    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    raw = np.array(
        [shapely.coverage_union_all(cells[order[bounds[i] : bounds[i + 1]]]) for i in range(n)]
    )
    # Borders made of mesh cells zigzag at the scale of a cell: simplify them (as a coverage,
    # so that neighbours keep sharing the same edge) to a few vertices per border. Fewer
    # vertices mean smaller GeoJSON and faster point-in-grid tests. The parent's boundary is
    # not touched: the clip below restores it exactly.
    spacing = math.sqrt(float(cell_area.sum()) / len(cloud))
    simple = shapely.coverage_simplify(raw, _SIMPLIFY * spacing, simplify_boundary=False)
    pieces = shapely.intersection(shapely.transform(simple, frame.backward), parent)
    if not bool(np.all(shapely.area(pieces) > 0) and np.all(shapely.is_valid(pieces))):
        # simplification squeezed a piece out of the parent: keep the zigzag instead
        pieces = shapely.intersection(shapely.transform(raw, frame.backward), parent)
    pieces = _merge_fragments(pieces)
    return [_polygonal_part(p) for p in pieces]


class _Frame:
    """Affine map lon/lat → a local isotropic frame centred on the parent, of unit size."""

    def __init__(self, lon0: float, lat0: float, sx: float, sy: float) -> None:
        self.lon0, self.lat0, self.sx, self.sy = lon0, lat0, sx, sy

    @classmethod
    def of(cls, geom: BaseGeometry) -> _Frame:
        minx, miny, maxx, maxy = (float(v) for v in geom.bounds)
        lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
        coslat = max(math.cos(math.radians(lat0)), 1e-6)
        size = max((maxx - minx) * coslat, maxy - miny)
        return cls(lon0, lat0, coslat / size, 1.0 / size)

    def forward(self, lonlat: FloatArray) -> FloatArray:
        return np.column_stack(
            [(lonlat[:, 0] - self.lon0) * self.sx, (lonlat[:, 1] - self.lat0) * self.sy]
        )

    def backward(self, xy: FloatArray) -> FloatArray:
        return np.column_stack([xy[:, 0] / self.sx + self.lon0, xy[:, 1] / self.sy + self.lat0])


def _sample_uniform(geom: BaseGeometry, count: int, nprng: np.random.Generator) -> FloatArray:
    """``count`` points uniformly distributed in a polygonal geometry."""
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(geom))
    coords = shapely.get_coordinates(shapely.get_exterior_ring(triangles)).reshape(-1, 4, 2)
    a, b, c = coords[:, 0], coords[:, 1], coords[:, 2]
    tri_area = 0.5 * np.abs(
        (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    )
    cumulative = np.cumsum(tri_area)
    pick = np.searchsorted(cumulative, nprng.random(count) * cumulative[-1], side="right")
    pick = np.minimum(pick, len(tri_area) - 1)
    r1 = np.sqrt(nprng.random(count))[:, None]
    r2 = nprng.random(count)[:, None]
    points: FloatArray = (1 - r1) * a[pick] + r1 * (1 - r2) * b[pick] + r1 * r2 * c[pick]
    return points


def _interior_cloud(
    local: BaseGeometry, count: int, minimum: int, nprng: np.random.Generator
) -> FloatArray:
    """Distinct points strictly inside the parent: each one's mesh cell then contains a
    neighbourhood of it, so every piece that owns a point is non-empty."""
    for _ in range(8):
        points = _sample_uniform(local, count, nprng)
        points = points[shapely.contains_xy(local, points[:, 0], points[:, 1])]
        points = np.unique(points, axis=0)
        if len(points) >= minimum:
            # np.unique sorted the points; shuffle back so that ties in later steps are random
            shuffled: FloatArray = points[nprng.permutation(len(points))]
            return shuffled
        count *= 2
    raise ValueError(f"parent is too small or too thin to hold {minimum} distinct pieces")


def _clipped_areas(cells: Any, local: BaseGeometry) -> FloatArray:
    """Area of each mesh cell inside the parent (only border cells need an overlay)."""
    areas: FloatArray = shapely.area(cells)
    border = ~shapely.contains_properly(local, cells)
    areas[border] = shapely.area(shapely.intersection(cells[border], local))
    return areas


def _kd_labels(
    cloud: FloatArray, cell_area: FloatArray, weights: FloatArray, nprng: np.random.Generator
) -> NDArray[np.intp]:
    """First assignment of points to pieces: recursive cuts at the weight quantiles.

    The cloud is split across its (jittered) principal axis where the accumulated cell area
    reaches the share of the first half of the weights; every share keeps at least one
    point per piece it still has to serve.
    """
    labels = np.empty(len(cloud), dtype=np.intp)
    stack: list[tuple[NDArray[np.intp], int, int]] = [(np.arange(len(cloud)), 0, len(weights))]
    while stack:
        idx, lo, hi = stack.pop()
        if hi - lo == 1:
            labels[idx] = lo
            continue
        cum = np.cumsum(weights[lo:hi])
        split = int(np.argmin(np.abs(cum[:-1] - cum[-1] / 2))) + 1  # pieces lo .. lo+split-1
        fraction = float(cum[split - 1] / cum[-1])
        pts = cloud[idx]
        direction = _principal_axis(pts) + nprng.uniform(-0.35, 0.35)
        proj = pts[:, 0] * math.cos(direction) + pts[:, 1] * math.sin(direction)
        order = np.argsort(proj)
        acc = np.cumsum(cell_area[idx[order]])
        k = int(np.searchsorted(acc, fraction * acc[-1])) + 1
        k = min(max(k, split), len(idx) - (hi - lo - split))
        stack.append((idx[order[:k]], lo, lo + split))
        stack.append((idx[order[k:]], lo + split, hi))
    return labels


def _principal_axis(pts: FloatArray) -> float:
    """Angle of the direction of largest spread (so cuts go across the long side)."""
    if len(pts) < 2:
        return 0.0
    centred = pts - pts.mean(axis=0)
    cxx = float(np.dot(centred[:, 0], centred[:, 0]))
    cyy = float(np.dot(centred[:, 1], centred[:, 1]))
    cxy = float(np.dot(centred[:, 0], centred[:, 1]))
    return 0.5 * math.atan2(2 * cxy, cxx - cyy)


def _merge_fragments(pieces: Any) -> list[Any]:
    """Give each detached fragment of a piece to the neighbour with the longest shared border.

    A piece is a union of mesh cells, and a cell can hang on to the rest by a single vertex,
    or the piece can be cut in two by a bay of a concave parent. The largest part stays; the
    others (usually a cell or two, a few per cent of the piece) join the neighbour they share
    most border with. Moving whole fragments keeps the tiling exact. A fragment that is a
    sizeable share of its piece stays (moving it would wreck the areas the weights asked
    for), and so does one that touches no other piece (an island of a multi-part parent).
    """
    result = list(pieces)
    multi = [k for k, p in enumerate(result) if p.geom_type != "Polygon"]
    if not multi:
        return result
    tree = shapely.STRtree(result)
    for k in multi:
        parts = [p for p in shapely.get_parts(result[k]) if p.geom_type == "Polygon"]
        if len(parts) < 2:
            continue
        home = int(np.argmax([p.area for p in parts]))
        keep = [parts[home]]
        for i, fragment in enumerate(parts):
            if i == home:
                continue
            if fragment.area > _FRAGMENT_SHARE * result[k].area:
                keep.append(fragment)
                continue
            best, best_len = -1, 0.0
            for j in tree.query(fragment, predicate="intersects"):
                j = int(j)
                if j == k or result[j].is_empty:
                    continue
                shared = float(shapely.intersection(fragment.boundary, result[j].boundary).length)
                if shared > best_len:
                    best, best_len = j, shared
            if best < 0:
                keep.append(fragment)
            else:
                result[best] = shapely.union(result[best], fragment)
        result[k] = keep[0] if len(keep) == 1 else MultiPolygon(keep)
    return result


def _polygonal_part(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """The polygonal content of an overlay result (drops stray lines/points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polygons = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    flat: list[Polygon] = []
    for p in polygons:
        flat.extend(shapely.get_parts(p))
    if not flat:
        raise ValueError(f"geometry has no polygonal part: {geom.geom_type}")
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


# --------------------------------------------------------------------------------------
# GeoJSON


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry dict with coordinates rounded to 6 decimals (≈ 0.1 m).

    Rounding goes through ``shapely.set_precision`` on that grid, which keeps the polygon
    valid (a plain round could fold a thin spike over itself). Neighbouring pieces share
    vertices, and equal inputs round to equal outputs, so shared edges stay shared; what
    rounding can introduce is a sliver of at most ~1e-6° across where one piece has a vertex
    on the other's edge — far below anything that matters for locating a grid worker.
    Rings are oriented as RFC 7946 asks (exterior counter-clockwise). A geometry smaller
    than the grid keeps full precision rather than collapse to nothing.
    """
    if geom.is_empty:
        raise ValueError("cannot encode an empty geometry")
    snapped = shapely.set_precision(geom, GRID_SIZE)
    decimals: int | None = COORDINATE_DECIMALS
    if snapped.is_empty or not snapped.is_valid or snapped.area <= 0 < geom.area:
        snapped, decimals = geom, None
    if snapped.area > 0:
        snapped = shapely.orient_polygons(snapped)
    return _encode(snapped, decimals)


def _round(coords: Any, decimals: int | None) -> list[list[float]]:
    array = np.asarray(coords, dtype=np.float64)[:, :2]
    # set_precision leaves values like 102.12345600000001; rounding makes them print cleanly
    rounded: list[list[float]] = (array if decimals is None else np.round(array, decimals)).tolist()
    return rounded


def _encode(geom: BaseGeometry, decimals: int | None) -> dict[str, Any]:
    kind = geom.geom_type

    def ring(r: Any) -> list[list[float]]:
        return _round(r.coords, decimals)

    if kind == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [ring(r) for r in (geom.exterior, *geom.interiors)],
        }
    if kind == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring(r) for r in (p.exterior, *p.interiors)] for p in geom.geoms],
        }
    if kind == "Point":
        return {"type": "Point", "coordinates": _round([geom.coords[0]], decimals)[0]}
    if kind in ("LineString", "LinearRing"):
        return {"type": "LineString", "coordinates": ring(geom)}
    raise ValueError(f"unsupported geometry type for GeoJSON: {kind}")


def from_geojson(d: dict[str, Any]) -> BaseGeometry:
    """The shapely geometry of a GeoJSON geometry dict (``ValueError`` if it is not one)."""
    if not isinstance(d, dict) or "type" not in d:
        raise ValueError("not a GeoJSON geometry: expected a dict with a 'type'")
    try:
        geom = shape(d)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ValueError(f"invalid GeoJSON geometry: {exc}") from exc
    except shapely.errors.ShapelyError as exc:
        raise ValueError(f"invalid GeoJSON geometry: {exc}") from exc
    return geom


# --------------------------------------------------------------------------------------
# sampling


def sample_point(geom: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    """A random (lon, lat) uniformly distributed inside a polygonal geometry."""
    return sample_points(geom, 1, rng)[0]


def sample_points(geom: BaseGeometry, count: int, rng: random.Random) -> list[tuple[float, float]]:
    """``count`` random (lon, lat) points inside a polygonal geometry (one triangulation)."""
    if geom.is_empty or not geom.area > 0:
        raise ValueError("cannot sample a point inside an empty or zero-area geometry")
    if count < 0:
        raise ValueError("count must be >= 0")
    if count == 0:
        return []
    nprng = np.random.default_rng(rng.getrandbits(64))
    points = _sample_uniform(geom, count, nprng)
    return [(float(x), float(y)) for x, y in points]


def _check_lon_lat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ValueError(f"longitude must be within [-180, 180], got {lon!r}")
    if not (math.isfinite(lat) and -85.0 <= lat <= 85.0):
        raise ValueError(f"latitude must be within [-85, 85], got {lat!r}")
