"""Which grid is this point in? An in-memory index over the grids' polygons.

Grid polygons live as GeoJSON in ``Unit.geometry`` (no PostGIS, DESIGN.md §3); this module
loads them once per process into a :class:`GridIndex` and answers point-in-grid queries.

Semantics, the same for :meth:`GridIndex.locate` and :meth:`GridIndex.locate_many`:

- a grid is its *closed* polygon (boundary included);
- a point inside exactly one grid gets that grid's code;
- a point on a shared edge or vertex of several grids gets the smallest code among the grids
  whose closed polygon covers it — never two answers, never none;
- a point outside every grid gets ``None`` (``locate_or_raise`` raises
  :class:`OutsideJurisdiction`);
- a longitude outside [-180, 180], a latitude outside [-90, 90], NaN, infinities and
  non-numbers raise ``ValueError``.

Two paths, because their costs differ (bench/locate.py measures both):

- batches go through shapely's ``STRtree.query(points, predicate="intersects")``, one call
  into GEOS for the whole array, and numpy picks the smallest grid per point;
- a single point would pay several microseconds just to become a shapely ``Point`` and to
  cross ``STRtree.query``'s argument handling, so single lookups use a small uniform bucket
  grid in plain Python (candidates per bucket in code order, a bounding-box test) and test
  the candidates with GEOS's ``intersects_xy`` on prepared polygons, which needs no Point.
  Both paths ask GEOS the same question of the same prepared polygons, so they agree.

An index is read-only once built and safe to share between threads (see ``_warm_up``).
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from django.utils.translation import gettext
from numpy.typing import NDArray
from shapely.geometry import shape

if TYPE_CHECKING:
    from grassroots.org.models import Unit

__all__ = [
    "GridIndex",
    "OutsideJurisdiction",
    "grid_index",
    "invalidate_grid_index",
    "load_grid_index",
]

logger = logging.getLogger(__name__)

# A polygon whose bounding box spans more buckets than this is kept out of the buckets and
# tested for every query instead; otherwise one odd, huge grid would be copied into
# thousands of buckets.
_LARGE_SPAN = 256

# Point-in-polygon test for the single path. "intersects" of a point and a polygon is
# "covers" (boundary included), as in the batch path's STRtree predicate. The public
# shapely.intersects_xy re-prepares its polygon on every call, about 1 µs of the 2.4 µs a
# test costs; our polygons are prepared once when the index is built, so call the ufunc it
# wraps when this shapely has it (tests check both paths agree).
_intersects_xy: Any = getattr(shapely.lib, "intersects_xy", shapely.intersects_xy)

# Batches at least this large are sorted along a space-filling curve before the query.
_SORT_FROM = 512

# How often (seconds) the process-wide cache asks the database whether grids changed.
GRID_INDEX_CHECK_SECONDS = 30.0


class OutsideJurisdiction(Exception):  # noqa: N818 -- the name the events issue uses
    """A point lies outside every grid of the jurisdiction; the message is for people."""

    code = "outside_jurisdiction"

    def __init__(self, lon: float, lat: float) -> None:
        self.lon, self.lat = lon, lat
        self.message = gettext(
            "The point (%(lon)s, %(lat)s) is outside every grid of this jurisdiction."
        ) % {"lon": f"{lon:.6f}", "lat": f"{lat:.6f}"}
        self.field = "location"
        super().__init__(self.message)


class GridIndex:
    """Point-in-grid lookups over a fixed set of grids (codes and polygons, lon/lat).

    Immutable once built: to change grids, build a new index (the process-wide cache below
    swaps whole indexes, so a reader never sees half of an update).
    """

    def __init__(self, codes: Sequence[str], geoms: Sequence[Any]) -> None:
        if len(codes) != len(geoms):
            raise ValueError(f"{len(codes)} codes but {len(geoms)} geometries")
        if len(set(codes)) != len(codes):
            raise ValueError("grid codes must be unique")
        # Sorting by code makes "smallest tree index" mean "smallest code" on both paths.
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self._codes: list[str] = [codes[i] for i in order]
        geometries = np.empty(len(order), dtype=object)
        geometries[:] = [geoms[i] for i in order]
        for code, geom in zip(self._codes, geometries, strict=True):
            if not isinstance(geom, shapely.Geometry) or geom.geom_type not in (
                "Polygon",
                "MultiPolygon",
            ):
                raise ValueError(f"grid {code}: geometry must be a Polygon or MultiPolygon")
            if geom.is_empty:
                raise ValueError(f"grid {code}: geometry is empty")
        shapely.prepare(geometries)
        self._geoms = geometries
        self._geom_list: list[Any] = list(geometries)
        # None at the end: the answer for "no grid" after numpy picks index n
        self._code_array = np.array([*self._codes, None], dtype=object)
        self._tree = shapely.STRtree(geometries)
        self._build_buckets()
        self._warm_up()

    # ----------------------------------------------------------------------------------
    # public API

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def codes(self) -> tuple[str, ...]:
        """The grid codes, sorted."""
        return tuple(self._codes)

    def geometry(self, code: str) -> Any:
        """The polygon of one grid (``KeyError`` if the index has no such grid)."""
        position = _bisect(self._codes, code)
        if position is None:
            raise KeyError(code)
        return self._geom_list[position]

    def locate(self, lon: float, lat: float) -> str | None:
        """The code of the grid covering (lon, lat); ``None`` outside every grid."""
        if type(lon) is not float or type(lat) is not float:
            lon, lat = _coerce(lon, "longitude"), _coerce(lat, "latitude")
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):  # also false for NaN
            _check_range(lon, lat)
        position = self._locate_position(lon, lat)
        return None if position < 0 else self._codes[position]

    def locate_or_raise(self, lon: float, lat: float) -> str:
        """Like :meth:`locate`, but a point outside every grid raises OutsideJurisdiction."""
        code = self.locate(lon, lat)
        if code is None:
            raise OutsideJurisdiction(float(lon), float(lat))
        return code

    def locate_many(
        self, lons: Sequence[float] | NDArray[Any], lats: Sequence[float] | NDArray[Any]
    ) -> list[str | None]:
        """:meth:`locate` for many points at once (one GEOS call), in input order."""
        x = _as_float_array(lons, "longitudes")
        y = _as_float_array(lats, "latitudes")
        if x.shape != y.shape:
            raise ValueError(f"{x.size} longitudes but {y.size} latitudes")
        bad = ~((x >= -180.0) & (x <= 180.0) & (y >= -90.0) & (y <= 90.0))
        if bool(bad.any()):
            first = int(np.flatnonzero(bad)[0])
            try:
                _check_range(float(x[first]), float(y[first]))
            except ValueError as exc:
                raise ValueError(f"point {first}: {exc}") from None
        n = len(self._codes)
        if x.size == 0:
            return []
        if n == 0:
            return [None] * x.size
        # Query in a space-filling-curve order: consecutive points then hit the same few
        # polygons, whose prepared structures stay in the CPU cache (about 2.5× faster than
        # random order at province scale, see bench/locate.py).
        order = self._spatial_order(x, y) if x.size >= _SORT_FROM else None
        points = shapely.points(x, y) if order is None else shapely.points(x[order], y[order])
        point_idx, grid_idx = self._tree.query(points, predicate="intersects")
        if order is not None:
            point_idx = order[point_idx]
        # several grids cover a point only on shared borders: keep the smallest index (code)
        best = np.full(x.size, n, dtype=np.intp)
        np.minimum.at(best, point_idx, grid_idx)
        result: list[str | None] = self._code_array[best].tolist()
        return result

    def _warm_up(self) -> None:
        """Build every lazily built GEOS structure now, while only this thread sees them.

        GEOS builds a prepared polygon's point locator (and the tree) on first use, and that
        lazy build is not thread-safe (libgeos/geos#825), while shapely releases the GIL
        during queries. One query at the centre of every grid's box touches each of them,
        so that threads of a web server afterwards only ever read.
        """
        if not self._codes:
            return
        bounds = np.asarray(self._bounds)
        centres = (bounds[:, :2] + bounds[:, 2:]) / 2
        self._tree.query(shapely.points(centres), predicate="intersects")
        _intersects_xy(self._geoms, centres[:, 0], centres[:, 1])

    def _spatial_order(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.intp]:
        """A permutation of the points along a Z-order (Morton) curve over 2×2 buckets."""
        cell = 2.0 * self._cell
        ix = np.clip((x - self._x0) / cell, 0, 0xFFFF).astype(np.uint64)
        iy = np.clip((y - self._y0) / cell, 0, 0xFFFF).astype(np.uint64)
        order: NDArray[np.intp] = np.argsort(_spread_bits(ix) | (_spread_bits(iy) << 1))
        return order

    # ----------------------------------------------------------------------------------
    # the single-point path

    def _build_buckets(self) -> None:
        """A uniform grid of buckets over the grids' extent, about one bucket per grid.

        Each bucket lists (in code order) the grids whose bounding box overlaps it. The
        bucket of a point is computed with the same float expression as the buckets of a
        box, and that expression is monotonic, so a grid covering a point is always
        listed in the point's bucket — also for points exactly on a bucket boundary.
        """
        n = len(self._codes)
        bounds = shapely.bounds(self._geoms).reshape(-1, 4)
        self._bounds: list[tuple[float, float, float, float]] = [
            (float(a), float(b), float(c), float(d)) for a, b, c, d in bounds.tolist()
        ]
        if n == 0:
            self._x0 = self._y0 = 0.0
            self._cell = 1.0
            self._nx = self._ny = 0
            self._buckets: list[tuple[int, ...]] = []
            self._large: tuple[int, ...] = ()
            return
        x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        x1, y1 = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
        cell = math.sqrt(width * height / n)
        # keep the bucket count near n even for a long thin extent
        cell = max(cell, width / (4 * n + 1), height / (4 * n + 1))
        nx, ny = int(width / cell) + 1, int(height / cell) + 1
        ix0 = ((bounds[:, 0] - x0) / cell).astype(np.intp)
        ix1 = ((bounds[:, 2] - x0) / cell).astype(np.intp)
        iy0 = ((bounds[:, 1] - y0) / cell).astype(np.intp)
        iy1 = ((bounds[:, 3] - y0) / cell).astype(np.intp)
        span_x, span_y = ix1 - ix0 + 1, iy1 - iy0 + 1
        span = span_x * span_y
        large = span > _LARGE_SPAN
        small = np.flatnonzero(~large)
        counts = span[small]
        grid = np.repeat(small, counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        bucket = (iy0[grid] + offset // span_x[grid]) * nx + ix0[grid] + offset % span_x[grid]
        order = np.lexsort((grid, bucket))
        bucket, grid = bucket[order], grid[order]
        starts = np.searchsorted(bucket, np.arange(nx * ny + 1)).tolist()
        members = grid.tolist()
        self._x0, self._y0, self._cell, self._nx, self._ny = x0, y0, cell, nx, ny
        self._buckets = [tuple(members[starts[b] : starts[b + 1]]) for b in range(nx * ny)]
        self._large = tuple(int(i) for i in np.flatnonzero(large))

    def _locate_position(self, lon: float, lat: float) -> int:
        """Index (in code order) of the first grid covering the point, or -1."""
        found = -1
        if self._nx:
            bx = int((lon - self._x0) / self._cell)
            by = int((lat - self._y0) / self._cell)
            if lon >= self._x0 and lat >= self._y0 and bx < self._nx and by < self._ny:
                found = self._first_hit(self._buckets[by * self._nx + bx], lon, lat)
        if self._large:
            for i in self._large:
                if found != -1 and i > found:
                    break
                if self._covers(i, lon, lat):
                    return i
        return found

    def _first_hit(self, candidates: tuple[int, ...], lon: float, lat: float) -> int:
        bounds, geoms = self._bounds, self._geom_list
        for i in candidates:
            minx, miny, maxx, maxy = bounds[i]
            if minx <= lon <= maxx and miny <= lat <= maxy and _intersects_xy(geoms[i], lon, lat):
                return i
        return -1

    def _covers(self, i: int, lon: float, lat: float) -> bool:
        return bool(_intersects_xy(self._geom_list[i], lon, lat))


def _spread_bits(v: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Put the low 16 bits of each value on the even bit positions (for Morton codes)."""
    v = v & np.uint64(0xFFFF)
    v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
    v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
    v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
    v = (v | (v << np.uint64(1))) & np.uint64(0x55555555)
    return v


def _bisect(codes: list[str], code: str) -> int | None:
    position = bisect.bisect_left(codes, code)
    return position if position < len(codes) and codes[position] == code else None


def _coerce(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _check_range(lon: float, lat: float) -> None:
    if not math.isfinite(lon):
        raise ValueError(f"longitude must be a finite number, got {lon!r}")
    if not math.isfinite(lat):
        raise ValueError(f"latitude must be a finite number, got {lat!r}")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude must be within [-180, 180], got {lon!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude must be within [-90, 90], got {lat!r}")


def _as_float_array(values: Any, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers: {exc}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence")
    return array


# --------------------------------------------------------------------------------------
# loading from the database, and the process-wide cache


def load_grid_index(root: Unit | None = None) -> GridIndex:
    """An index of the active grid units with a geometry (below ``root`` if given).

    Reads only ``code`` and ``geometry``, streaming. A row whose GeoJSON cannot be read or
    is not polygonal is skipped with a warning, so that one bad drawing does not stop every
    event from being located; an invalid polygon (self-touching ring, bow-tie) is repaired
    with ``make_valid`` first.
    """
    from grassroots.org.models import Unit, UnitKind

    rows = Unit.objects.filter(kind=UnitKind.GRID, active=True, geometry__isnull=False)
    if root is not None:
        rows = rows.within(root)
    codes: list[str] = []
    geoms: list[Any] = []
    for code, geojson in rows.order_by().values_list("code", "geometry").iterator(chunk_size=2000):
        geom = _polygon_from_geojson(code, geojson)
        if geom is not None:
            codes.append(code)
            geoms.append(geom)
    return GridIndex(codes, geoms)


def _polygon_from_geojson(code: str, geojson: Any) -> Any:
    try:
        geom = shape(geojson)
    except Exception as exc:  # any malformed GeoJSON: skip the row, do not fail intake
        logger.warning("grid %s: unreadable geometry skipped (%s)", code, exc)
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        logger.warning("grid %s: geometry %s skipped (not a polygon)", code, geom.geom_type)
        return None
    if not geom.is_valid:
        repaired = shapely.make_valid(geom)
        parts = [p for p in shapely.get_parts(repaired) if p.geom_type == "Polygon"]
        if not parts:
            logger.warning("grid %s: invalid geometry skipped", code)
            return None
        geom = shapely.union_all(parts)
    return geom


class _Cache:
    """The process-wide index and the database state it was built from.

    Staleness: the key is (number of active grid units with a geometry, their latest
    ``updated_at``), looked up at most every ``GRID_INDEX_CHECK_SECONDS`` seconds. Adding,
    deleting, deactivating or re-drawing a grid through the ORM changes the key, and this
    process also drops its index at once on any save or delete of a unit (signals below).
    Other processes see a change within ``GRID_INDEX_CHECK_SECONDS``. ``QuerySet.update()``
    does not touch ``updated_at``: code that redraws grids that way must call
    :func:`invalidate_grid_index` (or set ``updated_at``) — otherwise a delete plus a
    bulk update that keeps the count could go unnoticed until the process restarts.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: GridIndex | None = None
        self.key: tuple[int, Any] | None = None
        self.checked_at = 0.0


_cache = _Cache()


def _current_key() -> tuple[int, Any]:
    from django.db.models import Count, Max

    from grassroots.org.models import Unit, UnitKind

    state = Unit.objects.filter(kind=UnitKind.GRID, active=True, geometry__isnull=False).aggregate(
        count=Count("id"), latest=Max("updated_at")
    )
    return int(state["count"]), state["latest"]


def grid_index() -> GridIndex:
    """The index of every active grid, shared by the process and rebuilt when grids change."""
    now = time.monotonic()
    index = _cache.index
    if index is not None and now - _cache.checked_at < GRID_INDEX_CHECK_SECONDS:
        return index
    with _cache.lock:
        if _cache.index is not None and now - _cache.checked_at < GRID_INDEX_CHECK_SECONDS:
            return _cache.index
        key = _current_key()
        if _cache.index is None or key != _cache.key:
            _cache.index = load_grid_index()
            _cache.key = key
        _cache.checked_at = time.monotonic()
        return _cache.index


def invalidate_grid_index() -> None:
    """Drop this process's index; the next :func:`grid_index` call rebuilds it."""
    with _cache.lock:
        _cache.index = None
        _cache.key = None
        _cache.checked_at = 0.0


def _on_unit_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    if instance is None or getattr(instance, "kind", None) == "grid":
        invalidate_grid_index()


def _connect_signals() -> None:
    # Connected when this module is first imported: before that there is no index to drop.
    from django.db.models.signals import post_delete, post_save

    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            _on_unit_change, sender="org.Unit", weak=False, dispatch_uid=f"grid-index-{name}"
        )


_connect_signals()
