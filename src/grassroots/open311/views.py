"""GeoReport v2 endpoints: thin views over ``public`` (reads) and ``intake`` (POST).

Each URL ends in ``.json`` or ``.xml``; the same data is rendered in either. Errors are
the specification's error list: 403 for a missing or bad ``api_key``, 404 for a resource
that is not there, 400 for anything else the client sent wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grassroots.events.errors import EventError
from grassroots.events.models import Category, Event, EventSource
from grassroots.events.states import CLOSED_STATUSES, EventStatus
from grassroots.open311 import intake, public
from grassroots.open311.keys import authenticate
from grassroots.open311.rendering import Format, errors, render
from grassroots.org.models import Unit

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The default and the widest window of GET requests, and its most requests.
WINDOW = dt.timedelta(days=90)
MAX_REQUESTS = 1000

View = Callable[..., HttpResponse]


def _methods(*allowed: str) -> Callable[[View], View]:
    """Answer other methods with 405 and an error list (not Django's empty page)."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest, *args: Any, fmt: Format, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = errors(
                    fmt,
                    405,
                    [_("Method %(method)s is not allowed here.") % {"method": request.method}],
                )
                response["Allow"] = ", ".join(allowed)
                return response
            jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get(
                "jurisdiction_id", ""
            )
            if jurisdiction and not _known_jurisdiction(jurisdiction.strip()):
                return errors(
                    fmt,
                    404,
                    [_("jurisdiction_id “%(id)s” was not found.") % {"id": jurisdiction}],
                )
            return view(request, *args, fmt=fmt, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return csrf_exempt(wrapped)

    return decorate


def _known_jurisdiction(code: str) -> bool:
    """This endpoint serves one jurisdiction: the root of the unit tree (e.g. 513401)."""
    return Unit.objects.filter(parent__isnull=True, code=code).exists()


@_methods("GET", "HEAD")
def discovery(request: HttpRequest, *, fmt: Format) -> HttpResponse:
    """Where the endpoint is, what it speaks, whom to ask for a key."""
    changed = Category.objects.aggregate(last=Max("updated_at"))["last"] or timezone.now()
    changeset = public.w3c(changed)
    data = {
        "changeset": changeset,
        "contact": getattr(settings, "OPEN311_CONTACT", "")
        or _("The city's grid service centre (网格化服务管理中心)."),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "")
        or _(
            "API keys are issued to partners by the city office "
            "(grassroots open311-key create NAME)."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@_methods("GET", "HEAD")
def service_list(request: HttpRequest, *, fmt: Format) -> HttpResponse:
    """The public categories, as services."""
    return render(fmt, "services", [public.service_data(c) for c in public.services()])


@_methods("GET", "HEAD")
def service_definition(request: HttpRequest, code: str, *, fmt: Format) -> HttpResponse:
    """The attributes a service asks for."""
    category = Category.objects.public().filter(code=code).first()
    if category is None:
        return errors(fmt, 404, [_("service_code “%(code)s” was not found.") % {"code": code}])
    return render(fmt, "service_definition", public.service_definition_data(category))


@_methods("GET", "HEAD", "POST")
def service_requests(request: HttpRequest, *, fmt: Format) -> HttpResponse:
    """GET: requests in a window (90 days, 1,000 at most). POST: report one."""
    if request.method == "POST":
        return _create(request, fmt)
    try:
        events = _filtered(request.GET)
    except intake.IntakeError as exc:
        return errors(fmt, exc.status, [exc.message])
    return render(fmt, "service_requests", public.requests_data(events[:MAX_REQUESTS]))


@_methods("GET", "HEAD")
def service_request(request: HttpRequest, request_id: str, *, fmt: Format) -> HttpResponse:
    """One request, as a list of one."""
    event = public.public_requests().filter(number=request_id).first()
    if event is None:
        return errors(
            fmt, 404, [_("service_request_id “%(id)s” was not found.") % {"id": request_id}]
        )
    return render(fmt, "service_requests", [public.request_data(event)])


@_methods("GET", "HEAD")
def token(request: HttpRequest, token: str, *, fmt: Format) -> HttpResponse:
    """The request a token stands for. We create requests at once, so it is always known."""
    number = (
        Event.objects.filter(idempotency_key=token, source=EventSource.OPEN311)
        .values_list("number", flat=True)
        .first()
    )
    if number is None:
        return errors(fmt, 404, [_("token “%(token)s” was not found.") % {"token": token}])
    return render(fmt, "service_requests", [{"service_request_id": number, "token": token}])


def _create(request: HttpRequest, fmt: Format) -> HttpResponse:
    form = request.POST
    key = form.get("api_key") or request.GET.get("api_key", "")
    api_key = authenticate(key)
    if api_key is None:
        message = _("api_key is not valid or was revoked.") if key else _("api_key is required.")
        return errors(fmt, 403, [message])
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > 255:
        return errors(fmt, 400, [_("The Idempotency-Key header is too long.")])
    try:
        submission = intake.parse(form, request.FILES)
        token = intake.token_for(api_key, idempotency_key or None)
        event = intake.submit(submission, token=token)
    except intake.IntakeError as exc:
        return errors(fmt, exc.status, [exc.message])
    except EventError as exc:
        name = intake.open311_field(exc.field)
        return errors(fmt, 400, [f"{name}: {exc.message}" if name else exc.message])
    except PermissionDenied as exc:
        return errors(fmt, 403, [str(exc) or _("Not allowed.")])
    return render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": event.number,
                "token": token,
                "service_notice": _notice(event),
                "account_id": None,
            }
        ],
    )


def _notice(event: Event) -> str:
    if event.resolve_by is None:
        return _("Received as %(number)s.") % {"number": event.number}
    due = timezone.localtime(event.resolve_by).strftime("%Y-%m-%d %H:%M")
    return _("Received as %(number)s; it is due to be handled by %(due)s.") % {
        "number": event.number,
        "due": due,
    }


def _moment(value: str, name: str, *, end: bool) -> dt.datetime:
    value = value.strip()
    moment: dt.datetime | None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    except ValueError:
        moment = None
    if moment is None:
        raise intake.IntakeError(
            _("%(name)s must be a W3C date and time such as 2026-11-25T09:30:00+08:00.")
            % {"name": name}
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _window(params: Any) -> tuple[dt.datetime, dt.datetime]:
    start_raw, end_raw = params.get("start_date", ""), params.get("end_date", "")
    start = _moment(start_raw, "start_date", end=False) if start_raw.strip() else None
    end = _moment(end_raw, "end_date", end=True) if end_raw.strip() else None
    if start is None:
        end = end or timezone.now()
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise intake.IntakeError(_("end_date is before start_date."))
    if end - start > WINDOW:
        raise intake.IntakeError(_("start_date and end_date may not span more than 90 days."))
    return start, end


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _filtered(params: Any) -> Any:
    events = public.public_requests()
    ids = _list(params.get("service_request_id", ""))
    if ids:
        # The specification: a list of ids overrides every other filter.
        if len(ids) > MAX_REQUESTS:
            raise intake.IntakeError(_("At most 1000 service_request_id at once."))
        return events.filter(number__in=ids)
    start, end = _window(params)
    events = events.filter(reported_at__gte=start, reported_at__lte=end)
    if codes := _list(params.get("service_code", "")):
        events = events.filter(category__code__in=codes)
    if statuses := _list(params.get("status", "")):
        wanted: set[str] = set()
        for status in statuses:
            if status == "open":
                wanted |= set(EventStatus.values) - set(CLOSED_STATUSES)
            elif status == "closed":
                wanted |= set(CLOSED_STATUSES)
            else:
                raise intake.IntakeError(
                    _("status must be open or closed, not “%(status)s”.") % {"status": status}
                )
        events = events.filter(status__in=sorted(wanted))
    return events
