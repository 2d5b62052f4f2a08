"""A grid worker keeps seeing the construction cases of their grid: the ones they open
on patrol, and the ones opened from their 违法建设 reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.registers.actions.construction import open_case
from grassroots.registers.models import ConstructionCase

pytestmark = pytest.mark.django_db


def test_a_case_a_grid_worker_opens_is_placed_on_their_grid_and_stays_theirs(
    tree: dict[str, Any], grid_worker: Any, village_cadre: Any, login: Any
) -> None:
    today = timezone.localdate()
    case = open_case(
        actor=grid_worker,
        unit=tree["village"],
        kind="building",
        source="patrol",
        address="礼州村三组",
        started_on=today - dt.timedelta(days=2),
        found_on=today,
    )
    assert case.grid == tree["grid"] and case.unit == tree["village"]
    assert list(ConstructionCase.objects.visible_to(grid_worker)) == [case]
    page = login(grid_worker).get(reverse("registers:construction_detail", args=[case.pk]))
    assert page.status_code == 200
    by_cadre = open_case(
        actor=village_cadre,
        unit=tree["village"],
        kind="building",
        source="inspection",
        address="礼州村五组",
        started_on=today,
        found_on=today,
    )
    assert by_cadre.grid is None  # the village's own: not shown to the grid worker
    assert by_cadre not in ConstructionCase.objects.visible_to(grid_worker)
