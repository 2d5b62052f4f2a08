"""Two-factor log-in (TOTP) for administrators: enrolment, the code step after the password,
throttled wrong codes, backup codes, the admin site, a system administrator's reset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.audit.models import AuditEntry
from grassroots.org import twofactor
from grassroots.org.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = "/org/2fa/"
ENROL = "/org/2fa/enrol/"
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _two_factor_on(settings: Any) -> None:
    settings.ADMIN_TWO_FACTOR = True


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def device_of(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_login(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": "/org/units/"}
    )
    assert response.status_code == 302
    return client


def verified(user: User) -> Client:
    """A client logged in with the password and the code (a device is made when missing)."""
    device = twofactor.confirmed_device(user) or device_of(user)
    client = password_login(user)
    assert client.post(VERIFY, {"token": code(device)}).status_code == 302
    return client


def test_who_is_an_administrator(city_admin: User, xc_secretary: User, village_cadre: User) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    staff = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    assert all(twofactor.is_administrator(u) for u in (city_admin, root, staff))
    assert not twofactor.is_administrator(xc_secretary)
    assert not twofactor.is_administrator(village_cadre)


def test_an_administrator_without_device_can_only_enrol(
    city_admin: User, xc_secretary: User, login: Any
) -> None:
    client = login(city_admin)
    for path in ("/", "/org/units/", "/audit/", "/admin/", VERIFY):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL), path
    # An htmx request is sent to the whole page.
    partial = client.get("/org/units/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and partial["HX-Redirect"] == ENROL
    assert not partial.content
    # The API answers 403 rather than a redirect.
    assert client.get("/api/v1/events/").status_code == 403
    # Not an administrator: no second step.
    assert login(xc_secretary).get("/").status_code == 200
    # Logging out still works.
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith(reverse("login"))


def test_enrolment_shows_a_qr_code_and_needs_a_first_code(city_admin: User, login: Any) -> None:
    client = login(city_admin)
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=city_admin)
    assert not device.confirmed
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', html)
    assert secret and secret.group(1).replace(" ", "") in twofactor.secret_text(device).replace(
        " ", ""
    )
    # Reloading keeps the same secret (the app scanned it already).
    client.get(ENROL)
    assert TOTPDevice.objects.get(user=city_admin).key == device.key

    with time_machine.travel(T0, tick=False):
        wrong = client.post(ENROL, {"token": "000000" if code(device) != "000000" else "111111"})
        assert wrong.status_code == 400
        assert 'role="alert"' in wrong.content.decode()
        device.refresh_from_db()
        assert not device.confirmed and not StaticDevice.objects.filter(user=city_admin).exists()
        assert client.get("/").status_code == 302

    with time_machine.travel(T0 + dt.timedelta(seconds=60), tick=False):
        done = client.post(ENROL, {"token": code(device)})
        assert done.status_code == 200
        codes = done.context["codes"]
        assert len(codes) == twofactor.BACKUP_CODES
        assert all(c in done.content.decode() for c in codes)
        device.refresh_from_db()
        assert device.confirmed
        assert StaticToken.objects.filter(device__user=city_admin).count() == len(codes)
        assert AuditEntry.objects.filter(
            action="org.user.twofactor_enrolled", object_id=str(city_admin.pk)
        ).exists()
        # The session is verified by the confirmation.
        assert client.get("/").status_code == 200
        # The backup codes are not shown again.
        assert "codes" not in (client.get(ENROL).context or {})


def test_password_then_code(city_admin: User) -> None:
    device = device_of(city_admin)
    with time_machine.travel(T0, tick=False):
        client = password_login(city_admin)
        first_key = client.session.session_key
        held = client.get("/org/units/")
        assert held.status_code == 302 and held["Location"].startswith(VERIFY)
        assert client.get(VERIFY).status_code == 200
        assert client.post(VERIFY, {"token": "12345"}).status_code == 400
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        ok = client.post(VERIFY, {"token": code(device), "next": "/org/units/"})
        assert ok.status_code == 302 and ok["Location"] == "/org/units/"
        # The session key changes when the session gains the second factor.
        assert client.session.session_key != first_key
        assert client.get("/org/units/").status_code == 200
        # An off-site next is not followed.
        assert client.post(VERIFY, {"next": "https://evil.example/"})["Location"] == "/"


def test_wrong_codes_are_throttled_and_the_fifth_is_audited(city_admin: User) -> None:
    device = device_of(city_admin)
    with time_machine.travel(T0, tick=False) as clock:
        client = password_login(city_admin)
        right = code(device)
        wrong = "000000" if right != "000000" else "111111"
        assert client.post(VERIFY, {"token": wrong}).status_code == 400
        # At once again: throttled, even with the right code.
        throttled = client.post(VERIFY, {"token": right})
        assert throttled.status_code == 429
        assert client.get("/").status_code == 302
        for n in range(2, twofactor.LOCK_AUDIT_AT + 1):
            clock.shift(2 ** (n - 1))
            assert client.post(VERIFY, {"token": wrong}).status_code == 400
        device.refresh_from_db()
        assert device.throttling_failure_count == twofactor.LOCK_AUDIT_AT
        assert (
            AuditEntry.objects.filter(
                action="org.user.twofactor_locked", object_id=str(city_admin.pk)
            ).count()
            == 1
        )
        clock.shift(2**twofactor.LOCK_AUDIT_AT + 30)
        assert client.post(VERIFY, {"token": code(device)}).status_code == 302
        assert client.get("/").status_code == 200


def test_a_backup_code_works_once(city_admin: User) -> None:
    device = device_of(city_admin)
    backup = StaticDevice.objects.create(user=city_admin, name="backup", confirmed=True)
    backup.token_set.create(token="abcd2345")
    del device
    with time_machine.travel(T0, tick=False) as clock:
        client = password_login(city_admin)
        assert client.post(VERIFY, {"token": "ABCD 2345"}).status_code == 302
        assert client.get("/").status_code == 200
        clock.shift(60)
        again = password_login(city_admin)
        assert again.post(VERIFY, {"token": "abcd2345"}).status_code == 400
        assert again.get("/").status_code == 302


def test_the_admin_site_needs_a_verified_session(login: Any) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    held = login(root).get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith(ENROL)
    device_of(root)
    held = login(root).get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith(VERIFY)
    with time_machine.travel(T0, tick=False):
        assert verified(root).get("/admin/").status_code == 200


def test_a_superuser_resets_a_device(city_admin: User, tree: Any) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    device_of(city_admin)
    url = reverse("org:twofactor_reset", args=[city_admin.pk])
    with time_machine.travel(T0, tick=False) as clock:
        # Another administrator who is not a superuser may not.
        other = User.objects.create_user("other_admin", password=PASSWORD, is_staff=True)
        assert verified(other).post(url).status_code == 403
        assert TOTPDevice.objects.filter(user=city_admin).exists()
        clock.shift(60)
        client = verified(root)
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 200
    assert not TOTPDevice.objects.filter(user=city_admin).exists()
    entry = AuditEntry.objects.get(action="org.user.twofactor_reset")
    assert entry.object_id == str(city_admin.pk) and entry.actor_id == root.pk
    # Nothing left to reset: 409, nothing recorded.
    with time_machine.travel(T0 + dt.timedelta(seconds=120), tick=False):
        assert client.post(url).status_code == 409
    assert AuditEntry.objects.filter(action="org.user.twofactor_reset").count() == 1
    # At their next log-in they enrol again.
    assert password_login(city_admin).get("/")["Location"].startswith(ENROL)


def test_off_for_demonstrations(settings: Any, city_admin: User, login: Any) -> None:
    settings.ADMIN_TWO_FACTOR = False
    assert login(city_admin).get("/").status_code == 200
