"""Login, home, language, lock-out, headers and the health check."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_requires_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_lands_on_home_with_roles_and_units(tree: dict[str, Any], xc_secretary: Any) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "xc_secretary", "password": PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "李书记" in body
    assert "乡镇" in body or "党委书记" in body  # the role, in Chinese by default
    assert "礼州镇" in body
    assert 'href="/org/units/"' in body  # the module navigation


def test_home_hides_modules_a_user_may_not_use(
    tree: dict[str, Any], resident: Any, login: Any
) -> None:
    body = login(resident).get("/").content.decode()
    assert 'href="/org/units/"' not in body


def test_english_is_available(tree: dict[str, Any], xc_secretary: Any, login: Any) -> None:
    client = login(xc_secretary)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Your roles and units" in body
    assert "Township leader" in body


def test_chinese_is_the_default(tree: dict[str, Any], xc_secretary: Any, login: Any) -> None:
    body = login(xc_secretary).get("/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "Your roles and units" not in body


def test_wrong_password_says_so(tree: dict[str, Any], xc_secretary: Any) -> None:
    response = Client().post("/accounts/login/", {"username": "xc_secretary", "password": "x"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_repeated_failures_lock_the_account(
    tree: dict[str, Any], xc_secretary: Any, settings: Any
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "xc_secretary", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_change(
    tree: dict[str, Any], xc_secretary: Any, login: Any, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    client = login(xc_secretary)
    new = "Another-Secret-2027"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 302
    xc_secretary.refresh_from_db()
    assert xc_secretary.check_password(new)
    assert xc_secretary.password.startswith("argon2")


def test_csrf_is_enforced_on_login(tree: dict[str, Any], xc_secretary: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
    assert response.status_code == 403


def test_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz(client: Client) -> None:
    # The public (a load balancer elsewhere) learns only whether each part answers …
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}
    # … the machine itself also the version and the time each check took.
    local = client.get("/healthz").json()
    assert local["status"] == "ok"
    assert {"version", "took_ms"} <= set(local)


def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_an_english_browser_still_gets_chinese(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    body = login(xc_secretary).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "您的角色和单位" in body or "Your roles and units" not in body
    assert 'lang="zh-hans"' in body


def test_programs_calling_the_api_get_the_language_they_ask_for(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    client = login(xc_secretary)
    english = client.post("/api/v1/events/", {}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english.status_code == 400
    assert english["Content-Language"] == "en"
    assert "Accept-Language" in english["Vary"]
    assert english.json()["title"] == ["This field is required."]
    chinese = client.post("/api/v1/events/", {}, HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert chinese["Content-Language"] == "zh-hans"
    assert chinese.json()["title"] != english.json()["title"]  # the message is translated
    # a cookie (the switch in the top bar) still wins
    client.cookies["django_language"] = "zh-hans"
    assert client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == (
        "zh-hans"
    )


@pytest.mark.chinese
def test_an_api_404_is_translated_and_names_no_model(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    answer = login(xc_secretary).get("/api/v1/events/NO-SUCH/")
    assert answer.status_code == 404
    detail = answer.json()["detail"]
    assert "Event" not in detail and "matches" not in detail
    assert detail == "未找到。"
