"""The burden check (减负) and the weight check of a scheme. Pure: plain data in and out.

Burden: for every indicator, where its data comes from — a metric of an app (the data is
already recorded by the platform: nobody fills anything in), a manual rating (raters fill a
form) or a manual entry (the office types a figure, with evidence) — and flags:

- ``duplicates_metric``: a rating or entry whose name or 履职事项 (``duty``) matches a
  registered metric (its label in any language, or its name): the platform already holds
  the figure, so asking for it again is paperwork;
- ``recorded_records``: a rating or entry about events or tasks (counts, rates, handling):
  these are recorded as they happen, the figure should be a metric;

and, for the scheme, ``too_many_indicators`` and ``too_many_manual`` when the number of
indicators or of manual items (ratings and entries) exceeds the scheme's ceilings.

Weights: the base categories' weights (共性, 个性, 满意度) must add up to the scheme's total
points; ``weight_check`` says by how much they do not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from grassroots.assessment.scoring import weight_difference

#: The categories whose weights add up to the total (``models.BASE_CATEGORIES``).
BASE_CATEGORIES = frozenset({"common", "specific", "satisfaction"})

METRIC = "metric"
MANUAL = "manual"
ENTRY = "entry"
#: Sources that make people fill something in.
MANUAL_SOURCES = frozenset({MANUAL, ENTRY})

DUPLICATES_METRIC = "duplicates_metric"
RECORDED_RECORDS = "recorded_records"
TOO_MANY_INDICATORS = "too_many_indicators"
TOO_MANY_MANUAL = "too_many_manual"

#: Words that say an item is about events or tasks, which the platform records as they happen.
RECORDED_TOPICS: tuple[str, ...] = (
    "事件",
    "工单",
    "诉求",
    "12345",
    "热线",
    "网格巡查",
    "巡查发现",
    "办结",
    "任务",
    "督办",
    "催办",
    "event",
    "task",
    "hotline",
    "patrol",
)
#: How similar (0–1) a normalised name must be to a metric label to count as the same.
SIMILAR = 0.8
#: Texts shorter than this (normalised) are not compared by similarity (too few signs).
MIN_COMPARED = 3

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Lowercase, NFKC, without spaces or punctuation (for comparing names)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """A registered metric as the check sees it: its name and its labels (any languages)."""

    name: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    code: str
    name: str
    category: str
    source: str
    metric: str = ""
    duty: str = ""
    weight: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class IndicatorBurden:
    """One indicator: where its data comes from, and what is wrong with that."""

    code: str
    name: str
    source: str
    flags: tuple[str, ...] = ()
    #: The registered metrics it duplicates (names).
    duplicates: tuple[str, ...] = ()

    @property
    def is_manual(self) -> bool:
        return self.source in MANUAL_SOURCES

    @property
    def ok(self) -> bool:
        return not self.flags


@dataclass(frozen=True, slots=True)
class BurdenReport:
    rows: tuple[IndicatorBurden, ...]
    indicator_count: int
    manual_count: int
    max_indicators: int
    max_manual: int
    flags: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> tuple[IndicatorBurden, ...]:
        return tuple(r for r in self.rows if r.flags)

    @property
    def ok(self) -> bool:
        return not self.flags and not self.flagged


def _matches(texts: Sequence[str], metric: MetricInfo) -> bool:
    short = metric.name.rsplit(".", 1)[-1]
    keys = [normalise_text(x) for x in (*metric.labels, metric.name, short)]
    keys = [k for k in keys if k]
    for raw in texts:
        text = normalise_text(raw)
        if not text:
            continue
        for key in keys:
            if key in text or (len(text) >= MIN_COMPARED and text in key):
                return True
            if (
                min(len(text), len(key)) >= MIN_COMPARED
                and SequenceMatcher(None, text, key).ratio() >= SIMILAR
            ):
                return True
    return False


def _about_records(texts: Sequence[str]) -> bool:
    joined = " ".join(texts).lower()
    return any(word in joined for word in RECORDED_TOPICS)


def check_indicator(ind: IndicatorInfo, metrics: Iterable[MetricInfo]) -> IndicatorBurden:
    """The burden of one indicator (metric indicators are never flagged)."""
    if ind.source not in MANUAL_SOURCES:
        return IndicatorBurden(ind.code, ind.name, ind.source)
    texts = [t for t in (ind.name, ind.duty) if t]
    duplicates = tuple(m.name for m in metrics if _matches(texts, m))
    flags: list[str] = []
    if duplicates:
        flags.append(DUPLICATES_METRIC)
    if _about_records(texts):
        flags.append(RECORDED_RECORDS)
    return IndicatorBurden(ind.code, ind.name, ind.source, tuple(flags), duplicates)


def check_burden(
    indicators: Sequence[IndicatorInfo],
    metrics: Iterable[MetricInfo],
    *,
    max_indicators: int,
    max_manual: int,
) -> BurdenReport:
    """The burden of a scheme's indicators against its ceilings."""
    known = list(metrics)
    rows = tuple(check_indicator(i, known) for i in indicators)
    manual = sum(1 for r in rows if r.is_manual)
    flags: list[str] = []
    if len(rows) > max_indicators:
        flags.append(TOO_MANY_INDICATORS)
    if manual > max_manual:
        flags.append(TOO_MANY_MANUAL)
    return BurdenReport(rows, len(rows), manual, max_indicators, max_manual, tuple(flags))


def source_text(source: str) -> str:
    """Where an indicator's data comes from, for people."""
    if source == METRIC:
        return _("Data already recorded on the platform (no form to fill in)")
    if source == MANUAL:
        return _("Manual rating: raters fill in a form")
    if source == ENTRY:
        return _("Manual entry: the office types a figure, with evidence")
    return source


def flag_text(flag: str, row: IndicatorBurden | None = None) -> str:
    """One flag, for people."""
    if flag == DUPLICATES_METRIC:
        names = "、".join(row.duplicates) if row else ""
        return _(
            "Asks for a figure the platform already records (metric %(metrics)s): draw "
            "it from the metric instead."
        ) % {"metrics": names}
    if flag == RECORDED_RECORDS:
        return _(
            "Asks for figures about events or tasks, which the platform records as they "
            "happen: use a metric instead of a form."
        )
    return flag


def report_messages(report: BurdenReport) -> list[str]:
    """Every problem of the report, one sentence each (empty when there is none)."""
    found: list[str] = []
    if TOO_MANY_INDICATORS in report.flags:
        found.append(
            _("The scheme has %(n)s indicators, more than its ceiling of %(max)s.")
            % {"n": report.indicator_count, "max": report.max_indicators}
        )
    if TOO_MANY_MANUAL in report.flags:
        found.append(
            _(
                "The scheme has %(n)s manual items (ratings and entries), more than its "
                "ceiling of %(max)s."
            )
            % {"n": report.manual_count, "max": report.max_manual}
        )
    for row in report.flagged:
        for flag in row.flags:
            found.append(
                _("Indicator %(code)s %(name)s: %(problem)s")
                % {"code": row.code, "name": row.name, "problem": flag_text(flag, row)}
            )
    return found


@dataclass(frozen=True, slots=True)
class WeightCheck:
    """The base indicators' weights against the scheme's total."""

    total: Decimal
    assigned: Decimal
    difference: Decimal  # total − assigned: > 0 points left, < 0 points too many

    @property
    def ok(self) -> bool:
        return self.difference == 0

    @property
    def message(self) -> str:
        values = {
            "assigned": _num(self.assigned),
            "total": _num(self.total),
            "difference": _num(abs(self.difference)),
        }
        if self.ok:
            return (
                _("The weights of the base indicators add up to %(assigned)s, the scheme's total.")
                % values
            )
        if self.difference > 0:
            return (
                _(
                    "The weights of the base indicators (common, specific, satisfaction) add "
                    "up to %(assigned)s, %(difference)s points short of the scheme's total "
                    "of %(total)s."
                )
                % values
            )
        return (
            _(
                "The weights of the base indicators (common, specific, satisfaction) add up "
                "to %(assigned)s, %(difference)s points more than the scheme's total of "
                "%(total)s."
            )
            % values
        )


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def weight_check(indicators: Iterable[IndicatorInfo], total: Decimal) -> WeightCheck:
    """Whether the base categories' weights add up to ``total``."""
    weights = [i.weight for i in indicators if i.category in BASE_CATEGORIES]
    difference = weight_difference(weights, total)
    return WeightCheck(total, total - difference, difference)
