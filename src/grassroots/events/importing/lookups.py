"""What an import looks up for every row, loaded once: units, categories, deadlines.

Everything is read from the database before the first row and kept in plain dicts, so
that checking a row costs dictionary lookups, not queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from grassroots.common import workdays
from grassroots.events.actions.intake import place_of
from grassroots.events.models import Category
from grassroots.org.divisions import short_name
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind

#: Separators accepted between a category and its sub-category in one cell.
CATEGORY_SEPARATORS: Final = ("/", "／", ">", "＞", "-", "－", "|")


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: int
    code: str
    name: str
    kind: str
    path: str
    parent_id: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event placed at one area goes: the columns report_event would set."""

    area_id: int
    area_path: str
    grid_id: int | None
    village_id: int | None
    township_id: int | None
    assignee_id: int
    assignee_path: str


class Ambiguous(Exception):  # noqa: N818 - a lookup outcome, reported as a row error
    """Several units or categories answer to a name."""

    def __init__(self, candidates: list[str]) -> None:
        super().__init__(", ".join(candidates))
        self.candidates = candidates


def _key(text: str) -> str:
    return "".join(text.split())


class Units:
    """Every unit, by code and by name; the place of an event at a unit (cached)."""

    def __init__(self) -> None:
        self.by_id: dict[int, UnitRow] = {}
        self.by_code: dict[str, UnitRow] = {}
        self._by_name: dict[str, list[UnitRow]] = {}
        self._places: dict[int, Place] = {}
        self._instances: dict[int, Unit] = {}
        rows = Unit.objects.order_by("path").values_list(
            "id", "code", "name", "kind", "path", "parent_id", "active"
        )
        for row in rows.iterator(chunk_size=20000):
            unit = UnitRow(*row)
            self.by_id[unit.id] = unit
            self.by_code[unit.code] = unit
        for unit in self.by_id.values():
            for name in self._names(unit):
                bucket = self._by_name.setdefault(name, [])
                if unit not in bucket:
                    bucket.append(unit)

    def _names(self, unit: UnitRow) -> set[str]:
        """The names a person may use: official, everyday (白沙村), and without the name
        of the parent in front (住房和城乡建设局 for 西昌市住房和城乡建设局)."""
        names = {_key(unit.name), _key(short_name(unit.name))}
        parent = self.by_id.get(unit.parent_id) if unit.parent_id else None
        if parent is not None and unit.name.startswith(parent.name) and unit.name != parent.name:
            names.add(_key(unit.name[len(parent.name) :]))
        names.discard("")
        return names

    def find(self, text: str, kinds: frozenset[str] | None = None) -> UnitRow | None:
        """The unit with this code or name (of one of ``kinds``); Ambiguous when several
        answer to the name."""
        unit = self.by_code.get(text)
        if unit is not None:
            return unit if kinds is None or unit.kind in kinds else None
        candidates = [
            u for u in self._by_name.get(_key(text), ()) if kinds is None or u.kind in kinds
        ]
        if len(candidates) > 1:
            active = [u for u in candidates if u.active]
            if len(active) == 1:
                return active[0]
            raise Ambiguous([f"{u.name} ({u.code})" for u in candidates[:5]])
        return candidates[0] if candidates else None

    def find_below(self, text: str, parent: UnitRow, kinds: frozenset[str]) -> UnitRow | None:
        """A unit by code or name inside ``parent``'s subtree."""
        unit = self.by_code.get(text)
        if unit is None:
            below = [
                u
                for u in self._by_name.get(_key(text), ())
                if u.kind in kinds and u.path.startswith(parent.path + ".")
            ]
            if len(below) > 1:
                raise Ambiguous([f"{u.name} ({u.code})" for u in below[:5]])
            unit = below[0] if below else None
        if unit is None or unit.kind not in kinds:
            return None
        return unit

    def _instance(self, unit_id: int) -> Unit:
        """An unsaved-looking Unit with its parents linked, for ``place_of``."""
        instance = self._instances.get(unit_id)
        if instance is None:
            row = self.by_id[unit_id]
            instance = Unit(id=row.id, code=row.code, name=row.name, kind=row.kind, path=row.path)
            instance.parent_id = row.parent_id
            if row.parent_id is not None and row.parent_id in self.by_id:
                instance.parent = self._instance(row.parent_id)
            self._instances[unit_id] = instance
        return instance

    def place(self, area: UnitRow) -> Place:
        """The grid, village, township, assignee and dispatcher of an event at ``area``,
        as ``report_event`` decides them (its ``place_of``). EventError for a department."""
        place = self._places.get(area.id)
        if place is None:
            found = place_of(self._instance(area.id))
            assignee = found["assignee"]
            assert assignee is not None  # noqa: S101 - place_of raises instead
            place = Place(
                area_id=area.id,
                area_path=area.path,
                grid_id=found["grid"].pk if found["grid"] else None,
                village_id=found["village"].pk if found["village"] else None,
                township_id=found["township"].pk if found["township"] else None,
                assignee_id=assignee.pk,
                assignee_path=assignee.path,
            )
            self._places[area.id] = place
        return place


GRID_KINDS: Final = frozenset({UnitKind.GRID})
VILLAGE_KINDS: Final = frozenset(VILLAGE_LEVEL)
TOWNSHIP_KINDS: Final = frozenset(TOWNSHIP_LEVEL)


@dataclass(frozen=True, slots=True)
class CategoryRow:
    id: int
    code: str
    name: str
    parent_id: int | None
    active: bool
    response_us: int  # the response deadline in microseconds of office time
    resolve_workdays: int


def hours_to_microseconds(hours: int | Decimal) -> int:
    """Office time of a category's response deadline, rounded as ``add_work_hours`` does."""
    if isinstance(hours, int):
        return hours * workdays.US_PER_HOUR
    return int((Decimal(hours) * workdays.US_PER_HOUR).to_integral_value(ROUND_HALF_EVEN))


@dataclass(slots=True)
class Categories:
    """Every category, by code, by name and by ``parent/child`` name."""

    by_code: dict[str, CategoryRow] = field(default_factory=dict)
    by_name: dict[str, list[CategoryRow]] = field(default_factory=dict)
    by_id: dict[int, CategoryRow] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Categories:
        table = cls()
        rows = Category.objects.order_by("order", "code").values_list(
            "id", "code", "name", "parent_id", "active", "response_hours", "resolve_workdays"
        )
        for pk, code, name, parent_id, active, hours, days in rows:
            row = CategoryRow(pk, code, name, parent_id, active, hours_to_microseconds(hours), days)
            table.by_id[pk] = row
            table.by_code[code] = row
            table.by_code.setdefault(code.lower(), row)
        for row in table.by_id.values():
            names = [_key(row.name)]
            parent = table.by_id.get(row.parent_id) if row.parent_id else None
            if parent is not None:
                names += [_key(f"{parent.name}{sep}{row.name}") for sep in CATEGORY_SEPARATORS]
            for name in names:
                table.by_name.setdefault(name, []).append(row)
        return table

    def find(self, text: str) -> CategoryRow | None:
        """A category by code, name or ``parent/child``; Ambiguous for a shared name."""
        row = self.by_code.get(text) or self.by_code.get(text.lower())
        if row is not None:
            return row
        candidates = self.by_name.get(_key(text), [])
        if len(candidates) > 1:
            raise Ambiguous([f"{c.name} ({c.code})" for c in candidates[:5]])
        return candidates[0] if candidates else None

    def find_child(self, text: str, parent: CategoryRow) -> CategoryRow | None:
        row = self.by_code.get(text) or self.by_code.get(text.lower())
        if row is not None:
            return row if row.parent_id == parent.id else None
        for candidate in self.by_name.get(_key(text), ()):
            if candidate.parent_id == parent.id:
                return candidate
        return None


class Deadlines:
    """``respond_by`` and ``resolve_by`` of many events, equal to
    :func:`grassroots.events.deadlines.initial_deadlines` but cached: the handling deadline
    per (day, working days), the calendar arithmetic of the response deadline per day and
    per working-day index. Built on one snapshot of the official calendar
    (``common.workdays.current_calendar``), as the functions it stands for are.

    Moments in and out are naive local wall-clock times in ``zone`` (the import works in
    local time; :class:`Moments` writes them out).
    """

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        self.calendar = workdays.current_calendar()
        self.office = workdays.office_hours()
        self.per_day = self.office.per_day
        self.last_end = self.office.spans[-1][1]
        self._resolve: dict[tuple[dt.date, int], dt.datetime] = {}
        self._day: dict[dt.date, tuple[int, bool]] = {}
        self._with_index: dict[int, dt.date] = {}

    def resolve_by(self, day: dt.date, n: int) -> dt.datetime:
        """``add_workdays`` from a moment on the local ``day``: the end of the n-th
        working day after it."""
        key = (day, n)
        moment = self._resolve.get(key)
        if moment is None:
            moment = dt.datetime.combine(self.calendar.add_workdays(day, n), dt.time.max)
            self._resolve[key] = moment
        return moment

    def respond_by(self, local: dt.datetime, amount: int) -> dt.datetime:
        """``add_work_hours(local, amount µs)``."""
        if amount == 0:
            return local
        return self.at_clock(self.clock(local) + amount, local.date())

    def clock(self, local: dt.datetime) -> int:
        """Office time (µs) from the calendar's origin to ``local`` (``office_clock``)."""
        day = local.date()
        known = self._day.get(day)
        if known is None:
            known = (self.calendar.office_clock(day, 0, self.office), self.calendar.is_workday(day))
            self._day[day] = known
        if not known[1]:
            return known[0]
        position = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * 1_000_000 + local.microsecond
        return known[0] + self.office.elapsed(position)

    def at_clock(self, clock: int, near: dt.date) -> dt.datetime:
        """The earliest local moment whose office clock is ``clock`` (``office_instant``)."""
        full_days, rest = divmod(clock, self.per_day)
        if rest == 0:
            index, position = full_days, self.last_end
        else:
            index, position = full_days + 1, self.office.position(rest)
        target = self._with_index.get(index)
        if target is None:
            target = self.calendar.workday_with_index(index, near)
            self._with_index[index] = target
        return dt.datetime.combine(target, dt.time()) + dt.timedelta(microseconds=position)


class Moments:
    """Naive local moments (wall-clock time in ``zone``) written as the database takes
    them: ISO text with the UTC offset for PostgreSQL, Django's UTC text for SQLite — or,
    with ``utc`` (a binary COPY), naive datetimes in UTC.

    The offset is looked up once per day; on a day when the zone changes its offset
    (daylight saving, for zones that have it) each moment is converted on its own.
    """

    def __init__(self, zone: dt.tzinfo, *, postgresql: bool, utc: bool = False) -> None:
        self.zone = zone
        self.postgresql = postgresql
        self.utc = utc
        self._offsets: dict[dt.date, tuple[dt.timedelta, str] | None] = {}
        self._utc_offsets: dict[dt.date, dt.timedelta | None] = {}

    def offset(self, day: dt.date) -> tuple[dt.timedelta, str] | None:
        """(offset, "+08:00") of a day with one offset; None on a day of change."""
        if day in self._offsets:
            return self._offsets[day]
        start = dt.datetime.combine(day, dt.time()).replace(tzinfo=self.zone).utcoffset()
        end = dt.datetime.combine(day, dt.time.max).replace(tzinfo=self.zone).utcoffset()
        found: tuple[dt.timedelta, str] | None = None
        if start is not None and start == end:
            minutes = int(start.total_seconds()) // 60
            sign = "+" if minutes >= 0 else "-"
            hours, minutes = divmod(abs(minutes), 60)
            found = (start, f"{sign}{hours:02d}:{minutes:02d}")
        self._offsets[day] = found
        return found

    def text(self, local: dt.datetime, typed: str | None = None) -> str:
        """The database text of a naive local moment. ``typed``: the moment as the file
        wrote it, when that is plain ``YYYY-MM-DD HH:MM[:SS]`` (reused for PostgreSQL)."""
        offset = self.offset(local.date())
        if offset is None:
            aware = local.replace(tzinfo=self.zone)
            if self.postgresql:
                return aware.isoformat()
            return str(aware.astimezone(dt.UTC).replace(tzinfo=None))
        if self.postgresql:
            return (typed or str(local)) + offset[1]
        return str(local - offset[0])

    def db(self, local: dt.datetime, typed: str | None = None) -> str | dt.datetime:
        """The value to write for a naive local moment: :meth:`text`, or with ``utc``
        the same moment in UTC, naive (a subtraction: far cheaper than making it aware)."""
        if not self.utc:
            return self.text(local, typed)
        day = local.date()
        try:
            offset = self._utc_offsets[day]
        except KeyError:
            found = self.offset(day)
            offset = self._utc_offsets[day] = found[0] if found else None
        if offset is None:  # a day when the zone changes its offset
            aware = local.replace(tzinfo=self.zone).astimezone(dt.UTC)
            return aware.replace(tzinfo=None)
        return local - offset

    def local(self, moment: dt.datetime) -> dt.datetime:
        """An aware moment as naive local time."""
        return moment.astimezone(self.zone).replace(tzinfo=None)
