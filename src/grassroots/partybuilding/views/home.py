"""The party-building home page: the areas with the viewer's figures and links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.org.permissions import can
from grassroots.partybuilding.permissions import CONFIGURE, ORGANISE, RECORD, VIEW
from grassroots.partybuilding.queries import overview


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not can(user, VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "partybuilding/home.html",
        {
            "o": overview(user, today),
            "may_record": can(user, RECORD),
            "may_configure": can(user, CONFIGURE),
            "may_organise": can(user, ORGANISE),
        },
    )
