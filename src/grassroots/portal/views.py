"""Public pages (/public/), no login: a resident reports a problem, looks it up by its
number and the last four digits of the phone, follows it and rates the result.

What the public sees of an event: its number, category, status, the place at grid level
(grid, village, township names — never the address or the coordinates), and a timeline
of the moves with the *unit* that made each (never a person's name, never a phone).
Looking up an event puts it in the visitor's session; the tracking and rating pages only
serve events found that way. Reports and failed lookups are rate-limited per client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.common.masking import mask_phone
from grassroots.events import actions
from grassroots.events.errors import EventConflict, EventError, EventNotFound, IllegalTransition
from grassroots.events.forms import apply_error
from grassroots.events.models import ActionKind, Event, EventAction, EventSource
from grassroots.events.states import EventStatus
from grassroots.portal import captcha, ratelimit
from grassroots.portal.assessment import current_publications, lists_views
from grassroots.portal.forms import LookupForm, RatingForm, ResidentReportForm

WINDOW = 3600
SESSION_EVENTS = "portal_events"
SESSION_REPORTED = "portal_reported"
#: Events a visitor keeps access to in one session (the latest looked up).
SESSION_MAX = 20

#: Timeline lines the public sees, and those whose note it reads.
PUBLIC_KINDS = frozenset(
    {
        ActionKind.REPORT,
        ActionKind.ACCEPT,
        ActionKind.REJECT,
        ActionKind.DISPATCH,
        ActionKind.START,
        ActionKind.ESCALATE,
        ActionKind.RESOLVE,
        ActionKind.RESOLVE_ON_SPOT,
        ActionKind.VERIFY,
        ActionKind.REWORK,
        ActionKind.CLOSE,
        ActionKind.RATE,
        ActionKind.REOPEN,
    }
)
PUBLIC_NOTES = frozenset(
    {ActionKind.REJECT, ActionKind.RESOLVE, ActionKind.RESOLVE_ON_SPOT, ActionKind.CLOSE}
)
#: A mobile or landline number inside free text (masked before the public reads it).
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def reports_per_hour() -> int:
    return int(getattr(settings, "PORTAL_REPORTS_PER_HOUR", 10))


def lookups_per_hour() -> int:
    """Failed lookups allowed per client and hour (guessing four digits takes thousands)."""
    return int(getattr(settings, "PORTAL_FAILED_LOOKUPS_PER_HOUR", 20))


def limited(request: HttpRequest) -> HttpResponse:
    """The answer to a client over its rate limit (429)."""
    return render(request, "portal/limited.html", status=429)


#: List entries of each colour on the home page (the lists page shows them all).
HOME_LIST: Final = 5


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The portal's home: the five things a resident comes for, and the current red and
    black lists summed up (two queries, the lists from the cache)."""
    return render(
        request,
        "portal/index.html",
        {"current": lists_views(current_publications(), limit=HOME_LIST)},
    )


# --- report -----------------------------------------------------------------------------------


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """A resident's report; answers with the event number to look it up later."""
    if request.method != "POST":
        return _report_page(request, ResidentReportForm())
    form = ResidentReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report_page(request, form, status=400)
    if not ratelimit.hit(
        "report", ratelimit.client_ip(request), limit=reports_per_hour(), window=WINDOW
    ):
        return limited(request)
    data = form.cleaned_data
    has_position = data.get("lat") is not None and data.get("lon") is not None
    try:
        event = actions.report_event(
            actor=None,  # the public form is the same for everyone, logged in or not
            category=data["category"],
            title=form.title(),
            source=EventSource.RESIDENT,
            description=data["description"],
            lat=data["lat"] if has_position else None,
            lon=data["lon"] if has_position else None,
            address=data.get("address") or "",
            contact_name=data.get("contact_name") or "",
            contact_phone=data["contact_phone"],
            photos=data.get("photos") or [],
            idempotency_key=data.get("idempotency_key") or None,
        )
    except EventError as exc:
        apply_error(form, exc, {"location": "lat"})
        return _report_page(request, form, status=400)
    _remember(request, event)
    request.session[SESSION_REPORTED] = event.number
    return HttpResponseRedirect(reverse("portal:report_done"))


def _report_page(
    request: HttpRequest, form: ResidentReportForm, *, status: int = 200
) -> HttpResponse:
    """The form with a new captcha (an answer, right or wrong, spends the old one)."""
    form.forget_answer()
    return render(
        request,
        "portal/report.html",
        {"form": form, "captcha_token": captcha.issue()},
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def captcha_image(request: HttpRequest, token: str) -> HttpResponse:
    """The picture of an open challenge; ``?new=1`` draws another one for the same form."""
    png = captcha.image(token, fresh=request.GET.get("new") == "1")
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def report_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SESSION_REPORTED)
    if not number:
        return HttpResponseRedirect(reverse("portal:report"))
    return render(request, "portal/report_done.html", {"number": number})


# --- lookup and tracking ----------------------------------------------------------------------


def _remember(request: HttpRequest, event: Event) -> None:
    seen = [pk for pk in request.session.get(SESSION_EVENTS, []) if pk != event.pk]
    request.session[SESSION_EVENTS] = [*seen, event.pk][-SESSION_MAX:]


def _tracked(request: HttpRequest, number: str) -> Event | None:
    """The event with this number if this visitor looked it up (or reported it)."""
    allowed = request.session.get(SESSION_EVENTS, [])
    if not allowed or "\x00" in number:  # PostgreSQL refuses a NUL in a parameter
        return None
    return (
        Event.objects.filter(number=number.strip().upper(), pk__in=allowed)
        .select_related("category", "grid", "village", "township")
        .defer("grid__geometry", "village__geometry", "township__geometry")
        .first()
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find an event by its number and the last four digits of the reporter's phone."""
    if request.method != "POST":
        return render(request, "portal/lookup.html", {"form": LookupForm()})
    ident = ratelimit.client_ip(request)
    if ratelimit.exceeded("lookup", ident, limit=lookups_per_hour(), window=WINDOW):
        return limited(request)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form}, status=400)
    event = Event.objects.public_lookup(
        form.cleaned_data["number"], form.cleaned_data["phone_last4"]
    )
    if event is None:
        ratelimit.hit("lookup", ident, limit=lookups_per_hour(), window=WINDOW)
        form.add_error(None, _("No event matches this number and phone."))
        return render(request, "portal/lookup.html", {"form": form}, status=404)
    _remember(request, event)
    return HttpResponseRedirect(reverse("portal:track", args=[event.number]))


@dataclass(frozen=True)
class PublicLine:
    kind: str
    label: str
    unit: str
    at: Any
    note: str


def public_timeline(event: Event) -> list[PublicLine]:
    """The moves of the event as the public sees them: unit names, no people, no phones."""
    lines = []
    for a in (
        EventAction.objects.filter(event=event, kind__in=PUBLIC_KINDS)
        .select_related("actor_unit")
        .only("kind", "note", "created_at", "actor_unit__name")
        .order_by("created_at", "id")
    ):
        note = ""
        if a.kind in PUBLIC_NOTES and a.note:
            note = PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), a.note)
        lines.append(
            PublicLine(
                kind=a.kind,
                label=str(ActionKind(a.kind).label),
                unit=a.actor_unit.name if a.actor_unit else "",
                at=a.created_at,
                note=note,
            )
        )
    return lines


def may_rate(event: Event) -> bool:
    return event.status == EventStatus.CLOSED and (
        event.rated_at is None or event.closed_at is None or event.rated_at < event.closed_at
    )


def _track_page(
    request: HttpRequest,
    event: Event,
    *,
    form: RatingForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    place = [u.name for u in (event.township, event.village, event.grid) if u is not None]
    return render(
        request,
        "portal/track.html",
        {
            "event": event,
            "place": " · ".join(place),
            "timeline": public_timeline(event),
            "rating_form": (form or RatingForm()) if may_rate(event) else None,
            "problem": problem,
        },
        status=status,
    )


@never_cache
@require_safe
def track(request: HttpRequest, number: str) -> HttpResponse:
    event = _tracked(request, number)
    if event is None:
        return HttpResponseRedirect(reverse("portal:lookup"))
    return _track_page(request, event)


@never_cache
@csrf_protect
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """满意 / 基本满意 / 不满意 on a closed event (不满意 reopens it once)."""
    event = _tracked(request, number)
    if event is None:
        return HttpResponseRedirect(reverse("portal:lookup"))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _track_page(request, event, form=form, status=400)
    try:
        actions.rate_event(
            event.pk,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
            actor=None,
        )
    except EventNotFound:
        return HttpResponseRedirect(reverse("portal:lookup"))
    except (IllegalTransition, EventConflict) as exc:
        fresh = _tracked(request, number) or event
        return _track_page(request, fresh, problem=str(exc.message), status=409)
    except EventError as exc:
        apply_error(form, exc)
        return _track_page(request, event, form=form, status=400)
    messages.success(request, _("Thank you: your rating was recorded."))
    return HttpResponseRedirect(reverse("portal:track", args=[event.number]))
