"""Splitting a task among the units below: by hand, pro rata, without a target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.org.models import Unit, UnitKind
from grassroots.supervision import actions
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import Task
from grassroots.supervision.queries import split_gap
from tests.supervision.conftest import audits, fresh, lines

pytestmark = pytest.mark.django_db


def test_township_splits_by_hand_and_children_inherit(
    township_task: Any, units: dict[str, Any], xc_secretary: Any
) -> None:
    children = actions.cascade_task(
        township_task,
        actor=xc_secretary,
        shares={units["village"]: "55", units["neighbour_village"].pk: Decimal("45")},
        deadline=dt.date(2026, 12, 15),
        note="按村分解",
    )
    assert [(c.unit.name, c.target_value) for c in children] == [
        ("礼州村", Decimal(55)),
        ("田坝村", Decimal(45)),
    ]
    for child in children:
        child = fresh(child)
        assert child.issuer == units["lizhou"] and child.parent == township_task
        assert (child.title, child.kind, child.level, child.doc_number) == (
            township_task.title,
            "key_task",
            "normal",
            "西委办〔2026〕12号",
        )
        assert child.deadline == dt.date(2026, 12, 15) and child.target_measure == "万元"
        assert child.tree_path.startswith(township_task.tree_path + ".")
        assert [x.kind for x in lines(child)] == ["create"]
    parent = fresh(township_task)
    assert parent.split_basis == "manual" and parent.version == 2
    [cascade] = lines(parent, "cascade")
    assert cascade.data["shares"] == {"513401101201": "55", "513401101202": "45"}
    assert len(audits("supervision.task.cascaded", parent)) == 1
    assert len(audits("supervision.task.created")) == 3
    assert split_gap(parent).complete


def test_shares_exceeding_the_target_are_refused_and_nothing_is_written(
    township_task: Any, units: dict[str, Any], xc_secretary: Any
) -> None:
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(
            township_task,
            actor=xc_secretary,
            shares={units["village"]: 70, units["neighbour_village"]: "30.5"},
        )
    assert (caught.value.field, caught.value.code) == ("shares", "exceeds_target")
    assert "100.5" in caught.value.message and "100" in caught.value.message
    assert Task.objects.count() == 1
    assert fresh(township_task).version == 1


def test_shares_below_the_target_leave_a_gap_the_page_can_show(
    township_task: Any, units: dict[str, Any], xc_secretary: Any
) -> None:
    actions.cascade_task(township_task, actor=xc_secretary, shares={units["village"]: 60})
    gap = split_gap(township_task)
    assert (gap.target, gap.assigned, gap.gap, gap.children, gap.complete) == (
        Decimal(100),
        Decimal(60),
        Decimal(40),
        1,
        False,
    )
    # the rest can be given later, but no unit twice and never beyond the target
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(township_task, actor=xc_secretary, shares={units["village"]: 1})
    assert caught.value.code == "already_assigned"
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(
            township_task, actor=xc_secretary, shares={units["neighbour_village"]: 41}
        )
    assert caught.value.code == "exceeds_target"
    actions.cascade_task(township_task, actor=xc_secretary, shares={units["neighbour_village"]: 40})
    assert split_gap(township_task).complete


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"shares": {"other_village": 10}}, "shares", "not_below"),
        ({"shares": {"grid": 10}}, "shares", "not_below"),
        ({"shares": {"village": 0}}, "shares", "out_of_range"),
        ({"shares": {"village": "abc"}}, "shares", "invalid_number"),
        ({"shares": {"village": 10}, "deadline": dt.date(2027, 1, 10)}, "deadline", "after_parent"),
        ({"shares": {"village": 10}, "basis": "households"}, "basis", "both"),
        ({"basis": "area"}, "basis", "invalid_choice"),
        ({}, "shares", "required"),
    ],
)
def test_bad_splits_name_the_field(
    township_task: Any,
    units: dict[str, Any],
    xc_secretary: Any,
    kwargs: dict[str, Any],
    field: str,
    code: str,
) -> None:
    if "shares" in kwargs:
        kwargs["shares"] = {units[k]: v for k, v in kwargs["shares"].items()}
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(township_task, actor=xc_secretary, **kwargs)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert Task.objects.count() == 1


def test_pro_rata_by_households_adds_up_exactly(
    deploy: Callable[..., Any], units: dict[str, Any], xc_secretary: Any
) -> None:
    third = Unit.objects.create(
        code="513401101203",
        name="新村",
        kind=UnitKind.VILLAGE,
        parent=units["lizhou"],
        households=100,
    )
    task = deploy(target_value="120")  # 120 处 among 300 / 200 / 100 households
    children = actions.cascade_task(task, actor=xc_secretary, basis="households")
    assert [(c.unit, c.target_value) for c in children] == [
        (units["village"], 60),
        (units["neighbour_village"], 40),
        (third, 20),
    ]
    odd = deploy(target_value="10.7")
    shares = [
        c.target_value for c in actions.cascade_task(odd, actor=xc_secretary, basis="population")
    ]
    # 1,000 / 800 / 0 people: 5.944… / 4.755… → 5.9 / 4.8 (the new village has nobody)
    assert shares == [Decimal("5.9"), Decimal("4.8")]
    assert sum(shares) == Decimal("10.7")
    assert fresh(odd).split_basis == "population"


def test_pro_rata_without_weights_is_refused(
    deploy: Callable[..., Any], units: dict[str, Any], xc_secretary: Any
) -> None:
    Unit.objects.filter(parent=units["lizhou"]).update(households=0)
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(deploy(), actor=xc_secretary, basis="households")
    assert (caught.value.field, caught.value.code) == ("basis", "no_weights")


def test_a_task_without_target_is_assigned_to_chosen_units(
    deploy: Callable[..., Any], units: dict[str, Any], xc_secretary: Any
) -> None:
    task = deploy(target_value=None, title="文化院坝建设", kind="campaign")
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(task, actor=xc_secretary)
    assert (caught.value.field, caught.value.code) == ("units", "required")
    with pytest.raises(SupervisionError) as caught:
        actions.cascade_task(task, actor=xc_secretary, shares={units["village"]: 1})
    assert caught.value.code == "no_target"
    [child] = actions.cascade_task(task, actor=xc_secretary, units=[units["village"]])
    assert child.target_value is None and child.unit == units["village"]


def test_who_may_split(
    township_task: Any,
    units: dict[str, Any],
    village_cadre: Any,
    outsider: Any,
    supervisor: Any,
    city_admin: Any,
) -> None:
    for actor in (village_cadre, outsider, supervisor):
        with pytest.raises(PermissionDenied):
            actions.cascade_task(township_task, actor=actor, shares={units["village"]: 10})
    assert Task.objects.count() == 1
    # the city office may split any task in its scope
    [child] = actions.cascade_task(township_task, actor=city_admin, shares={units["village"]: 10})
    assert child.issuer == units["lizhou"]


def test_city_umbrella_split_among_townships(
    deploy: Callable[..., Any], units: dict[str, Any], city_admin: Any
) -> None:
    units["lizhou"].households, units["anning"].households = 3000, 1000
    for unit in (units["lizhou"], units["anning"]):
        unit.save(update_fields=["households"])
    umbrella = deploy(unit=units["city"], target_value=500)
    assert umbrella.is_rollup and umbrella.issuer == units["city"]
    children = actions.cascade_task(umbrella, actor=city_admin, basis="households")
    # the department directly below the city gets no share
    assert [(c.unit, c.target_value) for c in children] == [
        (units["lizhou"], 375),
        (units["anning"], 125),
    ]
