"""The metric partybuilding.decisions_without_resolution: its exact count per unit."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.common.metrics import Period, get
from grassroots.partybuilding.actions.decisions import link_decision
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


def counts(tree: dict[str, Any], period: str) -> dict[str, Any]:
    units = [tree[k] for k in ("city", "lizhou", "anning", "village", "neighbour_village")]
    values = get("partybuilding.decisions_without_resolution")(Period.parse(period), units)
    names = {
        u.pk: k
        for k, u in zip(
            ("city", "lizhou", "anning", "village", "neighbour_village"), units, strict=True
        )
    }
    return {names[v.unit_id]: v.value for v in values}


def test_the_count_per_unit(
    world: dict[str, Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    # 2026: 礼州村 t1 + vacancy; 田坝村 t3 (t2 is below the amount); 礼州镇 its own t5 and
    # the rewards; 安宁村 t4.
    got = counts(tree, "2026")
    assert got["village"] == 2 and got["neighbour_village"] == 1 and got["anning"] == 1
    assert got["lizhou"] == 5  # t1, vacancy, t3, t5, rewards
    assert got["city"] == 6
    # April only: the projects starting then (t1, t3, t4, t5).
    april = counts(tree, "2026-04")
    assert (april["village"], april["lizhou"], april["city"]) == (1, 3, 4)
    link_decision(ref(world["t1"]), world["r_village"].pk, actor=village_cadre)
    assert counts(tree, "2026")["village"] == 1
    # the selection, authorised before it was decided
    link_decision(ref(world["vacancy"]), world["r_cadre"].pk, actor=village_cadre)
    assert counts(tree, "2026")["village"] == 0
    assert counts(tree, "2025")["city"] == 0


def test_a_late_resolution_counts(
    world: dict[str, Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    link_decision(ref(world["t1"]), world["r_late"].pk, actor=village_cadre)
    assert counts(tree, "2026")["village"] == 2
    metric = get("partybuilding.decisions_without_resolution")
    evidence = metric.evidence(tree["village"].pk, Period.parse("2026"))
    assert [link.reference for link in evidence] == [ref(world["t1"])]
