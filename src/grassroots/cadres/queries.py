"""Named reads of the cadres app, each scoped to what the viewer may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from grassroots.cadres.models import (
    Cadre,
    Grade,
    KeyPost,
    Policy,
    ReserveEntry,
    Tempering,
    TrainingRecord,
)
from grassroots.cadres.shape import Person, Progress, Ratio, reserve_ratio
from grassroots.cadres.states import CadreStatus, ReserveStatus, TrainingResult, YearGrade
from grassroots.org.models import PATH_SEPARATOR, Unit, UnitKind
from grassroots.org.queries import subtree_q


def cadres_visible_to(user: Any) -> QuerySet[Cadre]:
    """The cadre files ``user`` may open (``cadres.view_file`` over the cadre's unit)."""
    return Cadre.objects.visible_to(user).select_related("unit")


def policy_for(unit: Unit) -> Policy:
    """The policy of the nearest unit at or above ``unit`` that has one; the defaults
    (unsaved) when none has."""
    return policies_for([unit])[unit.pk]


# --- more named reads (files, pool, development, grades) ----------------------------------

#: A select of units with more than this many options is not usable anyway.
UNIT_LIMIT = 2000


def units_for(user: Any, action: str, *, limit: int = UNIT_LIMIT) -> list[Unit]:
    """The active units (grids left out) in the subtrees where ``user`` holds ``action``,
    in path order: the choices of a unit select."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(active=True)
        .exclude(kind=UnitKind.GRID)
        .defer("geometry")
        .order_by("path")[:limit]
    )


def policies_for(units: Iterable[Unit]) -> dict[int, Policy]:
    """``{unit id: policy}`` for many units in one query (the nearest policy at or above
    each unit; the defaults, unsaved, where none is)."""
    units = list(units)
    wanted: set[str] = set()
    for unit in units:
        parts = unit.path.split(PATH_SEPARATOR)
        wanted.update(PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts)))
    found = {
        p.unit.path: p
        for p in Policy.objects.filter(unit__path__in=sorted(wanted)).select_related("unit")
    }
    result: dict[int, Policy] = {}
    for unit in units:
        parts = unit.path.split(PATH_SEPARATOR)
        nearest = next(
            (
                found[path]
                for path in (PATH_SEPARATOR.join(parts[:i]) for i in range(len(parts), 0, -1))
                if path in found
            ),
            None,
        )
        result[unit.pk] = nearest or Policy(unit=unit)
    return result


def reserve_entries_visible_to(user: Any) -> QuerySet[ReserveEntry]:
    """Reserve entries of the units (nominating unit) where ``user`` may see files."""
    return ReserveEntry.objects.visible_to(user).select_related("cadre", "unit")


def key_posts_visible_to(user: Any) -> QuerySet[KeyPost]:
    return KeyPost.objects.visible_to(user).select_related("unit", "holder")


def temperings_visible_to(user: Any) -> QuerySet[Tempering]:
    """Tempering assignments of the cadres whose files ``user`` may see."""
    return Tempering.objects.visible_to(user).select_related("cadre", "unit")


def training_hours(cadre_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Hours counted towards ``year`` per cadre (courses that ended in it; failed courses
    left out), one grouped query. Cadres without any are absent."""
    rows = (
        TrainingRecord.objects.filter(cadre_id__in=list(cadre_ids), ended_on__year=year)
        .exclude(result=TrainingResult.FAILED)
        .order_by()
        .values("cadre_id")
        .annotate(total=Sum("hours"))
    )
    return {r["cadre_id"]: Decimal(r["total"] or 0) for r in rows}


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A cadre short of the yearly training hours."""

    cadre: Cadre
    progress: Progress


def short_of_hours(cadres: QuerySet[Cadre], year: int) -> list[Shortfall]:
    """The active ``cadres`` whose counted hours in ``year`` are below their unit's
    ``yearly_training_hours``, fewest hours done (in percent) first. Three queries."""
    hours_of = (
        TrainingRecord.objects.filter(cadre_id=OuterRef("pk"), ended_on__year=year)
        .exclude(result=TrainingResult.FAILED)
        .order_by()
        .values("cadre_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    rows = list(
        cadres.filter(status=CadreStatus.ACTIVE)
        .select_related("unit")
        .annotate(hours_done=Coalesce(Subquery(hours_of), Value(Decimal(0))))
    )
    policies = policies_for({c.unit_id: c.unit for c in rows}.values())
    found = []
    for cadre in rows:
        progress = Progress(
            year,
            Decimal(cadre.hours_done),
            Decimal(policies[cadre.unit_id].yearly_training_hours),
        )
        if progress.short:
            found.append(Shortfall(cadre, progress))
    found.sort(key=lambda s: (s.progress.percent, s.cadre.unit.path, s.cadre.name, s.cadre.pk))
    return found


@dataclass(frozen=True, slots=True)
class UnitRatio:
    """A unit with key posts, and its reserves in the pool against the ratio."""

    unit: Unit
    ratio: Ratio


def reserve_ratios(user: Any, *, within: Unit | None = None) -> list[UnitRatio]:
    """For each unit with key posts that ``user`` may see (below ``within`` when given):
    key posts, reserves in the pool nominated by that unit, and the reserves required by
    its policy's ratio. Units that fall short first. Three queries."""
    posts = key_posts_visible_to(user)
    if within is not None:
        posts = posts.filter(subtree_q("unit__path", within.path))
    counts = {
        r["unit_id"]: r["n"] for r in posts.order_by().values("unit_id").annotate(n=Count("id"))
    }
    if not counts:
        return []
    reserves = {
        r["unit_id"]: r["n"]
        for r in ReserveEntry.objects.filter(unit_id__in=list(counts), status=ReserveStatus.IN_POOL)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"))
    }
    units = list(Unit.objects.filter(pk__in=list(counts)).defer("geometry"))
    policies = policies_for(units)
    rows = [
        UnitRatio(
            unit,
            reserve_ratio(
                counts[unit.pk], reserves.get(unit.pk, 0), policies[unit.pk].reserve_ratio
            ),
        )
        for unit in units
    ]
    rows.sort(key=lambda r: (not r.ratio.short, r.unit.path))
    return rows


def pool_people(entries: QuerySet[ReserveEntry]) -> dict[int, list[Person]]:
    """``{nominating unit id: [Person, …]}`` of ``entries`` (one query), for ``pool_shape``."""
    grouped: dict[int, list[Person]] = {}
    for row in entries.order_by().values(
        "unit_id",
        "cadre__birth_date",
        "cadre__gender",
        "cadre__education",
        "cadre__ethnicity",
        "cadre__grassroots_since",
    ):
        grouped.setdefault(row["unit_id"], []).append(
            Person(
                row["cadre__birth_date"],
                row["cadre__gender"],
                row["cadre__education"],
                row["cadre__ethnicity"],
                row["cadre__grassroots_since"],
            )
        )
    return grouped


def excellent_count(unit: Unit, year: int, *, excluding_cadre: int | None = None) -> int:
    """How many Excellent grades ``unit`` gave for ``year``."""
    qs = Grade.objects.filter(unit=unit, year=year, grade=YearGrade.EXCELLENT)
    if excluding_cadre is not None:
        qs = qs.exclude(cadre_id=excluding_cadre)
    return qs.count()


def active_cadres_of(unit: Unit) -> int:
    """Active cadres whose unit is ``unit`` itself (the base of its grade quota)."""
    return Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE).count()
