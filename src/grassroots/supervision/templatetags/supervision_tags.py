"""Small helpers of the supervision templates: status labels and colours, quantities
without trailing zeros, the width of a progress bar."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from grassroots.supervision.states import DisplayStatus

register = template.Library()


@register.filter
def status_label(value: Any) -> str:
    """The label of a display status (未开始, 正常推进, 进度滞后, 逾期…)."""
    try:
        return str(DisplayStatus(str(value)).label)
    except ValueError:
        return str(value or "")


@register.filter
def qty(value: Any) -> str:
    """A quantity as people write it: ``60.0000`` → ``60``, ``12.5000`` → ``12.5``."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    text = format(number.normalize(), "f")
    return text


@register.filter
def bar(value: Any) -> str:
    """A percentage clamped to 0–100 for a CSS width (``42.5``)."""
    if value is None:
        return "0"
    number = min(Decimal(100), max(Decimal(0), Decimal(value)))
    return format(number.quantize(Decimal("0.1")).normalize(), "f")
