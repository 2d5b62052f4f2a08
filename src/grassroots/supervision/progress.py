"""Pure computation of target supervision: no ORM, plain values in and out.

The display status (``display_status``), as the help page may quote it:

    A task's status is the first of these that applies:

    1. 已撤销 (cancelled), 已销号 (closed) or 已完成 (completed), by its lifecycle;
    2. 逾期 (overdue): today is after the deadline and the task is not completed;
    3. 未开始 (not started): today is before the start date;
    4. 进度滞后 (lagging, "at risk"): the verified progress trails the plan by more than
       the margin (``GRASSROOTS_SUPERVISION_RISK_MARGIN``, 15 percentage points unless
       configured): plan % − verified % > margin;
    5. 未开始 (not started): nothing verified yet (0 %);
    6. 正常推进 (on track).

    The plan is a straight line from 0 % at the start to 100 % at the deadline, counted
    in working days (the official calendar: weekends and public holidays do not count,
    make-up workdays do): plan % = 100 × (working days from the start date up to
    yesterday) ÷ (working days from the start date to the deadline, both included),
    rounded half-up to 0.01. Only verified progress counts (accepted reports), never
    what was merely reported.

Shares of a target (``pro_rata``): split in proportion to the weights (households or
population) by the largest-remainder method, in steps of the target's last decimal place,
so that the shares add up exactly to the target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from grassroots.supervision.states import DisplayStatus, TaskState

if TYPE_CHECKING:
    from grassroots.common.workdays import WorkCalendar

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)

#: Order of a list "by urgency": overdue first, then lagging, then the rest by deadline.
URGENCY: dict[str, int] = {
    DisplayStatus.OVERDUE: 0,
    DisplayStatus.LAGGING: 1,
    DisplayStatus.ON_TRACK: 2,
    DisplayStatus.NOT_STARTED: 2,
    DisplayStatus.COMPLETED: 3,
    DisplayStatus.CLOSED: 4,
    DisplayStatus.CANCELLED: 5,
}


def decimal_places(value: Decimal) -> int:
    """The decimal places ``value`` really uses (``500.0000`` → 0, ``12.50`` → 1)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def pro_rata(
    total: Decimal, weights: Sequence[int | Decimal], places: int | None = None
) -> list[Decimal]:
    """``total`` split in proportion to ``weights`` by the largest-remainder method.

    Every share is a multiple of ``10**-places`` (default: the places ``total`` uses, so
    "120 处" splits into whole numbers); the shares add up to ``total`` exactly. Each unit
    first gets the floor of its exact quota; the steps left over go one each to the
    largest remainders (ties: the larger weight, then the earlier position). A zero weight
    gets zero.

    Raises ``ValueError`` for a negative total or weight, weights that sum to zero, or a
    total with more decimal places than ``places``.
    """
    if places is None:
        places = decimal_places(total)
    if places < 0:
        raise ValueError("places must not be negative")
    steps_exact = Fraction(total) * 10**places
    if steps_exact.denominator != 1:
        raise ValueError(f"{total} has more than {places} decimal places")
    steps = int(steps_exact)
    if steps < 0:
        raise ValueError("the total must not be negative")
    fractions = [Fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValueError("weights must not be negative")
    whole = sum(fractions, Fraction(0))
    if not fractions or whole == 0:
        raise ValueError("the weights add up to zero")
    exact = [steps * w / whole for w in fractions]
    counts = [math.floor(q) for q in exact]
    left = steps - sum(counts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), -fractions[i], i))
    for i in order[:left]:
        counts[i] += 1
    quantum = Decimal(1).scaleb(-places)
    return [(Decimal(c) * quantum).quantize(quantum) for c in counts]


def ratio_percent(value: Decimal, target: Decimal) -> Decimal:
    """``100 × value ÷ target``, rounded half-up to 0.01, kept within 0–100."""
    if target <= 0:
        raise ValueError("the target must be positive")
    percent = (Decimal(value) * HUNDRED / Decimal(target)).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(HUNDRED, max(ZERO, percent))


def plan_percent(start: date, deadline: date, today: date, calendar: WorkCalendar) -> Decimal:
    """Where the straight line from ``start`` (0 %) to ``deadline`` (100 %) stands on
    ``today``, in working days: ``100 × elapsed ÷ total`` rounded half-up to 0.01, where
    *total* is the working days from ``start`` to ``deadline`` (both included) and
    *elapsed* those from ``start`` up to the day before ``today``. 0 on or before the
    start, 100 after the deadline; a span without any working day stays at 0 until the
    deadline has passed."""
    if today > deadline:
        return HUNDRED
    if today <= start:
        return ZERO
    before_start = calendar.index(start - timedelta(days=1))
    total = calendar.index(deadline) - before_start
    if total <= 0:
        return ZERO
    elapsed = min(total, max(0, calendar.index(today - timedelta(days=1)) - before_start))
    return (Decimal(elapsed) * HUNDRED / Decimal(total)).quantize(CENT, rounding=ROUND_HALF_UP)


def display_status(
    *,
    state: str,
    start_date: date,
    deadline: date,
    verified_percent: Decimal,
    today: date,
    calendar: WorkCalendar,
    margin: Decimal,
) -> DisplayStatus:
    """The status a person sees (see the module's docstring for the rule, in order)."""
    if state == TaskState.CANCELLED:
        return DisplayStatus.CANCELLED
    if state == TaskState.CLOSED:
        return DisplayStatus.CLOSED
    if state == TaskState.COMPLETED:
        return DisplayStatus.COMPLETED
    if today > deadline:
        return DisplayStatus.OVERDUE
    if today < start_date:
        return DisplayStatus.NOT_STARTED
    verified = Decimal(verified_percent)
    if plan_percent(start_date, deadline, today, calendar) - verified > margin:
        return DisplayStatus.LAGGING
    if verified <= 0:
        return DisplayStatus.NOT_STARTED
    return DisplayStatus.ON_TRACK


def lagging_threshold(plan: Decimal, margin: Decimal) -> Decimal | None:
    """The verified percent below which a task with this plan percent is lagging, or
    ``None`` when it cannot be (the plan is within the margin)."""
    threshold = plan - margin
    return threshold if threshold > 0 else None


@dataclass(frozen=True, slots=True)
class SplitGap:
    """How far the shares of a task's children are from its target: "the sub-tasks add
    up to ``assigned`` of ``target``" (``gap`` = target − assigned, ≥ 0)."""

    target: Decimal | None
    assigned: Decimal
    children: int

    @property
    def gap(self) -> Decimal | None:
        return None if self.target is None else self.target - self.assigned

    @property
    def complete(self) -> bool:
        """The children's shares add up to the whole target."""
        return self.target is not None and self.assigned == self.target


def rollup(
    target: Decimal | None, children: Sequence[tuple[Decimal | None, Decimal]]
) -> tuple[Decimal | None, Decimal]:
    """The verified progress of an umbrella task from its children's ``(verified_value,
    verified_percent)``: with a target, the values added up and their share of the
    target; without one, the mean of the children's percentages (0 without children)."""
    if target is not None:
        total = sum((value or ZERO for value, _percent in children), ZERO)
        return total, ratio_percent(total, target)
    if not children:
        return None, ZERO
    mean = sum((Decimal(p) for _value, p in children), ZERO) / len(children)
    return None, min(HUNDRED, mean.quantize(CENT, rounding=ROUND_HALF_UP))
