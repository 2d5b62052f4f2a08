"""The current and past red and black lists (红黑榜, /public/assessment/lists/), no login.

Every publication's lists as it published them, read from its frozen snapshot (never the
live tables), with the reason for each entry; filtered by scheme, year and kind (月考 /
季晒 / 年评), newest first, a few publications a page. Only the publications of the page
are read, and only the lists part of their snapshots (cached per SHA-256): a history of
hundreds of province-sized snapshots costs the same as one of three.
"""

from __future__ import annotations

from typing import Final

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from grassroots.assessment.queries_portal import published
from grassroots.portal.assessment import filter_context, lists_views

#: Publications per page of the history.
PER_PAGE: Final = 6
#: Entries of each list shown per publication (the publication's page shows them all).
LIMIT: Final = 20


@require_safe
def history(request: HttpRequest) -> HttpResponse:
    """The red and black lists of every publication, newest first, with their reasons."""
    chosen, context = filter_context(request)
    rows = chosen.apply(published()).order_by("-published_at", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/lists.html",
        {**context, "page": page, "entries": lists_views(list(page.object_list), limit=LIMIT)},
    )
