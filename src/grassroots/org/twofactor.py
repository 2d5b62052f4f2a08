"""Two-factor log-in (TOTP) for administrators: who must use it, enrolment, the code check,
the reset by a system administrator, and the middleware that holds an administrator's
session at the code step until it is verified.

An *administrator* is a superuser, a staff user (the Django admin site) or a person with an
active 市委目督办 membership (``Role.CITY_ADMIN``: the role granted ``org.*`` over its
subtree, so it manages units and memberships). With ``ADMIN_TWO_FACTOR`` on (the default;
``GRASSROOTS_ADMIN_2FA=0`` turns it off, for demonstrations only), an administrator's session
opens no page but the code step, enrolment, logout and the language switch until the
session is verified: with a confirmed authenticator (TOTP, ``django_otp``'s TOTPDevice) the
person enters its code; without one they enrol first. Enrolment gives ten single-use backup
codes (``otp_static``), shown once. Wrong codes are throttled by django-otp (1, 2, 4, 8 …
seconds after successive failures); the fifth failure in a row is audited.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Final

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.org.errors import OrgError
from grassroots.org.models import Role, User
from grassroots.org.queries import active_grants

#: How many backup codes an enrolment gives.
BACKUP_CODES: Final = 10
#: After this many wrong codes in a row the account's code step is audited as locked.
LOCK_AUDIT_AT: Final = 5
#: The session key of the authenticator being enrolled (not confirmed yet).
ENROL_SESSION_KEY: Final = "grassroots_otp_enrol"


class TwoFactorError(OrgError):
    """A wrong or throttled code; ``throttled`` answers 429 rather than 400."""

    def __init__(self, message: str, *, field: str | None = "token", throttled: bool = False):
        super().__init__(message, field=field)
        self.throttled = throttled


def is_administrator(user: Any) -> bool:
    """Superusers, staff (the admin site) and holders of an active city-office membership."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(g.role == Role.CITY_ADMIN for g in active_grants(user))


def required(user: Any) -> bool:
    """Whether ``user``'s sessions must pass the code step."""
    return bool(getattr(settings, "ADMIN_TWO_FACTOR", True)) and is_administrator(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    )
    return device


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified()) if callable(verified) else False


def _record(action: str, user: User, *, actor: User | None, note: str = "") -> None:
    from grassroots.audit.actions import record

    record(action, user, actor=actor, note=note)


# --- enrolment ------------------------------------------------------------------------


def pending_device(request: HttpRequest, user: User) -> TOTPDevice:
    """The unconfirmed authenticator this session is enrolling (a new one when there is
    none: its secret stays the same while the person reloads the page)."""
    pk = request.session.get(ENROL_SESSION_KEY)
    device: TOTPDevice | None = None
    if isinstance(pk, int):
        device = TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()
    if device is None:
        device = start_enrolment(actor=user)
        request.session[ENROL_SESSION_KEY] = device.pk
    return device


@transaction.atomic
def start_enrolment(*, actor: User) -> TOTPDevice:
    """A new unconfirmed authenticator of ``actor`` (earlier unconfirmed ones are dropped)."""
    User.objects.select_for_update().get(pk=actor.pk)
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(
        user=actor, name=_("Authenticator app"), confirmed=False
    )
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` link as a QR code (an SVG data URI for an ``<img>``)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _clean(token: str) -> str:
    return "".join(token.split()).replace("-", "")


def confirm_enrolment(device_id: int, *, actor: User, token: str) -> list[str]:
    """Confirm ``actor``'s new authenticator with its first code: it replaces their earlier
    authenticator and backup codes; the new backup codes are returned (to show once).

    A wrong code raises ``TwoFactorError`` after the transaction committed the failure's
    count (django-otp's throttle) and any audit entry: a rollback would forget them."""
    with transaction.atomic():
        result = _confirm(device_id, actor=actor, token=token)
    if isinstance(result, TwoFactorError):
        raise result
    return result


def _confirm(device_id: int, *, actor: User, token: str) -> list[str] | TwoFactorError:
    User.objects.select_for_update().get(pk=actor.pk)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=actor, confirmed=False)
        .first()
    )
    if device is None:
        raise TwoFactorError(_("This enrolment has expired: start again."), field=None)
    token = _clean(token)
    if not token:
        raise TwoFactorError(_("Enter the code."))
    if failure := _check(device, token, actor=actor):
        return failure
    replaced = TOTPDevice.objects.filter(user=actor, confirmed=True).exists()
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=actor).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=actor, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=c) for c in codes])
    _record(
        "org.user.twofactor_enrolled",
        actor,
        actor=actor,
        note=_("replaced an earlier authenticator") if replaced else "",
    )
    return codes


# --- the code step --------------------------------------------------------------------


def _check(device: Any, token: str, *, actor: User, backup: bool = False) -> TwoFactorError | None:
    """Verify ``token`` on ``device`` (locked by the caller); the error to raise once the
    transaction committed when it is wrong. A wrong code is counted by django-otp
    (``throttle_increment``), which then makes the next try wait 1, 2, 4 … seconds."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        message = _("Too many wrong codes.")
        if info and info.get("locked_until"):
            seconds = max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
            message += " " + _("Wait %(n)d seconds before the next try.") % {"n": seconds}
        return TwoFactorError(message, throttled=True)
    if device.verify_token(token):
        return None
    if device.throttling_failure_count == LOCK_AUDIT_AT:
        note = _("%(n)d wrong backup codes in a row") if backup else _("%(n)d wrong codes in a row")
        _record("org.user.twofactor_locked", actor, actor=actor, note=note % {"n": LOCK_AUDIT_AT})
    return TwoFactorError(_("The code is wrong or has expired."))


def verify(request: HttpRequest, *, actor: User, token: str) -> Any:
    """Check the code of ``actor``'s authenticator (or one of their backup codes) and mark
    the session verified; the session key changes. A wrong code raises ``TwoFactorError``
    after its count (and audit entry) is committed."""
    with transaction.atomic():
        result = _verify(actor=actor, token=token)
    if isinstance(result, TwoFactorError):
        raise result
    _login(request, result)
    return result


def _verify(*, actor: User, token: str) -> Any:
    token = _clean(token)
    if not token:
        raise TwoFactorError(_("Enter the code."))
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
    if device is None:
        raise TwoFactorError(_("You have no authenticator: enrol one first."), field=None)
    used: Any = device
    if not (token.isdecimal() and len(token) == device.digits):
        backup = StaticDevice.objects.select_for_update().filter(user=actor).first()
        if backup is not None:
            used = backup
            token = token.lower()
    return _check(used, token, actor=actor, backup=used is not device) or used


def _login(request: HttpRequest, device: Any) -> None:
    request.session.cycle_key()
    otp_login(request, device)


def mark_verified(request: HttpRequest, device: Any) -> None:
    """Mark the session verified by ``device`` (just confirmed at enrolment)."""
    _login(request, device)


# --- reset by a system administrator --------------------------------------------------


@transaction.atomic
def reset(user_id: int, *, actor: User) -> User:
    """Remove a person's authenticator and backup codes (they enrol again at their next
    log-in). Only a superuser may, in a verified session."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator may reset two-factor log-in."))
    person = User.objects.select_for_update().get(pk=user_id)
    had = TOTPDevice.objects.filter(user=person).exists() or (
        StaticDevice.objects.filter(user=person).exists()
    )
    if not had:
        raise OrgError(_("%(name)s has no authenticator.") % {"name": person}, field=None)
    _record("org.user.twofactor_reset", person, actor=actor)
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    return person


# --- the middleware -------------------------------------------------------------------


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("org:twofactor_verify"),
        reverse("org:twofactor_enrol"),
        reverse("logout"),
        reverse("set_language"),
        reverse("healthz"),
        settings.STATIC_URL or "/static/",
    )


class AdminTwoFactorMiddleware:
    """Hold an administrator's unverified session at the code step (or at enrolment when
    they have no authenticator). After ``OTPMiddleware`` (``request.user.is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and required(user)
            and not is_verified(request)
            and not request.path.startswith(_open_paths())
        ):
            return self.hold(request, user)
        return self.get_response(request)

    def hold(self, request: HttpRequest, user: Any) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor log-in is required: enter your code in the browser.")},
                status=403,
            )
        # A stale verification (its device removed) is dropped with the session's key.
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        step = "org:twofactor_verify" if confirmed_device(user) else "org:twofactor_enrol"
        target = reverse(step)
        if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would follow a 302 inside the page's fragment: it opens this one whole.
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
