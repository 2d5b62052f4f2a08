"""Working days and hours on the official calendar: real 2025/2026 holidays, the edge
cases of the definitions, office hours, and how the snapshot follows the table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from grassroots.common import workdays
from grassroots.common.models import CalendarDay, CalendarDayKind, CalendarRevision
from grassroots.common.workdays import (
    add_work_hours,
    add_workdays,
    coverage_gap,
    is_workday,
    parse_work_hours,
    work_hours_between,
    workdays_between,
)
from tests.conftest import ensure_seeded

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _seeded() -> None:
    ensure_seeded()


def at(text: str) -> dt.datetime:
    """A moment in Beijing time: at("2026-09-24 10:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def end_of(text: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max, tzinfo=CST)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the official days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        # 2025 春节: 01-28..02-04 off; Sunday 01-26 and Saturday 02-08 worked
        ("2025-01-26", True),
        ("2025-01-27", True),
        ("2025-01-28", False),
        ("2025-02-04", False),
        ("2025-02-05", True),
        ("2025-02-08", True),
        # 2025 国庆节/中秋节: 10-01..08 off; Sunday 09-28 and Saturday 10-11 worked
        ("2025-09-28", True),
        ("2025-10-06", False),
        ("2025-10-08", False),
        ("2025-10-09", True),
        ("2025-10-11", True),
        # 2026 春节: 02-15..23 off; Saturdays 02-14 and 02-28 worked
        ("2026-02-14", True),
        ("2026-02-16", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),
        # 2026 中秋节 09-25..27 and 国庆节 10-01..07 off; Sunday 09-20, Saturday 10-10 worked
        ("2026-09-20", True),
        ("2026-09-24", True),
        ("2026-09-25", False),
        ("2026-09-27", False),
        ("2026-09-28", True),
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),
        ("2026-10-11", False),
    ],
)
def test_real_holidays_and_make_up_days(day: str, worked: bool) -> None:
    assert is_workday(d(day)) is worked
    assert chinese_calendar.is_workday(d(day)) is worked


def test_dates_nobody_entered_count_monday_to_friday() -> None:
    # 2031-10-01 is a Wednesday: no row, so a working day; its weekend is not.
    assert is_workday(d("2031-10-01"))
    assert not is_workday(d("2031-10-04"))
    assert add_workdays(at("2031-09-26 10:00"), 5) == end_of("2031-10-03")  # Fri + 5 = Fri
    assert workdays_between(d("2031-01-01"), d("2032-01-01")) == 261


def test_is_workday_of_an_aware_datetime_takes_the_beijing_date() -> None:
    # 2026-09-24 20:00 UTC is 2026-09-25 04:00 in Beijing: 中秋节.
    assert not is_workday(dt.datetime(2026, 9, 24, 20, 0, tzinfo=dt.UTC))
    assert is_workday(dt.datetime(2026, 9, 24, 15, 0, tzinfo=dt.UTC))


# --- add_workdays ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "n", "deadline"),
    [
        # Thursday before the 2026 中秋/国庆 block
        ("2026-09-24 10:00", 1, "2026-09-28"),
        ("2026-09-24 10:00", 3, "2026-09-30"),
        ("2026-09-24 10:00", 4, "2026-10-08"),
        ("2026-09-24 10:00", 5, "2026-10-09"),
        ("2026-09-24 10:00", 6, "2026-10-10"),  # the make-up Saturday counts
        ("2026-09-24 10:00", 7, "2026-10-12"),
        # the day of receipt never counts, whatever the hour
        ("2026-09-30 07:00", 1, "2026-10-08"),
        ("2026-09-30 23:30", 1, "2026-10-08"),
        # received on a holiday or a weekend: counted as from the working day before
        ("2026-10-03 11:00", 1, "2026-10-08"),
        ("2026-10-07 23:59", 1, "2026-10-08"),
        ("2026-10-11 09:00", 1, "2026-10-12"),
        # 2025 春节: Monday 01-27, then 01-28..02-04 off
        ("2025-01-27 16:00", 1, "2025-02-05"),
        ("2025-01-25 16:00", 1, "2025-01-26"),  # Saturday → the make-up Sunday
        # n = 0: today if a working day, else the next one
        ("2026-09-24 10:00", 0, "2026-09-24"),
        ("2026-10-03 10:00", 0, "2026-10-08"),
        # backwards
        ("2026-10-08 09:00", -1, "2026-09-30"),
        ("2026-10-03 09:00", -1, "2026-09-29"),  # a holiday counts as 09-30 did
        ("2026-10-12 09:00", -2, "2026-10-09"),
    ],
)
def test_add_workdays(moment: str, n: int, deadline: str) -> None:
    result = add_workdays(at(moment), n)
    assert result == end_of(deadline)
    assert result.tzinfo is not None
    assert result.utcoffset() == dt.timedelta(hours=8)


def test_add_workdays_uses_the_beijing_date_of_a_utc_moment() -> None:
    # 2026-09-27 17:00 UTC is Monday 2026-09-28 01:00 in Beijing.
    assert add_workdays(dt.datetime(2026, 9, 27, 17, 0, tzinfo=dt.UTC), 1) == end_of("2026-09-29")


def test_add_workdays_rejects_naive_moments_and_bad_counts() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_workdays(dt.datetime(2026, 9, 24, 10, 0), 1)  # noqa: DTZ001
    with pytest.raises(TypeError):
        add_workdays(at("2026-09-24 10:00"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_workdays(d("2026-09-24"), 1)  # type: ignore[arg-type]


def test_far_counts_need_few_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    workdays.current_calendar()  # warm
    calls = 0
    original = workdays.WorkCalendar._index

    def counting(self: workdays.WorkCalendar, ordinal: int) -> int:
        nonlocal calls
        calls += 1
        return original(self, ordinal)

    monkeypatch.setattr(workdays.WorkCalendar, "_index", counting)
    deadline = add_workdays(at("2016-01-04 10:00"), 2000)
    assert calls < 60
    calls = 0
    assert workdays_between(at("2016-01-04 10:00"), deadline) == 2000
    assert calls == 2


# --- workdays_between ------------------------------------------------------------------


def test_workdays_between_counts_after_the_start_up_to_the_end() -> None:
    # after Thursday 09-24 up to Monday 10-12: 09-28, 29, 30, 10-08, 09, 10 (Sat), 12
    assert workdays_between(at("2026-09-24 10:00"), at("2026-10-12 08:00")) == 7
    assert workdays_between(d("2026-09-24"), d("2026-10-12")) == 7
    assert workdays_between(at("2026-10-12 08:00"), at("2026-09-24 10:00")) == -7
    assert workdays_between(at("2026-09-24 08:00"), at("2026-09-24 23:00")) == 0
    assert workdays_between(d("2026-09-24"), d("2026-09-27")) == 0  # only days off after
    assert workdays_between(d("2026-09-27"), d("2026-09-28")) == 1


def test_workdays_between_over_ten_years_matches_chinese_calendar() -> None:
    start, end = d("2016-01-01"), d("2026-12-31")
    expected = len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), end))
    assert workdays_between(start, end) == expected


# --- working hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "hours", "result"),
    [
        ("2026-09-24 09:00", 2, "2026-09-24 11:00"),
        ("2026-09-24 11:00", 1, "2026-09-24 12:00"),  # ends at the span's end
        ("2026-09-24 11:00", 2, "2026-09-24 15:30"),  # across lunch
        ("2026-09-24 12:30", 1, "2026-09-24 15:30"),  # from lunch
        ("2026-09-24 07:00", 1, "2026-09-24 09:30"),  # before office
        ("2026-09-23 17:00", 2, "2026-09-24 09:30"),  # across the evening
        ("2026-09-24 17:00", 2, "2026-09-28 09:30"),  # across 中秋节 and its weekend
        ("2026-09-30 17:00", 8, "2026-10-08 18:00"),  # across 国庆节: 1 h + a 7-hour day
        ("2026-10-09 17:00", 2, "2026-10-10 09:30"),  # onto the make-up Saturday
        ("2026-10-10 19:00", 1, "2026-10-12 09:30"),  # across a plain Sunday
        ("2026-09-24 09:00", Decimal("0.5"), "2026-09-24 09:30"),
        ("2026-09-24 09:00", 1.25, "2026-09-24 10:15"),
        ("2026-09-24 09:00", 70, "2026-10-15 09:00"),  # ten working days
    ],
)
def test_add_work_hours(moment: str, hours: Any, result: str) -> None:
    assert add_work_hours(at(moment), hours) == at(result)


def test_add_work_hours_edges() -> None:
    evening = at("2026-09-24 20:00")
    assert add_work_hours(evening, 0) == evening
    utc = dt.datetime(2026, 9, 24, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
    result = add_work_hours(utc, 1)
    assert result == at("2026-09-24 10:00")
    assert result.tzinfo == CST
    with pytest.raises(ValueError, match="negative"):
        add_work_hours(evening, -1)
    with pytest.raises(ValueError, match="finite"):
        add_work_hours(evening, float("nan"))
    with pytest.raises(TypeError):
        add_work_hours(evening, "2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        add_work_hours(dt.datetime(2026, 9, 24, 9, 0), 1)  # noqa: DTZ001


def test_work_hours_between() -> None:
    start, end = at("2026-09-24 09:00"), at("2026-09-28 10:00")
    # 09:00-12:00 and 14:30-18:00 on Thursday, then 08:30-10:00 on Monday
    assert work_hours_between(start, end) == dt.timedelta(hours=8)
    assert work_hours_between(end, start) == dt.timedelta(hours=-8)
    assert work_hours_between(at("2026-10-01 09:00"), at("2026-10-07 17:00")) == dt.timedelta()


def test_other_office_hours(settings: Any) -> None:
    settings.WORK_HOURS = ["09:00-17:00"]
    assert add_work_hours(at("2026-09-24 16:00"), 2) == at("2026-09-28 10:00")
    settings.WORK_HOURS = ["00:00-24:00"]
    # the earliest instant with one hour counted: Thursday's end, i.e. Friday 00:00
    assert add_work_hours(at("2026-09-24 23:00"), 1) == at("2026-09-25 00:00")
    assert add_work_hours(at("2026-09-24 23:00"), 2) == at("2026-09-28 01:00")


@pytest.mark.parametrize(
    "spans",
    [
        [],
        ["8:30-12:00"],
        ["08:30-12:00 "],
        ["08:30~12:00"],
        ["12:00-08:30"],
        ["08:30-08:30"],
        ["08:30-12:00", "11:00-18:00"],
        ["14:30-18:00", "08:30-12:00"],
        ["25:00-26:00"],
        ["08:60-09:00"],
        ["08:00-24:30"],
        "08:30-12:00",
    ],
)
def test_bad_work_hours_are_refused(spans: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="WORK_HOURS"):
        parse_work_hours(spans)


def test_good_work_hours_parse() -> None:
    office = parse_work_hours(["08:30-12:00", "12:00-13:00", "14:30-24:00"])
    assert office.per_day == int(3.5 * 3600e6) + 3600_000_000 + int(9.5 * 3600e6)


# --- coverage --------------------------------------------------------------------------


def test_coverage_gap() -> None:
    last = max(chinese_calendar.holidays).year
    assert coverage_gap(d(f"{last}-06-01")) == []
    assert coverage_gap(d(f"{last}-11-25")) == [last + 1]
    assert coverage_gap(d(f"{last}-11-25"), horizon_days=30) == []
    assert coverage_gap(d("2040-12-15")) == [2040, 2041]
    with pytest.raises(ValueError, match="horizon"):
        coverage_gap(d("2026-01-01"), horizon_days=-1)


# --- the snapshot follows the table ------------------------------------------------------


def test_an_orm_write_is_seen_at_once() -> None:
    monday = d("2031-06-02")
    assert is_workday(monday)
    day = CalendarDay.objects.create(date=monday, kind=CalendarDayKind.HOLIDAY, name="测试")
    assert not is_workday(monday)
    assert day.notice_year == 2031
    day.delete()
    assert is_workday(monday)


def test_a_rolled_back_write_is_forgotten() -> None:
    monday = d("2031-06-02")
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(date=monday, kind=CalendarDayKind.HOLIDAY)
        assert not is_workday(monday)
        raise RuntimeError
    assert is_workday(monday)


def test_a_change_by_another_process_is_seen_after_the_recheck_interval(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    now = [1000.0]
    monkeypatch.setattr(workdays, "_clock", lambda: now[0])
    monday = d("2031-06-02")
    assert is_workday(monday)
    # As if no local write were pending (the test itself runs inside a transaction).
    snapshot = workdays._snapshot
    monkeypatch.setattr(snapshot, "checked", snapshot.stale)
    monkeypatch.setattr(snapshot, "checked_at", now[0])
    with django_assert_num_queries(0):
        assert is_workday(monday)
    # Another process's write: no signal reaches this one; its token changes with it.
    CalendarDay.objects.bulk_create([CalendarDay(date=monday, kind="holiday", notice_year=2031)])
    CalendarRevision.objects.update(token="other-process")
    assert is_workday(monday)  # still trusted within the interval
    now[0] += workdays.RECHECK_SECONDS + 0.1
    assert not is_workday(monday)
    assert workdays.current_calendar().token == CalendarRevision.current() == "other-process"
    with django_assert_num_queries(0):
        assert not is_workday(monday)
