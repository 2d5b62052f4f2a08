"""The ratio metrics computed together (``compute_many``: one pass per level) give exactly
the figures each metric gives alone, for every unit kind, every way of asking.

The events: a few hundred generated with a fixed seed around October 2026 in the two
villages of 礼州镇 and in the township itself — every source and status, deadlines met,
missed and still ahead, dispatches and returns, rework, answers late and in time, ratings
of every kind, events on the period's edges."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.common.metrics import Period, compute_many, get, registry
from grassroots.events.metrics import RATIOS
from tests.events.reporting_support import at, make_event

pytestmark = pytest.mark.django_db
OCTOBER = Period.parse("2026-10")
NOW = at(2026, 10, 20, 12)  # October still running: some deadlines are still ahead

SOURCES = ["patrol", "resident", "hotline", "open311", "import"]
STATUSES = ["reported", "accepted", "rejected", "dispatched", "in_progress", "returned",
            "escalated", "resolved", "reworked", "verified", "closed", "reopened"]  # fmt: skip
RATINGS = ["", "satisfied", "basically", "unsatisfied"]


def ratio_names() -> list[str]:
    return [n for n, m in registry().items() if m.batch_key == "events.ratios"]


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def events(category: Any, tree: dict[str, Any]) -> None:
    rng = random.Random(2026)
    places = [tree["grid"], tree["neighbour_village"], tree["lizhou"]]
    start = at(2026, 9, 20, 0)
    for _ in range(300):
        reported = start + dt.timedelta(minutes=rng.randrange(0, 50 * 24 * 60))
        if rng.random() < 0.05:  # exactly on an edge of the period
            reported = rng.choice([OCTOBER.start, OCTOBER.end, OCTOBER.start - dt.timedelta(0, 1)])

        def later(hours: float, base: dt.datetime = reported) -> dt.datetime | None:
            return None if rng.random() < 0.3 else base + dt.timedelta(hours=rng.random() * hours)

        resolved = later(400)
        status = "closed" if rng.random() < 0.4 else rng.choice(STATUSES)
        closed = later(48, resolved) if resolved and status == "closed" else None
        if status == "closed" and closed is None and rng.random() < 0.5:
            closed = later(30)  # closed on the spot, no separate resolution
        rating = rng.choice(RATINGS) if closed else ""
        make_event(
            category,
            rng.choice(places),
            source=rng.choice(SOURCES),
            status=status,
            reported_at=reported,
            respond_by=reported + dt.timedelta(hours=2) if rng.random() < 0.8 else None,
            responded_at=later(5),
            accepted_at=later(3),
            dispatched_at=later(300),
            return_count=rng.choice([0, 0, 0, 1, 2]),
            rework_count=rng.choice([0, 0, 0, 1]),
            resolve_by=reported + dt.timedelta(hours=rng.random() * 500),
            resolved_at=resolved,
            closed_at=closed,
            rated_at=later(200, closed) if rating and closed else None,
            satisfaction=rating,
        )


@pytest.fixture
def asked(tree: dict[str, Any]) -> list[Any]:
    return [
        tree[k]
        for k in ("city", "lizhou", "anning", "village", "neighbour_village", "other_village",
                  "grid", "department")
    ]  # fmt: skip


def test_every_ratio_metric_and_the_median_are_in_the_batch() -> None:
    assert set(RATIOS) <= set(ratio_names())
    assert set(ratio_names()) - set(RATIOS) == {"events.median_close_hours"}


@pytest.mark.usefixtures("events")
def test_together_equals_alone_for_loaded_units(asked: list[Any]) -> None:
    names = ratio_names()
    together = compute_many(names, OCTOBER, asked)
    assert list(together) == names
    for name in names:
        alone = get(name)(OCTOBER, asked)
        assert together[name] == alone, name
    # the fixture measures something: every figure has events behind it somewhere
    for name in names:
        assert any(v.denominator for v in together[name]), name


@pytest.mark.usefixtures("events")
@pytest.mark.parametrize("period", ["2026-10", "2026-09", "2026-Q4", "2026"])
def test_together_equals_alone_for_a_queryset_and_by_default(period: str) -> None:
    from grassroots.org.models import Unit

    names = ratio_names()
    parsed = Period.parse(period)
    units = Unit.objects.exclude(kind="department")
    together = compute_many(names, parsed, units)
    default = compute_many(names, parsed)
    for name in names:
        assert together[name] == get(name)(parsed, units), name
        assert default[name] == get(name)(parsed), name


@pytest.mark.usefixtures("events")
def test_a_subset_mixed_with_other_metrics(asked: list[Any]) -> None:
    names = [
        "events.median_close_hours",
        "events.close_rate",
        "events.rework_rate",
        "events.hotline_response_rate",
        "events.weekly_one_thing_coverage",
    ]
    together = compute_many(names, OCTOBER, asked)
    assert list(together) == names
    for name in names:
        assert together[name] == get(name)(OCTOBER, asked), name


@pytest.mark.usefixtures("events")
def test_one_query_per_level(asked: list[Any]) -> None:
    with CaptureQueriesContext(connection) as captured:
        compute_many(list(RATIOS), OCTOBER, asked)
    # villages, townships, grids: one pass each
    assert len(captured.captured_queries) == 3


@pytest.mark.usefixtures("events")
def test_the_median_in_the_same_pass_on_postgresql(asked: list[Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    with CaptureQueriesContext(connection) as captured:
        together = compute_many(ratio_names(), OCTOBER, asked)
    assert len(captured.captured_queries) == 3
    assert any(v.value is not None for v in together["events.median_close_hours"])
