"""The decision log pages (决策在先): the log (filters, search, pages, Excel), linking a
decision to the resolution that authorised it, removing a link, and the rules.

Who: the log needs ``partybuilding.view`` (403 without it anywhere); a decision outside
the viewer's area is a 404; linking needs ``partybuilding.link`` over the record's unit
(403); the rules page ``partybuilding.configure`` (the city office).
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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common.decisions import Decision
from grassroots.common.downloads import xlsx_response
from grassroots.common.errors import DomainError
from grassroots.common.http import user_of
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, User
from grassroots.org.permissions import can, require
from grassroots.partybuilding.actions import decisions as actions
from grassroots.partybuilding.exports_decisions import log_workbook
from grassroots.partybuilding.forms_decisions import (
    FIRST_YEAR,
    LinkForm,
    LogFilterForm,
    RuleForm,
    UnlinkForm,
    apply_error,
    valid_data,
)
from grassroots.partybuilding.models import DecisionRule
from grassroots.partybuilding.permissions import CONFIGURE, LINK, VIEW
from grassroots.partybuilding.queries_decisions import (
    DecisionStatus,
    LogFilters,
    LogRow,
    candidate_resolutions,
    decision_log,
    rows_of,
)
from grassroots.partybuilding.states import MatterKind

PAGE_SIZE: Final = 50
UNIT_KINDS: Final = frozenset({"county", *TOWNSHIP_LEVEL, *VILLAGE_LEVEL})


def require_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


def refused(exc: DomainError) -> int:
    return exc.http_status


def querystring(request: HttpRequest) -> str:
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return urlencode(keep)


def filter_units(user: User, action: str = VIEW) -> list[Unit]:
    """The county, townships and villages the viewer may narrow the log to."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(kind__in=UNIT_KINDS, active=True)
        .order_by("path")
    )


def _filters(request: HttpRequest, user: User) -> tuple[LogFilterForm, LogFilters]:
    this_year = timezone.localdate().year
    form = LogFilterForm(
        request.GET or None, units=filter_units(user), years=range(FIRST_YEAR, this_year + 2)
    )
    data = valid_data(form)
    filters = LogFilters(
        matter=data.get("matter", ""),
        status=data.get("status", ""),
        unit=data.get("unit"),
        year=data.get("year"),
        text=data.get("q", ""),
    )
    return form, filters


def _counts(rows: list[LogRow]) -> dict[str, int]:
    counts = {s.value: 0 for s in DecisionStatus}
    for row in rows:
        counts[row.status] += 1
    return counts


@login_required
@require_GET
def decision_log_page(request: HttpRequest) -> HttpResponse:
    """Every decision in the viewer's area with its resolution and status."""
    user = user_of(request)
    require_view(user)
    form, filters = _filters(request, user)
    rows = decision_log(user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    linkable = {r.decision.unit_id for r in page.object_list if can(user, LINK, _Unit(r))}
    return render(
        request,
        "partybuilding/decisions.html",
        {
            "form": form,
            "page": page,
            "counts": _counts(rows),
            "querystring": querystring(request),
            "linkable": linkable,
            "may_configure": can(user, CONFIGURE),
        },
    )


class _Unit:
    """A decision's unit as the scope checks see it (its path, without a query)."""

    def __init__(self, row: LogRow) -> None:
        self.path = row.decision.unit_path

    def scope_paths(self) -> tuple[str, ...]:
        return (self.path,)


@login_required
@require_GET
def decision_log_export(request: HttpRequest) -> HttpResponse:
    """The log as the page filters it, as Excel."""
    user = user_of(request)
    require_view(user)
    _form, filters = _filters(request, user)
    rows = decision_log(user, filters)
    book = log_workbook(rows, request.build_absolute_uri("/").rstrip("/"))
    day = timezone.localdate()
    return xlsx_response(book, f"决策台账-{day:%Y%m%d}.xlsx", f"decisions-{day:%Y%m%d}.xlsx")


def _decision(user: User, reference: str) -> Decision:
    try:
        return actions.decision_for(reference, actor=user)
    except actions.DecisionNotFound as exc:
        raise Http404(exc.message) from exc


def _link_page(
    request: HttpRequest,
    user: User,
    decision: Decision,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    row = rows_of([decision])[0]
    resolutions = candidate_resolutions(decision)
    if "form" not in forms:
        forms["form"] = LinkForm(resolutions=resolutions)
    if "unlink_form" not in forms:
        forms["unlink_form"] = UnlinkForm()
    return render(
        request,
        "partybuilding/decision_link.html",
        {"row": row, "decision": decision, "resolutions": resolutions, **forms},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_link(request: HttpRequest, reference: str) -> HttpResponse:
    """A decision with its resolution; the form to link one (of its unit or above)."""
    user = user_of(request)
    require_view(user)
    decision = _decision(user, reference)
    require(user, LINK, _Unit(rows_of([decision])[0]))
    if request.method != "POST":
        return _link_page(request, user, decision)
    # The action judges the resolution: one not offered is refused there with the reason
    # (not of this unit or above, not passed, another matter).
    form = LinkForm(request.POST, resolutions=candidate_resolutions(decision))
    if not form.is_valid():
        return _link_page(request, user, decision, 400, form=form)
    try:
        link = actions.link_decision(
            decision.reference,
            form.cleaned_data["resolution"],
            actor=user,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from exc
        apply_error(form, exc)
        return _link_page(request, user, decision, refused(exc), form=form)
    if link.after_the_fact:
        messages.warning(
            request,
            _("Linked. The resolution came after the decision acted: it stays flagged."),
        )
    else:
        messages.success(request, _("The decision is linked to its resolution."))
    return HttpResponseRedirect(reverse("partybuilding:decision_link", args=[decision.reference]))


@login_required
@require_POST
def decision_unlink(request: HttpRequest, reference: str) -> HttpResponse:
    """Remove the link of a decision to its resolution, with the reason."""
    user = user_of(request)
    require_view(user)
    decision = _decision(user, reference)
    require(user, LINK, _Unit(rows_of([decision])[0]))
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        return _link_page(request, user, decision, 400, unlink_form=form)
    try:
        actions.unlink_decision(decision.reference, actor=user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from exc
        apply_error(form, exc)
        return _link_page(request, user, decision, refused(exc), unlink_form=form)
    messages.success(request, _("The link was removed."))
    return HttpResponseRedirect(reverse("partybuilding:decision_link", args=[decision.reference]))


def _rule_forms(data: Any = None) -> list[tuple[str, str, RuleForm]]:
    rules = {r.matter: r for r in DecisionRule.objects.all()}
    found = []
    for value, label in MatterKind.choices:
        rule = rules.get(value)
        initial = (
            {"required": rule.required, "min_amount": rule.min_amount}
            if rule is not None
            else {"required": False}
        )
        found.append((value, str(label), RuleForm(data, prefix=value, initial=initial)))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def decision_rules(request: HttpRequest) -> HttpResponse:
    """Which matters need a resolution and from what amount (the city office)."""
    user = user_of(request)
    require(user, CONFIGURE)
    if request.method != "POST":
        return render(request, "partybuilding/decision_rules.html", {"forms": _rule_forms()})
    forms = _rule_forms(request.POST)
    missing = [f for _m, _l, f in forms if f.add_prefix("min_amount") not in request.POST]
    if missing:
        # An unticked box is absent from a post, an amount field never is: without them the
        # post would turn every matter to "no resolution needed".
        missing[0].add_error(None, _("The form is incomplete: reload the page and try again."))
        return render(request, "partybuilding/decision_rules.html", {"forms": forms}, status=400)
    if not all(form.is_valid() for _m, _l, form in forms):
        return render(request, "partybuilding/decision_rules.html", {"forms": forms}, status=400)
    wanted = {
        matter: (form.cleaned_data["required"], form.cleaned_data["min_amount"])
        for matter, _label, form in forms
    }
    try:
        actions.update_rules(wanted, actor=user)
    except actions.RuleError as exc:
        form_of = {matter: form for matter, _label, form in forms}
        apply_error(form_of.get(exc.matter, forms[0][2]), exc)
        return render(
            request,
            "partybuilding/decision_rules.html",
            {"forms": forms},
            status=refused(exc),
        )
    messages.success(request, _("The rules are saved."))
    return HttpResponseRedirect(reverse("partybuilding:decision_rules"))
