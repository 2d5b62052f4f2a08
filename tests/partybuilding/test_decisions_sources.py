"""The decision sources and the rules: which records are decisions, in whose scope, and
which need a resolution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grassroots.common.decisions import decisions_in
from grassroots.partybuilding.actions.decisions import update_rule
from grassroots.partybuilding.queries_decisions import LogFilters, decision_log
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


def by_ref(decisions: list[Any]) -> dict[str, Any]:
    return {d.reference: d for d in decisions}


def test_the_sources_declare_the_decisions_and_nothing_else(world: dict[str, Any]) -> None:
    found = by_ref(decisions_in(None))
    expected = {ref(world[k]) for k in ("t1", "t2", "t3", "t4", "t5", "vacancy", "publication")}
    assert set(found) == expected  # the share, the plain task, the 0-reward run: none
    t1 = found[ref(world["t1"])]
    assert (t1.matter, t1.amount, str(t1.acted_on)) == (
        "livelihood",
        Decimal("120000.00"),
        "2026-04-01",
    )
    assert found[ref(world["t3"])].matter == "fund"
    assert found[ref(world["vacancy"])].matter == "cadre"
    reward = found[ref(world["publication"])]
    assert (reward.matter, reward.amount) == ("reward", Decimal("5000.00"))
    assert reward.unit_path == world["t5"].unit_path  # the scheme's root: 礼州镇


def test_a_subtree_holds_its_own_decisions(world: dict[str, Any], tree: dict[str, Any]) -> None:
    village = set(by_ref(decisions_in([tree["village"].path])))
    assert village == {ref(world["t1"]), ref(world["vacancy"])}
    lizhou = set(by_ref(decisions_in([tree["lizhou"].path])))
    assert ref(world["t3"]) in lizhou and ref(world["t4"]) not in lizhou


def test_since_leaves_out_what_acted_before(world: dict[str, Any]) -> None:
    import datetime as dt

    found = set(by_ref(decisions_in(None, dt.date(2026, 5, 1))))
    assert found == {ref(world["vacancy"]), ref(world["publication"])}


def statuses(user: Any) -> dict[str, str]:
    return {r.decision.reference: r.status for r in decision_log(user)}


def test_the_fund_rule_applies_from_its_amount(world: dict[str, Any], city_admin: Any) -> None:
    seen = statuses(city_admin)
    assert seen[ref(world["t2"])] == "not_required"  # 30,000 < 50,000
    assert seen[ref(world["t3"])] == "missing"  # 80,000 ≥ 50,000
    assert seen[ref(world["t1"])] == "missing"  # livelihood: whatever the amount
    update_rule("fund", actor=city_admin, required=True, min_amount="100000")
    seen = statuses(city_admin)
    assert seen[ref(world["t3"])] == "not_required"
    update_rule("fund", actor=city_admin, required=True, min_amount=None)
    assert statuses(city_admin)[ref(world["t2"])] == "missing"
    update_rule("livelihood", actor=city_admin, required=False, min_amount="")
    assert statuses(city_admin)[ref(world["t1"])] == "not_required"


def test_the_log_is_scoped_and_filtered(
    world: dict[str, Any], village_cadre: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    assert set(statuses(village_cadre)) == {ref(world["t1"]), ref(world["vacancy"])}
    township = statuses(xc_secretary)
    assert ref(world["t4"]) not in township and ref(world["t3"]) in township
    only = decision_log(xc_secretary, LogFilters(matter="fund"))
    assert {r.decision.reference for r in only} == {ref(world["t2"]), ref(world["t3"])}
    outside = decision_log(village_cadre, LogFilters(unit=tree["other_village"]))
    assert outside == []
    searched = decision_log(xc_secretary, LogFilters(text="水渠"))
    assert [r.decision.reference for r in searched] == [ref(world["t3"])]
    assert decision_log(xc_secretary, LogFilters(year=2025)) == []
