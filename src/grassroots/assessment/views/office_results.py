"""A run's pages: the ranking per peer group, one unit's score breakdown, the records
behind a score, the user's own results, and the Excel export.

The click path of the design: the ranking (rank 19) → the unit's breakdown (every
indicator's value, rule and points, in words) → the records behind one score (e.g. the
events that closed late, ``?counted=0``) → the event's own page. Every step is scoped:
results and scores through ``visible_to`` (a unit outside the viewer's subtree is a 404).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from grassroots.assessment import access, records, wording
from grassroots.assessment.exporting import XLSX_TYPE, export_run
from grassroots.assessment.models import Publication, Result, Run, Score, Source
from grassroots.assessment.permissions import APPEAL, VIEW
from grassroots.assessment.states import RunState
from grassroots.assessment.views.office import querystring
from grassroots.assessment.wording import (
    diagnostics_rows,
    list_reason_text,
    result_lines,
    run_note_text,
    score_lines,
)
from grassroots.common.http import user_of
from grassroots.common.metrics import Period, PeriodError, UnknownMetricError
from grassroots.common.metrics import get as get_metric
from grassroots.org.models import UnitKind
from grassroots.org.permissions import can, require

EVIDENCE_PAGE = 50
#: Months (rows) of the "my results" page at most per unit.
MINE_LIMIT = 36


def group_name(key: str) -> str:
    """A peer group key for people: a unit kind's name, else the key itself."""
    return wording.group_name(key, {k: str(label) for k, label in UnitKind.choices})


def decorate(result: Result, tied: bool) -> Result:
    result.rank_text = f"{result.rank}=" if tied else str(result.rank)  # type: ignore[attr-defined]
    result.list_text = list_reason_text(result.list_reason)  # type: ignore[attr-defined]
    return result


@login_required
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking of a run, peer group by peer group (ties shown as ``2=``), with each
    unit's total, grade, list and reason, reward, training places and veto; the run's
    diagnostics and notes."""
    user = user_of(request)
    require(user, VIEW)
    run = access.visible_run(user, pk)
    results = list(
        Result.objects.visible_to(user)
        .filter(run=run)
        .select_related("unit")
        .defer("unit__geometry")
        .order_by("peer_group", "rank", "unit__code")
    )
    ties = Counter((r.peer_group, r.rank) for r in results)
    groups: dict[str, list[Result]] = {}
    for r in results:
        decorate(r, ties[(r.peer_group, r.rank)] > 1)
        groups.setdefault(r.peer_group, []).append(r)
    office = access.is_office(user, run.scheme)
    return render(
        request,
        "assessment/office/run.html",
        {
            "run": run,
            "scheme": run.scheme,
            "groups": [(key, group_name(key), rows) for key, rows in groups.items()],
            "diagnostics": diagnostics_rows(run.diagnostics or {}) if office else [],
            "notes": [run_note_text(n) for n in run.notes or []] if office else [],
            "office": office,
            "parent": run.parent,
        },
    )


@login_required
@require_safe
def result_detail(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """One unit's result in a run and every indicator's points, explained in words."""
    user = user_of(request)
    require(user, VIEW)
    run = access.visible_run(user, pk)
    access.id_or_404(unit_pk)
    result = (
        Result.objects.visible_to(user)
        .filter(run=run, unit_id=unit_pk)
        .select_related("unit")
        .first()
    )
    if result is None:
        raise Http404
    decorate(
        result,
        Result.objects.filter(run=run, peer_group=result.peer_group, rank=result.rank).count() > 1,
    )
    scores = list(
        Score.objects.visible_to(user)
        .filter(run=run, unit_id=unit_pk)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__code")
    )
    for score in scores:
        explain_score(score)
    return render(
        request,
        "assessment/office/result.html",
        {
            "run": run,
            "scheme": run.scheme,
            "result": result,
            "unit": result.unit,
            "scores": scores,
            "lines": result_lines(result.explanation or {}, result.explanation.get("vetoes", [])),
            "group": group_name(result.peer_group),
            "may_appeal": may_appeal(user, run, result.unit),
        },
    )


def may_appeal(user: Any, run: Run, unit: Any) -> bool:
    """Whether to offer the appeal link: the run is published and still open to appeals
    (its window has not closed, no newer version is published), it is not the annual
    evaluation (whose scores are appealed in their month or quarter), and the user may
    appeal for the unit. The action checks all of this again."""
    if run.state != RunState.PUBLISHED or run.kind == "annual":
        return False
    if not can(user, APPEAL, unit):
        return False
    until = Publication.objects.filter(run=run).values_list("appeal_until", flat=True).first()
    if until is None or timezone.localdate() > until:
        return False
    return not Run.objects.filter(
        scheme_id=run.scheme_id,
        period=run.period,
        version__gt=run.version,
        state__in=access.SHOWN_STATES,
    ).exists()


def explain_score(score: Score) -> Score:
    """Attach the explanation in words and whether the records can be listed."""
    ind = score.indicator
    metric_name = (score.explanation or {}).get("metric") or ind.metric
    unit = ""
    has_records = False
    if ind.source == Source.METRIC and metric_name:
        try:
            metric = get_metric(metric_name)
        except UnknownMetricError:
            metric = None
        if metric is not None:
            unit = metric.unit
            has_records = metric.evidence_func is not None
    score.lines = score_lines(  # type: ignore[attr-defined]
        score.explanation or {},
        raw_value=score.raw_value,
        weight=ind.weight,
        normaliser=ind.normaliser,
        unit=unit,
        source=ind.source,
    )
    score.has_records = has_records  # type: ignore[attr-defined]
    score.unit_sign = unit  # type: ignore[attr-defined]
    return score


def evidence_queryset(score: Score) -> Any:
    """The records behind ``score``: its metric's evidence for the unit and the run's
    period. ``None`` when the indicator has no records (a rating, an entry, a metric
    without evidence)."""
    name = (score.explanation or {}).get("metric") or score.indicator.metric
    if score.indicator.source != Source.METRIC or not name:
        return None
    try:
        metric = get_metric(name)
        period = Period.parse(score.run.period)
    except (UnknownMetricError, PeriodError):
        return None
    if metric.evidence_func is None:
        return None
    return metric.evidence(score.unit_id, period)


@login_required
@require_safe
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The records behind one score, paginated, each linking to its page; ``?counted=0``
    keeps those outside the numerator (e.g. the events that closed late), ``=1`` the
    others."""
    user = user_of(request)
    require(user, VIEW)
    score = (
        access.visible_scores(user)
        .filter(pk=pk)
        .select_related("run", "run__scheme", "indicator", "unit")
        .first()
    )
    if score is None:
        raise Http404
    explain_score(score)
    found = evidence_queryset(score)
    counted = request.GET.get("counted", "")
    page = None
    columns: list[str] = []
    may_filter = False
    if found is not None:
        may_filter = "in_numerator" in found.query.annotations
        if may_filter and counted in ("0", "1"):
            found = found.filter(in_numerator=counted == "1")
        columns = records.headers(found.model)
        page = Paginator(found, EVIDENCE_PAGE).get_page(request.GET.get("page"))
        page.rows = records.rows(page.object_list)  # type: ignore[attr-defined]
    return render(
        request,
        "assessment/office/evidence.html",
        {
            "score": score,
            "run": score.run,
            "unit": score.unit,
            "indicator": score.indicator,
            "page": page,
            "columns": columns,
            "counted": counted,
            "may_filter": may_filter,
            "querystring": querystring(request),
        },
    )


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The results of the user's own units over the periods (the newest version of each
    run they may see), each linking to its breakdown."""
    user = user_of(request)
    require(user, VIEW)
    units = access.home_units(user)
    rows = (
        access.visible_results(user)
        .filter(unit__in=[u.pk for u in units])
        .select_related("run", "run__scheme")
        .order_by("unit_id", "-run__period", "run__scheme__code", "-run__version")
    )
    seen: set[tuple[int, int, str]] = set()
    by_unit: dict[int, list[Result]] = {u.pk: [] for u in units}
    for r in rows[: 20 * MINE_LIMIT * max(len(units), 1)]:
        key = (r.unit_id, r.run.scheme_id, r.run.period)
        if key in seen or len(by_unit[r.unit_id]) >= MINE_LIMIT:
            continue
        seen.add(key)
        by_unit[r.unit_id].append(decorate(r, False))
    return render(
        request,
        "assessment/office/mine.html",
        {"units": [(u, by_unit[u.pk]) for u in units]},
    )


@login_required
@require_safe
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The run as an .xlsx file: one sheet per peer group, the viewer's units only."""
    user = user_of(request)
    require(user, VIEW)
    run = access.visible_run(user, pk)
    results = Result.objects.visible_to(user).filter(run=run)
    data = export_run(run, results=results)
    name = f"{run.scheme.name}-{run.period}-v{run.version}.xlsx"
    ascii_name = f"assessment-{run.scheme.code}-{run.period}-v{run.version}.xlsx"
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response
