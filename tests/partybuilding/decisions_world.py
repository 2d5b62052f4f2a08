"""The scenario the decision log tests share (see ``world``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.partybuilding.decisions_support import (
    D,
    make_publication,
    make_resolution,
    make_task,
    make_vacancy,
)


@pytest.fixture
def world(tree: dict[str, Any], city_admin: Any) -> dict[str, Any]:
    """礼州村: a livelihood project (12 万元, needs a resolution) and a cadre selection;
    田坝村: a fund of 3 万元 (below the 50,000 yuan rule) and one of 8 万元 (above);
    安宁村: a livelihood project; 礼州镇: a livelihood project with a share cascaded to
    礼州村 (the share is no decision) and rewards allocated to its villages; resolutions
    of 礼州村, 田坝村 and 礼州镇."""
    v, n, o, lz = tree["village"], tree["neighbour_village"], tree["other_village"], tree["lizhou"]
    root = make_task(lz, title="礼州镇饮水工程", budget=Decimal(50))
    w: dict[str, Any] = {
        "t1": make_task(v, title="礼州村村道硬化", budget=Decimal(12)),
        "t2": make_task(n, title="田坝村小额资金", kind="key_task", budget=Decimal(3)),
        "t3": make_task(n, title="田坝村水渠维修", kind="key_task", budget=Decimal(8)),
        "t4": make_task(o, title="安宁村文化广场"),
        "t5": root,
        "share": make_task(v, title="礼州村饮水分解", parent=root, issuer=lz),
        "plain": make_task(v, title="礼州村重点任务", kind="key_task"),
        "vacancy": make_vacancy(v, city_admin),
        "publication": make_publication(lz, [v, n], rewards_fen=[300000, 200000], on=D(2026, 6, 1)),
        "no_rewards": make_publication(lz, [v, n], rewards_fen=[0, 0], on=D(2026, 6, 2)),
        "r_village": make_resolution(v, "2026-01"),
        "r_failed": make_resolution(v, "2026-02", passed=False),
        "r_late": make_resolution(v, "2026-03", decided_on=D(2026, 6, 1)),
        "r_cadre": make_resolution(v, "2026-04", matter="cadre", decided_on=D(2026, 5, 1)),
        "r_neighbour": make_resolution(n, "2026-01"),
        "r_township": make_resolution(lz, "2026-01"),
    }
    return w


def ref(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"
