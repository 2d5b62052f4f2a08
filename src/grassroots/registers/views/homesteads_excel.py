"""Excel at the homestead register: the ledger import in two steps (upload → check → confirm),
its template, and the export of the parcels the list shows.

The import (``registers.manage``) first checks the file (``dry_run``) and shows every
problem by line and column, or what it would do (N new, M updated) with a confirm button,
which imports it, all or nothing. The uploaded file waits between the two steps under
``DATA_DIR/tmp/homestead-imports/<token>/`` (``common.uploads.KeptUploads``).

The export (``registers.view``) holds the parcels the viewer may see, narrowed by the list's
own filters (its query string), at most ``EXPORT_LIMIT``; holder names in full only where the
viewer manages the village.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.registers.forms_homesteads import HomesteadFilterForm, valid_data
from grassroots.registers.importing.homesteads import (
    HomesteadImportError,
    export_workbook,
    import_homesteads,
    template_workbook,
)
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries_homesteads import (
    UNIT_LIMIT,
    filter_homesteads,
    homesteads_visible_to,
    names_for,
    shown_name,
    villages_for,
)
from grassroots.registers.views.homesteads import context, require_view

EXPORT_LIMIT: Final = 50000
UPLOADS: Final = KeptUploads(
    folder="homestead-imports", session_key="registers_homestead_import", fallback="homesteads"
)


class LedgerImportForm(SpreadsheetUploadForm):
    """The ledger to import: an Excel workbook (.xlsx) or a CSV file."""

    file_label = gettext_lazy("Homestead ledger (Excel or CSV)")


def _page(request: HttpRequest, user: User, status: int = 200, **extra: Any) -> HttpResponse:
    extra.setdefault("form", LedgerImportForm())
    return render(
        request, "registers/homestead_import.html", context(user, "excel", **extra), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or "N new, M updated" and a
    confirm button) → import."""
    user = user_of(request)
    if not can(user, MANAGE):
        raise PermissionDenied
    if request.method != "POST":
        return _page(request, user)
    if request.POST.get("confirm"):
        path = UPLOADS.waiting(request)
        if path is None:
            return _page(
                request,
                user,
                400,
                problem=_("The checked file is no longer here; upload it again."),
            )
        try:
            summary = import_homesteads(path, actor=user)
        except HomesteadImportError as exc:
            UPLOADS.forget(request)
            return _page(request, user, 400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _(
                "Imported %(file)s: %(created)d new parcels, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % {
                "file": summary.file,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            },
        )
        return HttpResponseRedirect(reverse("registers:homestead_import"))
    form = LedgerImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, user, 400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        summary = import_homesteads(path, actor=user, dry_run=True)
    except HomesteadImportError as exc:
        UPLOADS.forget(request)
        return _page(request, user, 400, errors=exc.errors, file=path.name)
    return _page(request, user, checked=summary, token=UPLOADS.token(request), file=path.name)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty ledger with its headers and one example row."""
    if not can(user_of(request), MANAGE):
        raise PermissionDenied
    return xlsx_response(template_workbook(), "宅基地台账导入模板.xlsx", "homestead-template.xlsx")


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """导出宅基地台账: the parcels the viewer may see, as the list filters them."""
    user = user_of(request)
    require_view(user)
    villages = list(villages_for(user)[:UNIT_LIMIT])
    data = valid_data(HomesteadFilterForm(request.GET or None, villages=villages))
    rows = filter_homesteads(
        homesteads_visible_to(user), data, villages, may_search_names=can(user, MANAGE)
    ).order_by("unit__path", "parcel_number", "pk")[:EXPORT_LIMIT]
    full = names_for(user)
    workbook = export_workbook(
        rows.iterator(chunk_size=2000),
        lambda h: shown_name(getattr(h, "holder", ""), full(h.unit.path)),
    )
    day = timezone.localdate().isoformat()
    return xlsx_response(workbook, f"宅基地台账-{day}.xlsx", f"homesteads-{day}.xlsx")
