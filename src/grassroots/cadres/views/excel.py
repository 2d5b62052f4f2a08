"""Excel at the cadres pages: the roster import (组织部) in two steps, and the exports of
the roster, the reserve pool and a year's training hours.

Exports (``/cadres/export/…``, for those who may see files, ``cadres.view_file``) hold
only the files the viewer may see, narrowed by the list pages' own filters and query
strings (``forms.CadreFilterForm`` for the roster and the training hours — ``q`` name,
``unit`` a unit's code and its subtree, ``level``, ``education``, ``gender``,
``ethnicity``, ``status`` —; ``forms.PoolFilterForm`` for the pool), so that a list's
"export" link gives what the list shows; at most ``EXPORT_LIMIT`` rows. The training
hours are of cadres in office, for ``year``. ID numbers and phones
are in full only for the organisation department (``cadres.manage`` over the cadre's
unit), masked for a unit leader. Every export writes a ``FileView`` (``what="export"``)
for each cadre it holds.

The import (``/cadres/import/``, ``cadres.manage``) first checks the file (``dry_run``)
and shows every problem by line and column, or what it would do (N new, M updated, which
columns of which files) with a confirm button, which imports it, all or nothing. The
uploaded file waits between the two steps under ``DATA_DIR/tmp/cadre-imports/<token>/``,
the random token held in the person's session and posted back by the confirm form (as the
supervision import does); removed after the import, when a check fails, when the same
session uploads another file, and a day after upload.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.cadres import permissions as perms
from grassroots.cadres.actions.files import log_export
from grassroots.cadres.context import section
from grassroots.cadres.exporting import (
    TrainingLine,
    pool_workbook,
    roster_workbook,
    template_workbook,
    training_workbook,
)
from grassroots.cadres.forms import CadreFilterForm, PoolFilterForm, valid_data
from grassroots.cadres.importing import CadreImportError, import_cadres
from grassroots.cadres.models import Cadre, TrainingRecord
from grassroots.cadres.queries import (
    cadres_visible_to,
    policies_for,
    reserve_entries_visible_to,
    units_for,
)
from grassroots.cadres.shape import Progress
from grassroots.cadres.states import CadreStatus, TrainingResult
from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.org.models import Unit, User, is_within
from grassroots.org.permissions import can, require
from grassroots.org.queries import grant_paths, subtree_q

#: Rows of an export at most (the filters narrow it further).
EXPORT_LIMIT: Final = 20000
#: Changed files listed in the preview at most.
PREVIEW_CHANGES: Final = 200
#: The uploads waiting between the check and the confirmation (``common.uploads``).
UPLOADS: Final = KeptUploads(folder="cadre-imports", session_key="cadres_import", fallback="cadres")
ALL: Final = "all"


# --- forms ---------------------------------------------------------------------------------


class RosterImportForm(SpreadsheetUploadForm):
    """The roster to import: an Excel workbook (.xlsx) or a CSV file (checked as
    ``common.uploads.SpreadsheetUploadForm`` does); the rows are checked by
    ``importing.import_cadres``."""

    file_label = gettext_lazy("Cadre roster (Excel or CSV)")


class TrainingYearForm(forms.Form):
    """The year of the training-hours export (the list's filters come with it)."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)


# --- the reads -----------------------------------------------------------------------------


def _within(units: list[Unit], code: str | None) -> Unit | None:
    return next((u for u in units if u.code == code), None) if code else None


def filtered_cadres(user: User, data: dict[str, Any], units: list[Unit]) -> QuerySet[Cadre]:
    """The files ``user`` may see, narrowed exactly as the list page narrows them
    (``views.files.cadre_list``: ``CadreFilterForm``'s values; ``units`` the form's)."""
    cadres = cadres_visible_to(user)
    if text := (data.get("q") or "").strip():
        cadres = cadres.filter(name__icontains=text)
    if (unit := _within(units, data.get("unit"))) is not None:
        cadres = cadres.filter(subtree_q("unit__path", unit.path))
    for name in ("level", "education", "gender", "ethnicity", "status"):
        if value := data.get(name):
            cadres = cadres.filter(**{name: value})
    return cadres.order_by("unit__path", "name", "pk")


def manage_check(user: User) -> Any:
    """``full(cadre)``: whether ``user`` sees the cadre's ID number and phone in full
    (``cadres.manage`` over its unit)."""
    if user.is_superuser:
        return lambda cadre: True
    paths = grant_paths(user, perms.MANAGE)
    return lambda cadre: any(is_within(cadre.unit.path, p) for p in paths)


def training_lines(cadres: QuerySet[Cadre], year: int) -> list[TrainingLine]:
    """Each cadre's hours counted towards ``year`` (courses that ended in it, failed ones
    left out) against the hours their unit's policy requires. Three queries."""
    rows = list(cadres.defer("unit__geometry")[:EXPORT_LIMIT])
    done = {
        r["cadre_id"]: (Decimal(r["total"] or 0), r["n"])
        for r in TrainingRecord.objects.filter(
            cadre_id__in=[c.pk for c in rows], ended_on__year=year
        )
        .exclude(result=TrainingResult.FAILED)
        .order_by()
        .values("cadre_id")
        .annotate(total=Sum("hours"), n=Count("id"))
    }
    policies = policies_for({c.unit_id: c.unit for c in rows}.values())
    lines = []
    for cadre in rows:
        hours, courses = done.get(cadre.pk, (Decimal(0), 0))
        required = Decimal(policies[cadre.unit_id].yearly_training_hours)
        lines.append(TrainingLine(cadre, Progress(year, hours, required), courses))
    return lines


# --- downloads -----------------------------------------------------------------------------


def _export_page(request: HttpRequest, user: User, status: int = 200) -> HttpResponse:
    units = units_for(user, perms.VIEW_FILE)
    year = timezone.localdate().year
    year_form = TrainingYearForm(
        request.GET if "year" in request.GET else None, initial={"year": year}
    )
    context = {
        "roster_form": CadreFilterForm(request.GET or None, units=units, auto_id="roster-%s"),
        "pool_form": PoolFilterForm(units=units, auto_id="pool-%s"),
        "year_form": year_form,
        "full": can(user, perms.MANAGE),
    }
    return render(
        request, "cadres/excel_export.html", section(user, "excel", **context), status=status
    )


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    """The three exports with their filters (the list's own)."""
    user = user_of(request)
    require(user, perms.VIEW_FILE)
    return _export_page(request, user)


def _listed(request: HttpRequest, user: User) -> QuerySet[Cadre]:
    units = units_for(user, perms.VIEW_FILE)
    data = valid_data(CadreFilterForm(request.GET or None, units=units))
    return filtered_cadres(user, data, units)


@login_required
@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    """导出花名册: the files the viewer may see, as the list filters them (the list's
    query string)."""
    user = user_of(request)
    require(user, perms.VIEW_FILE)
    cadres = list(_listed(request, user).defer("unit__geometry")[:EXPORT_LIMIT])
    workbook = roster_workbook(cadres, full=manage_check(user))
    log_export(user, [c.pk for c in cadres])
    day = timezone.localdate().isoformat()
    return xlsx_response(workbook, f"干部花名册-{day}.xlsx", f"cadre-roster-{day}.xlsx")


@login_required
@require_GET
def export_pool(request: HttpRequest) -> HttpResponse:
    """导出后备干部: the reserve entries of the units where the viewer may see files, as
    the pool page filters them (its query string)."""
    user = user_of(request)
    require(user, perms.VIEW_FILE)
    units = units_for(user, perms.VIEW_FILE)
    data = valid_data(PoolFilterForm(request.GET or None, units=units))
    entries = reserve_entries_visible_to(user).select_related("cadre__unit")
    if (unit := _within(units, data.get("unit"))) is not None:
        entries = entries.filter(subtree_q("unit__path", unit.path))
    if text := (data.get("q") or "").strip():
        entries = entries.filter(cadre__name__icontains=text)
    if level := data.get("target_level"):
        entries = entries.filter(target_level=level)
    if status := data.get("status"):
        entries = entries.filter(status=status)
    rows = list(
        entries.defer("unit__geometry", "cadre__unit__geometry").order_by(
            "unit__path", "status", "cadre__name", "pk"
        )[:EXPORT_LIMIT]
    )
    workbook = pool_workbook(rows)
    log_export(user, [e.cadre_id for e in rows])
    day = timezone.localdate().isoformat()
    return xlsx_response(workbook, f"后备干部-{day}.xlsx", f"reserve-pool-{day}.xlsx")


@login_required
@require_GET
def export_training(request: HttpRequest) -> HttpResponse:
    """导出学时: a year's training hours of the files the viewer may see and the list's
    filters keep, in office only (400 without a valid ``year``)."""
    user = user_of(request)
    require(user, perms.VIEW_FILE)
    form = TrainingYearForm(request.GET)
    if not form.is_valid():
        return _export_page(request, user, 400)
    year: int = form.cleaned_data["year"]
    cadres = _listed(request, user).filter(status=CadreStatus.ACTIVE)
    lines = training_lines(cadres, year)
    workbook = training_workbook(lines, year)
    log_export(user, [line.cadre.pk for line in lines])
    return xlsx_response(workbook, f"干部学时-{year}.xlsx", f"training-hours-{year}.xlsx")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty roster with its headers and one example row."""
    require(user_of(request), perms.MANAGE)
    return xlsx_response(
        template_workbook(), "干部花名册导入模板.xlsx", "cadre-roster-template.xlsx"
    )


# --- the import ----------------------------------------------------------------------------


def _page(request: HttpRequest, user: User, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("form", RosterImportForm())
    return render(
        request, "cadres/excel_import.html", section(user, "excel", **context), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or "N new, M updated" and a
    confirm button) → import. See the module docstring."""
    user = user_of(request)
    require(user, perms.MANAGE)
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
            summary = import_cadres(path, actor=user)
        except CadreImportError as exc:
            UPLOADS.forget(request)
            return _page(request, user, 400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _(
                "Imported %(file)s: %(created)d new files, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % {
                "file": summary.file,
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
            },
        )
        return HttpResponseRedirect(reverse("cadres:import"))
    form = RosterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, user, 400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        summary = import_cadres(path, actor=user, dry_run=True)
    except CadreImportError as exc:
        UPLOADS.forget(request)
        return _page(request, user, 400, errors=exc.errors, file=path.name)
    return _page(
        request,
        user,
        checked=summary,
        changes=summary.changes[:PREVIEW_CHANGES],
        more_changes=max(len(summary.changes) - PREVIEW_CHANGES, 0),
        token=UPLOADS.token(request),
        file=path.name,
    )
