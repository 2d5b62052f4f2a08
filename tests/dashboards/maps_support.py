"""The map tests' world (fixtures imported by tests/dashboards/test_maps*.py): four grids
with square polygons and events whose figures are easy to count by hand.

    礼州镇 ── 礼州村 ── A 礼州村第1网格 513401101201001   lon 102.0–102.1, lat 27.8–27.9
          │        └── B 礼州村第2网格 513401101201002   lon 102.0–102.1, lat 27.9–28.0
          └── 田坝村 ── C 田坝村第1网格 513401101202001   lon 102.1–102.2, lat 27.8–27.9
    安宁镇 ── 安宁村 ── D 安宁村第1网格 513401102201001   lon 102.3–102.4, lat 27.8–27.9

Events (now = the test's clock):
    A: open, due in 3 days (contact 张三 13800001111) · open, overdue by a day ·
       closed on time and rated satisfied · closed late and rated unsatisfied · rejected
    B: closed on time, rated basically satisfied
    C: none
    D: open, overdue (outside 礼州镇)
So for 礼州镇: open A 2, B 0, C 0 · overdue A 1 · on time A 1/3, B 1/1, C none ·
satisfaction A 1/2, B 1/1, C none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.events.reporting_support import make_event
from tests.pages_support import square


@pytest.fixture(autouse=True)
def _fresh_map_cache() -> Iterator[None]:
    from grassroots.dashboards.maps import clear_map_cache

    clear_map_cache()
    yield
    clear_map_cache()


@pytest.fixture
def mapped(tree: dict[str, Any]) -> dict[str, Any]:
    from grassroots.events.models import Category
    from grassroots.org.models import Unit, UnitKind

    a = tree["grid"]
    a.geometry = square(102.0, 27.8, 102.1, 27.9)
    a.save(update_fields=["geometry"])

    def grid(code: str, name: str, parent: Any, box: tuple[float, ...]) -> Any:
        return Unit.objects.create(
            code=code, name=name, kind=UnitKind.GRID, parent=parent, geometry=square(*box)
        )

    b = grid("513401101201002", "礼州村第2网格", tree["village"], (102.0, 27.9, 102.1, 28.0))
    c = grid(
        "513401101202001", "田坝村第1网格", tree["neighbour_village"], (102.1, 27.8, 102.2, 27.9)
    )
    d = grid("513401102201001", "安宁村第1网格", tree["other_village"], (102.3, 27.8, 102.4, 27.9))
    category = Category.objects.create(code="SRHJ01", name="乱堆乱放", resolve_workdays=3)
    now = timezone.now()
    day = dt.timedelta(days=1)

    def event(place: Any, status: str, resolve_by: dt.datetime, **kw: Any) -> Any:
        centre = place.geometry["coordinates"][0]
        lon = (centre[0][0] + centre[2][0]) / 2
        lat = (centre[0][1] + centre[2][1]) / 2
        return make_event(
            category,
            place,
            status=status,
            resolve_by=resolve_by,
            reported_at=resolve_by - 5 * day,
            lon=lon,
            lat=lat,
            **kw,
        )

    events = {
        "a_open": event(
            a, "accepted", now + 3 * day, contact_name="张三", contact_phone="13800001111"
        ),
        "a_overdue": event(a, "dispatched", now - day),
        "a_on_time": event(
            a,
            "closed",
            now - 2 * day,
            closed_at=now - 3 * day,
            satisfaction="satisfied",
            rated_at=now - 2 * day,
        ),
        "a_late": event(
            a,
            "closed",
            now - 5 * day,
            closed_at=now - 4 * day,
            satisfaction="unsatisfied",
            rated_at=now - 4 * day,
        ),
        "a_rejected": event(a, "rejected", now - 2 * day),
        "b_on_time": event(
            b,
            "closed",
            now - day,
            closed_at=now - 2 * day,
            satisfaction="basically",
            rated_at=now - day,
        ),
        "d_overdue": event(d, "in_progress", now - day),
    }
    return {"a": a, "b": b, "c": c, "d": d, "category": category, "events": events, **tree}
