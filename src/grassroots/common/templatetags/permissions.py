"""``{% may "app.action" as name %}``: whether the viewer may do an action anywhere (for
tabs and links that a page shares with its neighbours; the views still check)."""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.org.permissions import can

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: Any, action: str) -> bool:
    request = context.get("request")
    return can(getattr(request, "user", None), action)
