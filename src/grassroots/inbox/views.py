"""The inbox page and its mark-read buttons."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from grassroots.common.http import user_of
from grassroots.inbox import actions, queries
from grassroots.inbox.models import Notification

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    page = Paginator(queries.inbox_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/list.html",
        {"page": page, "unread": queries.unread_count(user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open``, go on to the record it points at."""
    try:
        notification = actions.mark_read(pk, actor=user_of(request))
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    if request.POST.get("open") and _is_local(request, notification.link):
        return HttpResponseRedirect(notification.link)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(actor=user_of(request))
    return redirect(_back(request))


def _is_local(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request: HttpRequest) -> str:
    """The inbox page the button was on."""
    page = request.POST.get("page", "")
    url = reverse("inbox:list")
    return f"{url}?page={page}" if page.isdecimal() and page != "1" else url
