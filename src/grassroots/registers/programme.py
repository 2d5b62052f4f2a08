"""Pure arithmetic of the registers (no ORM): the 邛海天窗 programme's straight line and
progress against it, the consistency of a parcel's status, and the collective economy's
growth and target rates.

The straight line: a programme of the years ``first``…``last`` (``N = last − first + 1``
years) plans a share ``k / N`` of the area restored by the end of its ``k``-th year; within
a year the line rises with the days (``share_at``). A parcel's planned area on a day is
its area times that share; its *credited* restoration is what it restored, but never more
than planned (one parcel ahead of the line does not make up for another behind it).

Percentages are ``Decimal`` rounded half-up to 0.01; areas and amounts ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal(0)
HUNDRED: Final = Decimal(100)


def rounded(value: Decimal) -> Decimal:
    """``value`` rounded half-up to 0.01."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio_percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``100 × numerator / denominator`` rounded half-up to 0.01; ``None`` when the
    denominator is 0."""
    if not denominator:
        return None
    return rounded(Decimal(numerator) * HUNDRED / Decimal(denominator))


# --- the ten-year straight line ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Programme:
    """The 天窗 programme of the years ``first`` to ``last`` (both included)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a programme ends in or after its first year")

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def share_by_end_of(self, year: int) -> Decimal:
        """The share (0…1) of the area planned restored by the end of ``year``."""
        done = min(max(year - self.first + 1, 0), self.length)
        return Decimal(done) / Decimal(self.length)

    def share_at(self, day: dt.date) -> Decimal:
        """The share (0…1) planned by the start of ``day``: the years before it in full,
        and of its own year the days before it (1 January: none of the year; the day
        after 31 December of a year equals ``share_by_end_of`` that year)."""
        if day.year < self.first:
            return ZERO
        if day.year > self.last:
            return Decimal(1)
        start = dt.date(day.year, 1, 1)
        days_in_year = (dt.date(day.year + 1, 1, 1) - start).days
        elapsed = Decimal(day.year - self.first) + Decimal((day - start).days) / days_in_year
        return elapsed / Decimal(self.length)


def planned_area(area: Decimal, programme: Programme, day: dt.date) -> Decimal:
    """The area of a parcel planned restored by the start of ``day`` (the straight line)."""
    return area * programme.share_at(day)


def credited(restored: Decimal, planned: Decimal) -> Decimal:
    """The restoration that counts against the line: never more than planned."""
    return max(ZERO, min(restored, planned))


@dataclass(frozen=True, slots=True)
class Parcel:
    """What the progress of one parcel needs: its area, what was restored by the day
    measured, and its programme."""

    area: Decimal
    restored: Decimal
    programme: Programme


@dataclass(frozen=True, slots=True)
class Progress:
    """Credited restoration against the planned area on a day; ``percent`` ≤ 100."""

    credited: Decimal
    planned: Decimal

    @property
    def percent(self) -> Decimal | None:
        return ratio_percent(self.credited, self.planned)


def progress_on(parcels: Iterable[Parcel], day: dt.date) -> Progress:
    """The progress of ``parcels`` by the start of ``day``: Σ min(restored, planned) over
    Σ planned, each parcel on its own programme's straight line."""
    done = planned = ZERO
    for parcel in parcels:
        plan = planned_area(parcel.area, parcel.programme, day)
        planned += plan
        done += credited(parcel.restored, plan)
    return Progress(done, planned)


@dataclass(frozen=True, slots=True)
class YearLine:
    """One year of the programme table."""

    year: int
    #: The straight line: the cumulative area planned restored by the end of the year.
    planned: Decimal
    planned_share: Decimal
    #: The cumulative area of the parcels whose plan year is this year or before.
    scheduled: Decimal
    #: Restored by the end of the year (``None`` for a year not begun).
    restored: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        """Restored minus planned (negative: behind the line)."""
        return None if self.restored is None else self.restored - self.planned

    @property
    def behind(self) -> bool:
        return self.restored is not None and self.restored < self.planned


def year_lines(
    programme: Programme,
    total_area: Decimal,
    *,
    scheduled_by_year: Mapping[int, Decimal],
    restored_in_full_by_year: Mapping[int, Decimal],
    restored_now: Decimal,
    today: dt.date,
) -> list[YearLine]:
    """The programme table: for each year, the straight line's cumulative plan, the area
    the parcels' plan years schedule by then, and what was restored by its end.

    ``scheduled_by_year`` is the area of the parcels of each plan year;
    ``restored_in_full_by_year`` the area of the parcels restored in full in each year
    (by ``restored_on``). The years before this one count the parcels restored in full by
    their end; this year counts everything restored so far (``restored_now``, partial
    restoration included); the years after it have no figure yet.
    """
    lines: list[YearLine] = []
    for year in programme.years:
        share = programme.share_by_end_of(year)
        scheduled = sum((a for y, a in scheduled_by_year.items() if y <= year), start=ZERO)
        restored: Decimal | None
        if year < today.year:
            restored = sum(
                (a for y, a in restored_in_full_by_year.items() if y <= year), start=ZERO
            )
        elif year == today.year:
            restored = restored_now
        else:
            restored = None
        lines.append(
            YearLine(year, total_area * share, rounded(share * HUNDRED), scheduled, restored)
        )
    return lines


# --- a parcel's status -------------------------------------------------------------------

PLANNED: Final = "planned"
UNDERWAY: Final = "underway"
RESTORED: Final = "restored"


def status_problem(
    status: str, area: Decimal, restored_area: Decimal, restored_on: dt.date | None
) -> tuple[str, str] | None:
    """Why ``status`` does not fit the figures, as ``(field, reason)`` with ``reason`` one
    of ``restored_needs_all``, ``restored_needs_date``, ``partial_is_underway``,
    ``all_is_restored``, ``date_only_when_restored``; ``None`` when it fits.

    Restored ⇔ the restored area equals the area, with the day it was completed;
    underway when part of the area is restored, or when nothing is yet but work started;
    planned when nothing is restored.
    """
    if status == RESTORED:
        if restored_area != area:
            return ("restored_area", "restored_needs_all")
        if restored_on is None:
            return ("restored_on", "restored_needs_date")
        return None
    if restored_area == area:
        return ("status", "all_is_restored")
    if restored_on is not None:
        return ("restored_on", "date_only_when_restored")
    if status == PLANNED and restored_area > 0:
        return ("status", "partial_is_underway")
    return None


def status_after_restoration(current: str, area: Decimal, restored_area: Decimal) -> str:
    """The status a restoration leaves: restored when the whole area is, else underway
    (a planned parcel whose work is recorded has started)."""
    if restored_area >= area:
        return RESTORED
    return UNDERWAY if restored_area > 0 or current == UNDERWAY else current


# --- monitoring reviews ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dues:
    """Review due dates in a period, and how many of them were met on time."""

    due: int
    on_time: int


def review_dues(
    since: dt.date,
    reviews: Iterable[dt.date],
    every_days: int,
    *,
    closed: bool,
    first: dt.date,
    last: dt.date,
    today: dt.date,
) -> Dues:
    """The review due dates of one monitoring that fall on the days ``first``…``last``.

    A review falls due ``every_days`` after the monitoring began, then after each review
    (the anchor). A due date is *met* when the next review comes on or before it,
    *missed* when the next review comes after it, or has not come and the date is before
    ``today``. Counted: the due dates in the period that are met, or missed (a date still
    ahead without its review is not yet due). A closed monitoring (the risk removed at its
    last review) has no due date after that review."""
    due = on_time = 0
    anchor = since
    step = dt.timedelta(days=every_days)
    for review in sorted(reviews):
        deadline = anchor + step
        if deadline > last:
            return Dues(due, on_time)
        if deadline >= first:
            due += 1
            on_time += review <= deadline
        anchor = review
    deadline = anchor + step
    if not closed and first <= deadline <= last and deadline < today:
        due += 1
    return Dues(due, on_time)


# --- collective economy -----------------------------------------------------------------


def growth_percent(current: Decimal, previous: Decimal) -> Decimal | None:
    """``100 × (current − previous) / previous`` rounded half-up to 0.01; ``None`` when
    there is no previous amount."""
    return ratio_percent(current - previous, previous)


def target_percent(amount: Decimal, target: Decimal | None) -> Decimal | None:
    """The share of the target reached, in %; ``None`` without a target."""
    return ratio_percent(amount, target) if target else None
