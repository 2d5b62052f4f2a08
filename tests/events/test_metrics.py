"""The event metrics on a small hand-computed fixture (October 2026), for every level.

The events (all with explicit times; "Oct 9" = 2026-10-09, local time):

礼州村 (village 1)
  E1 patrol   rep Oct 5 09:00, acc, due Oct 10, resolved Oct 9, closed Oct 10 12:00, rated
              Oct 12 satisfied
  E2 resident rep Oct 8, acc, dispatched Oct 8 and returned once, due Oct 15, resolved Oct 17
  E3 hotline  rep Oct 20 09:00, respond by Oct 20 11:00 (answered 10:00), due Oct 23,
              reworked once, resolved Oct 22, closed Oct 24 09:00, rated Oct 25 basically
  E4 patrol   rep Oct 25, never accepted, due Oct 30
  E5 patrol   rep Oct 28, rejected
  E6 patrol   rep Sep 28, closed on the spot Sep 28, due Oct 9
  E7 patrol   rep Oct 29, acc, dispatched Oct 29, due Nov 5
  E8 hotline  rep Oct 30, respond by Oct 30 11:00 (answered 15:00), acc, due Nov 6
田坝村 (village 2)
  F1 hotline  rep Oct 10, respond by 12:00 (never answered), due Oct 16
  F2 resident rep Oct 12 09:00, acc, due Oct 17, resolved Oct 15, closed Oct 16 15:00, rated
              Oct 18 unsatisfied
礼州镇 itself (no village)
  T1 patrol   rep Oct 3, acc, due Oct 20, resolved Oct 19, verified
安宁村 / 安宁镇: nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import MetricValue, Period, get
from tests.events.reporting_support import at, end_of, make_event

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse("2026-10")
NOW = at(2026, 12, 1, 12)


@pytest.fixture(autouse=True)
def _december() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fixture(category: Any, tree: dict[str, Any]) -> dict[str, Any]:
    v1, v2 = tree["village"], tree["neighbour_village"]
    grid = tree["grid"]
    e: dict[str, Any] = {}
    e["E1"] = make_event(
        category,
        grid,
        source="patrol",
        reported_at=at(2026, 10, 5, 9),
        accepted_at=at(2026, 10, 5, 10),
        resolve_by=end_of(2026, 10, 10),
        resolved_at=at(2026, 10, 9, 16),
        closed_at=at(2026, 10, 10, 12),
        rated_at=at(2026, 10, 12, 9),
        satisfaction="satisfied",
        status="closed",
    )
    e["E2"] = make_event(
        category,
        grid,
        source="resident",
        reported_at=at(2026, 10, 8, 9),
        accepted_at=at(2026, 10, 8, 10),
        dispatched_at=at(2026, 10, 8, 11),
        return_count=1,
        resolve_by=end_of(2026, 10, 15),
        resolved_at=at(2026, 10, 17, 10),
        status="resolved",
    )
    e["E3"] = make_event(
        category,
        grid,
        source="hotline",
        reported_at=at(2026, 10, 20, 9),
        respond_by=at(2026, 10, 20, 11),
        responded_at=at(2026, 10, 20, 10),
        accepted_at=at(2026, 10, 20, 10),
        resolve_by=end_of(2026, 10, 23),
        rework_count=1,
        resolved_at=at(2026, 10, 22, 15),
        closed_at=at(2026, 10, 24, 9),
        rated_at=at(2026, 10, 25, 9),
        satisfaction="basically",
        status="closed",
    )
    e["E4"] = make_event(
        category,
        grid,
        source="patrol",
        reported_at=at(2026, 10, 25, 9),
        resolve_by=end_of(2026, 10, 30),
        status="reported",
    )
    e["E5"] = make_event(
        category,
        grid,
        source="patrol",
        reported_at=at(2026, 10, 28, 9),
        responded_at=at(2026, 10, 28, 10),
        resolve_by=end_of(2026, 10, 31),
        status="rejected",
    )
    e["E6"] = make_event(
        category,
        grid,
        source="patrol",
        reported_at=at(2026, 9, 28, 9),
        accepted_at=at(2026, 9, 28, 10),
        resolved_at=at(2026, 9, 28, 10),
        closed_at=at(2026, 9, 28, 10),
        resolve_by=end_of(2026, 10, 9),
        status="closed",
    )
    e["E7"] = make_event(
        category,
        grid,
        source="patrol",
        reported_at=at(2026, 10, 29, 9),
        accepted_at=at(2026, 10, 29, 10),
        dispatched_at=at(2026, 10, 29, 11),
        resolve_by=end_of(2026, 11, 5),
        status="in_progress",
    )
    e["E8"] = make_event(
        category,
        grid,
        source="hotline",
        reported_at=at(2026, 10, 30, 9),
        respond_by=at(2026, 10, 30, 11),
        responded_at=at(2026, 10, 30, 15),
        accepted_at=at(2026, 10, 30, 15),
        resolve_by=end_of(2026, 11, 6),
        status="accepted",
    )
    e["F1"] = make_event(
        category,
        v2,
        source="hotline",
        reported_at=at(2026, 10, 10, 9),
        respond_by=at(2026, 10, 10, 12),
        resolve_by=end_of(2026, 10, 16),
        status="reported",
    )
    e["F2"] = make_event(
        category,
        v2,
        source="resident",
        reported_at=at(2026, 10, 12, 9),
        accepted_at=at(2026, 10, 12, 10),
        resolve_by=end_of(2026, 10, 17),
        resolved_at=at(2026, 10, 15, 10),
        closed_at=at(2026, 10, 16, 15),
        rated_at=at(2026, 10, 18, 9),
        satisfaction="unsatisfied",
        status="closed",
    )
    e["T1"] = make_event(
        category,
        tree["lizhou"],
        source="patrol",
        reported_at=at(2026, 10, 3, 9),
        accepted_at=at(2026, 10, 3, 10),
        resolve_by=end_of(2026, 10, 20),
        resolved_at=at(2026, 10, 19, 10),
        verified_at=at(2026, 10, 19, 15),
        status="verified",
    )
    assert e["T1"].village_id is None and e["T1"].township_id == tree["lizhou"].pk
    assert e["E1"].village_id == v1.pk
    return e


def units(tree: dict[str, Any]) -> list[Any]:
    return [
        tree["village"],
        tree["neighbour_village"],
        tree["other_village"],
        tree["lizhou"],
        tree["anning"],
        tree["department"],
    ]


def figures(name: str, tree: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """(value, numerator, denominator) for 礼州村, 田坝村, 安宁村, 礼州镇, 安宁镇, 住建局."""
    values = get(name)(OCTOBER, units(tree))
    assert [v.unit_id for v in values] == [u.pk for u in units(tree)]
    return [(v.value, v.numerator, v.denominator) for v in values]


def pct(text: str, num: int, den: int) -> tuple[Decimal, int, int]:
    return (Decimal(text), num, den)


NONE = (None, None, None)
EMPTY = (None, 0, 0)

EXPECTED: dict[str, list[tuple[Any, Any, Any]]] = {
    # received: 礼州村 E1 E2 E3 E4 E5 E7 E8; 田坝村 F1 F2; 礼州镇 those + T1
    "events.acceptance_rate": [
        pct("71.43", 5, 7),
        pct("50.00", 1, 2),
        EMPTY,
        pct("70.00", 7, 10),
        EMPTY,
        NONE,
    ],
    # dispatched in October: E2 (returned), E7
    "events.dispatch_accuracy": [
        pct("50.00", 1, 2),
        EMPTY,
        EMPTY,
        pct("50.00", 1, 2),
        EMPTY,
        NONE,
    ],
    # due: 礼州村 E1 E2 E3 E4 E6; 田坝村 F1 F2; 礼州镇 those + T1
    "events.on_time_handling_rate": [
        pct("60.00", 3, 5),
        pct("50.00", 1, 2),
        EMPTY,
        pct("62.50", 5, 8),
        EMPTY,
        NONE,
    ],
    "events.close_rate": [
        pct("60.00", 3, 5),
        pct("50.00", 1, 2),
        EMPTY,
        pct("50.00", 4, 8),
        EMPTY,
        NONE,
    ],
    "events.on_time_close_rate": [
        pct("40.00", 2, 5),
        pct("50.00", 1, 2),
        EMPTY,
        pct("37.50", 3, 8),
        EMPTY,
        NONE,
    ],
    "events.rework_rate": [
        pct("20.00", 1, 5),
        pct("0.00", 0, 2),
        EMPTY,
        pct("12.50", 1, 8),
        EMPTY,
        NONE,
    ],
    # hotline received: E3 (in time), E8 (late); F1 (never)
    "events.hotline_response_rate": [
        pct("50.00", 1, 2),
        pct("0.00", 0, 1),
        EMPTY,
        pct("33.33", 1, 3),
        EMPTY,
        NONE,
    ],
    "events.hotline_resolution_rate": [
        pct("50.00", 1, 2),
        pct("0.00", 0, 1),
        EMPTY,
        pct("33.33", 1, 3),
        EMPTY,
        NONE,
    ],
    # rated in October: E1 satisfied, E3 basically, F2 unsatisfied
    "events.satisfaction_rate": [
        pct("100.00", 2, 2),
        pct("0.00", 0, 1),
        EMPTY,
        pct("66.67", 2, 3),
        EMPTY,
        NONE,
    ],
    "events.hotline_satisfaction_rate": [
        pct("100.00", 1, 1),
        EMPTY,
        EMPTY,
        pct("100.00", 1, 1),
        EMPTY,
        NONE,
    ],
    # patrol: E1 E4 E5 E7, T1
    "events.patrol_share": [
        pct("57.14", 4, 7),
        pct("0.00", 0, 2),
        EMPTY,
        pct("50.00", 5, 10),
        EMPTY,
        NONE,
    ],
    # due and not handled by the deadline: E2 (late), E4; F1; so 3 in 礼州镇
    "events.overdue_count": [
        (Decimal(2), 2, 5),
        (Decimal(1), 1, 2),
        (Decimal(0), 0, 0),
        (Decimal(3), 3, 8),
        (Decimal(0), 0, 0),
        NONE,
    ],
    # closed in October: E1 123 h, E3 96 h; F2 102 h
    "events.median_close_hours": [
        (Decimal("109.50"), None, 2),
        (Decimal("102.00"), None, 1),
        (None, None, 0),
        (Decimal("102.00"), None, 3),
        (None, None, 0),
        NONE,
    ],
    # weeks: Sep 28 (Thu Oct 1), Oct 5, 12, 19, 26. 礼州村 resolved in Sep 28 (E6), Oct 5
    # (E1), Oct 12 (E2 on Sat 17th), Oct 19 (E3); 田坝村 Oct 12 (F2); T1 has no village.
    "events.weekly_one_thing_coverage": [
        pct("80.00", 4, 5),
        pct("20.00", 1, 5),
        pct("0.00", 0, 5),
        pct("50.00", 5, 10),
        pct("0.00", 0, 5),
        NONE,
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hand_computed_values(name: str, fixture: dict[str, Any], tree: dict[str, Any]) -> None:
    assert figures(name, tree) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_one_query_per_level_for_all_units(
    name: str, fixture: dict[str, Any], tree: dict[str, Any]
) -> None:
    from grassroots.org.models import Unit

    metric = get(name)
    villages = [tree["village"], tree["neighbour_village"], tree["other_village"]]
    with CaptureQueriesContext(connection) as ctx:
        metric(OCTOBER, villages)
    assert len(ctx.captured_queries) == 1
    both = Unit.objects.filter(kind__in=["village", "township"])
    with CaptureQueriesContext(connection) as ctx:
        values = metric(OCTOBER, both)
    # One read of the units and one query per level (the weekly coverage: one query for
    # both levels and one count of the townships' villages).
    assert len(ctx.captured_queries) == 3
    assert {v.unit_id for v in values} == set(both.values_list("pk", flat=True))


def test_default_units_are_villages_and_townships(fixture: dict[str, Any], tree: Any) -> None:
    values = get("events.acceptance_rate")(OCTOBER, None)
    by_unit = {v.unit_id: v for v in values}
    assert set(by_unit) == {
        tree[k].pk for k in ("village", "neighbour_village", "other_village", "lizhou", "anning")
    }
    assert by_unit[tree["lizhou"].pk] == MetricValue(tree["lizhou"].pk, Decimal("70.00"), 7, 10)


def test_a_deadline_still_ahead_is_not_yet_due(fixture: dict[str, Any], tree: Any) -> None:
    # On Oct 16 at noon, only E1 (Oct 10), E2 (Oct 15) and E6 (Oct 9) are due in 礼州村.
    with time_machine.travel(at(2026, 10, 16, 12), tick=False):
        [value] = get("events.on_time_handling_rate")(OCTOBER, [tree["village"]])
    assert (value.numerator, value.denominator) == (2, 3)


def test_evidence_lists_the_records_behind_a_value(fixture: dict[str, Any], tree: Any) -> None:
    metric = get("events.on_time_handling_rate")
    rows = metric.evidence(tree["village"].pk, OCTOBER)
    assert {r.title: r.in_numerator for r in rows} == {
        fixture["E6"].title: True,
        fixture["E1"].title: True,
        fixture["E2"].title: False,
        fixture["E3"].title: True,
        fixture["E4"].title: False,
    }
    accuracy = get("events.dispatch_accuracy").evidence(tree["lizhou"].pk, OCTOBER)
    assert {r.title: r.in_numerator for r in accuracy} == {
        fixture["E2"].title: False,
        fixture["E7"].title: True,
    }
    closed = get("events.median_close_hours").evidence(tree["village"].pk, OCTOBER)
    assert [round(r.close_seconds / 3600, 2) for r in closed] == [96.0, 123.0]
    weekly = get("events.weekly_one_thing_coverage").evidence(tree["neighbour_village"].pk, OCTOBER)
    assert [r.title for r in weekly] == [fixture["F2"].title]
    assert not get("events.close_rate").evidence(tree["department"].pk, OCTOBER).exists()


def test_grids_are_a_level_too(fixture: dict[str, Any], tree: Any) -> None:
    [value] = get("events.acceptance_rate")(OCTOBER, [tree["grid"]])
    assert (value.value, value.numerator, value.denominator) == (Decimal("71.43"), 5, 7)


def test_other_periods(fixture: dict[str, Any], tree: Any) -> None:
    metric = get("events.acceptance_rate")
    [september] = metric(Period.parse("2026-09"), [tree["village"]])
    assert (september.numerator, september.denominator) == (1, 1)  # E6
    [quarter] = metric(Period.parse("2026-Q4"), [tree["village"]])
    assert quarter.denominator == 7
    [year] = metric(Period.parse("2026"), [tree["village"]])
    assert year.denominator == 8
    [week] = metric(Period.parse("2026-W41"), [tree["village"]])  # Oct 5–11: E1, E2
    assert week.denominator == 2


def test_help_page_lists_every_definition(login: Any, grid_worker: Any, client: Any) -> None:
    from grassroots.common.metrics import registry
    from grassroots.events.metrics import DEFINITIONS

    names = {n for n in registry() if n.startswith("events.")}
    assert {d.name for d in DEFINITIONS} == names
    response = login(grid_worker).get("/events/help/metrics/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in names:
        assert f'id="{name}"' in page
    anonymous = client.get("/events/help/metrics/")
    assert anonymous.status_code == 302


def test_every_metric_has_its_definition_in_the_docstring() -> None:
    from grassroots.common.metrics import registry

    for name, metric in registry().items():
        if name.startswith("events."):
            assert "Denominator" in metric.definition or "denominator" in metric.definition
            assert metric.direction in ("higher", "lower")


def test_durations_are_calendar_hours(fixture: dict[str, Any], tree: Any) -> None:
    assert fixture["E1"].closed_at - fixture["E1"].reported_at == dt.timedelta(hours=123)
