"""Validation of schemes, indicators and runs: a bad configuration is refused when saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from grassroots.assessment.models import Category, Indicator, Run, Scheme


def _indicator(scheme: Scheme, **overrides: Any) -> Indicator:
    fields: dict[str, Any] = {
        "scheme": scheme,
        "code": "close",
        "name": "按期结案率",
        "category": Category.COMMON,
        "weight": Decimal(20),
        "metric": "events.on_time_close_rate",
        "rule": "range_linear",
        "params": {"floor": 60, "target": 95},
    }
    fields.update(overrides)
    return Indicator(**fields)


@pytest.fixture
def scheme(tree: dict[str, Any]) -> Scheme:
    return Scheme.objects.create(
        code="xc-town-2026", name="乡镇考核", year=2026, level="township", root=tree["city"]
    )


def test_a_valid_indicator_passes(scheme: Scheme) -> None:
    _indicator(scheme).full_clean()


def test_an_unregistered_metric_is_refused(scheme: Scheme) -> None:
    with pytest.raises(ValidationError) as caught:
        _indicator(scheme, metric="events.no_such_metric").full_clean()
    assert "metric" in caught.value.message_dict


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        ("range_linear", {"floor": 95, "target": 60}),  # floor above the target
        ("range_linear", {"floor": 60}),  # no target
        ("linear_completion", {"target": 0}),
        ("threshold_bands", {"bands": "90:10"}),
        ("per_item_deduction", {"per_item": "x", "cap": 5}),
        ("no_such_rule", {}),
    ],
)
def test_parameters_the_rule_cannot_use_are_refused(
    scheme: Scheme, rule: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        _indicator(scheme, rule=rule, params=params).full_clean()
    assert "params" in caught.value.message_dict or "rule" in caught.value.message_dict


def test_a_veto_indicator_must_use_the_veto_rule(scheme: Scheme) -> None:
    with pytest.raises(ValidationError) as caught:
        _indicator(scheme, category=Category.VETO).full_clean()
    assert "rule" in caught.value.message_dict


def test_a_run_period_must_parse(scheme: Scheme) -> None:
    with pytest.raises(ValidationError):
        Run(scheme=scheme, period="2026-13").clean()
    Run(scheme=scheme, period="2026-Q3").clean()


def test_shrinkage_and_significance_default_on_for_villages_only(tree: dict[str, Any]) -> None:
    village = Scheme(code="v", name="v", year=2026, level="village", root=tree["city"])
    township = Scheme(code="t", name="t", year=2026, level="township", root=tree["city"])
    assert village.shrinks and village.needs_significance
    assert not township.shrinks and not township.needs_significance
    township.shrinkage = True
    assert township.shrinks
