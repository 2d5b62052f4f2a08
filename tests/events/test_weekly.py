"""每周一件事: each village's weeks with at least one resolved event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period
from grassroots.events.weekly import mondays, tally, village_weeks, weeks_of
from tests.events.reporting_support import at, make_event

pytestmark = pytest.mark.django_db
D = dt.date


def test_mondays_and_weeks_of_a_period() -> None:
    assert mondays(D(2026, 10, 1), D(2026, 10, 14)) == [
        D(2026, 9, 28),
        D(2026, 10, 5),
        D(2026, 10, 12),
    ]
    october = Period.parse("2026-10")
    # Thursday rule: the week of Mon Sep 28 (Thu Oct 1) is October's; the week of Mon
    # Oct 26 (Thu Oct 29) too; the week of Mon Nov 2 is not.
    assert weeks_of(october, now=at(2026, 12, 1)) == [
        D(2026, 9, 28),
        D(2026, 10, 5),
        D(2026, 10, 12),
        D(2026, 10, 19),
        D(2026, 10, 26),
    ]
    # Weeks still running (or to come) are not counted yet.
    assert weeks_of(october, now=at(2026, 10, 18, 23, 59)) == [D(2026, 9, 28), D(2026, 10, 5)]
    assert weeks_of(october, now=at(2026, 10, 19)) == [
        D(2026, 9, 28),
        D(2026, 10, 5),
        D(2026, 10, 12),
    ]
    november = Period.parse("2026-11")
    assert weeks_of(november, now=at(2027, 1, 1))[0] == D(2026, 11, 2)
    assert weeks_of(Period.parse("2026-W47"), now=at(2027, 1, 1)) == [D(2026, 11, 16)]


@pytest.fixture
def resolved(category: Any, tree: dict[str, Any]) -> dict[str, Any]:
    v1, v2 = tree["grid"], tree["neighbour_village"]
    return {
        # Sunday 23:30 local is still the week of Monday Oct 12 (UTC says 15:30 Sunday).
        "late_sunday": make_event(
            category, v1, status="resolved", resolved_at=at(2026, 10, 18, 23, 30)
        ),
        "monday": make_event(
            category,
            v1,
            status="closed",
            resolved_at=at(2026, 10, 19, 0, 10),
            closed_at=at(2026, 10, 20, 9),
        ),
        "on_spot": make_event(category, v1, status="closed", closed_at=at(2026, 10, 6, 9)),
        "rejected": make_event(category, v2, status="rejected", closed_at=at(2026, 10, 6, 9)),
        "open": make_event(category, v2, status="in_progress"),
        "neighbour": make_event(category, v2, status="verified", resolved_at=at(2026, 10, 13, 9)),
        "other_township": make_event(
            category, tree["other_village"], status="resolved", resolved_at=at(2026, 10, 13, 9)
        ),
    }


def test_tally_for_all_villages_of_a_township(resolved: dict[str, Any], tree: Any) -> None:
    weeks = [D(2026, 10, 5), D(2026, 10, 12), D(2026, 10, 19), D(2026, 10, 26)]
    with CaptureQueriesContext(connection) as ctx:
        result = tally(tree["lizhou"], weeks)
    assert len(ctx.captured_queries) == 2  # the villages, the events
    v1, v2 = tree["village"].pk, tree["neighbour_village"].pk
    assert set(result) == {v1, v2}
    assert [w.resolved for w in result[v1]] == [1, 1, 1, 0]
    assert [w.resolved for w in result[v2]] == [0, 1, 0, 0]
    assert result[v1][0].example_id == resolved["on_spot"].pk
    assert result[v1][1].example_id == resolved["late_sunday"].pk
    assert result[v1][2].label == "2026-W43" and result[v1][2].done
    city = tally(tree["city"], weeks)
    assert [w.resolved for w in city[tree["other_village"].pk]] == [0, 1, 0, 0]


def test_village_weeks_for_the_village_page(resolved: dict[str, Any], tree: Any) -> None:
    with CaptureQueriesContext(connection) as ctx:
        weeks = village_weeks(tree["village"], 4, today=D(2026, 10, 21))
    assert len(ctx.captured_queries) == 1
    assert [w.monday for w in weeks] == [
        D(2026, 10, 19),
        D(2026, 10, 12),
        D(2026, 10, 5),
        D(2026, 9, 28),
    ]
    assert [[e.pk for e in w.events] for w in weeks] == [
        [resolved["monday"].pk],
        [resolved["late_sunday"].pk],
        [resolved["on_spot"].pk],
        [],
    ]
    assert weeks[1].sunday == D(2026, 10, 18)
    assert [w.done for w in weeks] == [True, True, True, False]


def test_coverage_in_a_running_month(resolved: dict[str, Any], tree: Any) -> None:
    from grassroots.common.metrics import get

    # On Oct 21 the weeks of Sep 28, Oct 5 and Oct 12 have ended: 礼州村 covered Oct 5
    # (on the spot) and Oct 12 (late Sunday); the running week is not counted.
    with time_machine.travel(at(2026, 10, 21, 12), tick=False):
        [value] = get("events.weekly_one_thing_coverage")(
            Period.parse("2026-10"), [tree["village"]]
        )
    assert (value.numerator, value.denominator) == (2, 3)


@pytest.fixture
def october_21() -> Any:
    with time_machine.travel(at(2026, 10, 21, 12), tick=False):
        yield


@pytest.mark.usefixtures("backdated", "october_21")
def test_village_page(resolved: dict[str, Any], tree: Any, login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    client.cookies["django_language"] = "en"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/events/weekly/513401101201/?weeks=4")
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 8
    weeks = response.context["village_weeks"]
    assert [w.monday for w in weeks] == [
        D(2026, 10, 19),
        D(2026, 10, 12),
        D(2026, 10, 5),
        D(2026, 9, 28),
    ]
    page = response.content.decode()
    assert resolved["late_sunday"].title in page and "None resolved" in page
    assert response.context["done"] == 3


@pytest.mark.usefixtures("backdated", "october_21")
def test_township_page(resolved: dict[str, Any], tree: Any, login: Any, xc_secretary: Any) -> None:
    response = login(xc_secretary).get("/events/weekly/513401101/?weeks=3")
    assert response.status_code == 200
    assert response.context["mondays"] == [D(2026, 10, 5), D(2026, 10, 12), D(2026, 10, 19)]
    rows = {r["village"].name: [w.resolved for w in r["weeks"]] for r in response.context["rows"]}
    assert rows == {"礼州村": [1, 1, 1], "田坝村": [0, 1, 0]}


@pytest.mark.usefixtures("backdated", "october_21")
def test_weekly_page_scope(tree: Any, login: Any, village_cadre: Any, client: Any) -> None:
    assert login(village_cadre).get("/events/weekly/513401102201/").status_code == 404  # 安宁村
    assert login(village_cadre).get("/events/weekly/nonexistent/").status_code == 404
    assert client.get("/events/weekly/513401101201/").status_code == 302
