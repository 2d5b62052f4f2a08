"""The construction register's metrics on a small tree: new cases (a township's figure
includes its villages), the stopped-in-time rate with each unit's policy, the area
demolished, their evidence, and one query for all units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common import metrics
from grassroots.common.metrics import Period
from grassroots.registers.actions import construction as actions
from grassroots.registers.models import Policy

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.registers.test_construction_support",)

JUNE = Period.parse("2026-06")
NAMES = (
    "registers.new_illegal_construction",
    "registers.new_disorderly_relocation",
    "registers.stopped_in_time_rate",
    "registers.demolished_area",
)


@pytest.fixture
def world(make_case: Any, tree: Any, city_admin: Any) -> dict[str, Any]:
    """礼州村: five new buildings found in June (two stopped in time, one late, one still
    open past its 3-day window, one open within it) and one demolished the next day; an
    old building demolished in June; 田坝村 (window 7 days): one relocation stopped on day
    5; 礼州镇 itself: one new building found in May; 安宁村: nothing."""
    Policy.objects.create(unit=tree["neighbour_village"], stop_within_days=7)
    admin = city_admin

    def new(found: int, **kw: Any) -> Any:
        day = dt.date(2026, 6, found)
        return make_case(actor=admin, found_on=day, started_on=day, **kw)

    a = new(1)
    actions.stop(a.pk, actor=admin, stopped_on=dt.date(2026, 6, 3))
    b = new(2)
    actions.stop(b.pk, actor=admin, stopped_on=dt.date(2026, 6, 7))
    c = new(3)  # still open on the 15th: late
    d = new(14)  # open, window until the 17th: not yet counted
    e = new(4, area="60")
    actions.demolish(e.pk, actor=admin, closed_on=dt.date(2026, 6, 5), demolished_area="60")
    old = make_case(
        actor=admin, found_on=dt.date(2026, 5, 1), started_on=dt.date(2012, 1, 1), area="45.5"
    )
    actions.demolish(old.pk, actor=admin, closed_on=dt.date(2026, 6, 10), demolished_area="40.25")
    f = new(1, unit=tree["neighbour_village"], kind="relocation", people=3)
    actions.stop(f.pk, actor=admin, stopped_on=dt.date(2026, 6, 6))
    make_case(
        actor=admin,
        unit=tree["lizhou"],
        found_on=dt.date(2026, 5, 20),
        started_on=dt.date(2026, 5, 1),
    )
    dismissed = new(5)
    actions.dismiss(dismissed.pk, actor=admin, reason="误报")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "old": old, "f": f}


def by_unit(name: str, period: Period, units: Any = None) -> dict[int, Any]:
    return {v.unit_id: v for v in metrics.get(name)(period, units)}


def test_every_metric_is_registered() -> None:
    registry = metrics.registry()
    for name in NAMES:
        assert registry[name].definition
    assert registry["registers.new_illegal_construction"].direction == "lower"
    assert "veto" in registry["registers.new_illegal_construction"].definition


def test_new_cases_roll_up_to_the_township(world: Any, tree: Any) -> None:
    found = by_unit("registers.new_illegal_construction", JUNE)
    assert found[tree["village"].pk].value == Decimal(5)  # a–e (the dismissed one not)
    assert found[tree["neighbour_village"].pk].value == 0
    assert found[tree["lizhou"].pk].value == 5  # its villages' (its own was found in May)
    assert found[tree["anning"].pk].value == 0
    q2 = by_unit("registers.new_illegal_construction", Period.parse("2026-Q2"))
    assert q2[tree["lizhou"].pk].value == 6
    moved = by_unit("registers.new_disorderly_relocation", JUNE)
    assert moved[tree["neighbour_village"].pk].value == 1
    assert moved[tree["lizhou"].pk].value == 1
    assert moved[tree["village"].pk].value == 0


def test_stopped_in_time_with_each_units_policy(world: Any, tree: Any) -> None:
    rate = by_unit("registers.stopped_in_time_rate", JUNE)
    village = rate[tree["village"].pk]
    assert (village.numerator, village.denominator, village.value) == (2, 4, Decimal("50.00"))
    tianba = rate[tree["neighbour_village"].pk]  # stopped on day 5 of a 7-day window
    assert (tianba.numerator, tianba.denominator) == (1, 1)
    lizhou = rate[tree["lizhou"].pk]
    assert (lizhou.numerator, lizhou.denominator, lizhou.value) == (3, 5, Decimal("60.00"))
    assert rate[tree["anning"].pk].value is None


def test_demolished_area(world: Any, tree: Any) -> None:
    area = by_unit("registers.demolished_area", JUNE)
    assert area[tree["village"].pk].value == Decimal("100.25")
    assert area[tree["village"].pk].denominator == 2
    assert area[tree["lizhou"].pk].value == Decimal("100.25")
    assert area[tree["anning"].pk].value == Decimal("0.00")


def test_the_evidence(world: Any, tree: Any) -> None:
    rate = metrics.get("registers.stopped_in_time_rate")
    rows = {c.pk: c.in_numerator for c in rate.evidence(tree["lizhou"].pk, JUNE)}
    assert rows == {
        world["a"].pk: True,
        world["b"].pk: False,
        world["c"].pk: False,
        world["d"].pk: False,
        world["e"].pk: True,
        world["f"].pk: True,
    }
    new = metrics.get("registers.new_illegal_construction")
    assert new.evidence(tree["village"].pk, JUNE).count() == 5
    demolished = metrics.get("registers.demolished_area")
    assert {c.pk for c in demolished.evidence(tree["village"].pk, JUNE)} == {
        world["e"].pk,
        world["old"].pk,
    }


def test_one_query_for_all_units(world: Any, tree: Any) -> None:
    units = [tree["lizhou"], tree["anning"], tree["village"], tree["neighbour_village"]]
    for name in ("registers.new_illegal_construction", "registers.demolished_area"):
        with CaptureQueriesContext(connection) as queries:
            metrics.get(name)(JUNE, units)
        assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        metrics.get("registers.stopped_in_time_rate")(JUNE, units)
    assert len(queries) == 2  # the cases, their units' policies
    with CaptureQueriesContext(connection) as queries:
        values = metrics.get("registers.new_illegal_construction")(JUNE)
    assert len(queries) == 2  # the default units, the cases
    assert {v.unit_id for v in values} == {
        tree["lizhou"].pk,
        tree["anning"].pk,
        tree["village"].pk,
        tree["neighbour_village"].pk,
        tree["other_village"].pk,
    }
