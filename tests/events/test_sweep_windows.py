"""The sweep's deadline ranges agree with the definitions in working hours.

For any two consecutive sweep times a < b and any deadline r:
- reminded in (a, b]  ⇔  work_hours_between(a, r) > R ≥ work_hours_between(b, r);
- escalated in (a, b] ⇔  work_hours_between(r, a) < M ≤ work_hours_between(r, b);
and consecutive windows cover the deadlines without gap or overlap.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from tests.events.reporting_support import CST

pytestmark = pytest.mark.usefixtures("official_calendar")

START = dt.datetime(2026, 9, 1, tzinfo=CST)
# Moments over four months with the National Day holiday, on a 15-minute grid and
# also at arbitrary microseconds, so that span edges and midnights come up.
minutes = st.integers(min_value=0, max_value=120 * 24 * 60)
jitter = st.sampled_from([0, 1, 59_999_999, 30_000_000])
moment = st.builds(lambda m, j: START + dt.timedelta(minutes=m, microseconds=j), minutes, jitter)
HOURS = dt.timedelta(hours=1)


def _in(value: dt.datetime, bounds: tuple[dt.datetime, dt.datetime]) -> bool:
    return bounds[0] < value <= bounds[1]


@examples(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=moment, b=moment, r=moment, lead=st.sampled_from([1, 4, 7, 8, 20]))
def test_remind_range_is_the_definition(
    db: Any, settings: Any, a: dt.datetime, b: dt.datetime, r: dt.datetime, lead: int
) -> None:
    from grassroots.common.workdays import work_hours_between
    from grassroots.events.sweep import Windows

    a, b = min(a, b), max(a, b)
    settings.EVENT_REMIND_BEFORE_HOURS = lead
    windows = Windows.of(a, b)
    assert windows.remind is not None
    expected = work_hours_between(a, r) > lead * HOURS >= work_hours_between(b, r)
    assert _in(r, windows.remind) == expected


@examples(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=moment, b=moment, r=moment, margin=st.sampled_from([1, 3, 8, 16]))
def test_escalate_range_is_the_definition(
    db: Any, settings: Any, a: dt.datetime, b: dt.datetime, r: dt.datetime, margin: int
) -> None:
    from grassroots.common.workdays import work_hours_between
    from grassroots.events.sweep import Windows

    a, b = min(a, b), max(a, b)
    settings.EVENT_ESCALATE_AFTER_HOURS = margin
    windows = Windows.of(a, b)
    expected = work_hours_between(r, a) < margin * HOURS <= work_hours_between(r, b)
    assert _in(r, windows.escalate) == expected
    if expected:
        assert r < b  # never before the lapse


@examples(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(times=st.lists(moment, min_size=3, max_size=6, unique=True))
def test_consecutive_windows_tile_the_deadlines(db: Any, times: list[dt.datetime]) -> None:
    from grassroots.events.sweep import Windows

    times.sort()
    ranges = [Windows.of(a, b) for a, b in itertools.pairwise(times)]
    for before, after in itertools.pairwise(ranges):
        assert before.remind is not None and after.remind is not None
        assert before.remind[1] == after.remind[0]
        assert before.escalate[1] == after.escalate[0]


def test_clock_matches_work_hours_between(db: Any) -> None:
    from grassroots.common.workdays import work_hours_between
    from grassroots.events.sweep import latest_at_clock, office_clock

    a = dt.datetime(2026, 9, 30, 17, 0, tzinfo=CST)
    b = dt.datetime(2026, 10, 8, 9, 0, tzinfo=CST)
    assert dt.timedelta(microseconds=office_clock(b) - office_clock(a)) == work_hours_between(a, b)
    # The latest instant at Wednesday 18:00's clock is the start of office time on the
    # next working day after the holiday: Thursday 10-08 08:30 (minus nothing).
    clock = office_clock(dt.datetime(2026, 9, 30, 18, 0, tzinfo=CST))
    assert latest_at_clock(clock, a) == dt.datetime(2026, 10, 8, 8, 30, tzinfo=CST)
    inside = office_clock(dt.datetime(2026, 10, 8, 9, 0, tzinfo=CST))
    assert latest_at_clock(inside, a) == dt.datetime(2026, 10, 8, 9, 0, tzinfo=CST)
