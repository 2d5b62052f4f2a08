"""503 with a short message, not a 500, while the database cannot be reached.

When PostgreSQL restarts (or fails over) the requests in flight and those of the next
seconds fail with ``OperationalError``/``InterfaceError``: no connection, the connection
closed under the query, the server shutting down. That is not a bug of the request: the
answer is 503 with ``Retry-After``, so a phone or a load balancer retries, and a person sees
a short Chinese/English line instead of the error page. JSON for the API, plain HTML
elsewhere; one log line, not a traceback per request. Django then drops the broken
connection at the end of the request (``CONN_HEALTH_CHECKS`` checks the next one), so the
site recovers by itself once the database is back.

An ``OperationalError`` that is not about the connection (SQLite's "database is locked"
after the busy timeout, a statement timeout) is also answered 503: the request may be
retried and nothing was written (the request's transaction rolled back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("grassroots.dbdown")

#: Seconds a client is asked to wait before retrying.
RETRY_AFTER = 5
MESSAGE_ZH = "数据库暂时不可用，请稍后重试。"
MESSAGE_EN = "The database is unavailable for a moment; please retry shortly."
PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    f"<title>503</title></head><body><h1>{MESSAGE_ZH}</h1><p>{MESSAGE_EN}</p></body></html>"
)


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer for ``request``."""
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"detail": f"{MESSAGE_ZH} / {MESSAGE_EN}", "code": "database_unavailable"},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseDownMiddleware:
    """Turns a view's ``OperationalError``/``InterfaceError`` into :func:`unavailable`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable: %s: %s %s",
            type(exception).__name__,
            request.method,
            request.path,
        )
        return unavailable(request)
