"""Grid basics (网格基础): the overview of the viewer's grids, and the places of the grids
(the list, a place, the forms).

Pages need ``residents.view`` (403 without it anywhere); a record outside the viewer's
scope is 404, never a hint that it exists. Changes need ``residents.edit`` over the
record's grid. Phones are shown masked.

Also the small helpers the other residents views share (``section``, ``form_page``,
``querystring``, ``page_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.common.http import user_of
from grassroots.org.models import Unit, UnitKind, User
from grassroots.org.permissions import can, require
from grassroots.residents import permissions as p
from grassroots.residents.actions.places import create_place, update_place
from grassroots.residents.errors import ResidentsError
from grassroots.residents.forms import PlaceEditForm, PlaceFilterForm, PlaceForm, apply_error
from grassroots.residents.models import Household, Place
from grassroots.residents.queries import (
    Counts,
    grid_counts,
    grids_for,
    places_for,
    total_counts,
)
from grassroots.residents.queries_care import care_counts
from grassroots.residents.states import HouseholdStatus

PAGE_SIZE: Final = 30
#: Villages on one page of the overview.
VILLAGES_PER_PAGE: Final = 20
#: Households listed on a place's page at most.
PLACE_HOUSEHOLDS: Final = 200
_ACTIONS: Final = (p.VIEW, p.EDIT, p.VISIT, p.IMPORT, p.CONFIGURE)


# --- shared by the residents views ----------------------------------------------------------


def section(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    """The context of a grid-basics page: ``tab`` (for ``_tabs.html``) and
    ``residents_perms`` (the residents actions the viewer holds anywhere), plus ``extra``."""
    return {"tab": tab, "residents_perms": {a for a in _ACTIONS if can(user, a)}, **extra}


def querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def page_of(request: HttpRequest, rows: QuerySet[Any], size: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def posted(request: HttpRequest) -> Any:
    """The form data of a POST, ``None`` for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    *,
    user: User,
    form: forms.Form,
    perform: Callable[[forms.Form], object],
    done: Callable[[Any], str],
    message: str | Promise,
    title: str | Promise,
    back: tuple[str, str | Promise],
    tab: str,
    template: str = "residents/form.html",
    submit: str | Promise = "",
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """One form and ONE action: GET shows the form; POST runs ``perform`` with the valid
    form and redirects to ``done(result)``, or shows the form again with the action's
    error on its field (400, or 409 for a conflict or a move the state does not allow)."""
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
                messages.success(request, str(message))
                return HttpResponseRedirect(done(result))
    return render(
        request,
        template,
        section(
            user,
            tab,
            form=form,
            title=title,
            back_url=back[0],
            back_label=back[1],
            submit=submit or _("Save"),
            **(extra or {}),
        ),
        status=status,
    )


def grid_from(request: HttpRequest, grids: list[Unit]) -> str:
    """The pk of the grid whose code the query string names (``?grid=``), among
    ``grids``; "" when none."""
    code = request.GET.get("grid", "")
    return next((str(g.pk) for g in grids if g.code == code), "")


# --- the overview ---------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's grids grouped by village, with each grid's figures (places by kind,
    households, residents living there registered and floating, moved out and deceased
    this year) and each village's totals; the whole scope added up on top. A grid worker
    sees their grid. Villages are paged; the figures take a fixed number of queries."""
    user = user_of(request)
    require(user, p.VIEW)
    year = timezone.localdate().year
    grids = Unit.objects.visible_to(user, p.VIEW).filter(kind=UnitKind.GRID, active=True)
    villages = Unit.objects.filter(pk__in=Subquery(grids.values("parent_id"))).defer("geometry")
    search = request.GET.get("q", "").replace("\x00", "").strip()[:64]
    if search:
        villages = villages.filter(name__icontains=search)
    page = page_of(request, villages.order_by("path"), VILLAGES_PER_PAGE)
    shown = list(
        grids.filter(parent__in=[v.pk for v in page.object_list]).defer("geometry").order_by("path")
    )
    counts = grid_counts([g.pk for g in shown], year)
    blocks = []
    for village in page.object_list:
        mine = [(g, counts[g.pk]) for g in shown if g.parent_id == village.pk]
        total = Counts()
        for _grid, figures in mine:
            total.add(figures)
        blocks.append({"village": village, "grids": mine, "total": total})
    return render(
        request,
        "residents/home.html",
        section(
            user,
            "home",
            year=year,
            total=total_counts(user, year),
            care=care_counts(user, timezone.localdate()),
            blocks=blocks,
            page=page,
            search=search,
            querystring=querystring(request),
            may_edit=can(user, p.EDIT),
        ),
    )


# --- places ---------------------------------------------------------------------------------


def visible_place(user: User, pk: int) -> Place:
    """The place ``pk`` when ``user`` may see it, else 404."""
    found: Place = get_object_or_404(
        Place.objects.visible_to(user).select_related("grid", "grid__parent"), pk=pk
    )
    return found


def place_url(place: Place) -> str:
    return reverse("residents:place_detail", args=[place.pk])


@login_required
@require_safe
def place_list(request: HttpRequest) -> HttpResponse:
    """The places the viewer may see: search by name or address, filter by village, grid,
    kind and use; paged."""
    user = user_of(request)
    require(user, p.VIEW)
    form = PlaceFilterForm(request.GET or None, grids=grids_for(user))
    page = page_of(request, places_for(user, form.filters()))
    return render(
        request,
        "residents/place_list.html",
        section(
            user,
            "places",
            form=form,
            page=page,
            querystring=querystring(request),
            may_edit=can(user, p.EDIT),
        ),
    )


@login_required
@require_safe
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A place with its manager (phone masked) and the households living there."""
    user = user_of(request)
    place = visible_place(user, pk)
    households = list(
        Household.objects.filter(place=place)
        .order_by("status", "number", "pk")
        .only("pk", "number", "address", "status")[:PLACE_HOUSEHOLDS]
    )
    return render(
        request,
        "residents/place_detail.html",
        section(
            user,
            "places",
            place=place,
            households=households,
            living=sum(1 for h in households if h.status == HouseholdStatus.ACTIVE),
            may_edit=can(user, p.EDIT, place),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def place_new(request: HttpRequest) -> HttpResponse:
    """Record a place on one of the viewer's grids (``?grid=CODE`` chooses it)."""
    user = user_of(request)
    require(user, p.EDIT)
    grids = grids_for(user, p.EDIT)
    form = PlaceForm(posted(request), grids=grids, initial={"grid": grid_from(request, grids)})
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda f: create_place(actor=user, **_place_values(f)),
        done=place_url,
        message=_("The place was recorded."),
        title=_("New place"),
        back=(reverse("residents:places"), _("Places")),
        tab="places",
    )


def _place_values(form: forms.Form) -> dict[str, Any]:
    assert isinstance(form, PlaceForm)  # noqa: S101 -- the view's own form
    return form.values()


@login_required
@require_http_methods(["GET", "POST"])
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a place, or retire it (``active`` unticked)."""
    user = user_of(request)
    place = visible_place(user, pk)
    require(user, p.EDIT, place)
    form = PlaceEditForm(posted(request), grids=grids_for(user, p.EDIT), place=place)
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda f: update_place(place, actor=user, changes=_place_values(f)),
        done=place_url,
        message=_("The place was saved."),
        title=_("Change %(name)s") % {"name": place.name},
        back=(place_url(place), place.name),
        tab="places",
    )
