"""The lists of the homestead and construction registers, their exports, the zero line
and the home page keep their number of queries whatever the number of rows (calendar
reads left out), for the township leader, the supervisor and the grid worker (names
masked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grassroots.registers.models import ConstructionCase, Homestead, HomesteadCase

pytestmark = pytest.mark.django_db

URLS = (
    "/registers/",
    "/registers/homesteads/",
    "/registers/homesteads/?oversize=on",
    "/registers/homesteads/?multiple=on&q=H",
    "/registers/homesteads/cases/",
    "/registers/homesteads/cases/?status=open_any&overdue=on",
    "/registers/homesteads/export/",
    "/registers/construction/",
    "/registers/construction/?new_only=on&status=open",
    "/registers/construction/export/",
    "/registers/zero-line/",
)


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


@pytest.mark.parametrize("role", ["xc_secretary", "supervisor", "grid_worker"])
def test_lists_do_not_query_per_row(
    role: str,
    login: Any,
    make_household: Any,
    tree: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    today = timezone.localdate()
    made = {"n": 0}

    def add(count: int) -> None:
        for _ in range(count):
            made["n"] += 1
            n = made["n"]
            village = tree["village"]
            household = make_household()
            first = Homestead.objects.create(
                unit=village, household=household, parcel_number=f"A{n}", area=Decimal(200)
            )
            Homestead.objects.create(
                unit=village, household=household, parcel_number=f"B{n}", area=Decimal(90)
            )
            HomesteadCase.objects.create(
                unit=village,
                household=household,
                kind="oversize",
                homestead=first,
                finding="超标准",
                found_on=today - dt.timedelta(days=90),
                due_on=today - dt.timedelta(days=1),
            )
            ConstructionCase.objects.create(
                unit=village,
                grid=tree["grid"],
                kind="building",
                source="inspection",
                number=f"WJ{n:04d}",
                party_name="王大明",
                address=f"礼州村{n}组",
                started_on=today - dt.timedelta(days=20),
                found_on=today - dt.timedelta(days=10),
                due_on=today + dt.timedelta(days=10),
            )

    client = login(request.getfixturevalue(role))
    add(2)
    few = {url: queries(client, url) for url in URLS}
    add(10)
    many = {url: queries(client, url) for url in URLS}
    assert many == few
