"""The lists of the 天窗, monitoring and income registers keep their number of queries
whatever the number of rows (calendar reads left out)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.registers.actions import poverty
from grassroots.registers.models import CollectiveIncome, Window

pytestmark = pytest.mark.django_db

URLS = (
    "/registers/windows/",
    "/registers/windows/map/",
    "/registers/monitoring/",
    "/registers/monitoring/late/",
    "/registers/income/",
    "/registers/windows/export/",
    "/registers/monitoring/export/",
)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def test_lists_do_not_query_per_row(
    login: Any, xc_secretary: Any, make_household: Any, tree: dict[str, Any]
) -> None:
    villages = [tree["village"], tree["neighbour_village"]]
    made = {"n": 0}

    def add(count: int) -> None:
        for _ in range(count):
            made["n"] += 1
            n = made["n"]
            unit = villages[n % 2]
            Window.objects.create(
                unit=unit,
                code=f"QH-{n}",
                name=f"地块{n}",
                area=Decimal(100),
                plan_year=2026,
                lat=27.85,
                lon=102.05 + n / 1000,
            )
            monitored = poverty.put_under_monitoring(
                actor=xc_secretary,
                household=make_household(),
                kind="edge",
                risks=["illness"],
                since=dt.date(2026, 1, 1),
                members=2,
                income_per_capita="5000",
            )
            poverty.add_assistance(
                monitored.pk,
                actor=xc_secretary,
                kind="health",
                started_on=dt.date(2026, 2, 1),
                description="医保",
            )
            CollectiveIncome.objects.update_or_create(
                unit=unit, year=2026, source="operating", defaults={"amount": Decimal(n)}
            )

    client = login(xc_secretary)
    add(2)
    few = {url: queries(client, url) for url in URLS}
    add(8)
    many = {url: queries(client, url) for url in URLS}
    assert many == few
