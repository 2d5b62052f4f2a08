"""The audit app's knobs.

Each has a default here so that the app works before ``settings.py`` names them; the
lead maps them to ``GRASSROOTS_AUDIT_*`` environment variables there.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def block_size() -> int:
    """Most entries the sealer puts into one block (one transaction)."""
    return int(getattr(settings, "AUDIT_BLOCK_SIZE", 2000))


def seal_delay_seconds() -> float:
    """How long after a commit the seal job runs, so that a burst lands in one block."""
    return float(getattr(settings, "AUDIT_SEAL_DELAY_SECONDS", 2))


def seal_grace() -> dt.timedelta:
    """How long an entry may stay unsealed after a seal that should have taken it.

    A transaction that stays open longer than this while the sealer runs makes its entry
    look inserted after the fact until the next seal takes it (see ``verify``).
    """
    return dt.timedelta(seconds=int(getattr(settings, "AUDIT_SEAL_GRACE_SECONDS", 300)))
