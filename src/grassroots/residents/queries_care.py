"""Named reads of care (重点人群) and visits (走访), always in the viewer's scope
(``KeyPerson.objects.visible_to``: the grid's workers and the units above it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from grassroots.org.models import VILLAGE_LEVEL, Unit, UnitKind, User
from grassroots.org.queries import subtree_q
from grassroots.residents.models import KeyGroup, KeyPerson, Visit, VisitPhoto
from grassroots.residents.permissions import VIEW, VISIT

#: Above this many villages the summary leaves out those with nothing overdue.
SUMMARY_ALL_MAX = 200
#: The unit filters offer the grids too when the viewer sees at most this many.
GRIDS_IN_FILTER = 60

OPEN = Q(ended_on__isnull=True)


def people_in_care(user: User, action: str = VIEW) -> QuerySet[KeyPerson]:
    """The care the user may see (open and ended), with what a list shows."""
    qs: QuerySet[KeyPerson] = KeyPerson.objects.visible_to(user, action).select_related(
        "resident", "group", "grid", "grid__parent"
    )
    return qs


@dataclass(frozen=True, slots=True)
class CareFilter:
    """The filters of the care list (empty values: not applied)."""

    q: str = ""
    group: str = ""
    #: A unit code (township, village or grid): that unit and below.
    unit: str = ""
    overdue: bool = False
    #: "open" (default), "ended" or "all".
    state: str = "open"


def filtered(qs: QuerySet[KeyPerson], f: CareFilter, today: dt.date) -> QuerySet[KeyPerson]:
    """``qs`` narrowed by the filters (the name search is on the resident's name)."""
    if f.state == "open":
        qs = qs.filter(OPEN)
    elif f.state == "ended":
        qs = qs.filter(ended_on__isnull=False)
    if f.group:
        qs = qs.filter(group__code=f.group)
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).only("path").first()
        qs = qs.filter(subtree_q("grid__path", unit.path)) if unit else qs.none()
    if f.overdue:
        qs = qs.filter(OPEN, due_on__lt=today)
    if text := f.q.strip():
        qs = qs.filter(resident__name__icontains=text)
    return qs


def find_care(user: User, pk: int, action: str = VIEW) -> KeyPerson | None:
    """One person in care the user may see (``None``: absent or out of scope)."""
    return (
        people_in_care(user, action)
        .select_related("resident__household", "grid__parent__parent")
        .filter(pk=pk)
        .first()
    )


def visit_history(kp: KeyPerson) -> QuerySet[Visit]:
    """A person's visits, newest first, with visitor, event and photos."""
    return (
        Visit.objects.filter(key_person=kp)
        .select_related("visitor", "event")
        .prefetch_related(Prefetch("photos", queryset=VisitPhoto.objects.order_by("pk")))
        .order_by("-visited_on", "-pk")
    )


def my_people(user: User) -> QuerySet[KeyPerson]:
    """The open care in the grids where the user visits, the soonest due first (so the
    overdue ones come first)."""
    return (
        people_in_care(user, VISIT)
        .filter(OPEN)
        .select_related("resident__household")
        .order_by("due_on", "pk")
    )


def visible_photo(user: User, pk: int) -> VisitPhoto | None:
    """A visit photo whose person in care the user may see."""
    return (
        VisitPhoto.objects.filter(
            pk=pk, visit__key_person__in=KeyPerson.objects.visible_to(user).values("pk")
        )
        .only("pk", "sha256", "content_type")
        .first()
    )


def groups_in_use() -> QuerySet[KeyGroup]:
    """Every key group with the number of people in open care (the settings page)."""
    return KeyGroup.objects.annotate(
        in_care=Count("people", filter=Q(people__ended_on__isnull=True))
    ).order_by("order", "code")


# --- the overdue summary ---------------------------------------------------------------------


@dataclass
class Row:
    """A unit's line of the summary: people in open care, how many are overdue, and the
    oldest due date among those."""

    unit: Unit
    in_care: int = 0
    overdue: int = 0
    oldest_due: dt.date | None = None
    grids: list[Row] = field(default_factory=list)

    def add(self, in_care: int, overdue: int, oldest: dt.date | None) -> None:
        self.in_care += in_care
        self.overdue += overdue
        if oldest is not None and (self.oldest_due is None or oldest < self.oldest_due):
            self.oldest_due = oldest


@dataclass
class Summary:
    villages: list[Row]
    total_in_care: int
    total_overdue: int
    #: Villages with nothing overdue were left out (too many to list).
    trimmed: bool = False


def overdue_summary(
    user: User, today: dt.date, *, within: Unit | None = None, group: str = ""
) -> Summary:
    """Open care and overdue visits per village and per grid in the viewer's scope
    (optionally under ``within`` and for one group): every village the viewer sees
    (with its township), each with its grids that have someone in care. Three queries,
    whatever the number of units."""
    care = KeyPerson.objects.visible_to(user).filter(OPEN)
    villages = Unit.objects.visible_to(user, VIEW).filter(kind__in=VILLAGE_LEVEL, active=True)
    if within is not None:
        care = care.filter(subtree_q("grid__path", within.path))
        villages = villages.filter(subtree_q("path", within.path))
    if group:
        care = care.filter(group__code=group)
    per_grid = list(
        care.values("grid_id")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(due_on__lt=today)),
            oldest=Min("due_on", filter=Q(due_on__lt=today)),
        )
        .order_by()
        .values_list("grid_id", "n", "late", "oldest")
    )
    grids = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=[g for g, *_ in per_grid]).select_related(
            "parent", "parent__parent"
        )
    }
    rows: dict[int, Row] = {
        v.pk: Row(v) for v in villages.select_related("parent").order_by("path")
    }
    for grid_id, n, late, oldest in per_grid:
        grid = grids[grid_id]
        village = grid.parent if grid.kind == UnitKind.GRID and grid.parent else grid
        row = rows.get(village.pk)
        if row is None:  # a grid worker sees their grid, not its village: add the village
            row = rows[village.pk] = Row(village)
        line = Row(grid)
        line.add(n, late, oldest)
        row.grids.append(line)
        row.add(n, late, oldest)
    ordered = sorted(rows.values(), key=lambda r: r.unit.path)
    for row in ordered:
        row.grids.sort(key=lambda r: r.unit.path)
    trimmed = len(ordered) > SUMMARY_ALL_MAX
    if trimmed:
        ordered = [r for r in ordered if r.overdue]
    return Summary(
        villages=ordered,
        total_in_care=sum(r.in_care for r in rows.values()),
        total_overdue=sum(r.overdue for r in rows.values()),
        trimmed=trimmed,
    )


def overdue_people(user: User, today: dt.date) -> QuerySet[KeyPerson]:
    """The open care whose visit is overdue, most overdue first."""
    return people_in_care(user).filter(OPEN, due_on__lt=today).order_by("due_on", "pk")


def scope_units(user: User) -> list[Unit]:
    """The townships and villages the user sees, for the unit filters, and the grids too
    when there are few of them (a grid worker's own)."""
    kinds = [UnitKind.TOWNSHIP, UnitKind.STREET, *VILLAGE_LEVEL]
    visible = (
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True)
        .only("pk", "code", "name", "kind", "path")
    )
    units = list(visible.filter(kind__in=kinds).order_by("path"))
    grids = list(visible.filter(kind=UnitKind.GRID).order_by("path")[: GRIDS_IN_FILTER + 1])
    if len(grids) <= GRIDS_IN_FILTER:
        units = sorted([*units, *grids], key=lambda u: u.path)
    return units


def open_care_of(resident_ids: list[int]) -> dict[int, list[KeyPerson]]:
    """The open care of each of these residents (resident id → care, by group order); one
    query. The caller has checked that the viewer sees the residents."""
    care: dict[int, list[KeyPerson]] = {}
    rows = (
        KeyPerson.objects.filter(resident__in=resident_ids, ended_on__isnull=True)
        .select_related("group")
        .order_by("group__order", "pk")
    )
    for kp in rows:
        care.setdefault(kp.resident_id, []).append(kp)
    return care


def care_counts(user: User, today: dt.date) -> dict[str, int]:
    """People in care and overdue visits in the viewer's scope; one query."""
    return (
        KeyPerson.objects.visible_to(user)
        .filter(OPEN)
        .aggregate(in_care=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
