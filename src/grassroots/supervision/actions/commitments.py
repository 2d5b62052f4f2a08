"""Commitments (承诺事项): a task that a unit's own meeting resolved to do.

A village's 党建月会 resolves "repair the canal by 30 June": the village commits to it,
and the task is supervised like any other — issued by the unit's parent (the township
verifies the village's reports, urges and closes it), a key task, reported in percent.
``Task.origin`` names where it came from (``partybuilding.resolution:<pk>``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.supervision.actions._base import (
    TITLE_MAX,
    active_unit,
    authorize,
    clean_date,
    clean_text,
)
from grassroots.supervision.actions.tasks import _check_dates, _insert_task
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import Task, TaskKind, TaskLevel
from grassroots.supervision.permissions import COMMIT

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

#: ``app.model:<pk>``, as ``Task.origin`` holds it.
ORIGIN: Final = re.compile(r"^[a-z_]+\.[a-z_]+:\d{1,18}$")
ORIGIN_MAX: Final = 64


@transaction.atomic
def commit_task(
    *,
    actor: User,
    origin: str,
    unit: Unit | int,
    title: str,
    deadline: dt.date,
    description: str = "",
) -> Task:
    """Open the task that ``unit``'s own meeting resolved to do (``supervision.commit``
    over ``unit``): a key task of ``unit`` issued by its parent, starting today, due on
    ``deadline`` (not before today), with ``origin`` recorded (``app.model:<pk>``). The
    timeline, the audit entry ``supervision.task.created`` and the notice are
    ``create_task``'s. A unit without a parent (the city itself) cannot commit."""
    target = active_unit(unit, field="unit")
    actor_unit_id = authorize(actor, COMMIT, target)
    if not isinstance(origin, str) or len(origin) > ORIGIN_MAX or not ORIGIN.match(origin):
        raise SupervisionError(_("The task's origin is not valid."), field="origin")
    if target.parent_id is None:
        raise SupervisionError(
            _("%(unit)s has no unit above it to supervise the commitment.") % {"unit": target.name},
            field="unit",
            code="no_issuer",
        )
    issuer = active_unit(target.parent_id, field="unit")
    text = clean_text(title, field="title", required=True, max_length=TITLE_MAX)
    start = timezone.localdate()
    end = clean_date(deadline, field="deadline")
    _check_dates(start, end)
    return _insert_task(
        actor=actor,
        actor_unit_id=actor_unit_id,
        unit=target,
        issuer=issuer,
        fields={
            "title": text,
            "kind": TaskKind.KEY_TASK,
            "level": TaskLevel.NORMAL,
            "description": clean_text(description, field="description", max_length=20000),
            "start_date": start,
            "deadline": end,
            "origin": origin,
        },
    )
