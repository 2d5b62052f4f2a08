"""The registers' home page: figures over the viewer's scope, new cases against zero."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.registers.models import ConstructionCase, MonitoredHousehold, Window

pytestmark = pytest.mark.django_db


def _case(unit: Any, n: int, *, new: bool, kind: str = "building") -> ConstructionCase:
    today = timezone.localdate()
    started = today if new else dt.date(2012, 5, 1)
    return ConstructionCase.objects.create(
        unit=unit,
        kind=kind,
        source="inspection",
        number=f"T{n:04d}",
        address="礼州村一组",
        started_on=started,
        found_on=today,
        is_new=new,
        due_on=today + dt.timedelta(days=20),
    )


def test_figures_are_counted_within_the_viewers_scope(
    tree: dict[str, Any], login: Any, xc_secretary: Any, outsider: Any, make_household: Any
) -> None:
    _case(tree["village"], 1, new=True)
    _case(tree["village"], 2, new=False)
    _case(tree["village"], 3, new=True, kind="relocation")
    _case(tree["other_village"], 4, new=True)  # 安宁镇: not the 礼州镇 leader's
    Window.objects.create(
        unit=tree["village"],
        code="W1",
        name="一号天窗",
        area=Decimal(1000),
        plan_year=2024,
        restored_area=Decimal(250),
    )
    MonitoredHousehold.objects.create(
        unit=tree["village"],
        household=make_household(),
        kind="edge",
        risks=["illness"],
        since=dt.date(2026, 1, 1),
        income_per_capita=Decimal(6000),
        review_due_on=dt.date(2026, 4, 1),
    )
    page = login(xc_secretary).get(reverse("registers:home"))
    assert page.status_code == 200
    o = page.context["o"]
    assert (o.construction_new_this_year, o.relocation_new_this_year) == (1, 1)
    assert o.construction_open == 3
    assert o.window_share == Decimal("25.0")
    assert o.monitored == 1 and o.monitored_late == 1
    other = login(outsider).get(reverse("registers:home")).context["o"]
    assert (other.construction_new_this_year, other.windows, other.monitored) == (1, 0, 0)


def test_who_may_not_see_the_registers_gets_403(login: Any, dept_staff: Any, resident: Any) -> None:
    assert login(dept_staff).get(reverse("registers:home")).status_code == 403
    assert login(resident).get(reverse("registers:home")).status_code == 403
    assert login(dept_staff).post(reverse("registers:home")).status_code == 405


def test_a_report_found_not_to_be_a_case_is_no_new_case(
    tree: dict[str, Any], login: Any, xc_secretary: Any
) -> None:
    _case(tree["village"], 1, new=True)
    dismissed = _case(tree["village"], 2, new=True)
    ConstructionCase.objects.filter(pk=dismissed.pk).update(status="dismissed")
    o = login(xc_secretary).get(reverse("registers:home")).context["o"]
    assert o.construction_new_this_year == 1
