"""The rating-form pages (民主测评, 领导评价): the list (the office's forms, a rater's own
sheets), a new form, the office's page of a form (sheets, diagnostics, per-rater
distribution, exclude, close) and the rater's sheet (one score per unit, own diagnostics,
the justification of a flagged sheet).

Thin views: parse, call one action from ``assessment.actions.ratings``, render. A form
outside the office's scope, or a sheet that is not the viewer's, is a 404.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.assessment import access
from grassroots.assessment.actions.compute import units_in_scope
from grassroots.assessment.actions.ratings import (
    close_form,
    create_form,
    exclude_sheet,
    justify_sheet,
    score_errors,
    score_field,
    submit_sheet,
)
from grassroots.assessment.diagnostics import DEFAULT_GRADE_CUTS
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.forms_ratings import (
    JustificationForm,
    NewFormForm,
    ReasonForm,
    apply_error,
)
from grassroots.assessment.models import (
    COUNTED_SHEETS,
    FormState,
    Rating,
    RatingForm,
    RatingSheet,
    Scheme,
    SheetState,
)
from grassroots.assessment.permissions import MANAGE
from grassroots.assessment.rating_notices import FLAG_LABELS
from grassroots.common.http import user_of
from grassroots.org.models import Membership, User
from grassroots.org.permissions import can, require, roles_granting
from grassroots.org.queries import active_grants, scope_q

PAGE_SIZE = 50

BAND_LABELS = ("<60", "60–69", "70–79", "80–89", "≥90")


# --- scope -------------------------------------------------------------------------------


def manage_paths(user: User) -> set[str] | None:
    """The paths under which the user may manage the assessment (None: everywhere)."""
    if user.is_superuser:
        return None
    roles = roles_granting(MANAGE)
    return {g.path for g in active_grants(user) if g.role in roles}


def managed_schemes(user: User) -> QuerySet[Scheme]:
    """The schemes whose root the user may manage (``assessment.manage``)."""
    schemes = Scheme.objects.select_related("root")
    paths = manage_paths(user)
    if paths is None:
        return schemes
    return schemes.filter(scope_q(("root__path",), paths))


def eligible_raters(user: User) -> QuerySet[User]:
    """The people the office may send a form to: active, with a membership in its scope."""
    people = User.objects.filter(is_active=True)
    paths = manage_paths(user)
    if paths is not None:
        members = Membership.objects.active().filter(scope_q(("unit__path",), paths))
        people = people.filter(pk__in=members.values("user_id"))
    return people.order_by("full_name", "username")


def _status_of(exc: AssessmentError) -> int:
    return exc.http_status


def flag_labels(diagnostics: dict[str, Any]) -> list[str]:
    return [str(FLAG_LABELS.get(f, f)) for f in diagnostics.get("flags", [])]


# --- the list ----------------------------------------------------------------------------


@login_required
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    """测评表: the office's forms in its scope; a rater's own sheets."""
    user = user_of(request)
    office = can(user, MANAGE)
    page = None
    if office:
        counts = {
            f"n_{state.value}": Count("sheets", filter=Q(sheets__state=state))
            for state in SheetState
        }
        forms = (
            RatingForm.objects.filter(scheme__in=managed_schemes(user))
            .select_related("scheme", "indicator")
            .annotate(n_sheets=Count("sheets"), **counts)
            .order_by("-period", "scheme__code", "title")
        )
        page = Paginator(forms, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    sheets = [
        {
            "sheet": s,
            "fillable": s.form.state == FormState.OPEN
            and today <= s.form.closes_on
            and s.state != SheetState.EXCLUDED,
            "needs_justification": s.state == SheetState.FLAGGED,
        }
        for s in RatingSheet.objects.filter(rater=user)
        .select_related("form__scheme")
        .order_by("-form__closes_on", "form__title")[:PAGE_SIZE]
    ]
    return render(
        request,
        "assessment/ratings/form_list.html",
        {"office": office, "page": page, "sheets": sheets},
    )


# --- a new form --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def form_new(request: HttpRequest) -> HttpResponse:
    """发起测评: the office sends a form to raters."""
    user = user_of(request)
    require(user, MANAGE)
    form = NewFormForm(
        request.POST or None,
        schemes=managed_schemes(user),
        raters=eligible_raters(user),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = create_form(
                    data["scheme"],
                    indicator=data["indicator"],
                    period=data["period"],
                    title=data["title"],
                    closes_on=data["closes_on"],
                    raters=list(data["raters"]),
                    instructions=data["instructions"],
                    actor=user,
                )
            except AssessmentError as exc:
                apply_error(form, exc)
                status = _status_of(exc)
            else:
                messages.success(request, _("The rating form was sent to the raters."))
                return HttpResponseRedirect(reverse("assessment:form", args=[created.pk]))
    return render(request, "assessment/ratings/form_new.html", {"form": form}, status=status)


# --- the office's page of a form ---------------------------------------------------------


def _bands(scores: list[Decimal]) -> list[dict[str, Any]]:
    cuts = sorted(DEFAULT_GRADE_CUTS)
    found = Counter(sum(1 for c in cuts if s >= c) for s in scores)
    most = max(found.values(), default=0) or 1
    return [
        {"label": label, "count": found.get(i, 0), "width": 5 * round(20 * found.get(i, 0) / most)}
        for i, label in enumerate(BAND_LABELS)
    ]


def _sheet_rows(form: RatingForm, errors: dict[int, ReasonForm]) -> list[dict[str, Any]]:
    sheets = list(form.sheets.select_related("rater").order_by("rater__full_name", "rater_id"))
    scores: dict[int, list[Decimal]] = {}
    for sheet_id, score in Rating.objects.filter(sheet__form=form).values_list("sheet_id", "score"):
        scores.setdefault(sheet_id, []).append(Decimal(score))
    rows = []
    for sheet in sheets:
        mine = scores.get(sheet.pk, [])
        rows.append(
            {
                "sheet": sheet,
                "d": sheet.diagnostics or {},
                "flags": flag_labels(sheet.diagnostics or {}),
                "counted": sheet.state in COUNTED_SHEETS,
                "bands": _bands(mine) if mine else [],
                "low": min(mine) if mine else None,
                "high": max(mine) if mine else None,
                "reason_form": errors.get(sheet.pk) or ReasonForm(prefix=f"s{sheet.pk}"),
            }
        )
    return rows


def _render_form(
    request: HttpRequest,
    form: RatingForm,
    *,
    errors: dict[int, ReasonForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = _sheet_rows(form, errors or {})
    summary = Counter(r["sheet"].state for r in rows)
    return render(
        request,
        "assessment/ratings/form_detail.html",
        {
            "rating_form": form,
            "rows": rows,
            "summary": [(s.label, summary.get(s.value, 0)) for s in SheetState],
            "counted": sum(1 for r in rows if r["counted"]),
            "error": error,
            "units": len(units_in_scope(form.scheme)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's page of a form; POST ``action=close`` or ``action=exclude``."""
    user = user_of(request)
    form = (
        RatingForm.objects.filter(scheme__in=managed_schemes(user))
        .select_related("scheme__root", "indicator", "created_by")
        .filter(pk=pk)
        .first()
    )
    if form is None:
        raise Http404
    if request.method != "POST":
        return _render_form(request, form)
    action = request.POST.get("action", "")
    if action == "close":
        try:
            close_form(form, actor=user)
        except AssessmentError as exc:
            form.refresh_from_db()
            return _render_form(request, form, error=exc.message, status=_status_of(exc))
        messages.success(request, _("The rating form is closed; its counted sheets now count."))
        return HttpResponseRedirect(reverse("assessment:form", args=[form.pk]))
    if action == "exclude":
        sheet_id = access.parse_id(request.POST.get("sheet"))
        sheet = RatingSheet.objects.filter(form=form, pk=sheet_id).first() if sheet_id else None
        if sheet is None:
            raise Http404
        reason = ReasonForm(request.POST, prefix=f"s{sheet.pk}")
        if reason.is_valid():
            try:
                exclude_sheet(sheet, reason.cleaned_data["reason"], actor=user)
            except AssessmentError as exc:
                apply_error(reason, exc)
                return _render_form(
                    request, form, errors={sheet.pk: reason}, status=_status_of(exc)
                )
            messages.success(request, _("The sheet is excluded."))
            return HttpResponseRedirect(reverse("assessment:form", args=[form.pk]))
        return _render_form(request, form, errors={sheet.pk: reason}, status=400)
    return _render_form(request, form, error=_("Unknown action."), status=400)


# --- the rater's sheet -------------------------------------------------------------------


def _render_sheet(
    request: HttpRequest,
    sheet: RatingSheet,
    *,
    values: dict[int, str] | None = None,
    errors: dict[int, str] | None = None,
    justification: JustificationForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    form = sheet.form
    units = units_in_scope(form.scheme)
    if values is None:
        values = {
            unit_id: f"{score.normalize():f}"
            for unit_id, score in Rating.objects.filter(sheet=sheet).values_list("unit_id", "score")
        }
    errors = errors or {}
    fillable = (
        form.state == FormState.OPEN
        and timezone.localdate() <= form.closes_on
        and sheet.state != SheetState.EXCLUDED
    )
    rows = [
        {
            "unit": u,
            "name": score_field(u.pk),
            "value": values.get(u.pk, ""),
            "error": errors.get(u.pk, ""),
        }
        for u in units
    ]
    return render(
        request,
        "assessment/ratings/sheet.html",
        {
            "sheet": sheet,
            "rating_form": form,
            "rows": rows,
            "fillable": fillable,
            "d": sheet.diagnostics or {},
            "flags": flag_labels(sheet.diagnostics or {}),
            "justification": justification or JustificationForm(),
            "error": error,
            "has_errors": bool(errors),
        },
        status=status,
    )


def _unshown(sheet: RatingSheet, form: JustificationForm) -> str:
    """The justification's errors, for the top of the page when the sheet is not flagged
    (the page then has no justification form to show them next to)."""
    if sheet.state == SheetState.FLAGGED:
        return ""
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sheet_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The rater's sheet of form ``pk``; POST ``action=submit`` or ``action=justify``."""
    user = user_of(request)
    access.id_or_404(pk)
    sheet = (
        RatingSheet.objects.filter(form_id=pk, rater=user)
        .select_related("form__scheme__root", "form__indicator")
        .first()
    )
    if sheet is None:
        raise Http404
    if request.method != "POST":
        return _render_sheet(request, sheet)
    action = request.POST.get("action", "")
    if action == "justify":
        form = JustificationForm(request.POST)
        if not form.is_valid():
            return _render_sheet(
                request, sheet, justification=form, error=_unshown(sheet, form), status=400
            )
        try:
            justify_sheet(sheet, form.cleaned_data["justification"], actor=user)
        except AssessmentError as exc:
            apply_error(form, exc)
            return _render_sheet(
                request,
                sheet,
                justification=form,
                error=_unshown(sheet, form),
                status=_status_of(exc),
            )
        messages.success(
            request, _("Thank you: your justification is recorded and the sheet counts.")
        )
        return HttpResponseRedirect(reverse("assessment:sheet", args=[pk]))
    if action != "submit":
        return _render_sheet(request, sheet, error=_("Unknown action."), status=400)
    units = units_in_scope(sheet.form.scheme)
    raw = {u.pk: request.POST.get(score_field(u.pk), "").strip() for u in units}
    errors = score_errors(raw, units)
    if errors:
        return _render_sheet(request, sheet, values=raw, errors=errors, status=400)
    try:
        submitted = submit_sheet(sheet, {k: Decimal(v) for k, v in raw.items()}, actor=user)
    except AssessmentError as exc:
        unit_errors = {u.pk: exc.message for u in units if exc.field == score_field(u.pk)}
        return _render_sheet(
            request,
            sheet,
            values=raw,
            errors=unit_errors,
            error="" if unit_errors else exc.message,
            status=_status_of(exc),
        )
    if submitted.state == SheetState.FLAGGED:
        messages.warning(
            request,
            _("Your scores were saved but are flagged: justify them below, or they do not count."),
        )
    else:
        messages.success(request, _("Your scores were saved."))
    return HttpResponseRedirect(reverse("assessment:sheet", args=[pk]))
