"""The module navigation: each app registers its entry when it is installed.

A module that is not built is not registered, so it is simply not listed; an entry is
shown to a user only when the user may perform its permission somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

_ITEMS: dict[str, NavItem] = {}


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str = ""
    order: int = 100
    permission: str = ""  # empty: every logged-in user
    staff_only: bool = False  # Django admin site access


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(user: Any) -> list[dict[str, Any]]:
    from grassroots.org.permissions import can

    shown = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if item.staff_only and not user.is_staff:
            continue
        if item.permission and not can(user, item.permission):
            continue
        shown.append(
            {"key": item.key, "label": item.label, "url": reverse(item.url_name), "icon": item.icon}
        )
    return shown
