"""Deploying and keeping a task: create (下达), change, milestones, feasibility of a
livelihood project, closing (销号) and cancelling (撤销).

Scope (see ``permissions``): a root task is deployed by ``supervision.deploy`` over its
issuing unit; changing it, adding milestones, closing and cancelling need
``supervision.edit`` / ``supervision.close`` over the issuer; milestones are marked done by
the responsible unit itself (``supervision.report``); feasibility is decided with
``supervision.feasibility`` over the task's unit or issuer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.org.models import Unit, is_within
from grassroots.supervision import evidence as evidence_files
from grassroots.supervision.actions import _notify
from grassroots.supervision.actions._base import (
    TITLE_MAX,
    TaskRef,
    active_unit,
    audit,
    authorize,
    authorize_own_unit,
    clean_bool,
    clean_choice,
    clean_date,
    clean_number,
    clean_text,
    granting_unit_id,
    iso,
    line,
    lock_rollup_parent,
    lock_task,
    locked,
    move,
    num,
    pk_of,
    require_open,
    save_task,
    snapshot,
    units_of,
)
from grassroots.supervision.errors import IllegalTransition, SupervisionError
from grassroots.supervision.models import (
    ActionKind,
    ExtensionRequest,
    Feasibility,
    Milestone,
    Task,
    TaskCoUnit,
    TaskKind,
    TaskLevel,
    tree_path_of,
)
from grassroots.supervision.permissions import CLOSE, DEPLOY, EDIT, FEASIBILITY, REPORT
from grassroots.supervision.progress import ratio_percent
from grassroots.supervision.states import ExtensionState, TaskState

if TYPE_CHECKING:
    from grassroots.org.models import User

MilestoneRef = int | Milestone


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    """A milestone to create with a task: a title and the day it is due."""

    title: str
    due_date: dt.date


def _check_dates(start: dt.date, deadline: dt.date) -> None:
    if deadline < start:
        raise SupervisionError(
            _("The deadline cannot be before the start date."),
            field="deadline",
            code="before_start",
        )


def _milestone_specs(
    items: Iterable[MilestoneSpec | tuple[str, dt.date] | Mapping[str, Any]],
    start: dt.date,
    deadline: dt.date,
) -> list[MilestoneSpec]:
    specs: list[MilestoneSpec] = []
    title: object
    due: object
    for item in items:
        if isinstance(item, MilestoneSpec):
            title, due = item.title, item.due_date
        elif isinstance(item, Mapping):
            title, due = item.get("title"), item.get("due_date")
        else:
            title, due = item
        specs.append(_milestone(title, due, start, deadline, field="milestones"))
    return specs


def _milestone(
    title: object, due: object, start: dt.date, deadline: dt.date, *, field: str
) -> MilestoneSpec:
    text = clean_text(title, field=field, required=True, max_length=TITLE_MAX)
    day = clean_date(due, field=field)
    if not start <= day <= deadline:
        raise SupervisionError(
            _("A milestone must fall between the start date %(start)s and the deadline %(end)s.")
            % {"start": start.isoformat(), "end": deadline.isoformat()},
            field=field,
            code="outside_task",
        )
    return MilestoneSpec(text, day)


def _co_units(values: Iterable[object], unit: Unit) -> list[Unit]:
    units = units_of(values, field="co_units")
    if any(u.pk == unit.pk for u in units):
        raise SupervisionError(
            _("The responsible unit cannot also be a co-unit."), field="co_units", code="same_unit"
        )
    return units


def _livelihood_fields(
    kind: str, budget: object, location: object, beneficiaries: object
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "budget": None
        if budget is None or budget == ""
        else clean_number(budget, field="budget", integer_digits=10),
        "location": clean_text(location, field="location", max_length=200),
        "beneficiaries": clean_text(beneficiaries, field="beneficiaries", max_length=200),
    }
    if kind != TaskKind.LIVELIHOOD and any(
        fields[k] not in (None, "") for k in ("budget", "location", "beneficiaries")
    ):
        raise SupervisionError(
            _("Budget, location and beneficiaries belong to livelihood projects."),
            field="kind",
            code="not_livelihood",
        )
    return fields


@transaction.atomic
def create_task(
    *,
    actor: User,
    title: str,
    kind: str,
    unit: Unit | int,
    deadline: dt.date,
    start_date: dt.date | None = None,
    issuer: Unit | int | None = None,
    doc_number: str = "",
    description: str = "",
    level: str = TaskLevel.NORMAL,
    target_value: Decimal | int | str | None = None,
    target_measure: str = "",
    co_units: Iterable[Unit | int] = (),
    milestones: Sequence[MilestoneSpec | tuple[str, dt.date] | Mapping[str, Any]] = (),
    budget: Decimal | int | str | None = None,
    location: str = "",
    beneficiaries: str = "",
    note: str = "",
) -> Task:
    """Deploy a root task (下达) from a document to its responsible (lead) unit.

    ``issuer`` defaults to the unit of the actor's membership granting
    ``supervision.deploy`` over ``unit`` (the city office: the city). The responsible unit
    lies below the issuer — or is the issuer itself: then the task is that unit's umbrella
    over the units directly below it, to be split among them with ``cascade_task``, and
    its progress is theirs added up. ``start_date`` defaults to today; the deadline may
    not be before it. ``target_value`` (positive, at most four decimal places) with its
    ``target_measure`` (万元, 处…) makes the task quantitative; without one, progress is
    reported in percent. Milestones must fall between start and deadline.
    """
    unit = active_unit(unit, field="unit")
    if issuer is None:
        issuer_id = granting_unit_id(actor, DEPLOY, unit)
        if issuer_id is None:
            if actor is not None and actor.is_superuser:
                raise SupervisionError(_("Choose the issuing unit."), field="issuer")
            raise PermissionDenied(_("You are not allowed to do this here."))
        issuer = issuer_id
    issuer_unit = active_unit(issuer, field="issuer")
    actor_unit_id = authorize(actor, DEPLOY, issuer_unit)
    if not is_within(unit.path, issuer_unit.path):
        raise SupervisionError(
            _("The responsible unit must belong to the issuing unit."),
            field="unit",
            code="outside_issuer",
        )
    title = clean_text(title, field="title", required=True, max_length=TITLE_MAX)
    kind = clean_choice(kind, TaskKind, field="kind")
    level = clean_choice(level, TaskLevel, field="level")
    start = clean_date(start_date, field="start_date") if start_date else timezone.localdate()
    end = clean_date(deadline, field="deadline")
    _check_dates(start, end)
    target = (
        None
        if target_value is None or target_value == ""
        else clean_number(target_value, field="target_value", positive=True)
    )
    measure = clean_text(target_measure, field="target_measure", max_length=16)
    extra = _livelihood_fields(kind, budget, location, beneficiaries)
    specs = _milestone_specs(milestones, start, end)
    partners = _co_units(co_units, unit)
    note = clean_text(note, field="note")

    return _insert_task(
        actor=actor,
        actor_unit_id=actor_unit_id,
        unit=unit,
        issuer=issuer_unit,
        fields={
            "title": title,
            "doc_number": clean_text(doc_number, field="doc_number", max_length=64),
            "kind": kind,
            "description": clean_text(description, field="description", max_length=20000),
            "level": level,
            "start_date": start,
            "deadline": end,
            "target_value": target,
            "target_measure": measure,
            **extra,
        },
        co_units=partners,
        milestones=specs,
        note=note,
    )


def _insert_task(
    *,
    actor: User | None,
    actor_unit_id: int | None,
    unit: Unit,
    issuer: Unit,
    fields: dict[str, Any],
    co_units: Sequence[Unit] = (),
    milestones: Sequence[MilestoneSpec] = (),
    note: str = "",
) -> Task:
    """Write a checked root task: the row, its tree path, co-units and milestones, the
    timeline's creation line, the audit entry and (after commit) the notice to the
    responsible unit. Shared by ``create_task`` and ``commitments.commit_task``."""
    task = Task.objects.create(
        unit=unit,
        unit_path=unit.path,
        issuer=issuer,
        issuer_path=issuer.path,
        created_by=actor if actor is not None and actor.pk else None,
        **fields,
    )
    task.tree_path = tree_path_of(task.pk, None)
    task.save(update_fields=["tree_path"])
    TaskCoUnit.objects.bulk_create([TaskCoUnit(task=task, unit=u) for u in co_units])
    Milestone.objects.bulk_create(
        [Milestone(task=task, title=s.title, due_date=s.due_date) for s in milestones]
    )
    now = timezone.now()
    line(
        task,
        ActionKind.CREATE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data={"unit": unit.code, "issuer": issuer.code, "milestones": len(milestones)},
        at=now,
    )
    audit("created", task, actor=actor, after=snapshot(task), note=note)
    if not task.is_rollup:
        _notify.notify_on_commit(
            [
                _notify.to_unit(
                    task.pk, ActionKind.CREATE, unit.pk, title=task.title, deadline=task.deadline
                )
            ],
            actor_id=actor.pk if actor is not None else None,
        )
    return task


#: What ``update_task`` may change.
EDITABLE = frozenset(
    {
        "title",
        "doc_number",
        "description",
        "level",
        "start_date",
        "deadline",
        "target_value",
        "target_measure",
        "co_units",
        "budget",
        "location",
        "beneficiaries",
    }
)


@transaction.atomic
def update_task(
    task: TaskRef,
    *,
    actor: User,
    changes: Mapping[str, Any],
    note: str = "",
    version: int | None = None,
) -> Task:
    """Change an open task's details (``EDITABLE`` keys of ``changes``), by its issuer.

    Dates: the deadline stays on or after the start, on or before the parent's deadline
    and on or after every sub-task's deadline (a responsible unit asks for more time with
    ``request_extension``). The target stays at least what the sub-tasks were given and
    cannot be added to or removed from a task that has progress reports. A new target
    recomputes the verified share (and completes the task when it is reached). One audit
    entry ``supervision.task.updated`` with the values before and after.
    """
    rollup_parent = lock_rollup_parent(pk_of(task, Task))
    if rollup_parent is None and "target_value" in changes:
        # The parent's target bounds the shares: lock it (ancestors first) so that a
        # cascade or a sibling's change cannot slip in between.
        parent_id = Task.objects.filter(pk=pk_of(task, Task)).values_list("parent_id", flat=True)
        if (found := parent_id.first()) is not None:
            lock_task(found)
    task = lock_task(task, version=version)
    actor_unit_id = authorize(actor, EDIT, task.issuer)
    require_open(task)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise SupervisionError(
            _("This cannot be changed here."), field=unknown[0], code="not_editable"
        )
    note = clean_text(note, field="note")
    before = snapshot(task)
    fields: list[str] = []
    simple: dict[str, Callable[[Any], str]] = {
        "title": lambda v: clean_text(v, field="title", required=True, max_length=TITLE_MAX),
        "doc_number": lambda v: clean_text(v, field="doc_number", max_length=64),
        "description": lambda v: clean_text(v, field="description", max_length=20000),
        "level": lambda v: clean_choice(v, TaskLevel, field="level"),
        "target_measure": lambda v: clean_text(v, field="target_measure", max_length=16),
    }
    for name, clean in simple.items():
        if name in changes:
            setattr(task, name, clean(changes[name]))
            fields.append(name)
    if {"budget", "location", "beneficiaries"} & set(changes):
        extra = _livelihood_fields(
            task.kind,
            changes.get("budget", task.budget),
            changes.get("location", task.location),
            changes.get("beneficiaries", task.beneficiaries),
        )
        for name, value in extra.items():
            setattr(task, name, value)
            fields.append(name)
    if "start_date" in changes or "deadline" in changes:
        start = clean_date(changes.get("start_date", task.start_date), field="start_date")
        end = clean_date(changes.get("deadline", task.deadline), field="deadline")
        _check_dates(start, end)
        _check_deadline_in_tree(task, end)
        outside = (
            Milestone.objects.filter(task=task)
            .exclude(due_date__gte=start, due_date__lte=end)
            .values_list("due_date", flat=True)
            .first()
        )
        if outside is not None:
            raise SupervisionError(
                _("A milestone is due on %(date)s, outside the new dates.")
                % {"date": outside.isoformat()},
                field="deadline" if "deadline" in changes else "start_date",
                code="milestone_outside",
            )
        task.start_date, task.deadline = start, end
        fields += ["start_date", "deadline"]
    if "target_value" in changes:
        fields += _change_target(task, changes["target_value"])
    if "co_units" in changes:
        partners = _co_units(changes["co_units"] or (), task.unit)
        TaskCoUnit.objects.filter(task=task).delete()
        TaskCoUnit.objects.bulk_create([TaskCoUnit(task=task, unit=u) for u in partners])
        task.__dict__.pop("_co_unit_paths", None)
    now = timezone.now()
    if fields:
        save_task(task, *dict.fromkeys(fields))
    if task.verified_percent >= 100 and task.state == TaskState.OPEN and task.has_target:
        from grassroots.supervision.actions.reporting import complete

        complete(task, now=now, actor=actor, actor_unit_id=actor_unit_id)
    if rollup_parent is not None and "target_value" in changes:
        from grassroots.supervision.actions.reporting import refresh_rollup

        refresh_rollup(rollup_parent, now=now, actor=actor)
    after = snapshot(task)
    line(
        task,
        ActionKind.UPDATE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data={"changed": sorted(set(changes))},
        at=now,
    )
    audit("updated", task, actor=actor, before=before, after=after, note=note)
    return task


def _check_deadline_in_tree(task: Task, deadline: dt.date) -> None:
    if task.parent is not None and deadline > task.parent.deadline:
        raise SupervisionError(
            _("The deadline cannot be after the parent task's deadline %(date)s.")
            % {"date": task.parent.deadline.isoformat()},
            field="deadline",
            code="after_parent",
        )
    latest = (
        Task.objects.filter(parent=task)
        .not_cancelled()
        .order_by("-deadline")
        .values_list("deadline", flat=True)
        .first()
    )
    if latest is not None and deadline < latest:
        raise SupervisionError(
            _("A sub-task is due on %(date)s, after this deadline.") % {"date": latest.isoformat()},
            field="deadline",
            code="before_children",
        )


def _change_target(task: Task, value: object) -> list[str]:
    target = (
        None
        if value is None or value == ""
        else clean_number(value, field="target_value", positive=True)
    )
    if (target is None) != (task.target_value is None) and task.reports.exists():
        raise SupervisionError(
            _("A target cannot be added or removed once progress has been reported."),
            field="target_value",
            code="has_reports",
        )
    if target is not None:
        assigned = (
            Task.objects.filter(parent=task).not_cancelled().aggregate(s=Sum("target_value"))["s"]
        )
        if assigned is not None and target < assigned:
            raise SupervisionError(
                _("The sub-tasks were given %(assigned)s already; the target cannot be less.")
                % {"assigned": num(assigned)},
                field="target_value",
                code="below_children",
            )
        parent = task.parent
        if parent is not None and parent.target_value is not None:
            siblings = (
                Task.objects.filter(parent=parent)
                .not_cancelled()
                .exclude(pk=task.pk)
                .aggregate(s=Sum("target_value"))["s"]
            ) or Decimal(0)
            if siblings + target > parent.target_value:
                raise SupervisionError(
                    _("The shares add up to %(total)s, more than the target %(target)s.")
                    % {"total": num(siblings + target), "target": num(parent.target_value)},
                    field="target_value",
                    code="exceeds_target",
                )
        if task.verified_value is not None and target < task.verified_value:
            raise SupervisionError(
                _("%(value)s is verified already; the target cannot be less.")
                % {"value": num(task.verified_value)},
                field="target_value",
                code="below_verified",
            )
    task.target_value = target
    if target is not None and task.verified_value is not None:
        task.verified_percent = ratio_percent(task.verified_value, target)
    return ["target_value", "verified_percent"]


@transaction.atomic
def add_milestone(
    task: TaskRef, *, actor: User, title: str, due_date: dt.date, version: int | None = None
) -> Milestone:
    """Add a milestone (节点) to an open task, by its issuer; it must fall between the
    task's start date and deadline."""
    task = lock_task(task, version=version)
    actor_unit_id = authorize(actor, EDIT, task.issuer)
    require_open(task)
    spec = _milestone(title, due_date, task.start_date, task.deadline, field="due_date")
    milestone = Milestone.objects.create(task=task, title=spec.title, due_date=spec.due_date)
    save_task(task)
    line(
        task,
        ActionKind.ADD_MILESTONE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        data={"milestone": milestone.pk, "title": spec.title, "due_date": iso(spec.due_date)},
    )
    audit(
        "milestone_added",
        task,
        actor=actor,
        after={"milestone": milestone.pk, "title": spec.title, "due_date": spec.due_date},
    )
    return milestone


@transaction.atomic
def complete_milestone(
    milestone: MilestoneRef,
    *,
    actor: User,
    note: str = "",
    evidence: Sequence[Any] = (),
) -> Milestone:
    """Mark a milestone done (节点完成), by the responsible unit itself, optionally with
    evidence files (``evidence.prepare_evidence``). A milestone done already is an
    ``IllegalTransition``."""
    milestone_pk = pk_of(milestone, Milestone)
    task_id = Milestone.objects.filter(pk=milestone_pk).values_list("task_id", flat=True).first()
    if task_id is None:
        from grassroots.supervision.errors import SupervisionNotFound

        raise SupervisionNotFound(milestone)
    task = lock_task(task_id)
    actor_unit_id = authorize_own_unit(actor, REPORT, task.unit)
    row: Milestone = locked(Milestone.objects.all(), milestone_pk)
    require_open(task)
    if row.done_at is not None:
        raise IllegalTransition(
            _("This milestone was marked done already."), current="done", target="done"
        )
    note = clean_text(note, field="note")
    files = evidence_files.prepare_all(evidence)
    now = timezone.now()
    row.done_at, row.done_by, row.note = now, actor, note
    row.save(update_fields=["done_at", "done_by", "note", "updated_at"])
    stored = evidence_files.store_evidence(task, files, milestone=row, uploaded_by=actor)
    save_task(task)
    line(
        task,
        ActionKind.COMPLETE_MILESTONE,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=note,
        data={"milestone": row.pk, "title": row.title, "evidence": [e.pk for e in stored]},
        at=now,
    )
    audit(
        "milestone_completed",
        task,
        actor=actor,
        after={"milestone": row.pk, "done_at": now, "evidence": [e.sha256 for e in stored]},
        note=note,
    )
    return row


#: An 11-digit mobile number or an 18-character resident ID number: personal data that a
#: public explanation must not carry.
_PERSONAL = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


@transaction.atomic
def decide_feasibility(
    task: TaskRef,
    *,
    actor: User,
    feasible: bool,
    explanation: str = "",
    version: int | None = None,
) -> Task:
    """Decide whether a livelihood project (民生工程) can be carried out now: 具备条件
    (feasible) or 不具备条件 (not feasible now). "Not feasible" needs a public
    explanation, which the portal shows to residents: it may not contain a phone or ID
    number. A feasible decision may carry one too; a new decision replaces the previous
    explanation. Open livelihood projects only."""
    task = lock_task(task, version=version)
    actor_unit_id = authorize(actor, FEASIBILITY, task.unit, task.issuer)
    if task.kind != TaskKind.LIVELIHOOD:
        raise SupervisionError(
            _("Only livelihood projects have a feasibility decision."),
            field="feasible",
            code="not_livelihood",
        )
    require_open(task)
    feasible = clean_bool(feasible, field="feasible")
    text = clean_text(explanation, field="explanation", required=not feasible, max_length=4000)
    if _PERSONAL.search(text):
        raise SupervisionError(
            _("The public explanation must not contain phone or ID numbers."),
            field="explanation",
            code="personal_data",
        )
    before = snapshot(task)
    now = timezone.now()
    task.feasibility = Feasibility.FEASIBLE if feasible else Feasibility.INFEASIBLE
    task.feasibility_decided_at = now
    task.public_explanation = text
    task.explained_at = now if text else None
    save_task(task, "feasibility", "feasibility_decided_at", "public_explanation", "explained_at")
    line(
        task,
        ActionKind.FEASIBILITY,
        actor=actor,
        actor_unit_id=actor_unit_id,
        note=text,
        data={"feasibility": task.feasibility},
        at=now,
    )
    audit("feasibility_decided", task, actor=actor, before=before, after=snapshot(task), note=text)
    return task


@transaction.atomic
def close_task(task: TaskRef, *, actor: User, note: str = "", version: int | None = None) -> Task:
    """Strike off (销号) a completed task, by its issuer: *completed* → *closed*."""
    task = lock_task(task, version=version)
    actor_unit_id = authorize(actor, CLOSE, task.issuer)
    note = clean_text(note, field="note")
    before = snapshot(task)
    move(task, TaskState.CLOSED)
    now = timezone.now()
    task.closed_at = now
    save_task(task, "state", "closed_at")
    line(task, ActionKind.CLOSE, actor=actor, actor_unit_id=actor_unit_id, note=note, at=now)
    audit("closed", task, actor=actor, before=before, after=snapshot(task), note=note)
    if not task.is_rollup:
        _notify.notify_on_commit(
            [
                _notify.to_unit(
                    task.pk,
                    ActionKind.CLOSE,
                    task.unit_id,
                    title=task.title,
                    deadline=task.deadline,
                    note=note,
                )
            ],
            actor_id=actor.pk,
        )
    return task


@transaction.atomic
def cancel_task(task: TaskRef, *, actor: User, reason: str, version: int | None = None) -> Task:
    """Withdraw (撤销) an open or completed task, with a reason, by its issuer. Its
    sub-tasks are withdrawn with it (each with its own timeline line and audit entry),
    pending extension requests are refused, and an umbrella parent's progress is added up
    again without it."""
    rollup_parent = lock_rollup_parent(pk_of(task, Task))
    task = lock_task(task, version=version)
    actor_unit_id = authorize(actor, CLOSE, task.issuer)
    reason = clean_text(reason, field="reason", required=True)
    if task.state not in (TaskState.OPEN, TaskState.COMPLETED):
        raise IllegalTransition(current=task.state, target=TaskState.CANCELLED)
    now = timezone.now()
    below = list(
        Task.objects.descendants_of(task)
        .filter(state__in=[TaskState.OPEN, TaskState.COMPLETED])
        .select_related("unit", "issuer")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    notices = []
    for item in [task, *below]:
        before = snapshot(item)
        move(item, TaskState.CANCELLED)
        item.cancelled_at, item.cancel_reason = now, reason
        save_task(item, "state", "cancelled_at", "cancel_reason")
        line(
            item,
            ActionKind.CANCEL,
            actor=actor,
            actor_unit_id=actor_unit_id,
            note=reason,
            data={"with": task.pk} if item is not task else {},
            at=now,
        )
        audit("cancelled", item, actor=actor, before=before, after=snapshot(item), note=reason)
        if not item.is_rollup:
            notices.append(
                _notify.to_unit(
                    item.pk,
                    ActionKind.CANCEL,
                    item.unit_id,
                    title=item.title,
                    deadline=item.deadline,
                    note=reason,
                )
            )
    ExtensionRequest.objects.filter(task__in=[task, *below], state=ExtensionState.PENDING).update(
        state=ExtensionState.REFUSED,
        decided_by=actor,
        decided_at=now,
        note=_("The task was cancelled."),
        updated_at=now,
    )
    if rollup_parent is not None:
        from grassroots.supervision.actions.reporting import refresh_rollup

        refresh_rollup(rollup_parent, now=now, actor=actor)
    _notify.notify_on_commit(notices, actor_id=actor.pk)
    return task
