"""Splitting a task among the units directly below its unit (分解下达): city →
townships, township → villages.

Three ways, one call (``cascade_task``):

* **by hand** (``shares={unit: value}``): each value positive; together with what earlier
  sub-tasks were given they may not exceed the target (an error naming ``shares``,
  nothing written). Less is allowed: ``queries.split_gap`` tells the page "the sub-tasks
  add up to X of Y".
* **pro rata** (``basis="households"`` or ``"population"``): what is left of the target
  is split in proportion to the units' attribute by the largest-remainder method in
  steps of the target's last decimal place (``progress.pro_rata``), so the shares add up
  exactly; a unit whose share comes to zero gets no sub-task.
* **without a target** (a task measured in percent): ``units=[…]`` get a sub-task each.

Each sub-task inherits the title, document number, kind, description, supervision level,
unit of measure, start date, feasibility and deadline (an earlier ``deadline`` may be
given; a later one is an error), is issued by the parent's unit and sits below the parent
in the tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.org.models import Unit, UnitKind
from grassroots.supervision.actions import _notify
from grassroots.supervision.actions._base import (
    TaskRef,
    audit,
    authorize,
    clean_date,
    clean_number,
    clean_text,
    iso,
    lock_task,
    num,
    require_open,
    save_task,
    snapshot,
    units_of,
)
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import (
    ActionKind,
    SplitBasis,
    Task,
    TaskAction,
    tree_path_of,
)
from grassroots.supervision.permissions import CASCADE
from grassroots.supervision.progress import decimal_places, pro_rata

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Units that never receive a share: grids (below villages) and departments.
NOT_SPLIT_TO = (UnitKind.GRID, UnitKind.DEPARTMENT)


def eligible_units(task: Task) -> list[Unit]:
    """The units a task can be split among: the active units directly below its unit,
    grids and departments excepted, in code order."""
    return list(
        Unit.objects.filter(parent_id=task.unit_id, active=True)
        .exclude(kind__in=NOT_SPLIT_TO)
        .order_by("path")
    )


def _assigned(task: Task) -> tuple[set[int], Decimal]:
    rows = list(
        Task.objects.filter(parent=task).not_cancelled().values_list("unit_id", "target_value")
    )
    return {u for u, _v in rows}, sum((v or Decimal(0) for _u, v in rows), Decimal(0))


def _check_units(units: Iterable[Unit], allowed: dict[int, Unit], taken: set[int]) -> None:
    for unit in units:
        if unit.pk not in allowed:
            raise SupervisionError(
                _("%(unit)s is not directly below the task's unit.") % {"unit": unit.name},
                field="shares",
                code="not_below",
            )
        if unit.pk in taken:
            raise SupervisionError(
                _("%(unit)s has a share of this task already.") % {"unit": unit.name},
                field="shares",
                code="already_assigned",
            )


@transaction.atomic
def cascade_task(
    task: TaskRef,
    *,
    actor: User,
    shares: Mapping[Unit | int, Decimal | int | str] | None = None,
    basis: str | None = None,
    units: Iterable[Unit | int] | None = None,
    deadline: dt.date | None = None,
    note: str = "",
    version: int | None = None,
) -> list[Task]:
    """Split an open task among units directly below its unit (see the module); returns
    the new sub-tasks in unit order. ``supervision.cascade`` over the task's unit: the
    city office for any task in its scope, a township leader for its township's tasks.

    Errors (nothing written): ``shares`` — a unit not directly below, a unit that has a
    share already, a value that is not positive, shares adding up to more than the
    target, shares for a task without a target; ``basis`` — both shares and a basis, an
    unknown basis, units without households/population; ``deadline`` — after the
    parent's deadline or before its start; ``units`` — none given for a task without a
    target.
    """
    parent = lock_task(task, version=version)
    actor_unit_id = authorize(actor, CASCADE, parent.unit)
    require_open(parent)
    note = clean_text(note, field="note")
    end = parent.deadline if deadline is None else clean_date(deadline, field="deadline")
    if end > parent.deadline:
        raise SupervisionError(
            _("A sub-task cannot be due after the task itself (%(date)s).")
            % {"date": parent.deadline.isoformat()},
            field="deadline",
            code="after_parent",
        )
    if end < parent.start_date:
        raise SupervisionError(
            _("The deadline cannot be before the start date."),
            field="deadline",
            code="before_start",
        )
    candidates = {u.pk: u for u in eligible_units(parent)}
    taken, assigned = _assigned(parent)
    plan: list[tuple[Unit, Decimal | None]]
    if shares is not None and basis not in (None, "", SplitBasis.MANUAL):
        raise SupervisionError(
            _("Give either the shares or a basis to split by, not both."),
            field="basis",
            code="both",
        )
    if shares is not None:
        plan = _manual(parent, shares, candidates, taken, assigned)
        used_basis = SplitBasis.MANUAL
    elif basis in (SplitBasis.HOUSEHOLDS, SplitBasis.POPULATION):
        plan = _pro_rata(parent, str(basis), units, candidates, taken, assigned)
        used_basis = SplitBasis(basis)
    elif basis not in (None, "", SplitBasis.MANUAL):
        raise SupervisionError(
            _("Split by households or by population."), field="basis", code="invalid_choice"
        )
    else:
        if parent.target_value is not None:
            raise SupervisionError(
                _("Give each unit's share of the target, or a basis to split it by."),
                field="shares",
                code="required",
            )
        chosen = units_of(units or (), field="units")
        if not chosen:
            raise SupervisionError(
                _("Choose the units to assign the task to."), field="units", code="required"
            )
        try:
            _check_units(chosen, candidates, taken)
        except SupervisionError as exc:
            exc.field = "units"
            raise
        plan = [(u, None) for u in chosen]
        used_basis = SplitBasis.MANUAL
    if not plan:
        raise SupervisionError(
            _("Nothing to split: no unit gets a share."), field="shares", code="empty"
        )
    return _create_children(parent, plan, used_basis, end, actor, actor_unit_id, note)


def _manual(
    parent: Task,
    shares: Mapping[Unit | int, Decimal | int | str],
    candidates: dict[int, Unit],
    taken: set[int],
    assigned: Decimal,
) -> list[tuple[Unit, Decimal | None]]:
    if parent.target_value is None:
        raise SupervisionError(
            _("This task has no target to split; choose the units instead."),
            field="shares",
            code="no_target",
        )
    chosen = units_of(shares.keys(), field="shares")
    _check_units(chosen, candidates, taken)
    values = [clean_number(v, field="shares", positive=True) for v in shares.values()]
    total = sum(values, Decimal(0)) + assigned
    if total > parent.target_value:
        raise SupervisionError(
            _("The shares add up to %(total)s, more than the target %(target)s.")
            % {"total": num(total), "target": num(parent.target_value)},
            field="shares",
            code="exceeds_target",
        )
    by_unit = dict(zip([u.pk for u in chosen], values, strict=True))
    return [(u, by_unit[u.pk]) for u in sorted(chosen, key=lambda u: u.path)]


def _pro_rata(
    parent: Task,
    basis: str,
    units: Iterable[Unit | int] | None,
    candidates: dict[int, Unit],
    taken: set[int],
    assigned: Decimal,
) -> list[tuple[Unit, Decimal | None]]:
    if parent.target_value is None:
        raise SupervisionError(
            _("This task has no target to split; choose the units instead."),
            field="basis",
            code="no_target",
        )
    if units is None:
        chosen = [u for pk, u in candidates.items() if pk not in taken]
    else:
        chosen = units_of(units, field="units")
        _check_units(chosen, candidates, taken)
    chosen.sort(key=lambda u: u.path)
    weights = [int(getattr(u, basis)) for u in chosen]
    if not chosen or sum(weights) == 0:
        message = (
            _("The units below have no households recorded.")
            if basis == SplitBasis.HOUSEHOLDS
            else _("The units below have no population recorded.")
        )
        raise SupervisionError(message, field="basis", code="no_weights")
    left = parent.target_value - assigned
    if left <= 0:
        raise SupervisionError(
            _("The whole target has been split already."), field="basis", code="nothing_left"
        )
    values = pro_rata(left, weights, decimal_places(parent.target_value))
    return [(u, v) for u, v in zip(chosen, values, strict=True) if v > 0]


def _create_children(
    parent: Task,
    plan: list[tuple[Unit, Decimal | None]],
    basis: str,
    deadline: dt.date,
    actor: User,
    actor_unit_id: int | None,
    note: str,
) -> list[Task]:
    now = timezone.now()
    children = Task.objects.bulk_create(
        [
            Task(
                title=parent.title,
                doc_number=parent.doc_number,
                kind=parent.kind,
                description=parent.description,
                level=parent.level,
                parent=parent,
                depth=parent.depth + 1,
                unit=unit,
                unit_path=unit.path,
                issuer=parent.unit,
                issuer_path=parent.unit_path,
                start_date=parent.start_date,
                deadline=deadline,
                target_value=value,
                target_measure=parent.target_measure,
                feasibility=parent.feasibility,
                feasibility_decided_at=parent.feasibility_decided_at,
                public_explanation=parent.public_explanation,
                explained_at=parent.explained_at,
                created_by=actor if actor.pk else None,
            )
            for unit, value in plan
        ]
    )
    for child in children:
        if child.pk is None:  # pragma: no cover - both databases return the new keys
            raise RuntimeError("bulk_create did not return primary keys")
        child.tree_path = tree_path_of(child.pk, parent.tree_path)
    Task.objects.bulk_update(children, ["tree_path"])
    before = snapshot(parent)
    parent.split_basis = basis
    save_task(parent, "split_basis")
    shares = {unit.code: num(value) for unit, value in plan}
    TaskAction.objects.bulk_create(
        [
            TaskAction(
                task=parent,
                kind=ActionKind.CASCADE,
                actor=actor if actor.pk else None,
                actor_unit_id=actor_unit_id,
                note=note,
                data={"basis": basis, "deadline": iso(deadline), "shares": shares},
                created_at=now,
            ),
            *(
                TaskAction(
                    task=child,
                    kind=ActionKind.CREATE,
                    actor=actor if actor.pk else None,
                    actor_unit_id=actor_unit_id,
                    note=note,
                    data={"parent": parent.pk, "unit": child.unit.code, "share": num(value)},
                    created_at=now,
                )
                for child, (_unit, value) in zip(children, plan, strict=True)
            ),
        ]
    )
    audit(
        "cascaded",
        parent,
        actor=actor,
        before=before,
        after={**snapshot(parent), "shares": shares},
        note=note,
    )
    for child in children:
        audit("created", child, actor=actor, after=snapshot(child), note=note)
    _notify.notify_on_commit(
        [
            _notify.to_unit(
                child.pk, ActionKind.CREATE, child.unit_id, title=child.title, deadline=deadline
            )
            for child in children
        ],
        actor_id=actor.pk,
    )
    return children
