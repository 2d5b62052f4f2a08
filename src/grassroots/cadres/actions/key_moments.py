"""Key moments derived from real work (关键时候检验干部): the supervised tasks a cadre
carried and the escalated events they resolved, read through the supervision and events
apps' named interfaces (``tasks_reported_by``, ``escalated_events_resolved_by``).

Only cadres with a login (``Cadre.user``) can be linked to that work. The rules:

* a task whose progress they reported (they carried it) that is completed or struck off:
  to their credit when it was completed on or before its deadline, against them when
  later (dated the day it was completed);
* such a task still open after its deadline: against them (dated the deadline);
* a cancelled task, or an open one not yet due: nothing;
* an escalated event (escalated at least once) whose resolution was theirs and which
  stays solved: to their credit (dated the day it was resolved).

``source`` names the record (``supervision.task:<id>``, ``events.event:<id>``), once per
cadre: a run writes what is new, updates what changed (a late task completed, a deadline
moved), removes what no longer holds (a task cancelled, an event sent back for rework) and
leaves the rest alone, so running it twice changes nothing. One audit entry per run, with
the counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres.actions._base import lock_many
from grassroots.cadres.models import Cadre, KeyMoment
from grassroots.cadres.permissions import MANAGE
from grassroots.cadres.states import DERIVED_KINDS, KeyMomentKind, Outcome
from grassroots.events.queries import escalated_events_resolved_by
from grassroots.org.models import PATH_SEPARATOR, Unit, is_within
from grassroots.org.queries import grant_paths
from grassroots.supervision.queries import tasks_reported_by

if TYPE_CHECKING:
    from grassroots.org.models import User

TASK_SOURCE = "supervision.task:"
EVENT_SOURCE = "events.event:"
_DONE = ("completed", "closed")
_TITLE_MAX = KeyMoment._meta.get_field("title").max_length or 200
_FIELDS = ("kind", "outcome", "occurred_on", "title", "detail")


@dataclass(frozen=True, slots=True)
class SyncResult:
    cadres: int
    created: int
    updated: int
    removed: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _task_moment(row: dict[str, Any], today: dt.date) -> dict[str, Any] | None:
    deadline: dt.date = row["deadline"]
    if row["state"] in _DONE:
        done = _local_date(row["completed_at"]) or deadline
        on_time = done <= deadline
        detail = (
            _("Deadline %(deadline)s, completed on %(done)s (on time).")
            if on_time
            else _("Deadline %(deadline)s, completed on %(done)s (late).")
        ) % {"deadline": deadline.isoformat(), "done": done.isoformat()}
        return {
            "kind": KeyMomentKind.TASK,
            "outcome": Outcome.CREDIT if on_time else Outcome.DEBIT,
            "occurred_on": done,
            "title": row["title"][:_TITLE_MAX],
            "detail": detail,
        }
    if row["state"] == "open" and deadline < today:
        return {
            "kind": KeyMomentKind.TASK,
            "outcome": Outcome.DEBIT,
            "occurred_on": deadline,
            "title": row["title"][:_TITLE_MAX],
            "detail": _("Deadline %(deadline)s passed, not completed.")
            % {"deadline": deadline.isoformat()},
        }
    return None


def _event_moment(row: dict[str, Any]) -> dict[str, Any]:
    on = _local_date(row["resolved_at"]) or timezone.localdate()
    title = f"{row['number']} {row['title']}".strip()
    return {
        "kind": KeyMomentKind.EVENT,
        "outcome": Outcome.CREDIT,
        "occurred_on": on,
        "title": title[:_TITLE_MAX],
        "detail": _("Escalated %(n)d time(s); resolved on %(date)s.")
        % {"n": row["escalation_level"], "date": on.isoformat()},
    }


def derived_moments(
    cadre_by_user: dict[int, int], today: dt.date
) -> dict[tuple[int, str], dict[str, Any]]:
    """``{(cadre id, source): fields}`` of the key moments the work of these logins
    (``{user id: cadre id}``) makes today. Two queries (one per interface)."""
    users = sorted(cadre_by_user)
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    # The detail is written in the site's language whoever runs it, so a run from the
    # page in English and the nightly one agree and do not rewrite each other.
    with translation.override(settings.LANGUAGE_CODE):
        for row in tasks_reported_by(users):
            moment = _task_moment(row, today)
            if moment is not None:
                wanted[(cadre_by_user[row["user_id"]], f"{TASK_SOURCE}{row['task_id']}")] = moment
        for row in escalated_events_resolved_by(users):
            key = (cadre_by_user[row["user_id"]], f"{EVENT_SOURCE}{row['event_id']}")
            wanted[key] = _event_moment(row)
    return wanted


def _common_unit(paths: Iterable[str]) -> Unit | None:
    """The deepest unit above (or at) every one of ``paths``."""
    split = [p.split(PATH_SEPARATOR) for p in paths]
    if not split:
        return None
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return None
    return Unit.objects.filter(path=PATH_SEPARATOR.join(common)).first()


@transaction.atomic
def sync_key_moments(cadre_ids: Iterable[int], *, actor: User | None = None) -> SyncResult:
    """Derive the task and event key moments of these cadres from the supervision and
    events data (rules in the module's docstring). With an ``actor`` (the button on a
    vacancy's page) every cadre must lie in their ``cadres.manage`` scope; without one
    (the nightly job) the system runs it. The cadres' rows are locked in id order, so a
    run from the page and the nightly one do not write the same record twice."""
    ids = sorted({int(i) for i in cadre_ids})
    rows = list(Cadre.objects.filter(pk__in=ids).values_list("pk", "unit__path", "user_id"))
    if actor is not None:
        paths = grant_paths(actor, MANAGE)
        if not all(any(is_within(p, root) for root in paths) for _pk, p, _u in rows):
            raise PermissionDenied(_("You are not allowed to do this here."))
    if not rows:
        return SyncResult(cadres=0, created=0, updated=0, removed=0, unchanged=0)
    locked = lock_many(Cadre, [pk for pk, _p, _u in rows])
    ids = [c.pk for c in locked]
    cadre_by_user = {c.user_id: c.pk for c in locked if c.user_id is not None}
    wanted = derived_moments(cadre_by_user, timezone.localdate())

    existing = {
        (m.cadre_id, m.source): m
        for m in KeyMoment.objects.filter(cadre_id__in=ids, kind__in=DERIVED_KINDS).exclude(
            source=""
        )
        if m.source.startswith((TASK_SOURCE, EVENT_SOURCE))
    }
    now = timezone.now()
    created: list[KeyMoment] = []
    changed: list[KeyMoment] = []
    unchanged = 0
    for (cadre_id, source), fields in sorted(wanted.items()):
        moment = existing.pop((cadre_id, source), None)
        if moment is None:
            created.append(
                KeyMoment(
                    cadre_id=cadre_id,
                    source=source,
                    recorded_by=actor,
                    recorded_at=now,
                    **fields,
                )
            )
        elif any(getattr(moment, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(moment, name, value)
            moment.recorded_at = now
            changed.append(moment)
        else:
            unchanged += 1
    stale = [m.pk for m in existing.values()]
    if created:
        KeyMoment.objects.bulk_create(created)
    if changed:
        KeyMoment.objects.bulk_update(changed, [*_FIELDS, "recorded_at"])
    if stale:
        KeyMoment.objects.filter(pk__in=stale).delete()
    result = SyncResult(
        cadres=len(ids),
        created=len(created),
        updated=len(changed),
        removed=len(stale),
        unchanged=unchanged,
    )
    record(
        "cadres.key_moment.synced",
        None,
        actor=actor,
        unit=_common_unit(p for _pk, p, _u in rows),
        after=result.as_dict(),
        note=_("Key moments derived from tasks and escalated events."),
    )
    return result
