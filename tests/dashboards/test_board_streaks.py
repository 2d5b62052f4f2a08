"""The weekly "one thing" streak, as plain computation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grassroots.dashboards.streaks import coverage, streak


def test_a_running_week_not_yet_done_does_not_break_the_streak() -> None:
    assert streak([True, True, False]) == 2
    assert streak([True, True, True]) == 3
    assert streak([True, False, True, False]) == 1
    assert streak([]) == 0
    assert streak([False, True, True], current_running=False) == 2
    assert streak([True, False], current_running=False) == 0


@given(st.lists(st.booleans(), max_size=60))
def test_streak_counts_the_done_weeks_back_from_the_newest(flags: list[bool]) -> None:
    count = streak(flags)
    completed = flags[:-1]
    assert 0 <= count <= len(flags)
    # the completed weeks counted are all done, and the one before them is not
    counted = count - (1 if flags and flags[-1] else 0)
    assert all(completed[len(completed) - counted :])
    if counted < len(completed):
        assert not completed[len(completed) - counted - 1]


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=-5, max_value=10_000))
def test_coverage_is_a_whole_percent(done: int, total: int) -> None:
    value = coverage(done, total)
    if total <= 0:
        assert value is None
    else:
        assert value is not None and 0 <= value <= 100
        if done <= total:
            assert value == done * 100 // total
