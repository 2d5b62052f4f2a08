"""The status machine of an event: its states and the only moves allowed between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 已上报: waiting for the unit of the grid to accept
    ACCEPTED = "accepted", _("Accepted")  # 已受理: accepted, to be dispatched or handled
    REJECTED = "rejected", _("Rejected")  # 不予受理: refused with a reason (terminal)
    DISPATCHED = "dispatched", _("Dispatched")  # 已派遣: sent to a department or lower unit
    IN_PROGRESS = "in_progress", _("In progress")  # 处置中: the assignee is handling it
    RETURNED = "returned", _("Returned")  # 已退回: the assignee says it is not theirs
    ESCALATED = "escalated", _("Escalated")  # 已上报上级: the parent unit must act
    RESOLVED = "resolved", _("Resolved")  # 已处置: the assignee reports it solved
    REWORKED = "reworked", _("Rework")  # 返工: verification failed, back to the assignee
    VERIFIED = "verified", _("Verified")  # 已核查: the dispatcher checked the result
    CLOSED = "closed", _("Closed")  # 已结案
    REOPENED = "reopened", _("Reopened")  # 重新办理: the resident was not satisfied


S = EventStatus

#: Every allowed move. The only function that changes a status (actions.move) consults it.
TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    # A grid worker may close on the spot (就地解决) right after reporting.
    S.REPORTED: frozenset({S.ACCEPTED, S.REJECTED, S.ESCALATED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED, S.REJECTED}),
    S.DISPATCHED: frozenset({S.IN_PROGRESS, S.RETURNED, S.ESCALATED}),
    S.RETURNED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED, S.REJECTED}),
    S.ESCALATED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.REJECTED, S.ESCALATED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.RETURNED, S.ESCALATED}),
    S.RESOLVED: frozenset({S.VERIFIED, S.REWORKED}),
    S.REWORKED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.RETURNED, S.ESCALATED}),
    S.VERIFIED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.ESCALATED}),
    S.REJECTED: frozenset(),
}

#: Not finished: the handling deadline applies and the event can become overdue.
OPEN_STATUSES: frozenset[EventStatus] = frozenset(TRANSITIONS) - {S.CLOSED, S.REJECTED}
#: Finished for the resident (Open311 "closed").
CLOSED_STATUSES: frozenset[EventStatus] = frozenset({S.CLOSED, S.REJECTED})
#: Waiting for the dispatcher of the unit in charge.
DISPATCH_QUEUE: frozenset[EventStatus] = frozenset({S.REPORTED, S.RETURNED, S.ESCALATED})
#: Waiting for the assignee to handle.
HANDLING: frozenset[EventStatus] = frozenset(
    {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REWORKED, S.REOPENED}
)


def allowed(current: str, target: str) -> bool:
    return EventStatus(target) in TRANSITIONS[EventStatus(current)]
