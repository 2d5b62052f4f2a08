"""What the demo event generator reads from the seeded database, and how it weighs
categories by source, place and season (see :mod:`grassroots.demo.events`)."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Any, Final

from grassroots.demo.geometry import from_geojson
from grassroots.events.importing.lookups import hours_to_microseconds
from grassroots.events.models import Category
from grassroots.org.models import Membership, Role, Unit, UnitKind

# --- places ----------------------------------------------------------------------------

#: 西昌's townships on 邛海's shore, its peri-urban townships; streets are urban.
LAKE_TOWNSHIPS: Final = frozenset({"513401007", "513401103"})
PERI_URBAN_TOWNSHIPS: Final = frozenset(
    {"513401008", "513401102", "513401101", "513401215", "513401219", "513401220"}
)
URBAN, LAKE, PERI, RURAL = "urban", "lake", "peri", "rural"

#: Weights of the parent categories: what patrols find, and what residents report.
PATROL_WEIGHTS: Final = {
    "SRHJ": 30,
    "JMZX": 15,
    "MDJF": 6,
    "AQYH": 12,
    "WFJS": 8,
    "MSFW": 4,
    "STHB": 5,
    "JCSS": 12,
    "SHZA": 3,
    "WSJK": 2,
    "QTSX": 1,
}
PUBLIC_WEIGHTS: Final = {
    "SRHJ": 14,
    "JMZX": 12,
    "MDJF": 15,
    "AQYH": 6,
    "WFJS": 5,
    "MSFW": 18,
    "STHB": 4,
    "JCSS": 16,
    "SHZA": 4,
    "WSJK": 5,
    "QTSX": 1,
}
#: place → category code (parent or leaf) → factor
PLACE_FACTORS: Final[dict[str, dict[str, float]]] = {
    URBAN: {"JMZX": 2.2, "SRHJ06": 0.1, "WFJS": 0.4, "MDJF03": 0.1, "MDJF05": 3.0, "AQYH04": 0.1,
            "AQYH05": 0.1, "JCSS06": 0.1, "STHB04": 0.3, "STHB05": 0.1, "STHB01": 0.2},
    LAKE: {"STHB": 4.0, "STHB01": 2.0, "STHB02": 2.0, "STHB05": 2.0, "JMZX": 1.2, "WFJS": 1.5},
    PERI: {"WFJS": 2.5, "WFJS01": 1.5, "WFJS03": 1.5, "MDJF06": 3.0, "STHB06": 2.0},
    RURAL: {"JMZX": 0.3, "SRHJ06": 3.0, "AQYH04": 3.0, "AQYH05": 3.0, "MDJF03": 3.0,
            "JCSS06": 3.0, "STHB04": 2.0, "MDJF05": 0.1},
}  # fmt: skip
#: leaf → months → factor
SEASON_FACTORS: Final[dict[str, tuple[frozenset[int], float, float]]] = {
    # code: (months, factor in them, factor otherwise)
    "AQYH05": (frozenset({1, 2, 3, 4, 5}), 4.0, 0.3),  # 森林草原防火期
    "AQYH04": (frozenset({6, 7, 8, 9}), 4.0, 0.4),  # 雨季地灾
    "JCSS04": (frozenset({6, 7, 8, 9}), 3.0, 0.6),
    "STHB01": (frozenset({6, 7, 8, 9}), 3.0, 0.6),  # 水华
    "STHB04": (frozenset({3, 4, 10, 11}), 3.0, 0.5),  # 秸秆焚烧
    "STHB05": (frozenset({3, 4, 5, 6}), 2.5, 0.6),  # 禁渔期
    "MDJF04": (frozenset({12, 1}), 3.0, 0.8),  # 年前讨薪
    "JMZX05": (frozenset({5, 6, 7, 8, 9}), 1.8, 0.7),
    "AQYH02": (frozenset({11, 12, 1, 2}), 2.0, 0.7),
    "MSFW02": (frozenset({11, 12, 1, 2}), 1.5, 0.9),
}


@dataclass(slots=True)
class UnitNode:
    id: int
    code: str
    name: str
    kind: str
    path: str
    parent: UnitNode | None


@dataclass(slots=True)
class Leaf:
    id: int
    code: str
    parent_code: str
    public: bool
    response_us: int
    resolve_workdays: int
    department_suffix: str | None


@dataclass(slots=True)
class GridPlace:
    unit: UnitNode
    village: UnitNode
    township: UnitNode
    county: UnitNode | None
    households: int
    shape: Any
    place: str


@dataclass(slots=True)
class World:
    """What the generator reads from the seeded database."""

    grids: list[GridPlace]
    units: dict[int, UnitNode]
    departments: dict[str, UnitNode]  # code → unit
    leaves: list[Leaf]
    actors: dict[int, int]  # unit id → user id of the demo login acting there
    resident: tuple[int, int] | None  # (grid unit id, user id) of the demo resident


def load_world() -> World:
    units: dict[int, UnitNode] = {}
    rows = Unit.objects.filter(active=True).order_by("depth", "path")
    for pk, code, name, kind, path, parent_id in rows.values_list(
        "id", "code", "name", "kind", "path", "parent_id"
    ):
        units[pk] = UnitNode(
            pk, code, name, kind, path, units.get(parent_id) if parent_id else None
        )
    departments = {u.code: u for u in units.values() if u.kind == UnitKind.DEPARTMENT}
    grids: list[GridPlace] = []
    for pk, households, geometry in (
        Unit.objects.filter(kind=UnitKind.GRID, active=True, geometry__isnull=False)
        .order_by("code")
        .values_list("id", "households", "geometry")
    ):
        unit = units.get(pk)
        village = unit.parent if unit else None
        township = village.parent if village else None
        if unit is None or village is None or township is None:
            continue
        county = township.parent
        grids.append(
            GridPlace(
                unit,
                village,
                township,
                county,
                households,
                from_geojson(geometry),
                _place(township),
            )
        )
    leaves = [
        Leaf(
            pk,
            code,
            parent_code or code,
            public,
            hours_to_microseconds(Decimal(hours)),
            days,
            _suffix(department or ""),
        )
        for pk, code, parent_code, public, hours, days, department in Category.objects.filter(
            active=True, children__isnull=True
        )
        .order_by("code")
        .values_list(
            "id",
            "code",
            "parent__code",
            "public",
            "response_hours",
            "resolve_workdays",
            "default_department__code",
        )
    ]
    actors: dict[int, int] = {}
    resident: tuple[int, int] | None = None
    acting = (
        Role.GRID_WORKER,
        Role.VILLAGE_CADRE,
        Role.UNIT_LEADER,
        Role.DEPARTMENT_STAFF,
        Role.CITY_ADMIN,
    )
    for user_id, unit_id, role in Membership.objects.order_by("id").values_list(
        "user_id", "unit_id", "role"
    ):
        if role in acting:
            actors.setdefault(unit_id, user_id)
        elif role == Role.RESIDENT and resident is None:
            resident = (unit_id, user_id)
    return World(grids, units, departments, leaves, actors, resident)


def _suffix(code: str) -> str | None:
    position = code.rfind("D")
    tail = code[position:] if position > 0 else ""
    return tail if len(tail) == 3 and tail[1:].isdecimal() else None


def _place(township: UnitNode) -> str:
    if township.code in LAKE_TOWNSHIPS:
        return LAKE
    if township.code in PERI_URBAN_TOWNSHIPS:
        return PERI
    return URBAN if township.kind == UnitKind.STREET else RURAL


# --- choosing categories ------------------------------------------------------------------


class CategoryChooser:
    """Leaf categories weighted by source, place and month (cached per combination)."""

    def __init__(self, leaves: list[Leaf]) -> None:
        self.leaves = leaves
        self.siblings: dict[str, int] = {}
        for leaf in leaves:
            self.siblings[leaf.parent_code] = self.siblings.get(leaf.parent_code, 0) + 1
        self._cache: dict[tuple[bool, str, int], tuple[list[Leaf], list[float]]] = {}

    def choose(self, rng: random.Random, public: bool, place: str, month: int) -> Leaf:
        key = (public, place, month)
        table = self._cache.get(key)
        if table is None:
            table = self._cache[key] = self._table(public, place, month)
        leaves, cumulative = table
        return leaves[bisect(cumulative, rng.random() * cumulative[-1])]

    def _table(self, public: bool, place: str, month: int) -> tuple[list[Leaf], list[float]]:
        weights = PUBLIC_WEIGHTS if public else PATROL_WEIGHTS
        factors = PLACE_FACTORS[place]
        chosen: list[Leaf] = []
        values: list[float] = []
        for leaf in self.leaves:
            if public and not leaf.public:
                continue
            weight = weights.get(leaf.parent_code, 1) / self.siblings[leaf.parent_code]
            weight *= factors.get(leaf.parent_code, 1.0) * factors.get(leaf.code, 1.0)
            season = SEASON_FACTORS.get(leaf.code)
            if season is not None:
                weight *= season[1] if month in season[0] else season[2]
            chosen.append(leaf)
            values.append(weight)
        return chosen, list(accumulate(values))
