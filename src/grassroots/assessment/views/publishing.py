"""Pages of publication and appeals: publish and freeze a run (the office), the list of
publications, appeals (the office sees those in its scope, a unit its own), a unit's appeal
form, an appeal's page with the office's decision, and the differences between two versions.

Thin: each page finds its records through the scoped reads (``visible_to``: anything else is
404), calls one action and renders; the actions check the grants (403) and the rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grassroots.assessment import access
from grassroots.assessment.actions.appeals import decide_appeal, submit_appeal
from grassroots.assessment.actions.publishing import freeze_run, publish_run, spread_failures
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.forms_publishing import AppealForm, DecideForm
from grassroots.assessment.models import (
    Appeal,
    AppealState,
    GradeChoice,
    Indicator,
    ListStatus,
    Publication,
    Result,
    Run,
)
from grassroots.assessment.permissions import APPEAL, MANAGE, VIEW
from grassroots.assessment.queries_publishing import kind_label, run_diff
from grassroots.assessment.states import RunState
from grassroots.assessment.views.bulletins import bulletin_boxes
from grassroots.common.http import user_of
from grassroots.org.permissions import can

PAGE_SIZE = 30


def _back(request: HttpRequest, run: Run) -> HttpResponseRedirect:
    """Back where the form came from (``next``), else the run's page, else publications."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    try:
        return HttpResponseRedirect(reverse("assessment:run", args=[run.pk]))
    except NoReverseMatch:
        return HttpResponseRedirect(reverse("assessment:publications"))


def _run_in_scope(request: HttpRequest, pk: int) -> Run:
    """A run the viewer may see (``access.visible_run``: every version for the office, the
    published and frozen ones for the units — a computed run under review is a 404)."""
    return access.visible_run(user_of(request), pk)


def _diff_run(request: HttpRequest, pk: int) -> Run:
    """A run whose differences the viewer may see: one it may see, or the new version that
    accepting one of its appeals computed (the unit follows its appeal to the correction,
    its own rows only, before the office publishes that version)."""
    user = user_of(request)
    access.id_or_404(pk)
    try:
        return access.visible_run(user, pk)
    except Http404:
        appealed = Appeal.objects.visible_to(user).filter(new_run_id=pk).values("new_run_id")
        run = Run.objects.select_related("scheme__root").filter(pk__in=appealed).first()
        if run is None:
            raise
        return run


def _publish_page(
    request: HttpRequest, run: Run, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The publish page of ``run``; ``error``: why publishing or freezing was refused."""
    newer = (
        Run.objects.filter(scheme=run.scheme, period=run.period, version__gt=run.version)
        .order_by("-version")
        .first()
    )
    return render(
        request,
        "assessment/publishing/publish.html",
        {
            "run": run,
            "kind": kind_label(run.kind),
            "state": RunState(run.state).label,
            "publishable_state": run.state == RunState.COMPUTED,
            "publication": Publication.objects.filter(run=run).first(),
            "newer": newer,
            "failures": spread_failures(run) if run.state == RunState.COMPUTED else [],
            "results": Result.objects.filter(run=run).count(),
            "appeal_workdays": run.scheme.appeal_workdays,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what publishing will do, and whether the run may be published (the rules of the
    minimum spread it fails, a newer version); POST: publish (季晒/年评). A refusal is the
    same page with the reason, answered 400 (a rule failed) or 409 (the run's state)."""
    user = user_of(request)
    if not can(user, MANAGE):  # a unit's people publish nothing, whichever run it is
        raise PermissionDenied
    run = _run_in_scope(request, pk)
    if not can(user, MANAGE, run.scheme.root):
        raise PermissionDenied
    if request.method == "GET":
        return _publish_page(request, run)
    try:
        publication = publish_run(run, actor=user)
    except AssessmentError as exc:
        run.refresh_from_db()
        return _publish_page(request, run, error=str(exc.message), status=exc.http_status)
    messages.success(
        request,
        _("Published. SHA-256 %(sha)s; appeals are open until %(date)s.")
        % {"sha": publication.sha256, "date": publication.appeal_until.isoformat()},
    )
    return _back(request, run)


@login_required
@require_POST
def freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """Freeze a published run once its appeal window has closed and no appeal waits; a
    refusal is the run's publish page with the reason (409)."""
    user = user_of(request)
    if not can(user, MANAGE):
        raise PermissionDenied
    run = _run_in_scope(request, pk)
    if not can(user, MANAGE, run.scheme.root):
        raise PermissionDenied
    try:
        freeze_run(run, actor=user)
    except AssessmentError as exc:
        run.refresh_from_db()
        return _publish_page(request, run, error=str(exc.message), status=exc.http_status)
    messages.success(request, _("The run is frozen: it can never change again."))
    return _back(request, run)


@login_required
@require_safe
def publications(request: HttpRequest) -> HttpResponse:
    """Every publication (newest first) with its hash, appeal window and state."""
    user = user_of(request)
    if not can(user, VIEW):
        raise PermissionDenied
    rows = (
        Publication.objects.select_related("scheme__root", "run")
        .defer("snapshot", "scheme__root__geometry")  # the list shows neither
        .order_by("-published_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = dict(
        Appeal.objects.filter(
            run__in=[p.run_id for p in page.object_list], state=AppealState.SUBMITTED
        )
        .values("run_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("run_id", "n")
    )
    mine = {s.pk for s in access.visible_schemes(user)}  # whose bulletins the viewer may ask for
    boxes = bulletin_boxes([p for p in page.object_list if p.scheme_id in mine])
    items = [
        {
            "publication": p,
            "bulletins": boxes.get(p.pk),
            "kind": kind_label(p.run.kind),
            "state": RunState(p.run.state).label,
            "may_freeze": p.run.state == RunState.PUBLISHED and can(user, MANAGE, p.scheme.root),
            "waiting": waiting.get(p.run_id, 0),
        }
        for p in page.object_list
    ]
    return render(
        request, "assessment/publishing/publications.html", {"page": page, "items": items}
    )


@login_required
@require_safe
def appeals(request: HttpRequest) -> HttpResponse:
    """Appeals in the viewer's scope (the office: all of its units; a unit: its own), newest
    first, filtered by ``?state=``."""
    user = user_of(request)
    rows = Appeal.objects.visible_to(user).select_related("run__scheme", "unit", "indicator")
    counts = dict(rows.values("state").annotate(n=Count("pk")).order_by().values_list("state", "n"))
    state = request.GET.get("state", "")
    if state in AppealState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    page = Paginator(rows.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/publishing/appeals.html",
        {
            "page": page,
            "state": state,
            "states": [(s.value, s.label, counts.get(s.value, 0)) for s in AppealState],
            "querystring": f"state={state}" if state else "",
        },
    )


def _error_on(form: Any, exc: AssessmentError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit appeals one of its scores in a published run (``?unit=<code>&indicator=<code>``
    choose the score; only units the viewer may appeal for are offered)."""
    user = user_of(request)
    run = _run_in_scope(request, pk)
    visible = Result.objects.visible_to(user).filter(run=run).select_related("unit")
    units = [r.unit for r in visible.order_by("unit__code") if can(user, APPEAL, r.unit)]
    if not units:
        raise PermissionDenied
    indicators = list(Indicator.objects.filter(scheme=run.scheme).order_by("position", "code"))
    initial: dict[str, Any] = {}
    wanted_unit = request.GET.get("unit", "")
    if wanted_unit:
        chosen = next((u for u in units if u.code == wanted_unit), None)
        if chosen is None:
            raise Http404
        initial["unit"] = chosen.pk
    elif len(units) == 1:
        initial["unit"] = units[0].pk
    wanted_indicator = request.GET.get("indicator", "")
    if wanted_indicator:
        found = next((i for i in indicators if i.code == wanted_indicator), None)
        if found is None:
            raise Http404
        initial["indicator"] = found.pk
    form = AppealForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        units=[(u.pk, f"{u.name} ({u.code})") for u in units],
        indicators=[(i.pk, f"{i.name} ({i.code})") for i in indicators],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        indicator = next(i for i in indicators if i.pk == data["indicator"])
        try:
            appeal = submit_appeal(
                run,
                unit,
                indicator,
                reason=data["reason"],
                claimed_value=data["claimed_value"],
                evidence=data["evidence"],
                actor=user,
            )
        except AssessmentError as exc:
            _error_on(form, exc)
        else:
            messages.success(request, _("The appeal has been submitted."))
            return HttpResponseRedirect(reverse("assessment:appeal", args=[appeal.pk]))
    score = None
    if "unit" in initial and "indicator" in initial:
        score = (
            run.scores.visible_to(user)
            .filter(unit_id=initial["unit"], indicator_id=initial["indicator"])
            .first()
        )
    publication = Publication.objects.filter(run=run).first()
    return render(
        request,
        "assessment/publishing/appeal_new.html",
        {
            "run": run,
            "kind": kind_label(run.kind),
            "form": form,
            "score": score,
            "publication": publication,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _appeal_in_scope(request: HttpRequest, pk: int) -> Appeal:
    appeal: Appeal | None = (
        Appeal.objects.visible_to(user_of(request))
        .select_related(
            "run__scheme__root", "unit", "indicator", "new_run", "submitted_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """An appeal: what was claimed, the score it concerns, the decision and, once accepted,
    the new version and its differences; the office decides here."""
    user = user_of(request)
    item = _appeal_in_scope(request, pk)
    may_decide = item.state == AppealState.SUBMITTED and can(user, MANAGE, item.run.scheme.root)
    form = DecideForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                decide_appeal(
                    item,
                    accept=data["decision"] == "accept",
                    reason=data["reason"],
                    corrected_value=data["corrected_value"],
                    actor=user,
                )
            except AssessmentError as exc:
                _error_on(form, exc)
            else:
                messages.success(request, _("The appeal has been decided."))
                return HttpResponseRedirect(reverse("assessment:appeal", args=[item.pk]))
    score = item.run.scores.filter(unit=item.unit, indicator=item.indicator).first()
    new_score = (
        item.new_run.scores.filter(unit=item.unit, indicator=item.indicator).first()
        if item.new_run
        else None
    )
    return render(
        request,
        "assessment/publishing/appeal.html",
        {
            "appeal": item,
            "kind": kind_label(item.run.kind),
            "score": score,
            "new_score": new_score,
            "form": form,
            "publication": Publication.objects.filter(run=item.run).first(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_safe
def appeal_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An appeal's evidence file, as a download."""
    item = _appeal_in_scope(request, pk)
    if not item.evidence:
        raise Http404
    try:
        handle = item.evidence.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=item.evidence.name.rsplit("/", 1)[-1])


@login_required
@require_safe
def diff_parent(request: HttpRequest, pk: int) -> HttpResponse:
    """The differences of a version from the one it recomputed (its parent)."""
    run = _diff_run(request, pk)
    if run.parent_id is None:
        raise Http404
    return diff(request, run.parent_id, run.pk)


@login_required
@require_safe
def diff(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """What changed from one version to another of the same scheme and period (only the
    units the viewer may see; only changed rows)."""
    user = user_of(request)
    before = _diff_run(request, pk)
    after = _diff_run(request, other)
    if (before.scheme_id, before.period) != (after.scheme_id, after.period):
        raise Http404
    named = run_diff(before, after, user=user)
    grades = dict(GradeChoice.choices)
    lists = dict(ListStatus.choices)

    def show(field: str, value: Any) -> Any:
        if value is None:
            return "—"
        if field == "grade":
            return grades.get(value, value)
        if field == "list_status":
            return lists.get(value, value) if value else _("Neither")
        if field == "reward_fen":
            return f"{value / 100:,.2f}"
        if field == "vetoed":
            return _("Yes") if value else _("No")
        return value

    fields = {
        "total": _("Total"),
        "rank": _("Rank"),
        "grade": _("Grade"),
        "list_status": _("List"),
        "reward_fen": _("Reward (yuan)"),
        "training_places": _("Training places"),
        "vetoed": _("Vetoed"),
    }
    rows = [
        {
            "unit": named.unit_names.get(str(c.unit), c.unit),
            "code": c.unit,
            "changes": [
                (
                    fields.get(ch.field, ch.field),
                    show(ch.field, ch.before),
                    show(ch.field, ch.after),
                )
                for ch in c.changes
            ],
        }
        for c in named.diff.results
    ]
    scores = [
        {
            "unit": named.unit_names.get(str(s.unit), s.unit),
            "indicator": named.indicator_names.get(str(s.indicator), s.indicator),
            "before": "—" if s.before is None else s.before,
            "after": "—" if s.after is None else s.after,
        }
        for s in named.diff.scores
    ]
    return render(
        request,
        "assessment/publishing/diff.html",
        {
            "before": before,
            "after": after,
            "kind": kind_label(after.kind),
            "rows": rows,
            "scores": scores,
            "appeals": Appeal.objects.visible_to(user)
            .filter(new_run=after)
            .select_related("unit", "indicator"),
        },
    )


__all__ = [
    "appeal",
    "appeal_evidence",
    "appeal_new",
    "appeals",
    "diff",
    "diff_parent",
    "freeze",
    "publications",
    "publish",
]
