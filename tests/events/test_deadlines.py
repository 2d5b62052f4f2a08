"""Deadlines on the official calendar: holidays, make-up workdays, working hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from grassroots.events import actions, deadlines
from grassroots.events.errors import EventError
from grassroots.events.models import Category, Event
from grassroots.events.queries import EventQuerySet  # noqa: F401 -- the overdue filter

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(*parts: int) -> dt.datetime:
    """A moment in 西昌 local time."""
    return dt.datetime(*parts, tzinfo=TZ)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def test_reported_before_national_day_is_due_after_it(
    report: Callable[..., Any], official_calendar: None, backdated: None
) -> None:
    """2026-09-30 + 3 working days: 10-01…10-07 are the holiday; 10-08, 10-09 and the
    make-up Saturday 10-10 count."""
    with time_machine.travel(dt.datetime(2026, 9, 30, 17, 0, tzinfo=TZ), tick=False):
        event = report()
    assert local(event.resolve_by) == at(2026, 10, 10, 23, 59, 59, 999999)
    # 2 working hours from 17:00: one hour that day, one on the first day back
    assert local(event.respond_by) == at(2026, 10, 8, 9, 30)
    with time_machine.travel(dt.datetime(2026, 10, 10, 23, 0, tzinfo=TZ), tick=False):
        assert not Event.objects.overdue().exists()
    with time_machine.travel(dt.datetime(2026, 10, 11, 0, 0, 1, tzinfo=TZ), tick=False):
        assert list(Event.objects.overdue()) == [event]


def test_reported_on_a_saturday_counts_like_friday(
    report: Callable[..., Any], official_calendar: None, backdated: None
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 21, 10, 0, tzinfo=TZ), tick=False):
        event = report()
    assert local(event.resolve_by).date() == dt.date(2026, 11, 25)  # Mon, Tue, Wed
    assert local(event.respond_by) == at(2026, 11, 23, 10, 30)


def test_pure_deadline_functions(category: Category, official_calendar: None) -> None:
    moment = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    respond, resolve = deadlines.initial_deadlines(category, moment)
    assert local(respond) == at(2026, 9, 30, 12, 0)
    assert local(resolve).date() == dt.date(2026, 10, 10)
    category.response_hours = Decimal("4.5")
    assert local(deadlines.respond_deadline(category, moment)) == at(2026, 9, 30, 17, 0)
    assert local(deadlines.reopen_deadline(category, moment)) == local(resolve)


def test_check_new_deadline() -> None:
    now = timezone.now()
    later = now + dt.timedelta(hours=1)
    assert deadlines.check_new_deadline(later, now=now) == later
    for bad, code in (
        (now, "past"),
        (now - dt.timedelta(days=1), "past"),
        (dt.datetime(2030, 1, 1), "naive_datetime"),  # noqa: DTZ001 -- naive on purpose
        ("2030-01-01", "invalid"),
    ):
        with pytest.raises(EventError) as info:
            deadlines.check_new_deadline(bad, now=now)
        assert (info.value.field, info.value.code) == ("resolve_by", code)


def test_is_overdue() -> None:
    now = timezone.now()
    past = now - dt.timedelta(seconds=1)
    assert deadlines.is_overdue(past, open_=True, now=now)
    assert not deadlines.is_overdue(past, open_=False, now=now)
    assert not deadlines.is_overdue(None, open_=True, now=now)
    assert not deadlines.is_overdue(now + dt.timedelta(seconds=1), open_=True, now=now)


def test_escalation_keeps_the_deadline_and_set_deadline_moves_it(
    report: Callable[..., Any],
    village_cadre: Any,
    xc_secretary: Any,
    official_calendar: None,
    backdated: None,
) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 30, 17, 0, tzinfo=TZ), tick=False):
        event = report()
        due = event.resolve_by
        event = actions.escalate_event(event.pk, actor=village_cadre)
        assert event.resolve_by == due
        new = dt.datetime(2026, 10, 16, 18, 0, tzinfo=TZ)
        event = actions.set_deadline(event.pk, actor=xc_secretary, resolve_by=new, reason="节后")
        assert event.resolve_by == new
