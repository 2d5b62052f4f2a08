"""A year of the city's supervised tasks (目督) for the demo, replayed through the actions.

``seed_tasks(rng=...)`` deploys, from January of the current year (before March: of
the last one), what 西昌's supervision
office follows in a year, and lets the year happen up to now:

- **key tasks and campaigns** (``CITY_TASKS``): 产业转型年 key project investment (split
  among the townships), 新增村集体经济收入 (万元), 违建整治 (处), 文化院坝 construction
  (个), 邛海“天窗” restoration (the lake-side townships only) — each deployed by the city
  office as the city's umbrella task, split among the townships pro rata by households,
  and by each township among its villages and communities (``cascade_task`` with
  ``basis="households"``), so that the sub-tasks' targets add up exactly;
- **livelihood projects** (``PROJECTS``): deployed to one township each, with budget,
  location and beneficiaries; most are decided feasible (具备条件), three are not feasible
  now (不具备条件) with the public explanation the portal shows;
- **the year**: every unit reports its cumulative progress every two to three months
  and once shortly before the deadline, at its own pace (most keep ahead of the plan line,
  about one in seven falls behind and finishes late or not yet); the unit above
  verifies a few days later (about one report in ten is returned with a reason; the
  latest reports still wait); a township reports the sum of its villages' verified
  progress on the 5th of every third month and once all of them are done; lagging and
  overdue tasks are urged; a few units ask for more time (approved or refused);
  completed tasks are struck off (销号) by the issuer some days later. Steps that would
  fall after now do not happen, so some tasks are late and some reports wait for
  verification.

Every write goes through ``grassroots.supervision.actions`` (scope checks, row locks,
timeline lines, audit entries, inbox messages after the commit), in time order, with the
clock (``django.utils.timezone.now``) set to the moment of each step, so that the
timeline and the audit trail read as a year. Actors are the demo logins where one is
bound to the acting unit (``city_admin`` for the city office, ``unit_leader`` for 礼州镇,
``village_cadre`` for its first village); the other townships' shares are verified and
urged by the city office, and the reports of units without a demo login are entered by
the administrator on their behalf (代报: the timeline shows ``admin``).

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import partial
from typing import Final
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from grassroots.org.models import Unit, UnitKind, User
from grassroots.supervision.models import Task, TaskKind, TaskLevel
from grassroots.supervision.states import TaskState

ProgressCallback = Callable[[str, int, int | None], None]

DEMO_TOWNSHIP: Final = "513401101"
#: The lake-side townships (邛海).
#: Share of the units that fall behind.
LAGGARDS: Final = 0.15
#: Share of the lagging units (where an extension fits) that ask for more time.
EXTENDING: Final = 0.3
LAKE_TOWNSHIPS: Final = ("513401007", "513401103", "513401228", "513401110")


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A city task split among the townships (and their villages)."""

    title: str
    doc: str
    kind: str
    level: str
    target: Decimal
    measure: str
    start: tuple[int, int]
    deadline: tuple[int, int]
    description: str
    pace: float  # mean share of the plan line reached
    places: int = 0  # decimal places of reported values
    to_villages: bool = True
    townships: tuple[str, ...] = ()  # empty: every township
    milestones: tuple[tuple[str, tuple[int, int]], ...] = ()


CITY_TASKS: Final = (
    TaskSpec(
        "产业转型年重点项目完成投资",
        "西委发〔{year}〕2号",
        TaskKind.KEY_TASK,
        TaskLevel.LISTED,
        Decimal(120),
        "亿元",
        (1, 10),
        (12, 20),
        "围绕“产业转型年”，全年重点项目完成投资 120 亿元，按季度调度、挂牌督办。",
        1.1,
        places=2,
        to_villages=False,
        milestones=(("一季度开门红", (3, 31)), ("完成过半", (6, 30)), ("三季度冲刺", (9, 30))),
    ),
    TaskSpec(
        "新增村集体经济收入",
        "西委办〔{year}〕12号",
        TaskKind.KEY_TASK,
        TaskLevel.KEY,
        Decimal(1500),
        "万元",
        (1, 20),
        (12, 31),
        "乡村振兴：发展壮大村级集体经济，全年新增村集体经济收入 1500 万元。",
        1.08,
        places=1,
        milestones=(("完成摸底和方案", (3, 15)), ("完成过半", (7, 15))),
    ),
    TaskSpec(
        "违法建设专项整治",
        "西府办〔{year}〕21号",
        TaskKind.CAMPAIGN,
        TaskLevel.KEY,
        Decimal(1800),
        "处",
        (2, 20),
        (10, 31),
        "开展违建整治专项行动，全年拆除整治违法建设 1800 处，做到存量清零、增量零容忍。",
        1.0,
    ),
    TaskSpec(
        "文化院坝建设",
        "西委宣〔{year}〕5号",
        TaskKind.KEY_TASK,
        TaskLevel.NORMAL,
        Decimal(120),
        "个",
        (3, 1),
        (11, 30),
        "建设村（社区）文化院坝 120 个，打造群众家门口的文化阵地。",
        1.1,
    ),
    TaskSpec(
        "邛海“天窗”生态修复",
        "西委发〔{year}〕9号",
        TaskKind.CAMPAIGN,
        TaskLevel.LISTED,
        Decimal(48),
        "处",
        (3, 15),
        (9, 30),
        "对邛海沿岸“天窗”逐一销号修复，恢复湿地植被和岸线生态。",
        0.95,
        townships=LAKE_TOWNSHIPS,
    ),
)


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """A livelihood project (民生工程) of one township."""

    title: str
    township: str
    location: str
    beneficiaries: str
    budget: Decimal
    start: tuple[int, int]
    deadline: tuple[int, int]
    pace: float
    target: Decimal | None = None
    measure: str = ""
    explanation: str = ""  # set: not feasible now, with this public explanation


PROJECTS: Final = (
    ProjectSpec("礼州镇农贸市场改造", "513401101", "礼州镇场镇", "约 1.2 万人",
                Decimal(680), (2, 1), (10, 31), 0.95),
    ProjectSpec("安宁镇农村公路提档升级", "513401102", "安宁镇各村", "沿线 3200 户",
                Decimal(1450), (2, 15), (12, 15), 0.8, Decimal(18), "公里"),
    ProjectSpec("川兴镇污水管网延伸", "513401103", "川兴镇环湖片区", "约 6000 人",
                Decimal(2100), (3, 1), (12, 31), 0.9, Decimal(12), "公里"),
    ProjectSpec("北城街道老旧小区改造", "513401001", "北城街道 6 个小区", "1860 户",
                Decimal(3200), (1, 15), (11, 30), 1.0, Decimal(6), "个"),
    ProjectSpec("西城街道社区养老服务中心", "513401002", "西城街道", "辖区老年人约 4000 人",
                Decimal(560), (3, 1), (9, 30), 0.75),
    ProjectSpec("佑君镇人饮工程", "513401105", "佑君镇高山村组", "2100 人",
                Decimal(890), (2, 20), (8, 31), 1.05),
    ProjectSpec("黄联关镇中心校运动场", "513401104", "黄联关镇中心校", "在校学生约 1500 人",
                Decimal(320), (4, 1), (8, 31), 0.9),
    ProjectSpec("樟木箐镇高山移民安置点", "513401109", "樟木箐镇", "计划安置 86 户",
                Decimal(2600), (3, 1), (12, 31), 0.0,
                explanation="经地质灾害危险性评估，拟选址位于滑坡隐患区，暂不具备建设条件；"
                "镇政府正会同自然资源部门另行选址，新址确定后向群众公示。"),
    ProjectSpec("东城街道停车场建设", "513401003", "东城街道", "周边居民和商户",
                Decimal(1200), (4, 1), (12, 31), 0.0,
                explanation="拟用地块权属存在争议，土地手续暂无法办理，今年不具备实施条件。"
                "街道已通过临时划线增加车位 120 个，争议解决后重新论证。"),
    ProjectSpec("阿七镇通村公路硬化", "513401108", "阿七镇 3 个村", "沿线 700 户",
                Decimal(980), (3, 1), (11, 30), 0.0, Decimal(9), "公里",
                explanation="项目尚未纳入今年省级补助计划，资金缺口较大，暂不具备条件；"
                "已申报明年计划，镇村先行完成危险路段的安全防护。"),
)  # fmt: skip

RETURN_REASONS: Final = (
    "佐证材料不全，请补充现场照片。",
    "数据与台账不一致，请核实后重新报送。",
    "完成量计算有误，请按验收口径重新统计。",
)
URGE_NOTES: Final = (
    "进度明显滞后，请加快推进，并于本周内报送最新进展。",
    "请对照时间节点倒排工期，确保按期完成。",
)
LATE_NOTE: Final = "已超过完成时限，请说明原因，尽快完成并报送。"
EXTENSION_REASONS: Final = (
    "受雨季影响，施工无法进行，申请顺延完成时限。",
    "涉及群众搬迁协调，需要更多时间做好工作。",
    "资金拨付晚于预期，申请适当延期。",
)


@dataclass(slots=True)
class TaskSummary:
    """What ``seed_tasks`` did (counts)."""

    tasks: int = 0
    reports: int = 0
    accepted: int = 0
    returned: int = 0
    urges: int = 0
    extensions: int = 0
    closed: int = 0


@dataclass(slots=True)
class _Actors:
    city_admin: User
    admin: User
    leader: User | None
    cadre: User | None
    township_id: int | None
    village_id: int | None

    def reporter(self, unit_id: int) -> User:
        """Who reports for a unit: its demo login, else the administrator (代报)."""
        if unit_id == self.village_id and self.cadre is not None:
            return self.cadre
        if unit_id == self.township_id and self.leader is not None:
            return self.leader
        return self.admin

    def issuer(self, unit_id: int) -> User:
        """Who verifies, urges and closes for an issuing unit."""
        if unit_id == self.township_id and self.leader is not None:
            return self.leader
        return self.city_admin


def _actors() -> _Actors | None:
    users = {u.username: u for u in User.objects.filter(username__in=_NAMES)}
    if "city_admin" not in users or "admin" not in users:
        return None
    township = Unit.objects.filter(code=DEMO_TOWNSHIP).first()
    cadre = users.get("village_cadre")
    village_id = (
        cadre.memberships.filter(role="village_cadre").values_list("unit_id", flat=True).first()
        if cadre is not None
        else None
    )
    return _Actors(
        users["city_admin"],
        users["admin"],
        users.get("unit_leader"),
        cadre,
        township.pk if township else None,
        village_id,
    )


_NAMES: Final = ("city_admin", "admin", "unit_leader", "village_cadre")


@contextmanager
def _clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Set ``timezone.now`` to the moments of the replay."""
    current = {"at": timezone.now()}

    def now() -> dt.datetime:
        return current["at"]

    def set_to(moment: dt.datetime) -> None:
        current["at"] = moment

    with mock.patch("django.utils.timezone.now", now):
        yield set_to


@dataclass(slots=True)
class _Leaf:
    """A task that takes reports, with its pace."""

    task_id: int
    unit_id: int
    issuer_id: int
    pace: float
    places: int
    last: Decimal = Decimal(0)  # the value last reported
    resubmit: bool = False  # the last report was returned: report again
    urged: int = 0
    extend: bool = False


@dataclass(order=True, slots=True)
class _Step:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class _Year:
    """The replay: steps in time order; a step may schedule later ones."""

    def __init__(self, rng: random.Random, now: dt.datetime, actors: _Actors) -> None:
        self.rng = rng
        self.now = now
        self.zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(self.zone)
        # early in the year, the year just ended (so that there is a history to show)
        self.year = local.year if local.month >= 3 else local.year - 1
        self.actors = actors
        self.queue: list[_Step] = []
        self.seq = 0
        self.summary = TaskSummary()

    def day(self, month_day: tuple[int, int]) -> dt.date:
        return dt.date(self.year, *month_day)

    def moment(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = hour if hour is not None else self.rng.randint(9, 17)
        return dt.datetime.combine(
            day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), self.zone
        )

    def at(self, moment: dt.datetime, run: Callable[[], None]) -> None:
        if moment < self.now:
            self.seq += 1
            heapq.heappush(self.queue, _Step(moment, self.seq, run))

    def run(self, progress: ProgressCallback | None) -> None:
        done = 0
        with _clock() as set_to:
            while self.queue:
                step = heapq.heappop(self.queue)
                set_to(step.at)
                step.run()
                done += 1
                if progress is not None and done % 500 == 0:
                    progress("Demo tasks", done, None)

    # --- deploying ---------------------------------------------------------------------

    def deploy(self, spec: TaskSpec) -> None:
        from grassroots.supervision.actions import cascade_task, create_task

        city = Unit.objects.get(depth=0)
        units = None
        if spec.townships:
            units = list(Unit.objects.filter(parent=city, code__in=spec.townships))
            if not units:
                return  # none of its townships in this scale
        start, end = self.day(spec.start), self.day(spec.deadline)
        admin = self.actors.city_admin
        root = create_task(
            actor=admin,
            title=spec.title,
            kind=spec.kind,
            unit=city,
            issuer=city,
            deadline=end,
            start_date=start,
            doc_number=spec.doc.format(year=self.year),
            description=spec.description,
            level=spec.level,
            target_value=spec.target,
            target_measure=spec.measure,
            milestones=[(t, self.day(d)) for t, d in spec.milestones],
        )
        shares = cascade_task(root, actor=admin, basis="households", units=units)
        self.summary.tasks += 1 + len(shares)
        for share in shares:
            has_villages = (
                spec.to_villages
                and Unit.objects.filter(
                    parent_id=share.unit_id, kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY)
                ).exists()
            )
            if has_villages:
                when = self.moment(start + dt.timedelta(days=self.rng.randint(2, 8)))
                self.at(when, self._split(share.pk, spec))
            else:
                self._leaf(share, spec.pace, spec.places)

    def _split(self, task_id: int, spec: TaskSpec) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import cascade_task

            task = Task.objects.get(pk=task_id)
            actor = self.actors.issuer(task.unit_id)
            deadline = task.deadline - dt.timedelta(days=self.rng.choice((0, 5, 10)))
            children = cascade_task(task, actor=actor, basis="households", deadline=deadline)
            self.summary.tasks += len(children)
            # one village of the demo township lags behind, whatever the draw
            behind = (
                self.rng.randrange(len(children)) if task.unit_id == self.actors.township_id else -1
            )
            for n, child in enumerate(children):
                self._leaf(child, spec.pace, spec.places, laggard=n == behind)
            first = dt.date(task.start_date.year, task.start_date.month, 5)
            self._monthly(task_id, first)

        return run

    def project(self, spec: ProjectSpec) -> None:
        from grassroots.supervision.actions import create_task

        unit = Unit.objects.filter(code=spec.township).first()
        if unit is None:
            return
        start, end = self.day(spec.start), self.day(spec.deadline)
        task = create_task(
            actor=self.actors.city_admin,
            title=spec.title,
            kind=TaskKind.LIVELIHOOD,
            unit=unit,
            deadline=end,
            start_date=start,
            doc_number=f"西府办〔{self.year}〕3号",
            description=f"{self.year}年十件民生实事之一：{spec.title}。",
            level=TaskLevel.KEY,
            target_value=spec.target,
            target_measure=spec.measure,
            budget=spec.budget,
            location=spec.location,
            beneficiaries=spec.beneficiaries,
        )
        self.summary.tasks += 1
        when = self.moment(start + dt.timedelta(days=self.rng.randint(10, 25)))
        self.at(when, self._feasibility(task.pk, spec))

    def _feasibility(self, task_id: int, spec: ProjectSpec) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import decide_feasibility

            task = Task.objects.get(pk=task_id)
            feasible = not spec.explanation
            decide_feasibility(
                task,
                actor=self.actors.city_admin,
                feasible=feasible,
                explanation=spec.explanation or "已完成可研和资金落实，具备实施条件。",
            )
            if feasible:
                self._leaf(task, spec.pace, 1 if spec.target is not None else 0)

        return run

    # --- progress ----------------------------------------------------------------------

    def _leaf(self, task: Task, pace: float, places: int, *, laggard: bool = False) -> None:
        # Most units keep ahead of the plan line; about one in seven lags.
        lagging = laggard or self.rng.random() < LAGGARDS
        mean, spread = (0.72 * pace, 0.12) if lagging else (1.2 * pace, 0.08)
        speed = self.rng.gauss(mean, spread)
        leaf = _Leaf(
            task.pk,
            task.unit_id,
            task.issuer_id,
            max(0.3, min(1.4, speed)),
            places,
            # laggards ask for more time (they cannot finish before the decision)
            extend=lagging and self._may_extend(task) and self.rng.random() < EXTENDING,
        )
        first = task.start_date + dt.timedelta(days=self.rng.randint(20, 45))
        self.at(self.moment(first), self._report(leaf))
        # the last report before the deadline (the others every two to three months)
        final = task.deadline - dt.timedelta(days=self.rng.randint(4, 12))
        if final > first:
            self.at(self.moment(final), self._report(leaf, again=False))
        if leaf.extend:
            ask = task.deadline - dt.timedelta(days=self.rng.randint(7, 20))
            self.at(self.moment(max(ask, task.start_date)), self._extension(leaf))
        self.at(self.moment(task.deadline + dt.timedelta(days=3)), self._late(leaf))

    @staticmethod
    def _may_extend(task: Task) -> bool:
        """An extension fits: a root, or a sub-task due before its parent."""
        return task.parent_id is None or (
            task.parent is not None and task.deadline < task.parent.deadline
        )

    def _reached(self, task: Task, pace: float, day: dt.date, places: int) -> Decimal:
        """Where a unit of this pace stands on ``day``: the cumulative value (or percent),
        rounded down to ``places``; the whole target once nearly there."""
        span = max((task.deadline - task.start_date).days, 1)
        share = pace * (day - task.start_date).days / span * self.rng.uniform(0.9, 1.1)
        share = min(1.0, share if share < 0.97 else 1.0)
        total = task.target_value if task.target_value is not None else Decimal(100)
        step = Decimal(1).scaleb(-places) if task.target_value is not None else Decimal(1)
        return (total * Decimal(str(round(share, 4)))).quantize(step, ROUND_DOWN)

    def _report(self, leaf: _Leaf, *, again: bool = True) -> Callable[[], None]:
        """A report at the unit's pace; ``again``: then the next one, two to three months
        later (as long as the task is open)."""

        def run() -> None:
            from grassroots.supervision.actions import report_progress

            task = Task.objects.get(pk=leaf.task_id)
            if task.state != TaskState.OPEN:
                return
            today = timezone.localdate()
            # the last report before the deadline tells where the unit ends up by then
            day = today if again else max(today, task.deadline)
            value = self._reached(task, leaf.pace, day, leaf.places)
            if value > leaf.last or (leaf.resubmit and value >= leaf.last and value > 0):
                measured = task.target_value is not None
                report = report_progress(
                    task,
                    actor=self.actors.reporter(task.unit_id),
                    note=self.rng.choice(
                        (
                            "按计划推进。",
                            "已完成阶段性工作，附现场照片。",
                            "本期新增完成情况见台账。",
                        )
                    ),
                    value=value if measured else None,
                    percent=None if measured else value,
                )
                self.summary.reports += 1
                leaf.last, leaf.resubmit = value, False
                later = today + dt.timedelta(days=self.rng.randint(1, 6))
                self.at(self.moment(later), self._verify(leaf, report.pk, again=again))
                return
            if again:
                self._next_report(leaf, today)

        return run

    def _next_report(self, leaf: _Leaf, after: dt.date) -> None:
        day = after + dt.timedelta(days=self.rng.randint(60, 80))
        self.at(self.moment(day), self._report(leaf))

    def _verify(self, leaf: _Leaf, report_id: int, *, again: bool = True) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import urge_task, verify_progress
            from grassroots.supervision.queries import status_of

            actor = self.actors.issuer(leaf.issuer_id)
            accepted = self.rng.random() > 0.1
            verify_progress(
                report_id,
                actor=actor,
                accepted=accepted,
                reason="" if accepted else self.rng.choice(RETURN_REASONS),
            )
            today = timezone.localdate()
            if not accepted:
                self.summary.returned += 1
                leaf.resubmit = True
                self.at(self.moment(today + dt.timedelta(days=self.rng.randint(3, 10))),
                        self._report(leaf))  # fmt: skip
                return
            self.summary.accepted += 1
            task = Task.objects.get(pk=leaf.task_id)
            if task.state == TaskState.COMPLETED:
                self._siblings_done(task, today)
                if self.rng.random() < 0.6:
                    later = today + dt.timedelta(days=self.rng.randint(5, 20))
                    self.at(self.moment(later), self._close(leaf))
                return
            if status_of(task, today) == "lagging" and not leaf.urged and self.rng.random() < 0.4:
                urge_task(task, actor=actor, note=URGE_NOTES[leaf.urged % len(URGE_NOTES)])
                leaf.urged += 1
                self.summary.urges += 1
            if again:
                self._next_report(leaf, today)

        return run

    def _siblings_done(self, task: Task, today: dt.date) -> None:
        """The last village done: its township reports the sum a day or two later."""
        parent = task.parent
        if parent is None or parent.is_rollup or parent.state != TaskState.OPEN:
            return
        if not Task.objects.filter(parent=parent, state=TaskState.OPEN).exists():
            day = today + dt.timedelta(days=self.rng.randint(1, 3))
            self.at(self.moment(day), self._sum_report(parent.pk, day, again=False))

    def _close(self, leaf: _Leaf) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import close_task

            actor = self.actors.issuer(leaf.issuer_id)
            close_task(leaf.task_id, actor=actor, note="经核查验收，予以销号。")
            self.summary.closed += 1

        return run

    def _late(self, leaf: _Leaf) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import urge_task

            task = Task.objects.get(pk=leaf.task_id)
            if task.state == TaskState.OPEN and task.deadline < timezone.localdate():
                urge_task(task, actor=self.actors.issuer(leaf.issuer_id), note=LATE_NOTE)
                self.summary.urges += 1

        return run

    def _extension(self, leaf: _Leaf) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import request_extension

            task = Task.objects.select_related("parent").get(pk=leaf.task_id)
            limit = task.parent.deadline if task.parent is not None else None
            wanted = task.deadline + dt.timedelta(days=30)
            if limit is not None:
                wanted = min(wanted, limit)
            if task.state != TaskState.OPEN or wanted <= task.deadline:
                return
            request = request_extension(
                task,
                actor=self.actors.reporter(task.unit_id),
                requested_deadline=wanted,
                reason=self.rng.choice(EXTENSION_REASONS),
            )
            self.summary.extensions += 1
            later = timezone.localdate() + dt.timedelta(days=self.rng.randint(2, 5))
            self.at(self.moment(later), self._decide(leaf, request.pk))

        return run

    def _decide(self, leaf: _Leaf, request_id: int) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import approve_extension, refuse_extension

            actor = self.actors.issuer(leaf.issuer_id)
            if Task.objects.filter(pk=leaf.task_id).exclude(state=TaskState.OPEN).exists():
                return  # pragma: no cover - laggards do not finish so soon
            if self.rng.random() < 0.7:
                approve_extension(request_id, actor=actor, note="同意延期，请按新时限完成。")
            else:
                refuse_extension(request_id, actor=actor, reason="理由不充分，请按原时限完成。")

        return run

    def _monthly(self, task_id: int, day: dt.date) -> None:
        """A township's own share: the sum of its villages' verified progress, reported
        on the 5th of every third month and verified by the city three days later."""
        later = (day.replace(day=1) + dt.timedelta(days=92)).replace(day=5)
        self.at(self.moment(later, 10), self._sum_report(task_id, later))

    def _sum_report(self, task_id: int, day: dt.date, *, again: bool = True) -> Callable[[], None]:
        def run() -> None:
            from django.db.models import Sum

            from grassroots.supervision.actions import report_progress

            task = Task.objects.get(pk=task_id)
            if task.state != TaskState.OPEN:
                return
            total = Task.objects.filter(parent=task).aggregate(s=Sum("verified_value"))["s"]
            if total and total > (task.verified_value or 0):
                report = report_progress(
                    task,
                    actor=self.actors.reporter(task.unit_id),
                    value=min(total, task.target_value or total),
                    note="汇总各村（社区）核实完成情况。",
                )
                self.summary.reports += 1
                verify_on = day + dt.timedelta(days=3)
                self.at(self.moment(verify_on), self._verify_sum(task, report.pk))
            if again:
                self._monthly(task_id, day)

        return run

    def _verify_sum(self, task: Task, report_id: int) -> Callable[[], None]:
        def run() -> None:
            from grassroots.supervision.actions import verify_progress

            verify_progress(report_id, actor=self.actors.issuer(task.issuer_id), accepted=True)
            self.summary.accepted += 1

        return run


def seed_tasks(
    *,
    rng: random.Random,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> TaskSummary:
    """Deploy the year's tasks and replay the year up to now (see the module
    docstring); needs the demo logins. Returns the counts."""
    actors = _actors()
    summary = TaskSummary()
    if actors is None or not Unit.objects.filter(depth=0).exists():
        return summary
    year = _Year(rng, now or timezone.now(), actors)
    for spec in CITY_TASKS:
        year.at(year.moment(year.day(spec.start), 9), partial(year.deploy, spec))
    for project in PROJECTS:
        year.at(year.moment(year.day(project.start), 9), partial(year.project, project))
    year.run(progress)
    return year.summary
