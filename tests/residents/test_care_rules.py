"""The pure arithmetic of care (``residents.care``): due dates, the chain of visits owed,
coverage, timeliness and the overdue count — no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from grassroots.residents import care

D = dt.date.fromisoformat


def span(**kw: object) -> care.CareSpan:
    fields: dict[str, object] = {"key": 1, "since": D("2026-08-25"), "ended_on": None, "every": 10}
    fields.update(kw)
    return care.CareSpan(**fields)  # type: ignore[arg-type]


def test_first_visit_and_after_visit() -> None:
    assert care.first_due(D("2026-09-01"), 30) == D("2026-10-01")
    assert care.after_visit(
        due_on=D("2026-10-01"), last_visit_on=None, visited_on=D("2026-09-01"), every=30
    ) == (D("2026-09-01"), D("2026-10-01"))
    # entered late for a day before the last visit: nothing moves
    assert care.after_visit(
        due_on=D("2026-11-09"), last_visit_on=D("2026-10-10"), visited_on=D("2026-09-05"), every=30
    ) == (D("2026-10-10"), D("2026-11-09"))


def test_overdue_from_the_day_after_the_due_date() -> None:
    assert not care.is_overdue(D("2026-10-15"), D("2026-10-15"))
    assert care.is_overdue(D("2026-10-14"), D("2026-10-15"))
    assert care.days_overdue(D("2026-10-01"), D("2026-10-15")) == 14
    assert care.days_overdue(D("2026-10-20"), D("2026-10-15")) == 0


def test_the_chain_of_visits_owed() -> None:
    s = span(anchor=D("2026-08-28"), visits=(D("2026-09-20"), D("2026-09-05"), D("2026-09-05")))
    assert s.obligations() == [
        care.Obligation(D("2026-09-07"), D("2026-09-05")),
        care.Obligation(D("2026-09-15"), D("2026-09-20")),
        care.Obligation(D("2026-09-30")),
    ]
    assert [o.on_time for o in s.obligations()] == [True, False, False]
    assert s.due_on(D("2026-09-10")) == D("2026-09-15")


def test_timeliness_counts_what_fell_due_and_had_passed() -> None:
    s = span(anchor=D("2026-08-28"), visits=(D("2026-09-05"), D("2026-09-20")))
    first, last = D("2026-09-01"), D("2026-09-30")
    assert care.timeliness([s], first, last, D("2026-10-15")) == care.Tally(1, 3)
    # while the month runs, a due date not yet passed is not counted
    assert care.timeliness([s], first, last, D("2026-09-30")) == care.Tally(1, 2)


def test_care_ended_before_a_due_date_owes_nothing_then() -> None:
    s = span(since=D("2026-07-01"), ended_on=D("2026-09-05"), anchor=D("2026-08-30"))
    first, last = D("2026-09-01"), D("2026-09-30")
    assert care.fell_due(s, first, last, D("2026-10-15")) == []
    assert care.coverage([s], first, last) == care.Tally(0, 1)
    assert not s.in_care_on(D("2026-09-05"))
    assert care.overdue_count([s], D("2026-09-30")) == 0


def test_overdue_at_a_day() -> None:
    late = span(since=D("2026-09-10"))
    due_that_day = span(anchor=D("2026-09-20"))
    assert care.overdue_at(late, D("2026-09-30"))
    assert not care.overdue_at(due_that_day, D("2026-09-30"))
    assert care.overdue_count([late, due_that_day], D("2026-10-01")) == 2


def test_coverage_needs_a_visit_in_the_period() -> None:
    first, last = D("2026-09-01"), D("2026-09-30")
    visited = span(visits=(D("2026-09-30"),))
    not_yet = span(since=D("2026-10-01"))
    before = span(visits=(D("2026-08-31"),))
    assert care.coverage([visited, not_yet, before], first, last) == care.Tally(1, 2)


@given(
    every=st.integers(min_value=1, max_value=90),
    offsets=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
)
def test_the_stored_due_date_is_the_chains_in_any_order_of_entry(
    every: int, offsets: list[int]
) -> None:
    """However the visits are entered (late ones included), the due date the visit
    action keeps is the one the metrics reconstruct from the visits."""
    since = D("2025-01-01")
    visits = [since + dt.timedelta(days=o) for o in offsets]
    last, due = None, care.first_due(since, every)
    for v in visits:
        last, due = care.after_visit(due_on=due, last_visit_on=last, visited_on=v, every=every)
    s = care.CareSpan(key=1, since=since, ended_on=None, every=every, visits=tuple(visits))
    assert s.due_on(D("2027-12-31")) == due
    assert care.anchor_due(since, last, every) == due
