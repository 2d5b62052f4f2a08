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

from typing import Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.org.permissions import can
from grassroots.registers.forms_homesteads import HomesteadFilterForm, valid_data
from grassroots.registers.importing.homesteads import (
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
from grassroots.registers.views.imports import ImportPage

EXPORT_LIMIT: Final = 50000
UPLOADS: Final = KeptUploads(
    folder="homestead-imports", session_key="registers_homestead_import", fallback="homesteads"
)


class LedgerImportForm(SpreadsheetUploadForm):
    """The ledger to import: an Excel workbook (.xlsx) or a CSV file."""

    file_label = gettext_lazy("Homestead ledger (Excel or CSV)")


IMPORT: Final = ImportPage(
    title=gettext_lazy("Import the homestead ledger"),
    importer=import_homesteads,
    uploads=UPLOADS,
    url_name="registers:homestead_import",
    template_url="registers:homestead_template",
    export_url="registers:homestead_export",
    help=gettext_lazy(
        "One row per parcel. The household must already be in the residents register of the "
        "village (by household number); a row whose village already has the parcel number "
        "updates that parcel. The file is checked first: nothing is imported while any row "
        "has a problem."
    ),
    head="registers/homestead_head.html",
    nav="registers/homestead_nav.html",
    nav_context=lambda user: context(user, "excel"),
    form_class=LedgerImportForm,
    export_label=gettext_lazy("Export to Excel"),
    confirm_label=gettext_lazy("Import this ledger"),
    done_message=gettext_lazy(
        "Imported %(file)s: %(created)d new parcels, %(updated)d updated, %(unchanged)d unchanged."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or "N new, M updated" and a
    confirm button) → import."""
    return IMPORT.handle(request)


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
