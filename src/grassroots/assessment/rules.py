"""Apply an indicator's configured rule (a name and JSON parameters) to one value.

Pure: no ORM. ``apply_rule`` dispatches to the scoring functions of :mod:`scoring`;
``check_rule`` tries the parameters once so that a scheme with a bad rule is refused when it
is saved, not when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from grassroots.assessment.scoring import (
    Band,
    Direction,
    RuleResult,
    capped_bonus,
    linear_completion,
    per_item_deduction,
    range_linear,
    rank_points,
    threshold_bands,
    veto,
)

RANGE_LINEAR = "range_linear"
LINEAR_COMPLETION = "linear_completion"
THRESHOLD_BANDS = "threshold_bands"
RANK_POINTS = "rank_points"
PER_ITEM_DEDUCTION = "per_item_deduction"
CAPPED_BONUS = "capped_bonus"
VETO = "veto"

RULES = (
    RANGE_LINEAR,
    LINEAR_COMPLETION,
    THRESHOLD_BANDS,
    RANK_POINTS,
    PER_ITEM_DEDUCTION,
    CAPPED_BONUS,
    VETO,
)


class RuleError(ValueError):
    """Parameters that the rule cannot use."""


def _dec(params: Mapping[str, Any], key: str, default: str | None = None) -> Decimal:
    raw = params.get(key, default)
    if raw is None:
        raise RuleError(f"parameter {key!r} is required")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise RuleError(f"parameter {key!r} must be a number") from None
    if not value.is_finite():
        raise RuleError(f"parameter {key!r} must be a finite number")
    return value


def _bands(params: Mapping[str, Any]) -> list[Band]:
    raw = params.get("bands")
    if not isinstance(raw, list) or not raw:
        raise RuleError("parameter 'bands' must be a list of [threshold, points]")
    bands = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise RuleError("each band must be [threshold, points]")
        bands.append(Band(_dec({"t": item[0]}, "t"), _dec({"p": item[1]}, "p")))
    return bands


def apply_rule(
    rule: str,
    params: Mapping[str, Any],
    value: Decimal,
    *,
    weight: Decimal,
    direction: Direction,
    rank: int = 1,
    group_size: int = 1,
) -> RuleResult:
    """The points of ``value`` under ``rule``. For ``veto`` the points are 0 and the
    explanation's rule is ``veto`` (the caller reads ``vetoed(...)``)."""
    try:
        if rule == RANGE_LINEAR:
            return range_linear(
                value,
                floor=_dec(params, "floor"),
                target=_dec(params, "target"),
                weight=weight,
                direction=direction,
            )
        if rule == LINEAR_COMPLETION:
            return linear_completion(
                value, _dec(params, "target"), weight, cap=_dec(params, "cap", "1")
            )
        if rule == THRESHOLD_BANDS:
            return threshold_bands(value, _bands(params), direction=direction)
        if rule == RANK_POINTS:
            return rank_points(rank, group_size, weight)
        if rule == PER_ITEM_DEDUCTION:
            return per_item_deduction(
                max(int(value), 0), per_item=_dec(params, "per_item"), cap=_dec(params, "cap")
            )
        if rule == CAPPED_BONUS:
            per_item = _dec(params, "per_item")
            return capped_bonus([per_item] * max(int(value), 0), cap=_dec(params, "cap"))
        if rule == VETO:
            result = veto(vetoed(params, value))
            return RuleResult(points=Decimal(0), explanation=result.explanation)
    except RuleError:
        raise
    except (ValueError, ArithmeticError) as exc:
        raise RuleError(str(exc)) from exc
    raise RuleError(f"unknown rule {rule!r}")


def vetoed(params: Mapping[str, Any], value: Decimal) -> bool:
    """Whether ``value`` (a count, e.g. major incidents) reaches the veto threshold."""
    return value >= _dec(params, "threshold", "1")


def check_rule(
    rule: str, params: Mapping[str, Any], *, weight: Decimal, direction: Direction
) -> None:
    """Raise ``RuleError`` unless ``rule`` accepts ``params`` (tried on a sample value)."""
    if not isinstance(params, Mapping):
        raise RuleError("parameters must be an object")
    apply_rule(rule, params, Decimal(1), weight=weight, direction=direction)
