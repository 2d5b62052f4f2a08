"""Working days and working hours on China's official calendar.

Definitions used by every function here (dates are local dates in ``settings.TIME_ZONE``;
a datetime argument must be aware and is first converted to that zone):

* **working day**: a date with a ``CalendarDay`` row of kind *workday* (调休上班), or a
  Monday–Friday without a row of kind *holiday*. Dates no one has entered — years beyond
  the table included — therefore count Monday–Friday.
* **working-day index** ``idx(d)``: the number of working days up to and including ``d``
  (from a fixed origin). It grows by one on each working day and stays flat otherwise, so
  a non-working day has the index of the working day before it.
* ``workdays_between(a, b) = idx(b) − idx(a)``: for ``a ≤ b`` the number of working days
  ``d`` with ``a < d ≤ b`` (the start day does not count, the end day does); for
  ``a > b`` the negative of ``workdays_between(b, a)``; zero when both fall on the same
  day, or when only non-working days lie after ``a`` up to ``b``.
* ``add_workdays(m, n)``, the deadline "within n working days" (the day of ``m`` does
  not count: 次日起算, Civil Code art. 201): the end (23:59:59.999999) of the working day
  ``D`` with ``idx(D) = idx(m) + n``. For ``n ≥ 1`` that is the n-th working day after the
  day of ``m``, whatever the time of ``m`` (before or after office hours: the whole day
  of receipt is free) and whether or not that day is a working day (a Saturday receipt
  is due as a Friday one). For ``n ≤ −1`` the day of ``m`` counts as the working day it
  shares its index with: ``add_workdays(Saturday, −1)`` is the end of Thursday, as for
  Friday. ``n = 0`` is the end of the day of ``m`` when it is a working day, otherwise
  the end of the next working day. Hence ``workdays_between(m, add_workdays(m, n)) == n``
  for every ``n ≠ 0`` (and for ``n = 0`` when ``m`` falls on a working day).
* **office time**: the spans of ``settings.WORK_HOURS`` (``["08:30-12:00",
  "14:30-18:00"]``) on working days, as local wall-clock time.
* ``work_hours_between(a, b)``: the office time in ``[a, b)`` (negative when ``b < a``).
* ``add_work_hours(m, h)`` (``h ≥ 0``): the earliest instant ``t ≥ m`` such that the
  office time in ``[m, t)`` is ``h`` hours (rounded to the microsecond). A count that
  ends exactly at the end of a span returns that end (12:00, not 14:30); a moment
  outside office time starts counting at the next span; ``h = 0`` returns ``m``. Hence
  ``add_work_hours(add_work_hours(m, a), b) == add_work_hours(m, a + b)``.

Speed: the calendar is an in-memory snapshot of the exceptions; ``idx`` is whole-week
arithmetic plus two binary searches over the sorted exceptions, and the day with a given
index is found by galloping binary search on ``idx``: every function is O(log) in the
distance and the number of exceptions, never one step per day.

Freshness across processes: every write to the calendar tables gives ``CalendarRevision``
a new random token in the writer's transaction (signal receivers; bulk writers call
``models.calendar_changed()``). A process keeps its snapshot with the token it was
loaded under and, at most every ``RECHECK_SECONDS``, reads the current token (one
primary-key lookup), reloading when it differs. So a committed change reaches every web
and worker process within ``RECHECK_SECONDS``, and the writing process sees it at once.
A token rather than a counter: a rolled-back transaction restores the previous token, and
a counter could then be reused by a later, different change, leaving a stale snapshot
that looks current; a random token is never reused. After a local write, the token is
checked on every call until a check happens outside any transaction, so that a snapshot
read inside a transaction that then rolls back is not trusted for ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

#: How long a process trusts its snapshot before it checks the revision token again.
RECHECK_SECONDS = 5.0

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR

Hours = int | float | Decimal


# --- the pure calendar ----------------------------------------------------------------


class WorkCalendar:
    """The official calendar as plain data: the exceptions to Monday–Friday.

    ``holidays`` are days off (a Monday–Friday among them is a working day lost; a
    weekend one changes nothing); ``workdays`` are days worked (a weekend one is a
    working day gained). No date may be in both.
    """

    def __init__(
        self,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        covered_years: Iterable[int] = (),
        *,
        token: str = "",
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")
        self.covered_years = frozenset(covered_years)
        self.token = token
        # Ordinals (date.toordinal(); ordinal 1 is a Monday) of the exceptions that move
        # the count away from Monday–Friday.
        self._lost = sorted(d.toordinal() for d in self.holidays if d.weekday() < 5)
        self._gained = sorted(d.toordinal() for d in self.workdays if d.weekday() >= 5)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5

    def index(self, day: dt.date) -> int:
        """``idx(day)``: the working days from the origin up to and including ``day``."""
        return self._index(day.toordinal())

    def _index(self, ordinal: int) -> int:
        weeks, rest = divmod(ordinal, 7)
        mondays_to_fridays = weeks * 5 + min(rest, 5)
        return (
            mondays_to_fridays
            - bisect_right(self._lost, ordinal)
            + bisect_right(self._gained, ordinal)
        )

    def _first_with_index(self, target: int, near: int) -> int:
        """The smallest ordinal whose index is ≥ ``target``: the working day with index
        ``target``, since the index rises by one exactly on working days. ``near`` is
        where to start looking."""
        step = 8
        if self._index(near) >= target:
            high = near
            low = near - step
            while self._index(low) >= target:
                high, step = low, step * 2
                low = near - step
        else:
            low = near
            high = near + step
            while self._index(high) < target:
                low, step = high, step * 2
                high = near + step
        while high - low > 1:  # index(low) < target <= index(high)
            middle = (low + high) // 2
            if self._index(middle) >= target:
                high = middle
            else:
                low = middle
        return high

    def workday_with_index(self, target: int, near: dt.date) -> dt.date:
        ordinal = self._first_with_index(target, near.toordinal())
        if not 1 <= ordinal <= dt.date.max.toordinal():
            raise OverflowError("the result is outside the supported dates")
        return dt.date.fromordinal(ordinal)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The working day ``D`` with ``idx(D) = idx(day) + n`` (``n = 0``: ``day`` if it
        is a working day, else the next working day)."""
        if n == 0:
            if self.is_workday(day):
                return day
            n = 1
        return self.workday_with_index(self.index(day) + n, day)

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """``idx(end) − idx(start)``: working days in ``(start, end]``, negated if reversed."""
        return self.index(end) - self.index(start)

    # office time: positions are microseconds since local midnight

    def office_clock(self, day: dt.date, position: int, office: OfficeHours) -> int:
        """Office time (µs) from the origin to ``position`` on ``day``."""
        before = self._index(day.toordinal() - 1) * office.per_day
        return before + (office.elapsed(position) if self.is_workday(day) else 0)

    def office_instant(self, clock: int, near: dt.date, office: OfficeHours) -> tuple[dt.date, int]:
        """The earliest (day, position) whose ``office_clock`` is ``clock``."""
        full_days, rest = divmod(clock, office.per_day)
        if rest == 0:  # the end of the last span of the working day with that index
            return self.workday_with_index(full_days, near), office.spans[-1][1]
        return self.workday_with_index(full_days + 1, near), office.position(rest)


# --- office hours ---------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    """Office spans of one working day, as (start, end) µs since midnight, in order."""

    spans: tuple[tuple[int, int], ...]

    @property
    def per_day(self) -> int:
        return sum(end - start for start, end in self.spans)

    def elapsed(self, position: int) -> int:
        """Office time in ``[00:00, position)`` of a working day."""
        total = 0
        for start, end in self.spans:
            if position <= start:
                break
            total += min(position, end) - start
        return total

    def position(self, elapsed: int) -> int:
        """The earliest position with ``elapsed`` office time before it (0 < elapsed ≤
        per_day): inside a span, or exactly at a span's end."""
        for start, end in self.spans:
            if elapsed <= end - start:
                return start + elapsed
            elapsed -= end - start
        raise ValueError("more office time than one working day holds")


_SPAN_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def parse_work_hours(spans: Sequence[str]) -> OfficeHours:
    """Parse ``["08:30-12:00", "14:30-18:00"]`` strictly: ``HH:MM-HH:MM`` each (24:00
    allowed as an end), start before end, in order, not overlapping, at least one.

    Raises ``ImproperlyConfigured`` naming the bad span.
    """
    if isinstance(spans, str) or not spans:
        raise ImproperlyConfigured(
            "WORK_HOURS (GRASSROOTS_WORK_HOURS) must list at least one HH:MM-HH:MM span"
        )
    parsed: list[tuple[int, int]] = []
    for raw in spans:
        match = _SPAN_RE.match(raw) if isinstance(raw, str) else None
        if match is None:
            raise ImproperlyConfigured(
                f"WORK_HOURS span {raw!r} is not HH:MM-HH:MM (e.g. 08:30-12:00)"
            )
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise ImproperlyConfigured(f"WORK_HOURS span {raw!r} is not a valid time of day")
        start = (h1 * 60 + m1) * 60_000_000
        end = (h2 * 60 + m2) * 60_000_000
        if start >= end:
            raise ImproperlyConfigured(f"WORK_HOURS span {raw!r} must end after it starts")
        if parsed and start < parsed[-1][1]:
            raise ImproperlyConfigured(
                f"WORK_HOURS span {raw!r} must start after the previous span ends"
            )
        parsed.append((start, end))
    return OfficeHours(tuple(parsed))


@lru_cache(maxsize=8)
def _office_hours(spans: tuple[str, ...]) -> OfficeHours:
    return parse_work_hours(spans)


def office_hours() -> OfficeHours:
    """``settings.WORK_HOURS``, parsed (cached per value)."""
    return _office_hours(tuple(settings.WORK_HOURS))


# --- the snapshot of the database -----------------------------------------------------


class _Snapshot:
    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None
        self.checked_at = -math.inf
        # mark_stale() bumps ``stale``; a check outside any transaction catches
        # ``checked`` up. While they differ, every call checks the token.
        self.stale = 0
        self.checked = 0


_snapshot = _Snapshot()
_load_lock = threading.Lock()
_clock: Callable[[], float] = time.monotonic


def mark_stale() -> None:
    """Make this process check the revision token on its next calls (see the module)."""
    _snapshot.stale += 1


def current_calendar() -> WorkCalendar:
    """The calendar snapshot, reloaded when the database's revision token changed."""
    calendar = _snapshot.calendar
    now = _clock()
    stale = _snapshot.stale
    if (
        calendar is not None
        and stale == _snapshot.checked
        and now - _snapshot.checked_at < RECHECK_SECONDS
    ):
        return calendar
    from grassroots.common.models import CalendarRevision

    token = CalendarRevision.current()
    if calendar is None or calendar.token != token:
        with _load_lock:
            calendar = _snapshot.calendar
            if calendar is None or calendar.token != token:
                calendar = _load(token)
                _snapshot.calendar = calendar
    _snapshot.checked_at = now
    if not connection.in_atomic_block:
        _snapshot.checked = stale
    return calendar


def _load(token: str) -> WorkCalendar:
    from grassroots.common.models import CalendarDay, CalendarDayKind, CalendarYear

    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in CalendarDay.objects.order_by().values_list("date", "kind"):
        (workdays if kind == CalendarDayKind.WORKDAY else holidays).append(day)
    covered = CalendarYear.objects.filter(complete=True).order_by().values_list("year", flat=True)
    return WorkCalendar(holidays, workdays, covered, token=token)


# --- the public functions -------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"expected an aware datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: an aware datetime is required")
    return moment.astimezone(_zone())


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local(value).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or an aware datetime, not {type(value).__name__}")


def _position(local: dt.datetime) -> int:
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def _at(day: dt.date, position: int) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(microseconds=position)
    return naive.replace(tzinfo=_zone())


def _microseconds(hours: Hours) -> int:
    if isinstance(hours, bool) or not isinstance(hours, int | float | Decimal):
        raise TypeError(f"hours must be a number, not {type(hours).__name__}")
    if isinstance(hours, int):
        return hours * US_PER_HOUR
    value = Decimal(hours)
    if not value.is_finite():
        raise ValueError(f"hours must be finite, not {hours}")
    return int((value * US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN))


def is_workday(day: dt.date | dt.datetime) -> bool:
    """Whether ``day`` (an aware datetime: its local date) is a working day."""
    return current_calendar().is_workday(_local_date(day))


def add_workdays(moment: dt.datetime, n: int) -> dt.datetime:
    """The deadline ``n`` working days after ``moment``: the end (23:59:59.999999, in
    ``settings.TIME_ZONE``) of the working day ``D`` with ``idx(D) = idx(moment) + n``.

    The day of ``moment`` never counts, whatever its time: n = 1 from Monday 07:00 or
    Monday 23:00 is the end of Tuesday, and from Saturday or Sunday the end of Monday
    (as from Friday). ``n = 0``: the end of the day of ``moment`` if it is a working
    day, else of the next working day. ``n < 0``: counted backwards the same way.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    day = current_calendar().add_workdays(_local(moment).date(), n)
    return dt.datetime.combine(day, dt.time.max).replace(tzinfo=_zone())


def workdays_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days ``d`` with ``start < d ≤ end`` (local dates): the day of ``start``
    does not count, the day of ``end`` does; ``−workdays_between(end, start)`` when
    ``end`` is before ``start``. Additive: ``between(a, b) + between(b, c) ==
    between(a, c)``."""
    return current_calendar().workdays_between(_local_date(start), _local_date(end))


def add_work_hours(moment: dt.datetime, hours: Hours) -> dt.datetime:
    """The earliest instant ``t ≥ moment`` with ``hours`` of office time in ``[moment,
    t)`` (``settings.WORK_HOURS`` on working days), in ``settings.TIME_ZONE``.

    ``hours`` is rounded to the microsecond and must not be negative. Counting that ends
    at the end of a span returns that end; a moment outside office time (evening,
    lunch, weekend, holiday) starts counting at the next span; ``hours = 0`` returns
    ``moment`` itself.
    """
    amount = _microseconds(hours)
    if amount < 0:
        raise ValueError(f"hours must not be negative, not {hours}")
    local = _local(moment)
    if amount == 0:
        return local
    calendar, office = current_calendar(), office_hours()
    start = calendar.office_clock(local.date(), _position(local), office)
    day, position = calendar.office_instant(start + amount, local.date(), office)
    return _at(day, position)


def work_hours_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Office time in ``[start, end)``; negative (the time in ``[end, start)``) when
    ``end`` is before ``start``. ``work_hours_between(m, add_work_hours(m, h))`` is
    ``h`` hours."""
    calendar, office = current_calendar(), office_hours()
    a, b = _local(start), _local(end)
    clock_a = calendar.office_clock(a.date(), _position(a), office)
    clock_b = calendar.office_clock(b.date(), _position(b), office)
    return dt.timedelta(microseconds=clock_b - clock_a)


def coverage_gap(today: dt.date | None = None, horizon_days: int = 60) -> list[int]:
    """The years touched by ``[today, today + horizon_days]`` (local dates) that no
    ``CalendarYear`` row marks complete, in order; empty when all are covered.

    ``today`` defaults to the current local date.
    """
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    if today is None:
        today = dt.datetime.now(tz=_zone()).date()
    last = today + dt.timedelta(days=horizon_days)
    covered = current_calendar().covered_years
    return [year for year in range(today.year, last.year + 1) if year not in covered]
