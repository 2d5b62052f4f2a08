"""The care metrics at the edges their docstrings name, with known numbers (September
2026, computed on 15 October; one group visited every 10 days, all in 礼州村):

    P1  in care since 08-22: first visit due 09-01; nobody at home 09-01 (does not count),
        met 09-02 (late), met 09-12 (on its due day: on time), 09-22 falls due undone
    P2  put in care on 09-30, the period's last day (in care during it; due 10-10)
    P3  in care since 08-01, ended 09-01, the period's first day (in care during it)
    P4  in care since 08-31, ended 09-10, the day its first visit fell due (no longer in
        care on it: that visit is not owed)

    coverage    1 of 4 (P1)          timeliness  1 of 3 (P1: 09-01 late, 09-12, 09-22 late)
    overdue     on 09-30: 1 of 2 in care that day (P1; P2 not yet due)
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from grassroots.common.metrics import Period, get
from grassroots.residents.actions.care import end_care
from tests.residents.test_care_support import day, frozen, make_group, put_in_care, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with frozen():
        yield


def test_the_care_metrics_at_their_edges(
    tree: dict[str, Any], make_household: Any, grid_worker: Any
) -> None:
    group = make_group(every=10)
    people = [make_household(members=1).members.get() for _ in range(4)]
    p1 = put_in_care(people[0], group, grid_worker, day("2026-08-22"))
    visit(p1, grid_worker, day("2026-09-01"), met="nobody")
    visit(p1, grid_worker, day("2026-09-02"))
    visit(p1, grid_worker, day("2026-09-12"), met="neighbour")
    put_in_care(people[1], group, grid_worker, day("2026-09-30"))
    p3 = put_in_care(people[2], group, grid_worker, day("2026-08-01"))
    end_care(p3, actor=grid_worker, ended_on=day("2026-09-01"), reason="迁居")
    p4 = put_in_care(people[3], group, grid_worker, day("2026-08-31"))
    end_care(p4, actor=grid_worker, ended_on=day("2026-09-10"), reason="入住养老院")

    september = Period.parse("2026-09")
    units = [tree["village"], tree["lizhou"], tree["other_village"]]

    def figures(name: str) -> list[tuple[Any, Any, Any]]:
        return [(v.value, v.numerator, v.denominator) for v in get(name)(september, units)]

    assert figures("residents.visit_coverage") == [
        (Decimal("25.00"), 1, 4),
        (Decimal("25.00"), 1, 4),
        (None, 0, 0),
    ]
    assert figures("residents.visit_timeliness") == [
        (Decimal("33.33"), 1, 3),
        (Decimal("33.33"), 1, 3),
        (None, 0, 0),
    ]
    assert figures("residents.overdue_visits") == [(1, 1, 2), (1, 1, 2), (0, 0, 0)]
