"""Pages of the unit tree. Every read goes through ``visible_to``: out of scope is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.common.masking import mask_phone
from grassroots.org.models import Membership, Unit, UnitKind
from grassroots.org.permissions import can


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.visible_to(request.user).select_related("parent").defer("geometry")
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    query = request.GET.get("q", "")
    units = units.search(query)
    page = Paginator(units.order_by("path"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "org/unit_list.html",
        {
            "page": page,
            "kind": kind,
            "q": query,
            "kinds": UnitKind.choices,
            "querystring": params.urlencode(),
        },
    )


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = Unit.objects.visible_to(request.user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404
    children = (
        Unit.objects.filter(parent=unit)
        .defer("geometry")
        .annotate(n_children=Count("children", filter=Q(children__active=True)))
        .order_by("code")
    )
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    members = []
    if can(request.user, "org.view_membership", unit):
        for m in (
            Membership.objects.filter(unit=unit).active().select_related("user").order_by("role")
        ):
            members.append(
                {
                    "role": m.get_role_display(),
                    "title": m.title,
                    "name": m.user.display_name,
                    "phone": mask_phone(m.user.phone) if m.user.phone else "",
                }
            )
    ancestors = [a for a in unit.ancestors() if can(request.user, "org.view_unit", a)]
    return render(
        request,
        "org/unit_detail.html",
        {"unit": unit, "page": page, "members": members, "ancestors": ancestors},
    )
