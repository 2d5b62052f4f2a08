"""The grid worker's phone pages for the people and places of their grid (/residents/m/):
my grid's households with a search, a household with its members (add one, mark one
moved out, deceased or back), a new household, a new place.

Big touch targets, one column, nothing wider than the phone. The same rules as the staff
pages: ``residents.view`` to see (404 outside the scope), ``residents.edit`` to change,
ID numbers and phones masked; each POST parses one form and calls one action.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.residents import permissions as p
from grassroots.residents.actions.households import (
    add_resident,
    create_household,
    set_resident_status,
)
from grassroots.residents.actions.places import create_place
from grassroots.residents.errors import ResidentsError
from grassroots.residents.forms import (
    HouseholdForm,
    MemberStatusForm,
    PlaceForm,
    ResidentForm,
    apply_error,
)
from grassroots.residents.models import Household
from grassroots.residents.queries import ListFilters, grids_for, households_for, members_of
from grassroots.residents.states import HouseholdStatus
from grassroots.residents.views.households import places_on, visible_household, visible_member
from grassroots.residents.views.places import grid_from, page_of, posted

PAGE_SIZE: Final = 20


def m_household_url(household: Household | int) -> str:
    pk = household.pk if isinstance(household, Household) else household
    return reverse("residents:m_household", args=[pk])


def _phone_form(
    request: HttpRequest,
    *,
    form: forms.Form,
    perform: Any,
    done: Any,
    message: str,
    title: str,
    back: tuple[str, str],
) -> HttpResponse:
    """One phone form and one action (as ``views.places.form_page``)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = perform(form)
            except ResidentsError as exc:
                apply_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, message)
                return HttpResponseRedirect(done(result))
    return render(
        request,
        "residents/m_form.html",
        {"form": form, "title": title, "back_url": back[0], "back_label": back[1]},
        status=status,
    )


def _chosen_grid(request: HttpRequest, grids: list[Unit]) -> Unit | None:
    code = request.GET.get("grid", "")
    return next((g for g in grids if g.code == code), None)


@login_required
@require_safe
def m_home(request: HttpRequest) -> HttpResponse:
    """My grid's households (living there first), searched by number, address, a
    member's name or an ID number; the grids to switch between when I keep several."""
    user = user_of(request)
    require(user, p.VIEW)
    grids = grids_for(user)
    grid = _chosen_grid(request, grids) or (grids[0] if len(grids) == 1 else None)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:64]
    households = households_for(user, ListFilters(q=search, grid=grid)).order_by(
        "status", "grid__path", "number", "pk"
    )
    params = {k: v for k, v in (("grid", grid.code if grid else ""), ("q", search)) if v}
    return render(
        request,
        "residents/m_home.html",
        {
            "grids": grids[:50],
            "grid": grid,
            "search": search,
            "page": page_of(request, households, PAGE_SIZE),
            "querystring": urlencode(params),
            "grid_query": f"?grid={grid.code}" if grid else "",
            "may_edit": can(user, p.EDIT, grid) if grid else can(user, p.EDIT),
            "may_report": can(user, "events.report"),
        },
    )


def _household_page(
    request: HttpRequest, user: User, household: Household, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "residents/m_household.html",
        {
            "household": household,
            "members": members_of(household),
            "may_edit": can(user, p.EDIT, household),
            "active": household.status == HouseholdStatus.ACTIVE,
            "today": timezone.localdate(),
            **extra,
        },
        status=status,
    )


@login_required
@require_safe
def m_household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household on the phone: its members (ID numbers and phones masked), a button to
    add one, and for each one living there the buttons moved out / deceased."""
    user = user_of(request)
    return _household_page(request, user, visible_household(user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def m_household_new(request: HttpRequest) -> HttpResponse:
    """Open a household on my grid; then add its members."""
    user = user_of(request)
    require(user, p.EDIT)
    grids = grids_for(user, p.EDIT)
    form = HouseholdForm(
        posted(request),
        grids=grids,
        places=places_on(grids),
        initial={"grid": grid_from(request, grids)},
    )
    return _phone_form(
        request,
        form=form,
        perform=lambda f: create_household(actor=user, **f.values()),
        done=m_household_url,
        message=_("The household was opened; add its members now."),
        title=_("New household"),
        back=(reverse("residents:m_home"), _("My grid's households")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_place_new(request: HttpRequest) -> HttpResponse:
    """Record a place of my grid (a compound, a house, a rental, a shop…)."""
    user = user_of(request)
    require(user, p.EDIT)
    grids = grids_for(user, p.EDIT)
    form = PlaceForm(posted(request), grids=grids, initial={"grid": grid_from(request, grids)})
    return _phone_form(
        request,
        form=form,
        perform=lambda f: create_place(actor=user, **f.values()),
        done=lambda place: reverse("residents:m_home") + f"?grid={place.grid.code}",
        message=_("The place was recorded."),
        title=_("New place"),
        back=(reverse("residents:m_home"), _("My grid's households")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def m_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person living in the household."""
    user = user_of(request)
    household = visible_household(user, pk)
    require(user, p.EDIT, household)
    return _phone_form(
        request,
        form=ResidentForm(posted(request)),
        perform=lambda f: add_resident(household, actor=user, **f.values()),
        done=lambda person: m_household_url(household),
        message=_("The member was added."),
        title=_("Add a member to household %(number)s") % {"number": household.number},
        back=(m_household_url(household), household.number),
    )


@login_required
@require_POST
def m_member_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a member moved out, deceased or back on a date; on a refusal the household
    comes back with the error (400, or 409 for a move the status does not allow)."""
    user = user_of(request)
    person = visible_member(user, pk)
    require(user, p.EDIT, person)
    form = MemberStatusForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            set_resident_status(person, actor=user, **form.cleaned_data)
        except ResidentsError as exc:
            apply_error(form, exc)
            status = exc.http_status
        else:
            messages.success(request, _("%(name)s: saved.") % {"name": person.name})
            return HttpResponseRedirect(m_household_url(person.household_id))
    household = visible_household(user, person.household_id)
    return _household_page(request, user, household, status, failed=person.pk, failed_form=form)
