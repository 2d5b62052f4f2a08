"""Which grid is a point in: the in-memory grid index and its database loader."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import shapely
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box, mapping

from grassroots.common import geo
from grassroots.common.geo import (
    GridIndex,
    OutsideJurisdiction,
    grid_index,
    invalidate_grid_index,
    load_grid_index,
)

# Four unit squares around (102, 27); codes deliberately not in the order of the list, so
# "smallest code" cannot be confused with "first given".
#
#   27.002 +------+------+
#          |  C   |  A   |
#   27.001 +------+------+
#          |  D   |  B   |
#   27.000 +------+------+
#        102.000 102.001 102.002
D = 0.001
SQUARES = {
    "5134-B": box(102 + D, 27, 102 + 2 * D, 27 + D),
    "5134-D": box(102, 27, 102 + D, 27 + D),
    "5134-A": box(102 + D, 27 + D, 102 + 2 * D, 27 + 2 * D),
    "5134-C": box(102, 27 + D, 102 + D, 27 + 2 * D),
}


@pytest.fixture
def index() -> GridIndex:
    return GridIndex(list(SQUARES), list(SQUARES.values()))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # the cache is process-wide and test databases roll back without signals
    invalidate_grid_index()
    yield
    invalidate_grid_index()


# --- semantics -------------------------------------------------------------------------


def test_a_point_inside_a_grid_gets_that_grid(index: GridIndex) -> None:
    assert index.locate(102.0005, 27.0005) == "5134-D"
    assert index.locate(102.0015, 27.0015) == "5134-A"
    assert index.locate_many([102.0005, 102.0015], [27.0005, 27.0015]) == ["5134-D", "5134-A"]


def test_a_point_outside_every_grid_gets_none(index: GridIndex) -> None:
    assert index.locate(102.01, 27.0005) is None
    assert index.locate(-120.0, -45.0) is None
    assert index.locate_many([102.01, 0.0], [27.0, 0.0]) == [None, None]


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (102 + D, 27.0005, "5134-B"),  # edge B|D → B
        (102.0005, 27 + D, "5134-C"),  # edge C|D → C
        (102 + D, 27.0015, "5134-A"),  # edge A|C → A
        (102.0015, 27 + D, "5134-A"),  # edge A|B → A
        (102 + D, 27 + D, "5134-A"),  # the vertex all four share → A
        (102 + D, 27.0, "5134-B"),  # outer vertex shared by B and D → B
        (102.0, 27.0005, "5134-D"),  # outer edge: the closed polygon covers it
        (102.0, 27.0, "5134-D"),  # outer corner
    ],
)
def test_points_on_borders_get_the_smallest_covering_code(
    index: GridIndex, lon: float, lat: float, expected: str
) -> None:
    assert index.locate(lon, lat) == expected
    assert index.locate_many([lon], [lat]) == [expected]


def test_a_hole_is_outside() -> None:
    ring = box(0, 0, 1, 1).difference(box(0.25, 0.25, 0.75, 0.75))
    index = GridIndex(["g1"], [ring])
    assert index.locate(0.5, 0.5) is None
    assert index.locate(0.1, 0.1) == "g1"
    assert index.locate(0.25, 0.5) == "g1"  # the hole's edge belongs to the closed polygon


def test_overlapping_grids_also_resolve_to_the_smallest_code() -> None:
    """Grids should not overlap, but if a drawing does, the answer is still one grid."""
    index = GridIndex(["z", "a"], [box(0, 0, 2, 2), box(1, 1, 3, 3)])
    assert index.locate(1.5, 1.5) == "a"
    assert index.locate(0.5, 0.5) == "z"
    assert index.locate_many([1.5, 0.5], [1.5, 0.5]) == ["a", "z"]


def test_a_huge_grid_among_small_ones_is_found_on_both_paths() -> None:
    """A grid whose box spans many buckets is tested apart from the buckets; the order of
    codes must still decide between it and a small grid it overlaps."""
    small = {f"s{i:03d}": box(i, 0, i + 1, 1) for i in range(400)}
    for big_code, expected_in_small in (("a-big", "a-big"), ("z-big", "s005")):
        grids = {**small, big_code: box(-1, -1, 401, 2)}
        index = GridIndex(list(grids), list(grids.values()))
        assert index.locate(5.5, 0.5) == expected_in_small
        assert index.locate(5.5, 1.5) == big_code
        assert index.locate_many([5.5, 5.5], [0.5, 1.5]) == [expected_in_small, big_code]


def test_multipolygon_grids() -> None:
    index = GridIndex(["m"], [shapely.MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])])
    assert index.locate(5.5, 5.5) == "m"
    assert index.locate(3.0, 3.0) is None


def test_an_empty_index_locates_nothing() -> None:
    index = GridIndex([], [])
    assert len(index) == 0
    assert index.locate(102.0, 27.0) is None
    assert index.locate_many([102.0], [27.0]) == [None]
    assert index.locate_many([], []) == []


def test_locate_or_raise(index: GridIndex) -> None:
    assert index.locate_or_raise(102.0005, 27.0005) == "5134-D"
    with translation.override("en"), pytest.raises(OutsideJurisdiction) as caught:
        index.locate_or_raise(103.5, 28.25)
    assert caught.value.lon == 103.5 and caught.value.lat == 28.25
    assert caught.value.message == (
        "The point (103.500000, 28.250000) is outside every grid of this jurisdiction."
    )
    assert str(caught.value) == caught.value.message


def test_codes_and_geometry_lookup(index: GridIndex) -> None:
    assert index.codes == ("5134-A", "5134-B", "5134-C", "5134-D")
    assert index.geometry("5134-C").equals(SQUARES["5134-C"])
    with pytest.raises(KeyError):
        index.geometry("nope")


# --- batch equals single ---------------------------------------------------------------


def _tiled_grids(n: int, seed: int) -> tuple[list[str], list[Any]]:
    """A Voronoi tiling clipped to a box: shared edges and vertices everywhere."""
    rng = np.random.default_rng(seed)
    pts = rng.random((n, 2)) * 0.1 + [102.0, 27.0]
    frame = box(102.0, 27.0, 102.1, 27.1)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame, ordered=True)
    )
    cells = shapely.intersection(cells, frame)
    codes = [f"G{int(i):05d}" for i in rng.permutation(n)]
    return codes, list(cells)


def test_batch_equals_single_on_random_points_edges_and_vertices() -> None:
    codes, geoms = _tiled_grids(300, seed=1)
    index = GridIndex(codes, geoms)
    rng = np.random.default_rng(2)
    lons = list(rng.uniform(101.99, 102.11, 3000))
    lats = list(rng.uniform(26.99, 27.11, 3000))
    vertices = shapely.get_coordinates(np.asarray(geoms))
    lons += vertices[:, 0].tolist()
    lats += vertices[:, 1].tolist()
    # midpoints of edges: on a shared border, not at a vertex
    ring = shapely.get_coordinates(shapely.get_exterior_ring(np.asarray(geoms[:50])))
    lons += ((ring[:-1, 0] + ring[1:, 0]) / 2).tolist()
    lats += ((ring[:-1, 1] + ring[1:, 1]) / 2).tolist()
    batch = index.locate_many(lons, lats)
    single = [index.locate(x, y) for x, y in zip(lons, lats, strict=True)]
    assert batch == single
    # every vertex is covered by some grid; the answer is the smallest code covering it
    for x, y, got in zip(vertices[:400, 0], vertices[:400, 1], batch[3000:3400], strict=True):
        covering = sorted(
            c for c, g in zip(codes, geoms, strict=True) if g.intersects(shapely.Point(x, y))
        )
        assert got == covering[0]


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(101.95, 102.15, allow_nan=False),
    lat=st.floats(26.95, 27.15, allow_nan=False),
)
def test_single_agrees_with_a_brute_force_scan(lon: float, lat: float) -> None:
    codes, geoms = _BRUTE
    index = _BRUTE_INDEX
    point = shapely.Point(lon, lat)
    covering = sorted(c for c, g in zip(codes, geoms, strict=True) if g.intersects(point))
    expected = covering[0] if covering else None
    assert index.locate(lon, lat) == expected
    assert index.locate_many([lon], [lat]) == [expected]


_BRUTE = _tiled_grids(80, seed=3)
_BRUTE_INDEX = GridIndex(*_BRUTE)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (math.nan, 27.0, "longitude must be a finite number"),
        (102.0, math.nan, "latitude must be a finite number"),
        (math.inf, 27.0, "longitude must be a finite number"),
        (180.5, 27.0, "longitude must be within [-180, 180]"),
        (102.0, -90.01, "latitude must be within [-90, 90]"),
        ("102.0", 27.0, "longitude must be a number"),
        (102.0, None, "latitude must be a number"),
        (True, 27.0, "longitude must be a number"),
    ],
)
def test_bad_coordinates_are_refused_clearly(
    index: GridIndex, lon: Any, lat: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        index.locate(lon, lat)


def test_numbers_of_other_types_are_accepted(index: GridIndex) -> None:
    assert index.locate(102, 27) == "5134-D"
    assert index.locate(np.float64(102.0005), np.float32(27.0005)) == "5134-D"  # type: ignore[arg-type]
    assert index.locate(180.0, 90.0) is None  # the extreme values are valid input


def test_bad_batches_are_refused_clearly(index: GridIndex) -> None:
    with pytest.raises(ValueError, match="point 1: latitude must be within"):
        index.locate_many([102.0, 102.0], [27.0, 91.0])
    with pytest.raises(ValueError, match="point 0: longitude must be a finite number"):
        index.locate_many([math.nan], [27.0])
    with pytest.raises(ValueError, match="2 longitudes but 1 latitudes"):
        index.locate_many([102.0, 102.0], [27.0])
    with pytest.raises(ValueError, match="longitudes must be numbers"):
        index.locate_many(["east"], [27.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="one-dimensional"):
        index.locate_many([[102.0]], [[27.0]])  # type: ignore[list-item]


def test_bad_grids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        GridIndex(["a", "a"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(ValueError, match="2 codes but 1 geometries"):
        GridIndex(["a", "b"], [box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="grid a: geometry must be a Polygon"):
        GridIndex(["a"], [shapely.Point(0, 0)])
    with pytest.raises(ValueError, match="grid a: geometry is empty"):
        GridIndex(["a"], [Polygon()])


# --- loading from the database and the cache -------------------------------------------


def _draw(unit: Any, geom: Any) -> None:
    unit.geometry = mapping(geom) if geom is not None else None
    unit.save()


def _grid(code: str, parent: Any, geom: Any, **kw: Any) -> Any:
    from grassroots.org.models import Unit, UnitKind

    return Unit.objects.create(
        code=code, name=code, kind=UnitKind.GRID, parent=parent, geometry=mapping(geom), **kw
    )


def test_loader_reads_active_grids_with_a_geometry(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    _draw(tree["grid"], SQUARES["5134-D"])
    _grid("513401101201002", tree["village"], SQUARES["5134-B"])
    _grid("513401101201003", tree["village"], SQUARES["5134-A"], active=False)
    _grid("513401102201001", tree["other_village"], SQUARES["5134-C"])
    # a village with a geometry is not a grid
    _draw(tree["village"], box(101, 26, 103, 28))

    with django_assert_num_queries(1):
        index = load_grid_index()
    assert index.codes == ("513401101201001", "513401101201002", "513401102201001")
    assert index.locate(102.0005, 27.0005) == "513401101201001"
    assert index.locate(102 + D, 27.0005) == "513401101201001"  # shared edge → smaller code
    assert index.locate(102.0015, 27.0015) is None  # the inactive grid

    lizhou_only = load_grid_index(tree["lizhou"])
    assert lizhou_only.codes == ("513401101201001", "513401101201002")


def test_loader_skips_unreadable_geometry_and_repairs_invalid_polygons(
    tree: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from grassroots.org.models import Unit

    Unit.objects.filter(pk=tree["grid"].pk).update(geometry={"type": "Polygon", "coordinates": 7})
    _grid("513401101201002", tree["village"], shapely.Point(102, 27))
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    _grid("513401101201003", tree["village"], bow_tie)
    with caplog.at_level(logging.WARNING, logger="grassroots.common.geo"):
        index = load_grid_index()
    assert index.codes == ("513401101201003",)
    assert index.locate(0.1, 0.5) == "513401101201003"
    assert "513401101201001" in caplog.text and "513401101201002" in caplog.text


def test_the_cache_is_shared_and_follows_changes(tree: dict[str, Any]) -> None:
    _draw(tree["grid"], SQUARES["5134-D"])
    first = grid_index()
    assert grid_index() is first
    assert first.locate(102.0015, 27.0005) is None

    # saving a grid through the ORM drops this process's index at once
    _grid("513401101201002", tree["village"], SQUARES["5134-B"])
    second = grid_index()
    assert second is not first
    assert second.locate(102.0015, 27.0005) == "513401101201002"


def test_a_bulk_update_is_seen_after_the_check_interval_or_an_invalidation(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.org.models import Unit

    _draw(tree["grid"], SQUARES["5134-D"])
    before = grid_index()
    # QuerySet.update() sends no signal; it does move updated_at if the caller sets it
    Unit.objects.filter(pk=tree["grid"].pk).update(
        geometry=mapping(SQUARES["5134-A"]),
        updated_at=tree["grid"].updated_at + dt.timedelta(seconds=1),
    )
    assert grid_index() is before  # within the check interval: still the old index
    monkeypatch.setattr(geo, "GRID_INDEX_CHECK_SECONDS", 0.0)
    after = grid_index()
    assert after is not before
    assert after.locate(102.0015, 27.0015) == "513401101201001"

    # an update that leaves the key alone is seen after an explicit invalidation
    Unit.objects.filter(pk=tree["grid"].pk).update(geometry=mapping(SQUARES["5134-C"]))
    assert grid_index() is after
    invalidate_grid_index()
    assert grid_index().locate(102.0005, 27.0015) == "513401101201001"


def test_grid_index_of_an_empty_jurisdiction(db: Any) -> None:
    index = grid_index()
    assert len(index) == 0
    assert index.locate(random.uniform(100, 104), 27.0) is None


def test_the_public_shapely_predicate_gives_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The single path calls shapely's ufunc directly when it can; the public function
    (the fallback on a shapely without it) must agree."""
    codes, geoms = _tiled_grids(60, seed=4)
    index = GridIndex(codes, geoms)
    rng = np.random.default_rng(5)
    lons, lats = rng.uniform(101.99, 102.11, 500), rng.uniform(26.99, 27.11, 500)
    fast = [index.locate(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]
    monkeypatch.setattr(geo, "_intersects_xy", shapely.intersects_xy)
    public = [index.locate(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]
    assert fast == public == index.locate_many(lons, lats)


def test_threads_sharing_an_index_get_the_same_answers() -> None:
    """Web server threads share the process-wide index; GEOS structures are built up front
    (GEOS builds them lazily and not thread-safely), so concurrent first lookups are fine."""
    from concurrent.futures import ThreadPoolExecutor

    codes, geoms = _tiled_grids(400, seed=6)
    index = GridIndex(codes, geoms)
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(102.0, 102.1, 4000), rng.uniform(27.0, 27.1, 4000)
    chunks = [(lons[i::4], lats[i::4]) for i in range(4)]

    def work(chunk: tuple[Any, Any]) -> list[str | None]:
        x, y = chunk
        return [index.locate(float(a), float(b)) for a, b in zip(x, y, strict=True)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, chunks))
    for (x, y), got in zip(chunks, results, strict=True):
        assert got == index.locate_many(x, y)
