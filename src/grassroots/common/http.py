"""Small helpers for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from grassroots.org.models import User


def user_of(request: HttpRequest) -> User:
    """The logged-in user of a view behind login_required (typed; anonymous → 403)."""
    from grassroots.org.models import User

    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
