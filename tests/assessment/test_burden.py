"""The burden check (减负) and the weight check: pure functions over plain data, and the
stored scheme through ``checks``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grassroots.assessment import burden
from grassroots.assessment.burden import (
    DUPLICATES_METRIC,
    RECORDED_RECORDS,
    TOO_MANY_INDICATORS,
    TOO_MANY_MANUAL,
    IndicatorInfo,
    MetricInfo,
    check_burden,
    weight_check,
)

METRICS = [
    MetricInfo("events.on_time_close_rate", ("按期结案率", "On-time closing rate")),
    MetricInfo("events.satisfaction_rate", ("满意率", "Satisfaction rate")),
    MetricInfo("supervision.urge_count", ("被督办次数", "Times urged")),
]


def ind(code: str, name: str, source: str, **kw: Any) -> IndicatorInfo:
    return IndicatorInfo(
        code=code, name=name, category=kw.pop("category", "common"), source=source, **kw
    )


def test_metric_indicators_are_never_flagged() -> None:
    report = check_burden(
        [ind("a", "按时办结率", "metric", metric="events.on_time_close_rate")],
        METRICS,
        max_indicators=25,
        max_manual=3,
    )
    assert report.ok and report.rows[0].flags == () and report.manual_count == 0


def test_an_entry_that_repeats_a_metric_is_flagged_with_the_metric() -> None:
    report = check_burden(
        [ind("a", "按期结案率（乡镇填报）", "entry")], METRICS, max_indicators=25, max_manual=3
    )
    row = report.rows[0]
    assert DUPLICATES_METRIC in row.flags
    assert row.duplicates == ("events.on_time_close_rate",)
    assert not report.ok


def test_the_duty_and_english_labels_count_too() -> None:
    by_duty = burden.check_indicator(
        ind("a", "督导情况", "manual", duty="上级督办次数 (times urged)"), METRICS
    )
    assert by_duty.duplicates == ("supervision.urge_count",)


def test_counts_of_events_or_tasks_are_recorded_data() -> None:
    for name in ("12345工单受理数", "重点任务完成个数", "Events reported on patrol"):
        row = burden.check_indicator(ind("a", name, "entry"), METRICS)
        assert RECORDED_RECORDS in row.flags, name


def test_a_genuine_rating_is_not_flagged() -> None:
    row = burden.check_indicator(ind("a", "民主测评", "manual", category="satisfaction"), METRICS)
    assert row.flags == ()
    row = burden.check_indicator(ind("b", "领导班子年终评价", "manual"), METRICS)
    assert row.flags == ()


def test_ceilings_of_indicators_and_manual_items() -> None:
    items = [ind(f"m{i}", f"测评{i}", "manual") for i in range(4)] + [
        ind(f"x{i}", f"指标{i}", "metric", metric="events.satisfaction_rate") for i in range(3)
    ]
    report = check_burden(items, METRICS, max_indicators=6, max_manual=3)
    assert report.flags == (TOO_MANY_INDICATORS, TOO_MANY_MANUAL)
    assert (report.indicator_count, report.manual_count) == (7, 4)
    messages = burden.report_messages(report)
    assert any("7" in m and "6" in m for m in messages)
    assert check_burden(items, METRICS, max_indicators=7, max_manual=4).flags == ()


@pytest.mark.parametrize(
    ("weights", "difference"),
    [(["60", "40"], "0"), (["60", "30"], "10"), (["60", "50"], "-10")],
)
def test_the_base_weights_must_add_up_to_the_total(weights: list[str], difference: str) -> None:
    items = [ind(f"i{n}", "x", "metric", weight=Decimal(w)) for n, w in enumerate(weights)]
    # bonuses, deductions and vetoes are outside the total
    items.append(ind("bonus", "加分", "metric", category="bonus", weight=Decimal(5)))
    check = weight_check(items, Decimal(100))
    assert check.difference == Decimal(difference)
    assert check.ok is (difference == "0")
    assert str(sum(Decimal(w) for w in weights)) in check.message


def test_the_base_categories_are_the_models() -> None:
    from grassroots.assessment.models import BASE_CATEGORIES

    assert {str(c) for c in BASE_CATEGORIES} == burden.BASE_CATEGORIES


def test_a_stored_scheme_is_checked_against_the_registry(scheme_factory: Any) -> None:
    from grassroots.assessment.checks import scheme_burden, scheme_weights
    from grassroots.assessment.models import Indicator

    scheme = scheme_factory()
    Indicator.objects.create(
        scheme=scheme,
        code="patrol-form",
        name="主动发现率（村填报）",
        category="common",
        weight=Decimal(0),
        source="entry",
        rule="linear_completion",
        params={"target": 1},
    )

    report = scheme_burden(scheme)
    flagged = {r.code: r for r in report.flagged}
    assert set(flagged) == {"patrol-form"}
    assert "events.patrol_share" in flagged["patrol-form"].duplicates
    assert scheme_weights(scheme).ok
