"""The poverty-relapse monitoring pages (防返贫监测): the list with filters, the form that
puts a household under monitoring, a monitoring's page (its assistance, reviews and
history, with the forms to add them), the late reviews by village, and Excel.

Who: ``registers.view`` for the pages (403 without it anywhere); a monitoring outside
the viewer's scope is a 404; the forms need ``registers.manage`` over its village (403).
The head of the household's name is shown in full only to those who keep the registers
of its village; masked for everyone else (supervisors, grid workers).
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads
from grassroots.org.models import VILLAGE_LEVEL, User
from grassroots.org.permissions import can, require
from grassroots.registers.actions import poverty as actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.forms_poverty import (
    AssistForm,
    MonitorFilterForm,
    MonitorForm,
    ReviewForm,
)
from grassroots.registers.forms_windows import apply_error, valid_data
from grassroots.registers.importing.poverty import (
    HEADERS,
    import_monitoring,
    monitor_rows,
    monitor_template,
)
from grassroots.registers.importing.windows import rows_workbook
from grassroots.registers.models import MonitoredHousehold
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries_poverty import (
    days_late,
    filtered,
    household_of,
    late,
    late_by_village,
    monitored_visible_to,
    name_shown,
    risk_labels,
    visible_monitored,
)
from grassroots.registers.queries_windows import units_for
from grassroots.registers.views.windows import (
    ImportPage,
    history_of,
    querystring,
    refused,
    require_view,
)

PAGE_SIZE: Final = 30
EXPORT_LIMIT: Final = 20000


def _rows(page: Any, user: User) -> list[dict[str, Any]]:
    shown = name_shown(user)
    today = timezone.localdate()
    return [
        {
            "m": m,
            "head": shown(m),
            "risks": risk_labels(m),
            "late": days_late(m, today),
        }
        for m in page
    ]


def _listed(request: HttpRequest, user: User) -> tuple[MonitorFilterForm, Any]:
    units = units_for(user)
    form = MonitorFilterForm(request.GET or None, units=units)
    data = valid_data(form)
    monitored = filtered(monitored_visible_to(user), data, data.get("unit"), timezone.localdate())
    return form, monitored


@login_required
@require_GET
def monitor_list(request: HttpRequest) -> HttpResponse:
    """The monitorings the viewer may see: the late first, then by the next review."""
    user = user_of(request)
    require_view(user)
    form, monitored = _listed(request, user)
    page = Paginator(monitored.order_by("status", "review_due_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registers/monitor_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list, user),
            "querystring": querystring(request),
            "may_manage": can(user, MANAGE),
            "late_count": monitored_visible_to(user).filter(late(timezone.localdate())).count(),
        },
    )


@login_required
@require_GET
def monitor_late(request: HttpRequest) -> HttpResponse:
    """The villages whose monitored households lack a review in time (the number late
    and open in each), then those households, longest late first."""
    user = user_of(request)
    require_view(user)
    today = timezone.localdate()
    visible = monitored_visible_to(user)
    villages = late_by_village(visible, today)
    overdue = visible.filter(late(today)).order_by("review_due_on", "pk")
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/monitor_late.html",
        {
            "villages": villages,
            "page": page,
            "rows": _rows(page.object_list, user),
            "today": today,
            "may_manage": can(user, MANAGE),
        },
    )


def _form_page(request: HttpRequest, form: MonitorForm, status: int = 200) -> HttpResponse:
    return render(request, "registers/monitor_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def monitor_new(request: HttpRequest) -> HttpResponse:
    """Put a household of one of the viewer's villages under monitoring."""
    user = user_of(request)
    require(user, MANAGE)
    units = [u for u in units_for(user, MANAGE) if u.kind in VILLAGE_LEVEL]
    if request.method != "POST":
        initial = {"since": timezone.localdate(), "members": 1}
        return _form_page(request, MonitorForm(units=units, initial=initial))
    form = MonitorForm(request.POST, units=units)
    if not form.is_valid():
        return _form_page(request, form, 400)
    data = dict(form.cleaned_data)
    village, number = data.pop("unit"), data.pop("household")
    household = household_of(village, number)
    if household is None:
        form.add_error(
            "household",
            _("No household %(number)s in %(village)s.") % {"number": number, "village": village},
        )
        return _form_page(request, form, 400)
    try:
        monitored = actions.put_under_monitoring(actor=user, household=household, **data)
    except RegistersError as exc:
        apply_error(form, exc)
        return _form_page(request, form, refused(exc))
    messages.success(request, _("Household %(number)s is monitored.") % {"number": number})
    return HttpResponseRedirect(reverse("registers:monitor_detail", args=[monitored.pk]))


def _visible(user: User, pk: int) -> MonitoredHousehold:
    monitored = visible_monitored(user, pk)
    if monitored is None:
        raise Http404(_("No such monitored household in your area."))
    return monitored


def _detail(
    request: HttpRequest, user: User, monitored: MonitoredHousehold, status: int = 200, **forms: Any
) -> HttpResponse:
    may_manage = can(user, MANAGE, monitored)
    today = timezone.localdate()
    if may_manage:
        forms.setdefault(
            "review_form",
            ReviewForm(
                initial={"reviewed_on": today, "income_per_capita": monitored.income_per_capita},
                auto_id="review-%s",
            ),
        )
        forms.setdefault(
            "assist_form", AssistForm(initial={"started_on": today}, auto_id="assist-%s")
        )
    return render(
        request,
        "registers/monitor_detail.html",
        {
            "m": monitored,
            "head": name_shown(user)(monitored),
            "risks": risk_labels(monitored),
            "late": days_late(monitored, today),
            "assistance": list(monitored.assistance.order_by("-started_on", "-pk")),
            "reviews": list(monitored.reviews.order_by("-reviewed_on", "-pk")),
            "history": history_of(monitored),
            "may_manage": may_manage,
            **forms,
        },
        status=status,
    )


@login_required
@require_GET
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _detail(request, user, _visible(user, pk))


@login_required
@require_POST
def monitor_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a review visit (the monitoring's page's form)."""
    user = user_of(request)
    monitored = _visible(user, pk)
    require(user, MANAGE, monitored)
    form = ReviewForm(request.POST, auto_id="review-%s")
    if not form.is_valid():
        return _detail(request, user, monitored, 400, review_form=form)
    try:
        actions.record_review(monitored.pk, actor=user, **form.cleaned_data)
    except RegistersError as exc:
        apply_error(form, exc)
        return _detail(request, user, _visible(user, pk), refused(exc), review_form=form)
    messages.success(request, _("Review recorded."))
    return HttpResponseRedirect(reverse("registers:monitor_detail", args=[monitored.pk]))


@login_required
@require_POST
def monitor_assist(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an assistance measure (the monitoring's page's form)."""
    user = user_of(request)
    monitored = _visible(user, pk)
    require(user, MANAGE, monitored)
    form = AssistForm(request.POST, auto_id="assist-%s")
    if not form.is_valid():
        return _detail(request, user, monitored, 400, assist_form=form)
    try:
        actions.add_assistance(monitored.pk, actor=user, **form.cleaned_data)
    except RegistersError as exc:
        apply_error(form, exc)
        return _detail(request, user, _visible(user, pk), refused(exc), assist_form=form)
    messages.success(request, _("Assistance measure added."))
    return HttpResponseRedirect(reverse("registers:monitor_detail", args=[monitored.pk]))


# --- Excel --------------------------------------------------------------------------------

IMPORT: Final = ImportPage(
    template="registers/monitor_import.html",
    title=gettext_lazy("Import a monitoring ledger"),
    importer=import_monitoring,
    uploads=KeptUploads(
        folder="monitor-imports", session_key="registers_monitoring", fallback="防返贫监测"
    ),
    url_name="registers:monitor_import",
    template_url="registers:monitor_template",
    export_url="registers:monitor_export",
    help=gettext_lazy(
        "One monitored household per row; the household must be registered in the grid "
        "basics. A household already monitored is updated, and a later review date is "
        "recorded as a review. The file is checked first: nothing is imported while any "
        "row has a problem."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def monitor_import(request: HttpRequest) -> HttpResponse:
    return IMPORT.handle(request)


@login_required
@require_GET
def monitor_template_download(request: HttpRequest) -> HttpResponse:
    require(user_of(request), MANAGE)
    return xlsx_response(monitor_template(), "防返贫监测导入模板.xlsx", "monitoring-template.xlsx")


@login_required
@require_GET
def monitor_export(request: HttpRequest) -> HttpResponse:
    """The monitorings the viewer may see, as the list's filters narrow them (no names:
    household numbers only)."""
    user = user_of(request)
    require_view(user)
    _form, monitored = _listed(request, user)
    rows = monitored.prefetch_related("assistance").order_by(
        "unit__path", "household__number", "pk"
    )[:EXPORT_LIMIT]
    book = rows_workbook("防返贫监测户", HEADERS, monitor_rows(rows))
    day = timezone.localdate().isoformat()
    return xlsx_response(book, f"防返贫监测户-{day}.xlsx", f"monitoring-{day}.xlsx")
