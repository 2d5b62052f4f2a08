"""The deadline sweep (``grassroots sweep``, and the worker every minute).

It acts only on what happened since the last sweep. ``SweepState`` ("default") holds
``swept_until``; a sweep at ``now`` handles the window ``(swept_until, now]`` and moves
``swept_until`` to ``now``. Each kind of work is one range on an indexed deadline column,
so the cost grows with the deadlines that fall in the window, never with the open events:

* **lapse** (超期) of the handling deadline: ``resolve_by`` in the window;
* **lapse** of the response deadline: ``respond_by`` in the window, not yet responded;
* **reminder** (临期提醒): sent once the office time left before ``resolve_by`` is at most
  ``R`` = ``settings.EVENT_REMIND_BEFORE_HOURS`` working hours, i.e. at the first sweep
  time ``t`` with ``work_hours_between(t, resolve_by) <= R``. Not sent when R = 0, nor
  for an event whose deadline has already passed when the sweep runs (after downtime).
* **escalation** (自动上报上级): once the office time elapsed since ``resolve_by`` is at
  least ``M`` = ``settings.EVENT_ESCALATE_AFTER_HOURS`` working hours, i.e. at the first
  sweep time ``t`` with ``work_hours_between(resolve_by, t) >= M`` (M = 0: at the lapse),
  the event goes to the parent of its assignee (``escalate_event(..., automatic=True)``).

Office time is ``common.workdays``' (``WORK_HOURS`` on the official working days). With
``clock(x)`` = the office time from a fixed origin to ``x`` (non-decreasing), "the first
sweep time ``t`` with ``clock(t) >= X``" lies in ``(a, b]`` exactly when ``clock(a) < X
<= clock(b)``. For a reminder ``X = clock(resolve_by) − R``, so the events concerned are
``resolve_by`` in ``(L(clock(a) + R), L(clock(b) + R)]``, and for an escalation ``X =
clock(resolve_by) + M``: ``resolve_by`` in ``(L(clock(a) − M), L(clock(b) − M)]``, where
``L(c)`` is the latest instant whose clock is at most ``c``. Consecutive windows map to
consecutive, disjoint deadline ranges: every event is reminded, lapsed and escalated by
exactly one sweep, however often or rarely sweeps run. A deadline is one instant: an
event whose deadline is changed (``set_deadline``) to a later moment lapses again at the
new one; an event created with a deadline already in a swept range (an import of old
events) is not acted on.

Only events still waiting for handling (open and not *resolved* or *verified*) are
reminded, lapsed or escalated; a response lapse needs ``responded_at`` empty.

Safety: a sweep works in slices of at most ``MAX_SLICE`` of the window (one slice in the
every-minute case; several after downtime). Each slice is one transaction that locks
the ``SweepState`` row (``select_for_update``), does the slice's work in batches of
``BATCH`` events and moves ``swept_until`` to the slice's end: a crash rolls the slice
back whole, and the next sweep redoes it; two sweeps at once run one after the other,
the second finding nothing new. As a second guard, a line (reminder, lapse) is not written
twice for the same event and deadline, and an event is not escalated automatically twice
for the same deadline (an automatic ``escalate`` line after that deadline exists).

The reminder and lapse lines are written in bulk (one ``COPY`` on PostgreSQL, one INSERT
elsewhere, per batch: the same rows as ``actions.record_system_action`` writes) and their
messages delivered in bulk (``notifications.deliver_changes``); escalation goes through
the action one event at a time, since it changes the event (lock, audit entry,
notification after commit).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.common.workdays import current_calendar, office_hours
from grassroots.events.errors import EventError
from grassroots.events.models import ActionKind, Event, EventAction, SweepState
from grassroots.events.notifications import Change, deliver_changes
from grassroots.events.states import OPEN_STATUSES, EventStatus
from grassroots.inbox.bulk import insert_rows

logger = logging.getLogger(__name__)

STATE_NAME = "default"
BATCH = 500
#: The longest span of time one transaction sweeps (catching up after downtime).
MAX_SLICE = dt.timedelta(hours=1)
#: Open and still to be handled: what can be reminded, lapse and be escalated.
AWAITING_HANDLING: frozenset[str] = frozenset(
    str(s) for s in OPEN_STATUSES - {EventStatus.RESOLVED, EventStatus.VERIFIED}
)
US = dt.timedelta(microseconds=1)
LINE_FIELDS = ("event_id", "kind", "from_status", "to_status", "note", "data", "created_at")

_FIELDS = (
    "pk",
    "status",
    "number",
    "title",
    "assignee_id",
    "dispatcher_id",
    "reporter_id",
    "area_path",
    "assignee_path",
    "resolve_by",
    "respond_by",
)


@dataclass
class SweepReport:
    """What one sweep did."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    slices: int = 0
    reminded: int = 0
    lapsed: int = 0
    response_lapsed: int = 0
    escalated: int = 0
    #: Events due for escalation that could not be (e.g. the root unit has no parent).
    not_escalated: int = 0
    messages: int = 0
    skipped_duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


# --- office clock ------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def office_clock(moment: dt.datetime) -> int:
    """Office time (µs) from the calendar's origin up to ``moment``: non-decreasing, flat
    outside office hours; ``clock(b) − clock(a) == work_hours_between(a, b)``."""
    local = moment.astimezone(_zone())
    position = (local - local.replace(hour=0, minute=0, second=0, microsecond=0)) // US
    return current_calendar().office_clock(local.date(), position, office_hours())


def latest_at_clock(clock: int, near: dt.datetime) -> dt.datetime:
    """``L(clock)``: the latest instant whose office clock is at most ``clock`` (the
    instant just before the clock passes it). ``near`` is where to start looking."""
    office = office_hours()
    day, position = current_calendar().office_instant(
        clock + 1, near.astimezone(_zone()).date(), office
    )
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(microseconds=position)
    return naive.replace(tzinfo=_zone()) - US


def _hours_us(hours: int) -> int:
    return int(hours) * 3_600_000_000


@dataclass(frozen=True)
class Windows:
    """The deadline ranges ``(lo, hi]`` one sweep window ``(start, end]`` covers."""

    start: dt.datetime
    end: dt.datetime
    remind: tuple[dt.datetime, dt.datetime] | None
    escalate: tuple[dt.datetime, dt.datetime]

    @classmethod
    def of(cls, start: dt.datetime, end: dt.datetime) -> Windows:
        remind_us = _hours_us(settings.EVENT_REMIND_BEFORE_HOURS)
        escalate_us = _hours_us(settings.EVENT_ESCALATE_AFTER_HOURS)
        remind = None
        if remind_us > 0:
            a, b = office_clock(start), office_clock(end)
            remind = (
                latest_at_clock(a + remind_us, start),
                latest_at_clock(b + remind_us, end),
            )
        if escalate_us > 0:
            a, b = office_clock(start), office_clock(end)
            escalate = (
                latest_at_clock(a - escalate_us, start),
                latest_at_clock(b - escalate_us, end),
            )
        else:
            escalate = (start, end)
        return cls(start=start, end=end, remind=remind, escalate=escalate)


# --- the sweep ---------------------------------------------------------------------------


def sweep(
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH,
    max_slice: dt.timedelta = MAX_SLICE,
) -> SweepReport:
    """Remind, lapse and escalate what fell due since the last sweep, up to ``now``.

    The first sweep ever only records ``now`` (nothing before it is acted on).
    """
    now = now or timezone.now()
    if batch_size < 1 or max_slice <= dt.timedelta(0):
        raise ValueError("batch_size and max_slice must be positive")
    report = SweepReport()
    while not _sweep_slice(now, report, batch_size, max_slice):
        pass
    return report


def _lock_state(now: dt.datetime) -> SweepState:
    SweepState.objects.get_or_create(name=STATE_NAME, defaults={"swept_until": now})
    return SweepState.objects.select_for_update().get(name=STATE_NAME)


def _sweep_slice(
    now: dt.datetime, report: SweepReport, batch_size: int, max_slice: dt.timedelta
) -> bool:
    """Sweep the next slice in one transaction; True when nothing is left up to ``now``."""
    with transaction.atomic():
        state = _lock_state(now)
        start = state.swept_until
        if start >= now:
            return True
        end = min(now, start + max_slice)
        windows = Windows.of(start, end)
        with translation.override(settings.LANGUAGE_CODE):
            _lapses(windows, report, batch_size)
            _reminders(windows, now, report, batch_size)
            _escalations(windows, report, batch_size)
        state.swept_until = end
        state.save(update_fields=["swept_until", "updated_at"])
    report.since = report.since or start
    report.until = end
    report.slices += 1
    return end >= now


def _batches(
    deadline: str, lo: dt.datetime, hi: dt.datetime, extra: Q, batch_size: int
) -> Iterator[list[dict[str, Any]]]:
    """Events awaiting handling with ``deadline`` in ``(lo, hi]``, in batches, by keyset on
    (deadline, id): each batch one indexed range query."""
    if hi <= lo:
        return
    base = Event.objects.filter(
        extra,
        **{f"{deadline}__gt": lo, f"{deadline}__lte": hi},
        status__in=AWAITING_HANDLING,
    ).order_by(deadline, "pk")
    after: tuple[dt.datetime, int] | None = None
    while True:
        qs = base
        if after is not None:
            qs = qs.filter(
                Q(**{f"{deadline}__gt": after[0]}) | Q(**{deadline: after[0], "pk__gt": after[1]})
            )
        rows = list(qs.values(*_FIELDS)[:batch_size])
        if not rows:
            return
        yield rows
        if len(rows) < batch_size:
            return
        after = (rows[-1][deadline], rows[-1]["pk"])


def _without_duplicates(
    rows: list[dict[str, Any]], kind: str, deadline: str, report: SweepReport
) -> list[dict[str, Any]]:
    """Drop events that already have a ``kind`` line for this very deadline."""
    seen = {
        (event_id, _parse(due))
        for event_id, due in EventAction.objects.filter(
            event_id__in=[r["pk"] for r in rows], kind=kind, data__deadline=deadline
        ).values_list("event_id", "data__due")
    }
    fresh = [r for r in rows if (r["pk"], r[deadline]) not in seen]
    report.skipped_duplicates += len(rows) - len(fresh)
    return fresh


def _parse(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _write_lines(rows_in: list[dict[str, Any]], kind: str, deadline: str) -> list[Change]:
    """One timeline line per event (no actor, no status change), in one COPY or INSERT,
    and the changes to tell people about."""
    at = timezone.now()
    rows = []
    for r in rows_in:
        due = timezone.localtime(r[deadline])
        if deadline == "respond_by":
            note = _("Response deadline %(due)s") % {"due": f"{due:%Y-%m-%d %H:%M}"}
        else:
            note = _("Handling deadline %(due)s") % {"due": f"{due:%Y-%m-%d %H:%M}"}
        data = {"deadline": deadline, "due": r[deadline].isoformat(), "automatic": True}
        rows.append((r["pk"], kind, r["status"], r["status"], note, data, at))
    ids = insert_rows(EventAction, LINE_FIELDS, rows)
    return [
        Change(
            event_id=r["pk"],
            action_id=action_id,
            kind=kind,
            number=r["number"] or "",
            title=r["title"],
            assignee_id=r["assignee_id"],
            dispatcher_id=r["dispatcher_id"],
            reporter_id=r["reporter_id"],
            note=row[4],
            deadline=deadline,
            area_path=r["area_path"],
            assignee_path=r["assignee_path"],
        )
        for r, row, action_id in zip(rows_in, rows, ids, strict=True)
    ]


def _lines(
    kind: str,
    deadline: str,
    lo: dt.datetime,
    hi: dt.datetime,
    extra: Q,
    report: SweepReport,
    batch_size: int,
) -> int:
    count = 0
    for rows in _batches(deadline, lo, hi, extra, batch_size):
        fresh = _without_duplicates(rows, kind, deadline, report)
        if fresh:
            report.messages += deliver_changes(_write_lines(fresh, kind, deadline))
            count += len(fresh)
    return count


def _lapses(windows: Windows, report: SweepReport, batch_size: int) -> None:
    report.lapsed += _lines(
        ActionKind.LAPSE, "resolve_by", windows.start, windows.end, Q(), report, batch_size
    )
    report.response_lapsed += _lines(
        ActionKind.LAPSE,
        "respond_by",
        windows.start,
        windows.end,
        Q(responded_at__isnull=True),
        report,
        batch_size,
    )


def _reminders(windows: Windows, now: dt.datetime, report: SweepReport, batch_size: int) -> None:
    if windows.remind is None:
        return
    lo, hi = windows.remind
    # After downtime, a deadline already past when the sweep runs gets its lapse, not a
    # reminder: "due soon" would be false.
    report.reminded += _lines(
        ActionKind.REMIND, "resolve_by", max(lo, now), hi, Q(), report, batch_size
    )


def _escalations(windows: Windows, report: SweepReport, batch_size: int) -> None:
    from grassroots.events.actions import escalate_event

    lo, hi = windows.escalate
    hours = settings.EVENT_ESCALATE_AFTER_HOURS
    for rows in _batches("resolve_by", lo, hi, Q(), batch_size):
        done = set(
            EventAction.objects.filter(
                event_id__in=[r["pk"] for r in rows],
                kind=ActionKind.ESCALATE,
                data__automatic=True,
                created_at__gt=F("event__resolve_by"),
            ).values_list("event_id", flat=True)
        )
        for r in rows:
            if r["pk"] in done:
                report.skipped_duplicates += 1
                continue
            due = timezone.localtime(r["resolve_by"])
            note = _(
                "Escalated automatically: %(hours)s working hours past the handling "
                "deadline %(due)s."
            ) % {"hours": hours, "due": f"{due:%Y-%m-%d %H:%M}"}
            try:
                escalate_event(r["pk"], actor=None, note=note, automatic=True)
            except EventError as exc:
                report.not_escalated += 1
                report.errors.append(f"{r['number'] or r['pk']}: {exc.message}")
                logger.warning("sweep: event %s not escalated: %s", r["pk"], exc.message)
            else:
                report.escalated += 1
