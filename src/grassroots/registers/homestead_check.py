"""The 一户一宅 check as plain computation (no ORM): given the households with the parcels
they hold and the area standard, what the check finds.

* **multiple** (一户多宅): a household holding more than one *active* parcel — one finding
  per household, naming all its active parcels;
* **oversize** (超标准占用): an *active* parcel whose area is above the standard (strictly:
  a parcel of exactly the standard is within it) — one finding per parcel.

A household may give both findings. Parcels no longer held (``active`` false) are ignored.
Findings come in a fixed order: by household, the ``multiple`` one first, then the
oversize parcels by parcel number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

MULTIPLE: Final = "multiple"
OVERSIZE: Final = "oversize"

Kind = Literal["multiple", "oversize"]


@dataclass(frozen=True, slots=True)
class Parcel:
    """A homestead parcel as the check sees it."""

    id: int
    household_id: int
    parcel_number: str
    area: Decimal
    active: bool = True
    #: The village the parcel lies in (where a case is opened).
    unit_id: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the check found: ``parcels`` are the household's active parcels
    (multiple) or the one parcel above the standard (oversize, ``homestead_id`` set)."""

    kind: Kind
    household_id: int
    homestead_id: int | None
    parcels: tuple[Parcel, ...]
    area_limit: Decimal

    @property
    def unit_id(self) -> int:
        """The village of the finding: its first parcel's."""
        return self.parcels[0].unit_id

    @property
    def key(self) -> tuple[str, int]:
        """What an open case of the same finding is matched by: the household for
        ``multiple``, the parcel for ``oversize``."""
        if self.kind == MULTIPLE:
            return (MULTIPLE, self.household_id)
        return (OVERSIZE, self.homestead_id or 0)

    @property
    def total_area(self) -> Decimal:
        return sum((p.area for p in self.parcels), Decimal(0))


def _order(parcel: Parcel) -> tuple[str, int]:
    return (parcel.parcel_number, parcel.id)


def check_households(parcels: Iterable[Parcel], area_limit: Decimal) -> list[Finding]:
    """The findings over ``parcels`` (every parcel of the households checked, held or
    not) against ``area_limit`` (m²). See the module docstring."""
    held: dict[int, list[Parcel]] = defaultdict(list)
    for parcel in parcels:
        if parcel.active:
            held[parcel.household_id].append(parcel)
    findings: list[Finding] = []
    for household_id in sorted(held):
        own = sorted(held[household_id], key=_order)
        if len(own) > 1:
            findings.append(Finding(MULTIPLE, household_id, None, tuple(own), area_limit))
        findings.extend(
            Finding(OVERSIZE, household_id, p.id, (p,), area_limit)
            for p in own
            if p.area > area_limit
        )
    return findings
