"""Excel at the grid-basics pages: the household register import (户籍人口台账) in two
steps, its template, and the export of the households list.

Both need ``residents.import`` (village cadres, township leaders, the city office).

The export (``/residents/export/``) holds the households the viewer may import and see,
narrowed by the households list's own filters and query string
(``forms.HouseholdFilterForm``: ``q``, ``village``, ``grid``, ``status``,
``residence``), so that the list's "export" link gives what the list shows: one row per
person (the import's columns), ID numbers and phones masked, at most ``EXPORT_LIMIT``
rows.

The import (``/residents/import/``) first checks the file (``dry_run``) and shows every
problem by line and column, or what it would do (households and people new, updated,
unchanged) with a confirm button, which imports it, all or nothing. The uploaded file
waits between the two steps under ``DATA_DIR/tmp/resident-imports/<token>/``
(``common.uploads.KeptUploads``), removed after the import, when a check fails, when the
same session uploads another file, and a day after upload.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
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
from grassroots.org.permissions import require
from grassroots.residents import permissions as p
from grassroots.residents.exporting import register_workbook, template_workbook
from grassroots.residents.forms import HouseholdFilterForm
from grassroots.residents.importing.households import HouseholdImportError, import_households
from grassroots.residents.models import Resident
from grassroots.residents.queries import grids_for, households_for, residents_for
from grassroots.residents.views.places import section

#: Rows of an export at most (the filters narrow it further).
EXPORT_LIMIT: Final = 50000
#: The uploads waiting between the check and the confirmation (``common.uploads``).
UPLOADS: Final = KeptUploads(
    folder="resident-imports", session_key="residents_import", fallback="residents"
)


class RegisterImportForm(SpreadsheetUploadForm):
    """The register to import: an Excel workbook (.xlsx) or a CSV file; the rows are
    checked by ``importing.households.import_households``."""

    file_label = gettext_lazy("Household register (Excel or CSV)")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty register with its Chinese headers and one example row."""
    require(user_of(request), p.IMPORT)
    return xlsx_response(
        template_workbook(), "户籍人口台账导入模板.xlsx", "household-register-template.xlsx"
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """导出台账: the people of the households the list shows (its query string), ID
    numbers and phones masked."""
    user = user_of(request)
    require(user, p.IMPORT)
    form = HouseholdFilterForm(request.GET or None, grids=grids_for(user, p.IMPORT))
    filters = form.filters()
    people = list(
        residents_for(user, filters, action=p.IMPORT).defer(
            "household__grid__geometry", "household__village__geometry"
        )[:EXPORT_LIMIT]
    )
    empty = list(
        households_for(user, filters, action=p.IMPORT).filter(
            ~Exists(Resident.objects.filter(household=OuterRef("pk")))
        )[: max(EXPORT_LIMIT - len(people), 0)]
    )
    day = timezone.localdate().isoformat()
    return xlsx_response(
        register_workbook(people, empty),
        f"户籍人口台账-{day}.xlsx",
        f"household-register-{day}.xlsx",
    )


def _page(request: HttpRequest, user: User, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", RegisterImportForm())
    return render(
        request, "residents/excel_import.html", section(user, "excel", **context), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or what it would do and a
    confirm button) → import. See the module docstring."""
    user = user_of(request)
    require(user, p.IMPORT)
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
            summary = import_households(path, actor=user)
        except HouseholdImportError as exc:
            UPLOADS.forget(request)
            return _page(request, user, 400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _(
                "Imported %(file)s: households %(h_new)d new, %(h_updated)d updated; people "
                "%(new)d new, %(updated)d updated, %(unchanged)d unchanged."
            )
            % {
                "file": summary.file,
                "h_new": summary.households_created,
                "h_updated": summary.households_updated,
                "new": summary.residents_created,
                "updated": summary.residents_updated,
                "unchanged": summary.residents_unchanged,
            },
        )
        return HttpResponseRedirect(reverse("residents:import"))
    form = RegisterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, user, 400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        summary = import_households(path, actor=user, dry_run=True)
    except HouseholdImportError as exc:
        UPLOADS.forget(request)
        return _page(request, user, 400, errors=exc.errors, file=path.name)
    return _page(request, user, checked=summary, token=UPLOADS.token(request), file=path.name)
