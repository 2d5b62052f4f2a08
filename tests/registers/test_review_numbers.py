"""The numbers people check against each other: the zero line's totals, the list filtered
the same way and ``registers.new_illegal_construction``; every figure of the home page and
the list it links to; the 天窗 progress on the list and ``registers.window_progress``; the
collective economy's growth and target rates on the income page and in the metrics."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from grassroots.common.metrics import Period, get
from grassroots.org.models import Membership
from grassroots.registers.models import (
    ConstructionCase,
)

pytestmark = pytest.mark.django_db

#: The last day of 2026, so that the year 2026 is a whole period and today its last day.
NOW = dt.datetime(2026, 12, 31, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock(
    tree: dict[str, Any], city_admin: Any, xc_secretary: Any, village_cadre: Any
) -> Iterator[None]:
    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    for user in (city_admin, xc_secretary, village_cadre):
        user.__dict__.pop("_grassroots_grants", None)
    with time_machine.travel(NOW, tick=False):
        yield


def case(unit: Any, n: int, found: dt.date, **kw: Any) -> ConstructionCase:
    fields: dict[str, Any] = {
        "kind": "building",
        "source": "inspection",
        "address": f"{unit.name}{n}组",
        "started_on": found - dt.timedelta(days=10),
        "found_on": found,
        "due_on": found + dt.timedelta(days=30),
        "is_new": True,
    }
    fields.update(kw)
    return ConstructionCase.objects.create(unit=unit, number=f"WJ{n:04d}", **fields)


@pytest.fixture
def cases(tree: dict[str, Any]) -> None:
    """礼州镇 in 2026: one new building, one new building dismissed after checking (not a
    case), one old building, one new relocation; a new building of 2025; one of 安宁镇."""
    village = tree["village"]
    case(village, 1, dt.date(2026, 3, 2))
    case(village, 2, dt.date(2026, 4, 2), status="dismissed", closed_on=dt.date(2026, 4, 3))
    case(village, 3, dt.date(2026, 5, 2), is_new=False, started_on=dt.date(2012, 1, 1))
    case(village, 4, dt.date(2026, 6, 2), kind="relocation")
    case(tree["neighbour_village"], 5, dt.date(2025, 6, 2))
    case(tree["other_village"], 6, dt.date(2026, 7, 2))


def listed(answer: Any) -> int:
    assert answer.status_code == 200
    return int(answer.context["page"].paginator.count)


def test_the_zero_line_the_list_and_the_metric_agree(
    cases: None, tree: dict[str, Any], city_admin: Any, login: Any
) -> None:
    client = login(city_admin)
    lizhou = tree["lizhou"]
    page = client.get(reverse("registers:zero_line"), {"year": 2026, "kind": "building"})
    rows = {r.unit.code: r for r in page.context["table"].rows}
    assert rows[lizhou.code].total == 1
    metric = get("registers.new_illegal_construction")(Period.parse("2026"), [lizhou])
    assert metric[0].value == Decimal(1)
    # the township's year total leads to the list filtered the same way
    link = re.search(
        r'<td class="year-total[^"]*"><a href="([^"]+)">1</a>',
        page.content.decode().split(f'data-code="{lizhou.code}"')[1],
    )
    assert link is not None
    assert listed(client.get(unescape(link[1]))) == 1
    # the list's own filters, by hand: new cases of the township found in 2026
    query = {
        "kind": "building",
        "new_only": "on",
        "unit": lizhou.code,
        "found_from": "2026-01-01",
        "found_to": "2026-12-31",
    }
    assert listed(client.get(reverse("registers:construction"), query)) == 1
