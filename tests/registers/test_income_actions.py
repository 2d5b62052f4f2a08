"""Collective economy actions: a village's income by source and its target (by hand or
from a supervised task) — errors by field, scope, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import income as actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.models import CollectiveIncome, IncomeTarget
from grassroots.supervision.models import Task, tree_path_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def make_task(unit: Any, **fields: Any) -> Task:
    issuer = unit.parent
    values: dict[str, Any] = {
        "title": "发展壮大村级集体经济",
        "kind": "key_task",
        "unit": unit,
        "unit_path": unit.path,
        "issuer": issuer,
        "issuer_path": issuer.path,
        "start_date": dt.date(2026, 1, 1),
        "deadline": dt.date(2026, 12, 31),
        "target_value": Decimal("35.5"),
        "target_measure": "万元",
    }
    values.update(fields)
    task = Task.objects.create(**values)
    task.tree_path = tree_path_of(task.pk, None)
    task.save(update_fields=["tree_path"])
    return task


def test_income_by_source_is_set_changed_and_removed(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    village = tree["village"]
    after = actions.set_income(
        village, 2025, {"operating": "120000", "subsidy": "50000.50"}, actor=village_cadre
    )
    assert after == {"operating": Decimal(120000), "subsidy": Decimal("50000.50")}
    after = actions.set_income(
        village, "2025", {"operating": "130000", "subsidy": None, "other": "0"}, actor=village_cadre
    )
    assert after == {"operating": Decimal(130000), "other": Decimal(0)}
    assert CollectiveIncome.objects.filter(unit=village, year=2025).count() == 2
    entries = list(
        AuditEntry.objects.filter(action="registers.collective_income.set").order_by("pk")
    )
    assert len(entries) == 2
    assert (entries[1].before or {})["subsidy"] == "50000.50"
    assert "subsidy" not in (entries[1].after or {})
    # nothing changes: no entry
    actions.set_income(village, 2025, {"operating": "130000"}, actor=village_cadre)
    assert AuditEntry.objects.filter(action="registers.collective_income.set").count() == 2


@pytest.mark.parametrize(
    ("year", "amounts", "field"),
    [
        (1999, {"operating": "1"}, "year"),
        (2027, {"operating": "1"}, "year"),
        ("x", {"operating": "1"}, "year"),
        (2025, {"operating": "-1"}, "operating"),
        (2025, {"subsidy": "abc"}, "subsidy"),
        (2025, {"investment": "1.005"}, "investment"),
        (2025, {"lottery": "1"}, "lottery"),
    ],
)
def test_bad_income_names_its_field_and_writes_nothing(
    tree: dict[str, Any], village_cadre: Any, year: Any, amounts: dict[str, Any], field: str
) -> None:
    with pytest.raises(RegistersError) as caught:
        actions.set_income(tree["village"], year, amounts, actor=village_cadre)
    assert caught.value.field == field
    assert not CollectiveIncome.objects.exists()
    assert not AuditEntry.objects.exists()


def test_scope_and_the_kind_of_unit(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, supervisor: Any
) -> None:
    for unit, person in ((tree["neighbour_village"], village_cadre), (tree["village"], supervisor)):
        with pytest.raises(PermissionDenied):
            actions.set_income(unit, 2025, {"operating": "1"}, actor=person)
    with pytest.raises(RegistersError) as caught:
        actions.set_income(tree["lizhou"], 2025, {"operating": "1"}, actor=xc_secretary)
    assert caught.value.field == "unit"
    actions.set_income(tree["neighbour_village"], 2025, {"operating": "1"}, actor=xc_secretary)


def test_a_target_by_hand(tree: dict[str, Any], village_cadre: Any) -> None:
    target = actions.set_target(tree["village"], 2027, actor=village_cadre, amount="300000")
    assert (target.year, target.amount, target.task_id) == (2027, Decimal(300000), None)
    target = actions.set_target(tree["village"], 2027, actor=village_cadre, amount="320000")
    assert IncomeTarget.objects.get().amount == Decimal(320000)
    entries = list(AuditEntry.objects.filter(action="registers.income_target.set").order_by("pk"))
    assert entries[0].before is None
    assert (entries[1].before or {})["amount"] == "300000.00"
    for amount, field in (("0", "amount"), ("", "amount"), ("-5", "amount")):
        with pytest.raises(RegistersError) as caught:
            actions.set_target(tree["village"], 2026, actor=village_cadre, amount=amount)
        assert caught.value.field == field
    with pytest.raises(RegistersError) as caught:
        actions.set_target(tree["village"], 2028, actor=village_cadre, amount="1")
    assert caught.value.field == "year"


def test_a_target_taken_from_the_villages_supervised_task(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    task = make_task(tree["village"])
    target = actions.set_target(tree["village"], 2026, actor=village_cadre, task_id=task.pk)
    assert target.amount == Decimal(355000)  # 35.5 万元
    assert target.task_id == task.pk
    # an amount given wins over the task's
    target = actions.set_target(
        tree["village"], 2026, actor=village_cadre, task_id=str(task.pk), amount="400000"
    )
    assert target.amount == Decimal(400000)


@pytest.mark.parametrize(
    ("which", "field"),
    [
        ("missing", "task"),
        ("neighbours", "task"),  # another village's task
        ("no_target", "task"),
        ("pieces", "amount"),  # a target in 处: not money, give the amount
        ("hidden", "task"),  # not visible to the cadre
        ("garbage", "task"),
    ],
)
def test_a_task_must_be_the_villages_visible_quantitative_one(
    tree: dict[str, Any], village_cadre: Any, which: str, field: str
) -> None:
    tasks: dict[str, Any] = {
        "missing": 999999,
        "neighbours": make_task(tree["neighbour_village"]).pk,
        "no_target": make_task(tree["village"], target_value=None, target_measure="").pk,
        "pieces": make_task(tree["village"], target_measure="处").pk,
        "hidden": make_task(tree["other_village"], unit_path=tree["other_village"].path).pk,
        "garbage": "12; drop",
    }
    with pytest.raises(RegistersError) as caught:
        actions.set_target(tree["village"], 2026, actor=village_cadre, task_id=tasks[which])
    assert caught.value.field == field
    assert not IncomeTarget.objects.exists()
