"""The supervision app's knobs.

Each is read from ``settings`` when the lead has mapped it there (``SUPERVISION_*``), else
from its ``GRASSROOTS_SUPERVISION_*`` environment variable, strictly: a value that does
not parse is an ``ImproperlyConfigured`` naming the variable, never a silent default.

========================================  =====================  =======================
environment variable                      settings name          default
========================================  =====================  =======================
``GRASSROOTS_SUPERVISION_RISK_MARGIN``    ``SUPERVISION_RISK_    15 (percentage points)
                                          MARGIN``
``GRASSROOTS_SUPERVISION_REMIND_DAYS``    ``SUPERVISION_REMIND_  3 (working days)
                                          DAYS``
``GRASSROOTS_SUPERVISION_ESCALATE_DAYS``  ``SUPERVISION_         5 (working days)
                                          ESCALATE_DAYS``
``GRASSROOTS_SUPERVISION_REMIND_HOUR``    ``SUPERVISION_REMIND_  8 (local hour, 0–23)
                                          HOUR``
``GRASSROOTS_SUPERVISION_EVIDENCE_MAX_    ``SUPERVISION_         the photo limit
MB``                                      EVIDENCE_MAX_BYTES``   (``PHOTO_MAX_BYTES``)
========================================  =====================  =======================
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _env_int(setting: str, variable: str, default: int, *, low: int, high: int | None) -> int:
    value = getattr(settings, setting, None)
    if value is None:
        raw = os.environ.get(variable, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{variable} must be an integer, not {raw!r}") from exc
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImproperlyConfigured(f"{setting} must be an integer, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ImproperlyConfigured(f"{variable} must be {bound}, not {value}")
    return value


def risk_margin() -> Decimal:
    """Percentage points by which verified progress may trail the plan line before the
    task counts as lagging (进度滞后); see ``progress.display_status``."""
    value = getattr(settings, "SUPERVISION_RISK_MARGIN", None)
    variable = "GRASSROOTS_SUPERVISION_RISK_MARGIN"
    if value is None:
        raw = os.environ.get(variable, "").strip()
        if not raw:
            return Decimal(15)
        value = raw
    try:
        margin = Decimal(str(value))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{variable} must be a number, not {value!r}") from exc
    if not margin.is_finite() or not Decimal(0) <= margin <= Decimal(100):
        raise ImproperlyConfigured(f"{variable} must be between 0 and 100, not {value!r}")
    return margin


def remind_days() -> int:
    """Working days before a deadline at which the one reminder goes out (0: none)."""
    return _env_int(
        "SUPERVISION_REMIND_DAYS", "GRASSROOTS_SUPERVISION_REMIND_DAYS", 3, low=0, high=60
    )


def escalate_days() -> int:
    """A task late by more than this many working days has its level raised once."""
    return _env_int(
        "SUPERVISION_ESCALATE_DAYS", "GRASSROOTS_SUPERVISION_ESCALATE_DAYS", 5, low=0, high=250
    )


def remind_hour() -> int:
    """The local hour from which the worker sends the day's reminders."""
    return _env_int(
        "SUPERVISION_REMIND_HOUR", "GRASSROOTS_SUPERVISION_REMIND_HOUR", 8, low=0, high=23
    )


def evidence_max_bytes() -> int:
    """The largest evidence file accepted (photos are also held to ``PHOTO_MAX_BYTES``)."""
    value = getattr(settings, "SUPERVISION_EVIDENCE_MAX_BYTES", None)
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ImproperlyConfigured(
                f"SUPERVISION_EVIDENCE_MAX_BYTES must be a positive integer, not {value!r}"
            )
        return int(value)
    default_mb = max(1, int(getattr(settings, "PHOTO_MAX_BYTES", 10 * 1048576)) // 1048576)
    mb = _env_int(
        "SUPERVISION_EVIDENCE_MAX_MB",
        "GRASSROOTS_SUPERVISION_EVIDENCE_MAX_MB",
        default_mb,
        low=1,
        high=1024,
    )
    return mb * 1048576
