"""The homestead register's pages (``/registers/homesteads/``): the list, a parcel's page
with its household's other parcels, its cases and its history, the forms to add, edit and
retire a parcel, and the 一户一宅 check.

Who may do what: ``registers.view`` (village, township and city staff, grid workers,
supervisors) reads; ``registers.manage`` (village cadres, township leaders, the city)
writes. Holder names are in full for those who manage the village, masked for the others.
A parcel outside the viewer's scope is a 404; a form the viewer may not use on a parcel
they see is a 403; an action's error comes back on its field with HTTP 400; a move the
parcel's state does not allow is a 409.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can
from grassroots.org.queries import grant_paths
from grassroots.registers.actions import homesteads as actions
from grassroots.registers.errors import RegistersConflict, RegistersError
from grassroots.registers.forms_homesteads import (
    CheckForm,
    HomesteadFilterForm,
    HomesteadForm,
    RetireForm,
    apply_error,
    valid_data,
)
from grassroots.registers.models import Homestead, HomesteadCase
from grassroots.registers.permissions import CONFIGURE, MANAGE, VIEW
from grassroots.registers.queries_homesteads import (
    UNIT_LIMIT,
    area_limits,
    filter_homesteads,
    history,
    homesteads_visible_to,
    household_cases,
    household_parcels,
    names_for,
    shown_name,
    villages_for,
    visible_homestead,
)
from grassroots.registers.states import OPEN_HOMESTEAD_CASE

PAGE_SIZE: Final = 30
HISTORY_LIMIT: Final = 50

#: The history's words for the audit actions of parcels and cases.
ACTION_LABELS: Final = {
    "registers.homestead.created": gettext_lazy("Added to the register"),
    "registers.homestead.updated": gettext_lazy("Corrected"),
    "registers.homestead.imported": gettext_lazy("Imported"),
    "registers.homestead.retired": gettext_lazy("Marked as no longer held"),
    "registers.homesteadcase.opened": gettext_lazy("Found by the check"),
    "registers.homesteadcase.rectifying": gettext_lazy("Rectification started"),
    "registers.homesteadcase.rectified": gettext_lazy("Rectified"),
    "registers.homesteadcase.dismissed": gettext_lazy("Dismissed"),
}


def context(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    """What every homestead page's template needs: the current ``tab`` and what the
    viewer may do anywhere (``may_manage``, ``may_configure``), plus ``extra``."""
    return {
        "tab": tab,
        "may_manage": can(user, MANAGE),
        "may_configure": can(user, CONFIGURE),
        **extra,
    }


def require_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


#: The history's names of a parcel's fields.
FIELD_LABELS: Final = {
    "household": gettext_lazy("Household number"),
    "household_id": gettext_lazy("Household"),
    "parcel_number": gettext_lazy("Parcel number"),
    "area": gettext_lazy("Area (m²)"),
    "approval_document": gettext_lazy("Approval document"),
    "approved_on": gettext_lazy("Approved on"),
    "address": gettext_lazy("Address"),
    "lat": gettext_lazy("Latitude"),
    "lon": gettext_lazy("Longitude"),
    "geometry": gettext_lazy("Boundary (GeoJSON)"),
    "note": gettext_lazy("Note"),
}


def changes(entry: Any) -> list[tuple[Any, Any, Any]]:
    """An audit entry's changed fields as (label, before, after)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return [(FIELD_LABELS.get(k, k), before.get(k), after[k]) for k in after if k != "reason"]


def history_rows(obj: Homestead | HomesteadCase) -> list[dict[str, Any]]:
    """The record's history for the page: when, who, what, the changed fields."""
    return [
        {
            "at": e.created_at,
            "who": e.actor_label or _("the system"),
            "what": ACTION_LABELS.get(e.action, e.action),
            "changes": changes(e) if e.action.endswith(".updated") else [],
            "note": e.note,
        }
        for e in history(obj)[:HISTORY_LIMIT]
    ]


# --- the list --------------------------------------------------------------------------------


@login_required
@require_safe
def homestead_list(request: HttpRequest) -> HttpResponse:
    """The parcels the viewer may see, filtered (village, search, above the standard,
    households with several), paginated; holders masked unless the viewer manages."""
    user = user_of(request)
    require_view(user)
    villages = list(villages_for(user)[:UNIT_LIMIT])
    form = HomesteadFilterForm(request.GET or None, villages=villages)
    data = valid_data(form)
    rows = filter_homesteads(
        homesteads_visible_to(user), data, villages, may_search_names=can(user, MANAGE)
    ).order_by("unit__path", "parcel_number", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    full = names_for(user)
    shown = list(page.object_list)
    limits = area_limits({h.unit_id: h.unit for h in shown}.values())
    lines = [
        {
            "h": h,
            "holder": shown_name(getattr(h, "holder", ""), full(h.unit.path)),
            "oversize": h.area > limits[h.unit_id],
        }
        for h in shown
    ]
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return render(
        request,
        "registers/homestead_list.html",
        context(
            user,
            "homesteads",
            form=form,
            page=page,
            lines=lines,
            querystring=urlencode(keep),
            check_units=check_units(user),
        ),
    )


# --- a parcel --------------------------------------------------------------------------------


@login_required
@require_safe
def homestead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    homestead = visible_homestead(user, pk)
    return _detail_page(request, user, homestead)


def _detail_page(
    request: HttpRequest,
    user: User,
    homestead: Homestead,
    *,
    retire_form: RetireForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    full = names_for(user)(homestead.unit.path)
    limit = area_limits([homestead.unit])[homestead.unit_id]
    manages = can(user, MANAGE, homestead)
    cases = household_cases(user, homestead)
    return render(
        request,
        "registers/homestead_detail.html",
        context(
            user,
            "homesteads",
            h=homestead,
            holder=shown_name(getattr(homestead, "holder", ""), full),
            limit=limit,
            oversize=homestead.area > limit,
            others=household_parcels(user, homestead),
            cases=cases,
            open_statuses=OPEN_HOMESTEAD_CASE,
            history=history_rows(homestead),
            manages=manages,
            retire_form=(retire_form or RetireForm()) if manages and homestead.active else None,
            problem=problem,
        ),
        status=status,
    )


# --- add and edit ----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    user: User,
    form: HomesteadForm,
    homestead: Homestead | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "registers/homestead_form.html",
        context(user, "homesteads", form=form, h=homestead),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def homestead_new(request: HttpRequest) -> HttpResponse:
    """Add a parcel to the register of a village the viewer manages."""
    user = user_of(request)
    if not can(user, MANAGE):
        raise PermissionDenied
    villages = list(villages_for(user, MANAGE)[:UNIT_LIMIT])
    if request.method != "POST":
        initial = {"village": villages[0].code} if len(villages) == 1 else {}
        return _form_page(request, user, HomesteadForm(villages=villages, initial=initial))
    form = HomesteadForm(request.POST, villages=villages)
    if not form.is_valid():
        return _form_page(request, user, form, status=400)
    village: Unit = form.cleaned_data["unit"]
    try:
        homestead = actions.create_homestead(village, form.values(), actor=user)
    except RegistersError as exc:
        apply_error(form, exc)
        return _form_page(request, user, form, status=exc.http_status)
    messages.success(
        request, _("Parcel %(number)s was added.") % {"number": homestead.parcel_number}
    )
    return HttpResponseRedirect(reverse("registers:homestead_detail", args=[homestead.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def homestead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a parcel's data (its village stays)."""
    user = user_of(request)
    homestead = visible_homestead(user, pk)
    if not can(user, MANAGE, homestead):
        raise PermissionDenied
    villages = [homestead.unit]
    if request.method != "POST":
        form = HomesteadForm(villages=villages, initial=HomesteadForm.initial_of(homestead))
        form.fields["village"].disabled = True
        return _form_page(request, user, form, homestead)
    form = HomesteadForm(request.POST, villages=villages, initial={"village": homestead.unit.code})
    form.fields["village"].disabled = True
    if not form.is_valid():
        return _form_page(request, user, form, homestead, status=400)
    try:
        actions.update_homestead(homestead.pk, form.values(), actor=user)
    except RegistersError as exc:
        if isinstance(exc, RegistersConflict):
            form.add_error(None, str(exc.message))
        else:
            apply_error(form, exc)
        return _form_page(request, user, form, homestead, status=exc.http_status)
    messages.success(request, _("The parcel's data was saved."))
    return HttpResponseRedirect(reverse("registers:homestead_detail", args=[homestead.pk]))


@login_required
@require_POST
def homestead_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the parcel as no longer held, with the reason."""
    user = user_of(request)
    homestead = visible_homestead(user, pk)
    if not can(user, MANAGE, homestead):
        raise PermissionDenied
    form = RetireForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, user, homestead, retire_form=form, status=400)
    try:
        actions.retire_homestead(homestead.pk, actor=user, reason=form.cleaned_data["reason"])
    except RegistersConflict as exc:
        return _detail_page(
            request, user, visible_homestead(user, pk), problem=str(exc.message), status=409
        )
    except RegistersError as exc:
        apply_error(form, exc)
        return _detail_page(request, user, homestead, retire_form=form, status=400)
    messages.success(
        request,
        _("Parcel %(number)s is marked as no longer held.") % {"number": homestead.parcel_number},
    )
    return HttpResponseRedirect(reverse("registers:homestead_detail", args=[homestead.pk]))


# --- the check -------------------------------------------------------------------------------


def check_units(user: User) -> list[Unit]:
    """The units whose subtree the viewer may check: those of their memberships that
    grant ``registers.manage``, by path."""
    paths = grant_paths(user, MANAGE)
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths, active=True).defer("geometry").order_by("path"))


@login_required
@require_POST
def homestead_check(request: HttpRequest) -> HttpResponse:
    """Run the 一户一宅 check on the viewer's unit (``unit``: the code of one of theirs,
    default the first) and show what it found and opened."""
    user = user_of(request)
    units = check_units(user)
    if not units:
        raise PermissionDenied
    form = CheckForm(request.POST)
    code = form.cleaned_data.get("unit") if form.is_valid() else None
    unit = next((u for u in units if u.code == code), None) if code else units[0]
    if unit is None:
        raise Http404
    summary = actions.run_homestead_check(unit, actor=user)
    opened = list(
        HomesteadCase.objects.filter(pk__in=summary.opened_ids)
        .select_related("unit", "household", "homestead")
        .defer("unit__geometry", "homestead__geometry")
        .order_by("unit__path", "pk")[:200]
    )
    return render(
        request,
        "registers/homestead_check.html",
        context(user, "cases", summary=summary, unit=unit, opened=opened),
    )
