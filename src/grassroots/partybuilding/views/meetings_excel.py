"""The meetings' spreadsheets and the missed-month list: the list's Excel export, the
ledger import (upload → check → confirm, all or nothing; ``registers.views.imports``'
page with this app's permission) and its template, and the townships and villages with
no 党建月会 held in a month (page and export).

Who: ``partybuilding.view`` to read and export; ``partybuilding.record`` to import.
"""

from __future__ import annotations

from typing import Final

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads
from grassroots.org.models import User
from grassroots.org.permissions import can, require
from grassroots.partybuilding.forms_meetings import MeetingFilterForm, MissedForm, valid_data
from grassroots.partybuilding.importing_meetings import (
    import_meetings,
    meetings_template,
    meetings_workbook,
)
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.queries_meetings import (
    MissedUnit,
    filtered,
    meetings_visible_to,
    missed_units,
    units_for,
)
from grassroots.partybuilding.views.meetings import PAGE_SIZE, querystring, require_view
from grassroots.registers.importing.windows import rows_workbook
from grassroots.registers.views.imports import ImportPage

EXPORT_LIMIT: Final = 20000


@login_required
@require_GET
def meetings_export(request: HttpRequest) -> HttpResponse:
    """The meetings the viewer sees, as the list's filters narrow them (no attendee's
    name: counts only)."""
    user = user_of(request)
    require_view(user)
    form = MeetingFilterForm(request.GET or None, units=units_for(user))
    meetings = filtered(meetings_visible_to(user), valid_data(form)).order_by(
        "-period", "unit__path", "kind", "pk"
    )
    day = timezone.localdate().isoformat()
    return xlsx_response(
        meetings_workbook(meetings[:EXPORT_LIMIT]), f"会议台账-{day}.xlsx", f"meetings-{day}.xlsx"
    )


class MeetingImportPage(ImportPage):
    """The registers' import page, with ``partybuilding.record`` instead of theirs."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        require(user_of(request), RECORD)
        return super().handle(request)


def _nav(user: User) -> dict[str, object]:
    return {"tab": "import"}


IMPORT: Final = MeetingImportPage(
    title=gettext_lazy("Import a meeting ledger"),
    importer=import_meetings,
    uploads=KeptUploads(
        folder="meeting-imports", session_key="partybuilding_meetings", fallback="会议"
    ),
    url_name="partybuilding:meetings_import",
    template_url="partybuilding:meetings_template",
    export_url="partybuilding:meetings_export",
    head="partybuilding/meeting_head.html",
    nav="partybuilding/meeting_nav.html",
    nav_context=_nav,
    help=gettext_lazy(
        "One held meeting per row: the unit's code (or name), the kind, the month, the day "
        "it was held, the people expected and present, the topic. A monthly meeting planned "
        "for the month is recorded as held. The file is checked first: nothing is imported "
        "while any row has a problem."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def meetings_import(request: HttpRequest) -> HttpResponse:
    return IMPORT.handle(request)


@login_required
@require_GET
def meetings_template_download(request: HttpRequest) -> HttpResponse:
    require(user_of(request), RECORD)
    return xlsx_response(meetings_template(), "会议台账导入模板.xlsx", "meetings-template.xlsx")


def _missed(request: HttpRequest) -> tuple[MissedForm, str, list[MissedUnit]]:
    user = user_of(request)
    require_view(user)
    form = MissedForm(request.GET or None, units=units_for(user))
    data = valid_data(form)
    period = data.get("period") or f"{timezone.localdate():%Y-%m}"
    return form, period, missed_units(user, period, unit=data.get("unit"), q=data.get("q", ""))


@login_required
@require_GET
def missed(request: HttpRequest) -> HttpResponse:
    """The townships and villages in the viewer's scope without a 党建月会 held in the
    month (this month by default)."""
    from django.core.paginator import Paginator

    form, period, rows = _missed(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partybuilding/meeting_missed.html",
        {
            "form": form,
            "period": period,
            "page": page,
            "querystring": querystring(request),
            "may_record": can(user_of(request), RECORD),
        },
    )


@login_required
@require_GET
def missed_export(request: HttpRequest) -> HttpResponse:
    _form, period, rows = _missed(request)
    headers = ["单位编码", "单位名称", "上级单位", "所属月份", "情况"]
    body = (
        [r.unit.code, r.unit.name, r.unit.parent.name if r.unit.parent else "", period, r.reason]
        for r in rows
    )
    book = rows_workbook(f"未召开党建月会{period}", headers, body)
    return xlsx_response(book, f"未召开党建月会-{period}.xlsx", f"missed-{period}.xlsx")
