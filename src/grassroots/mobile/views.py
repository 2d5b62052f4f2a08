"""The grid worker's pages on the phone (/m/): my grid's events, report, close on the spot,
follow up. Thin: each POST parses one form and calls one action of ``events.actions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.common.gridmap import GridMap, build_grid_map
from grassroots.common.http import user_of
from grassroots.events import actions
from grassroots.events.errors import EventConflict, EventError, EventNotFound, IllegalTransition
from grassroots.events.forms import FollowUpForm, OnSpotForm, apply_error
from grassroots.events.models import Event, EventSource
from grassroots.events.states import OPEN_STATUSES, EventStatus
from grassroots.events.views.detail import contact_of, timeline, visible_event
from grassroots.events.views.lists import BY_DEADLINE
from grassroots.mobile.forms import ReportForm
from grassroots.org.models import Unit, UnitKind, User
from grassroots.org.permissions import can, require, role_may
from grassroots.org.queries import active_grants, scope_q
from grassroots.residents.queries_care import my_people

PAGE_SIZE = 20
#: A map with more grids than this would be unreadable on a phone; it is left out.
MAP_MAX_GRIDS = 60
#: Errors of the actions that concern the position go under the latitude field.
POSITION_ALIASES = {"location": "lat"}


@dataclass(frozen=True, slots=True)
class PlaceOf:
    """The event's place alone (not its assignee): closing on the spot is done where it is."""

    path: str

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return (self.path,)


def report_units(user: User) -> list[Unit]:
    """The units where the user may report (their grids, their village…), in path order."""
    ids = [g.unit_id for g in active_grants(user) if role_may(g.role, "events.report")]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids, active=True).defer("geometry")}
    return [units[i] for i in dict.fromkeys(ids) if i in units]


def grid_map_for(units: list[Unit]) -> GridMap | None:
    """The grids at or below the user's units, drawn for the report form."""
    if not units:
        return None
    rows = list(
        Unit.objects.filter(kind=UnitKind.GRID, active=True, geometry__isnull=False)
        .filter(scope_q(("path",), {u.path for u in units}))
        .order_by("path")
        .values_list("code", "name", "geometry")[: MAP_MAX_GRIDS + 1]
    )
    if len(rows) > MAP_MAX_GRIDS:
        return None
    return build_grid_map(rows)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The events of my grid(s): open ones with the soonest deadline on top, or all."""
    user = user_of(request)
    require(user, "events.view")
    show = "all" if request.GET.get("show") == "all" else "open"
    events = Event.objects.visible_to(user)
    if show == "open":
        events = events.open().order_by(*BY_DEADLINE)
    else:
        events = events.order_by("-reported_at", "-id")
    events = events.select_related("category", "grid").only(
        "id",
        "number",
        "title",
        "status",
        "reported_at",
        "resolve_by",
        "address",
        "category__name",
        "grid__name",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    can_visit = can(user, "residents.visit")
    visits_overdue = 0
    if can_visit:
        visits_overdue = my_people(user).filter(due_on__lt=timezone.localdate()).count()
    return render(
        request,
        "mobile/home.html",
        {
            "page": page,
            "show": show,
            "now": timezone.now(),
            "can_report": can(user, "events.report"),
            "can_visit": can_visit,
            "can_keep": can(user, "residents.edit"),
            "visits_overdue": visits_overdue,
            "querystring": f"show={show}",
        },
    )


def _report_page(
    request: HttpRequest, form: ReportForm, units: list[Unit], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "mobile/report.html",
        {"form": form, "grid_map": grid_map_for(units)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report what was found on patrol; a resubmitted form (same key) is stored once."""
    user = user_of(request)
    require(user, "events.report")
    units = report_units(user)
    if request.method != "POST":
        return _report_page(request, ReportForm(units=units), units)
    form = ReportForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        return _report_page(request, form, units, 400)
    data = form.cleaned_data
    has_position = data.get("lat") is not None and data.get("lon") is not None
    try:
        event = actions.report_event(
            actor=user,
            category=data["category"],
            title=data["title"],
            source=EventSource.PATROL,
            description=data.get("description") or "",
            lat=data["lat"] if has_position else None,
            lon=data["lon"] if has_position else None,
            address=data.get("address") or "",
            unit=None if has_position else form.chosen_unit(),
            contact_name=data.get("contact_name") or "",
            contact_phone=data.get("contact_phone") or "",
            photos=data.get("photos") or [],
            idempotency_key=data.get("idempotency_key") or None,
        )
    except EventError as exc:
        apply_error(form, exc, POSITION_ALIASES)
        return _report_page(request, form, units, 400)
    messages.success(
        request, _("Reported. Event number %(number)s.") % {"number": event.number or ""}
    )
    return HttpResponseRedirect(reverse("mobile:event", args=[event.pk]))


def _detail_context(
    request: HttpRequest,
    event: Event,
    *,
    on_spot: OnSpotForm | None = None,
    follow_up: FollowUpForm | None = None,
    problem: str = "",
) -> dict[str, Any]:
    user = user_of(request)
    now = timezone.now()
    may_close = event.status == EventStatus.REPORTED and can(
        user, "events.resolve_on_spot", PlaceOf(event.area_path)
    )
    return {
        "event": event,
        "timeline": timeline(event),
        "contact": contact_of(user, event),
        "on_spot": (on_spot or OnSpotForm(prefix="spot")) if may_close else None,
        "follow_up": (follow_up or FollowUpForm(prefix="follow"))
        if can(user, "events.comment", event)
        else None,
        "problem": problem,
        "now": now,
        "overdue": event.status in OPEN_STATUSES
        and event.resolve_by is not None
        and event.resolve_by < now,
        "open_form": "spot" if on_spot is not None else "follow" if follow_up is not None else "",
    }


@login_required
@require_safe
def event(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_event(user_of(request), pk)
    return render(request, "mobile/event.html", _detail_context(request, found))


def _answer_error(
    request: HttpRequest, pk: int, exc: EventError, form_kw: dict[str, Any]
) -> HttpResponse:
    user = user_of(request)
    if isinstance(exc, EventNotFound):
        raise Http404
    if isinstance(exc, IllegalTransition | EventConflict):
        return render(
            request,
            "mobile/event.html",
            _detail_context(request, visible_event(user, pk), problem=str(exc.message)),
            status=409,
        )
    form = next(iter(form_kw.values()))
    apply_error(form, exc)
    return render(
        request,
        "mobile/event.html",
        _detail_context(request, visible_event(user, pk), **form_kw),
        status=400,
    )


@login_required
@require_POST
def close_on_spot(request: HttpRequest, pk: int) -> HttpResponse:
    """就地解决: the problem was solved where it was found; a photo of the result proves it."""
    user = user_of(request)
    found = visible_event(user, pk)
    form = OnSpotForm(request.POST, request.FILES, prefix="spot")
    if not form.is_valid():
        return render(
            request, "mobile/event.html", _detail_context(request, found, on_spot=form), status=400
        )
    try:
        actions.resolve_on_spot(
            found.pk, actor=user, note=form.cleaned_data["note"], photos=form.cleaned_data["photos"]
        )
    except EventError as exc:
        return _answer_error(request, pk, exc, {"on_spot": form})
    messages.success(request, _("Closed on the spot."))
    return HttpResponseRedirect(reverse("mobile:event", args=[pk]))


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """A follow-up note with photos on the event's timeline."""
    user = user_of(request)
    found = visible_event(user, pk)
    form = FollowUpForm(request.POST, request.FILES, prefix="follow")
    if not form.is_valid():
        return render(
            request,
            "mobile/event.html",
            _detail_context(request, found, follow_up=form),
            status=400,
        )
    try:
        actions.comment_event(
            found.pk, actor=user, note=form.cleaned_data["note"], photos=form.cleaned_data["photos"]
        )
    except EventError as exc:
        return _answer_error(request, pk, exc, {"follow_up": form})
    messages.success(request, _("Follow-up added."))
    return HttpResponseRedirect(reverse("mobile:event", args=[pk]))
