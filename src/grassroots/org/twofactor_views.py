"""Pages of two-factor log-in: the code step, enrolment, and a system administrator's reset
of someone's authenticator (``org.twofactor`` holds the rules)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from grassroots.common.http import user_of
from grassroots.org import twofactor
from grassroots.org.errors import OrgError
from grassroots.org.models import User


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: the code of the authenticator app (or a backup code)."""
    user = user_of(request)
    if twofactor.is_verified(request):
        return redirect(_next(request))
    if twofactor.confirmed_device(user) is None:
        return redirect("org:twofactor_enrol")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            twofactor.verify(request, actor=user, token=request.POST.get("token", ""))
        except twofactor.TwoFactorError as exc:
            error = exc.message
            status = 429 if exc.throttled else 400
        else:
            return redirect(_next(request))
    return render(
        request,
        "registration/twofactor_verify.html",
        {"error": error, "next": _next(request)},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), confirm with its
    first code; the backup codes are shown once, on the page that answers the confirmation.
    Replacing an authenticator needs a verified session."""
    user = user_of(request)
    if twofactor.confirmed_device(user) is not None and not twofactor.is_verified(request):
        return redirect("org:twofactor_verify")
    device = twofactor.pending_device(request, user)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            codes = twofactor.confirm_enrolment(
                device.pk, actor=user, token=request.POST.get("token", "")
            )
        except twofactor.TwoFactorError as exc:
            error = exc.message
            status = 429 if exc.throttled else 400
        else:
            request.session.pop(twofactor.ENROL_SESSION_KEY, None)
            device.refresh_from_db()
            twofactor.mark_verified(request, device)
            return render(
                request,
                "registration/twofactor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    return render(
        request,
        "registration/twofactor_enrol.html",
        {
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_text(device),
            "replacing": twofactor.confirmed_device(user) is not None,
            "error": error,
            "next": _next(request),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A system administrator removes someone's authenticator (lost phone): they enrol again
    at their next log-in."""
    actor = user_of(request)
    if not actor.is_superuser:
        raise PermissionDenied
    person = get_object_or_404(User, pk=pk)
    error = ""
    status = 200
    done = False
    if request.method == "POST":
        try:
            twofactor.reset(person.pk, actor=actor)
        except OrgError as exc:
            error = exc.message
            status = 409
        else:
            done = True
    return render(
        request,
        "org/twofactor_reset.html",
        {
            "person": person,
            "has_device": twofactor.confirmed_device(person) is not None,
            "done": done,
            "error": error,
        },
        status=status,
    )
