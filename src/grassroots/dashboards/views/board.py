"""The dashboards per level: a unit's numbers of today, its 12 months, its weekly "one
thing", its supervision tasks at risk, its latest assessment, its grid map and the units
below it — each a link to the records.

Scope: a unit is shown to people who may open dashboards over it (``dashboards.view``),
else 404; each panel asks its own module's permission again. ``/dashboard/`` shows the
viewer's own highest unit (the city for a superuser), or lets them choose when they hold
roles in several places.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grassroots.common.http import user_of
from grassroots.dashboards import figures, panels, snapshot
from grassroots.dashboards.caching import BoardCache
from grassroots.dashboards.permissions import VIEW
from grassroots.events.views.lists import TAB_KEYS, works_in
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind, User
from grassroots.org.permissions import can, require, role_may
from grassroots.org.queries import SEP, active_grants


def top_units(user: User) -> list[Unit]:
    """The highest units the user may open a dashboard of (none below another), in path
    order; for a superuser, the root of the tree."""
    if user.is_superuser:
        root = (
            Unit.objects.active()
            .filter(parent=None, kind__in=figures.AREA_KINDS)
            .defer("geometry")
            .order_by("path")
            .first()
        )
        return [root] if root is not None else []
    paths: list[tuple[str, int]] = sorted(
        (g.path, g.unit_id) for g in active_grants(user) if role_may(g.role, VIEW)
    )
    kept: list[tuple[str, int]] = []
    for path, unit_id in paths:
        if not any(path == k or path.startswith(k + SEP) for k, _id in kept):
            kept.append((path, unit_id))
    units = Unit.objects.active().filter(pk__in=[i for _p, i in kept], kind__in=figures.AREA_KINDS)
    return list(units.defer("geometry").order_by("path"))


def level_name(unit: Unit) -> str:
    """``city``, ``township``, ``village`` or ``grid`` (the template's switch)."""
    if unit.kind in TOWNSHIP_LEVEL:
        return "township"
    if unit.kind in VILLAGE_LEVEL:
        return "village"
    if unit.kind == UnitKind.GRID:
        return "grid"
    return "city"


def embedded_map(unit: Unit, user: User) -> SafeString | None:
    """The maps module's small map of the unit, when that module is there."""
    try:
        from grassroots.dashboards import maps
    except ImportError:
        return None
    draw = getattr(maps, "embedded_map", None)
    if draw is None:
        return None
    result: SafeString = draw(unit, user=user)
    return result


def queue_link(user: User, unit: Unit, tab: str) -> str:
    """Where a number of today leads: the unit's queue tab with the units below, or, for
    someone who does not work the queue (a supervisor), the event list."""
    if works_in(user, unit):
        return f"{reverse('events:queue')}?unit={unit.code}&tab={tab}&below=1"
    return reverse("events:list")


def board_context(user: User, unit: Unit, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard of ``unit`` shows (a fixed number of queries)."""
    now = now or timezone.now()
    level = level_name(unit)
    cached = BoardCache(unit, now)
    shown = snapshot.board_figures(unit, now, cached)
    children, mine, theirs, weekly = shown.children, shown.mine, shown.theirs, shown.weekly
    today_date = timezone.localdate(now)
    ancestors = [
        a
        for a in Unit.objects.filter(code__in=unit.ancestor_codes()).defer("geometry")
        if can(user, VIEW, a)
    ]
    ancestors.sort(key=lambda a: a.depth)
    start = timezone.localdate(now).isoformat()
    tiles = [
        (
            "reported_today",
            _("Reported today"),
            mine.reported_today,
            f"{reverse('events:list')}?date_from={start}",
        ),
        *[
            (tab, TAB_KEYS[tab].label, getattr(mine, tab), queue_link(user, unit, tab))
            for tab in figures.TODAY_TABS
        ],
    ]
    rows = [
        {
            "unit": child,
            "today": theirs[child.pk],
            "weekly": weekly.by_child.get(child.pk) if weekly else None,
            "streak": weekly.streaks.get(child.pk) if weekly else None,
        }
        for child in children
    ]
    return {
        "unit": unit,
        "level": level,
        "ancestors": ancestors,
        "today": mine,
        "tiles": tiles,
        "now": now,
        # When the figures were counted ahead (a unit above township level), else None.
        "counted_at": shown.at if shown.ahead else None,
        "trends": shown.trends,
        "weekly": weekly,
        "weekly_url": reverse("events:weekly", args=[unit.code]),
        "tasks": panels.tasks_at_risk(user, unit, today_date),
        "assessment": panels.assessment(user, unit),
        "children": rows,
        "overdue_events": shown.overdue,
        "open_events": figures.open_events(unit, now) if level == "grid" else [],
        # The viewer's own map (it shows the events they may see), kept like the figures.
        "map": cached.get(f"map:{user.pk}", lambda: embedded_map(unit, user)),
        "map_url": reverse("dashboards:map", args=[unit.code]),
    }


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The viewer's own dashboard: their highest unit, or a choice among several."""
    user = user_of(request)
    units = top_units(user)
    if not units:
        require(user, VIEW)  # 403 for someone with no dashboard anywhere
        raise Http404
    if len(units) > 1:
        return render(request, "dashboards/chooser.html", {"units": units})
    return render(request, "dashboards/board.html", board_context(user, units[0]))


@login_required
@require_safe
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """The dashboard of one unit in the viewer's scope (else 404)."""
    user = user_of(request)
    found = (
        Unit.objects.active()
        .filter(code=code, kind__in=figures.AREA_KINDS)
        .defer("geometry")
        .first()
    )
    if found is None or not can(user, VIEW, found):
        raise Http404
    return render(request, "dashboards/board.html", board_context(user, found))
