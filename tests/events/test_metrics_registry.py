"""The metric registry of ``common.metrics``: periods, registration, rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grassroots.common.metrics import (
    MetricValue,
    Period,
    PeriodError,
    UnknownMetricError,
    get,
    metric,
    percent,
    quantize,
    registry,
)
from tests.events.reporting_support import at


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", at(2026, 10, 1), at(2026, 11, 1)),
        ("2026-12", at(2026, 12, 1), at(2027, 1, 1)),
        ("2024-02", at(2024, 2, 1), at(2024, 3, 1)),
        ("2026-Q1", at(2026, 1, 1), at(2026, 4, 1)),
        ("2026-q3", at(2026, 7, 1), at(2026, 10, 1)),
        ("2026-Q4", at(2026, 10, 1), at(2027, 1, 1)),
        ("2026", at(2026, 1, 1), at(2027, 1, 1)),
        ("2026-W47", at(2026, 11, 16), at(2026, 11, 23)),
        ("2026-W01", at(2025, 12, 29), at(2026, 1, 5)),
        ("2026-W53", at(2026, 12, 28), at(2027, 1, 4)),
        (" 2026-10 ", at(2026, 10, 1), at(2026, 11, 1)),
    ],
)
def test_periods_parse_in_local_time(text: str, start: dt.datetime, end: dt.datetime) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert str(period) == period.label


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-W54", "2025-W53", "26-10", "2026/10", "", "x"]
)
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_period_rules() -> None:
    october = Period.parse("2026-10")
    assert at(2026, 10, 31, 23, 59) in october
    assert at(2026, 11, 1) not in october
    assert october.cutoff(at(2026, 10, 15)) == at(2026, 10, 15)
    assert october.cutoff(at(2026, 12, 1)) == october.end
    assert october.cutoff(at(2026, 9, 1)) == october.start
    assert october.local_dates() == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert Period.of_dates(dt.date(2026, 10, 1), dt.date(2026, 10, 31)).end == october.end
    with pytest.raises(PeriodError):
        Period(at(2026, 2, 1), at(2026, 1, 1))
    with pytest.raises(PeriodError):
        Period(dt.datetime(2026, 1, 1), at(2026, 2, 1))  # noqa: DTZ001 - the point


def test_percent_rounds_half_up() -> None:
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 → 0.13
    assert percent(0, 5) == Decimal("0.00")
    assert percent(0, 0) is None
    assert quantize(2.675) == Decimal("2.68")
    assert quantize(None) is None


def test_registry_and_lookup() -> None:
    names = set(registry())
    assert {
        "events.acceptance_rate",
        "events.dispatch_accuracy",
        "events.on_time_handling_rate",
        "events.close_rate",
        "events.on_time_close_rate",
        "events.rework_rate",
        "events.hotline_response_rate",
        "events.hotline_resolution_rate",
        "events.hotline_satisfaction_rate",
        "events.satisfaction_rate",
        "events.patrol_share",
        "events.median_close_hours",
        "events.overdue_count",
        "events.weekly_one_thing_coverage",
    } <= names
    m = get("events.on_time_close_rate")
    assert (m.unit, m.direction) == ("%", "higher")
    assert "按期结案率" in m.definition
    with pytest.raises(UnknownMetricError):
        get("events.no_such_thing")


def test_registration_rules() -> None:
    def figure(period: Period, units: object) -> list[MetricValue]:
        """A test metric: always 1."""
        return []

    registered = metric("testing.one", label="one", unit="", direction="higher")(figure)
    try:
        # The same function again (a module reload) replaces it.
        metric("testing.one", label="one", unit="", direction="higher")(figure)

        def other(period: Period, units: object) -> list[MetricValue]:
            """Another."""
            return []

        with pytest.raises(ValueError, match="registered twice"):
            metric("testing.one", label="one", unit="", direction="higher")(other)
        with pytest.raises(NotImplementedError):
            registered.evidence(1, Period.parse("2026"))
    finally:
        from grassroots.common import metrics as module

        module._REGISTRY.pop("testing.one", None)

    def undocumented(period: Period, units: object) -> list[MetricValue]:
        return []

    with pytest.raises(ValueError, match="docstring"):
        metric("testing.two", label="two", unit="", direction="lower")(undocumented)
    with pytest.raises(ValueError, match="name"):
        metric("Bad Name", label="x", unit="", direction="lower")
    with pytest.raises(ValueError, match="direction"):
        metric("testing.three", label="x", unit="", direction="sideways")  # type: ignore[arg-type]
