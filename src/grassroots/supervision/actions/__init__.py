"""Every write of target supervision: one verb-named function per action (DESIGN.md §3).

Each action locks the task row (``select_for_update``; ancestors first, then the task,
then its reports or requests), checks the actor's scope (``PermissionDenied``) and the
allowed move (``states``; ``IllegalTransition`` otherwise, never a silent no-op), writes
the timeline line (``TaskAction``) and the audit entry ``supervision.task.<verb>`` in one
transaction, and tells the people concerned after the commit (``_notify``). Bad input is
a ``SupervisionError`` naming the field; nothing is changed then. Task-level actions take
an optional ``version``: a task changed since (another version) is a
``SupervisionConflict``.

Modules by use case: :mod:`.tasks` (create, update, milestones, feasibility, close,
cancel), :mod:`.cascade` (split among the units below), :mod:`.reporting` (report and
verify progress), :mod:`.extensions` (request, approve, refuse), :mod:`.urging` (urge,
the daily reminders and escalation).
"""

from __future__ import annotations

from grassroots.supervision.actions._base import lock_task, move
from grassroots.supervision.actions.cascade import cascade_task, eligible_units
from grassroots.supervision.actions.extensions import (
    approve_extension,
    refuse_extension,
    request_extension,
)
from grassroots.supervision.actions.reporting import report_progress, verify_progress
from grassroots.supervision.actions.tasks import (
    EDITABLE,
    MilestoneSpec,
    add_milestone,
    cancel_task,
    close_task,
    complete_milestone,
    create_task,
    decide_feasibility,
    update_task,
)
from grassroots.supervision.actions.urging import (
    ReminderReport,
    escalate_task,
    send_reminders,
    urge_task,
)

__all__ = [
    "EDITABLE",
    "MilestoneSpec",
    "ReminderReport",
    "add_milestone",
    "approve_extension",
    "cancel_task",
    "cascade_task",
    "close_task",
    "complete_milestone",
    "create_task",
    "decide_feasibility",
    "eligible_units",
    "escalate_task",
    "lock_task",
    "move",
    "refuse_extension",
    "report_progress",
    "request_extension",
    "send_reminders",
    "update_task",
    "urge_task",
    "verify_progress",
]
