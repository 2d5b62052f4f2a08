"""The office's pages of the assessment: overview, indicator catalogue, schemes (with the
weight and burden checks and the compute form) and the list of runs.

Every read goes through :mod:`grassroots.assessment.access` (a scheme out of the viewer's
scope is a 404). Computing is one call of ``compute_run``; a bad period or a scheme that
cannot run answers 400 with the reason next to the field, in the viewer's language.
The pages of a run and of its results are in :mod:`office_results`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.assessment import access
from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.ratings import check_period
from grassroots.assessment.burden import flag_text, report_messages, source_text
from grassroots.assessment.checks import scheme_burden, scheme_weights
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Category, Indicator, Run, Scheme, Source
from grassroots.assessment.permissions import COMPUTE, MANAGE, VIEW
from grassroots.assessment.wording import normaliser_text, rule_summary
from grassroots.common.http import user_of
from grassroots.common.metrics import UnknownMetricError
from grassroots.common.metrics import get as get_metric
from grassroots.org.permissions import can, require

PAGE_SIZE = 50
#: Runs listed per scheme on the overview.
LATEST_RUNS = 3


class ComputeForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=16,
        help_text=gettext_lazy("A month (2026-10), a quarter (2026-Q3) or the year (2026)."),
    )


def querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


def _text(raw: str | None, limit: int = 100) -> str:
    """A text filter from the query string, trimmed, without NUL characters (which
    PostgreSQL refuses in a query)."""
    return (raw or "").replace("\x00", "").strip()[:limit]


def _int(raw: str | None) -> int | None:
    """A positive number from the query string (a year, an id), else None: a filter that is
    not a number, or is beyond any id, is ignored rather than an error."""
    return access.parse_id(raw)


def admin_url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The office's overview: every scheme it sees with its latest runs. A unit's people
    (who neither compute nor manage) go to their own results."""
    user = user_of(request)
    require(user, VIEW)
    if not (can(user, COMPUTE) or can(user, MANAGE)):
        return HttpResponseRedirect(reverse("assessment:mine"))
    schemes = access.visible_schemes(user)
    runs = list(
        access.visible_runs(user, schemes).order_by("scheme_id", "-computed_at", "-pk")[:500]
    )
    latest: dict[int, list[Run]] = {}
    for run in runs:
        found = latest.setdefault(run.scheme_id, [])
        if len(found) < LATEST_RUNS:
            found.append(run)
    counts = dict(
        Indicator.objects.filter(scheme__in=[s.pk for s in schemes])
        .values_list("scheme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [(s, counts.get(s.pk, 0), latest.get(s.pk, [])) for s in schemes]
    return render(
        request,
        "assessment/office/home.html",
        {"rows": rows, "years": sorted({s.year for s in schemes}, reverse=True)},
    )


def _catalogue_year(request: HttpRequest, schemes: list[Scheme]) -> int:
    year = _int(request.GET.get("year"))
    if year is not None:
        return year
    years = [s.year for s in schemes]
    return max(years) if years else timezone.localdate().year


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every indicator of the year's schemes: category, weight, where its data comes from,
    the metric's exact definition, the rule in words and the duty it derives from."""
    user = user_of(request)
    require(user, VIEW)
    schemes = access.visible_schemes(user)
    year = _catalogue_year(request, schemes)
    of_year = [s for s in schemes if s.year == year]
    indicators = Indicator.objects.filter(scheme__in=[s.pk for s in of_year]).select_related(
        "scheme"
    )
    scheme_id = _int(request.GET.get("scheme"))
    if scheme_id is not None:
        indicators = indicators.filter(scheme_id=scheme_id)
    category = request.GET.get("category", "")
    if category in Category.values:
        indicators = indicators.filter(category=category)
    source = request.GET.get("source", "")
    if source in Source.values:
        indicators = indicators.filter(source=source)
    if text := _text(request.GET.get("q")):
        indicators = indicators.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(duty__icontains=text)
            | Q(metric__icontains=text)
        )
    page = Paginator(indicators.order_by("scheme__code", "position", "code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for ind in page:
        _describe(ind)
    return render(
        request,
        "assessment/office/catalogue.html",
        {
            "page": page,
            "year": year,
            "years": sorted({s.year for s in schemes} | {year}, reverse=True),
            "schemes": of_year,
            "scheme_id": scheme_id,
            "categories": Category.choices,
            "category": category,
            "sources": Source.choices,
            "source": source,
            "q": text,
            "querystring": querystring(request),
        },
    )


def _describe(ind: Indicator) -> None:
    """Attach what the pages show about an indicator (its source, metric and rule)."""
    ind.source_text = source_text(ind.source)  # type: ignore[attr-defined]
    ind.rule_text = rule_summary(ind.rule, ind.params or {}, ind.weight, ind.direction)  # type: ignore[attr-defined]
    ind.normaliser_text = normaliser_text(ind.normaliser)  # type: ignore[attr-defined]
    metric = None
    if ind.source == Source.METRIC and ind.metric:
        try:
            metric = get_metric(ind.metric)
        except UnknownMetricError:
            metric = None
    ind.metric_obj = metric  # type: ignore[attr-defined]


@login_required
@require_safe
def schemes(request: HttpRequest) -> HttpResponse:
    """The schemes the user sees, by year."""
    user = user_of(request)
    require(user, VIEW)
    found = access.visible_schemes(user)
    year = _int(request.GET.get("year"))
    if year is not None:
        found = [s for s in found if s.year == year]
    counts = dict(
        Indicator.objects.filter(scheme__in=[s.pk for s in found])
        .values_list("scheme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    last = dict(
        Run.objects.filter(scheme__in=[s.pk for s in found])
        .values_list("scheme_id")
        .annotate(p=Max("period"))
        .order_by()
    )
    return render(
        request,
        "assessment/office/schemes.html",
        {
            "rows": [(s, counts.get(s.pk, 0), last.get(s.pk, "")) for s in found],
            "year": year,
        },
    )


def scheme_context(request: HttpRequest, scheme: Scheme, form: ComputeForm) -> dict[str, Any]:
    user = user_of(request)
    indicators = list(Indicator.objects.filter(scheme=scheme).order_by("position", "code"))
    burden = scheme_burden(scheme, indicators)
    by_code = {row.code: row for row in burden.rows}
    for ind in indicators:
        _describe(ind)
        row = by_code[ind.code]
        ind.burden_flags = [flag_text(f, row) for f in row.flags]  # type: ignore[attr-defined]
    runs = list(access.visible_runs(user, [scheme]).order_by("-period", "-version")[:200])
    periods: dict[str, list[Run]] = {}
    for run in runs:
        periods.setdefault(run.period, []).append(run)
    return {
        "scheme": scheme,
        "indicators": indicators,
        "weights": scheme_weights(scheme, indicators),
        "burden": burden,
        "burden_messages": report_messages(burden),
        "periods": list(periods.items()),
        "may_compute": can(user, COMPUTE, scheme.root),
        "form": form,
        "edit_url": admin_url("admin:assessment_scheme_change", scheme.pk)
        if user.is_staff and can(user, MANAGE, scheme.root)
        else "",
        "yuan_pool": scheme.reward_pool_fen,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A scheme: its indicators with the weight and burden checks, its runs by period and,
    for the office, the form that computes a run (POST ``period``)."""
    user = user_of(request)
    require(user, VIEW)
    scheme = access.visible_scheme(user, pk)
    if request.method != "POST":
        return render(
            request,
            "assessment/office/scheme.html",
            scheme_context(request, scheme, ComputeForm()),
        )
    if not can(user, COMPUTE, scheme.root):
        raise PermissionDenied(_("You are not allowed to do this here."))
    form = ComputeForm(request.POST)
    if form.is_valid():
        try:
            period = check_period(scheme, form.cleaned_data["period"])
            run = compute_run(scheme, period, actor=user)
        except AssessmentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(
                request,
                _("Computed %(period)s, version %(version)s.")
                % {"period": run.period, "version": run.version},
            )
            return HttpResponseRedirect(reverse("assessment:run", args=[run.pk]))
    return render(
        request,
        "assessment/office/scheme.html",
        scheme_context(request, scheme, form),
        status=400,
    )


@login_required
@require_safe
def runs(request: HttpRequest) -> HttpResponse:
    """Runs the user sees, newest period first; ``?scheme=<id>&period=2026-10``."""
    user = user_of(request)
    require(user, VIEW)
    schemes_seen = access.visible_schemes(user)
    found = access.visible_runs(user, schemes_seen)
    scheme_id = _int(request.GET.get("scheme"))
    if scheme_id is not None:
        found = found.filter(scheme_id=scheme_id)
    period = _text(request.GET.get("period"), 16)
    if period:
        found = found.filter(period__iexact=period)
    page = Paginator(found.order_by("-period", "scheme__code", "-version"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/office/runs.html",
        {
            "page": page,
            "schemes": schemes_seen,
            "scheme_id": scheme_id,
            "period": period,
            "querystring": querystring(request),
        },
    )
