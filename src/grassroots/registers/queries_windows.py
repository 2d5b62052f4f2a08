"""Named reads of the 邛海天窗 register: the parcels a viewer may see, the units they may
pick, the programme table of an area and the parcels' map.

Scope comes from ``Window.objects.visible_to`` (``registers.view``) and
``Unit.objects.visible_to``; nothing here filters scope by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any, Final

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from grassroots.common.gridmap import GridMap, build_grid_map
from grassroots.org.models import Unit, UnitKind
from grassroots.org.queries import subtree_q
from grassroots.registers import programme as pg
from grassroots.registers.models import Window
from grassroots.registers.permissions import VIEW
from grassroots.registers.queries import policies_for
from grassroots.registers.states import WindowStatus

#: Units listed in a unit picker at most.
UNITS_SHOWN: Final = 2000
#: Grids drawn under a map's parcels at most (more: the units one level down instead).
MAP_GRIDS: Final = 2000
#: Parcels drawn on a map at most.
MAP_PARCELS: Final = 2000
#: The side (degrees) of the little square that places a parcel known by a point only.
POINT_BOX: Final = 0.0004
MAP_WIDTH: Final = 600.0
MAP_MAX_HEIGHT: Final = 560.0

#: The colour of each status on the map, and its pattern in black and white.
STATUS_COLOURS: Final = {
    WindowStatus.PLANNED: "#b3261e",
    WindowStatus.UNDERWAY: "#c77c02",
    WindowStatus.RESTORED: "#2e6b30",
}


def units_for(user: Any, action: str = VIEW) -> list[Unit]:
    """The active units that may hold records (no grids or departments) in the subtrees
    where ``user`` holds ``action``, in path order: a unit picker's choices."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(active=True)
        .exclude(kind__in=[UnitKind.GRID, UnitKind.DEPARTMENT])
        .defer("geometry")
        .order_by("path")[:UNITS_SHOWN]
    )


def home_unit(user: Any, units: list[Unit]) -> Unit | None:
    """The viewer's own area: the highest of ``units`` (the first in path order)."""
    if not units:
        return None
    top = min(u.depth for u in units)
    return next(u for u in units if u.depth == top)


def windows_visible_to(user: Any) -> QuerySet[Window]:
    return Window.objects.visible_to(user).select_related("unit")


def within(windows: QuerySet[Window], unit: Unit | None) -> QuerySet[Window]:
    """The parcels of ``unit`` and the units below it (all of them for ``None``)."""
    return windows if unit is None else windows.filter(subtree_q("unit__path", unit.path))


def filtered(
    windows: QuerySet[Window], data: dict[str, Any], unit: Unit | None
) -> QuerySet[Window]:
    """The list's filters: ``q`` (code or name), the unit and below, ``status``,
    ``plan_year``."""
    windows = within(windows, unit)
    if text := (data.get("q") or "").strip():
        windows = windows.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if status := data.get("status"):
        windows = windows.filter(status=status)
    if year := data.get("plan_year"):
        windows = windows.filter(plan_year=year)
    return windows


def visible_window(user: Any, pk: int) -> Window | None:
    """The parcel ``pk`` if the viewer may see it."""
    window: Window | None = windows_visible_to(user).filter(pk=pk).first()
    return window


# --- the programme --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeView:
    """The programme of an area: its years, the table, the totals and the progress
    against the straight line by the end of today (each parcel credited with at most its
    planned area, as ``registers.window_progress`` counts it)."""

    programme: pg.Programme
    lines: list[pg.YearLine]
    total_area: Decimal
    restored: Decimal
    parcels: int
    today: dt.date
    progress: pg.Progress

    @property
    def current(self) -> pg.YearLine | None:
        return next((line for line in self.lines if line.year == self.today.year), None)

    @property
    def restored_percent(self) -> Decimal | None:
        return pg.ratio_percent(self.restored, self.total_area)

    @property
    def behind(self) -> bool:
        """Some parcel is behind its straight line."""
        return self.progress.credited < self.progress.planned


def programme_view(windows: QuerySet[Window], unit: Unit, today: dt.date) -> ProgrammeView:
    """The programme table of the parcels ``windows`` (already scoped and filtered to
    ``unit``'s subtree) on the straight line of ``unit``'s policy; the progress credits
    each parcel on the line of its own unit's policy, as ``registers.window_progress``
    does. One query for the parcels' figures, one for the policies."""
    rows = list(
        windows.order_by().values_list(
            "unit_id", "unit__path", "plan_year", "area", "restored_area", "restored_on"
        )
    )
    places = {unit.pk: unit} | {r[0]: Unit(pk=r[0], path=r[1]) for r in rows}
    programmes = {
        pk: pg.Programme(p.window_first_year, p.window_last_year)
        for pk, p in policies_for(places.values()).items()
    }
    programme = programmes[unit.pk]
    scheduled: dict[int, Decimal] = {}
    in_full: dict[int, Decimal] = {}
    parcels: list[pg.Parcel] = []
    total = restored = Decimal(0)
    for unit_id, _path, plan_year, area, done, done_on in rows:
        scheduled[plan_year] = scheduled.get(plan_year, Decimal(0)) + area
        if done_on is not None:
            in_full[done_on.year] = in_full.get(done_on.year, Decimal(0)) + area
        total += area
        restored += done
        parcels.append(pg.Parcel(area, done, programmes[unit_id]))
    lines = pg.year_lines(
        programme,
        total,
        scheduled_by_year=scheduled,
        restored_in_full_by_year=in_full,
        restored_now=restored,
        today=today,
    )
    progress = pg.progress_on(parcels, today + dt.timedelta(days=1))
    return ProgrammeView(programme, lines, total, restored, len(parcels), today, progress)


# --- the map ---------------------------------------------------------------------------


def _point_square(lon: float, lat: float) -> dict[str, Any]:
    h = POINT_BOX / 2
    ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass(frozen=True)
class ParcelMap:
    svg: str
    drawn: int
    not_placed: list[Window]


def _background(unit: Unit) -> list[tuple[str, str, Any]]:
    """The areas drawn under the parcels: the grids below ``unit`` (at most
    ``MAP_GRIDS``), else the units one level down, else the unit itself."""
    grids = list(
        Unit.objects.within(unit)
        .filter(kind=UnitKind.GRID, active=True, geometry__isnull=False)
        .order_by("path")
        .values_list("code", "name", "geometry")[: MAP_GRIDS + 1]
    )
    if grids and len(grids) <= MAP_GRIDS:
        return [(f"g:{c}", n, g) for c, n, g in grids]
    children = list(
        Unit.objects.filter(parent=unit, active=True, geometry__isnull=False)
        .exclude(kind=UnitKind.DEPARTMENT)
        .order_by("path")
        .values_list("code", "name", "geometry")
    )
    if children:
        return [(f"g:{c}", n, g) for c, n, g in children]
    if unit.geometry:
        return [(f"g:{unit.code}", unit.name, unit.geometry)]
    return []


def parcel_map(unit: Unit, windows: list[Window], link: Any) -> ParcelMap:
    """The parcels on a map of ``unit``'s area: its grids (or the units below it) in grey,
    each parcel's boundary — or a dot where only its point is known — coloured by status
    (and dashed, dotted or solid, so that the status reads in black and white too).
    ``link(window)`` is each parcel's page. A parcel with neither boundary nor point is
    listed as not placed."""
    shapes: list[tuple[str, str, Any]] = _background(unit)
    placed: dict[str, Window] = {}
    not_placed: list[Window] = []
    for window in windows[:MAP_PARCELS]:
        key = f"w:{window.pk}"
        if window.geometry:
            shapes.append((key, window.name, window.geometry))
        elif window.lat is not None and window.lon is not None:
            shapes.append((key, window.name, _point_square(window.lon, window.lat)))
        else:
            not_placed.append(window)
            continue
        placed[key] = window
    gmap = build_grid_map(shapes, width=MAP_WIDTH, max_height=MAP_MAX_HEIGHT) if placed else None
    if gmap is None:
        return ParcelMap("", 0, not_placed)
    return ParcelMap(_draw(gmap, placed, link, unit), len(placed), not_placed)


_DASH: Final = {
    WindowStatus.PLANNED: ' stroke-dasharray="4 2"',
    WindowStatus.UNDERWAY: ' stroke-dasharray="1 1.5"',
    WindowStatus.RESTORED: "",
}


def _draw(gmap: GridMap, placed: dict[str, Window], link: Any, unit: Unit) -> str:
    title = _("天窗 parcels of %(unit)s") % {"unit": unit.name}
    desc = _(
        "Parcels coloured by status: red dashed planned, amber dotted underway, green solid "
        "restored; grey areas are the grids."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{gmap.view_box}" width="100%" '
        f'role="group" aria-labelledby="wmap-title wmap-desc" class="window-map" '
        f'font-family="sans-serif" font-size="11">',
        f'<title id="wmap-title">{escape(title)}</title>',
        f'<desc id="wmap-desc">{escape(desc)}</desc>',
        '<g class="areas" fill="#eeeeee" stroke="#999999" stroke-width="0.6">',
    ]
    for shape in gmap.shapes:
        if shape.code.startswith("g:"):
            out.append(f'<path d="{escape(shape.d)}"><title>{escape(shape.name)}</title></path>')
    out.append('</g><g class="parcels">')
    for shape in gmap.shapes:
        window = placed.get(shape.code)
        if window is None:
            continue
        colour = STATUS_COLOURS.get(WindowStatus(window.status), "#333333")
        tip = f"{window.code} {window.name} · {window.get_status_display()}"
        if window.geometry:
            mark = (
                f'<path d="{escape(shape.d)}" fill="{colour}" fill-opacity="0.45" '
                f'stroke="{colour}" stroke-width="1.6"{_DASH[WindowStatus(window.status)]} '
                f'data-status="{window.status}"/>'
            )
        else:
            x, y = shape.label_x, shape.label_y
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            mark = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="#ffffff" '
                f'stroke-width="1.2" data-status="{window.status}"/>'
            )
        out.append(f'<a href="{escape(link(window))}"><title>{escape(tip)}</title>{mark}</a>')
    out.append("</g></svg>")
    return "".join(out)
