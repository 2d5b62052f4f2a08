"""The 邛海天窗 pages: the list with the programme's progress (table and chart), a
parcel's page with its restoration form and history, the forms to register and correct a
parcel, the map of the parcels, and the Excel import, template and export.

Also the frame the poverty and income pages share: ``refused`` (a domain error as its
HTTP answer) and ``history_of``; ``ImportPage`` (upload → check → confirm) is
``views.imports``'.

Who: the pages need ``registers.view`` (403 without it anywhere); a parcel outside the
viewer's scope is a 404; the forms need ``registers.manage`` over the parcel (403).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.audit.models import AuditEntry
from grassroots.common.charts import Series, line_chart
from grassroots.common.downloads import xlsx_response
from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads
from grassroots.org.models import User
from grassroots.org.permissions import can, require
from grassroots.registers.actions import windows as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.forms_windows import (
    RestoreForm,
    WindowFilterForm,
    WindowForm,
    apply_error,
    valid_data,
)
from grassroots.registers.importing.windows import (
    WINDOW_HEADERS,
    import_windows,
    rows_workbook,
    window_rows,
    window_template,
)
from grassroots.registers.models import Window
from grassroots.registers.permissions import MANAGE, VIEW
from grassroots.registers.queries import policy_for
from grassroots.registers.queries_windows import (
    ParcelMap,
    filtered,
    home_unit,
    parcel_map,
    programme_view,
    units_for,
    visible_window,
    windows_visible_to,
    within,
)
from grassroots.registers.states import WindowStatus
from grassroots.registers.views.imports import ImportPage as ImportPage  # poverty, income

PAGE_SIZE: Final = 30
HISTORY_SHOWN: Final = 50
EXPORT_LIMIT: Final = 20000


# --- shared by the registers' pages -------------------------------------------------------


def require_view(user: User) -> None:
    """403 unless the viewer may see the registers somewhere."""
    if not can(user, VIEW):
        raise PermissionDenied


def refused(exc: DomainError) -> int:
    """The HTTP status of a refused action: 409 for a conflict or an illegal move, else
    400."""
    return 409 if isinstance(exc, IllegalTransition | RegistersConflict) else 400


def querystring(request: HttpRequest) -> str:
    """The list's query string without the page (for the pagination and export links)."""
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return urlencode(keep)


#: What each audited change of these registers is called on a record's history.
HISTORY_LABELS: Final = {
    "registers.window.created": gettext_lazy("Parcel registered"),
    "registers.window.updated": gettext_lazy("Record corrected"),
    "registers.window.restored": gettext_lazy("Restoration recorded"),
    "registers.monitored.created": gettext_lazy("Put under monitoring"),
    "registers.monitored.updated": gettext_lazy("Record corrected"),
    "registers.monitored.reviewed": gettext_lazy("Reviewed"),
    "registers.monitored.removed": gettext_lazy("Reviewed: risk removed"),
    "registers.assistance.created": gettext_lazy("Assistance added"),
    "registers.collective_income.set": gettext_lazy("Income entered"),
    "registers.income_target.set": gettext_lazy("Target set"),
}


def history_of(obj: Any) -> list[AuditEntry]:
    """The audit entries of ``obj``, newest first, each with ``label`` (what the change
    is called); the record is one the viewer sees, the entries hold no personal data."""
    entries = list(
        AuditEntry.objects.for_object(obj._meta.label_lower, str(obj.pk))
        .only("created_at", "actor_label", "action", "note")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    return entries


# --- the list and the programme --------------------------------------------------------


def _chart(view: Any) -> str:
    labels = [str(line.year) for line in view.lines]
    series = [
        Series(_("Planned (straight line)"), [line.planned for line in view.lines]),
        Series(_("Scheduled by plan year"), [line.scheduled for line in view.lines]),
        Series(_("Restored"), [line.restored for line in view.lines]),
    ]
    return line_chart(
        labels,
        series,
        title=_("天窗 programme: cumulative area (m²)"),
        unit="m²",
        y_min=0,
        empty=_("No parcels yet."),
    )


def _years(user: User, units: list[Any]) -> range:
    """The programme years of the viewer's own area (the plan-year filter's choices)."""
    top = home_unit(user, units)
    if top is None:
        return range(timezone.localdate().year, timezone.localdate().year + 1)
    policy = policy_for(top)
    return range(policy.window_first_year, policy.window_last_year + 1)


@login_required
@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    """The parcels the viewer may see, with filters, and the programme of the chosen unit
    (the viewer's own area by default): the straight line against what is restored."""
    user = user_of(request)
    require_view(user)
    units = units_for(user)
    form = WindowFilterForm(request.GET or None, units=units, years=_years(user, units))
    data = valid_data(form)
    unit = data.get("unit") or home_unit(user, units)
    visible = windows_visible_to(user)
    today = timezone.localdate()
    view = programme_view(within(visible, unit), unit, today) if unit is not None else None
    windows = filtered(visible, data, data.get("unit")).order_by("plan_year", "code")
    page = Paginator(windows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/window_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "view": view,
            "chart": mark_safe(_chart(view)) if view is not None else "",  # noqa: S308
            "querystring": querystring(request),
            "may_manage": can(user, MANAGE),
        },
    )


# --- one parcel ------------------------------------------------------------------------


def _visible(user: User, pk: int) -> Window:
    window = visible_window(user, pk)
    if window is None:
        raise Http404(_("No such parcel in your area."))
    return window


def _detail(
    request: HttpRequest, user: User, window: Window, status: int = 200, **context: Any
) -> HttpResponse:
    may_manage = can(user, MANAGE, window)
    if may_manage:
        context.setdefault("restore_form", RestoreForm(initial={"on": timezone.localdate()}))
    policy = policy_for(window.unit)
    return render(
        request,
        "registers/window_detail.html",
        {
            "window": window,
            "may_manage": may_manage,
            "history": history_of(window),
            "programme": (policy.window_first_year, policy.window_last_year),
            "left": window.area - window.restored_area,
            **context,
        },
        status=status,
    )


@login_required
@require_GET
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _detail(request, user, _visible(user, pk))


def _form_page(
    request: HttpRequest, form: WindowForm, window: Window | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "registers/window_form.html", {"form": form, "window": window}, status=status
    )


def _initial(window: Window) -> dict[str, Any]:
    values = {name: getattr(window, name) for name in actions.FIELDS}
    values["unit"] = window.unit.code
    return values


@login_required
@require_http_methods(["GET", "POST"])
def window_new(request: HttpRequest) -> HttpResponse:
    """Register a parcel (``registers.manage`` somewhere)."""
    user = user_of(request)
    require(user, MANAGE)
    units = units_for(user, MANAGE)
    if request.method != "POST":
        year = timezone.localdate().year
        return _form_page(request, WindowForm(units=units, initial={"plan_year": year}), None)
    form = WindowForm(request.POST, units=units)
    if not form.is_valid():
        return _form_page(request, form, None, 400)
    try:
        window = actions.create_window(actor=user, **form.cleaned_data)
    except RegistersError as exc:
        apply_error(form, exc)
        return _form_page(request, form, None, refused(exc))
    messages.success(request, _("Parcel %(code)s registered.") % {"code": window.code})
    return HttpResponseRedirect(reverse("registers:window_detail", args=[window.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def window_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a parcel (``registers.manage`` over it)."""
    user = user_of(request)
    window = _visible(user, pk)
    require(user, MANAGE, window)
    units = units_for(user, MANAGE)
    if window.unit not in units:
        units = [window.unit, *units]
    if request.method != "POST":
        return _form_page(request, WindowForm(units=units, initial=_initial(window)), window)
    form = WindowForm(request.POST, units=units)
    if not form.is_valid():
        return _form_page(request, form, window, 400)
    try:
        actions.update_window(window.pk, actor=user, **form.cleaned_data)
    except RegistersError as exc:
        apply_error(form, exc)
        return _form_page(request, form, window, refused(exc))
    messages.success(request, _("Parcel %(code)s saved.") % {"code": form.cleaned_data["code"]})
    return HttpResponseRedirect(reverse("registers:window_detail", args=[window.pk]))


@login_required
@require_POST
def window_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Record restoration work (the parcel's page's form)."""
    user = user_of(request)
    window = _visible(user, pk)
    require(user, MANAGE, window)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return _detail(request, user, window, 400, restore_form=form)
    try:
        actions.record_restoration(window.pk, actor=user, **form.cleaned_data)
    except RegistersError as exc:
        apply_error(form, exc)
        window.refresh_from_db()
        return _detail(request, user, window, refused(exc), restore_form=form)
    messages.success(request, _("Restoration recorded."))
    return HttpResponseRedirect(reverse("registers:window_detail", args=[window.pk]))


# --- the map -----------------------------------------------------------------------------


@login_required
@require_GET
def window_map(request: HttpRequest) -> HttpResponse:
    """The parcels of a unit's area (``unit``: a code among the viewer's; their own area by
    default) on the map of its grids, coloured by status. A viewer with no area that holds
    parcels (a grid worker: parcels are placed by village) gets the page without a map."""
    user = user_of(request)
    require_view(user)
    units = units_for(user)
    code = request.GET.get("unit", "")
    unit = next((u for u in units if u.code == code), None) if code else home_unit(user, units)
    if unit is None and (code or units):
        raise Http404(_("No such unit in your area."))
    windows = [] if unit is None else list(within(windows_visible_to(user), unit).order_by("code"))
    drawn = (
        parcel_map(unit, windows, lambda w: reverse("registers:window_detail", args=[w.pk]))
        if unit is not None
        else ParcelMap("", 0, [])
    )
    counts = dict.fromkeys(WindowStatus.values, 0)
    for w in windows:
        counts[w.status] += 1
    legend = [(s, WindowStatus(s).label, counts[s]) for s in WindowStatus.values]
    return render(
        request,
        "registers/window_map.html",
        {
            "unit": unit,
            "units": units,
            "map": mark_safe(drawn.svg),  # noqa: S308 -- built with every text escaped
            "drawn": drawn.drawn,
            "not_placed": drawn.not_placed,
            "legend": legend,
            "total": len(windows),
        },
    )


# --- Excel --------------------------------------------------------------------------------

IMPORT: Final = ImportPage(
    nav="registers/window_nav.html",
    title=gettext_lazy("Import a 天窗 ledger"),
    importer=import_windows,
    uploads=KeptUploads(folder="window-imports", session_key="registers_windows", fallback="天窗"),
    url_name="registers:window_import",
    template_url="registers:window_template",
    export_url="registers:window_export",
    help=gettext_lazy(
        "One parcel per row. A code already registered updates that parcel; every other "
        "row registers a new one. The file is checked first: nothing is imported while "
        "any row has a problem."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def window_import(request: HttpRequest) -> HttpResponse:
    return IMPORT.handle(request)


@login_required
@require_GET
def window_template_download(request: HttpRequest) -> HttpResponse:
    require(user_of(request), MANAGE)
    return xlsx_response(window_template(), "天窗地块导入模板.xlsx", "window-template.xlsx")


@login_required
@require_GET
def window_export(request: HttpRequest) -> HttpResponse:
    """The parcels the viewer may see, as the list's filters narrow them, in the import's
    columns."""
    user = user_of(request)
    require_view(user)
    units = units_for(user)
    form = WindowFilterForm(request.GET or None, units=units, years=_years(user, units))
    data = valid_data(form)
    windows = filtered(windows_visible_to(user), data, data.get("unit")).order_by(
        "unit__path", "code"
    )
    book = rows_workbook("天窗地块", WINDOW_HEADERS, window_rows(windows[:EXPORT_LIMIT]))
    day = timezone.localdate().isoformat()
    return xlsx_response(book, f"天窗地块-{day}.xlsx", f"windows-{day}.xlsx")
