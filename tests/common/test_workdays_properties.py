"""Properties of the definitions, on random calendars (pure) and on the official one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.common import workdays
from grassroots.common.workdays import (
    WorkCalendar,
    add_work_hours,
    add_workdays,
    is_workday,
    office_hours,
    work_hours_between,
    workdays_between,
)
from tests.conftest import ensure_seeded

CST = ZoneInfo("Asia/Shanghai")

# --- random calendars, no database -------------------------------------------------------

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2028, 12, 31)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    holidays = draw(st.sets(st.dates(FIRST, LAST), max_size=80))
    weekends = st.dates(FIRST, LAST).filter(lambda day: day.weekday() >= 5)
    worked = draw(st.sets(weekends, max_size=25)) - holidays
    return WorkCalendar(holidays, worked)


days = st.dates(dt.date(2023, 6, 1), dt.date(2029, 6, 30))
counts = st.integers(-400, 400)


def brute_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    low, high, sign = (start, end, 1) if start <= end else (end, start, -1)
    total = 0
    day = low + dt.timedelta(days=1)
    while day <= high:
        total += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return sign * total


@given(calendars(), days, days)
def test_between_is_the_count_of_working_days_after_start_up_to_end(
    calendar: WorkCalendar, start: dt.date, end: dt.date
) -> None:
    assert calendar.workdays_between(start, end) == brute_between(calendar, start, end)


@given(calendars(), days, counts)
def test_add_lands_on_a_working_day_n_working_days_away(
    calendar: WorkCalendar, day: dt.date, n: int
) -> None:
    result = calendar.add_workdays(day, n)
    assert calendar.is_workday(result)
    if n != 0 or calendar.is_workday(day):
        assert calendar.workdays_between(day, result) == n
    else:  # n = 0 on a day off: the next working day
        assert calendar.workdays_between(day, result) == 1
        assert all(
            not calendar.is_workday(day + dt.timedelta(days=k)) for k in range((result - day).days)
        )


@given(calendars(), days, counts)
def test_add_is_monotonic_in_n(calendar: WorkCalendar, day: dt.date, n: int) -> None:
    here, there = calendar.add_workdays(day, n), calendar.add_workdays(day, n + 1)
    if n == 0 and not calendar.is_workday(day):
        assert here == there
    else:
        assert here < there


@given(calendars(), days, st.integers(1, 300), st.integers(1, 300))
def test_add_composes(calendar: WorkCalendar, day: dt.date, a: int, b: int) -> None:
    assert calendar.add_workdays(calendar.add_workdays(day, a), b) == calendar.add_workdays(
        day, a + b
    )


@given(calendars(), days, days, days)
def test_between_is_additive(calendar: WorkCalendar, a: dt.date, b: dt.date, c: dt.date) -> None:
    between = calendar.workdays_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(a, b) == -between(b, a)


# --- the official calendar in the database -------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),  # noqa: DTZ001 — bounds of aware values
    max_value=dt.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([CST, dt.UTC]),
)
hours = st.decimals(min_value=0, max_value=300, places=2)

db_settings = settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def official(db: None) -> None:
    ensure_seeded()
    workdays.current_calendar()


@db_settings
@given(moment=moments, n=counts)
def test_official_deadline_is_the_end_of_a_working_day(
    official: None, moment: dt.datetime, n: int
) -> None:
    deadline = add_workdays(moment, n)
    assert is_workday(deadline)
    assert deadline.time() == dt.time.max
    if n != 0 or is_workday(moment):
        assert workdays_between(moment, deadline) == n
    assert add_workdays(moment, n + 1) >= deadline


@db_settings
@given(moment=moments, a=hours, b=hours)
def test_official_work_hours_add_up(
    official: None, moment: dt.datetime, a: Decimal, b: Decimal
) -> None:
    first = add_work_hours(moment, a)
    assert first >= moment
    assert add_work_hours(first, b) == add_work_hours(moment, a + b)
    assert work_hours_between(moment, first) == dt.timedelta(microseconds=int(a * 3_600_000_000))
    assert add_work_hours(moment, a + b) >= first


@db_settings
@given(moment=moments, h=hours.filter(lambda h: h > 0))
def test_official_work_hours_end_inside_office_time(
    official: None, moment: dt.datetime, h: Decimal
) -> None:
    result = add_work_hours(moment, h)
    assert is_workday(result)
    position = dt.timedelta(
        hours=result.hour,
        minutes=result.minute,
        seconds=result.second,
        microseconds=result.microsecond,
    )
    spans = [
        (dt.timedelta(microseconds=start), dt.timedelta(microseconds=end))
        for start, end in office_hours().spans
    ]
    assert any(start < position <= end for start, end in spans)
