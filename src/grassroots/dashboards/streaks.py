"""The weekly "one thing" (每周至少解决一件事) streak, as plain computation (no ORM).

A streak is the number of weeks in a row, up to now, in which a village resolved at least
one problem. The current week is still running: done, it adds one; not yet done, it does
not break the streak (the village has until Sunday night).
"""

from __future__ import annotations

from collections.abc import Sequence


def streak(done: Sequence[bool], *, current_running: bool = True) -> int:
    """The streak of ``done`` (one flag per week, oldest first, the last one the current
    week when ``current_running``): consecutive done weeks counted back from the newest."""
    flags = list(done)
    count = 0
    if current_running and flags:
        if flags[-1]:
            count += 1
        flags = flags[:-1]
    for flag in reversed(flags):
        if not flag:
            break
        count += 1
    return count


def coverage(done: int, total: int) -> int | None:
    """Whole percent of ``total`` that is ``done`` (rounded down; ``None`` for no total)."""
    if total <= 0:
        return None
    return max(0, min(100, done * 100 // total))
