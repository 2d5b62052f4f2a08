"""The data migration seeds chinese-calendar's years, names included, and reverses."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.apps import apps as django_apps

from grassroots.common import workdays
from grassroots.common.models import CalendarDay, CalendarDayKind, CalendarYear
from tests.conftest import LAST_LIBRARY_YEAR, ensure_seeded, seed_migration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded() -> None:
    ensure_seeded()


def test_every_seeded_date_agrees_with_chinese_calendar() -> None:
    day = dt.date(2004, 1, 1)
    disagreements = []
    while day.year <= LAST_LIBRARY_YEAR:
        if workdays.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


def test_years_are_marked_complete_with_the_library_as_source() -> None:
    years = CalendarYear.objects.all()
    assert [y.year for y in years] == list(range(2004, LAST_LIBRARY_YEAR + 1))
    assert all(y.complete for y in years)
    assert {y.source for y in years} == {f"chinese-calendar {chinese_calendar.__version__}"}


def test_the_issue_examples_for_2026_hold_and_carry_official_names() -> None:
    days = {d.date: d for d in CalendarDay.objects.filter(notice_year=2026)}
    for day in (25, 26, 27):
        assert days[dt.date(2026, 9, day)].kind == CalendarDayKind.HOLIDAY
        assert days[dt.date(2026, 9, day)].name == "中秋节"
    for day in range(1, 8):
        assert days[dt.date(2026, 10, day)].kind == CalendarDayKind.HOLIDAY
        assert days[dt.date(2026, 10, day)].name == "国庆节"
    assert days[dt.date(2026, 9, 20)].kind == CalendarDayKind.WORKDAY  # a Sunday worked
    assert days[dt.date(2026, 10, 10)].kind == CalendarDayKind.WORKDAY  # a Saturday worked
    assert days[dt.date(2026, 9, 20)].name == "国庆节"
    assert days[dt.date(2026, 4, 4)].name == "清明节"
    assert days[dt.date(2026, 6, 19)].name == "端午节"


def test_december_days_of_new_year_belong_to_the_next_notice() -> None:
    december = CalendarDay.objects.filter(date__gte=dt.date(2018, 12, 29), date__year=2018)
    assert {(d.date.day, d.kind, d.notice_year) for d in december} == {
        (29, CalendarDayKind.WORKDAY, 2019),
        (30, CalendarDayKind.HOLIDAY, 2019),
        (31, CalendarDayKind.HOLIDAY, 2019),
    }


def test_migration_reverses_and_reapplies() -> None:
    count = CalendarDay.objects.count()
    migration = seed_migration()
    migration.unseed_calendar(django_apps, None)
    assert CalendarDay.objects.count() == 0
    assert CalendarYear.objects.count() == 0
    assert workdays.is_workday(dt.date(2026, 10, 1))  # a Thursday, without the calendar
    migration.seed_calendar(django_apps, None)
    assert CalendarDay.objects.count() == count
    assert not workdays.is_workday(dt.date(2026, 10, 1))


def test_reversal_keeps_years_entered_by_the_office() -> None:
    CalendarYear.objects.create(year=2027, complete=True, source="国办发明电〔2026〕x号")
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind=CalendarDayKind.HOLIDAY)
    seed_migration().unseed_calendar(django_apps, None)
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2027]
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
