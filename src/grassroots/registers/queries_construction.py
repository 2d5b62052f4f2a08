"""Named reads of the illegal construction (乱修滥建) and disorderly relocation (无序搬迁)
register: the cases a person may see and how the list narrows them, the units a person
may open a case in, a case's photos and history, the counts of the zero line, and the
违法建设 events that open cases (the only read of the events app's table here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import Http404

from grassroots.audit.models import AuditEntry
from grassroots.events.models import Event
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind, User, is_within
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths, subtree_q
from grassroots.registers.models import CasePhoto, ConstructionCase
from grassroots.registers.permissions import MANAGE, REPORT, VIEW
from grassroots.registers.states import OPEN_CONSTRUCTION, ConstructionStatus

#: Event categories of 违法建设 (the category and its children) open a case …
CATEGORY_PREFIX: Final = "WFJS"
#: … except 一户多宅 (WFJS04), which the 一户一宅 check of the homesteads deals with: it is
#: not a building put up since the baseline, and must not count as one.
NOT_A_CONSTRUCTION_CATEGORY: Final = frozenset({"WFJS04"})
#: The 无序搬迁 category: its cases are relocations, the others buildings.
RELOCATION_CATEGORY: Final = "WFJS05"
#: Kinds of units a case may belong to.
CASE_UNIT_KINDS: Final = frozenset({*VILLAGE_LEVEL, *TOWNSHIP_LEVEL})
#: The largest primary key a URL may name (beyond it the database would overflow).
MAX_PK: Final = 2**63 - 1
#: Units offered in a unit select at most.
UNIT_LIMIT: Final = 3000
#: The audit object type of a case.
OBJECT_TYPE: Final = "registers.constructioncase"


def opens_case(category_code: str) -> bool:
    """Whether an event of this category opens a construction case."""
    return category_code.startswith(CATEGORY_PREFIX) and not any(
        category_code.startswith(code) for code in NOT_A_CONSTRUCTION_CATEGORY
    )


# --- events --------------------------------------------------------------------------------


def _construction_events() -> QuerySet[Event]:
    excluded = Q()
    for code in NOT_A_CONSTRUCTION_CATEGORY:
        excluded |= Q(category__code__startswith=code)
    return Event.objects.filter(category__code__startswith=CATEGORY_PREFIX).exclude(excluded)


def event_for_case(event_id: int) -> Event | None:
    """The 违法建设 event ``event_id`` with its category and places (None when there is
    no such event, or it is of another category)."""
    found: Event | None = (
        _construction_events()
        .select_related("category", "village", "township", "grid")
        .defer("village__geometry", "township__geometry", "grid__geometry")
        .filter(pk=event_id)
        .first()
    )
    return found


def events_without_case(since: dt.datetime) -> list[int]:
    """Ids of the 违法建设 events reported since ``since`` that no case was opened from and
    that lie in a village or township (one placed only at the city needs a person), oldest
    first."""
    return list(
        _construction_events()
        .filter(reported_at__gte=since, construction_case__isnull=True)
        .filter(Q(village__isnull=False) | Q(township__isnull=False))
        .order_by("reported_at", "pk")
        .values_list("pk", flat=True)
    )


# --- cases ---------------------------------------------------------------------------------


def cases_visible_to(user: User) -> QuerySet[ConstructionCase]:
    """The cases ``user`` may see (``registers.view`` over their unit or grid), units and
    grid joined (a case's scope paths are read for every row of a list)."""
    return (
        ConstructionCase.objects.visible_to(user)
        .select_related("unit", "unit__parent", "grid")
        .defer("unit__geometry", "unit__parent__geometry", "grid__geometry")
    )


def valid_pk(pk: int) -> int:
    """``pk`` if a database can hold it, else 404."""
    if not 0 < pk <= MAX_PK:
        raise Http404
    return pk


def visible_case(user: User, pk: int) -> ConstructionCase:
    """The case ``pk`` if ``user`` may see it; 404 otherwise (whether or not it exists)."""
    case: ConstructionCase | None = (
        cases_visible_to(user).select_related("event").filter(pk=valid_pk(pk)).first()
    )
    if case is None:
        raise Http404
    return case


def open_q() -> Q:
    """Cases still being dealt with (found or stopped)."""
    return Q(status__in=OPEN_CONSTRUCTION)


def overdue_q(today: dt.date) -> Q:
    """Open cases past their deadline."""
    return open_q() & Q(due_on__lt=today)


def is_overdue(case: ConstructionCase, today: dt.date) -> bool:
    return case.status in OPEN_CONSTRUCTION and case.due_on < today


#: The list's status filter: a status, or one of these groups.
OPEN: Final = "open"
CLOSED: Final = "closed"


def filtered_cases(
    cases: QuerySet[ConstructionCase], data: dict[str, Any], today: dt.date
) -> QuerySet[ConstructionCase]:
    """``cases`` narrowed by the list's filters (``forms_construction.FilterForm``'s valid
    values): ``q`` number or address, ``kind``, ``status`` (a status, ``open`` or
    ``closed``), ``new_only`` (new since the baseline, not dismissed), ``overdue``,
    ``unit`` (a code: that unit and below), ``found_from``/``found_to``; newest found
    first."""
    if text := (data.get("q") or "").strip():
        cases = cases.filter(Q(number__icontains=text) | Q(address__icontains=text))
    if kind := data.get("kind"):
        cases = cases.filter(kind=kind)
    status = data.get("status")
    if status == OPEN:
        cases = cases.filter(open_q())
    elif status == CLOSED:
        cases = cases.exclude(open_q())
    elif status:
        cases = cases.filter(status=status)
    if data.get("new_only"):
        # a new case as the zero line and the metrics count it: a report found not to be
        # a case (dismissed) is none
        cases = cases.filter(is_new=True).exclude(status=ConstructionStatus.DISMISSED)
    if data.get("overdue"):
        cases = cases.filter(overdue_q(today))
    if isinstance(unit := data.get("unit"), Unit):
        cases = cases.filter(subtree_q("unit__path", unit.path))
    if first := data.get("found_from"):
        cases = cases.filter(found_on__gte=first)
    if last := data.get("found_to"):
        cases = cases.filter(found_on__lte=last)
    return cases.order_by("-found_on", "-pk")


def case_photos(case: ConstructionCase) -> dict[str, list[CasePhoto]]:
    """The case's photos by stage (``before``, ``after``), oldest first."""
    found: dict[str, list[CasePhoto]] = {"before": [], "after": []}
    for photo in CasePhoto.objects.filter(case=case).order_by("stage", "pk"):
        found.setdefault(photo.stage, []).append(photo)
    return found


def visible_photo(user: User, pk: int) -> CasePhoto:
    """The photo ``pk`` if ``user`` may see its case; 404 otherwise."""
    photo: CasePhoto | None = (
        CasePhoto.objects.filter(
            pk=valid_pk(pk), case__in=ConstructionCase.objects.visible_to(user).values("pk")
        )
        .select_related("case")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def history(case: ConstructionCase) -> list[AuditEntry]:
    """The audit entries of the case, oldest first (who opened, moved, corrected it)."""
    return list(
        AuditEntry.objects.for_object(OBJECT_TYPE, str(case.pk)).order_by("created_at", "pk")
    )


def sees_party(user: User, case: ConstructionCase) -> bool:
    """Whether ``user`` sees the party's name in full (``registers.manage`` over the case);
    the phone is masked for everyone."""
    return can(user, MANAGE, case)


# --- units ---------------------------------------------------------------------------------


def _case_units() -> QuerySet[Unit]:
    return Unit.objects.filter(active=True, kind__in=CASE_UNIT_KINDS).defer("geometry")


def filter_units(user: User) -> list[Unit]:
    """The villages and townships whose cases ``user`` may see, in path order (the
    list's unit filter)."""
    return list(
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind__in=CASE_UNIT_KINDS)
        .defer("geometry")
        .order_by("path")[:UNIT_LIMIT]
    )


def reporting_grid_paths(user: User) -> set[str]:
    """Paths where ``user`` holds ``registers.report`` (a grid worker: their grids)."""
    return grant_paths(user, REPORT)


def may_open_in(user: User, unit: Unit, *, inspection: bool) -> bool:
    """Whether ``user`` may open a case of ``unit``: an inspection case with
    ``registers.manage`` over it; a patrol case also with ``registers.report`` over it or
    over a unit below it (a grid worker reports for the village of their grid)."""
    if can(user, MANAGE, unit):
        return True
    if inspection:
        return False
    return can(user, REPORT, unit) or any(
        is_within(path, unit.path) for path in reporting_grid_paths(user)
    )


def reporting_grid_in(user: User, unit: Unit) -> Unit | None:
    """The grid under ``unit`` where ``user`` reports (a grid worker's own), when there is
    exactly one: a case they open is placed there too, so that they keep seeing it."""
    paths = [p for p in reporting_grid_paths(user) if is_within(p, unit.path) and p != unit.path]
    if len(paths) != 1:
        return None
    return Unit.objects.filter(path=paths[0], kind=UnitKind.GRID).first()


def units_to_open(user: User) -> list[Unit]:
    """The villages and townships where ``user`` may open a case (with ``manage``, or with
    ``report`` over them or over one of their grids), in path order."""
    paths = grant_paths(user, MANAGE) | reporting_grid_paths(user)
    if not paths:
        return []
    inside = Q()
    above: set[str] = set()
    for path in paths:
        inside |= subtree_q("path", path)
        parts = path.split(".")
        above.update(".".join(parts[: i + 1]) for i in range(len(parts) - 1))
    return list(
        _case_units()
        .filter(inside | Q(path__in=above))
        .order_by("path")[:UNIT_LIMIT]
        .select_related("parent")
        .defer("parent__geometry")
    )


def case_unit(unit_id: int) -> Unit | None:
    """The active village or township ``unit_id`` (None when it is not one)."""
    found: Unit | None = _case_units().filter(pk=unit_id).first()
    return found


# --- the zero line -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZeroRows:
    """The rows of the zero line: the units (townships, or one township's villages and the
    township itself) and, when drilled into, the township; ``labels`` names a row other
    than by its unit's name (``pk`` → label)."""

    units: list[Unit]
    township: Unit | None
    labels: dict[int, str] = field(default_factory=dict)


def zero_townships(user: User) -> list[Unit]:
    """The townships whose cases ``user`` may see (all of their villages)."""
    return list(
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind__in=TOWNSHIP_LEVEL)
        .defer("geometry")
        .order_by("path")
    )


def zero_rows(user: User, township_code: str = "") -> ZeroRows:
    """The zero line's rows for ``user``: every township they see; the villages of one
    township (and the township itself, for its own cases) when ``township_code`` names
    one they see or when they see only one; else the villages they see."""
    townships = zero_townships(user)
    chosen = next((t for t in townships if t.code == township_code), None)
    if chosen is None and len(townships) == 1:
        chosen = townships[0]
    if chosen is not None:
        villages = list(
            Unit.objects.filter(parent=chosen, active=True, kind__in=VILLAGE_LEVEL)
            .defer("geometry")
            .order_by("path")
        )
        return ZeroRows([*villages, chosen], chosen)
    if townships:
        return ZeroRows(townships, None)
    villages = list(
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind__in=VILLAGE_LEVEL)
        .defer("geometry")
        .order_by("path")[:UNIT_LIMIT]
    )
    if villages:
        return ZeroRows(villages, None)
    return _grid_rows(user)


def _grid_rows(user: User) -> ZeroRows:
    """A grid worker's rows: the village of each of their grids, named after the grids —
    they see the cases found on their grids only."""
    grids = list(
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind=UnitKind.GRID)
        .select_related("parent")
        .defer("geometry", "parent__geometry")
        .order_by("path")[:UNIT_LIMIT]
    )
    villages: dict[int, Unit] = {}
    names: dict[int, list[str]] = {}
    for grid in grids:
        if grid.parent is not None and grid.parent.kind in VILLAGE_LEVEL:
            villages.setdefault(grid.parent.pk, grid.parent)
            names.setdefault(grid.parent.pk, []).append(grid.name)
    return ZeroRows(
        list(villages.values()), None, {pk: "、".join(found) for pk, found in names.items()}
    )


def _new_cases(user: User, kind: str, within: Unit | None) -> QuerySet[ConstructionCase]:
    cases = ConstructionCase.objects.visible_to(user).filter(is_new=True)
    cases = cases.exclude(status=ConstructionStatus.DISMISSED)
    if kind:
        cases = cases.filter(kind=kind)
    if within is not None:
        cases = cases.filter(subtree_q("unit__path", within.path))
    return cases


def new_case_counts(
    user: User, year: int, kind: str = "", within: Unit | None = None
) -> list[tuple[str, int, int]]:
    """``(unit path, month, n)``: the new cases (not dismissed) ``user`` sees, found in
    ``year``, by unit and month found. One query."""
    rows = (
        _new_cases(user, kind, within)
        .filter(found_on__year=year)
        .annotate(month=ExtractMonth("found_on"))
        .values("unit__path", "month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit__path", "month", "n")
    )
    return [(path, int(month), int(n)) for path, month, n in rows]


def new_cases_since_baseline(
    user: User, through: dt.date, kind: str = "", within: Unit | None = None
) -> list[tuple[str, int]]:
    """``(unit path, n)``: every new case (not dismissed) ``user`` sees found up to
    ``through``, by unit. One query."""
    rows = (
        _new_cases(user, kind, within)
        .filter(found_on__lte=through)
        .values("unit__path")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit__path", "n")
    )
    return [(path, int(n)) for path, n in rows]


def paths_of(units: Iterable[Unit]) -> list[str]:
    return [u.path for u in units]
