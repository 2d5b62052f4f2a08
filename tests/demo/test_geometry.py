"""The demo city's synthetic boundaries: a county blob, and pieces that tile their parent."""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from grassroots.demo.geometry import (
    area_km2,
    county_boundary,
    from_geojson,
    sample_point,
    sample_points,
    tile,
    to_geojson,
)

XICHANG = (102.26, 27.9, 2655.0)


def assert_tiles(parent: Any, pieces: list[Any], n: int, *, tolerance: float = 1e-9) -> None:
    """n valid, non-empty pieces; no overlap; their union is the parent."""
    assert len(pieces) == n
    for piece in pieces:
        assert isinstance(piece, Polygon | MultiPolygon)
        assert not piece.is_empty and piece.area > 0
        assert piece.is_valid
    total = parent.area
    assert math.isclose(sum(p.area for p in pieces), total, rel_tol=tolerance)
    assert shapely.union_all(pieces).symmetric_difference(parent).area <= tolerance * total
    tree = shapely.STRtree(pieces)
    left, right = tree.query(pieces, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(
        shapely.intersection(np.asarray(pieces)[left[pairs]], np.asarray(pieces)[right[pairs]])
    )
    assert float(overlap.sum()) <= tolerance * total


def area_ratios(parent: Any, pieces: list[Any], weights: list[float]) -> list[float]:
    return [p.area / (w / sum(weights) * parent.area) for p, w in zip(pieces, weights, strict=True)]


@pytest.fixture(scope="module")
def county() -> Polygon:
    return county_boundary(*XICHANG, random.Random(2026))


# --- county boundary -------------------------------------------------------------------


def test_county_boundary_is_a_simple_polygon_of_the_requested_area(county: Polygon) -> None:
    assert county.is_valid and county.exterior.is_simple
    assert math.isclose(area_km2(county), 2655.0, rel_tol=0.01)
    assert county.contains(shapely.Point(102.26, 27.9))
    # about 58 km across for 2,655 km²: nothing like a country, nothing like a village
    minx, miny, maxx, maxy = county.bounds
    assert 0.3 < maxy - miny < 1.0 and 0.3 < maxx - minx < 1.2


def test_county_boundary_is_irregular_and_seeded() -> None:
    a = county_boundary(*XICHANG, random.Random(1))
    b = county_boundary(*XICHANG, random.Random(1))
    c = county_boundary(*XICHANG, random.Random(2))
    assert a.equals_exact(b, 0)
    assert not a.equals_exact(c, 1e-9)
    # not a circle: the hull is visibly larger than the blob
    assert a.convex_hull.area > 1.02 * a.area


@pytest.mark.parametrize(
    ("lon", "lat", "area"),
    [(200.0, 27.9, 10.0), (102.0, math.nan, 10.0), (102.0, 27.9, 0.0), (102.0, 27.9, -1.0)],
)
def test_county_boundary_rejects_nonsense(lon: float, lat: float, area: float) -> None:
    with pytest.raises(ValueError):
        county_boundary(lon, lat, area, random.Random(0))


# --- tile ------------------------------------------------------------------------------


def test_tiling_a_county_into_townships(county: Polygon) -> None:
    rng = random.Random(7)
    weights = [rng.uniform(1.0, 3.0) for _ in range(25)]
    townships = tile(county, weights, rng)
    assert_tiles(county, townships, 25)
    assert all(0.75 < r < 1.33 for r in area_ratios(county, townships, weights))
    assert all(p.geom_type == "Polygon" for p in townships)


def test_three_levels_tile_the_county_and_survive_geojson_rounding(county: Polygon) -> None:
    """county → 5 townships → villages → grids: every level tiles its parent, and after the
    GeoJSON round trip the grids are still valid and overlap only by rounding slivers."""
    rng = random.Random(11)
    grids: list[Any] = []
    for township in tile(county, [1.0] * 5, rng):
        villages = tile(township, [rng.uniform(1, 2) for _ in range(4)], rng)
        assert_tiles(township, villages, 4)
        for village in villages:
            pieces = tile(village, [rng.uniform(300, 500) for _ in range(rng.randint(2, 7))], rng)
            assert_tiles(village, pieces, len(pieces))
            grids.extend(pieces)
    assert_tiles(county, grids, len(grids), tolerance=1e-9)

    stored = [from_geojson(json.loads(json.dumps(to_geojson(g)))) for g in grids]
    assert all(g.is_valid and g.area > 0 for g in stored)
    # rounding to 1e-6° can open or close slivers about 1e-6° wide along borders only
    assert_tiles(county, stored, len(stored), tolerance=1e-5)


def test_one_weight_returns_the_parent(county: Polygon) -> None:
    assert tile(county, [3.0], random.Random(0)) == [county]


def test_tiling_is_deterministic_for_a_given_rng_state(county: Polygon) -> None:
    first = tile(county, [1, 2, 3, 4], random.Random(5))
    again = tile(county, [1, 2, 3, 4], random.Random(5))
    other = tile(county, [1, 2, 3, 4], random.Random(6))
    assert all(a.equals_exact(b, 0) for a, b in zip(first, again, strict=True))
    assert not all(a.equals_exact(b, 1e-9) for a, b in zip(first, other, strict=True))


def test_unequal_weights_give_unequal_areas(county: Polygon) -> None:
    weights = [1.0, 1.0, 10.0, 1.0, 100.0]
    pieces = tile(county, weights, random.Random(3))
    assert_tiles(county, pieces, 5)
    assert all(0.7 < r < 1.4 for r in area_ratios(county, pieces, weights))


@pytest.mark.parametrize(
    "parent",
    [
        pytest.param(box(102.0, 27.0, 102.0 + 1e-9, 27.0 + 1e-9), id="tiny"),
        pytest.param(Polygon([(0, 0), (100, 0.001), (100, 0.002), (0, 0.001)]), id="thin"),
        pytest.param(
            Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 9), (10, 9), (10, 10), (0, 10)]),
            id="concave",
        ),
        pytest.param(box(0, 0, 10, 10).difference(box(3, 3, 7, 7)), id="with-hole"),
        pytest.param(
            MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6), box(9, 0, 9.001, 0.001)]), id="multi"
        ),
    ],
)
@pytest.mark.parametrize("n", [2, 3, 17, 60])
def test_awkward_parents_still_give_n_pieces(parent: Any, n: int) -> None:
    pieces = tile(parent, [1.0] * n, random.Random(n))
    assert_tiles(parent, pieces, n)


def test_borders_are_simplified_to_few_vertices(county: Polygon) -> None:
    """Mesh borders zigzag; after simplification a village's interior borders are a handful
    of vertices, which keeps GeoJSON small and point-in-grid tests fast."""
    village = tile(county, [1.0] * 200, random.Random(1))[100]
    grids = tile(village, [400.0] * 5, random.Random(2))
    outline = shapely.get_num_coordinates(village)
    assert_tiles(village, grids, 5)
    assert sum(shapely.get_num_coordinates(g) for g in grids) < outline + 5 * 16


def test_a_simplification_that_loses_a_piece_falls_back_to_the_mesh(
    county: Polygon, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a "simplification" that moves every piece out of the parent
    monkeypatch.setattr(
        shapely,
        "coverage_simplify",
        lambda geoms, tolerance, **kw: shapely.transform(geoms, lambda xy: xy + 10.0),
    )
    assert_tiles(county, tile(county, [1.0, 2.0, 3.0], random.Random(0)), 3)


def test_extreme_weights_still_give_non_empty_pieces() -> None:
    parent = box(0, 0, 1, 1)
    assert_tiles(parent, tile(parent, [1e-6, 1.0, 1e6], random.Random(0)), 3)


@pytest.mark.parametrize(
    "weights", [[], [1.0, 0.0], [1.0, -2.0], [1.0, math.inf], [math.nan], [1e-300, 1e300]]
)
def test_bad_weights_are_refused(county: Polygon, weights: list[float]) -> None:
    with pytest.raises(ValueError):
        tile(county, weights, random.Random(0))


def test_an_empty_or_non_polygonal_parent_is_refused() -> None:
    with pytest.raises(ValueError):
        tile(Polygon(), [1.0, 1.0], random.Random(0))
    with pytest.raises(TypeError):
        tile(shapely.Point(0, 0), [1.0, 1.0], random.Random(0))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    weights=st.lists(st.floats(0.2, 5.0), min_size=1, max_size=12),
)
def test_any_small_tiling_covers_its_parent_exactly(seed: int, weights: list[float]) -> None:
    rng = random.Random(seed)
    parent = county_boundary(102.0, 28.0, rng.uniform(0.5, 50.0), rng)
    pieces = tile(parent, weights, rng)
    assert_tiles(parent, pieces, len(weights))
    # roughly proportional: in 400 examples no piece was off by more than a factor 1.6;
    # small pieces are a dozen mesh cells, so a cell or two more or less shows
    assert all(0.5 < r < 2.0 for r in area_ratios(parent, pieces, weights))


# --- GeoJSON ---------------------------------------------------------------------------


def test_geojson_round_trip_keeps_the_shape_to_six_decimals(county: Polygon) -> None:
    encoded = to_geojson(county)
    assert encoded["type"] == "Polygon"
    coords = encoded["coordinates"][0]
    assert coords[0] == coords[-1]
    assert all(round(v, 6) == v for point in coords for v in point)
    decoded = from_geojson(json.loads(json.dumps(encoded)))
    assert decoded.is_valid
    assert decoded.hausdorff_distance(county) < 2e-6
    assert shapely.Polygon(coords).exterior.is_ccw  # RFC 7946: exterior counter-clockwise


def test_geojson_of_multipolygons_and_holes() -> None:
    holed = box(0, 0, 10, 10).difference(box(3, 3, 7, 7))
    multi = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3.1234567891, 3)])
    for geom in (holed, multi):
        decoded = from_geojson(to_geojson(geom))
        assert decoded.geom_type == geom.geom_type
        assert decoded.symmetric_difference(geom).area < 1e-5


def test_geojson_rounding_never_makes_a_thin_polygon_invalid() -> None:
    # a spike thinner than the rounding grid would fold over itself if rounded naively
    spike = Polygon(
        [(0, 0), (1, 0), (1, 1), (0.5000004, 1), (0.5000003, 3), (0.5000002, 1), (0, 1)]
    )
    assert from_geojson(to_geojson(spike)).is_valid


def test_geojson_of_a_geometry_below_the_grid_keeps_full_precision() -> None:
    tiny = box(102.0, 27.0, 102.0 + 1e-8, 27.0 + 1e-8)
    assert from_geojson(to_geojson(tiny)).area > 0


@pytest.mark.parametrize(
    "bad",
    [{}, {"type": "Polygon"}, {"type": "Polygon", "coordinates": "x"}, {"type": "Blob"}, []],
)
def test_from_geojson_refuses_what_is_not_geojson(bad: Any) -> None:
    with pytest.raises(ValueError):
        from_geojson(bad)


# --- sampling --------------------------------------------------------------------------


def test_sample_point_lies_inside_and_is_seeded(county: Polygon) -> None:
    points = [sample_point(county, random.Random(i)) for i in range(200)]
    assert all(county.intersects(shapely.Point(p)) for p in points)
    assert sample_point(county, random.Random(3)) == sample_point(county, random.Random(3))
    assert all(isinstance(v, float) for v in points[0])


def test_sample_points_are_spread_over_a_concave_shape() -> None:
    ell = Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])
    points = sample_points(ell, 2000, random.Random(1))
    assert len(points) == 2000
    assert all(ell.intersects(shapely.Point(p)) for p in points)
    # the two arms have equal area, so each gets about half the points
    in_bottom_arm = sum(1 for x, y in points if y < 1 and x > 1)
    assert 0.35 < in_bottom_arm / 2000 < 0.6


def test_sampling_an_empty_geometry_is_refused() -> None:
    with pytest.raises(ValueError):
        sample_point(Polygon(), random.Random(0))


def test_area_km2_uses_the_local_scale() -> None:
    # one degree square at the equator is about 12,300 km²; at 60° half of that
    assert math.isclose(area_km2(box(0, -0.5, 1, 0.5)), 110.574 * 111.32, rel_tol=1e-6)
    assert math.isclose(area_km2(box(0, 59.5, 1, 60.5)), 110.574 * 111.32 * 0.5, rel_tol=1e-3)


def test_consecutive_weights_tend_to_be_neighbours(county: Polygon) -> None:
    """The seeder lists villages by code; neighbouring codes should mostly touch."""
    pieces = tile(county, [1.0] * 12, random.Random(4))
    touching = sum(1 for a, b in itertools.pairwise(pieces) if a.intersection(b).length > 0)
    assert touching >= 7
