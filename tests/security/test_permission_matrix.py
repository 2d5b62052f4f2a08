"""The permission matrix (OWASP ASVS 4.1/4.2, level 2): every role × every named route ×
an object inside and outside the role's scope, from the URL configuration.

- Every named route has a rule in ``matrix_rules.RULES`` (or is excluded there with a
  reason, or listed in ``NOT_YET_COVERED``): a new endpoint without a rule fails
  ``test_every_route_has_a_rule``, and so does a rule naming a route that is gone.
- GET: an allowed role on an object inside its scope gets the page (2xx, or a redirect
  that is not the login page); a refused role, or any role on an object outside its
  scope, gets 403 or 404 (never the object, never a 500); anonymous gets the login page
  (302) or, from the API, 401/403.
- Unsafe methods (POST, and PUT/PATCH/DELETE where the view accepts them): a refused
  role, an object outside the scope, or anonymous gets 401/403/404/405 (or the login page)
  and nothing changes (no audit entry, no row of the object's kind more or less). Valid
  forms by allowed roles are other tests' business.

The objects come from the seeded demo town (one seeding per module, rolled back at the
end); every request is rolled back too, so one probe never changes what the next sees.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from tests.conftest import seeded_town
from tests.security.conftest import (
    NOW,
    UNSAFE,
    Cast,
    Outcome,
    build_cast,
    request,
    routes,
    target,
)
from tests.security.matrix_rules import (
    EXCLUDED,
    LOGIN,
    NOT_YET_COVERED,
    PUBLIC,
    ROLES,
    RULES,
    Rule,
)
from tests.security.uploads import add_uploads

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROUTES = routes()
#: Django admin's own pages: admin checks is_staff on every one of them; the matrix
#: checks that a non-staff login is refused one (test_admin_refuses_non_staff).
ADMIN = {name for name in ROUTES if name.startswith("admin:")}
CHECKED = sorted(name for name in ROUTES if name in RULES)
API_PREFIXES = ("/api/", "/open311/")


@pytest.fixture(scope="module")
def cast(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cast]:
    with warnings.catch_warnings():  # the seeded bulletins draw PDFs: import it quietly
        warnings.simplefilter("ignore", DeprecationWarning)
        with contextlib.suppress(ImportError, OSError):
            import weasyprint  # noqa: F401
    # Two-factor log-in (org.twofactor) holds an administrator's session at the code
    # step; the matrix is about what a verified session may open.
    with (
        override_settings(
            ADMIN_TWO_FACTOR=False, MEDIA_ROOT=tmp_path_factory.mktemp("matrix") / "media"
        ),
        seeded_town(django_db_blocker, months=1, now=NOW),
    ):
        cast = build_cast()
        add_uploads(cast)
        yield cast


def test_every_route_has_a_rule() -> None:
    named = set(ROUTES) - ADMIN
    accounted = set(RULES) | set(EXCLUDED) | NOT_YET_COVERED
    missing = sorted(named - accounted)
    stale = sorted(accounted - named)
    twice = sorted(set(RULES) & (set(EXCLUDED) | NOT_YET_COVERED))
    assert not missing, f"routes without a rule in tests/security/matrix_rules.py: {missing}"
    assert not stale, f"rules naming routes that no longer exist: {stale}"
    assert not twice, f"routes both ruled and excluded/not yet covered: {twice}"


def test_admin_refuses_non_staff(cast: Cast) -> None:
    url = reverse("admin:index")
    for role in ("anonymous", "city_admin", "village_cadre", "resident"):
        outcome = request(cast, role, "get", url)
        assert outcome.status == 302, (role, str(outcome))
        assert outcome.location == reverse("admin:login"), (role, str(outcome))


def test_metrics_refuses_proxied_and_remote(cast: Cast) -> None:
    """The matrix sees /metrics as public because its client is on this machine; a caller
    that came through the reverse proxy, or from elsewhere, is refused."""
    url = reverse("metrics")
    assert request(cast, "anonymous", "get", url).status == 200
    proxied = Client().get(url, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 403
    remote = Client(REMOTE_ADDR="203.0.113.9").get(url)
    assert remote.status_code == 403


def _allowed(rule: Rule, cast: Cast, role: str, path: str | None) -> bool:
    if rule.access == PUBLIC:
        return True
    if role == "anonymous":
        return False
    if rule.access == LOGIN:
        return True
    if role not in rule.access:
        return False
    return path is None or cast.in_scope(role, path) or role in rule.reaches


def _login_page(outcome: Outcome) -> bool:
    return outcome.status == 302 and outcome.location == reverse("login")


def _check_get(
    url: str, role: str, allowed: bool, serves_get: bool, outcome: Outcome
) -> str | None:
    if outcome.status >= 500:
        return "server error"
    if role == "anonymous" and not allowed:
        if _login_page(outcome) or (url.startswith(API_PREFIXES) and outcome.status in (401, 403)):
            return None
        # an action that checks the method before the login answers GET with 405 alone
        if not serves_get and outcome.status == 405:
            return None
        return "anonymous not sent to log in"
    if not serves_get:  # an action: GET is refused for everyone, one way or another
        return None if outcome.status in (403, 404, 405) else "GET served on an action"
    if allowed:  # 400: let in, but the page wants a parameter the probe does not send
        if (200 <= outcome.status < 400 or outcome.status == 400) and not _login_page(outcome):
            return None
        return "refused an allowed role"
    if outcome.status in (403, 404):
        return None
    return "not refused"


def _check_unsafe(role: str, outcome: Outcome) -> str | None:
    if outcome.changed:
        return "a refused request changed something"
    if outcome.status >= 500:
        return "server error"
    if outcome.status in (401, 403, 404, 405):
        return None
    if role == "anonymous" and _login_page(outcome):
        return None
    return "unsafe request not refused"


@pytest.mark.parametrize("name", CHECKED)
def test_route(name: str, cast: Cast) -> None:
    rule = RULES[name]
    route = ROUTES[name]
    tg = target(cast, name, rule.kind, rule.extra)
    assert tg.inside or tg.outside, f"{name}: no URL could be built for kind {rule.kind}"
    serves_get = not route.methods or "get" in route.methods
    unsafe = sorted(route.methods & set(UNSAFE)) or ["post"]
    problems: list[str] = []
    probes: list[tuple[str, str, str | None, tuple[str, ...]]] = []
    if tg.inside:
        probes.append(("inside", tg.inside, tg.inside_path, ("anonymous", *ROLES)))
    if tg.outside:
        # the roles the outside object is out of reach of: everyone else sees it as the
        # inside one (the township's and the city's people), or is refused the route
        roles = tuple(
            r
            for r in ROLES
            if tg.inside is None
            or (_allowed(rule, cast, r, None) and not cast.in_scope(r, tg.outside_path or ""))
        )
        probes.append(("outside", tg.outside, tg.outside_path, roles))
    for where, url, path, roles in probes:
        for role in roles:
            allowed = _allowed(rule, cast, role, path)
            got = request(cast, role, "get", url, rule.kind)
            problem = _check_get(url, role, allowed, serves_get, got)
            if problem:
                problems.append(f"{role} GET {url} ({where}): {problem}: {got}")
            if allowed:
                continue
            for method in unsafe:
                got = request(cast, role, method, url, rule.kind)
                problem = _check_unsafe(role, got)
                if problem:
                    problems.append(f"{role} {method.upper()} {url} ({where}): {problem}: {got}")
    assert not problems, f"{name}:\n" + "\n".join(problems)
