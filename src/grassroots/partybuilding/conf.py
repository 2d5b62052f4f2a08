"""The party-building app's knobs.

Each is read from ``settings`` when the lead has mapped it there, else from its
environment variable, strictly: a value that does not parse is an
``ImproperlyConfigured`` naming the variable, never a silent default.

==================================  ==============================  =========================
environment variable                settings name                   default
==================================  ==============================  =========================
``GRASSROOTS_VENUE_PASS_SCORE``     ``GRASSROOTS_VENUE_PASS_SCORE``  80 (the pass mark of a
                                                                    venue inspection, 0–100)
==================================  ==============================  =========================
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VENUE_PASS_SCORE_DEFAULT = Decimal(80)


def venue_pass_score() -> Decimal:
    """The score (0–100) an inspection must reach, every required item met besides, for the
    venue to meet the standard (达标)."""
    name = "GRASSROOTS_VENUE_PASS_SCORE"
    value = getattr(settings, name, None)
    if value is None:
        raw = os.environ.get(name, "").strip()
        if not raw:
            return VENUE_PASS_SCORE_DEFAULT
        value = raw
    if isinstance(value, bool):
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 100, not {value!r}")
    try:
        score = Decimal(str(value))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 100, not {value!r}") from exc
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 100, not {value!r}")
    return score
