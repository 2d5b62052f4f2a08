"""Shared fixtures of the assessment tests.

The clock stands at Thursday 2026-10-15 10:00 (Asia/Shanghai). Events are reported through
the events actions in the grids of 礼州村 and 田坝村; 安宁村 has none:

    礼州村  3 found on patrol, 1 reported by a resident   → patrol share 75 %
    田坝村  1 reported by a resident                      → patrol share 0 %
    安宁村  nothing                                       → no figure
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

CST = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 15, 10, tzinfo=CST)
POINT_LIZHOU = (27.85, 102.05)  # (lat, lon)
POINT_TIANBA = (27.85, 102.15)


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def events(tree: dict[str, Any], grid_worker: Any) -> None:
    """The events of the table above, reported through ``report_event``."""
    from grassroots.events.actions import report_event
    from grassroots.events.models import Category
    from grassroots.org.models import Unit, UnitKind

    grid = tree["grid"]
    grid.geometry = square(102.0, 27.8, 102.1, 27.9)
    grid.save(update_fields=["geometry"])
    Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
        geometry=square(102.1, 27.8, 102.2, 27.9),
    )
    category = Category.objects.create(
        code="SRHJ01",
        name="乱堆乱放",
        response_hours=Decimal("2"),
        resolve_workdays=3,
        default_department=tree["department"],
    )

    def report(point: tuple[float, float], source: str) -> None:
        report_event(
            actor=grid_worker,
            category=category,
            title="路边堆放建筑垃圾",
            description="村委会门口堆放建筑垃圾, 影响通行",
            source=source,
            lat=point[0],
            lon=point[1],
        )

    for _ in range(3):
        report(POINT_LIZHOU, "patrol")
    report(POINT_LIZHOU, "resident")
    report(POINT_TIANBA, "resident")


@pytest.fixture
def scheme_factory(tree: dict[str, Any]) -> Callable[..., Any]:
    """``scheme_factory(**overrides)`` → a village scheme of 西昌 with two indicators on the
    patrol share (60 points linear from 0 % to 100 %, 40 points by rank) and a veto on
    overdue events (10 or more), a pool of 1,000 元 split by grade coefficients."""
    from grassroots.assessment.models import Category, Indicator, Scheme

    def make(**overrides: Any) -> Any:
        fields: dict[str, Any] = {
            "code": "xc-village-2026",
            "name": "西昌市2026年村(社区)目标考核",
            "year": 2026,
            "level": "village",
            "root": tree["city"],
            "grade_quota": {"excellent_share": "0.34", "poor_below": "10"},
            "list_rule": {"red_top_n": 1, "black_bottom_n": 1},
            "reward_pool_fen": 100000,
            "reward_params": {"excellent": "1.5", "good": "1.2", "average": "1.0"},
        }
        fields.update(overrides)
        scheme = Scheme.objects.create(**fields)
        specs = [
            ("patrol", Category.COMMON, "60", "range_linear", {"floor": 0, "target": 100}),
            ("patrol-rank", Category.COMMON, "40", "rank_points", {}),
            ("overdue-veto", Category.VETO, "0", "veto", {"threshold": 10}),
        ]
        for position, (code, category, weight, rule, params) in enumerate(specs):
            metric = "events.overdue_count" if rule == "veto" else "events.patrol_share"
            indicator = Indicator(
                scheme=scheme,
                code=code,
                name=code,
                category=category,
                weight=Decimal(weight),
                metric=metric,
                rule=rule,
                params=params,
                position=position,
            )
            indicator.full_clean()
            indicator.save()
        return scheme

    return make
