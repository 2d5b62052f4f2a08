"""The village collective economy pages (村集体经济): the table of a year's income per
village (total, by source, target, share of the target, growth on last year; filtered by
township and year, sortable), one village-year's form with its target, and Excel.

Who: ``registers.view`` for the table (403 without it anywhere); a village outside the
viewer's scope is a 404; its forms need ``registers.manage`` over it (403).
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.uploads import KeptUploads
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.registers.actions import income as actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.forms_income import IncomeFilterForm, IncomeForm, TargetForm
from grassroots.registers.forms_windows import apply_error, valid_data
from grassroots.registers.importing.income import (
    HEADERS,
    import_income,
    income_rows,
    income_template,
)
from grassroots.registers.importing.windows import rows_workbook
from grassroots.registers.models import IncomeTarget
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries_income import (
    income_table,
    sort_rows,
    target_tasks,
    this_year,
    totals,
    townships_for,
    village_year,
    villages_for,
)
from grassroots.registers.states import IncomeSource
from grassroots.registers.views.windows import (
    ImportPage,
    history_of,
    querystring,
    refused,
    require_view,
)

PAGE_SIZE: Final = 50
#: The years the table offers: these many before this one, and next year (targets).
YEARS_BACK: Final = 10


def _filters(request: HttpRequest, user: User) -> tuple[IncomeFilterForm, dict[str, Any], int]:
    year = this_year()
    form = IncomeFilterForm(
        request.GET or None,
        initial={"year": year},
        townships=townships_for(user),
        first=year - YEARS_BACK,
        last=year + 1,
    )
    data = valid_data(form)
    return form, data, data.get("year") or year


@login_required
@require_GET
def income_list(request: HttpRequest) -> HttpResponse:
    """Each village's income of the year in the viewer's scope (one township's with
    ``township``), sorted by ``sort``, with the totals."""
    user = user_of(request)
    require_view(user)
    form, data, year = _filters(request, user)
    rows = income_table(user, year, within=data.get("township"), text=data.get("q") or "")
    summary = totals(rows)
    rows = sort_rows(rows, data.get("sort") or "name")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    managed = {u.pk for u in villages_for(user, MANAGE).only("pk")} if can(user, MANAGE) else set()
    return render(
        request,
        "registers/income_list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "sources": IncomeSource.choices,
            "summary": summary,
            "total_wan": summary.total / 10000,
            "managed": managed,
            "querystring": querystring(request),
            "may_manage": bool(managed),
        },
    )


def _village(user: User, code: str, year: int) -> Unit:
    """The village ``code`` if the viewer may see it (404) and keep it (403); 404 for a
    year out of range."""
    if not 2000 <= year <= this_year() + 1:
        raise Http404(_("No such year."))
    if "\x00" in code:
        raise Http404(_("No such village in your area."))
    village: Unit | None = villages_for(user).filter(code=code).first()
    if village is None:
        raise Http404(_("No such village in your area."))
    require(user, MANAGE, village)
    return village


def _edit_page(
    request: HttpRequest,
    user: User,
    village: Unit,
    year: int,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    current = village_year(user, village, year)
    tasks = target_tasks(user, village)
    if "form" not in forms:
        initial = {s: current.amounts.get(s) for s in IncomeSource.values}
        forms["form"] = IncomeForm(initial=initial)
    if "target_form" not in forms:
        forms["target_form"] = TargetForm(
            tasks=tasks,
            initial={
                "unit": village.code,
                "year": year,
                "amount": current.target,
                "task_id": current.task_id,
            },
        )
    return render(
        request,
        "registers/income_edit.html",
        {
            "village": village,
            "year": year,
            "current": current,
            "history": _history(village, year),
            "may_manage": True,
            **forms,
        },
        status=status,
    )


def _history(village: Unit, year: int) -> list[Any]:
    """The changes of the village's income of ``year`` and of its target, newest first."""
    entries = [
        e
        for e in history_of(village)
        if e.action == "registers.collective_income.set" and (e.after or {}).get("year") == year
    ]
    target = IncomeTarget.objects.filter(unit=village, year=year).first()
    if target is not None:
        entries.extend(history_of(target))
    return sorted(entries, key=lambda e: e.created_at, reverse=True)


@login_required
@require_http_methods(["GET", "POST"])
def income_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One village's income of ``year`` by source (and its target's form)."""
    user = user_of(request)
    village = _village(user, code, year)
    if request.method != "POST":
        return _edit_page(request, user, village, year)
    form = IncomeForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, user, village, year, 400, form=form)
    try:
        actions.set_income(
            village, year, form.amounts(), actor=user, note=form.cleaned_data["note"]
        )
    except RegistersError as exc:
        apply_error(form, exc)
        return _edit_page(request, user, village, year, refused(exc), form=form)
    messages.success(
        request, _("Income of %(village)s in %(year)d saved.") % {"village": village, "year": year}
    )
    return HttpResponseRedirect(reverse("registers:income_edit", args=[village.code, year]))


@login_required
@require_POST
def income_target(request: HttpRequest) -> HttpResponse:
    """Set a village's target of a year (the edit page's second form)."""
    user = user_of(request)
    require(user, MANAGE)
    code = request.POST.get("unit", "")
    raw_year = request.POST.get("year", "")
    if not raw_year.isdecimal() or len(raw_year) > 4 or "\x00" in code:
        raise Http404(_("No such village in your area."))
    year = int(raw_year)
    village = _village(user, code, year)
    form = TargetForm(request.POST, tasks=target_tasks(user, village))
    if not form.is_valid():
        return _edit_page(request, user, village, year, 400, target_form=form)
    try:
        actions.set_target(
            village,
            year,
            actor=user,
            amount=form.cleaned_data["amount"],
            task_id=form.cleaned_data["task_id"] or None,
        )
    except RegistersError as exc:
        apply_error(form, exc, {"task": "task_id"})
        return _edit_page(request, user, village, year, refused(exc), target_form=form)
    messages.success(request, _("Target saved."))
    return HttpResponseRedirect(reverse("registers:income_edit", args=[village.code, year]))


# --- Excel --------------------------------------------------------------------------------

IMPORT: Final = ImportPage(
    template="registers/income_import.html",
    title=gettext_lazy("Import a collective economy ledger"),
    importer=import_income,
    uploads=KeptUploads(folder="income-imports", session_key="registers_income", fallback="收入"),
    url_name="registers:income_import",
    template_url="registers:income_template",
    export_url="registers:income_export",
    help=gettext_lazy(
        "One village and year per row, amounts in yuan; an empty cell keeps the figure as "
        "it is. The file is checked first: nothing is imported while any row has a problem."
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def income_import(request: HttpRequest) -> HttpResponse:
    return IMPORT.handle(request)


@login_required
@require_GET
def income_template_download(request: HttpRequest) -> HttpResponse:
    require(user_of(request), MANAGE)
    return xlsx_response(income_template(), "村集体经济导入模板.xlsx", "income-template.xlsx")


@login_required
@require_GET
def income_export(request: HttpRequest) -> HttpResponse:
    """The year's figures of the villages the viewer may see, as the table filters them."""
    user = user_of(request)
    require_view(user)
    _form, data, year = _filters(request, user)
    rows = income_table(user, year, within=data.get("township"), text=data.get("q") or "")
    book = rows_workbook("村集体经济收入", HEADERS, income_rows(rows, year))
    return xlsx_response(book, f"村集体经济-{year}.xlsx", f"collective-income-{year}.xlsx")
