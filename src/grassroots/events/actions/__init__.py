"""Every write to events: one verb-named function per transition (DESIGN.md §3).

Each action locks the event row, checks the actor's scope (``PermissionDenied``) and the
allowed move (``states.TRANSITIONS``; ``IllegalTransition`` otherwise, never a silent
no-op), writes the timeline line (``EventAction``) and the audit entry in one transaction,
and tells ``notifications.event_changed`` after the commit. Bad input is an
``EventError`` naming the field; nothing is changed then.

Modules by use case: :mod:`.intake` (report, resolve on the spot), :mod:`.dispatch`
(accept, reject, dispatch, escalate, deadlines, urge, verify, close), :mod:`.handling`
(start, return, resolve, comment, the sweep's lines), :mod:`.resident` (rating, reopen),
:mod:`.categories` (the taxonomy's admin writes).
"""

from __future__ import annotations

from grassroots.events.actions._base import lock_event, move
from grassroots.events.actions.categories import save_category
from grassroots.events.actions.dispatch import (
    accept_event,
    close_event,
    dispatch_event,
    escalate_event,
    reject_event,
    set_deadline,
    urge_event,
    verify_event,
)
from grassroots.events.actions.handling import (
    comment_event,
    record_system_action,
    resolve_event,
    return_event,
    start_handling,
)
from grassroots.events.actions.intake import (
    clean_phone,
    jurisdiction_root,
    report_event,
    resolve_on_spot,
)
from grassroots.events.actions.resident import rate_event

__all__ = [
    "accept_event",
    "clean_phone",
    "close_event",
    "comment_event",
    "dispatch_event",
    "escalate_event",
    "jurisdiction_root",
    "lock_event",
    "move",
    "rate_event",
    "record_system_action",
    "reject_event",
    "report_event",
    "resolve_event",
    "resolve_on_spot",
    "return_event",
    "save_category",
    "set_deadline",
    "start_handling",
    "urge_event",
    "verify_event",
]
