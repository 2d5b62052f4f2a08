"""A task's page: its place in the tree (ancestors and sub-tasks, each with its verified
progress and status), the split gap, milestones, progress reports with their evidence,
extension requests, urges, the timeline, and the forms of what the user may do.

Each form posts to :func:`act`, a thin view that parses it and calls ONE action. An
action's error goes back on the form field it names with HTTP 400; an illegal move or a
lost race is a 409 with the reason; a task out of the user's scope is a 404, a verb the
user may not do on a task they see is a 403. With htmx, the page's main part is swapped
in place instead of a redirect. The cascade form has a second button, 预览 (preview),
which shows the shares a split would give without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.supervision import conf
from grassroots.supervision.actions import eligible_units
from grassroots.supervision.errors import (
    IllegalTransition,
    SupervisionConflict,
    SupervisionError,
    SupervisionNotFound,
)
from grassroots.supervision.forms import apply_error
from grassroots.supervision.models import (
    Evidence,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    SplitBasis,
    Task,
    TaskAction,
    Urge,
)
from grassroots.supervision.progress import decimal_places, pro_rata
from grassroots.supervision.queries import plan_of, split_gap
from grassroots.supervision.states import ExtensionState, ReportState
from grassroots.supervision.views.verbs import VERBS, Verb, available_verbs

#: The tree shown on a page: at most this many nodes (a city-wide task with every
#: township and village is a few hundred).
TREE_LIMIT = 600


def visible_task(user: User, pk: int) -> Task:
    """The task with its status if the user may see it; otherwise 404."""
    task: Task | None = (
        Task.objects.visible_to(user)
        .with_status()
        .select_related("unit", "issuer", "parent")
        .defer("unit__geometry", "issuer__geometry")
        .prefetch_related("co_units")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def tree_nodes(task: Task, user: User) -> list[Task]:
    """The task's ancestors and descendants the user may see, depth-first, with status."""
    return list(
        Task.objects.tree_of(task)
        .visible_to(user)
        .with_status()
        .select_related("unit")
        .only(
            "id",
            "title",
            "state",
            "depth",
            "tree_path",
            "unit__name",
            "unit_id",
            "issuer_id",
            "start_date",
            "deadline",
            "target_value",
            "target_measure",
            "verified_value",
            "verified_percent",
        )
        .order_by("tree_path")[:TREE_LIMIT]
    )


def _evidence_prefetch() -> Prefetch[Any]:
    return Prefetch("evidence", queryset=Evidence.objects.order_by("id"))


@dataclass(frozen=True)
class Preview:
    """The shares a split would give (nothing written)."""

    rows: list[tuple[Unit, Decimal]]
    assigned: Decimal
    total: Decimal
    target: Decimal | None
    basis: str


def preview_split(task: Task, data: dict[str, Any]) -> Preview:
    """The split the cascade form asks for, computed as ``cascade_task`` would: by hand
    as typed, pro rata over what is left of the target among the units without a share
    (``progress.pro_rata``). ``SupervisionError`` (field ``basis``) when it cannot."""
    gap = split_gap(task)
    basis = data.get("basis") or SplitBasis.MANUAL
    rows: list[tuple[Unit, Decimal]]
    if basis == SplitBasis.MANUAL:
        rows = []
        for unit, raw in data.get("shares", {}).items():
            try:
                rows.append((unit, Decimal(str(raw))))
            except ArithmeticError:
                raise SupervisionError(
                    _("Give a number for %(unit)s.") % {"unit": unit.name}, field="__all__"
                ) from None
    else:
        if task.target_value is None:
            raise SupervisionError(_("This task has no target to split."), field="basis")
        taken = set(
            Task.objects.filter(parent=task).not_cancelled().values_list("unit_id", flat=True)
        )
        units = [u for u in eligible_units(task) if u.pk not in taken]
        weights = [int(getattr(u, str(basis))) for u in units]
        left = task.target_value - gap.assigned
        if not units or sum(weights) == 0:
            raise SupervisionError(
                _("The units below have no households recorded.")
                if basis == SplitBasis.HOUSEHOLDS
                else _("The units below have no population recorded."),
                field="basis",
            )
        if left <= 0:
            raise SupervisionError(_("The whole target has been split already."), field="basis")
        values = pro_rata(left, weights, decimal_places(task.target_value))
        rows = list(zip(units, values, strict=True))
    total = gap.assigned + sum((v for _u, v in rows), Decimal(0))
    return Preview(rows, gap.assigned, total, task.target_value, str(basis))


def detail_context(
    request: HttpRequest,
    task: Task,
    *,
    failed: tuple[Verb, Any] | None = None,
    problem: str = "",
    preview: Preview | None = None,
) -> dict[str, Any]:
    user = user_of(request)
    today = timezone.localdate()
    verbs = {v.name: v for v in available_verbs(task, user)}
    candidates: list[Unit] = []
    if "cascade" in verbs:
        taken = set(
            Task.objects.filter(parent=task).not_cancelled().values_list("unit_id", flat=True)
        )
        candidates = [u for u in eligible_units(task) if u.pk not in taken]
        if not candidates:
            del verbs["cascade"]

    def form_for(verb: Verb, **initial: Any) -> Any:
        if failed is not None and failed[0].name == verb.name:
            bound = failed[1]
            key = next(iter(initial), None)
            if key is None or str(bound.data.get(f"{verb.name}-{key}")) == str(initial[key]):
                return bound
        form = verb.form(task, candidates=candidates)
        for name, value in initial.items():
            form.fields[name].initial = value
        return form

    panel = [(v, form_for(v)) for v in verbs.values() if v.placement == "panel"]
    reports = list(
        ProgressReport.objects.filter(task=task)
        .select_related("submitted_by", "verified_by")
        .prefetch_related(_evidence_prefetch())
        .order_by("-submitted_at", "-id")
    )
    for report in reports:
        if report.state == ReportState.SUBMITTED and "verify" in verbs:
            report.verify_form = form_for(VERBS["verify"], report=report.pk)
    extensions = list(
        ExtensionRequest.objects.filter(task=task)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
    for request_row in extensions:
        if request_row.state == ExtensionState.PENDING and "decide" in verbs:
            request_row.decide_form = form_for(VERBS["decide"], request=request_row.pk)
    milestones = list(
        Milestone.objects.filter(task=task)
        .select_related("done_by")
        .prefetch_related(_evidence_prefetch())
        .order_by("due_date", "id")
    )
    for milestone in milestones:
        if milestone.done_at is None and "done" in verbs:
            milestone.done_form = form_for(VERBS["done"], milestone=milestone.pk)  # type: ignore[attr-defined]
    nodes = tree_nodes(task, user)
    children = [n for n in nodes if n.tree_path.startswith(task.tree_path + ".")]
    gap = split_gap(task) if children or "cascade" in verbs else None
    return {
        "task": task,
        "today": today,
        "plan": plan_of(task, today),
        "margin": conf.risk_margin(),
        "nodes": nodes,
        "has_children": bool(children),
        "gap": gap,
        "milestones": milestones,
        "reports": reports,
        "extensions": extensions,
        "urges": list(
            Urge.objects.filter(task=task).select_related("by", "unit").order_by("-created_at")
        ),
        "timeline": list(
            TaskAction.objects.filter(task=task)
            .select_related("actor", "actor_unit")
            .defer("actor_unit__geometry")
            .order_by("created_at", "id")
        ),
        "verb_forms": panel,
        "open_verb": failed[0].name if failed else ("cascade" if preview else ""),
        "problem": problem,
        "preview": preview,
    }


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _render(request: HttpRequest, task: Task, status: int = 200, **kw: Any) -> HttpResponse:
    partial = is_htmx(request)
    template = "supervision/_task_main.html" if partial else "supervision/task_detail.html"
    context = {**detail_context(request, task, **kw), "partial": partial}
    return render(request, template, context, status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, visible_task(user_of(request), pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Parse one verb's form and call its action; see the module docstring for answers."""
    user = user_of(request)
    task = visible_task(user, pk)
    chosen = VERBS.get(verb)
    if chosen is None:
        raise Http404
    candidates: list[Unit] = []
    if chosen.name == "cascade":
        taken = set(
            Task.objects.filter(parent=task).not_cancelled().values_list("unit_id", flat=True)
        )
        candidates = [u for u in eligible_units(task) if u.pk not in taken]
    form = chosen.form(task, request.POST, request.FILES, candidates=candidates)
    if not form.is_valid():
        return _render(request, task, 400, failed=(chosen, form))
    aliases = dict(chosen.aliases)
    if chosen.name == "cascade" and request.POST.get("preview"):
        try:
            shown = preview_split(task, form.cleaned_data)
        except SupervisionError as exc:
            apply_error(form, exc, aliases)
            return _render(request, task, 400, failed=(chosen, form))
        return _render(request, task, failed=(chosen, form), preview=shown)
    try:
        chosen.perform(task, user, form.cleaned_data)
    except SupervisionNotFound:
        raise Http404 from None
    except (IllegalTransition, SupervisionConflict) as exc:
        return _render(request, visible_task(user, pk), 409, problem=str(exc.message))
    except SupervisionError as exc:
        apply_error(form, exc, aliases)
        return _render(request, task, 400, failed=(chosen, form))
    messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
    target = reverse("supervision:detail", args=[pk])
    if is_htmx(request):
        return _render(request, visible_task(user, pk))
    return HttpResponseRedirect(target)
