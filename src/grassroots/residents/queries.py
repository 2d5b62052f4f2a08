"""Named reads of the people and places of the grids, each scoped to what the viewer may
see (``residents.view`` over the record's grid, ``visible_to``; the export reads with
``residents.import``).

* ``grids_for``: the grids (with their villages) of a viewer's scope, for the pickers and
  filters;
* ``places_for``, ``households_for``, ``residents_for``: the lists with their search and
  filters (``ListFilters``);
* ``grid_counts`` / ``total_counts``: the home page's figures per grid, in a fixed number
  of queries whatever the number of grids;
* ``history_of``: the audit entries of a household and its members.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from grassroots.audit.models import AuditEntry
from grassroots.common.crypto import digest
from grassroots.org.models import Unit, UnitKind
from grassroots.org.queries import subtree_q
from grassroots.residents.models import Household, Place, Resident
from grassroots.residents.permissions import VIEW
from grassroots.residents.states import (
    HouseholdStatus,
    PersonStatus,
    PlaceKind,
    Relationship,
    Residence,
)

#: A picker with more grids than this is not usable anyway.
GRID_LIMIT: Final = 3000
#: The audit entries a household page shows at most.
HISTORY_LIMIT: Final = 100
#: An ID number typed into a search box (searched by its blind index, exactly).
ID_QUERY: Final = re.compile(r"^[0-9]{17}[0-9Xx]$")


def grids_for(user: Any, action: str = VIEW, *, limit: int = GRID_LIMIT) -> list[Unit]:
    """The active grids where ``user`` holds ``action``, with their village, in path
    order."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(kind=UnitKind.GRID, active=True, parent__isnull=False)
        .select_related("parent")
        .defer("geometry", "parent__geometry")
        .order_by("path")[:limit]
    )


@dataclass(frozen=True, slots=True)
class ListFilters:
    """What a list is narrowed to: ``q`` the search text; ``village``/``grid`` units of
    the viewer's scope; the rest values of the states' choices ("" for any)."""

    q: str = ""
    village: Unit | None = None
    grid: Unit | None = None
    status: str = ""
    residence: str = ""
    kind: str = ""
    active: str = ""


def _within(qs: QuerySet[Any], filters: ListFilters, prefix: str = "") -> QuerySet[Any]:
    if filters.grid is not None:
        qs = qs.filter(**{f"{prefix}grid": filters.grid})
    if filters.village is not None:
        qs = qs.filter(subtree_q(f"{prefix}grid__path", filters.village.path))
    return qs


def id_query(text: str) -> str | None:
    """The ID number ``text`` is, when it looks like one (18 characters, full-width digits
    made plain), upper-cased."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    return compact.upper() if ID_QUERY.match(compact) else None


def places_for(user: Any, filters: ListFilters = ListFilters()) -> QuerySet[Place]:
    """The places ``user`` may see, searched by name or address, narrowed by village,
    grid, kind and ``active`` ("1" in use, "0" retired), with their grid and village;
    each with the number of households living there (``household_count``)."""
    places: QuerySet[Place] = _within(Place.objects.visible_to(user), filters)
    if text := filters.q.strip():
        places = places.filter(Q(name__icontains=text) | Q(address__icontains=text))
    if filters.kind:
        places = places.filter(kind=filters.kind)
    if filters.active in ("0", "1"):
        places = places.filter(active=filters.active == "1")
    count = (
        Household.objects.filter(place=OuterRef("pk"), status=HouseholdStatus.ACTIVE)
        .order_by()
        .values("place")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        places.select_related("grid", "grid__parent")
        .defer("grid__geometry", "grid__parent__geometry")
        .annotate(household_count=Coalesce(Subquery(count), 0))
        .order_by("grid__path", "kind", "name", "pk")
    )


def search_households(households: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households whose number or address holds ``text``, or with a member of that name;
    an 18-character ID number finds its holder's household exactly (by its digest)."""
    text = text.strip()
    if not text:
        return households
    number = id_query(text)
    if number is not None:
        holders = Resident.objects.filter(id_digest=digest(number)).values("household_id")
        return households.filter(pk__in=Subquery(holders))
    named = Resident.objects.filter(name__icontains=text).values("household_id")
    return households.filter(
        Q(number__icontains=text) | Q(address__icontains=text) | Q(pk__in=Subquery(named))
    )


def households_for(
    user: Any, filters: ListFilters = ListFilters(), *, action: str = VIEW
) -> QuerySet[Household]:
    """The households ``user`` may see, searched (``search_households``) and narrowed by
    village, grid, status and residence (a household with a member of that kind living
    there), with their grid, village and place; each with ``present_count`` (members
    living there) and ``head_name`` (the head living there, "" when none)."""
    households: QuerySet[Household] = _within(Household.objects.visible_to(user, action), filters)
    households = search_households(households, filters.q)
    if filters.status:
        households = households.filter(status=filters.status)
    if filters.residence:
        kind = Resident.objects.filter(
            residence=filters.residence, status=PersonStatus.PRESENT
        ).values("household_id")
        households = households.filter(pk__in=Subquery(kind))
    present = (
        Resident.objects.filter(household=OuterRef("pk"), status=PersonStatus.PRESENT)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    head = (
        Resident.objects.filter(
            household=OuterRef("pk"), relationship=Relationship.HEAD, status=PersonStatus.PRESENT
        )
        .order_by("pk")
        .values("name")[:1]
    )
    return (
        households.select_related("grid", "village", "place")
        .defer("grid__geometry", "village__geometry")
        .annotate(present_count=Coalesce(Subquery(present), 0), head_name=Subquery(head))
        .order_by("grid__path", "number", "pk")
    )


def residents_for(
    user: Any, filters: ListFilters = ListFilters(), *, action: str = VIEW
) -> QuerySet[Resident]:
    """The members of the households ``households_for`` lists (with the residence
    filter, only members of that residence), household by household."""
    households = households_for(user, filters, action=action).values("pk")
    people = Resident.objects.visible_to(user, action).filter(household__in=Subquery(households))
    if filters.residence:
        people = people.filter(residence=filters.residence)
    return people.select_related("household", "household__grid", "household__village").order_by(
        "household__grid__path", "household__number", "household_id", "pk"
    )


def members_of(household: Household) -> list[Resident]:
    """A household's members: those living there first (the head on top), then those who
    left, in the order they were entered."""
    rank = {PersonStatus.PRESENT: 0, PersonStatus.MOVED_OUT: 1, PersonStatus.DECEASED: 2}
    people = list(Resident.objects.filter(household=household).order_by("pk"))
    people.sort(
        key=lambda p: (rank.get(PersonStatus(p.status), 3), p.relationship != Relationship.HEAD)
    )
    for person in people:
        person.household = household
    return people


def history_of(household: Household, member_ids: Iterable[int]) -> list[AuditEntry]:
    """The audit entries of ``household`` and of its members, newest first (the caller
    has checked that the viewer may see the household)."""
    ids = [str(pk) for pk in member_ids]
    return list(
        AuditEntry.objects.filter(
            Q(object_type="residents.household", object_id=str(household.pk))
            | Q(object_type="residents.resident", object_id__in=ids)
        )
        .only(
            "created_at", "actor_label", "action", "object_type", "object_repr", "before", "after"
        )
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )


# --- the home page's figures ----------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    """The figures of a grid (or of several added up)."""

    places: dict[str, int] = field(default_factory=dict)
    households: int = 0
    registered: int = 0
    floating: int = 0
    moved_out: int = 0
    deceased: int = 0

    @property
    def place_total(self) -> int:
        return sum(self.places.values())

    @property
    def residents(self) -> int:
        return self.registered + self.floating

    def places_by_kind(self) -> list[tuple[str, str, int]]:
        """``(kind, label, count)`` of each kind with places, in the choices' order."""
        return [
            (k, str(label), self.places[k]) for k, label in PlaceKind.choices if k in self.places
        ]

    def add(self, other: Counts) -> None:
        for kind, n in other.places.items():
            self.places[kind] = self.places.get(kind, 0) + n
        self.households += other.households
        self.registered += other.registered
        self.floating += other.floating
        self.moved_out += other.moved_out
        self.deceased += other.deceased


def _people_figures() -> dict[str, Any]:
    """The aggregates of people living here: registered and floating."""
    present = Q(status=PersonStatus.PRESENT)
    return {
        "registered": Count("pk", filter=present & Q(residence=Residence.REGISTERED)),
        "floating": Count("pk", filter=present & Q(residence=Residence.FLOATING)),
    }


def _left_figures(year: int) -> dict[str, Any]:
    """The aggregates of people who moved out or died in ``year``."""
    return {
        "moved_out": Count("pk", filter=Q(status=PersonStatus.MOVED_OUT, moved_out_on__year=year)),
        "deceased": Count("pk", filter=Q(status=PersonStatus.DECEASED, died_on__year=year)),
    }


def _fill_people(item: Counts, row: dict[str, Any]) -> None:
    item.registered, item.floating = row["registered"] or 0, row["floating"] or 0
    item.moved_out, item.deceased = row["moved_out"] or 0, row["deceased"] or 0


def grid_counts(grid_ids: Iterable[int], year: int) -> dict[int, Counts]:
    """``{grid id: Counts}`` for the grids ``grid_ids`` (the caller's scoped list), in
    three grouped queries: active places by grid and kind, households living here by
    grid, people by grid (living here registered / floating, moved out and deceased in
    ``year``). A grid without any record has empty counts."""
    ids = sorted(set(grid_ids))
    counts = {pk: Counts() for pk in ids}
    for row in (
        Place.objects.filter(grid_id__in=ids, active=True)
        .order_by()
        .values("grid_id", "kind")
        .annotate(n=Count("pk"))
    ):
        counts[row["grid_id"]].places[row["kind"]] = row["n"]
    for row in (
        Household.objects.filter(grid_id__in=ids, status=HouseholdStatus.ACTIVE)
        .order_by()
        .values("grid_id")
        .annotate(n=Count("pk"))
    ):
        counts[row["grid_id"]].households = row["n"]
    for row in (
        Resident.objects.filter(household__grid_id__in=ids)
        .order_by()
        .values("household__grid_id")
        .annotate(**_people_figures(), **_left_figures(year))
    ):
        _fill_people(counts[row["household__grid_id"]], row)
    return counts


def total_counts(user: Any, year: int, within: Unit | None = None) -> Counts:
    """Everything ``user`` may see (below ``within`` when given) added up, in three
    queries."""
    places = Place.objects.visible_to(user).filter(active=True)
    households = Household.objects.visible_to(user).filter(status=HouseholdStatus.ACTIVE)
    residents = Resident.objects.visible_to(user)
    if within is not None:
        places = places.filter(subtree_q("grid__path", within.path))
        households = households.filter(subtree_q("grid__path", within.path))
        residents = residents.filter(subtree_q("household__grid__path", within.path))
    total = Counts()
    for row in places.order_by().values("kind").annotate(n=Count("pk")):
        total.places[row["kind"]] = row["n"]
    total.households = households.count()
    _fill_people(total, residents.aggregate(**_people_figures(), **_left_figures(year)))
    return total
