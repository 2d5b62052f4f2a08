"""Named reads of the inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from grassroots.inbox.models import Notification

if TYPE_CHECKING:
    from grassroots.org.models import User


def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient_id=user.pk)
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-id")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
