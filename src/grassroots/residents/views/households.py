"""Households and their members: the list (search, filters, pages), a household (its
members with ID numbers and phones masked, its history), the household forms (new,
change, move to another grid, status) and the member forms (add, change, a move: moved
out, deceased, moved back).

A household outside the viewer's scope is 404; changes need ``residents.edit`` over its
grid (403). Names are shown in full to those who may see the household; ID numbers and
phones never are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.audit.models import AuditEntry
from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.residents import permissions as p
from grassroots.residents.actions.households import (
    add_resident,
    create_household,
    move_household,
    set_household_status,
    set_resident_status,
    update_household,
    update_resident,
)
from grassroots.residents.errors import ResidentsError
from grassroots.residents.forms import (
    HouseholdFilterForm,
    HouseholdForm,
    HouseholdStatusForm,
    MemberStatusForm,
    MoveForm,
    ResidentEditForm,
    ResidentForm,
    apply_error,
)
from grassroots.residents.models import Household, Place, Resident
from grassroots.residents.queries import grids_for, history_of, households_for, members_of
from grassroots.residents.queries_care import open_care_of
from grassroots.residents.states import HouseholdStatus
from grassroots.residents.views.places import (
    form_page,
    grid_from,
    page_of,
    posted,
    querystring,
    section,
)

#: Places offered in a household's place picker at most.
PLACE_CHOICES: Final = 500
#: What each audit action of a household's history is called.
HISTORY_LABELS: Final = {
    "residents.household.created": _lazy("Household opened"),
    "residents.household.updated": _lazy("Household changed"),
    "residents.household.moved": _lazy("Moved to another grid"),
    "residents.household.status_changed": _lazy("Household status changed"),
    "residents.resident.added": _lazy("Member added"),
    "residents.resident.updated": _lazy("Member changed"),
    "residents.resident.moved_out": _lazy("Moved out"),
    "residents.resident.deceased": _lazy("Deceased"),
    "residents.resident.moved_back": pgettext_lazy("resident", "Moved back"),
}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """An audit entry as the household page shows it: when, who, what, and each field's
    value before and after (as logged: personal data masked)."""

    entry: AuditEntry
    label: str
    changes: list[tuple[str, str, str]]


def _shown(model: type[models.Model], key: str, value: Any) -> tuple[str, str]:
    """A logged field as the page names it, and its value (a choice by its label)."""
    try:
        field = model._meta.get_field(key.removesuffix("_id"))
    except FieldDoesNotExist:
        return key, "" if value is None else str(value)
    choices = dict(getattr(field, "choices", None) or [])
    label = str(getattr(field, "verbose_name", key))
    if key == "name" and model is Resident:
        label = pgettext("person", "name")
    if value in (None, ""):
        return label, "—"
    return label, str(choices.get(value, value))


def describe(entry: AuditEntry) -> HistoryLine:
    """The entry's label and its changes, field by field (a new record's empty fields
    left out)."""
    model: type[models.Model] = Household if entry.object_type.endswith("household") else Resident
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    changes = []
    for key in dict.fromkeys([*before, *after]):
        if key in ("grid", "village", "place", "household"):
            continue
        if key not in before and after.get(key) in (None, ""):
            continue
        label, old = _shown(model, key, before.get(key))
        _label, new = _shown(model, key, after.get(key))
        changes.append((label, old if key in before else "", new))
    return HistoryLine(entry, str(HISTORY_LABELS.get(entry.action, entry.action)), changes)


def visible_household(user: User, pk: int) -> Household:
    """The household ``pk`` when ``user`` may see it, else 404."""
    found: Household = get_object_or_404(
        Household.objects.visible_to(user).select_related("grid", "village", "place"), pk=pk
    )
    return found


def visible_member(user: User, pk: int) -> Resident:
    """The person ``pk`` when ``user`` may see their household, else 404."""
    found: Resident = get_object_or_404(
        Resident.objects.visible_to(user).select_related(
            "household", "household__grid", "household__village"
        ),
        pk=pk,
    )
    return found


def household_url(household: Household | Resident) -> str:
    pk = household.household_id if isinstance(household, Resident) else household.pk
    return reverse("residents:household_detail", args=[pk])


def places_on(grids: list[Unit]) -> list[Place]:
    """The places in use on ``grids`` (the household form's picker)."""
    return list(
        Place.objects.filter(grid__in=grids, active=True)
        .select_related("grid")
        .defer("grid__geometry")
        .order_by("grid__path", "name")[:PLACE_CHOICES]
    )


# --- the list -------------------------------------------------------------------------------


@login_required
@require_safe
def household_list(request: HttpRequest) -> HttpResponse:
    """The households the viewer may see: search by number, address, a member's name or
    an ID number (exact); filter by village, grid, status and population; paged. The
    head's name and the number of members living there come with each row (no query per
    row)."""
    user = user_of(request)
    require(user, p.VIEW)
    form = HouseholdFilterForm(request.GET or None, grids=grids_for(user))
    page = page_of(request, households_for(user, form.filters()))
    return render(
        request,
        "residents/household_list.html",
        section(
            user,
            "households",
            form=form,
            page=page,
            querystring=querystring(request),
            export_query=querystring(request),
            may_edit=can(user, p.EDIT),
            may_import=can(user, p.IMPORT),
        ),
    )


# --- a household ----------------------------------------------------------------------------


@login_required
@require_safe
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A household: its members (ID numbers and phones masked), the forms of a member's
    move, and its history (the audit entries of the household and its members, newest
    first)."""
    user = user_of(request)
    household = visible_household(user, pk)
    return render(request, "residents/household_detail.html", _detail_context(user, household))


def _detail_context(user: User, household: Household, **extra: Any) -> dict[str, Any]:
    members = members_of(household)
    care = open_care_of([m.pk for m in members])
    for m in members:
        m.open_care = care.get(m.pk, [])  # type: ignore[attr-defined]
    return section(
        user,
        "households",
        household=household,
        members=members,
        history=[describe(e) for e in history_of(household, [m.pk for m in members])],
        may_edit=can(user, p.EDIT, household),
        active=household.status == HouseholdStatus.ACTIVE,
        status_form=MemberStatusForm(initial={"on": timezone.localdate()}),
        **extra,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request: HttpRequest) -> HttpResponse:
    """Open a household on one of the viewer's grids (``?grid=CODE`` chooses it)."""
    user = user_of(request)
    require(user, p.EDIT)
    grids = grids_for(user, p.EDIT)
    form = HouseholdForm(
        posted(request),
        grids=grids,
        places=places_on(grids),
        initial={"grid": grid_from(request, grids)},
    )
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda f: create_household(actor=user, **_values(f)),
        done=household_url,
        message=_("The household was opened; add its members now."),
        title=_("New household"),
        back=(reverse("residents:households"), pgettext("residents", "Households")),
        tab="households",
    )


def _values(form: forms.Form) -> dict[str, Any]:
    values = getattr(form, "values", None)
    assert values is not None  # noqa: S101 -- the residents forms all have one
    result: dict[str, Any] = values()
    return result


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a household's number, address, place or note."""
    user = user_of(request)
    household = visible_household(user, pk)
    require(user, p.EDIT, household)
    form = HouseholdForm(
        posted(request),
        places=places_on([household.grid]),
        with_grid=False,
        initial=HouseholdForm.initial_of(household),
    )
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda f: update_household(household, actor=user, changes=_values(f)),
        done=household_url,
        message=_("The household was saved."),
        title=_("Change household %(number)s") % {"number": household.number},
        back=(household_url(household), household.number),
        tab="households",
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a household to another of the viewer's grids."""
    user = user_of(request)
    household = visible_household(user, pk)
    require(user, p.EDIT, household)
    grids = [g for g in grids_for(user, p.EDIT) if g.pk != household.grid_id]
    return form_page(
        request,
        user=user,
        form=MoveForm(posted(request), grids=grids),
        perform=lambda f: move_household(
            household, actor=user, grid=int(f.cleaned_data["grid"]), note=f.cleaned_data["note"]
        ),
        done=household_url,
        message=_("The household was moved."),
        title=_("Move household %(number)s to another grid") % {"number": household.number},
        back=(household_url(household), household.number),
        tab="households",
        extra={"facts": [(_("Now in"), f"{household.village.name} · {household.grid.name}")]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole household moves out or is dissolved (its members living there are
    recorded moved out), or lives here again."""
    user = user_of(request)
    household = visible_household(user, pk)
    require(user, p.EDIT, household)
    return form_page(
        request,
        user=user,
        form=HouseholdStatusForm(posted(request), initial={"on": timezone.localdate()}),
        perform=lambda f: set_household_status(household, actor=user, **f.cleaned_data),
        done=household_url,
        message=_("The household was saved."),
        title=_("Status of household %(number)s") % {"number": household.number},
        back=(household_url(household), household.number),
        tab="households",
        extra={"facts": [(_("Now"), household.get_status_display())], "danger": True},
    )


# --- members --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person living in the household."""
    user = user_of(request)
    household = visible_household(user, pk)
    require(user, p.EDIT, household)
    return form_page(
        request,
        user=user,
        form=ResidentForm(posted(request)),
        perform=lambda f: add_resident(household, actor=user, **_values(f)),
        done=household_url,
        message=_("The member was added."),
        title=_("Add a member to household %(number)s") % {"number": household.number},
        back=(household_url(household), household.number),
        tab="households",
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's details (the ID number and phone are shown masked; typed anew
    they replace the old ones)."""
    user = user_of(request)
    person = visible_member(user, pk)
    require(user, p.EDIT, person)
    household = person.household
    return form_page(
        request,
        user=user,
        form=ResidentEditForm(posted(request), person=person),
        perform=lambda f: update_resident(person, actor=user, changes=_values(f)),
        done=household_url,
        message=_("The member was saved."),
        title=_("Change %(name)s") % {"name": person.name},
        back=(household_url(household), household.number),
        tab="households",
    )


@login_required
@require_POST
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A member moved out, died or moved back on a date (the household page's form); on
    a refusal the household page comes back with the error (400, or 409 for a move the
    person's status does not allow)."""
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
            return HttpResponseRedirect(household_url(person) + f"#member-{person.pk}")
    household = visible_household(user, person.household_id)
    context = _detail_context(user, household, failed=person.pk, failed_form=form)
    return render(request, "residents/household_detail.html", context, status=status)
