"""The oversight cases: the list (the committee's home page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.org.permissions import can
from grassroots.oversight.models import Case
from grassroots.oversight.permissions import VIEW


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not can(user, VIEW):
        raise PermissionDenied
    cases = Case.objects.visible_to(user).select_related("unit")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "oversight/case_list.html", {"page": page})
