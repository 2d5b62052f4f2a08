"""The security settings an operator relies on (OWASP ASVS level 2): log-in throttling,
session rotation and expiry, password complexity, cookies and headers under HTTPS, the
content security policy, and uploads whose bytes are not what their name says."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from grassroots.common.passwords import CharacterClassesValidator, character_classes
from grassroots.common.uploads import SpreadsheetUploadForm
from tests.conftest import PASSWORD
from tests.pages_support import POINT, build_world, png_bytes

pytestmark = pytest.mark.django_db


# --- log-in throttling (django-axes) --------------------------------------------------


def test_repeated_wrong_passwords_lock_the_username_from_that_address(
    settings: Any, xc_secretary: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _i in range(3):
        wrong = client.post(
            "/accounts/login/", {"username": "xc_secretary", "password": "Wrong-Pass-1"}
        )
    # The third failure already answers the lock page; the right password no longer helps.
    right = client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
    for response in (wrong, right):
        assert response.status_code in (403, 429)
        assert "registration/locked_out.html" in [t.name for t in response.templates]
    with translation.override("zh-hans"):
        heading = gettext("Too many failed log-in attempts")
    assert heading != "Too many failed log-in attempts"
    assert heading in right.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is by username and address: the same person from another address may log in.
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert (
        other.post(
            "/accounts/login/", {"username": "xc_secretary", "password": PASSWORD}
        ).status_code
        == 302
    )


# --- sessions -------------------------------------------------------------------------


def test_the_session_id_changes_at_log_in_and_logout_clears_it(xc_secretary: Any) -> None:
    client = Client()
    client.get("/accounts/login/")
    session = client.session  # an anonymous session exists before the log-in
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    assert (
        client.post(
            "/accounts/login/", {"username": "xc_secretary", "password": PASSWORD}
        ).status_code
        == 302
    )
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=after).exists()
    assert client.get("/").status_code == 302


def test_an_idle_session_ends_and_the_log_in_page_says_so(settings: Any, xc_secretary: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 30 * 60
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    client = Client()
    with time_machine.travel(start, tick=False) as clock:
        client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # each visit moves the idle limit on
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        gone = client.get("/")
        assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
        page = client.get(gone["Location"])
        assert page.context["expired"] is True
        assert 'role="status"' in page.content.decode()


def test_a_session_ends_after_the_absolute_limit_however_busy(
    settings: Any, xc_secretary: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 30 * 60
    settings.SESSION_COOKIE_AGE = 2 * 3600
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    client = Client()
    with time_machine.travel(start, tick=False) as clock:
        client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
        for _i in range(7):  # busy every 20 minutes for 2 h 20 min
            clock.shift(dt.timedelta(minutes=20))
            client.get("/org/units/")
        assert client.get("/").status_code == 302


def test_the_session_is_written_at_most_once_a_minute(xc_secretary: Any) -> None:
    from django.contrib.sessions.models import Session

    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    client = Client()
    with time_machine.travel(start, tick=False) as clock:
        client.post("/accounts/login/", {"username": "xc_secretary", "password": PASSWORD})
        client.get("/org/units/")
        key = client.cookies["sessionid"].value
        written = Session.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        client.get("/org/units/")
        assert Session.objects.get(session_key=key).expire_date == written
        clock.shift(dt.timedelta(seconds=40))
        client.get("/org/units/")
        assert Session.objects.get(session_key=key).expire_date > written


# --- passwords ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghijk", 1),
        ("abcdefgh1234", 2),
        ("Abcdefgh1234", 3),
        ("abcd-efgh-1234", 3),
        ("Abcd-efgh-1234", 4),
        ("社区网格员abc123", 3),
    ],
)
def test_character_classes(password: str, classes: int) -> None:
    assert character_classes(password) == classes


def test_a_password_needs_three_classes_and_ten_characters(xc_secretary: Any) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as simple:
        validate_password("xichang2026city", user=xc_secretary)
    assert "password_too_simple" in [e.code for e in simple.value.error_list]
    with pytest.raises(ValidationError) as short:
        validate_password("Ab1-xyz", user=xc_secretary)
    assert "password_too_short" in [e.code for e in short.value.error_list]
    validate_password("Xichang-2026-city", user=xc_secretary)
    assert "3" in CharacterClassesValidator().get_help_text()


def test_the_password_change_page_refuses_a_simple_password(xc_secretary: Any, login: Any) -> None:
    client = login(xc_secretary)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "xichangcitylizhou",
            "new_password2": "xichangcitylizhou",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    xc_secretary.refresh_from_db()
    assert xc_secretary.check_password(PASSWORD)


# --- headers and cookies --------------------------------------------------------------


def test_pages_carry_the_content_security_policy_and_frame_denial(tree: Any) -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = {
        name: value
        for name, _sep, value in (part.strip().partition(" ") for part in policy.split(";"))
    }
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts
    assert directives["frame-ancestors"] == "'none'"
    assert "data:" in directives["img-src"]  # the enrolment QR code is a data URI
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


PROBE = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "grassroots.settings"
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "ADMIN_TWO_FACTOR",
    "SESSION_IDLE_SECONDS")}))
"""


def _settings_with(env_extra: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = str(tmp_path)
    env.update(env_extra)
    done = subprocess.run(  # noqa: S603  (our own interpreter and probe)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_https_turns_on_secure_cookies_redirects_and_hsts(tmp_path: Path) -> None:
    plain = _settings_with({}, tmp_path)
    assert plain["SESSION_COOKIE_HTTPONLY"] and plain["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_HSTS_SECONDS"] == 0
    # Production defaults: two-factor for administrators on, 30 minutes idle.
    assert plain["ADMIN_TWO_FACTOR"] is True and plain["SESSION_IDLE_SECONDS"] == 1800
    https = _settings_with({"GRASSROOTS_HTTPS": "1", "GRASSROOTS_ADMIN_2FA": "0"}, tmp_path)
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_SSL_REDIRECT"] and https["SECURE_HSTS_SECONDS"] >= 31536000
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert https["ADMIN_TWO_FACTOR"] is False


def test_secure_cookies_and_hsts_on_the_wire(settings: Any, xc_secretary: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    assert client.get("/accounts/login/").status_code == 301  # plain HTTP → HTTPS
    https = {"HTTP_X_FORWARDED_PROTO": "https"}
    page = client.get("/accounts/login/", **https)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    done = client.post(
        "/accounts/login/", {"username": "xc_secretary", "password": PASSWORD}, **https
    )
    cookie = done.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


# --- uploads --------------------------------------------------------------------------


def _report(photo: Any) -> dict[str, Any]:
    lat, lon = POINT
    return {
        "category": "SRHJ01",
        "title": "路边堆放建筑垃圾",
        "description": "礼州村委会门口",
        "lat": str(lat),
        "lon": str(lon),
        "address": "",
        "idempotency_key": str(uuid.uuid4()),
        "photos": [photo],
    }


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        (
            "b.jpg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/jpeg",
        ),
        ("c.png", b"#!/bin/sh\nrm -rf /\n", "image/png"),
        ("d.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/jpeg"),
    ],
    ids=["html", "svg", "script", "gif"],
)
def test_a_photo_whose_bytes_are_no_photo_is_refused(
    tree: Any,
    official_calendar: None,
    grid_worker: Any,
    login: Any,
    settings: Any,
    tmp_path: Path,
    name: str,
    data: bytes,
    content_type: str,
) -> None:
    from grassroots.events.models import Attachment, Event

    settings.MEDIA_ROOT = tmp_path / "media"
    build_world(tree)
    fake = SimpleUploadedFile(name, data, content_type=content_type)
    response = login(grid_worker).post("/m/report/", _report(fake))
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert not Event.objects.exists() and not Attachment.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_an_oversized_photo_is_refused(
    tree: Any,
    official_calendar: None,
    grid_worker: Any,
    login: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from grassroots.events.models import Event

    settings.MEDIA_ROOT = tmp_path / "media"
    build_world(tree)
    big = png_bytes()
    settings.PHOTO_MAX_BYTES = len(big) - 1
    response = login(grid_worker).post(
        "/m/report/", _report(SimpleUploadedFile("big.png", big, content_type="image/png"))
    )
    assert response.status_code == 400
    assert not Event.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


@pytest.mark.parametrize(
    ("name", "data"),
    [("roster.xlsx", b"<html><body>not a workbook</body></html>"), ("roster.html", b"a,b\n")],
)
def test_an_import_file_that_is_no_spreadsheet_is_refused(name: str, data: bytes) -> None:
    form = SpreadsheetUploadForm(files={"file": SimpleUploadedFile(name, data)})
    assert not form.is_valid()
    assert form.errors["file"]
