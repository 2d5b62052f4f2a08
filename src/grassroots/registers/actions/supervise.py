"""Putting a register's case under supervision (挂牌督办): a 一户一宅 rectification case or
an illegal construction / relocation case becomes a supervised task of its village, so
that it is urged, reported on and counted like every other task of the cascade.

The task is created through the supervision's own action (``create_task``), which checks
that the actor may deploy tasks there (the city office); the case keeps the task's id.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.org.models import User
from grassroots.org.permissions import can
from grassroots.registers.actions._base import lock
from grassroots.registers.errors import RegistersConflict
from grassroots.registers.models import ConstructionCase, HomesteadCase
from grassroots.registers.permissions import VIEW
from grassroots.registers.states import OPEN_CONSTRUCTION, OPEN_HOMESTEAD_CASE
from grassroots.supervision.actions import create_task
from grassroots.supervision.models import Task, TaskKind, TaskLevel

#: What a case of each kind is called in its task's title.
KINDS: dict[str, type[HomesteadCase] | type[ConstructionCase]] = {
    "homestead": HomesteadCase,
    "construction": ConstructionCase,
}


def _title(case: HomesteadCase | ConstructionCase) -> str:
    if isinstance(case, HomesteadCase):
        return _("一户一宅 rectification: household %(number)s, %(unit)s") % {
            "number": case.household.number,
            "unit": case.unit.name,
        }
    return _("%(kind)s case %(number)s: %(address)s") % {
        "kind": case.get_kind_display(),
        "number": case.number,
        "address": case.address,
    }


def _description(case: HomesteadCase | ConstructionCase) -> str:
    if isinstance(case, HomesteadCase):
        return case.finding
    return case.description or case.address


@transaction.atomic
def supervise_case(kind: str, case_id: int, *, actor: User, level: str = TaskLevel.LISTED) -> Task:
    """Create the supervised task of an open case (deadline: the case's own), record it on
    the case and return it. ``kind`` is ``homestead`` or ``construction``. 404 (Http404)
    for a case the actor does not see; 409 when it is closed or already supervised; the supervision
    decides whether the actor may deploy a task to the case's village."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    case: Any = lock(model, case_id, "unit")
    if not can(actor, VIEW, case):
        raise Http404
    open_states = OPEN_HOMESTEAD_CASE if isinstance(case, HomesteadCase) else OPEN_CONSTRUCTION
    if case.status not in open_states:
        raise RegistersConflict(
            _("Only an open case can be put under supervision."), field="status"
        )
    if case.task_id is not None:
        raise RegistersConflict(_("This case is already under supervision."), field="task")
    task = create_task(
        actor=actor,
        title=_title(case)[:200],
        kind=TaskKind.CAMPAIGN,
        unit=case.unit,
        deadline=max(case.due_on, case.found_on),
        start_date=min(case.found_on, case.due_on),
        level=level,
        description=_description(case),
    )
    case.task_id = task.pk
    case.save(update_fields=["task_id", "updated_at"])
    record(
        f"registers.{model._meta.model_name}.supervised",
        case,
        actor=actor,
        after={"task_id": task.pk, "level": level},
    )
    return task
