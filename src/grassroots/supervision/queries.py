"""Named reads of target supervision; scope comes from the responsible unit, the issuing
unit and the co-units of a task.

``Task.objects.visible_to(user)``: tasks whose responsible unit, issuing unit or one of
whose co-units lies in the subtree of a membership whose role may ``supervision.view``
(a unit sees its own subtree's tasks and what it issued).

``with_status(today)`` annotates every row with its display status
(``display_status``), the plan line (``plan_percent``) and the sort key ``urgency``, in
SQL: the plan of each distinct (start date, deadline) pair of the open tasks in the
queryset is computed once in Python on the working-day calendar (one small query reads
the pairs), then a ``CASE`` carries it to the rows. The rule is ``progress``'s.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from grassroots.org.queries import ScopedQuerySet, active_grants, scope_q, subtree_q
from grassroots.supervision import conf
from grassroots.supervision.progress import (
    URGENCY,
    SplitGap,
    display_status,
    lagging_threshold,
    plan_percent,
)
from grassroots.supervision.states import DisplayStatus, ReportState, TaskState

if TYPE_CHECKING:
    from grassroots.common.metrics import Period
    from grassroots.org.models import Unit
    from grassroots.supervision.models import Task

VIEW = "supervision.view"
S = DisplayStatus
_PERCENT: DecimalField[Any, Any] = DecimalField(max_digits=5, decimal_places=2)


class TaskQuerySet(ScopedQuerySet):
    scope_path_fields = ("unit_path", "issuer_path")
    view_action = VIEW

    def visible_to(self, user: Any, action: str | None = None) -> Self:
        """Tasks in the user's scope: responsible unit, issuer or a co-unit in the
        subtree of a membership granting ``action`` (default ``supervision.view``)."""
        from grassroots.org.permissions import roles_granting
        from grassroots.supervision.models import TaskCoUnit

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = roles_granting(action or self.view_action)
        paths = {g.path for g in active_grants(user) if g.role in roles}
        if not paths:
            return self.none()
        co_unit = TaskCoUnit.objects.filter(task_id=OuterRef("pk")).filter(
            scope_q(("unit__path",), paths)
        )
        return self.filter(scope_q(self.scope_path_fields, paths) | Q(Exists(co_unit)))

    # --- lifecycle and dates -----------------------------------------------------------

    def open(self) -> Self:
        return self.filter(state=TaskState.OPEN)

    def not_cancelled(self) -> Self:
        return self.exclude(state=TaskState.CANCELLED)

    def overdue(self, today: dt.date | None = None) -> Self:
        """Open and past the deadline (the deadline day itself is still on time)."""
        return self.open().filter(deadline__lt=today or timezone.localdate())

    def due_between(self, first: dt.date, last: dt.date) -> Self:
        """Deadline on a day from ``first`` to ``last`` (both included), any state but
        cancelled."""
        return self.not_cancelled().filter(deadline__gte=first, deadline__lte=last)

    def at_risk(self, today: dt.date | None = None) -> Self:
        """Open, started, not overdue, and lagging behind the plan by more than the
        margin (``progress.display_status``)."""
        return self.with_status(today).filter(display_status=S.LAGGING)

    # --- units -------------------------------------------------------------------------

    def of_unit(self, unit: Unit) -> Self:
        """The unit's own tasks (it is the responsible unit)."""
        return self.filter(unit=unit)

    def within(self, unit: Unit) -> Self:
        """Tasks of the unit and of every unit below it."""
        return self.filter(subtree_q("unit_path", unit.path))

    def issued_by(self, unit: Unit) -> Self:
        """Tasks the unit deployed or split down, which it verifies, urges and closes."""
        return self.filter(issuer=unit).exclude(unit=unit)

    def for_unit(self, unit: Unit, today: dt.date | None = None) -> Self:
        """The unit's own tasks by urgency: overdue first, then lagging, then the rest by
        nearest deadline (done and cancelled ones last), with ``with_status``'s
        annotations."""
        return self.of_unit(unit).with_status(today).by_urgency()

    def by_urgency(self) -> Self:
        """Sort by the ``urgency`` annotation of ``with_status``, then deadline, then id."""
        return self.order_by("urgency", "deadline", "id")

    # --- the tree ----------------------------------------------------------------------

    def tree_of(self, task: Task) -> Self:
        """The task, its ancestors and all its descendants, depth-first (one indexed
        query on ``tree_path``)."""
        return self.filter(
            Q(pk__in=task.ancestor_ids())
            | Q(tree_path=task.tree_path)
            | Q(tree_path__startswith=task.tree_path + ".")
        ).order_by("tree_path")

    def descendants_of(self, task: Task) -> Self:
        """Everything below the task (children, grandchildren…), depth-first."""
        return self.filter(tree_path__startswith=task.tree_path + ".").order_by("tree_path")

    def roots(self) -> Self:
        return self.filter(parent__isnull=True)

    # --- livelihood projects -----------------------------------------------------------

    def livelihood(self) -> Self:
        return self.filter(kind="livelihood")

    def public_projects(self) -> Self:
        """Livelihood projects the public portal lists (not cancelled). Show only their
        title, location, beneficiaries, budget, dates, feasibility, status and public
        explanation: nothing else of a task is for the public."""
        return self.livelihood().not_cancelled().select_related("unit")

    # --- status ------------------------------------------------------------------------

    def with_status(self, today: dt.date | None = None) -> Self:
        """Annotate ``display_status`` (a ``DisplayStatus`` value), ``plan_percent`` (the
        plan line today; ``None`` for tasks that are done or cancelled) and ``urgency``
        (0 overdue, 1 lagging, 2 not started / on track, 3 completed, 4 closed, 5
        cancelled). One extra query reads the distinct date pairs of the open tasks."""
        from grassroots.common.workdays import current_calendar

        today = today or timezone.localdate()
        calendar = current_calendar()
        margin = conf.risk_margin()
        pairs = (
            self.filter(state=TaskState.OPEN, start_date__lt=today, deadline__gte=today)
            .order_by()
            .values_list("start_date", "deadline")
            .distinct()
        )
        groups: dict[tuple[Decimal, dt.date], list[dt.date]] = defaultdict(list)
        for start, deadline in pairs:
            plan = plan_percent(start, deadline, today, calendar)
            groups[(plan, start)].append(deadline)
        live = Q(state=TaskState.OPEN, start_date__lt=today, deadline__gte=today)
        plan_whens = [
            When(live & Q(start_date=start, deadline__in=sorted(deadlines)), then=Value(plan))
            for (plan, start), deadlines in sorted(groups.items())
        ]
        lag_whens = []
        for (plan, start), deadlines in sorted(groups.items()):
            threshold = lagging_threshold(plan, margin)
            if threshold is not None:
                lag_whens.append(
                    When(
                        live & Q(start_date=start, deadline__in=sorted(deadlines)),
                        then=Value(threshold),
                    )
                )
        open_ = Q(state=TaskState.OPEN)
        plan_expr = Case(
            When(open_ & Q(deadline__lt=today), then=Value(Decimal(100))),
            When(open_ & Q(start_date__gte=today), then=Value(Decimal(0))),
            *plan_whens,
            default=Value(None),
            output_field=_PERCENT,
        )
        lag_expr = Case(*lag_whens, default=Value(None), output_field=_PERCENT)
        status = Case(
            When(state=TaskState.CANCELLED, then=Value(S.CANCELLED.value)),
            When(state=TaskState.CLOSED, then=Value(S.CLOSED.value)),
            When(state=TaskState.COMPLETED, then=Value(S.COMPLETED.value)),
            When(deadline__lt=today, then=Value(S.OVERDUE.value)),
            When(start_date__gt=today, then=Value(S.NOT_STARTED.value)),
            When(verified_percent__lt=F("_lag_below"), then=Value(S.LAGGING.value)),
            When(verified_percent__lte=0, then=Value(S.NOT_STARTED.value)),
            default=Value(S.ON_TRACK.value),
            output_field=CharField(),
        )
        urgency = Case(
            *[When(display_status=value, then=Value(rank)) for value, rank in URGENCY.items()],
            default=Value(9),
            output_field=IntegerField(),
        )
        return (
            self.alias(_lag_below=lag_expr)
            .annotate(plan_percent=plan_expr, display_status=status)
            .annotate(urgency=urgency)
        )


class ReportQuerySet(ScopedQuerySet):
    """Progress reports, in scope by their task's responsible and issuing units."""

    scope_path_fields = ("task__unit_path", "task__issuer_path")
    view_action = VIEW

    def waiting(self) -> Self:
        """Submitted and not yet verified, oldest first."""
        return self.filter(state=ReportState.SUBMITTED).order_by("submitted_at", "id")

    def to_verify_by(self, unit: Unit) -> Self:
        """Reports waiting for ``unit``'s verification (it issued their tasks)."""
        return self.waiting().filter(task__issuer=unit).exclude(task__unit=unit)


class ExtensionQuerySet(ScopedQuerySet):
    """Extension requests, in scope by their task's responsible and issuing units."""

    scope_path_fields = ("task__unit_path", "task__issuer_path")
    view_action = VIEW

    def pending(self) -> Self:
        return self.filter(state="pending").order_by("requested_at", "id")

    def to_decide_by(self, unit: Unit) -> Self:
        return self.pending().filter(task__issuer=unit).exclude(task__unit=unit)


# --- one task ------------------------------------------------------------------------


def status_of(task: Task, today: dt.date | None = None) -> DisplayStatus:
    """The display status of one task today (``progress.display_status``)."""
    from grassroots.common.workdays import current_calendar

    return display_status(
        state=task.state,
        start_date=task.start_date,
        deadline=task.deadline,
        verified_percent=task.verified_percent,
        today=today or timezone.localdate(),
        calendar=current_calendar(),
        margin=conf.risk_margin(),
    )


def plan_of(task: Task, today: dt.date | None = None) -> Decimal:
    """Where the task's plan line stands today (``progress.plan_percent``)."""
    from grassroots.common.workdays import current_calendar

    return plan_percent(
        task.start_date, task.deadline, today or timezone.localdate(), current_calendar()
    )


def split_gap(task: Task) -> SplitGap:
    """How the shares of the task's (not cancelled) children add up against its target:
    "the sub-tasks add up to ``assigned`` of ``target``". One query."""
    from grassroots.supervision.models import Task as TaskModel

    row = (
        TaskModel.objects.filter(parent=task)
        .not_cancelled()
        .order_by()
        .aggregate(assigned=Sum("target_value"), children=Sum(Value(1)))
    )
    return SplitGap(
        target=task.target_value,
        assigned=row["assigned"] or Decimal(0),
        children=int(row["children"] or 0),
    )


# --- the weekly board ----------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyBoard:
    """每周调度 of one unit and its subtree for one week: what was due, what moved, what
    is late (querysets, with ``with_status`` annotations, not yet evaluated)."""

    unit: Unit
    first: dt.date
    last: dt.date
    due: QuerySet[Task]
    moved: QuerySet[Task]
    late: QuerySet[Task]


#: Timeline lines that mean a task moved forward.
MOVES = ("report", "accept_report", "complete", "complete_milestone", "close")


def weekly_board(unit: Unit, week: Period, *, user: Any = None) -> WeeklyBoard:
    """The weekly board of ``unit`` for ``week`` (``Period.parse("2026-W47")``): tasks of
    the unit's subtree due in the week (deadline on one of its days), tasks that moved in
    it (a progress report, a verification, a completion, a milestone done or a closing
    dated in the week), and tasks overdue today. With ``user``, only what they may see."""
    from grassroots.supervision.models import Task as TaskModel
    from grassroots.supervision.models import TaskAction

    first, last = week.local_dates()
    base = TaskModel.objects.within(unit)
    if user is not None:
        base = base.visible_to(user)
    moved_ids = TaskAction.objects.filter(
        kind__in=MOVES, created_at__gte=week.start, created_at__lt=week.end
    ).values("task_id")
    return WeeklyBoard(
        unit=unit,
        first=first,
        last=last,
        due=base.due_between(first, last).with_status().by_urgency(),
        moved=base.filter(pk__in=moved_ids).with_status().by_urgency(),
        late=base.overdue().with_status().by_urgency(),
    )


# --- named interfaces for other apps --------------------------------------------------


def tasks_reported_by(user_ids: list[int]) -> list[dict[str, Any]]:
    """The supervised tasks whose progress these users reported (``ProgressReport.
    submitted_by``, a report in any state): the people who carried them. One row per task
    and reporter, as plain data: ``user_id``, ``task_id``, ``title``, ``deadline`` (date),
    ``completed_at`` (aware datetime or ``None``), ``state`` (a ``TaskState`` value, cancelled
    included: the caller decides what counts). One query.

    The named interface through which the cadres app derives its key-moment records
    (关键时候检验) without reading this app's models."""
    from grassroots.supervision.models import ProgressReport

    if not user_ids:
        return []
    rows = (
        ProgressReport.objects.filter(submitted_by_id__in=sorted(set(user_ids)))
        .order_by("task_id", "submitted_by_id")
        .values_list(
            "submitted_by_id",
            "task_id",
            "task__title",
            "task__deadline",
            "task__completed_at",
            "task__state",
        )
        .distinct()
    )
    return [
        {
            "user_id": user_id,
            "task_id": task_id,
            "title": title,
            "deadline": deadline,
            "completed_at": completed_at,
            "state": state,
        }
        for user_id, task_id, title, deadline, completed_at, state in rows
    ]
