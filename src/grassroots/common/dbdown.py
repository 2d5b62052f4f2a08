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
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
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


#: Set on a request whose handling failed for want of the database.
MARK = "_grassroots_database_down"


def _note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: mark the request when the exception being handled is a
    database one. Django sends the signal inside its ``except`` block, before it renders
    the 500 page, for an exception raised anywhere — in a middleware as well as in a view."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, MARK, type(error).__name__)


class DatabaseDownMiddleware:
    """Turns a view's ``OperationalError``/``InterfaceError`` into :func:`unavailable`.

    A middleware further in (the session, the language, the second factor) may query the
    database before any view runs; Django turns its exception into a 500 page right there,
    which never reaches ``process_exception``. For those the signal above marks the
    request, and this middleware, near the outside of the list, replaces the 500 answer
    of a marked request with the 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_database_error, dispatch_uid=MARK)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, MARK, None):
            logger.error(
                "database unavailable: %s: %s %s",
                getattr(request, MARK),
                request.method,
                request.path,
            )
            return unavailable(request)
        return response

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
