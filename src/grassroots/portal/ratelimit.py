"""A small fixed-window rate limit per client on the Django cache.

Slows a script down on the public forms (the report form also asks a captcha, see
``captcha``): a window of ``window`` seconds allows ``limit`` hits per client; the counter
lives in the cache, so several web processes share it only when ``GRASSROOTS_CACHE_URL``
names a shared cache.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from grassroots.common import http


def client_ip(request: HttpRequest) -> str:
    """The client's address (``common.http.client_ip``: behind the trusted proxy, from its
    X-Forwarded-For; a header a client wrote itself is never believed)."""
    return http.client_ip(request) or "unknown"


def _key(bucket: str, ident: str, window: int) -> str:
    return f"portal:rl:{bucket}:{ident}:{int(time.time() // window)}"


def hit(bucket: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one hit; ``False`` when the client is over ``limit`` in the current window."""
    key = _key(bucket, ident, window)
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def exceeded(bucket: str, ident: str, *, limit: int, window: int) -> bool:
    """Whether the client is already at ``limit`` (without counting a hit)."""
    count = cache.get(_key(bucket, ident, window), 0)
    return int(count) >= limit
