"""The zero-new-cases line (零新增): for a year, the new illegal construction and
disorderly relocation cases of each township (or village) by month against the target,
which is zero. Pure: plain data in, plain data out, no database.

A count belongs to the row whose unit path is its case's unit path or an ancestor of it
(a township's row holds its villages' cases). Months after ``through_month`` (the current
month of the current year) have not happened: they are ``None``, not zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

TARGET = 0
MONTHS = 12
SEPARATOR = "."


@dataclass(frozen=True, slots=True)
class RowUnit:
    """A row of the table: a unit's path and how it is labelled."""

    path: str
    label: str
    code: str = ""
    #: A township row of its own cases only (the villages have rows of their own).
    own_only: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """One month of one row: the new cases (None for a month still to come)."""

    n: int | None

    @property
    def above_target(self) -> bool:
        return self.n is not None and self.n > TARGET


@dataclass(slots=True)
class Row:
    """A row's months, its total for the year and its new cases since the baseline."""

    unit: RowUnit
    cells: list[Cell]
    total: int
    since_baseline: int

    @property
    def above_target(self) -> bool:
        return self.total > TARGET

    @property
    def months_above(self) -> int:
        return sum(1 for c in self.cells if c.above_target)


@dataclass(slots=True)
class ZeroTable:
    """The table: rows, the month totals, the year's total and since the baseline."""

    year: int
    rows: list[Row]
    month_totals: list[Cell]
    total: int
    since_baseline: int
    through_month: int
    target: int = TARGET
    unplaced: int = 0
    rows_above: list[str] = field(default_factory=list)

    @property
    def at_target(self) -> bool:
        return self.total <= self.target

    def series(self) -> list[int | None]:
        """The monthly totals for the chart (None for months still to come)."""
        return [c.n for c in self.month_totals]

    def target_line(self) -> list[int]:
        return [self.target] * MONTHS


def within(path: str, ancestor: str) -> bool:
    """``path`` is ``ancestor`` or lies below it."""
    return path == ancestor or path.startswith(ancestor + SEPARATOR)


def row_of(path: str, rows: Sequence[RowUnit]) -> int | None:
    """The index of the row holding a case of unit ``path`` (the deepest that contains it;
    an ``own_only`` row holds only its own unit's cases), or None."""
    best: int | None = None
    depth = -1
    for index, row in enumerate(rows):
        holds = path == row.path if row.own_only else within(path, row.path)
        if holds and row.path.count(SEPARATOR) > depth:
            best, depth = index, row.path.count(SEPARATOR)
    return best


def build_table(
    year: int,
    rows: Sequence[RowUnit],
    counts: Iterable[tuple[str, int, int]],
    since_baseline: Iterable[tuple[str, int]],
    *,
    through_month: int = MONTHS,
) -> ZeroTable:
    """The table of ``year`` from ``counts`` (``(unit path, month 1–12, n)``) and
    ``since_baseline`` (``(unit path, n)``). Counts no row holds are added up in
    ``unplaced`` (cases outside the rows)."""
    through = max(0, min(MONTHS, through_month))
    months = [[0] * MONTHS for _ in rows]
    since = [0] * len(rows)
    unplaced = 0
    for path, month, n in counts:
        index = row_of(path, rows)
        if index is None or not 1 <= month <= MONTHS:
            unplaced += n
            continue
        months[index][month - 1] += n
    for path, n in since_baseline:
        index = row_of(path, rows)
        if index is not None:
            since[index] += n
    built = []
    for index, unit in enumerate(rows):
        values = months[index]
        cells = [Cell(v if m < through or v else None) for m, v in enumerate(values)]
        built.append(Row(unit, cells, sum(values), since[index]))
    totals = [sum(months[i][m] for i in range(len(rows))) for m in range(MONTHS)]
    month_totals = [Cell(v if m < through or v else None) for m, v in enumerate(totals)]
    return ZeroTable(
        year=year,
        rows=built,
        month_totals=month_totals,
        total=sum(totals),
        since_baseline=sum(since),
        through_month=through,
        unplaced=unplaced,
        rows_above=[r.unit.label for r in built if r.above_target],
    )
