"""One demo event's life, step by step, as the actions and the sweep would have written
it, and the bulk writer of events and timelines (see :mod:`grassroots.demo.events`)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from grassroots.common.workdays import US_PER_HOUR
from grassroots.demo import event_texts as texts
from grassroots.demo.event_world import URBAN, CategoryChooser, GridPlace, Leaf, UnitNode, World
from grassroots.events.importing.lookups import Deadlines, Moments
from grassroots.events.importing.writing import IdAllocator, insert_actions, insert_events
from grassroots.events.models import ActionKind, EventSource
from grassroots.events.states import EventStatus
from grassroots.org.models import UnitKind

RATING_SOURCES: Final = frozenset({EventSource.RESIDENT, EventSource.HOTLINE, EventSource.OPEN311})
FLUSH_EVENTS: Final = 4000
#: Categories a patrol can settle where it finds them (就地解决).
ON_SPOT: Final = frozenset(
    {"SRHJ01", "SRHJ02", "SRHJ03", "SRHJ04", "JMZX01", "JMZX02", "JMZX03", "JMZX04", "STHB04"}
)
#: Categories whose cases often need the township (manual escalation).
HARD: Final = frozenset({"MDJF03", "MDJF06", "MDJF07", "WFJS01", "WFJS02", "WFJS04", "WFJS05"})


# --- one event's life ---------------------------------------------------------------------

S = EventStatus
K = ActionKind
#: The sweep acts only on events still waiting for handling.
WAITING: Final = frozenset(
    {
        S.REPORTED,
        S.ACCEPTED,
        S.DISPATCHED,
        S.IN_PROGRESS,
        S.RETURNED,
        S.ESCALATED,
        S.REWORKED,
        S.REOPENED,
    }
)


class _Stop(Exception):  # noqa: N818 - control flow: the next step would be after now
    pass


@dataclass(slots=True)
class _Life:
    """The state of one event while its timeline is written, step by step."""

    now: dt.datetime
    status: str
    assignee: UnitNode
    dispatcher: UnitNode
    respond_by: dt.datetime
    resolve_by: dt.datetime
    last: dt.datetime
    actions: list[tuple[Any, ...]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    escalation_level: int = 0
    reopen_count: int = 0
    rework_count: int = 0
    return_count: int = 0
    satisfaction: str = ""

    def add(
        self,
        kind: str,
        at: dt.datetime,
        to: str | None,
        *,
        actor: int | None,
        unit: UnitNode | None,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        """One timeline line at ``at`` (never before the previous one); _Stop after now."""
        if self.actions and at <= self.last:
            at = self.last + dt.timedelta(seconds=1)
        if at > self.now:
            raise _Stop
        self.last = at
        before = self.status
        if to is not None:
            self.status = to
        self.actions.append(
            (
                kind,
                before if kind != K.REPORT else "",
                self.status,
                actor,
                unit.id if unit else None,
                note,
                data or {},
                at,
            )
        )

    def answered(self, at: dt.datetime) -> None:
        self.fields.setdefault("responded_at", at)


class EventWriter:
    """Simulates events and writes them (and their timelines) in batches."""

    def __init__(self, world: World, rng: random.Random, now: dt.datetime, zone: ZoneInfo) -> None:
        self.world = world
        self.rng = rng
        self.now = now
        self.zone = zone
        self.deadlines = Deadlines(zone)
        self.moments = Moments(zone, postgresql=connection.vendor == "postgresql")
        self.chooser = CategoryChooser(world.leaves)
        self.allocator = IdAllocator()
        self.prefix = settings.EVENT_NUMBER_PREFIX
        self.escalate_us = int(settings.EVENT_ESCALATE_AFTER_HOURS) * US_PER_HOUR
        self.remind_us = int(settings.EVENT_REMIND_BEFORE_HOURS) * US_PER_HOUR
        self.events: list[tuple[Any, ...]] = []
        self.lines: list[list[tuple[Any, ...]]] = []
        self.count = 0
        self.county_departments: dict[str, list[UnitNode]] = {}
        for unit in world.departments.values():
            if unit.parent is not None:
                self.county_departments.setdefault(unit.parent.code, []).append(unit)

    # --- helpers

    def hours(self, start: dt.datetime, low: float, high: float) -> dt.datetime:
        """``start`` plus a random number of working hours in [low, high]."""
        amount = int(self.rng.uniform(low, high) * US_PER_HOUR)
        return self.deadlines.respond_by(start, max(amount, 1))

    def actor(self, unit: UnitNode | None) -> int | None:
        return self.world.actors.get(unit.id) if unit is not None else None

    def department(self, grid: GridPlace, leaf: Leaf) -> UnitNode | None:
        if leaf.department_suffix is None or grid.county is None:
            return None
        return self.world.departments.get(f"{grid.county.code}{leaf.department_suffix}")

    def iso(self, moment: dt.datetime) -> str:
        offset = self.moments.offset(moment.date())
        if offset is None:
            return moment.replace(tzinfo=self.zone).isoformat()
        return moment.isoformat() + offset[1]

    def pick(self, options: Sequence[str]) -> str:
        return options[self.rng.randrange(len(options))]

    # --- one event

    def event(
        self, grid: GridPlace, at: dt.datetime, source: str, point: tuple[float, float]
    ) -> None:
        rng = self.rng
        public = source != EventSource.PATROL and (
            source != EventSource.HOTLINE or rng.random() < 0.8
        )
        leaf = self.chooser.choose(rng, public, grid.place, at.month)
        area: UnitNode = grid.unit
        lon: float | None = point[0]
        lat: float | None = point[1]
        if source == EventSource.HOTLINE and rng.random() < 0.3:
            area, lon, lat = grid.village, None, None  # an address only: the village places it
        village = grid.village
        respond_by = self.deadlines.respond_by(at, leaf.response_us)
        resolve_by = self.deadlines.resolve_by(at.date(), leaf.resolve_workdays)
        life = _Life(self.now, S.REPORTED, village, village, respond_by, resolve_by, at)
        reporter, contact_name, contact_phone = None, "", ""
        if source == EventSource.PATROL:
            reporter = self.actor(grid.unit)
            reporter_unit: UnitNode | None = grid.unit
        else:
            reporter_unit = None
            resident = self.world.resident
            if source == EventSource.RESIDENT and resident and resident[0] == grid.unit.id:
                reporter = resident[1]
            contact_name = self.pick(texts.SURNAMES) + self.pick(texts.GIVEN)
            contact_phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        title = self.pick(
            texts.TITLES.get(leaf.code)
            or texts.TITLES.get(leaf.parent_code)
            or texts.DEFAULT_TITLES
        )
        if village.kind == UnitKind.COMMUNITY:
            address = f"{grid.township.name}{self.pick(texts.ROADS)}{rng.randint(1, 300)}号"
        else:
            address = f"{village.name.removesuffix('村民委员会')}{rng.randint(1, 12)}组"
        if source == EventSource.PATROL:
            description = f"巡查发现{address}{title}。"
        else:
            description = f"{contact_name}反映: {address}附近{title}, 请尽快处理。"
        try:
            life.add(
                K.REPORT,
                at,
                S.REPORTED,
                actor=reporter,
                unit=reporter_unit,
                data={
                    "source": source,
                    "assignee": village.code,
                    "respond_by": self.iso(respond_by),
                    "resolve_by": self.iso(resolve_by),
                },
            )
            self.live(life, grid, leaf, source, reporter)
        except _Stop:
            pass
        moments = self.moments.text
        f = life.fields
        self.events.append(
            (
                None,  # number, from the id
                at,  # the local day of the number
                title,
                description,
                leaf.id,
                source,
                "{}",
                reporter,
                contact_name,
                contact_phone,
                lat,
                lon,
                address,
                area.id if area.kind == UnitKind.GRID else None,
                village.id,
                grid.township.id,
                area.path,
                life.status,
                life.assignee.id,
                life.assignee.path,
                life.dispatcher.id,
                moments(life.respond_by),
                moments(life.resolve_by),
                life.escalation_level,
                life.satisfaction,
                life.reopen_count,
                life.rework_count,
                life.return_count,
                None,
                moments(at),
                *(
                    moments(f[name]) if f.get(name) is not None else None
                    for name in (
                        "responded_at",
                        "accepted_at",
                        "dispatched_at",
                        "resolved_at",
                        "verified_at",
                        "closed_at",
                        "rated_at",
                    )
                ),
                moments(at),
                moments(life.last),
            )
        )
        self.lines.append(life.actions)
        if len(self.events) >= FLUSH_EVENTS:
            self.flush()

    def live(
        self, life: _Life, grid: GridPlace, leaf: Leaf, source: str, reporter: int | None
    ) -> None:
        """Everything after the report, until closed (or now)."""
        rng = self.rng
        at = life.last
        village = grid.village
        resolve_notes = texts.RESOLVE_NOTES.get(leaf.parent_code, texts.DEFAULT_RESOLVE_NOTES)
        if source == EventSource.PATROL and leaf.code in ON_SPOT and rng.random() < 0.45:
            done = at + dt.timedelta(minutes=rng.randint(5, 90))
            life.add(
                K.RESOLVE_ON_SPOT,
                done,
                S.CLOSED,
                actor=reporter,
                unit=grid.unit,
                note=self.pick(texts.ON_SPOT_NOTES),
            )
            for name in ("responded_at", "accepted_at", "resolved_at", "closed_at"):
                life.fields[name] = done
            return
        # the first answer: mostly within the response deadline
        span = max(self.deadlines.clock(life.respond_by) - self.deadlines.clock(at), 1)
        late_answer = rng.random() < 0.08
        share = rng.uniform(1.1, 4.0) if late_answer else rng.uniform(0.05, 0.95)
        answer = self.deadlines.at_clock(self.deadlines.clock(at) + int(span * share), at.date())
        if answer >= life.resolve_by:
            answer = at + (life.resolve_by - at) / 2
        if answer > life.respond_by >= at:
            self.lapse(life, "respond_by", life.respond_by)
        if source != EventSource.PATROL and rng.random() < 0.025:
            life.add(
                K.REJECT,
                answer,
                S.REJECTED,
                actor=self.actor(village),
                unit=village,
                note=self.pick(texts.REJECT_NOTES),
            )
            life.answered(life.last)
            return
        life.add(K.ACCEPT, answer, S.ACCEPTED, actor=self.actor(village), unit=village)
        life.answered(life.last)
        life.fields["accepted_at"] = life.last
        # the plan of handling, before the deadline's lines are merged in
        department = self.department(grid, leaf)
        steps: list[tuple[str, dict[str, Any]]] = []
        if leaf.code in HARD and rng.random() < 0.2:
            steps.append(("escalate", {}))
        if department is not None and rng.random() < (0.65 if grid.place == URBAN else 0.5):
            steps.append(("dispatch", {"to": department}))
            if rng.random() < 0.06:
                others = [
                    d
                    for d in self.county_departments.get(
                        grid.county.code if grid.county else "", []
                    )
                    if d.id != department.id
                ]
                steps.append(("return", {}))
                if others:
                    steps.append(("dispatch", {"to": others[rng.randrange(len(others))]}))
                else:
                    steps.append(("start", {}))
        steps.append(("start", {}))
        late = rng.random() < (0.2 if leaf.parent_code in ("MDJF", "WFJS") else 0.1)
        self.handle(life, grid, steps, late, resolve_notes)
        self.finish(life, grid, leaf, source, reporter, resolve_notes, late)

    def lapse(self, life: _Life, deadline: str, due: dt.datetime) -> None:
        if life.status not in WAITING:
            return
        kind = K.LAPSE
        label = "响应时限" if deadline == "respond_by" else "处置时限"
        life.add(
            kind,
            due,
            None,
            actor=None,
            unit=None,
            note=f"{label} {due:%Y-%m-%d %H:%M}",
            data={"deadline": deadline, "due": self.iso(due), "automatic": True},
        )

    def handle(
        self,
        life: _Life,
        grid: GridPlace,
        steps: list[tuple[str, dict[str, Any]]],
        late: bool,
        resolve_notes: Sequence[str],
    ) -> None:
        """The handling steps, the sweep's lines at their times, and the resolution."""
        rng = self.rng
        deadlines = self.deadlines
        due = life.resolve_by
        due_clock = deadlines.clock(due)
        # when it will be resolved: mostly before the deadline, some late
        step_hours = 0.5 + 3.0 * len(steps)
        start = deadlines.respond_by(life.last, int(step_hours * US_PER_HOUR))
        if not late and start < due:
            share = rng.random() ** 1.6
            resolved = deadlines.at_clock(
                deadlines.clock(start) + int((due_clock - deadlines.clock(start)) * share),
                start.date(),
            )
        elif rng.random() < 0.6:  # a little late: lapsed, not yet escalated
            resolved = deadlines.respond_by(due, int(rng.uniform(0.2, 0.9) * self.escalate_us) + 1)
        else:
            days_late = min(rng.expovariate(1 / 3.0) + 1.0, 40.0)
            resolved = deadlines.respond_by(due, int(days_late * 7 * US_PER_HOUR))
        system: list[tuple[dt.datetime, str]] = []
        if self.remind_us:
            remind = deadlines.at_clock(due_clock - self.remind_us, due.date())
            if remind > life.last:
                system.append((remind, "remind"))
        system.append((due, "lapse"))
        if late and rng.random() < 0.4:
            system.append((due + dt.timedelta(hours=rng.randint(1, 30)), "urge"))
        system.append((deadlines.respond_by(due, max(self.escalate_us, 1)), "escalate"))
        system.sort()
        times = [life.last]
        for _ in steps:
            times.append(self.hours(times[-1], 0.3, 3.0 if late else 1.5))
        queue = list(zip(times[1:], steps, strict=True))
        while queue or system:
            if system and (not queue or system[0][0] < queue[0][0]) and system[0][0] < resolved:
                moment, what = system.pop(0)
                if what == "escalate":
                    if life.status in WAITING and self.escalate(life, moment):
                        queue = self.after_escalation(life, grid, moment, queue)
                        resolved = max(
                            resolved, queue[-1][0] + dt.timedelta(hours=rng.randint(2, 30))
                        )
                elif what == "urge":
                    if life.status in WAITING:
                        life.add(
                            K.URGE,
                            moment,
                            None,
                            actor=self.actor(life.dispatcher),
                            unit=life.dispatcher,
                            note=self.pick(texts.URGE_NOTES),
                            data={"assignee": life.assignee.code},
                        )
                elif what == "remind":
                    if life.status in WAITING:
                        life.add(
                            K.REMIND,
                            moment,
                            None,
                            actor=None,
                            unit=None,
                            note=f"处置时限 {due:%Y-%m-%d %H:%M}",
                            data={
                                "deadline": "resolve_by",
                                "due": self.iso(due),
                                "automatic": True,
                            },
                        )
                else:
                    self.lapse(life, "resolve_by", moment)
                continue
            if not queue:
                break
            moment, (what, params) = queue.pop(0)
            self.step(life, grid, moment, what, params)
        life.add(
            K.RESOLVE,
            max(resolved, life.last),
            S.RESOLVED,
            actor=self.actor(life.assignee),
            unit=life.assignee,
            note=self.pick(resolve_notes),
        )
        life.answered(life.last)
        life.fields["resolved_at"] = life.last

    def step(
        self, life: _Life, grid: GridPlace, moment: dt.datetime, what: str, params: dict[str, Any]
    ) -> None:
        if what == "dispatch":
            target: UnitNode = params["to"]
            if target.id == life.assignee.id:
                what = "start"
            else:
                source_unit = life.assignee
                dispatcher = life.dispatcher if life.status == S.REOPENED else source_unit
                life.add(
                    K.DISPATCH,
                    moment,
                    S.DISPATCHED,
                    actor=self.actor(source_unit),
                    unit=source_unit,
                    note=self.pick(texts.DISPATCH_NOTES),
                    data={"from_unit": source_unit.code, "to_unit": target.code},
                )
                life.dispatcher, life.assignee = dispatcher, target
                life.fields["dispatched_at"] = life.last
                return
        if what == "return":
            if life.assignee.id == life.dispatcher.id:
                return
            source_unit = life.assignee
            life.add(
                K.RETURN,
                moment,
                S.RETURNED,
                actor=self.actor(source_unit),
                unit=source_unit,
                note=self.pick(texts.RETURN_NOTES),
                data={"from_unit": source_unit.code, "to_unit": life.dispatcher.code},
            )
            life.assignee = life.dispatcher
            life.return_count += 1
            return
        if what == "escalate":
            self.escalate(life, moment, manual=True)
            return
        life.add(
            K.START, moment, S.IN_PROGRESS, actor=self.actor(life.assignee), unit=life.assignee
        )

    def escalate(self, life: _Life, moment: dt.datetime, *, manual: bool = False) -> bool:
        parent = life.assignee.parent
        if parent is None:
            return False
        source_unit = life.assignee
        life.add(
            K.ESCALATE,
            moment,
            S.ESCALATED,
            actor=self.actor(source_unit) if manual else None,
            unit=source_unit if manual else None,
            note=self.pick(texts.ESCALATE_NOTES)
            if manual
            else (f"超过处置时限 {settings.EVENT_ESCALATE_AFTER_HOURS} 个工作小时, 自动上报上级。"),
            data={
                "from_unit": source_unit.code,
                "to_unit": parent.code,
                "level": life.escalation_level + 1,
                "automatic": not manual,
            },
        )
        life.assignee = life.dispatcher = parent
        life.escalation_level += 1
        return True

    def after_escalation(
        self,
        life: _Life,
        grid: GridPlace,
        moment: dt.datetime,
        queue: list[tuple[dt.datetime, tuple[str, dict[str, Any]]]],
    ) -> list[tuple[dt.datetime, tuple[str, dict[str, Any]]]]:
        """The unit escalated to sends the event back down (or handles it) at once."""
        targets = [params["to"] for _t, (what, params) in queue if what == "dispatch"]
        target = targets[-1] if targets else grid.village
        first = self.hours(moment, 1.0, 6.0)
        second = self.hours(first, 0.5, 4.0)
        return [(first, ("dispatch", {"to": target})), (second, ("start", {}))]

    def finish(
        self,
        life: _Life,
        grid: GridPlace,
        leaf: Leaf,
        source: str,
        reporter: int | None,
        resolve_notes: Sequence[str],
        late: bool,
    ) -> None:
        """Verification (maybe rework), closing and the rating (maybe a reopening)."""
        rng = self.rng
        checker = life.dispatcher
        moment = self.hours(life.last, 0.5, 12.0)
        if rng.random() < 0.05:
            life.add(
                K.REWORK,
                moment,
                S.REWORKED,
                actor=self.actor(checker),
                unit=checker,
                note=self.pick(texts.REWORK_NOTES),
                data={"rework_count": life.rework_count + 1},
            )
            life.rework_count += 1
            life.add(
                K.RESOLVE,
                self.hours(life.last, 2.0, 20.0),
                S.RESOLVED,
                actor=self.actor(life.assignee),
                unit=life.assignee,
                note=self.pick(resolve_notes),
            )
            life.fields["resolved_at"] = life.last
            moment = self.hours(life.last, 0.5, 8.0)
        life.add(K.VERIFY, moment, S.VERIFIED, actor=self.actor(checker), unit=checker)
        life.fields["verified_at"] = life.last
        life.add(
            K.CLOSE,
            life.last + dt.timedelta(minutes=rng.randint(1, 180)),
            S.CLOSED,
            actor=self.actor(checker),
            unit=checker,
        )
        life.fields["closed_at"] = life.last
        if source not in RATING_SOURCES or rng.random() > 0.85:
            return
        satisfaction = self.rate(life, reporter, late)
        if satisfaction != "unsatisfied" or life.reopen_count:
            return
        # 不满意: reopened once, back to the unit that handled it, with a new deadline
        old = life.resolve_by
        life.resolve_by = self.deadlines.resolve_by(life.last.date(), leaf.resolve_workdays)
        life.add(
            K.REOPEN,
            life.last,
            S.REOPENED,
            actor=reporter,
            unit=None,
            data={
                "assignee": life.assignee.code,
                "old_resolve_by": self.iso(old),
                "resolve_by": self.iso(life.resolve_by),
            },
        )
        life.reopen_count = 1
        life.fields["closed_at"] = None
        life.fields["verified_at"] = None
        life.add(
            K.START,
            self.hours(life.last, 1.0, 8.0),
            S.IN_PROGRESS,
            actor=self.actor(life.assignee),
            unit=life.assignee,
        )
        resolved = self.hours(life.last, 4.0, 50.0)
        if resolved > life.resolve_by:
            self.lapse(life, "resolve_by", life.resolve_by)
        life.add(
            K.RESOLVE,
            resolved,
            S.RESOLVED,
            actor=self.actor(life.assignee),
            unit=life.assignee,
            note=self.pick(resolve_notes),
        )
        life.fields["resolved_at"] = life.last
        life.add(
            K.VERIFY,
            self.hours(life.last, 0.5, 8.0),
            S.VERIFIED,
            actor=self.actor(checker),
            unit=checker,
        )
        life.fields["verified_at"] = life.last
        life.add(
            K.CLOSE,
            life.last + dt.timedelta(minutes=rng.randint(1, 120)),
            S.CLOSED,
            actor=self.actor(checker),
            unit=checker,
        )
        life.fields["closed_at"] = life.last
        self.rate(life, reporter, late=False, second=True)

    def rate(self, life: _Life, reporter: int | None, late: bool, second: bool = False) -> str:
        rng = self.rng
        draw = rng.random()
        unsatisfied = 0.15 if late else 0.05
        if second:
            unsatisfied = 0.2
        satisfaction = (
            "unsatisfied"
            if draw < unsatisfied
            else "basically"
            if draw < unsatisfied + 0.17
            else "satisfied"
        )
        reopens = satisfaction == "unsatisfied" and life.reopen_count == 0
        life.add(
            K.RATE,
            life.last + dt.timedelta(hours=rng.uniform(1, 72)),
            None,
            actor=reporter,
            unit=None,
            note=self.pick(texts.RATE_NOTES[satisfaction]),
            data={"satisfaction": satisfaction, "reopens": reopens},
        )
        life.satisfaction = satisfaction
        life.fields["rated_at"] = life.last
        return satisfaction

    # --- writing

    def flush(self) -> None:
        if not self.events:
            return
        ids = self.allocator.take(len(self.events))
        text = self.moments.text
        events = []
        actions = []
        for pk, row, lines in zip(ids, self.events, self.lines, strict=True):
            day: dt.datetime = row[1]
            events.append((pk, f"{self.prefix}{day:%Y%m%d}{pk:06d}", *row[2:]))
            for kind, before, after, actor, unit, note, data, at in lines:
                actions.append(
                    (
                        pk,
                        kind,
                        before,
                        after,
                        actor,
                        unit,
                        note,
                        json.dumps(data, ensure_ascii=False) if data else "{}",
                        text(at),
                    )
                )
        insert_events(events)
        insert_actions(actions)
        self.count += len(events)
        self.events = []
        self.lines = []
