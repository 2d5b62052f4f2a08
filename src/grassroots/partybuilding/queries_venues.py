"""Named reads of the venues pages, each filtered by the viewer's scope: the venues with the
list's filters, one venue with its inspections, the checklist in use by category, and the
coverage of the villages (达标 / not meeting / under construction / none)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.queries import subtree_q
from grassroots.partybuilding.models import (
    ChecklistItem,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Venue,
)
from grassroots.partybuilding.permissions import VIEW
from grassroots.partybuilding.states import ChecklistCategory, VenueStatus

#: The list's "meets the standard" filter.
MEETS_CHOICES: Final = (
    ("yes", _("Meets the standard")),
    ("no", _("Inspected, not meeting")),
    ("never", _("Never inspected")),
)


def venues_for(user: Any, action: str | None = None) -> QuerySet[Venue]:
    """The venues ``user`` sees (or holds ``action`` over), with their village and
    township."""
    return (
        Venue.objects.visible_to(user, action)
        .select_related("unit", "unit__parent")
        .defer("unit__geometry", "unit__parent__geometry")
    )


def units_for(user: Any, action: str = VIEW) -> list[Unit]:
    """The townships and villages under which ``user`` holds ``action`` (the filters' and
    the map's choices), in tree order."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(active=True, kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        .defer("geometry")
        .order_by("path")
    )


def villages_for(user: Any, action: str = VIEW) -> list[Unit]:
    """The villages and communities under which ``user`` holds ``action``."""
    return [u for u in units_for(user, action) if u.kind in VILLAGE_LEVEL]


def filtered(venues: QuerySet[Venue], data: Mapping[str, Any]) -> QuerySet[Venue]:
    """``venues`` narrowed by the list's filters: ``kind``, ``status``, ``meets`` (yes /
    no / never), ``unit`` (a Unit: it and below) and ``q`` (name, address, village)."""
    if data.get("kind"):
        venues = venues.filter(kind=data["kind"])
    if data.get("status"):
        venues = venues.filter(status=data["status"])
    meets = data.get("meets")
    if meets == "yes":
        venues = venues.filter(meets_standard=True)
    elif meets == "no":
        venues = venues.filter(meets_standard=False, last_inspected_on__isnull=False)
    elif meets == "never":
        venues = venues.filter(last_inspected_on__isnull=True)
    unit = data.get("unit")
    if isinstance(unit, Unit):
        venues = venues.filter(subtree_q("unit_path", unit.path))
    text = (data.get("q") or "").strip()
    if text:
        venues = venues.filter(
            Q(name__icontains=text) | Q(address__icontains=text) | Q(unit__name__icontains=text)
        )
    return venues


def visible_venue(user: Any, pk: int) -> Venue | None:
    found: Venue | None = venues_for(user).filter(pk=pk).first()
    return found


def inspections_of(venue: Venue) -> list[Inspection]:
    """The venue's inspections, latest by date first, each with its items (in the order
    of the standard) and photos: three queries."""
    return list(
        Inspection.objects.filter(venue=venue)
        .select_related("inspector")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=InspectionItem.objects.select_related("item").order_by(
                    "item__order", "item__pk"
                ),
            ),
            Prefetch("photos", queryset=InspectionPhoto.objects.order_by("pk")),
        )
        .order_by("-inspected_on", "-pk")
    )


def visible_photo(user: Any, pk: int) -> InspectionPhoto | None:
    """An inspection photo of a venue ``user`` sees."""
    found: InspectionPhoto | None = (
        InspectionPhoto.objects.filter(pk=pk, inspection__venue__in=Venue.objects.visible_to(user))
        .only("pk", "sha256", "content_type", "original_name", "size")
        .first()
    )
    return found


@dataclass(frozen=True)
class CategoryItems:
    category: str
    label: str
    items: list[ChecklistItem]


def checklist_by_category(*, active_only: bool = True) -> list[CategoryItems]:
    """The items of the standard grouped by category (in the categories' order), each
    group in the standard's order."""
    items = ChecklistItem.objects.order_by("order", "pk")
    if active_only:
        items = items.filter(active=True)
    groups: dict[str, list[ChecklistItem]] = defaultdict(list)
    for item in items:
        groups[item.category].append(item)
    return [
        CategoryItems(value, str(label), groups[value])
        for value, label in ChecklistCategory.choices
        if groups.get(value)
    ]


# --- coverage -----------------------------------------------------------------------------


class Coverage:
    """A village's state on the coverage map, best first."""

    MEETS = "meets"  # an in-use venue whose latest inspection meets the standard
    NOT_MEETING = "not_meeting"  # an in-use venue, none meeting the standard
    BUILDING = "building"  # no venue in use, one under construction
    NONE = "none"  # no venue in use or under construction (planned or closed at most)

    ORDER: Final = (MEETS, NOT_MEETING, BUILDING, NONE)
    LABELS: Final = {
        MEETS: _("Meets the standard"),
        NOT_MEETING: _("Has a venue not meeting the standard"),
        BUILDING: _("Venue under construction"),
        NONE: _("No venue"),
    }


@dataclass
class VillageCoverage:
    unit: Unit
    state: str = Coverage.NONE
    venues: int = 0
    names: list[str] = field(default_factory=list)
    #: The venue list of the village (set by the page).
    link: str = ""

    @property
    def label(self) -> str:
        return str(Coverage.LABELS[self.state])


def state_of(statuses: list[tuple[str, bool]]) -> str:
    """A village's coverage state from its venues' ``(status, meets_standard)``."""
    in_use = [meets for status, meets in statuses if status == VenueStatus.IN_USE]
    if any(in_use):
        return Coverage.MEETS
    if in_use:
        return Coverage.NOT_MEETING
    if any(status == VenueStatus.BUILDING for status, _meets in statuses):
        return Coverage.BUILDING
    return Coverage.NONE


def coverage(user: Any, within: Unit | None) -> list[VillageCoverage]:
    """Every active village and community ``user`` sees (below ``within`` when given),
    with its coverage state: two queries."""
    villages = Unit.objects.visible_to(user, VIEW).filter(active=True, kind__in=VILLAGE_LEVEL)
    venues = Venue.objects.visible_to(user)
    if within is not None:
        villages = villages.filter(subtree_q("path", within.path))
        venues = venues.filter(subtree_q("unit_path", within.path))
    rows = {
        u.pk: VillageCoverage(u)
        for u in villages.select_related("parent").defer("parent__geometry").order_by("path")
    }
    statuses: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for unit_id, name, status, meets in venues.order_by("name").values_list(
        "unit_id", "name", "status", "meets_standard"
    ):
        statuses[unit_id].append((status, meets))
        row = rows.get(unit_id)
        if row is not None:
            row.venues += 1
            row.names.append(name)
    for unit_id, row in rows.items():
        row.state = state_of(statuses.get(unit_id, []))
    return list(rows.values())


def coverage_counts(rows: list[VillageCoverage]) -> list[tuple[str, str, int]]:
    """``(state, label, villages)`` for each state, best first."""
    counts = dict.fromkeys(Coverage.ORDER, 0)
    for row in rows:
        counts[row.state] += 1
    return [(s, str(Coverage.LABELS[s]), counts[s]) for s in Coverage.ORDER]
