"""Care visits as plain arithmetic (no ORM): when a visit falls due, and the figures the
assessment reads — coverage, timeliness, overdue.

The rule of a person in care (重点人群), with ``every`` the group's frequency in days:

* the first visit is due ``every`` days after the person was put in care (``since``): a
  visit on any day from ``since`` to ``since + every`` is on time;
* each *effective* visit (someone was met) sets the next one due ``every`` days after it;
  a visit that finds nobody at home changes nothing;
* a visit recorded late for a day before the last one does not move the due date back.

So the visits of one person form a chain of *obligations*: each has a due date and is
answered by the next effective visit; it was met on time when that visit came on or
before the due date. The last obligation is still open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


def first_due(since: dt.date, every: int) -> dt.date:
    """When the first visit of someone put in care on ``since`` is due."""
    return since + dt.timedelta(days=every)


def after_visit(
    *,
    due_on: dt.date,
    last_visit_on: dt.date | None,
    visited_on: dt.date,
    every: int,
) -> tuple[dt.date | None, dt.date]:
    """``(last_visit_on, due_on)`` after an effective visit on ``visited_on``.

    The due date moves to ``visited_on + every`` unless the visit is older than the last
    one already recorded (a late entry): then nothing moves.
    """
    if last_visit_on is not None and visited_on < last_visit_on:
        return last_visit_on, due_on
    return visited_on, visited_on + dt.timedelta(days=every)


def anchor_due(since: dt.date, last_visit_on: dt.date | None, every: int) -> dt.date:
    """The due date kept on a person in care: the last effective visit (or ``since``) plus
    the frequency (used again when the city changes a group's frequency)."""
    return (last_visit_on or since) + dt.timedelta(days=every)


def days_overdue(due_on: dt.date, today: dt.date) -> int:
    """Days since the visit fell due (0 while it is not overdue)."""
    return max(0, (today - due_on).days)


def is_overdue(due_on: dt.date, today: dt.date) -> bool:
    """A visit is overdue from the day after its due date."""
    return due_on < today


@dataclass(frozen=True, slots=True)
class Obligation:
    """One visit owed: due on ``due_on``, answered by the effective visit ``done_on``
    (``None`` while nobody has come)."""

    due_on: dt.date
    done_on: dt.date | None = None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


@dataclass(frozen=True, slots=True)
class CareSpan:
    """What the figures need of one person in care.

    ``anchor`` is the last effective visit before the period looked at (``None``: none
    before it); ``visits`` the effective visit days from the period's first day on (any
    order, repeats allowed).
    """

    key: int
    since: dt.date
    ended_on: dt.date | None
    every: int
    anchor: dt.date | None = None
    visits: tuple[dt.date, ...] = field(default=())

    def in_care_during(self, first: dt.date, last: dt.date) -> bool:
        """In care on at least one day of ``first``…``last``."""
        return self.since <= last and (self.ended_on is None or self.ended_on >= first)

    def in_care_on(self, day: dt.date) -> bool:
        """In care on ``day`` (care that ended that day is over)."""
        return self.since <= day and (self.ended_on is None or self.ended_on > day)

    def obligations(self, until: dt.date | None = None) -> list[Obligation]:
        """The chain from the one in force when the period starts: each answered by the
        next effective visit (visits after ``until`` ignored); the last one open."""
        days = sorted({v for v in self.visits if until is None or v <= until})
        start = self.anchor if self.anchor is not None else self.since
        due = start + dt.timedelta(days=self.every)
        chain: list[Obligation] = []
        for day in days:
            if day < start:  # not after the anchor: it answers nothing
                continue
            chain.append(Obligation(due, day))
            due = day + dt.timedelta(days=self.every)
        chain.append(Obligation(due))
        return chain

    def due_on(self, day: dt.date) -> dt.date:
        """The due date in force at the end of ``day`` (visits up to ``day`` counted)."""
        return self.obligations(until=day)[-1].due_on


def covered(span: CareSpan, first: dt.date, last: dt.date) -> bool:
    """At least one effective visit on a day of ``first``…``last``."""
    return any(first <= v <= last for v in span.visits)


def fell_due(span: CareSpan, first: dt.date, last: dt.date, today: dt.date) -> list[Obligation]:
    """The obligations whose due date is a day of ``first``…``last`` that has passed
    (before ``today``), while the person was still in care on it."""
    return [
        o
        for o in span.obligations(until=last)
        if first <= o.due_on <= last
        and o.due_on < today
        and (span.ended_on is None or o.due_on < span.ended_on)
    ]


def overdue_at(span: CareSpan, day: dt.date) -> bool:
    """In care on ``day`` and the visit then due was due before ``day``."""
    return span.in_care_on(day) and span.due_on(day) < day


@dataclass(frozen=True, slots=True)
class Tally:
    """A unit's counts: ``hits`` of ``total``."""

    hits: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.hits + other.hits, self.total + other.total)


def coverage(spans: Iterable[CareSpan], first: dt.date, last: dt.date) -> Tally:
    """People in care during ``first``…``last`` (total) and those of them visited
    effectively in it (hits)."""
    hits = total = 0
    for span in spans:
        if span.in_care_during(first, last):
            total += 1
            hits += covered(span, first, last)
    return Tally(hits, total)


def timeliness(spans: Iterable[CareSpan], first: dt.date, last: dt.date, today: dt.date) -> Tally:
    """Visits that fell due in ``first``…``last`` (total; see ``fell_due``) and those done
    by their due date (hits)."""
    hits = total = 0
    for span in spans:
        for o in fell_due(span, first, last, today):
            total += 1
            hits += o.on_time
    return Tally(hits, total)


def overdue_count(spans: Iterable[CareSpan], day: dt.date) -> int:
    """People in care on ``day`` whose visit was overdue then."""
    return sum(overdue_at(span, day) for span in spans)
