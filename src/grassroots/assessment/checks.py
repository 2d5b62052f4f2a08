"""The burden and weight checks (:mod:`burden`) of a stored scheme: reads its indicators
and the metric registry, and hands plain data to the pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from grassroots.assessment.burden import (
    BurdenReport,
    IndicatorInfo,
    MetricInfo,
    WeightCheck,
    check_burden,
    weight_check,
)
from grassroots.assessment.models import Indicator, Scheme
from grassroots.common.metrics import registry


def metric_infos() -> list[MetricInfo]:
    """Every registered metric with its label in each language of the site."""
    found: list[MetricInfo] = []
    metrics = registry()
    labels: dict[str, list[str]] = {name: [] for name in metrics}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name, m in metrics.items():
                text = str(m.label)
                if text not in labels[name]:
                    labels[name].append(text)
    for name in metrics:
        found.append(MetricInfo(name, tuple(labels[name])))
    return found


def indicator_infos(indicators: Iterable[Indicator]) -> list[IndicatorInfo]:
    return [
        IndicatorInfo(
            code=i.code,
            name=i.name,
            category=i.category,
            source=i.source,
            metric=i.metric,
            duty=i.duty,
            weight=i.weight if i.weight is not None else Decimal(0),
        )
        for i in indicators
    ]


def _indicators(scheme: Scheme, indicators: Sequence[Indicator] | None) -> list[Indicator]:
    if indicators is not None:
        return list(indicators)
    return list(Indicator.objects.filter(scheme=scheme).order_by("position", "code"))


def scheme_burden(scheme: Scheme, indicators: Sequence[Indicator] | None = None) -> BurdenReport:
    """The burden check (减负) of ``scheme`` (its stored indicators unless given)."""
    return check_burden(
        indicator_infos(_indicators(scheme, indicators)),
        metric_infos(),
        max_indicators=scheme.max_indicators,
        max_manual=scheme.max_manual,
    )


def scheme_weights(scheme: Scheme, indicators: Sequence[Indicator] | None = None) -> WeightCheck:
    """Whether the base indicators' weights add up to the scheme's total points."""
    return weight_check(indicator_infos(_indicators(scheme, indicators)), scheme.total_points)
