"""Apply an indicator's configured rule (a name and JSON parameters) to one value.

Pure: no ORM. ``apply_rule`` dispatches to the scoring functions of :mod:`scoring`;
``prepare`` reads the parameters once for the many units of an indicator; ``check_rule``
tries the parameters once so that a scheme with a bad rule is refused when it is saved,
not when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import repeat
from typing import Any

from grassroots.assessment.explain import as_json, points
from grassroots.assessment.scoring import (
    ONE,
    ZERO,
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


JsonExplanation = dict[str, Any]
#: What a prepared rule gives for one value: the points (two decimals) and the explanation
#: as JSON (what :func:`as_json` makes of the scoring function's explanation).
Scored = tuple[Decimal, JsonExplanation]
_Explain = Callable[[Decimal, int, int], Scored]

_VETO_POINTS = points(ZERO)


@dataclass(frozen=True, slots=True)
class PreparedRule:
    """A rule with its parameters read once, to score the many units of an indicator.

    Calling it gives the scoring function's ``RuleResult`` (what :func:`apply_rule` returns);
    :meth:`explain` gives the same points and explanation ready for JSON without building
    the intermediate objects (the run scores ~700,000 values at province scale).
    """

    rule: str
    score: Callable[[Decimal, int, int], RuleResult]
    fast: _Explain
    threshold: Decimal | None = None  # veto: the count that triggers it

    def __call__(self, value: Decimal, rank: int = 1, group_size: int = 1) -> RuleResult:
        try:
            return self.score(value, rank, group_size)
        except RuleError:
            raise
        except (ValueError, ArithmeticError) as exc:
            raise RuleError(str(exc)) from exc

    def explain(self, value: Decimal, rank: int = 1, group_size: int = 1) -> Scored:
        """``(points, explanation)``: the result's points rounded to two decimals and
        ``as_json`` of its explanation; the same errors as calling the rule."""
        try:
            return self.fast(value, rank, group_size)
        except RuleError:
            raise
        except (ValueError, ArithmeticError) as exc:
            raise RuleError(str(exc)) from exc

    def vetoes(self, value: Decimal) -> bool:
        """Whether ``value`` reaches the veto threshold (``veto`` rules only)."""
        if self.threshold is None:
            raise RuleError(f"{self.rule!r} is not a veto")
        return value >= self.threshold


def _j(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _slow(score: Callable[[Decimal, int, int], RuleResult]) -> _Explain:
    """The JSON path through the scoring function itself (where it would refuse)."""

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        result = score(value, rank, group_size)
        return points(result.points), as_json(result.explanation)

    return explain


def _explained(rule: str, params: JsonExplanation) -> Callable[..., JsonExplanation]:
    def make(inputs: JsonExplanation, awarded: Decimal, notes: list[str]) -> JsonExplanation:
        return {"rule": rule, "params": params, "inputs": inputs, "points": str(awarded),
                "notes": notes}  # fmt: skip

    return make


def _range_linear(
    floor: Decimal, target: Decimal, weight: Decimal, direction: Direction
) -> _Explain:
    span = target - floor
    make = _explained(
        RANGE_LINEAR,
        {"floor": str(floor), "target": str(target), "weight": str(weight),
         "direction": direction.value},
    )  # fmt: skip

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        share = max(ZERO, min(ONE, (value - floor) / span))
        awarded = points(weight * share)
        return awarded, make({"value": _j(value), "share": str(share)}, awarded, [])

    return explain


def _linear_completion(target: Decimal, weight: Decimal, cap: Decimal) -> _Explain:
    make = _explained(
        LINEAR_COMPLETION, {"target": str(target), "weight": str(weight), "cap": str(cap)}
    )

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        completion = value / target
        ratio = max(ZERO, min(cap, completion))
        awarded = points(weight * ratio)
        notes = ["capped"] if completion > cap else []
        return awarded, make({"actual": _j(value), "completion": str(ratio)}, awarded, notes)

    return explain


def _threshold_bands(bands: list[Band], direction: Direction) -> _Explain:
    params: JsonExplanation = {"direction": direction.value}
    for i, band in enumerate(sorted(bands, key=lambda b: b.threshold)):
        params[f"band_{i + 1}"] = f"{band.threshold}:{band.points}"
    make = _explained(THRESHOLD_BANDS, params)
    higher = direction is Direction.HIGHER

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        if higher:
            reached = [b for b in bands if value >= b.threshold]
        else:
            reached = [b for b in bands if value <= b.threshold]
        best = max(reached, key=lambda b: b.points) if reached else None
        awarded = points(best.points if best else ZERO)
        inputs = {"value": _j(value), "band_threshold": str(best.threshold) if best else None}
        return awarded, make(inputs, awarded, [])

    return explain


def _rank_points(weight: Decimal) -> _Explain:
    make = _explained(RANK_POINTS, {"weight": str(weight)})
    slow = _slow(lambda value, rank, size: rank_points(rank, size, weight))

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        if group_size < 1 or not 1 <= rank <= group_size:
            return slow(value, rank, group_size)  # refused there
        share = ONE if group_size == 1 else Decimal(group_size - rank) / (group_size - 1)
        awarded = points(weight * share)
        return awarded, make({"rank": rank, "group_size": group_size}, awarded, [])

    return explain


def _per_item_deduction(per_item: Decimal, cap: Decimal) -> _Explain:
    make = _explained(PER_ITEM_DEDUCTION, {"per_item": str(per_item), "cap": str(cap)})

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        items = max(int(value), 0)
        raw = items * per_item
        awarded = points(-min(raw, cap))
        notes = ["capped"] if raw > cap else []
        return awarded, make({"items": items, "uncapped": str(-raw)}, awarded, notes)

    return explain


def _capped_bonus(per_item: Decimal, cap: Decimal) -> _Explain:
    make = _explained(CAPPED_BONUS, {"cap": str(cap)})

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        awards = max(int(value), 0)
        raw = sum(repeat(per_item, awards), ZERO)  # as the awards add up there
        awarded = points(min(raw, cap))
        notes = ["capped"] if raw > cap else []
        return awarded, make({"awards": awards, "uncapped": str(raw)}, awarded, notes)

    return explain


def _veto(threshold: Decimal) -> _Explain:
    make = _explained(VETO, {})

    def explain(value: Decimal, rank: int, group_size: int) -> Scored:
        triggered = value >= threshold
        notes = ["vetoed"] if triggered else []
        return _VETO_POINTS, make({"triggered": triggered, "reason": ""}, ZERO, notes)

    return explain


def prepare(
    rule: str, params: Mapping[str, Any], *, weight: Decimal, direction: Direction
) -> PreparedRule:
    """``rule`` with its ``params`` read once (``RuleError`` if they cannot be used)."""
    try:
        return _prepare(rule, params, weight=weight, direction=direction)
    except RuleError:
        raise
    except (ValueError, ArithmeticError) as exc:
        raise RuleError(str(exc)) from exc


def _prepare(
    rule: str, params: Mapping[str, Any], *, weight: Decimal, direction: Direction
) -> PreparedRule:
    # Each fast path computes exactly what the scoring function does; where the function
    # would refuse the parameters, the fast path is the function (so it refuses the same way).
    if rule == RANGE_LINEAR:
        floor, target = _dec(params, "floor"), _dec(params, "target")

        def score_range(value: Decimal, rank: int, size: int) -> RuleResult:
            return range_linear(
                value, floor=floor, target=target, weight=weight, direction=direction
            )

        valid = floor < target if direction is Direction.HIGHER else floor > target
        fast = _range_linear(floor, target, weight, direction) if valid else _slow(score_range)
        return PreparedRule(rule, score_range, fast)
    if rule == LINEAR_COMPLETION:
        target, cap = _dec(params, "target"), _dec(params, "cap", "1")

        def score_completion(value: Decimal, rank: int, size: int) -> RuleResult:
            return linear_completion(value, target, weight, cap=cap)

        valid = target > 0 and cap >= 0
        fast = _linear_completion(target, weight, cap) if valid else _slow(score_completion)
        return PreparedRule(rule, score_completion, fast)
    if rule == THRESHOLD_BANDS:
        bands = _bands(params)

        def score_bands(value: Decimal, rank: int, size: int) -> RuleResult:
            return threshold_bands(value, bands, direction=direction)

        return PreparedRule(rule, score_bands, _threshold_bands(bands, direction))
    if rule == RANK_POINTS:

        def score_rank(value: Decimal, rank: int, size: int) -> RuleResult:
            return rank_points(rank, size, weight)

        return PreparedRule(rule, score_rank, _rank_points(weight))
    if rule == PER_ITEM_DEDUCTION:
        per_item, cap = _dec(params, "per_item"), _dec(params, "cap")

        def score_deduction(value: Decimal, rank: int, size: int) -> RuleResult:
            return per_item_deduction(max(int(value), 0), per_item=per_item, cap=cap)

        valid = per_item >= 0 and cap >= 0
        fast = _per_item_deduction(per_item, cap) if valid else _slow(score_deduction)
        return PreparedRule(rule, score_deduction, fast)
    if rule == CAPPED_BONUS:
        per_item, cap = _dec(params, "per_item"), _dec(params, "cap")

        def score_bonus(value: Decimal, rank: int, size: int) -> RuleResult:
            return capped_bonus([per_item] * max(int(value), 0), cap=cap)

        valid = per_item >= 0 and cap >= 0
        fast = _capped_bonus(per_item, cap) if valid else _slow(score_bonus)
        return PreparedRule(rule, score_bonus, fast)
    if rule == VETO:
        threshold = _dec(params, "threshold", "1")

        def score_veto(value: Decimal, rank: int, size: int) -> RuleResult:
            result = veto(value >= threshold)
            return RuleResult(points=ZERO, explanation=result.explanation)

        return PreparedRule(rule, score_veto, _veto(threshold), threshold=threshold)
    raise RuleError(f"unknown rule {rule!r}")


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
    explanation's rule is ``veto`` (the caller reads ``vetoed(...)``). To score many values
    under one rule, :func:`prepare` it once."""
    return prepare(rule, params, weight=weight, direction=direction)(value, rank, group_size)


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
