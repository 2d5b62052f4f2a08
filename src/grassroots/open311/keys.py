"""Checking the ``api_key`` of a POST."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grassroots.open311.actions import hash_key
from grassroots.open311.models import ApiKey

#: ``last_used_at`` is rewritten at most this often per key, so that intake stays one write.
TOUCH_EVERY = dt.timedelta(minutes=5)


def authenticate(key: str) -> ApiKey | None:
    """The active key ``key`` is, or ``None``. Notes when the key was last used."""
    key = key.strip()
    if not key or len(key) > 200:
        return None
    try:
        api_key = ApiKey.objects.get(key_hash=hash_key(key), active=True)
    except ApiKey.DoesNotExist:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > TOUCH_EVERY:
        # Telemetry, not a state change of the partner: no audit entry.
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
