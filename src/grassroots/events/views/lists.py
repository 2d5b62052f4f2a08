"""The dispatcher queue of a unit and the searchable event list.

Both are scoped with ``visible_to``, paginated by 50 and read only the columns a row shows
(units carry a large GeoJSON geometry that must never ride along a list). The queue reads
by the indexed columns (assignee / dispatcher, status, resolve_by) and sorts by deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.common.http import user_of
from grassroots.events.forms import EventFilterForm
from grassroots.events.models import Category, Event
from grassroots.events.queries import BY_DEADLINE as BY_DEADLINE  # the mobile list sorts so too
from grassroots.events.queries import EventQuerySet
from grassroots.events.states import (
    DISPATCH_QUEUE,
    HANDLING,
    OPEN_STATUSES,
    EventStatus,
)
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind, User
from grassroots.org.permissions import can, require, role_may
from grassroots.org.queries import active_grants, subtree_q

PAGE_SIZE = 50
#: The columns a list row shows; everything else (descriptions, geometries) stays behind.
ROW_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "source",
    "reported_at",
    "resolve_by",
    "escalation_level",
    "category__name",
    "grid__name",
    "village__name",
    "assignee__name",
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    statuses: frozenset[EventStatus]


TABS: tuple[Tab, ...] = (
    Tab("new", _("New"), DISPATCH_QUEUE),
    Tab("due_today", _("Due today"), OPEN_STATUSES),
    Tab("overdue", _("Overdue"), OPEN_STATUSES),
    Tab("verify", _("Awaiting verification"), frozenset({EventStatus.RESOLVED})),
    Tab("in_progress", _("In progress"), HANDLING),
)
TAB_KEYS = {t.key: t for t in TABS}


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start of ``day`` and of the next day, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def area_q(unit: Unit) -> Q:
    """Events placed in ``unit``'s area, by the indexed column of its level (no filter at
    all for the only root: every event is in its area)."""
    if unit.kind in TOWNSHIP_LEVEL:
        return Q(township=unit)
    if unit.kind in VILLAGE_LEVEL:
        return Q(village=unit)
    if unit.kind == UnitKind.GRID:
        return Q(grid=unit)
    if unit.is_whole_tree:
        return Q()
    # a department has no area: what was sent to it (or below it)
    return subtree_q("area_path", unit.path) | subtree_q("assignee_path", unit.path)


def tab_events(
    events: EventQuerySet, unit: Unit, tab: str, now: dt.datetime, *, below: bool = False
) -> EventQuerySet:
    """The events of one queue tab of ``unit``.

    For the unit itself (the default):

    - new: waiting for this unit to accept or dispatch (reported, returned, escalated);
    - due today / overdue: open, held by this unit or dispatched by it;
    - verify: resolved, this unit dispatched it and checks the result;
    - in progress: being handled, by this unit or by the one it dispatched to.

    With ``below``, the same statuses for every event placed in the unit's area (a
    township sees its villages' queues at once), whoever holds it.
    """
    mine = area_q(unit) if below else Q(assignee=unit) | Q(dispatcher=unit)
    if tab == "new":
        if below:
            return events.awaiting_dispatch().filter(mine)
        return events.awaiting_dispatch().assigned_to(unit)
    if tab == "due_today":
        start, end = local_day_bounds(timezone.localdate(now))
        return events.due_between(max(start, now), end).filter(mine)
    if tab == "overdue":
        return events.overdue(now).filter(mine)
    if tab == "verify":
        if below:
            return events.awaiting_verification().filter(mine)
        return events.awaiting_verification().filter(dispatcher=unit)
    return events.filter(status__in=HANDLING).filter(mine)


def apply_filters(
    events: EventQuerySet, data: dict[str, Any], grids: dict[str, int]
) -> EventQuerySet:
    """Narrow a list by the parsed filter form (category with its sub-categories, …)."""
    if category := data.get("category"):
        ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
        events = events.filter(category_id__in=ids)
    if (code := data.get("grid")) and code in grids:
        events = events.filter(grid_id=grids[code])
    if source := data.get("source"):
        events = events.filter(source=source)
    if status := data.get("status"):
        events = events.filter(status=status)
    if start := data.get("date_from"):
        events = events.filter(reported_at__gte=local_day_bounds(start)[0])
    if end := data.get("date_to"):
        events = events.filter(reported_at__lt=local_day_bounds(end)[1])
    if text := (data.get("q") or "").strip():
        events = events.filter(Q(number__startswith=text.upper()) | Q(title__icontains=text))
    return events


def queue_units(user: User) -> list[Unit]:
    """The units whose queue the user works: where a role lets them dispatch or handle."""
    ids = [
        g.unit_id
        for g in active_grants(user)
        if role_may(g.role, "events.dispatch") or role_may(g.role, "events.handle")
    ]
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids).defer("geometry")}
    seen: list[Unit] = []
    for unit_id in ids:  # grants come in path order
        unit = by_id.get(unit_id)
        if unit is not None and unit not in seen:
            seen.append(unit)
    return seen


def works_in(user: User, unit: Unit) -> bool:
    """Whether the user sees ``unit``'s events and dispatches or handles there."""
    return can(user, "events.view", unit) and (
        can(user, "events.dispatch", unit) or can(user, "events.handle", unit)
    )


def unit_events(user: User, unit: Unit) -> EventQuerySet:
    """The events a queue of ``unit`` may list: the scope of a queue is its unit.

    Every tab selects by the unit's own indexed id columns — held by it (assignee), sent
    out by it (dispatcher, which verifies), or placed in its area (the township, village
    or grid column of its level) — and the unit is in the user's scope (:func:`works_in`,
    checked here again). So the rows are the unit's business and visible to the user
    without the path-prefix scans of ``visible_to``, which at city scale cost more than
    the whole queue (PostgreSQL ANDs a bitmap of every event below the unit).
    """
    if not works_in(user, unit):
        raise Http404
    queryset: EventQuerySet = Event.objects.all()
    return queryset


def _default_unit(user: User, units: list[Unit]) -> Unit | None:
    for unit in units:
        if can(user, "events.dispatch", unit):
            return unit
    if units:
        return units[0]
    if user.is_superuser:
        return Unit.objects.filter(parent=None).defer("geometry").order_by("path").first()
    return None


def _querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def _rows(events: EventQuerySet) -> EventQuerySet:
    return events.select_related("category", "grid", "village", "assignee").only(*ROW_FIELDS)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """待受理 / 今日到期 / 已超期 / 待核查 / 处置中 of one unit, soonest deadline first."""
    user = user_of(request)
    units = queue_units(user)
    code = request.GET.get("unit", "")
    if code:
        unit = Unit.objects.filter(code=code).defer("geometry").first()
        if unit is None or not works_in(user, unit):
            raise Http404
    else:
        found = _default_unit(user, units)
        if found is None:
            require(user, "events.view")
            return HttpResponseRedirect(reverse("events:list"))
        unit = found
    tab = TAB_KEYS.get(request.GET.get("tab", ""), TABS[0])
    now = timezone.now()
    grids = {
        c: (pk, name)
        for pk, c, name in Unit.objects.filter(kind=UnitKind.GRID, path__startswith=unit.path + ".")
        .order_by("path")
        .values_list("pk", "code", "name")[:500]
    }
    form = EventFilterForm(
        request.GET or None,
        grids=[(c, name) for c, (_pk, name) in grids.items()],
        statuses=tab.statuses,
    )
    data = form.valid_data()
    below = request.GET.get("below") == "1"
    base = unit_events(user, unit)
    counts = {t.key: tab_events(base, unit, t.key, now, below=below).count() for t in TABS}
    events = apply_filters(
        tab_events(base, unit, tab.key, now, below=below),
        data,
        {c: pk for c, (pk, _n) in grids.items()},
    )
    events = _rows(events).order_by(*BY_DEADLINE)
    paginator = Paginator(events, PAGE_SIZE)
    if not data:
        # Unfiltered, the list is the tab just counted: no second COUNT.
        paginator.__dict__["count"] = counts[tab.key]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "events/queue.html",
        {
            "unit": unit,
            "units": units if unit in units else [*units, unit],
            "tabs": [(t, counts[t.key]) for t in TABS],
            "tab": tab,
            "form": form,
            "page": page,
            "now": now,
            "querystring": _querystring(request),
            "tab_querystring": _querystring(request, "tab", "status", "unit", "below"),
            "keep": [("unit", unit.code), ("tab", tab.key), *([("below", "1")] if below else [])],
            "below": below,
        },
    )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Every event the user may see, newest first; search by number or title."""
    user = user_of(request)
    require(user, "events.view")
    form = EventFilterForm(request.GET or None)
    data = form.valid_data()
    events = apply_filters(Event.objects.visible_to(user), data, {})
    events = _rows(events).order_by("-reported_at", "-id")
    paginator = Paginator(events, PAGE_SIZE)
    if not data:
        # Unfiltered, the total is the user's whole scope: counted from the indexes.
        paginator.__dict__["count"] = Event.objects.visible_count(user)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "page": page,
            "now": timezone.now(),
            "querystring": _querystring(request),
            "can_report": can(user, "events.report"),
        },
    )
