"""The states of tasks, progress reports and extension requests, the only moves allowed
between them, and the display status (derived, never stored: see ``progress``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")  # 推进中: deployed, being worked on
    COMPLETED = "completed", _("Completed")  # 已完成: the target was reached (verified)
    CLOSED = "closed", _("Struck off")  # 已销号: the issuer struck it off after completion
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销: withdrawn, with a reason


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")  # 待核实
    ACCEPTED = "accepted", _("Accepted after verification")  # 核实通过: counts for progress
    RETURNED = "returned", _("Returned")  # 已退回: sent back with a reason, never counts


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Pending")  # 待审批
    APPROVED = "approved", _("Approved")  # 已同意: the deadline moved
    REFUSED = "refused", _("Refused")  # 不同意: with a reason


class DisplayStatus(models.TextChoices):
    """What a person sees of a task (``progress.display_status``); never stored."""

    NOT_STARTED = "not_started", _("Not started")  # 未开始
    ON_TRACK = "on_track", _("On track")  # 正常推进
    LAGGING = "lagging", _("Lagging")  # 进度滞后
    OVERDUE = "overdue", _("Past the deadline")  # 逾期
    COMPLETED = "completed", _("Completed")  # 已完成
    CLOSED = "closed", _("Struck off")  # 已销号
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销


T = TaskState

#: Every allowed move of a task. ``actions._base.move`` is the only function that changes
#: a task's state and it consults this table.
TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    T.OPEN: frozenset({T.COMPLETED, T.CANCELLED}),
    T.COMPLETED: frozenset({T.CLOSED, T.CANCELLED}),
    T.CLOSED: frozenset(),
    T.CANCELLED: frozenset(),
}

R = ReportState
REPORT_TRANSITIONS: dict[ReportState, frozenset[ReportState]] = {
    R.SUBMITTED: frozenset({R.ACCEPTED, R.RETURNED}),
    R.ACCEPTED: frozenset(),
    R.RETURNED: frozenset(),
}

E = ExtensionState
EXTENSION_TRANSITIONS: dict[ExtensionState, frozenset[ExtensionState]] = {
    E.PENDING: frozenset({E.APPROVED, E.REFUSED}),
    E.APPROVED: frozenset(),
    E.REFUSED: frozenset(),
}

#: Not finished: progress, milestones, extensions, urging and reminders apply.
OPEN_STATES: frozenset[TaskState] = frozenset({T.OPEN})
#: The target was reached (whether or not the issuer has struck it off yet).
DONE_STATES: frozenset[TaskState] = frozenset({T.COMPLETED, T.CLOSED})

#: Levels of supervision in rising order; escalation moves a task one step up.
LEVEL_ORDER: tuple[str, ...] = ("normal", "key", "listed")


def task_allowed(current: str, target: str) -> bool:
    return TaskState(target) in TASK_TRANSITIONS[TaskState(current)]


def next_level(level: str) -> str | None:
    """The level above ``level`` (一般 → 重点 → 挂牌督办), or ``None`` at the top."""
    position = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0
    return LEVEL_ORDER[position + 1] if position + 1 < len(LEVEL_ORDER) else None
