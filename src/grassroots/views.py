"""Project-level pages: the staff home, login and the health check."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import Membership, User
from grassroots.org.queries import active_grants


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Says so when the person was logged out for idling (``SessionExpiryMiddleware``)."""
        from grassroots.common.middleware import SessionExpiryMiddleware

        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.session.pop(SessionExpiryMiddleware.EXPIRED_KEY, False)
        return context


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Where your unit stands today (its dashboard's numbers, at the top), who you are,
    the roles and units you act for, and the modules you can open."""
    user = user_of(request)
    memberships = (
        Membership.objects.filter(user=user)
        .active()
        .select_related("unit", "unit__parent")
        .order_by("unit__path", "role")
    )
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "has_scope": bool(active_grants(user)),
            "board": board_summary(user),
        },
    )


def board_summary(user: User) -> dict[str, Any] | None:
    """The viewer's highest unit with its numbers of today, as its dashboard counts them
    (five counts), and the other units they may open; ``None`` without a dashboard."""
    from grassroots.dashboards import caching, figures
    from grassroots.dashboards.views.board import top_units
    from grassroots.events.views.lists import TAB_KEYS

    units = top_units(user)
    if not units:
        return None
    unit = units[0]
    now = timezone.now()
    # A unit above township level: the numbers its dashboard counted ahead, when fresh.
    ahead = caching.read_snapshot(unit, now) if caching.counted_ahead(unit) else None
    if ahead is not None:
        today = ahead.mine
    else:
        today, _children = figures.today(unit, [], now)
    tiles: list[tuple[str, str | Promise, int]] = [
        ("reported_today", _("Reported today"), today.reported_today)
    ]
    tiles += [(key, TAB_KEYS[key].label, getattr(today, key)) for key in figures.TODAY_TABS]
    return {
        "unit": unit,
        "others": units[1:],
        "today": today,
        "tiles": tiles,
        "counted_at": ahead.at if ahead is not None else None,
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the queue answer, 503 otherwise (for load balancers).

    Each failed check names the exception's class only (its message may hold a host or a
    user name). The database and Redis connections have short timeouts (settings), so a
    dead server makes this answer 503 within seconds. A trusted caller (``/metrics``' rule:
    this machine directly, or the metrics token) also gets the version and the time each
    check took."""
    from grassroots.common.prometheus import trusted

    checks: dict[str, str] = {}
    took: dict[str, float] = {}
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the reason is reported
        checks["database"] = f"error: {type(exc).__name__}"
    took["database"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.storage.queue_size()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"error: {type(exc).__name__}"
    took["queue"] = time.perf_counter() - started
    healthy = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {"status": "ok" if healthy else "error", **checks}
    if trusted(request):
        body["version"] = _version()
        body["took_ms"] = {name: round(seconds * 1000, 1) for name, seconds in took.items()}
    return JsonResponse(body, status=200 if healthy else 503)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("grassroots")
    except PackageNotFoundError:
        return "unknown"
