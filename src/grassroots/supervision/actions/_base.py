"""What every supervision action shares: row locks, the state move, the scope checks
(which also name the acting unit), input cleaning, the timeline line and the audit entry.

Locks are always taken ancestors first, then the task, then its reports or requests, then
its descendants — ancestors have smaller ids than their descendants, so this is also id
order, and two actions never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, models
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common import cleaning
from grassroots.org.models import Unit, is_within
from grassroots.org.permissions import require, role_may
from grassroots.org.queries import active_grants
from grassroots.supervision.errors import (
    IllegalTransition,
    SupervisionConflict,
    SupervisionError,
    SupervisionNotFound,
)
from grassroots.supervision.models import QUANTITY_DIGITS, QUANTITY_PLACES, Task, TaskAction
from grassroots.supervision.states import TASK_TRANSITIONS, TaskState

if TYPE_CHECKING:
    from grassroots.org.models import User

M = TypeVar("M", bound=models.Model)

#: A task given by id or as an instance (only its pk is used: the row is re-read locked).
TaskRef = int | Task

NOTE_MAX = 2000
TITLE_MAX = 200
#: PostgreSQL: deadlock detected, serialization failure, lock not available.
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
_MAX_INTEGER_DIGITS = QUANTITY_DIGITS - QUANTITY_PLACES
#: The dates a task, milestone or extension may carry.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)


# --- references and locks ----------------------------------------------------------------


def pk_of(ref: object, model: type[models.Model]) -> int:
    """The primary key of ``ref`` (an instance of ``model`` or an id)."""
    pk = ref.pk if isinstance(ref, model) else ref
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise SupervisionNotFound(ref)
    return pk


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def locked(queryset: models.QuerySet[M], ref: object) -> M:
    """The row of ``queryset`` with primary key ``ref``, locked FOR UPDATE (of that table
    only). A lock the database gives up on (deadlock, timeout) is a conflict."""
    try:
        row = queryset.select_for_update(of=("self",)).filter(pk=ref).first()
    except OperationalError as exc:
        if _sqlstate(exc) in _CONFLICT_SQLSTATES or "locked" in str(exc).lower():
            raise SupervisionConflict() from exc
        raise
    if row is None:
        raise SupervisionNotFound(ref)
    return row


def lock_task(ref: TaskRef, *, version: int | None = None) -> Task:
    """The task's row, locked for this transaction, with its unit, issuer and parent.

    Everything an action decides is read after the lock, so two actions on one task run
    one after the other and the second sees the first one's result. With ``version``,
    a task changed since the caller read it (another version) is a conflict.
    """
    task: Task = locked(Task.objects.select_related("unit", "issuer", "parent"), pk_of(ref, Task))
    if version is not None and task.version != version:
        raise SupervisionConflict(
            _("This task was changed by someone else since you opened it; reload it.")
        )
    return task


def lock_rollup_parent(task_id: int) -> Task | None:
    """Lock the parent of task ``task_id`` when it is an umbrella (``is_rollup``), whose
    progress an action on the task will change; call before locking the task."""
    row = (
        Task.objects.filter(pk=task_id)
        .values("parent_id", "parent__unit_id", "parent__issuer_id")
        .first()
    )
    if row is None:
        raise SupervisionNotFound(task_id)
    if row["parent_id"] is not None and row["parent__unit_id"] == row["parent__issuer_id"]:
        return lock_task(row["parent_id"])
    return None


def move(task: Task, target: TaskState) -> str:
    """Set ``task.state`` to ``target`` if ``states.TASK_TRANSITIONS`` allows it; return
    the state it had. The only place a task's state changes."""
    current = task.state
    if TaskState(target) not in TASK_TRANSITIONS[TaskState(current)]:
        raise IllegalTransition(current=current, target=str(target))
    task.state = target
    return current


def require_open(task: Task) -> None:
    """Refuse an action that is only meaningful while the task is being worked on."""
    if task.state != TaskState.OPEN:
        raise IllegalTransition(
            _("The task is “%(state)s”: this can no longer be done.")
            % {"state": TaskState(task.state).label},
            current=task.state,
        )


def require_not_rollup(task: Task) -> None:
    if task.is_rollup:
        raise SupervisionError(
            _(
                "This task is its own unit's umbrella over the units below: its progress "
                "is theirs added up. Act on their sub-tasks."
            ),
            code="rollup",
        )


# --- scope -------------------------------------------------------------------------------


def granting_unit_id(actor: User | None, action: str, *targets: Unit) -> int | None:
    """The unit of the actor's most specific membership granting ``action`` over one of
    ``targets`` (the timeline's "unit"); ``None`` when none does (a superuser)."""
    if actor is None:
        return None
    best: tuple[int, int] | None = None
    for g in active_grants(actor):
        if not role_may(g.role, action):
            continue
        if any(is_within(t.path, g.path) for t in targets):
            depth = g.path.count(".")
            if best is None or depth > best[0]:
                best = (depth, g.unit_id)
    return best[1] if best else None


def authorize(actor: User | None, action: str, *targets: Unit) -> int | None:
    """Raise PermissionDenied unless a membership of ``actor`` grants ``action`` in the
    subtree of its unit over one of ``targets``; return that unit's id."""
    if actor is None:
        raise PermissionDenied(_("You are not allowed to do this here."))
    for target in targets:
        try:
            require(actor, action, target)
        except PermissionDenied:
            continue
        return granting_unit_id(actor, action, *targets)
    raise PermissionDenied(_("You are not allowed to do this here."))


def authorize_own_unit(actor: User | None, action: str, unit: Unit) -> int | None:
    """Raise PermissionDenied unless ``actor`` holds, on ``unit`` itself (not above it), a
    membership whose role grants ``action``: a unit answers for its own tasks. A
    superuser may act (``None`` is returned)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("You are not allowed to do this here."))
    if actor.is_superuser:
        return None
    for g in active_grants(actor):
        if g.unit_id == unit.pk and role_may(g.role, action):
            return g.unit_id
    raise PermissionDenied(_("Only the responsible unit itself may do this."))


# --- input -------------------------------------------------------------------------------


def clean_text(
    value: object, *, field: str, required: bool = False, max_length: int = NOTE_MAX
) -> str:
    """A stripped text; SupervisionError when missing (if required) or too long.
    (``common.cleaning.clean_text``)."""
    return cleaning.clean_text(
        value, field=field, error=SupervisionError, required=required, max_length=max_length
    )


def clean_date(value: object, *, field: str) -> dt.date:
    """A calendar date (not a datetime) from ``FIRST_DATE`` to ``LAST_DATE``; ISO text is
    accepted."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise SupervisionError(
                _("Give a date such as 2026-12-31."), field=field, code="invalid_date"
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SupervisionError(
            _("Give a date such as 2026-12-31."), field=field, code="invalid_date"
        )
    if not FIRST_DATE <= value <= LAST_DATE:
        # Far-away dates (year 1, 9999) break the working-day plan of every list.
        raise SupervisionError(
            _("Give a date such as 2026-12-31."), field=field, code="out_of_range"
        )
    return value


def clean_number(
    value: object,
    *,
    field: str,
    places: int = QUANTITY_PLACES,
    integer_digits: int = _MAX_INTEGER_DIGITS,
    positive: bool = False,
) -> Decimal:
    """A finite, non-negative decimal (positive when asked) with at most ``places``
    decimal places and ``integer_digits`` digits before the point."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise SupervisionError(_("Give a number."), field=field, code="invalid_number")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise SupervisionError(_("Give a number."), field=field, code="invalid_number") from None
    if not number.is_finite():
        raise SupervisionError(_("Give a number."), field=field, code="invalid_number")
    if number < 0 or (positive and number == 0):
        message = _("Give a number above zero.") if positive else _("Give a number of 0 or more.")
        raise SupervisionError(message, field=field, code="out_of_range")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise SupervisionError(
            _("At most %(n)d decimal places.") % {"n": places}, field=field, code="too_precise"
        )
    if number >= Decimal(10) ** integer_digits:
        raise SupervisionError(_("This number is too large."), field=field, code="too_large")
    return number


def clean_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise SupervisionError(_("Answer yes or no."), field=field, code="invalid")
    return value


def clean_choice(value: object, choices: type[models.TextChoices], *, field: str) -> str:
    if not isinstance(value, str) or value not in choices.values:
        raise SupervisionError(
            _("Choose one of: %(choices)s.") % {"choices": "、".join(map(str, choices.labels))},
            field=field,
            code="invalid_choice",
        )
    return value


def active_unit(value: object, *, field: str) -> Unit:
    """The current, active row of a unit given as an instance or an id."""
    pk = value.pk if isinstance(value, Unit) else value
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise SupervisionError(_("Choose a unit."), field=field, code="required")
    unit: Unit | None = Unit.objects.filter(pk=pk, active=True).first()
    if unit is None:
        raise SupervisionError(
            _("This unit does not exist or is inactive."), field=field, code="invalid_unit"
        )
    return unit


def units_of(values: Iterable[object], *, field: str) -> list[Unit]:
    """Active units given as instances or ids (one query), in the order given."""
    pks: list[int] = []
    for value in values:
        pk = value.pk if isinstance(value, Unit) else value
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise SupervisionError(_("Choose a unit."), field=field, code="invalid_unit")
        if pk not in pks:
            pks.append(pk)
    found = Unit.objects.filter(pk__in=pks, active=True).in_bulk()
    if len(found) != len(pks):
        raise SupervisionError(
            _("This unit does not exist or is inactive."), field=field, code="invalid_unit"
        )
    return [found[pk] for pk in pks]


# --- records -----------------------------------------------------------------------------


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def num(value: Decimal | None) -> str | None:
    """A Decimal as JSON keeps it (text, exact, without trailing zeros)."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def line(
    task: Task,
    kind: str,
    *,
    actor: User | None,
    actor_unit_id: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TaskAction:
    """One timeline line of ``task``."""
    return TaskAction.objects.create(
        task=task,
        kind=kind,
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_unit_id=actor_unit_id,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )


def audit(
    verb: str,
    task: Task,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """The audit entry ``supervision.task.<verb>``, placed in the tree by the task's unit."""
    from grassroots.audit.actions import record

    record(
        f"supervision.task.{verb}",
        task,
        actor=actor,
        before=before,
        after=after,
        unit=task.unit,
        note=note,
    )


def snapshot(task: Task) -> dict[str, Any]:
    """What the audit entry keeps of a task around a change."""
    return {
        "state": task.state,
        "level": task.level,
        "unit": task.unit.code,
        "issuer": task.issuer.code,
        "start_date": iso(task.start_date),
        "deadline": iso(task.deadline),
        "target_value": num(task.target_value),
        "verified_value": num(task.verified_value),
        "verified_percent": num(task.verified_percent),
        "feasibility": task.feasibility,
        "version": task.version,
    }


def save_task(task: Task, *fields: str) -> None:
    """Save the named fields and bump the version (every change is a new version)."""
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])
