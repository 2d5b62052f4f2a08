"""The registers' policy: the nearest one above a unit applies, else the defaults."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.registers.models import Policy
from grassroots.registers.queries import policies_for, policy_for

pytestmark = pytest.mark.django_db


def test_defaults_when_nobody_set_a_policy(tree: dict[str, Any]) -> None:
    policy = policy_for(tree["village"])
    assert policy.pk is None
    assert policy.baseline == dt.date(2015, 12, 31)
    assert policy.homestead_area_limit == Decimal(150)


def test_the_nearest_policy_above_applies(tree: dict[str, Any]) -> None:
    Policy.objects.create(unit=tree["city"], homestead_area_limit=Decimal(120))
    Policy.objects.create(unit=tree["lizhou"], homestead_area_limit=Decimal(100))
    found = policies_for([tree["village"], tree["other_village"], tree["city"]])
    assert found[tree["village"].pk].homestead_area_limit == Decimal(100)  # 礼州镇's own
    assert found[tree["other_village"].pk].homestead_area_limit == Decimal(120)  # the city's
    assert found[tree["city"].pk].homestead_area_limit == Decimal(120)
