"""The audit trail of the villages a committee watches: every audit entry of a record that
lies in the viewer's villages (the entry's unit path), newest first, filtered by village,
kind of record and dates, paginated. As on the audit log's own page, only the time, who,
what and which object are shown — never the entries' before/after data; ID and mobile
numbers in an object's name or a note are masked.

Who: ``audit.view`` and ``oversight.view`` (committee members, the discipline office, the
city office); anyone else 403.
"""

from __future__ import annotations

from typing import Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.oversight.forms import TrailFilterForm, valid_data
from grassroots.oversight.masking import mask_text
from grassroots.oversight.queries import audit_trail as trail_entries
from grassroots.oversight.queries import trail_villages
from grassroots.oversight.views.cases import _keep, tabs

PAGE_SIZE: Final = 50


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    units = trail_villages(user)
    if not units:
        raise PermissionDenied
    form = TrailFilterForm(request.GET or None, units=units)
    entries = trail_entries(units, valid_data(form))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"entry": e, "object": mask_text(e.object_repr), "note": mask_text(e.note)[:200]}
        for e in page.object_list
    ]
    return render(
        request,
        "oversight/audit_trail.html",
        tabs(user, "trail", form=form, page=page, rows=rows, querystring=_keep(request)),
        status=400 if form.is_bound and form.errors else 200,
    )
