"""The audit log page: entries in the user's scope, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.audit.forms import EntryFilterForm
from grassroots.audit.models import AuditBlock, AuditEntry
from grassroots.org.permissions import require

PAGE_SIZE = 50


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.view")
    entries = AuditEntry.objects.visible_to(request.user)
    form = EntryFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        # An invalid field is shown with its error and simply not applied.
        data = form.cleaned_data
        entries = entries.with_action_prefix(data.get("action") or "")
        if data.get("date_from"):
            entries = entries.on_or_after(data["date_from"])
        if data.get("date_to"):
            entries = entries.on_or_before(data["date_to"])
    page = Paginator(entries.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "latest_block": AuditBlock.objects.order_by("-number").first(),
            "querystring": params.urlencode(),
        },
    )
