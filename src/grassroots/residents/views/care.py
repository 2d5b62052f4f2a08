"""Staff pages of care (重点人群关爱): the key groups' settings, the people in care, a
person's care with its visits, putting a resident in care or taking them out, the overdue
visits per village and grid, and the visit photos.

Who: ``residents.view`` reads (the grid's workers, the village, the township, the city);
``residents.edit`` puts in care and ends it; ``residents.configure`` (the city office)
sets the key groups. A person in care outside the viewer's scope is a 404; a form the
viewer may not use on a record they see is a 403. Each POST parses a form and calls one
action; its error comes back on the field it names with HTTP 400, a conflict with 409.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.common.http import user_of
from grassroots.events.attachments import FORMATS, storage_path
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.org.queries import subtree_q
from grassroots.residents import care as rules
from grassroots.residents.actions import care as actions
from grassroots.residents.errors import ResidentsError
from grassroots.residents.forms_care import (
    AddToGroupForm,
    CareFilterForm,
    EndCareForm,
    KeyGroupForm,
    OverdueFilterForm,
    apply_error,
)
from grassroots.residents.models import KeyGroup, KeyPerson, Resident
from grassroots.residents.permissions import CONFIGURE, EDIT, VIEW, VISIT
from grassroots.residents.queries_care import (
    filtered,
    find_care,
    groups_in_use,
    overdue_people,
    overdue_summary,
    people_in_care,
    scope_units,
    visible_photo,
    visit_history,
)
from grassroots.residents.views.places import section

PAGE_SIZE = 30


def context(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    """A care page's context: the current tab and which tabs the viewer gets."""
    return {
        **section(user, tab),
        "may_configure": can(user, CONFIGURE),
        "may_visit": can(user, VISIT),
        "today": timezone.localdate(),
        **extra,
    }


def _querystring(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _status(exc: ResidentsError) -> int:
    return int(getattr(exc, "http_status", 400))


# --- key groups ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def keygroups(request: HttpRequest) -> HttpResponse:
    """The key groups and their visit frequencies (the city office): a table, and a form
    that creates a group or, with ``?group=<code>``, changes one."""
    user = user_of(request)
    require(user, CONFIGURE)
    code = request.POST.get("group") if request.method == "POST" else request.GET.get("group")
    if code and "\x00" in code:
        raise Http404
    group = KeyGroup.objects.filter(code=code).first() if code else None
    if code and group is None:
        raise Http404
    if request.method != "POST":
        return _keygroups_page(request, user, KeyGroupForm(group=group), group)
    form = KeyGroupForm(request.POST, group=group)
    if not form.is_valid():
        return _keygroups_page(request, user, form, group, status=400)
    d = form.cleaned_data
    try:
        saved = actions.configure_key_group(
            actor=user,
            group=group,
            code=d.get("code") or "",
            name=d["name"],
            description=d.get("description") or "",
            visit_every_days=d["visit_every_days"],
            order=d["order"] if d.get("order") is not None else 0,
            active=bool(d.get("active")),
        )
    except ResidentsError as exc:
        apply_error(form, exc)
        return _keygroups_page(request, user, form, group, status=_status(exc))
    messages.success(request, _("Key group “%(name)s” was saved.") % {"name": saved.name})
    return HttpResponseRedirect(reverse("residents:keygroups"))


def _keygroups_page(
    request: HttpRequest, user: User, form: KeyGroupForm, group: KeyGroup | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "residents/keygroup_list.html",
        context(user, "keygroups", groups=list(groups_in_use()), form=form, group=group),
        status=status,
    )


# --- the list ------------------------------------------------------------------------------------


@login_required
@require_safe
def care_list(request: HttpRequest) -> HttpResponse:
    """The people in care the viewer sees, soonest due first, with filters."""
    user = user_of(request)
    require(user, VIEW)
    today = timezone.localdate()
    form = CareFilterForm(
        request.GET or None,
        groups=KeyGroup.objects.order_by("order", "code"),
        units=scope_units(user),
    )
    people = filtered(people_in_care(user), form.filters(), today).order_by("due_on", "pk")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "residents/care_list.html",
        context(user, "care", page=page, form=form, querystring=_querystring(request)),
    )


# --- a person in care ----------------------------------------------------------------------------


def _visible(user: User, pk: int) -> KeyPerson:
    kp = find_care(user, pk)
    if kp is None:
        raise Http404
    return kp


def _detail_page(
    request: HttpRequest,
    user: User,
    kp: KeyPerson,
    *,
    end_form: EndCareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    may_edit = kp.ended_on is None and can(user, EDIT, kp)
    return render(
        request,
        "residents/care_detail.html",
        context(
            user,
            "care",
            kp=kp,
            resident=kp.resident,
            age=kp.resident.age_on(today),
            overdue_days=rules.days_overdue(kp.due_on, today) if kp.ended_on is None else 0,
            visits=list(visit_history(kp)),
            may_edit=may_edit,
            may_record=kp.ended_on is None and can(user, VISIT, kp),
            end_form=end_form or (EndCareForm() if may_edit else None),
        ),
        status=status,
    )


@login_required
@require_safe
def care_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person in care: the group, the next visit due, the visits with their photos
    and events, and the form that ends the care."""
    user = user_of(request)
    return _detail_page(request, user, _visible(user, pk))


@login_required
@require_POST
def care_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End the care (date and reason)."""
    user = user_of(request)
    kp = _visible(user, pk)
    require(user, EDIT, kp)
    form = EndCareForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, user, kp, end_form=form, status=400)
    try:
        actions.end_care(
            kp,
            actor=user,
            ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"],
        )
    except ResidentsError as exc:
        apply_error(form, exc)
        kp.refresh_from_db()
        return _detail_page(request, user, kp, end_form=form, status=_status(exc))
    messages.success(request, _("The care was ended."))
    return HttpResponseRedirect(reverse("residents:care_detail", args=[kp.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def care_add(request: HttpRequest, resident_pk: int) -> HttpResponse:
    """Put a resident in a key group's care (from the resident's page)."""
    user = user_of(request)
    resident = (
        Resident.objects.visible_to(user)
        .select_related("household", "household__grid")
        .filter(pk=resident_pk)
        .first()
    )
    if resident is None:
        raise Http404
    require(user, EDIT, resident)
    groups = list(KeyGroup.objects.filter(active=True).order_by("order", "code"))
    current = list(
        KeyPerson.objects.filter(resident=resident, ended_on__isnull=True).select_related("group")
    )
    if request.method != "POST":
        form = AddToGroupForm(groups=groups)
        return _add_page(request, user, resident, form, current)
    form = AddToGroupForm(request.POST, groups=groups)
    if not form.is_valid():
        return _add_page(request, user, resident, form, current, status=400)
    try:
        kp = actions.add_to_group(
            resident,
            form.chosen_group(),
            actor=user,
            since=form.cleaned_data["since"],
            note=form.cleaned_data.get("note") or "",
        )
    except ResidentsError as exc:
        apply_error(form, exc)
        return _add_page(request, user, resident, form, current, status=_status(exc))
    messages.success(
        request,
        _("%(name)s is now in the care of “%(group)s”.")
        % {"name": resident.name, "group": kp.group.name},
    )
    return HttpResponseRedirect(reverse("residents:care_detail", args=[kp.pk]))


def _add_page(
    request: HttpRequest,
    user: User,
    resident: Resident,
    form: AddToGroupForm,
    current: list[KeyPerson],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "residents/care_add.html",
        context(user, "care", resident=resident, form=form, current=current),
        status=status,
    )


# --- overdue -------------------------------------------------------------------------------------


@login_required
@require_safe
def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue visits per village and grid in the viewer's scope (a township leader sees
    every village of the township), then the people whose visit is overdue."""
    user = user_of(request)
    require(user, VIEW)
    today = timezone.localdate()
    units = scope_units(user)
    form = OverdueFilterForm(
        request.GET or None, groups=KeyGroup.objects.order_by("order", "code"), units=units
    )
    within: Unit | None = None
    if code := form.value("unit"):
        within = next((u for u in units if u.code == code), None)
    group = form.value("group")
    summary = overdue_summary(user, today, within=within, group=group)
    people = overdue_people(user, today)
    if within is not None:
        people = people.filter(subtree_q("grid__path", within.path))
    if group:
        people = people.filter(group__code=group)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "residents/care_overdue.html",
        context(
            user,
            "overdue",
            form=form,
            summary=summary,
            page=page,
            querystring=_querystring(request),
        ),
    )


# --- photos --------------------------------------------------------------------------------------


def photo_file(sha256: str, content_type: str) -> Path:
    extension = next((ext for ctype, ext in FORMATS.values() if ctype == content_type), "bin")
    return storage_path(sha256, extension)


@login_required
@require_safe
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit's photo, to those who may see the person in care (404 otherwise)."""
    photo = visible_photo(user_of(request), pk)
    if photo is None:
        raise Http404
    path = photo_file(photo.sha256, photo.content_type)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
