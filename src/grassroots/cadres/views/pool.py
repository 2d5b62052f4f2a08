"""The reserve pool's pages: the entries with filters, the pool's shape per nominating
unit and the reserve ratio against key posts (units short first); nominating, reviewing
and removing; the key posts.

Entries and key posts are shown to those who may see files in the unit (404 for a record
out of scope, 403 for a form the viewer may not use).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.cadres import permissions as p
from grassroots.cadres.actions.pool import (
    add_key_post,
    nominate,
    remove_from_pool,
    remove_key_post,
    review_entry,
)
from grassroots.cadres.context import section
from grassroots.cadres.errors import CadresError
from grassroots.cadres.forms import (
    KeyPostForm,
    NominateForm,
    PoolFilterForm,
    RemoveForm,
    ReviewForm,
    apply_error,
    valid_data,
)
from grassroots.cadres.models import KeyPost, ReserveEntry
from grassroots.cadres.queries import (
    key_posts_visible_to,
    pool_people,
    reserve_entries_visible_to,
    reserve_ratios,
    units_for,
)
from grassroots.cadres.shape import pool_shape
from grassroots.cadres.states import Education, ReserveStatus
from grassroots.cadres.views.files import (
    PAGE_SIZE,
    chosen_unit,
    detail_url,
    form_page,
    posted,
    querystring,
    visible_cadre,
    within_unit,
)
from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require

#: Units whose shape the pool page draws one by one (the overall shape is always drawn).
SHAPE_UNITS = 50


@login_required
@require_safe
def pool(request: HttpRequest) -> HttpResponse:
    """The pool: entries (filters: name, status, nominating unit and below, target level),
    the shape of the reserves in the pool (overall and per nominating unit) and the ratio
    of reserves to key posts per unit."""
    user = user_of(request)
    require(user, p.VIEW_FILE)
    units = units_for(user, p.VIEW_FILE)
    form = PoolFilterForm(request.GET or None, units=units)
    data = valid_data(form)
    within = chosen_unit(units, data.get("unit"))
    entries = within_unit(reserve_entries_visible_to(user), within)
    if text := (data.get("q") or "").strip():
        entries = entries.filter(cadre__name__icontains=text)
    if level := data.get("target_level"):
        entries = entries.filter(target_level=level)
    in_pool = entries.filter(status=ReserveStatus.IN_POOL)
    if status := data.get("status"):
        entries = entries.filter(status=status)
    page = Paginator(
        entries.select_related("cadre", "unit").order_by("-nominated_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    people = pool_people(in_pool)
    named = {u.pk: u for u in Unit.objects.filter(pk__in=list(people)).defer("geometry")}
    per_unit = sorted(
        (
            (named[pk], pool_shape(group, today, education_levels=Education.choices))
            for pk, group in people.items()
            if pk in named
        ),
        key=lambda pair: pair[0].path,
    )
    overall = pool_shape(
        [person for group in people.values() for person in group],
        today,
        education_levels=Education.choices,
    )
    ratios = reserve_ratios(user, within=within)
    return render(
        request,
        "cadres/pool_list.html",
        section(
            user,
            "pool",
            form=form,
            page=page,
            querystring=querystring(request),
            overall=overall,
            per_unit=per_unit[:SHAPE_UNITS],
            more_units=max(len(per_unit) - SHAPE_UNITS, 0),
            ratios=ratios,
            short=sum(1 for r in ratios if r.ratio.short),
            may_manage=can(user, p.MANAGE),
            education_levels=Education.choices,
        ),
    )


def nominating_units(user: User, unit: Unit) -> list[Unit]:
    """The units that may nominate a cadre of ``unit``: it and the units above it where
    ``user`` may nominate, nearest first."""
    chain = [*unit.ancestors().defer("geometry"), unit]
    return [u for u in reversed(chain) if can(user, p.NOMINATE, u)]


@login_required
@require_http_methods(["GET", "POST"])
def nominate_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate a cadre for the pool, with the democratic recommendation tally."""
    user = user_of(request)
    cadre = visible_cadre(user, pk)
    units = nominating_units(user, cadre.unit)
    if not units:
        raise PermissionDenied
    form = NominateForm(posted(request), units=units)
    return form_page(
        request,
        user=user,
        form=form,
        perform=lambda d: nominate(
            cadre,
            actor=user,
            unit=int(d["unit"]),
            target_level=d["target_level"],
            voters=d["voters"],
            votes=d["votes"],
            reason=d["reason"],
        ),
        done=lambda e: reverse("cadres:pool") + "?status=nominated",
        message=_("The nomination was recorded; it awaits review."),
        title=_("Nominate %(name)s for the reserve pool") % {"name": cadre.name},
        tab="pool",
        back=(detail_url(cadre), cadre.name),
        aliases={"cadre": "__all__"},
        extra={"cadre": cadre},
    )


def _managed_entry(request: HttpRequest, pk: int) -> tuple[User, ReserveEntry]:
    """The viewer and the pool entry ``pk``: 404 unless they may see it, 403 unless they
    may manage it."""
    user = user_of(request)
    entry: ReserveEntry = get_object_or_404(reserve_entries_visible_to(user), pk=pk)
    require(user, p.MANAGE, entry)
    return user, entry


def _entry_facts(entry: ReserveEntry) -> list[tuple[Any, Any]]:
    return [
        (_("cadre"), f"{entry.cadre.name} · {entry.cadre.post}"),
        (_("nominating unit"), entry.unit.name),
        (_("target post level"), entry.get_target_level_display()),
        (
            _("Democratic recommendation"),
            _("%(votes)d of %(voters)d") % {"votes": entry.votes, "voters": entry.voters},
        ),
        (_("grounds for the nomination"), entry.reason),
        (_("status"), entry.get_status_display()),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation department admits a nomination into the pool, or not (with the
    reason)."""
    user, entry = _managed_entry(request, pk)
    return form_page(
        request,
        user=user,
        form=ReviewForm(posted(request)),
        perform=lambda d: review_entry(
            entry,
            actor=user,
            admit=d["decision"] == "admit",
            note=d["note"],
            entered_on=d["entered_on"],
        ),
        done=lambda e: reverse("cadres:pool"),
        message=_("The review was recorded."),
        title=_("Review the nomination of %(name)s") % {"name": entry.cadre.name},
        tab="pool",
        back=(reverse("cadres:pool"), _("Reserve pool")),
        extra={"facts": _entry_facts(entry)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a reserve out of the pool, with the reason."""
    user, entry = _managed_entry(request, pk)
    return form_page(
        request,
        user=user,
        form=RemoveForm(posted(request)),
        perform=lambda d: remove_from_pool(
            entry, actor=user, reason=d["reason"], exited_on=d["exited_on"]
        ),
        done=lambda e: reverse("cadres:pool"),
        message=_("The reserve was removed from the pool."),
        title=_("Remove %(name)s from the pool") % {"name": entry.cadre.name},
        tab="pool",
        back=(reverse("cadres:pool"), _("Reserve pool")),
        extra={"facts": _entry_facts(entry), "danger": True},
    )


# --- key posts ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def key_posts(request: HttpRequest) -> HttpResponse:
    """The key posts of the units in scope (the reserve ratio counts against them); the
    organisation department adds them here."""
    user = user_of(request)
    require(user, p.VIEW_FILE)
    units = units_for(user, p.VIEW_FILE)
    may_manage = can(user, p.MANAGE)
    form = KeyPostForm(posted(request), units=units_for(user, p.MANAGE)) if may_manage else None
    status = 200
    if request.method == "POST":
        require(user, p.MANAGE)
        assert form is not None  # noqa: S101 -- may_manage
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                add_key_post(actor=user, unit=int(d["unit"]), title=d["title"], level=d["level"])
            except CadresError as exc:
                apply_error(form, exc)
                status = exc.http_status
            else:
                messages.success(request, _("The key post was added."))
                return HttpResponseRedirect(request.get_full_path())
    code = request.GET.get("unit", "")
    within = chosen_unit(units, code)
    posts = within_unit(key_posts_visible_to(user), within)
    page = Paginator(posts.order_by("unit__path", "level", "title", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cadres/keyposts.html",
        section(
            user,
            "pool",
            form=form,
            page=page,
            units=units,
            unit_code=code if within else "",
            querystring=querystring(request),
            may_manage=may_manage,
        ),
        status=status,
    )


@require_POST
@login_required
def key_post_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    post: KeyPost = get_object_or_404(key_posts_visible_to(user), pk=pk)
    remove_key_post(post, actor=user)
    messages.success(request, _("The key post was removed."))
    return HttpResponseRedirect(reverse("cadres:keyposts"))
