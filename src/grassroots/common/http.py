"""Small helpers for views."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
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


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    proxies: list[str] = settings.TRUSTED_PROXIES
    return "*" in proxies or str(address) in proxies


def client_ip(request: HttpRequest) -> str:
    """The client's address, for log-in throttling and the portal's rate limits.

    Behind the reverse proxy every request comes from the proxy's address, so that one
    person's mistakes would lock everyone out. When the peer is a trusted proxy
    (``GRASSROOTS_FORWARDED_ALLOW_IPS``), the address is read from ``X-Forwarded-For``:
    the nearest hop that is not itself a trusted proxy (what a client writes in front of
    that is never believed). Otherwise, the peer itself; "" when there is none.
    """
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return ""  # none known (a test client's log-in): axes stores no address
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if not forwarded or not _trusted(peer):
        return str(peer)
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            break  # a hop no proxy of ours wrote: stop at the last good one
        if not _trusted(address):
            return str(address)
        peer = address
    return str(peer)
