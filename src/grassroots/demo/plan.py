"""The demo city as plain data: real units down to villages, synthetic numbers and shapes.

No database access here: :func:`build_plan` turns division rows into a tree of
:class:`PlannedUnit` with population, households and a polygon for every unit, and
:func:`plan_grids` draws the grids of one village when the writer asks for them (grids are
the bulk of a province and are never all held at once).

Randomness comes from ``random.Random`` streams keyed by the seed and a unit's code
(``f"{seed}:tile:{code}"``), so a unit's numbers and shape do not depend on the order in
which the tree is walked, and the township of the ``town`` scale is the same as in the
``city`` scale.

How the numbers are made up:

- the root's population is the real figure (西昌 950,000; 凉山 4.86 million; 四川 83.67
  million); a county whose real figure is known (西昌) keeps it at the larger scales;
- the rest is split over villages and communities by weight — a community (urban,
  dense) weighs about three villages — after a floor of 1,000 people each (and below a
  ceiling of 60,000), and summed up the tree, so every level adds up exactly;
- households are population / 2.6 for communities and / 3.0 for villages (≈ 2.8
  overall), kept to at least 300 and out of 501–599 so that grids of 300–500 households
  can always be drawn;
- areas are weighted the other way round: a community covers a small fraction of a
  village, so streets come out small and dense and mountain townships large.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon

from grassroots.demo import geometry
from grassroots.org.divisions import DivisionRow, short_name
from grassroots.org.models import UnitKind

Shape: TypeAlias = Polygon | MultiPolygon
ProgressCallback = Callable[[str, int, int | None], None]

#: Real population of the units a scale starts from (rounded census figures).
KNOWN_POPULATION: Final = {
    "51": 83_670_000,  # 四川省 (2020 census: 83,674,866)
    "5134": 4_860_000,  # 凉山彝族自治州 (4,858,359)
    "513401": 950_000,  # 西昌市
}
#: Where a root's generated boundary lies: centre (lon, lat) and area in km².
BOUNDARIES: Final = {
    "51": (104.0, 30.6, 486_000.0),
    "5134": (102.3, 27.9, 60_000.0),
    "513401": (102.26, 27.9, 2_655.0),
}
DEFAULT_BOUNDARY: Final = (102.26, 27.9, 2_655.0)

VILLAGE_MIN_POPULATION: Final = 1_000
#: No village or community is larger (the biggest real communities have some 50,000
#: people); only a handful of villages far too few for a real total reach it.
VILLAGE_MAX_POPULATION: Final = 60_000
GRID_MIN_HOUSEHOLDS: Final = 300
GRID_MAX_HOUSEHOLDS: Final = 500
GRID_TARGET_HOUSEHOLDS: Final = 400
PERSONS_PER_HOUSEHOLD: Final[dict[str, float]] = {
    UnitKind.COMMUNITY: 2.6,
    UnitKind.VILLAGE: 3.0,
}

#: Departments created under every county: code suffix and name.
DEPARTMENTS: Final = (
    ("D01", "住房和城乡建设局"),
    ("D02", "自然资源局"),
    ("D03", "生态环境局"),
    ("D04", "农业农村局"),
    ("D05", "应急管理局"),
    ("D06", "信访局"),
    ("D07", "城市管理局"),
    ("D08", "民政局"),
)

VILLAGE_KINDS: Final = frozenset({UnitKind.VILLAGE, UnitKind.COMMUNITY})


@dataclass(slots=True)
class PlannedUnit:
    """One unit to create, with its numbers and shape once the plan is complete."""

    code: str
    name: str
    kind: str
    parent: PlannedUnit | None = None
    children: list[PlannedUnit] = field(default_factory=list)
    population: int = 0
    households: int = 0
    geometry: Shape | None = None
    # relative people and land: set on villages, summed up the tree
    people_weight: float = 0.0
    area_weight: float = 0.0
    floor: int = 0
    #: households of each grid of a village, planned with the numbers
    grid_households: list[int] = field(default_factory=list)

    def walk(self) -> Iterator[PlannedUnit]:
        """This unit and everything below it, parents first, children in code order."""
        stack = [self]
        while stack:
            unit = stack.pop()
            yield unit
            stack.extend(reversed(unit.children))

    @property
    def is_village(self) -> bool:
        return self.kind in VILLAGE_KINDS


@dataclass(slots=True)
class PlannedGrid:
    """One grid of a village: code, name, numbers and shape."""

    code: str
    name: str
    population: int
    households: int
    geometry: Shape


@dataclass(slots=True)
class Plan:
    """The whole demo tree (to the villages) and the departments of every county."""

    root: PlannedUnit
    seed: int
    departments: list[PlannedUnit]

    def units(self) -> Iterator[PlannedUnit]:
        return self.root.walk()

    def villages(self) -> Iterator[PlannedUnit]:
        return (unit for unit in self.root.walk() if unit.is_village)


def _rng(seed: int, purpose: str, code: str) -> random.Random:
    # A str seed is hashed with SHA-512: stable across runs and PYTHONHASHSEED.
    return random.Random(f"{seed}:{purpose}:{code}")  # noqa: S311 - synthetic demo data


def build_tree(rows: Iterable[DivisionRow], *, root_code: str) -> PlannedUnit:
    """Link rows (parents first) into a tree rooted at ``root_code``; others are dropped."""
    units: dict[str, PlannedUnit] = {}
    root: PlannedUnit | None = None
    for row in rows:
        if row.code == root_code:
            root = units[row.code] = PlannedUnit(row.code, row.name, row.kind)
            continue
        parent = units.get(row.parent_code or "")
        if parent is None:
            continue
        unit = units[row.code] = PlannedUnit(row.code, row.name, row.kind, parent=parent)
        parent.children.append(unit)
    if root is None:
        raise ValueError(f"unit {root_code} is not among the division rows")
    for unit in units.values():
        unit.children.sort(key=lambda child: child.code)
    return root


def build_plan(
    root: PlannedUnit,
    *,
    seed: int,
    keep: str | None = None,
    progress: ProgressCallback | None = None,
) -> Plan:
    """Numbers and shapes for the tree under ``root``.

    With ``keep`` (a township code) the whole tree is planned, then only that township
    is kept below the root, so that it looks exactly as it does in the full city.
    """
    _weigh(root, seed)
    _allocate(root, KNOWN_POPULATION.get(root.code, int(root.people_weight * 3_000)))
    _draw(root, seed, progress)
    if keep is not None:
        _prune(root, keep)
    _total(root)
    departments = [
        PlannedUnit(f"{county.code}{suffix}", f"{county.name}{name}", UnitKind.DEPARTMENT, county)
        for county in root.walk()
        if county.kind == UnitKind.COUNTY
        for suffix, name in DEPARTMENTS
    ]
    return Plan(root, seed, departments)


def _weigh(root: PlannedUnit, seed: int) -> None:
    """People and area weights of villages, summed up; population floors likewise."""
    for unit in reversed(list(root.walk())):
        if unit.is_village:
            rng = _rng(seed, "weight", unit.code)
            community = unit.kind == UnitKind.COMMUNITY
            unit.people_weight = rng.lognormvariate(math.log(3.0) if community else 0.0, 0.35)
            unit.area_weight = rng.lognormvariate(math.log(0.12) if community else 0.0, 0.45)
            unit.floor = VILLAGE_MIN_POPULATION
        elif unit.children:
            unit.people_weight = sum(child.people_weight for child in unit.children)
            unit.area_weight = sum(child.area_weight for child in unit.children)
            unit.floor = sum(child.floor for child in unit.children)
        else:
            # a township-level unit without villages in the files: some people, some land
            unit.people_weight = unit.area_weight = 1.0


def split(total: int, weights: list[float], floors: list[int]) -> list[int]:
    """``total`` shared by weight after each share's floor; exact (largest remainder)."""
    base = sum(floors)
    rest = max(total - base, 0)
    weight_sum = sum(weights) or 1.0
    raw = [rest * w / weight_sum for w in weights]
    shares = [f + math.floor(r) for f, r in zip(floors, raw, strict=True)]
    short = base + rest - sum(shares)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)
    for i in by_remainder[:short]:
        shares[i] += 1
    return shares


def _allocate(unit: PlannedUnit, population: int) -> None:
    unit.population = min(population, VILLAGE_MAX_POPULATION) if unit.is_village else population
    if not unit.children:
        return
    pinned = {c.code: KNOWN_POPULATION[c.code] for c in unit.children if c.code in KNOWN_POPULATION}
    free = [c for c in unit.children if c.code not in pinned]
    shares = split(
        population - sum(pinned.values()),
        [c.people_weight for c in free],
        [c.floor for c in free],
    )
    for child, share in zip(free, shares, strict=True):
        _allocate(child, share)
    for child in unit.children:
        if child.code in pinned:
            _allocate(child, pinned[child.code])


def village_households(population: int, kind: str, rng: random.Random) -> int:
    """Households of a village or community: never fewer than one grid's worth, and never
    between 501 and 599 (too many for one grid, too few for two)."""
    ratio = PERSONS_PER_HOUSEHOLD.get(kind, 2.8) * rng.uniform(0.95, 1.05)
    households = max(round(population / ratio), GRID_MIN_HOUSEHOLDS)
    if GRID_MAX_HOUSEHOLDS < households < 2 * GRID_MIN_HOUSEHOLDS:
        households = GRID_MAX_HOUSEHOLDS if households < 550 else 2 * GRID_MIN_HOUSEHOLDS
    return households


def grid_sizes(households: int, rng: random.Random) -> list[int]:
    """Split a village's households into grids of 300–500 each (sum exact)."""
    low = math.ceil(households / GRID_MAX_HOUSEHOLDS)
    high = max(households // GRID_MIN_HOUSEHOLDS, 1)
    count = min(max(round(households / GRID_TARGET_HOUSEHOLDS), low), high)
    if count <= 1:
        return [households]
    sizes = split(households, [rng.uniform(0.8, 1.2) for _ in range(count)], [0] * count)
    # Pull every grid into bounds by moving households to or from the others; the
    # average is within bounds, so this always ends.
    for i in range(count):
        for j in range(count):
            if i == j:
                continue
            if sizes[i] > GRID_MAX_HOUSEHOLDS and sizes[j] < GRID_MAX_HOUSEHOLDS:
                move = min(sizes[i] - GRID_MAX_HOUSEHOLDS, GRID_MAX_HOUSEHOLDS - sizes[j])
                sizes[i] -= move
                sizes[j] += move
            elif sizes[i] < GRID_MIN_HOUSEHOLDS and sizes[j] > GRID_MIN_HOUSEHOLDS:
                move = min(GRID_MIN_HOUSEHOLDS - sizes[i], sizes[j] - GRID_MIN_HOUSEHOLDS)
                sizes[i] += move
                sizes[j] -= move
    return sizes


def _draw(root: PlannedUnit, seed: int, progress: ProgressCallback | None) -> None:
    """Households and grid sizes of villages; a polygon for every unit down to them."""
    lon, lat, area = BOUNDARIES.get(root.code, DEFAULT_BOUNDARY)
    root.geometry = geometry.county_boundary(lon, lat, area, _rng(seed, "boundary", root.code))
    parents = [unit for unit in root.walk() if unit.children]
    phase = _("Drawing boundaries")
    for done, unit in enumerate(parents, start=1):
        assert unit.geometry is not None  # noqa: S101 - parents are drawn before children
        pieces = geometry.tile(
            unit.geometry,
            [max(child.area_weight, 1e-6) for child in unit.children],
            _rng(seed, "tile", unit.code),
        )
        for child, piece in zip(unit.children, pieces, strict=True):
            child.geometry = piece
        if progress is not None and (done % 100 == 0 or done == len(parents)):
            progress(phase, done, len(parents))
    for unit in root.walk():
        if unit.is_village:
            rng = _rng(seed, "households", unit.code)
            unit.households = village_households(unit.population, unit.kind, rng)
            unit.grid_households = grid_sizes(unit.households, rng)


def _prune(root: PlannedUnit, keep: str) -> None:
    """Keep only the township ``keep`` (and its villages) below the county of ``root``."""
    for unit in list(root.walk()):
        if unit.kind == UnitKind.COUNTY:
            unit.children = [child for child in unit.children if child.code == keep]


def _total(unit: PlannedUnit) -> None:
    """Population and households of every non-village unit: the sum of its children."""
    for node in reversed(list(unit.walk())):
        if node.children:
            node.population = sum(child.population for child in node.children)
            node.households = sum(child.households for child in node.children)


def plan_grids(village: PlannedUnit, seed: int) -> list[PlannedGrid]:
    """The grids of one village: codes ``<village>001…``, names ``白沙村第1网格``."""
    sizes = village.grid_households or [village.households]
    assert village.geometry is not None  # noqa: S101 - villages are drawn by build_plan
    pieces = (
        [village.geometry]
        if len(sizes) == 1
        else geometry.tile(village.geometry, sizes, _rng(seed, "grids", village.code))
    )
    people = split(village.population, [float(s) for s in sizes], [0] * len(sizes))
    label = short_name(village.name)
    return [
        PlannedGrid(
            code=f"{village.code}{i:03d}",
            name=f"{label}第{i}网格",
            population=people[i - 1],
            households=sizes[i - 1],
            geometry=pieces[i - 1],
        )
        for i in range(1, len(sizes) + 1)
    ]
