"""Named reads of the homestead register and its 一户一宅 cases, scoped to the viewer
(``visible_to``): ``registers.view`` over the record's village, or over the grid of the
household that holds the parcel (a grid worker sees the parcels of their grid's
households, names masked).

Holder names (the household head's, from the residents register) are shown in full only
to those who manage the village's register (``registers.manage``); ``names_for`` says,
per village path, whether the viewer does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from grassroots.audit.models import AuditEntry
from grassroots.common.masking import mask_name
from grassroots.org.models import VILLAGE_LEVEL, Unit, is_within
from grassroots.org.queries import grant_paths, subtree_q
from grassroots.registers.models import Homestead, HomesteadCase
from grassroots.registers.permissions import MANAGE, VIEW
from grassroots.registers.queries import policies_for
from grassroots.residents.models import Resident
from grassroots.residents.states import Relationship

#: Villages offered in a picker at most.
UNIT_LIMIT: Final = 3000
#: Entries of a record's history shown at most.
HISTORY_LIMIT: Final = 100


def villages_for(user: Any, action: str = VIEW) -> QuerySet[Unit]:
    """The active villages and communities where ``user`` holds ``action``, by path."""
    return (
        Unit.objects.visible_to(user, action)
        .filter(active=True, kind__in=VILLAGE_LEVEL)
        .defer("geometry")
        .order_by("path")
    )


def names_for(user: Any) -> Callable[[str], bool]:
    """``full(unit_path)``: whether ``user`` sees holder names in full in that village
    (``registers.manage`` over it); masked otherwise."""
    if user.is_superuser:
        return lambda path: True
    paths = grant_paths(user, MANAGE)
    return lambda path: any(is_within(path, p) for p in paths)


def shown_name(name: str | None, full: bool) -> str:
    """A holder's name as the viewer may see it."""
    if not name:
        return ""
    return name if full else mask_name(name)


def _head_name() -> Subquery:
    return Subquery(
        Resident.objects.filter(
            household_id=OuterRef("household_id"), relationship=Relationship.HEAD
        )
        .order_by("pk")
        .values("name")[:1]
    )


def head_names(household_ids: Iterable[int]) -> dict[int, str]:
    """The head's name of each household (the first head recorded). One query."""
    names: dict[int, str] = {}
    for household_id, name in (
        Resident.objects.filter(
            household_id__in=sorted(set(household_ids)), relationship=Relationship.HEAD
        )
        .order_by("household_id", "pk")
        .values_list("household_id", "name")
    ):
        names.setdefault(household_id, name)
    return names


# --- homesteads ------------------------------------------------------------------------------


def homesteads_visible_to(user: Any) -> QuerySet[Homestead]:
    """The parcels ``user`` may see, with their village and household, and ``holder``:
    the household head's name (to be masked as ``names_for`` says)."""
    return cast(
        "QuerySet[Homestead]",
        Homestead.objects.visible_to(user)
        .select_related("unit", "household")
        .defer("unit__geometry")
        .annotate(holder=_head_name()),
    )


def visible_homestead(user: Any, pk: int) -> Homestead:
    """The parcel ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(homesteads_visible_to(user), pk=pk)


def multiple_households() -> QuerySet[Homestead]:
    """The households holding more than one active parcel (``household_id`` values)."""
    return cast(
        "QuerySet[Homestead]",
        Homestead.objects.filter(active=True)
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("household_id"),
    )


def area_limits(villages: Iterable[Unit]) -> dict[int, Decimal]:
    """The area standard of each village (``pk`` → m²) by its policy. One query."""
    return {pk: Decimal(p.homestead_area_limit) for pk, p in policies_for(villages).items()}


def oversize_q(limits: Mapping[int, Decimal]) -> Q:
    """Parcels above their village's area standard (``limits`` from ``area_limits``)."""
    by_limit: dict[Decimal, list[int]] = {}
    for village_id, limit in limits.items():
        by_limit.setdefault(limit, []).append(village_id)
    q = Q(pk__in=[])
    for limit, ids in by_limit.items():
        q |= Q(unit_id__in=ids, area__gt=limit)
    return q


def filter_homesteads(
    homesteads: QuerySet[Homestead],
    data: Mapping[str, Any],
    villages: list[Unit],
    *,
    may_search_names: bool,
) -> QuerySet[Homestead]:
    """The list's filters (``forms_homesteads.HomesteadFilterForm``'s valid values):
    ``village`` (a code among ``villages``), ``q`` (parcel number, 户号, or — for those
    who see names — the holder's name), ``oversize``, ``multiple``, ``retired``
    (include parcels no longer held)."""
    if not data.get("retired"):
        homesteads = homesteads.filter(active=True)
    code = data.get("village")
    chosen = [v for v in villages if v.code == code] if code else villages
    if code:
        homesteads = homesteads.filter(unit__in=chosen)
    if text := (data.get("q") or "").strip():
        q = Q(parcel_number__icontains=text) | Q(household__number__icontains=text)
        if may_search_names:
            q |= Q(
                Exists(
                    Resident.objects.filter(
                        household_id=OuterRef("household_id"),
                        relationship=Relationship.HEAD,
                        name__icontains=text,
                    )
                )
            )
        homesteads = homesteads.filter(q)
    if data.get("oversize"):
        held = homesteads.filter(active=True)
        places = Unit.objects.filter(pk__in=held.order_by().values("unit_id").distinct()).only(
            "pk", "path"
        )
        homesteads = held.filter(oversize_q(area_limits(places)))
    if data.get("multiple"):
        homesteads = homesteads.filter(household_id__in=multiple_households(), active=True)
    return homesteads


def household_parcels(user: Any, homestead: Homestead) -> list[Homestead]:
    """The household's other parcels that ``user`` may see (held ones first)."""
    return list(
        Homestead.objects.visible_to(user)
        .filter(household_id=homestead.household_id)
        .exclude(pk=homestead.pk)
        .select_related("unit")
        .defer("unit__geometry")
        .order_by("-active", "parcel_number")
    )


def history(obj: Homestead | HomesteadCase) -> QuerySet[AuditEntry]:
    """The audit entries of ``obj``, newest first (the page shows them to whoever sees
    the record)."""
    label: str = obj._meta.label_lower
    entries: QuerySet[AuditEntry] = AuditEntry.objects.for_object(label, str(obj.pk))
    return entries.order_by("-created_at", "-pk")


# --- cases -----------------------------------------------------------------------------------


def cases_visible_to(user: Any) -> QuerySet[HomesteadCase]:
    """The 一户一宅 cases ``user`` may see, with village, household, parcel and ``holder``."""
    return cast(
        "QuerySet[HomesteadCase]",
        HomesteadCase.objects.visible_to(user)
        .select_related("unit", "household", "homestead")
        .defer("unit__geometry", "homestead__geometry")
        .annotate(holder=_head_name()),
    )


def visible_case(user: Any, pk: int) -> HomesteadCase:
    """The case ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(cases_visible_to(user), pk=pk)


OPEN: Final = ("open", "rectifying")


def filter_cases(
    cases: QuerySet[HomesteadCase], data: Mapping[str, Any], today: dt.date
) -> QuerySet[HomesteadCase]:
    """The case list's filters (``CaseFilterForm``'s valid values): ``kind``, ``status``
    (``open`` = found or being rectified), ``overdue`` (open and past its date),
    ``village`` (a code), ``q`` (户号 or parcel number)."""
    if kind := data.get("kind"):
        cases = cases.filter(kind=kind)
    status = data.get("status")
    if status == "open_any":
        cases = cases.filter(status__in=OPEN)
    elif status:
        cases = cases.filter(status=status)
    if data.get("overdue"):
        cases = cases.filter(status__in=OPEN, due_on__lt=today)
    if code := data.get("village"):
        cases = cases.filter(unit__code=code)
    if text := (data.get("q") or "").strip():
        cases = cases.filter(
            Q(household__number__icontains=text) | Q(homestead__parcel_number__icontains=text)
        )
    return cases


def household_cases(user: Any, homestead: Homestead) -> list[HomesteadCase]:
    """The cases of the parcel's household (multiple) or of the parcel itself, newest
    first."""
    return list(
        HomesteadCase.objects.visible_to(user)
        .filter(Q(household_id=homestead.household_id) | Q(homestead_id=homestead.pk))
        .select_related("homestead")
        .defer("homestead__geometry")
        .order_by("-found_on", "-pk")
    )


def within(unit: Unit) -> Q:
    """Records of ``unit``'s subtree."""
    return subtree_q("unit__path", unit.path)
