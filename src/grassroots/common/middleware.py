"""Chinese first: the language is the one the person chose, else the site's default.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
English browser would get English pages. Here only an explicit choice (the language cookie
set by the switch in the top bar) changes the language of pages. Programs calling the REST
API (``/api/``) say which language they show in ``Accept-Language``; there, with no cookie,
the header decides (Chinese when it names no language of the site).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django.utils.translation.trans_real import parse_accept_lang_header

from grassroots.common.logs import new_request_id, request_id_var


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        api = request.path.startswith("/api/")
        if chosen in self.supported:
            language = chosen
        else:
            language = (api and self.accepted(request)) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

    def accepted(self, request: HttpRequest) -> str | None:
        """The first language of ``Accept-Language`` this site speaks, if any."""
        for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            code = code.lower()
            for candidate in (code, code.split("-")[0]):
                if candidate in self.supported:
                    return candidate
            if code.startswith("zh"):
                return "zh-hans"
        return None


class RequestIdMiddleware:
    """Give each request an id (``X-Request-ID``), put it on its log lines and answer it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django logs a 4xx/5xx answer after the last middleware returned, when the
                # id is gone; logged here (as Django would), its line carries the id.
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        return response


class SessionExpiryMiddleware:
    """End a logged-in session idle for longer than ``SESSION_IDLE_SECONDS`` or older than
    ``SESSION_COOKIE_AGE`` since its log-in (an absolute limit: Django alone renews the
    expiry whenever the session is saved).

    The session remembers when it was last seen, rounded to ``SEEN_STEP`` seconds, so it is
    written at most once a minute, not on every request. After ``SessionMiddleware`` and
    ``AuthenticationMiddleware``.
    """

    SEEN_KEY = "_grassroots_seen"
    SINCE_KEY = "_grassroots_since"
    SEEN_STEP = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            seen, since = session.get(self.SEEN_KEY), session.get(self.SINCE_KEY)
            idle = int(getattr(settings, "SESSION_IDLE_SECONDS", 30 * 60))
            if (isinstance(seen, int) and now - seen > idle) or (
                isinstance(since, int) and now - since > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                session = request.session
                session[self.EXPIRED_KEY] = True
            else:
                if not isinstance(since, int):
                    session[self.SINCE_KEY] = now
                if not isinstance(seen, int) or now - seen >= self.SEEN_STEP:
                    session[self.SEEN_KEY] = now
        return self.get_response(request)

    #: Set in the fresh session of a person logged out for idling (the log-in page says so).
    EXPIRED_KEY = "_grassroots_expired"


def _stamp_log_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A log-in starts the session's absolute and idle limits afresh."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionExpiryMiddleware.SINCE_KEY] = now
        request.session[SessionExpiryMiddleware.SEEN_KEY] = now


user_logged_in.connect(_stamp_log_in, dispatch_uid="grassroots.session_expiry")
