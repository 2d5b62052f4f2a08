"""``registers.window_progress`` on a small tree: each parcel credited up to its straight
line, townships adding up their villages, None without parcels; a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, get
from grassroots.registers.models import Policy, Window

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC), tick=False):
        yield


def parcel(unit: Any, code: str, area: int, restored: int, on: dt.date | None = None) -> Window:
    status = "restored" if on else ("underway" if restored else "planned")
    return Window.objects.create(
        unit=unit,
        code=code,
        name=code,
        area=Decimal(area),
        restored_area=Decimal(restored),
        restored_on=on,
        status=status,
        plan_year=2026,
    )


def values(period: str, units: list[Any]) -> dict[int, Any]:
    return {v.unit_id: v for v in get("registers.window_progress")(Period.parse(period), units)}


def test_progress_against_the_line_at_the_end_of_the_period(tree: dict[str, Any]) -> None:
    village, neighbour = tree["village"], tree["neighbour_village"]
    # 2021–2030: by the end of 2026, 60 % planned
    parcel(village, "A", 1000, 1000, dt.date(2025, 6, 1))  # planned 600, restored 1000 → 600
    parcel(village, "B", 1000, 300)  # planned 600, restored 300 → 300
    parcel(neighbour, "C", 500, 500, dt.date(2027, 1, 10))  # completed after 2026: 0 then
    units = [tree["lizhou"], village, neighbour, tree["other_village"]]
    found = values("2026", units)
    assert found[village.pk].value == Decimal("75.00")  # 900 / 1200
    assert found[village.pk].numerator == Decimal("900.00")
    assert found[village.pk].denominator == Decimal("1200.00")
    assert found[neighbour.pk].value == Decimal("0.00")
    assert found[tree["lizhou"].pk].value == Decimal("60.00")  # 900 / 1500
    assert found[tree["other_village"].pk].value is None  # no parcels
    # a month: the line rises with the days (June 2026 ends at 0.5 + 181/365 / 10)
    june = values("2026-06", [village])[village.pk]
    planned = Decimal(2000) * (Decimal(5) + Decimal(181) / 365) / 10
    assert june.denominator == Decimal(planned).quantize(Decimal("0.01"))
    assert june.value is not None and june.value <= 100


def test_the_policy_of_the_unit_sets_the_line(tree: dict[str, Any]) -> None:
    Policy.objects.create(unit=tree["anning"], window_first_year=2027, window_last_year=2036)
    parcel(tree["other_village"], "D", 100, 50)
    found = values("2026", [tree["other_village"]])
    assert found[tree["other_village"].pk].value is None  # the programme had not begun


def test_one_query_for_all_units(tree: dict[str, Any]) -> None:
    for i, unit in enumerate([tree["village"], tree["neighbour_village"], tree["other_village"]]):
        parcel(unit, f"P{i}", 100, 10)
    metric = get("registers.window_progress")
    with CaptureQueriesContext(connection) as ctx:
        metric(Period.parse("2026"), [tree["lizhou"], tree["village"], tree["other_village"]])
    assert len(ctx.captured_queries) == 2  # the parcels, the policies
    evidence = metric.evidence(tree["lizhou"].pk, Period.parse("2026"))
    assert sorted(w.code for w in evidence) == ["P0", "P1"]
