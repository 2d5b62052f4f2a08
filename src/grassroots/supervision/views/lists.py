"""The task lists of a unit, the weekly board (每周调度), livelihood projects and the
help page of the status rule.

Every list is scoped: a unit is shown only to people who may see supervision there
(``supervision.view`` over it, else 404), and its rows come through
``Task.objects.visible_to``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grassroots.common.http import user_of
from grassroots.common.metrics import Period, PeriodError, registry
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require, role_may
from grassroots.org.queries import active_grants
from grassroots.supervision import conf
from grassroots.supervision import permissions as perms
from grassroots.supervision.actions._base import FIRST_DATE, LAST_DATE
from grassroots.supervision.forms import TaskFilterForm
from grassroots.supervision.models import ExtensionRequest, Feasibility, ProgressReport, Task
from grassroots.supervision.queries import TaskQuerySet, weekly_board
from grassroots.supervision.states import DisplayStatus

PAGE_SIZE = 30
BOX_SIZE = 10
#: The columns a row shows.
ROW_FIELDS = (
    "id",
    "title",
    "doc_number",
    "kind",
    "level",
    "state",
    "start_date",
    "deadline",
    "target_value",
    "target_measure",
    "verified_value",
    "verified_percent",
    "escalation_level",
    "unit_id",
    "unit__name",
    "issuer_id",
    "feasibility",
)

TABS: tuple[tuple[str, str | Promise], ...] = (
    ("mine", _("Our tasks")),
    ("issued", _("Deployed by us")),
)


def home_units(user: User) -> list[Unit]:
    """The units of the user's memberships that may see supervision, in path order."""
    ids = [g.unit_id for g in active_grants(user) if role_may(g.role, perms.VIEW)]
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids).defer("geometry")}
    seen: list[Unit] = []
    for unit_id in ids:
        unit = by_id.get(unit_id)
        if unit is not None and unit not in seen:
            seen.append(unit)
    return seen


def chosen_unit(request: HttpRequest, user: User) -> tuple[Unit, list[Unit]]:
    """The unit asked for by ``?unit=<code>`` (in scope, else 404) or the user's first."""
    units = home_units(user)
    code = request.GET.get("unit", "")
    if code:
        unit = Unit.objects.filter(code=code, active=True).defer("geometry").first()
        if unit is None or not can(user, perms.VIEW, unit):
            raise Http404
        return unit, units if unit in units else [*units, unit]
    if units:
        return units[0], units
    if user.is_superuser:
        root = Unit.objects.filter(parent=None).defer("geometry").order_by("path").first()
        if root is not None:
            return root, [root]
    require(user, perms.VIEW)
    raise Http404


def apply_filters(tasks: TaskQuerySet, data: dict[str, Any]) -> TaskQuerySet:
    if kind := data.get("kind"):
        tasks = tasks.filter(kind=kind)
    if level := data.get("level"):
        tasks = tasks.filter(level=level)
    if start := data.get("due_from"):
        tasks = tasks.filter(deadline__gte=start)
    if end := data.get("due_to"):
        tasks = tasks.filter(deadline__lte=end)
    if text := (data.get("q") or "").strip():
        tasks = tasks.filter(Q(title__icontains=text) | Q(doc_number__icontains=text))
    return tasks


def rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("unit").only(*ROW_FIELDS)


def status_counts(tasks: TaskQuerySet) -> list[tuple[DisplayStatus, int]]:
    """How many of ``tasks`` have each display status (one grouped query)."""
    found = {
        row["display_status"]: row["n"]
        for row in tasks.order_by().values("display_status").annotate(n=Count("id"))
    }
    return [(s, int(found.get(s.value, 0))) for s in DisplayStatus]


def _querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """A unit's tasks by urgency (overdue first, then lagging, then nearest deadline), with
    filters, counts per status, and the issuer's boxes: reports to verify, extension
    requests to decide."""
    user = user_of(request)
    unit, units = chosen_unit(request, user)
    tab = request.GET.get("tab", "mine")
    if tab not in dict(TABS):
        tab = "mine"
    today = timezone.localdate()
    base: TaskQuerySet = Task.objects.visible_to(user)
    base = base.of_unit(unit) if tab == "mine" else base.issued_by(unit)
    form = TaskFilterForm(request.GET or None)
    data = form.valid_data()
    filtered = apply_filters(base, data).with_status(today)
    counts = status_counts(filtered)
    if status := data.get("status"):
        filtered = filtered.filter(display_status=status)
    page = Paginator(rows(filtered.by_urgency()), PAGE_SIZE).get_page(request.GET.get("page"))
    may_verify = can(user, perms.VERIFY, unit)
    to_verify = (
        ProgressReport.objects.to_verify_by(unit).filter(
            task__in=Task.objects.visible_to(user).values("pk")
        )
        if may_verify
        else ProgressReport.objects.none()
    )
    to_decide = (
        ExtensionRequest.objects.to_decide_by(unit).filter(
            task__in=Task.objects.visible_to(user).values("pk")
        )
        if may_verify
        else ExtensionRequest.objects.none()
    )
    return render(
        request,
        "supervision/task_list.html",
        {
            "unit": unit,
            "units": units,
            "tabs": TABS,
            "tab": tab,
            "form": form,
            "page": page,
            "counts": counts,
            "status": data.get("status", ""),
            "today": today,
            "may_verify": may_verify,
            "to_verify": list(to_verify.select_related("task", "task__unit")[:BOX_SIZE]),
            "to_verify_count": to_verify.count(),
            "to_decide": list(to_decide.select_related("task", "task__unit")[:BOX_SIZE]),
            "to_decide_count": to_decide.count(),
            "can_deploy": can(user, perms.DEPLOY),
            "querystring": _querystring(request),
            "status_querystring": _querystring(request, "status"),
            "keep": [("unit", unit.code), ("tab", tab)],
        },
    )


def _week(request: HttpRequest) -> Period:
    raw = request.GET.get("week", "").strip()
    if raw:
        try:
            period = Period.parse(raw)
        except (PeriodError, OverflowError):
            period = None
        # Only weeks of sensible years: the page links the weeks before and after.
        if (
            period is not None
            and raw.upper().count("-W") == 1
            and FIRST_DATE <= period.start.date() <= LAST_DATE
        ):
            return period
    year, week, _day = timezone.localdate().isocalendar()
    return Period.parse(f"{year}-W{week:02d}")


def week_label(day: dt.date) -> str:
    year, week, _day = day.isocalendar()
    return f"{year}-W{week:02d}"


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """每周调度: a unit's (and the units below's) tasks due in the week, the ones that
    moved in it, and the ones late today. ``?week=2026-W36`` picks the week."""
    user = user_of(request)
    unit, units = chosen_unit(request, user)
    week = _week(request)
    found = weekly_board(unit, week, user=user)
    first, last = found.first, found.last
    return render(
        request,
        "supervision/board.html",
        {
            "unit": unit,
            "units": units,
            "week": week_label(first),
            "week_keep": [("week", week_label(first))],
            "first": first,
            "last": last,
            "previous": week_label(first - dt.timedelta(days=7)),
            "next": week_label(first + dt.timedelta(days=7)),
            "sections": [
                ("due", _("Due this week"), list(rows(found.due)[:200])),
                ("moved", _("Moved this week"), list(rows(found.moved)[:200])),
                ("late", _("Late today"), list(rows(found.late)[:200])),
            ],
            "today": timezone.localdate(),
        },
    )


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """Livelihood projects (民生工程) in the user's scope, with the feasibility decision
    and the explanation residents see."""
    user = user_of(request)
    require(user, perms.VIEW)
    feasibility = request.GET.get("feasibility", "")
    tasks: TaskQuerySet = Task.objects.visible_to(user).livelihood().with_status()
    if feasibility in Feasibility.values:
        tasks = tasks.filter(feasibility=feasibility)
    tasks = tasks.select_related("unit").only(
        *ROW_FIELDS, "budget", "location", "beneficiaries", "public_explanation", "explained_at"
    )
    page = Paginator(tasks.order_by("tree_path"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/projects.html",
        {
            "page": page,
            "feasibility": feasibility,
            "choices": Feasibility.choices,
            "querystring": _querystring(request),
            "today": timezone.localdate(),
        },
    )


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    """How a task's status is decided (the rule of ``progress.display_status``), and the
    exact definition of every supervision figure the assessment reads."""
    figures = [m for name, m in sorted(registry().items()) if name.startswith("supervision.")]
    return render(
        request, "supervision/help.html", {"margin": conf.risk_margin(), "figures": figures}
    )
