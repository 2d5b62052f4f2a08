"""The registers' home page: every register's figures over the viewer's units, with links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.org.permissions import can
from grassroots.registers.permissions import CONFIGURE, MANAGE, VIEW
from grassroots.registers.queries import overview


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """一户一宅, 违建 and 无序搬迁 (new this year against the zero target), 邛海天窗, 防返贫
    monitoring and the collective economy, in figures with links to each register."""
    user = user_of(request)
    if not can(user, VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "registers/home.html",
        {
            "o": overview(user, today),
            "year": today.year,
            "may_manage": can(user, MANAGE),
            "may_configure": can(user, CONFIGURE),
        },
    )
