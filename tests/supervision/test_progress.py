"""The pure rules: pro-rata shares, the plan line in working days, the display status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.common.workdays import WorkCalendar
from grassroots.supervision.progress import (
    SplitGap,
    decimal_places,
    display_status,
    plan_percent,
    pro_rata,
    ratio_percent,
    rollup,
)
from grassroots.supervision.states import DisplayStatus as D

# 2026's National Day as the State Council set it: Oct 1–7 off, Sat Oct 10 worked.
NATIONAL_DAY = WorkCalendar(
    holidays=[dt.date(2026, 10, d) for d in range(1, 8)], workdays=[dt.date(2026, 10, 10)]
)
PLAIN = WorkCalendar()
MARGIN = Decimal(15)


totals = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
weights = st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=40).filter(
    lambda ws: sum(ws) > 0
)


@given(total=totals, ws=weights)
def test_pro_rata_shares_add_up_exactly_in_the_targets_steps(total: Decimal, ws: list[int]) -> None:
    places = decimal_places(total)
    shares = pro_rata(total, ws)
    assert sum(shares) == total
    quantum = Decimal(1).scaleb(-places)
    whole = sum(ws)
    for share, weight in zip(shares, ws, strict=True):
        assert share % quantum == 0
        quota = Fraction(total) * weight / whole
        # never more than one step away from the exact quota, zero for a zero weight
        assert abs(Fraction(share) - quota) < Fraction(quantum)
        if weight == 0:
            assert share == 0


def test_pro_rata_by_households_rounds_by_largest_remainder() -> None:
    # 120 处 among 300 / 200 / 100 households: exact quotas 60 / 40 / 20
    assert pro_rata(Decimal(120), [300, 200, 100]) == [60, 40, 20]
    # 100 among three equal units: 33.33… each; the spare step goes to the first
    assert pro_rata(Decimal(100), [1, 1, 1]) == [34, 33, 33]
    # 10.5 万元 keeps one decimal place: quotas 5.25 / 5.25 → 5.3 / 5.2 (ties: earlier)
    assert pro_rata(Decimal("10.5"), [1, 1]) == [Decimal("5.3"), Decimal("5.2")]
    # a larger remainder wins the spare step over a larger weight
    assert pro_rata(Decimal(10), [7, 2, 1]) == [7, 2, 1]
    assert pro_rata(Decimal(10), [65, 25, 10]) == [7, 2, 1]  # 6.5 / 2.5 / 1.0 → ties by weight


def test_pro_rata_refuses_what_cannot_be_split() -> None:
    with pytest.raises(ValueError, match="zero"):
        pro_rata(Decimal(10), [0, 0])
    with pytest.raises(ValueError, match="negative"):
        pro_rata(Decimal(10), [1, -1])
    with pytest.raises(ValueError, match="decimal places"):
        pro_rata(Decimal("10.5"), [1, 1], places=0)


def test_decimal_places_ignores_trailing_zeros() -> None:
    assert decimal_places(Decimal("500.0000")) == 0
    assert decimal_places(Decimal("12.50")) == 1
    assert decimal_places(Decimal("0.0025")) == 4


def test_ratio_percent_is_rounded_half_up_and_capped() -> None:
    assert ratio_percent(Decimal(1), Decimal(3)) == Decimal("33.33")
    assert ratio_percent(Decimal(2), Decimal(3)) == Decimal("66.67")
    assert ratio_percent(Decimal(1), Decimal(8)) == Decimal("12.50")
    assert ratio_percent(Decimal(9), Decimal(8)) == Decimal(100)


def test_plan_counts_working_days_only() -> None:
    # Mon 2026-09-28 … Fri 2026-10-16 with the National Day: 11 working days — 9-28,
    # 9-29, 9-30, 10-8, 10-9, 10-10 (a Saturday worked), 10-12 … 10-16.
    start, deadline = dt.date(2026, 9, 28), dt.date(2026, 10, 16)
    assert plan_percent(start, deadline, dt.date(2026, 9, 28), NATIONAL_DAY) == 0
    # on Oct 8, three working days have passed (9-28, 9-29, 9-30): 3/11
    assert plan_percent(start, deadline, dt.date(2026, 10, 8), NATIONAL_DAY) == Decimal("27.27")
    # the whole holiday week adds nothing: Oct 1 … Oct 8 stand still at 3/11
    assert plan_percent(start, deadline, dt.date(2026, 10, 3), NATIONAL_DAY) == Decimal("27.27")
    # on a plain calendar the same span has 15 working days and 6 passed by Oct 6
    assert plan_percent(start, deadline, dt.date(2026, 10, 6), PLAIN) == Decimal("40.00")
    assert plan_percent(start, deadline, dt.date(2026, 10, 6), NATIONAL_DAY) == Decimal("27.27")
    # the deadline day itself: 10 of 11 passed; after it: 100
    assert plan_percent(start, deadline, deadline, NATIONAL_DAY) == Decimal("90.91")
    assert plan_percent(start, deadline, dt.date(2026, 10, 17), NATIONAL_DAY) == 100


def status(today: dt.date, verified: str = "0", state: str = "open") -> D:
    return display_status(
        state=state,
        start_date=dt.date(2026, 9, 28),
        deadline=dt.date(2026, 10, 16),
        verified_percent=Decimal(verified),
        today=today,
        calendar=NATIONAL_DAY,
        margin=MARGIN,
    )


def test_display_status_in_order() -> None:
    assert status(dt.date(2026, 9, 20)) == D.NOT_STARTED  # before the start
    assert status(dt.date(2026, 9, 28)) == D.NOT_STARTED  # nothing verified, plan 0
    assert status(dt.date(2026, 9, 30), "10") == D.ON_TRACK  # plan 18.18: behind by 8.18
    assert status(dt.date(2026, 10, 8), "10") == D.LAGGING  # plan 27.27: behind by 17.27
    assert status(dt.date(2026, 10, 8), "0") == D.LAGGING  # nothing verified and behind
    assert status(dt.date(2026, 10, 16), "99") == D.ON_TRACK  # the deadline day is on time
    assert status(dt.date(2026, 10, 17), "99") == D.OVERDUE
    assert status(dt.date(2026, 10, 17), "100", "completed") == D.COMPLETED
    assert status(dt.date(2026, 10, 17), "100", "closed") == D.CLOSED
    assert status(dt.date(2026, 10, 17), "0", "cancelled") == D.CANCELLED


def test_lagging_means_more_than_the_margin_behind() -> None:
    # plan 27.27 on Oct 8: 12.27 is 15.00 behind (not more than the margin), 12.26 is
    plan = plan_percent(
        dt.date(2026, 9, 28), dt.date(2026, 10, 16), dt.date(2026, 10, 8), NATIONAL_DAY
    )
    assert plan - Decimal("12.27") == MARGIN
    assert status(dt.date(2026, 10, 8), "12.27") == D.ON_TRACK
    assert status(dt.date(2026, 10, 8), "12.26") == D.LAGGING


def test_split_gap_and_rollup() -> None:
    gap = SplitGap(target=Decimal(100), assigned=Decimal(90), children=2)
    assert gap.gap == 10 and not gap.complete
    assert SplitGap(Decimal(100), Decimal(100), 2).complete
    assert rollup(Decimal(100), [(Decimal(30), Decimal(50)), (None, Decimal(0))]) == (
        Decimal(30),
        Decimal("30.00"),
    )
    assert rollup(None, [(None, Decimal(50)), (None, Decimal(25))]) == (None, Decimal("37.50"))
