"""The grid maps' data: each grid's figure of a chosen metric, the projected polygons and
the open events the viewer may see, for the map page and the dashboards' small map.

Figures are set-based, one query per metric for all grids under the unit:

* ``open``: open events (``Event.objects.open()``) placed in the grid, now;
* ``overdue``: open events past their handling deadline (``Event.objects.overdue()``), now;
* ``on_time``: the registered ``events.on_time_close_rate`` over the chosen period;
* ``satisfaction``: the registered ``events.satisfaction_rate`` over the chosen period.

The grid's figures count every event placed in it (the unit is in the viewer's scope, so
is every event placed below it); the points are the viewer's visible events only
(``Event.objects.visible_to``), capped at ``MAX_POINTS``. No names or phones are drawn:
a point is labelled with its number, category and status.

The projected polygons (:class:`~grassroots.common.gridmap.GridMap`) are cached per unit in
the process, keyed by a fingerprint of the grids' ids, codes, names, ``updated_at`` and the
length of their GeoJSON, read with the grid list (no extra query): adding, renaming,
retiring or redrawing a grid changes the key; a save or delete of a grid in this process
also empties the cache at once (a redraw saved with ``update_fields`` keeps ``updated_at``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db.models import TextField
from django.db.models.functions import Cast, Length
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grassroots.common.choropleth import Classification, Point, classify, render_map, swatch
from grassroots.common.gridmap import GridMap, build_grid_map
from grassroots.common.metrics import Period
from grassroots.dashboards.map_values import (
    Area,
    AreaValue,
    area_values,
    child_placement,
    grid_placement,
    placed_in,
)
from grassroots.events.models import Event
from grassroots.events.queries import BY_DEADLINE
from grassroots.events.states import EventStatus
from grassroots.org.models import Unit, UnitKind, User
from grassroots.org.permissions import can

#: At most this many event points are drawn (soonest deadline first); the page says so.
MAX_POINTS = 300
#: Maps kept in the process (a unit's projected polygons).
CACHE_SIZE = 64
#: SVG widths (user units) of the map page and of the dashboards' small map.
PAGE_WIDTH = 600.0
PAGE_MAX_HEIGHT = 640.0
EMBED_WIDTH = 360.0
EMBED_MAX_HEIGHT = 300.0
#: A unit with more active grids than this (setting ``DASHBOARD_MAP_MAX_GRIDS``) is drawn
#: by its units one level down, each linking to its own map: a province's 79,000 grids
#: are neither readable nor quick to draw, a city's 850 are.
MAX_GRIDS = 2000


def max_grids() -> int:
    return max(1, int(getattr(settings, "DASHBOARD_MAP_MAX_GRIDS", MAX_GRIDS)))


@dataclass(frozen=True)
class MapMetric:
    key: str
    label: str | Promise
    #: The registered metric behind it (a rate over a period), or "" (a count of now).
    metric: str
    unit: str  # "%" or "" (events)
    higher_is_better: bool
    #: What the numerator and the denominator count (for the details and the table).
    numerator_label: str | Promise = ""
    denominator_label: str | Promise = ""

    @property
    def periodic(self) -> bool:
        return bool(self.metric)


METRICS: dict[str, MapMetric] = {
    m.key: m
    for m in (
        MapMetric("open", gettext_lazy("Open events"), "", "", higher_is_better=False),
        MapMetric("overdue", gettext_lazy("Overdue events"), "", "", higher_is_better=False),
        MapMetric(
            "on_time",
            gettext_lazy("On-time closing rate"),
            "events.on_time_close_rate",
            "%",
            higher_is_better=True,
            numerator_label=gettext_lazy("closed on time"),
            denominator_label=pgettext_lazy("events counted", "due"),
        ),
        MapMetric(
            "satisfaction",
            gettext_lazy("Satisfaction rate"),
            "events.satisfaction_rate",
            "%",
            higher_is_better=True,
            numerator_label=pgettext_lazy("events counted", "satisfied"),
            denominator_label=pgettext_lazy("events counted", "rated"),
        ),
    )
}
DEFAULT_METRIC = "open"

PERIODS: dict[str, str | Promise] = {
    "12m": gettext_lazy("Last 12 months"),
    "month": gettext_lazy("This month"),
}
DEFAULT_PERIOD = "12m"


class UnknownChoiceError(ValueError):
    """A metric or period the map does not offer."""


def period_of(key: str, *, today: dt.date | None = None) -> Period:
    """``month``: this calendar month; ``12m``: this month and the eleven before it."""
    if key not in PERIODS:
        raise UnknownChoiceError(key)
    day = today or timezone.localdate()
    first = day.replace(day=1)
    if key == "12m":
        month = first.month - 11
        year = first.year + (month - 1) // 12
        first = dt.date(year, (month - 1) % 12 + 1, 1)
    return Period.of_dates(first, day, key)


def metric_of(key: str) -> MapMetric:
    try:
        return METRICS[key]
    except KeyError:
        raise UnknownChoiceError(key) from None


# --- the unit and its grids --------------------------------------------------------------


def unit_in_scope(user: User, code: str) -> Unit:
    """The active unit ``code`` with an area (not a department) if the viewer may open its
    dashboard (``dashboards.view``, the same rule as the dashboard's), else 404."""
    from grassroots.dashboards.permissions import VIEW

    unit: Unit | None = (
        Unit.objects.visible_to(user, VIEW)
        .filter(code=code, active=True)
        .exclude(kind=UnitKind.DEPARTMENT)
        .defer("geometry")
        .first()
    )
    if unit is None:
        raise Http404(_("No such unit in your area."))
    return unit


Grid = Area
GridValue = AreaValue


def _fingerprinted(rows: list[tuple[Any, ...]]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for pk, code, name, updated, drawing, *_rest in rows:
        digest.update(
            f"{pk}\x1f{code}\x1f{name}\x1f{updated.isoformat()}\x1f{drawing}\x1e".encode()
        )
    return digest.hexdigest()


def _grids(unit: Unit, limit: int | None = None) -> tuple[list[Grid], str]:
    """The active grids at or below ``unit`` in path order (the first ``limit``), and
    their fingerprint."""
    query = (
        Unit.objects.within(unit)
        .filter(kind=UnitKind.GRID, active=True)
        .annotate(drawing=Length(Cast("geometry", TextField())))
        .order_by("path")
        .values_list("pk", "code", "name", "updated_at", "drawing")
    )
    rows = list(query if limit is None else query[:limit])
    return [Grid(pk, code, name) for pk, code, name, *_ in rows], _fingerprinted(rows)


#: Units whose maps most likely have too many grids: asked first whether they do.
ABOVE_COUNTY = frozenset({UnitKind.PROVINCE, UnitKind.PREFECTURE})


def more_grids_than(unit: Unit, limit: int) -> bool:
    """Whether more than ``limit`` active grids are at or below ``unit`` (an index read
    of ``limit + 1`` entries at most)."""
    grids = Unit.objects.within(unit).filter(kind=UnitKind.GRID, active=True).order_by()
    return bool(list(grids.values_list("pk", flat=True)[limit : limit + 1]))


def _children(unit: Unit) -> tuple[list[tuple[Area, str, str]], str]:
    """The active areas one level down (area, kind, path) in path order, no departments,
    and their fingerprint."""
    rows = list(
        Unit.objects.filter(parent=unit, active=True)
        .exclude(kind=UnitKind.DEPARTMENT)
        .annotate(drawing=Length(Cast("geometry", TextField())))
        .order_by("path")
        .values_list("pk", "code", "name", "updated_at", "drawing", "kind", "path")
    )
    children = [(Area(pk, code, name), kind, path) for pk, code, name, _u, _d, kind, path in rows]
    return children, _fingerprinted(rows)


class _MapCache:
    """Projected maps by (unit path, size, fingerprint), least recently used dropped."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.maps: OrderedDict[tuple[str, float, float, str], GridMap | None] = OrderedDict()

    def get(
        self, key: tuple[str, float, float, str], build: Callable[[], GridMap | None]
    ) -> GridMap | None:
        with self.lock:
            if key in self.maps:
                self.maps.move_to_end(key)
                return self.maps[key]
        gmap = build()
        with self.lock:
            self.maps[key] = gmap
            while len(self.maps) > CACHE_SIZE:
                self.maps.popitem(last=False)
        return gmap

    def clear(self) -> None:
        with self.lock:
            self.maps.clear()


_cache = _MapCache()


def clear_map_cache() -> None:
    _cache.clear()


def _on_unit_change(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    if instance is None or getattr(instance, "kind", None) != UnitKind.DEPARTMENT:
        clear_map_cache()


for _name, _signal in (("saved", post_save), ("deleted", post_delete)):
    _signal.connect(_on_unit_change, sender=Unit, weak=False, dispatch_uid=f"grid-maps-{_name}")


def grid_map(
    unit: Unit, grids: list[Grid], fingerprint: str, *, width: float, max_height: float
) -> GridMap | None:
    """The projected polygons of ``grids`` (read only when the cache misses)."""

    def build() -> GridMap | None:
        rows = (
            Unit.objects.filter(pk__in=[g.pk for g in grids], geometry__isnull=False)
            .order_by("path")
            .values_list("code", "name", "geometry")
        )
        return build_grid_map(rows, width=width, max_height=max_height)

    if not grids:
        return None
    return _cache.get((unit.path, width, max_height, fingerprint), build)


# --- the figures -------------------------------------------------------------------------


def grid_values(
    unit: Unit, grids: list[Grid], metric: MapMetric, period: Period | None
) -> list[GridValue]:
    """Every grid's figure, in the order of ``grids``: one query."""
    if metric.periodic and period is None:
        raise ValueError(f"{metric.key} needs a period")
    return area_values(grids, metric.key, metric.metric, period, grid_placement(unit))


def child_values(
    unit: Unit, children: list[tuple[Area, str, str]], metric: MapMetric, period: Period | None
) -> list[AreaValue]:
    """Every area one level down's figure, in the order of ``children``: one query (and
    one of the townships below, for areas above township level)."""
    if metric.periodic and period is None:
        raise ValueError(f"{metric.key} needs a period")
    areas = [a for a, _, _ in children]
    return area_values(areas, metric.key, metric.metric, period, child_placement(unit, children))


def area_cache_seconds() -> int:
    """How long the figures of a map drawn by areas are kept (``DASHBOARD_MAP_AREA_CACHE_
    SECONDS``, by default the dashboards' ``DASHBOARD_CACHE_SECONDS``, 300; 0: not kept).
    When a worker counts them ahead (a cache shared between processes), they are good for
    as long as the dashboards' figures counted ahead (``DASHBOARD_SNAPSHOT_SECONDS``)."""
    from grassroots.dashboards import caching

    default = getattr(settings, "DASHBOARD_CACHE_SECONDS", 300)
    seconds = max(0, int(getattr(settings, "DASHBOARD_MAP_AREA_CACHE_SECONDS", default)))
    if seconds and caching.shared():
        seconds = max(seconds, caching.snapshot_seconds())
    return seconds


def _area_key(unit: Unit, metric: MapMetric, period: Period | None) -> str:
    return (
        f"maps:areas:{unit.pk}:{unit.path}:{metric.key}:{period.label if period else ''}:"
        f"{period.start.isoformat() if period else ''}"
    )


def _store_child_values(
    unit: Unit,
    children: list[tuple[Area, str, str]],
    metric: MapMetric,
    period: Period | None,
    now: dt.datetime,
) -> list[AreaValue]:
    values = child_values(unit, children, metric, period)
    rows = [(v.area.pk, v.value, v.numerator, v.denominator) for v in values]
    cache.set(_area_key(unit, metric, period), (now, rows), 2 * area_cache_seconds())
    return values


def cached_child_values(
    unit: Unit, children: list[tuple[Area, str, str]], metric: MapMetric, period: Period | None
) -> tuple[list[AreaValue], dt.datetime | None]:
    """:func:`child_values`, kept for ``area_cache_seconds()`` per unit, metric and period
    (not renewed by every new event: a province's 12 months are a scan of millions of
    events, its figures move slowly, and the page says when they were counted); and that
    moment (None when not kept). ``count_ahead`` fills them from the worker."""
    ttl = area_cache_seconds()
    if not ttl:
        return child_values(unit, children, metric, period), None
    now = timezone.now()
    by_pk = {a.pk: a for a, _, _ in children}
    found = cache.get(_area_key(unit, metric, period))
    if found is not None:
        as_of, rows = found
        fresh = now - dt.timedelta(seconds=ttl) <= as_of <= now + dt.timedelta(seconds=ttl)
        if fresh and {pk for pk, *_ in rows} == set(by_pk):
            return [AreaValue(by_pk[pk], v, n, d) for pk, v, n, d in rows], as_of
    return _store_child_values(unit, children, metric, period, now), now


def count_ahead(unit: Unit, now: dt.datetime | None = None) -> int:
    """For a unit whose map is drawn by areas, count every metric's figures of the default
    period now and keep them for the map pages and the dashboard's small map (the
    dashboards' job calls it); how many figures were counted (0: the map draws grids)."""
    if not area_cache_seconds() or not (
        unit.kind in ABOVE_COUNTY and more_grids_than(unit, max_grids())
    ):
        return 0
    moment = now or timezone.now()
    children, _fingerprint = _children(unit)
    period = period_of(DEFAULT_PERIOD, today=timezone.localdate(moment))
    for metric in METRICS.values():
        _store_child_values(unit, children, metric, period if metric.periodic else None, moment)
    return len(METRICS)


def describer(metric: MapMetric) -> Callable[[AreaValue], str]:
    """``describe`` for many grids: the words translated once, not once per grid."""
    none = _("No data")
    label = str(metric.label)
    if metric.unit == "%":
        template = _("%(label)s %(value)s%% (%(hits)s %(numerator)s of %(total)s %(denominator)s)")
        hits, total = str(metric.numerator_label), str(metric.denominator_label)

        def rate(item: AreaValue) -> str:
            if item.value is None:
                return none
            value = f"{item.value.normalize():f}"
            if item.numerator is None or item.denominator is None:
                return f"{label} {value}%"
            return template % {
                "label": label,
                "value": value,
                "hits": hits,
                "numerator": item.numerator,
                "total": total,
                "denominator": item.denominator,
            }

        return rate
    template = _("%(label)s: %(count)s events")

    def count(item: AreaValue) -> str:
        if item.value is None:
            return none
        return template % {"label": label, "count": int(item.value)}

    return count


def describe(metric: MapMetric, item: AreaValue) -> str:
    """The figure in words, for a grid's title and the table (no personal data)."""
    return describer(metric)(item)


def url_maker(name: str) -> Callable[[str | int], str]:
    """``reverse(name, args=[x])`` for many ``x`` at the price of one ``reverse``."""
    marker = "00000000"
    pattern = reverse(name, args=[marker])
    head, tail = pattern.rsplit(marker, 1)
    return lambda arg: f"{head}{quote(str(arg), safe='')}{tail}"


# --- event points ------------------------------------------------------------------------


def event_points(user: User, unit: Unit) -> tuple[list[Point], bool]:
    """The viewer's visible open events placed under ``unit`` with a position, soonest
    deadline first, at most ``MAX_POINTS``; and whether more were left out."""
    rows = list(
        Event.objects.visible_to(user)
        .open()
        .filter(placed_in(unit), lat__isnull=False, lon__isnull=False)
        .order_by(*BY_DEADLINE)
        .values_list("pk", "number", "lon", "lat", "status", "category__name")[: MAX_POINTS + 1]
    )
    capped = len(rows) > MAX_POINTS
    event_url = url_maker("events:detail")
    statuses = {str(s): str(s.label) for s in EventStatus}
    points: list[Point] = []
    for pk, number, lon, lat, status, category in rows[:MAX_POINTS]:
        label = f"{number or ''} {category} · {statuses.get(status, status)}".strip()
        points.append((lon, lat, label, event_url(pk)))
    return points, capped


# --- the map as a whole ------------------------------------------------------------------


@dataclass
class LegendRow:
    swatch: SafeString
    label: str
    count: int


@dataclass
class UnitMap:
    unit: Unit
    metric: MapMetric
    period: Period | None
    values: list[AreaValue]
    classification: Classification
    gmap: GridMap | None
    svg: SafeString
    legend: list[LegendRow]
    points_capped: bool
    point_count: int
    #: Drawn by the areas one level down (the unit has more than ``max_grids()`` grids).
    by_area: bool = False
    #: The most grids a map draws one by one (``max_grids()``).
    grid_limit: int = MAX_GRIDS
    #: Each area's link: a grid's dashboard, or an area's own map with the same choices.
    link: Callable[[str], str] = str
    #: When the figures of a map drawn by areas were counted (None: just now).
    as_of: dt.datetime | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The table: one row per area with its class (None: no data) and its range."""
        legend = self.classification.legend
        classes = self.classification.classes
        link = self.link
        suffix = self.metric.unit
        return [
            {
                "area": item.area,
                "value": item.value,
                "numerator": item.numerator,
                "denominator": item.denominator,
                "klass": (klass := classes.get(item.area.code)),
                "range": "" if klass is None else legend[klass].label + suffix,
                "url": link(item.area.code),
            }
            for item in self.values
        ]


def grid_url(code: str) -> str:
    """The dashboard of grid ``code``."""
    return reverse("dashboards:unit", args=[code])


def _title(unit: Unit, metric: MapMetric, period: Period | None) -> str:
    if period is None:
        return f"{unit.name} · {metric.label}"
    return f"{unit.name} · {metric.label} · {PERIODS[period.label]}"


def _area_link(metric: MapMetric, period: Period | None) -> Callable[[str], str]:
    """An area's own map page with the same metric (and period)."""
    page = url_maker("dashboards:map")
    query = f"?metric={metric.key}" + (f"&period={period.label}" if period else "")
    return lambda code: page(code) + query


def build_unit_map(
    unit: Unit,
    *,
    user: User,
    metric: MapMetric,
    period: Period | None,
    points: bool = True,
    width: float = PAGE_WIDTH,
    max_height: float = PAGE_MAX_HEIGHT,
    id_prefix: str = "gmap",
    legend_in_svg: bool = False,
) -> UnitMap:
    """Everything a map of ``unit`` shows: a handful of queries whatever the grid count.
    A unit with more than ``max_grids()`` grids is drawn by its areas one level down
    (no event points), each linking to its own map."""
    period = period if metric.periodic else None
    limit = max_grids()
    grids: list[Grid] = []
    fingerprint = ""
    if unit.kind in ABOVE_COUNTY:  # likely many: a look at the grid after the limit
        by_area = more_grids_than(unit, limit)
    else:  # the grid list itself, one more than the limit
        grids, fingerprint = _grids(unit, limit=limit + 1)
        by_area = len(grids) > limit
    if not by_area and not fingerprint:
        grids, fingerprint = _grids(unit)
    values: list[AreaValue]
    as_of: dt.datetime | None = None
    if by_area:
        children, fingerprint = _children(unit)
        areas = [a for a, _, _ in children]
        gmap = grid_map(unit, areas, fingerprint, width=width, max_height=max_height)
        values, as_of = cached_child_values(unit, children, metric, period)
        link = _area_link(metric, period)
    else:
        gmap = grid_map(unit, grids, fingerprint, width=width, max_height=max_height)
        values = grid_values(unit, grids, metric, period)
        link = url_maker("dashboards:unit")
    classification = classify(
        {v.area.code: v.value for v in values},
        higher_is_better=metric.higher_is_better,
        method="quantile" if metric.periodic else "counts",
    )
    drawn: list[Point] = []
    capped = False
    if points and gmap is not None and not by_area:
        drawn, capped = event_points(user, unit)
    svg = ""
    words = describer(metric)
    if gmap is not None:
        svg = render_map(
            gmap,
            classification,
            title=_title(unit, metric, period),
            link=link,
            details={v.area.code: words(v) for v in values},
            no_data_label=_("No data"),
            points=drawn,
            id_prefix=id_prefix,
            legend=legend_in_svg,
            stroke_width=0.6 if len(values) > 100 else 1.0,
        )
    legend = [
        LegendRow(
            mark_safe(swatch(classification, entry.index, id_prefix=id_prefix)),  # noqa: S308
            entry.label + (metric.unit if metric.unit else ""),
            entry.count,
        )
        for entry in classification.legend
    ]
    if classification.no_data:
        legend.append(
            LegendRow(
                mark_safe(swatch(classification, None, id_prefix=id_prefix)),  # noqa: S308
                _("No data"),
                classification.no_data,
            )
        )
    return UnitMap(
        unit=unit,
        metric=metric,
        period=period,
        values=values,
        classification=classification,
        gmap=gmap,
        svg=mark_safe(svg),  # noqa: S308 - render_map escapes every text it draws
        legend=legend,
        points_capped=capped,
        point_count=len(drawn),
        by_area=by_area,
        grid_limit=limit,
        link=link,
        as_of=as_of,
    )


def embedded_map(unit: Unit, *, user: User, metric: str = "open") -> SafeString:
    """The unit's small map for its dashboard: coloured by ``metric`` (``open``,
    ``overdue``, ``on_time``, ``satisfaction``; an unknown one falls back to ``open``),
    over the last 12 months for the rates, legend inside the SVG, no event points, each
    grid linking to its dashboard — or, for a unit with more than ``max_grids()`` grids,
    its areas one level down each linking to its map — and a link to the full map page.
    Empty when the viewer may not see the unit; a short note when nothing has a polygon."""
    if not can(user, "org.view_unit", unit):
        return mark_safe("")
    chosen = METRICS.get(metric) or METRICS[DEFAULT_METRIC]
    data = build_unit_map(
        unit,
        user=user,
        metric=chosen,
        period=period_of(DEFAULT_PERIOD),
        points=False,
        width=EMBED_WIDTH,
        max_height=EMBED_MAX_HEIGHT,
        id_prefix=f"emap-{unit.code}",
        legend_in_svg=True,
    )
    html = render_to_string(
        "dashboards/map_embedded.html",
        {
            "map": data,
            "map_url": reverse("dashboards:map", args=[unit.code]) + f"?metric={chosen.key}",
        },
    )
    return mark_safe(html)  # noqa: S308 - a rendered template (autoescaped)
