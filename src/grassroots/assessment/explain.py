"""Structured explanations and the rounding rules every assessment module shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ExplainValue = Decimal | int | str | bool | None

#: Points are shown and stored with two decimals, rounded half up (四舍五入).
POINTS_QUANTUM = Decimal("0.01")
#: Rates, ratios and statistics are stored with six decimals, rounded half up.
RATE_QUANTUM = Decimal("0.000001")


def points(value: Decimal) -> Decimal:
    """Round points to two decimals, half up."""
    return value.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


def rate(value: Decimal) -> Decimal:
    """Round a rate or statistic to six decimals, half up."""
    return value.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a number is what it is: the rule, its parameters, the inputs and the result.

    ``rule`` is a stable code (e.g. ``"range_linear"``) that the pages translate; ``params``
    are the configured parameters, ``inputs`` the unit's values, ``points`` the outcome and
    ``notes`` stable codes for anything special that happened (e.g. ``"capped"``).
    """

    rule: str
    params: Mapping[str, ExplainValue] = field(default_factory=dict)
    inputs: Mapping[str, ExplainValue] = field(default_factory=dict)
    points: Decimal = Decimal(0)
    notes: tuple[str, ...] = ()


def _json_value(value: ExplainValue) -> ExplainValue:
    return str(value) if isinstance(value, Decimal) else value


def as_json(explanation: Explanation) -> dict[str, Any]:
    """An explanation as JSON (Decimals as strings, so nothing is lost)."""
    return {
        "rule": explanation.rule,
        "params": {k: _json_value(v) for k, v in explanation.params.items()},
        "inputs": {k: _json_value(v) for k, v in explanation.inputs.items()},
        "points": str(explanation.points),
        "notes": list(explanation.notes),
    }
