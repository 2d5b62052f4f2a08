"""The assessment can use every metric of the grid basics and the registers: a scheme with
an indicator on each computes, and a new illegal building vetoes its village."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from grassroots.assessment.actions import compute_run
from grassroots.assessment.models import Category, Indicator, Result, Scheme, Score
from grassroots.common import metrics
from grassroots.registers.models import ConstructionCase

pytestmark = pytest.mark.django_db

OURS = ("registers.", "residents.")


def _scheme(tree: dict[str, Any]) -> Scheme:
    scheme = Scheme.objects.create(
        code="xc-village-registers",
        name="西昌市村(社区)专项台账考核",
        year=timezone.localdate().year,
        level="village",
        root=tree["city"],
        grade_quota={"excellent_share": "0.34", "poor_below": "10"},
        list_rule={"red_top_n": 1, "black_bottom_n": 1},
    )
    names = sorted(n for n in metrics.registry() if n.startswith(OURS))
    for position, name in enumerate(names):
        veto = name == "registers.new_illegal_construction"
        indicator = Indicator(
            scheme=scheme,
            code=name.replace(".", "-").replace("_", "-")[:40],
            name=name,
            category=Category.VETO if veto else Category.COMMON,
            weight=Decimal(0) if veto else Decimal(5),
            metric=name,
            rule="veto" if veto else "rank_points",
            params={"threshold": 1} if veto else {},
            direction=metrics.get(name).direction,
            position=position,
        )
        indicator.full_clean()
        indicator.save()
    return scheme


def test_every_metric_of_ours_computes_and_a_new_illegal_building_vetoes(
    tree: dict[str, Any], city_admin: Any
) -> None:
    names = [n for n in metrics.registry() if n.startswith(OURS)]
    assert {"registers.new_illegal_construction", "residents.visit_coverage"} <= set(names)
    assert len(names) >= 10
    today = timezone.localdate()
    ConstructionCase.objects.create(
        unit=tree["village"],
        kind="building",
        source="inspection",
        number="WJ-T-1",
        address="礼州村一组",
        started_on=today,
        found_on=today,
        is_new=True,
        due_on=today + dt.timedelta(days=20),
    )
    scheme = _scheme(tree)
    run = compute_run(scheme, today.strftime("%Y-%m"), actor=city_admin)
    assert Score.objects.filter(run=run).values("indicator").distinct().count() == len(names)
    results = {r.unit_id: r for r in Result.objects.filter(run=run)}
    assert results[tree["village"].pk].vetoed is True
    assert results[tree["neighbour_village"].pk].vetoed is False
