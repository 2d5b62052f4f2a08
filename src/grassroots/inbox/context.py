"""``inbox_unread`` for every template: the logged-in user's unread notifications."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from grassroots.inbox.models import Notification


def unread_count(request: HttpRequest) -> dict[str, Any]:
    """``{"inbox_unread": n}``: one COUNT on the (recipient, read_at) index, run only when
    a template uses the value (and at most once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}

    @cache
    def count() -> int:
        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()

    return {"inbox_unread": count}
