"""The venues' coverage map, the standard's configuration (the checklist) and the ledger's
Excel import and template.

Who: the map needs ``partybuilding.view``; the checklist page is the city office's
(``partybuilding.configure``, 403 otherwise); the import ``partybuilding.record``.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.tabular import ImportRefused
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.org.models import TOWNSHIP_LEVEL
from grassroots.org.permissions import require
from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.conf import venue_pass_score
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.forms_venues import ChecklistItemForm, apply_error
from grassroots.partybuilding.imports_venues import import_venues, venue_template
from grassroots.partybuilding.models import ChecklistItem
from grassroots.partybuilding.permissions import CONFIGURE, RECORD
from grassroots.partybuilding.queries_venues import (
    checklist_by_category,
    coverage,
    coverage_counts,
    units_for,
)
from grassroots.partybuilding.venue_map import FILLS, coverage_map
from grassroots.partybuilding.views.venues import CSS, refused, require_view

# --- the coverage map ---------------------------------------------------------------------


@login_required
@require_GET
def venues_map(request: HttpRequest) -> HttpResponse:
    """Every village the viewer sees (of one township with ``unit``), coloured by its
    venues: meets the standard / has a venue not meeting / under construction / none; the
    same as a table below the map."""
    user = user_of(request)
    require_view(user)
    townships = [u for u in units_for(user) if u.kind in TOWNSHIP_LEVEL]
    code = request.GET.get("unit", "")
    within = None
    if code:
        within = next((u for u in townships if u.code == code), None)
        if within is None:
            raise Http404(_("No such unit in your area."))
    rows = coverage(user, within)
    base = reverse("partybuilding:venues")

    def link(row: Any) -> str:
        return f"{base}?{urlencode({'unit': row.unit.code})}"

    drawn = coverage_map(rows, link)
    for row in rows:
        row.link = link(row)
    return render(
        request,
        "partybuilding/venue_map.html",
        {
            "rows": rows,
            "within": within,
            "townships": townships,
            "legend": [(s, label, n, FILLS[s]) for s, label, n in coverage_counts(rows)],
            "map": mark_safe(drawn.svg),  # noqa: S308 -- built with every text escaped
            "drawn": drawn.drawn,
            "css": CSS,
        },
    )


# --- the checklist ------------------------------------------------------------------------


def _checklist_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", ChecklistItemForm(initial={"points": 10}))
    items = list(ChecklistItem.objects.order_by("order", "pk"))
    total = sum(i.points for i in items if i.active)
    return render(
        request,
        "partybuilding/checklist.html",
        {
            "items": items,
            "groups": checklist_by_category(),
            "total": total,
            "pass_score": venue_pass_score(),
            "css": CSS,
            **context,
        },
        status=status,
    )


def _item_id(value: str) -> int:
    if not value.isascii() or not value.isdecimal() or len(value) > 9:
        raise Http404
    return int(value)


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest) -> HttpResponse:
    """The standard (city office): the items by order with their points and flags; add
    an item, edit one (``edit``), take it out of use or back (``deactivate`` /
    ``activate``), move it (``up`` / ``down``)."""
    user = user_of(request)
    require(user, CONFIGURE)
    if request.method != "POST":
        editing = request.GET.get("edit", "")
        if editing:
            item = ChecklistItem.objects.filter(pk=_item_id(editing)).first()
            if item is None:
                raise Http404
            form = ChecklistItemForm(
                initial={
                    "category": item.category,
                    "label": item.label,
                    "points": item.points,
                    "required": item.required,
                }
            )
            return _checklist_page(request, form=form, editing=item)
        return _checklist_page(request)
    op = request.POST.get("op", "")
    try:
        if op in ("up", "down"):
            actions.move_checklist_item(
                _item_id(request.POST.get("item", "")), actor=user, direction=op
            )
        elif op in ("deactivate", "activate"):
            actions.set_checklist_item_active(
                _item_id(request.POST.get("item", "")), actor=user, active=op == "activate"
            )
        elif op in ("add", "edit"):
            form = ChecklistItemForm(request.POST)
            edited = (
                ChecklistItem.objects.filter(pk=_item_id(request.POST.get("item", ""))).first()
                if op == "edit"
                else None
            )
            if op == "edit" and edited is None:
                raise Http404
            if not form.is_valid():
                return _checklist_page(request, 400, form=form, editing=edited)
            try:
                if edited is not None:
                    actions.update_checklist_item(edited.pk, actor=user, **form.cleaned_data)
                else:
                    actions.add_checklist_item(actor=user, **form.cleaned_data)
            except PartybuildingError as exc:
                apply_error(form, exc)
                return _checklist_page(request, refused(exc), form=form, editing=edited)
        else:
            return _checklist_page(request, 400, problem=_("Unknown operation."))
    except PartybuildingError as exc:
        return _checklist_page(request, refused(exc), problem=str(exc.message))
    messages.success(request, _("The standard is saved."))
    return HttpResponseRedirect(reverse("partybuilding:checklist"))


# --- the import ---------------------------------------------------------------------------


class VenueUploadForm(SpreadsheetUploadForm):
    file_label = gettext_lazy("Venue ledger (Excel or CSV)")


UPLOADS: Final = KeptUploads(
    folder="venue-imports", session_key="partybuilding_venues", fallback="阵地台账"
)


def _import_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", VenueUploadForm())
    return render(
        request, "partybuilding/venue_import.html", {"css": CSS, **context}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def venues_import(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line, or what the file would do) → confirm: all
    or nothing."""
    user = user_of(request)
    require(user, RECORD)
    if request.method != "POST":
        return _import_page(request)
    if request.POST.get("confirm"):
        path = UPLOADS.waiting(request)
        if path is None:
            problem = _("The checked file is no longer here; upload it again.")
            return _import_page(request, 400, problem=problem)
        try:
            summary = import_venues(path, actor=user)
        except ImportRefused as exc:
            UPLOADS.forget(request)
            return _import_page(request, 400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _("Imported %(file)s: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "file": summary.file,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            },
        )
        return HttpResponseRedirect(reverse("partybuilding:venues"))
    form = VenueUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, 400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        checked = import_venues(path, actor=user, dry_run=True)
    except ImportRefused as exc:
        UPLOADS.forget(request)
        return _import_page(request, 400, errors=exc.errors, file=path.name)
    return _import_page(request, checked=checked, token=UPLOADS.token(request), file=path.name)


@login_required
@require_GET
def venues_template(request: HttpRequest) -> HttpResponse:
    require(user_of(request), RECORD)
    return xlsx_response(venue_template(), "阵地台账导入模板.xlsx", "venue-template.xlsx")
