"""The demo's party building (党建) and culture archive of 西昌.

``seed_partybuilding(rng=…)`` writes directly through the models, in bulk (the actions
serve clerks one record at a time; the demo keeps the invariants they keep):

- **党建月会** of every township and village for the last twelve months (the current one
  included): most held within their month, a few late, a few missed (cancelled with a
  reason, or left planned and never held), the current month's planned when its day is
  still ahead; the attendance of the unit's team (the cadre files' names where the unit
  has them, the demo logins on their own rows) with 80–100 % present, so that the counts
  are the attendance rows; 1–3 resolutions a meeting (民主集中制: passed when more than half
  of the voting members voted for it, with more than half of them present), numbered
  ``YYYY-NN`` per unit and year in date order; the agenda reports the month's 目督 results;
- 礼州镇's other meetings: its 党委会 every month, and for its villages the 主题党日, the
  quarterly 村民代表大会 and the 监督委员会 meetings;
- **tasks from resolutions** (承诺事项): for a handful of the last months' resolutions, a
  supervised key task of the village issued by its township (``origin``
  ``partybuilding.resolution:<pk>``) and its ``ResolutionTask`` row;
- **the decision log** (决策在先): the resolutions of the townships' 党委会 behind most of
  the year's livelihood projects (:mod:`grassroots.demo.tasks`), one decided after the
  fact, some projects left without any so that the flags page has content;
- **venues** (党群服务中心, 文化院坝) of most villages — some planned or being built — with
  1–3 inspections each against the checklist; a venue carries its latest inspection's
  score, verdict and day (:mod:`grassroots.demo.partybuilding_venues`);
- **the culture archive and the competition**: :mod:`grassroots.demo.partybuilding_culture`;
- **oversight cases** of 礼州镇's villages: :mod:`grassroots.demo.oversight`.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from grassroots.demo import partybuilding_texts as texts
from grassroots.demo.cadres import (
    DEMO_TOWNSHIP,
    HAN_FEMALE,
    HAN_MALE,
    HAN_SURNAMES,
    YI_CLANS,
    YI_FEMALE,
    YI_MALE,
)
from grassroots.org.divisions import short_name
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, User
from grassroots.partybuilding.models import (
    Attendance,
    DecisionLink,
    Meeting,
    Resolution,
    ResolutionTask,
)
from grassroots.partybuilding.states import (
    MatterKind,
    MeetingKind,
    MeetingStatus,
)
from grassroots.supervision.models import ActionKind, Task, TaskAction, TaskKind, tree_path_of

ProgressCallback = Callable[[str, int, int | None], None]

BATCH: Final = 2000
CENT: Final = Decimal("0.01")
#: The demo logins the seed names (attendance, inspectors, linkers, judges).
LOGINS: Final = ("city_admin", "unit_leader", "supervisor", "village_cadre", "committee", "rater")


@dataclass(slots=True)
class PartySummary:
    """What ``seed_partybuilding`` wrote."""

    meetings: int = 0
    attendance: int = 0
    resolutions: int = 0
    resolution_tasks: int = 0
    links: int = 0
    venues: int = 0
    inspections: int = 0
    songs: int = 0
    histories: int = 0
    mottos: int = 0
    performers: int = 0
    competitions: int = 0
    entries: int = 0
    cases: int = 0


def local_at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def add_months(day: dt.date, months: int) -> dt.date:
    n = day.year * 12 + day.month - 1 + months
    return dt.date(n // 12, n % 12 + 1, 1)


def person_name(rng: random.Random, yi_share: float = 0.35) -> str:
    """A name of 西昌: Yi (a clan name and a given name) or Han."""
    female = rng.random() < 0.4
    if rng.random() < yi_share:
        return rng.choice(YI_CLANS) + rng.choice(YI_FEMALE if female else YI_MALE)
    return rng.choice(HAN_SURNAMES) + rng.choice(HAN_FEMALE if female else HAN_MALE)


def demo_logins() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=LOGINS)}


def demo_login_units() -> dict[str, int]:
    """The unit each demo login is bound to (username → unit id), first membership."""
    from grassroots.org.models import Membership

    found: dict[str, int] = {}
    for username, unit_id in Membership.objects.filter(user__username__in=LOGINS).values_list(
        "user__username", "unit_id"
    ):
        found.setdefault(username, unit_id)
    return found


@dataclass(frozen=True, slots=True)
class Member:
    """Someone expected at a unit's meetings."""

    name: str
    post: str
    voting: bool
    user_id: int | None = None


def rosters(units: list[Unit], rng: random.Random) -> dict[int, list[Member]]:
    """Each unit's team: its cadres (from the cadre files, the demo logins on theirs) who
    vote, the others who sit in (列席); generated names where the unit has no files."""
    from grassroots.cadres.models import Cadre

    files: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)
    for unit_id, name, post, user_id in (
        Cadre.objects.filter(unit__in=units, status="active")
        .order_by("unit_id", "pk")
        .values_list("unit_id", "name", "post", "user_id")
    ):
        files[unit_id].append((name, post, user_id))
    found: dict[int, list[Member]] = {}
    for unit in units:
        cadres = files.get(unit.pk, [])
        township = unit.kind in TOWNSHIP_LEVEL
        members: list[Member] = []
        for name, post, user_id in cadres:
            if township:
                voting = any(w in post for w in ("书记", "党委", "党工委", "镇长", "乡长"))
                voting = voting and "副镇长" not in post and "副乡长" not in post
            else:
                voting = "监督委员会" not in post
            members.append(Member(name, post, voting, user_id))
        if not members:
            posts = (
                [
                    "党委书记",
                    "党委副书记、镇长",
                    "党委副书记",
                    "纪委书记",
                    "组织委员",
                    "宣传委员",
                    "武装部部长",
                ]
                if township
                else ["党支部书记、村委会主任", "党支部副书记", "支部委员"]
            )
            members = [Member(person_name(rng), post, True) for post in posts]
        if not township:
            members.append(Member(person_name(rng, 0.2), "驻村第一书记", False))
            members.append(Member(person_name(rng), "网格员", False))
            members += [
                Member(person_name(rng), "党员代表", False) for _n in range(rng.randint(2, 4))
            ]
        elif len(members) < 9:
            members.append(Member(person_name(rng, 0.2), "党政办主任", False))
        found[unit.pk] = members
    return found


@dataclass(slots=True)
class PlannedMeeting:
    meeting: Meeting
    attendance: list[Attendance] = field(default_factory=list)
    resolutions: list[tuple[Resolution, texts.Topic | None]] = field(default_factory=list)
    #: A livelihood project this meeting's (only) resolution authorises.
    project: Task | None = None


class _Meetings:
    """The year's meetings, their attendance and resolutions, written in bulk."""

    def __init__(self, rng: random.Random, today: dt.date, summary: PartySummary) -> None:
        self.rng = rng
        self.today = today
        self.summary = summary
        self.planned: list[PlannedMeeting] = []
        self.logins = demo_logins()

    def meeting(
        self,
        unit: Unit,
        kind: str,
        title: str,
        planned_on: dt.date,
        held_on: dt.date | None,
        roster: list[Member],
        *,
        location: str,
        agenda: str = "",
        status: str = "",
        note: str = "",
    ) -> PlannedMeeting:
        rng = self.rng
        status = status or (MeetingStatus.HELD if held_on else MeetingStatus.PLANNED)
        meeting = Meeting(
            unit=unit,
            unit_path=unit.path,
            kind=kind,
            period=f"{planned_on:%Y-%m}",
            title=title,
            planned_on=planned_on,
            held_on=held_on if status == MeetingStatus.HELD else None,
            location=location,
            chair=roster[0].name if roster else "",
            agenda=agenda,
            status=status,
            note=note,
            sha256="",
            content_type="",
            size=0,
        )
        planned = PlannedMeeting(meeting)
        if status == MeetingStatus.HELD:
            share = rng.uniform(0.8, 1.0)
            present = [rng.random() < share for _m in roster]
            need = -(-len(roster) * 4 // 5)  # at least 80 % present
            voting = [i for i, m in enumerate(roster) if m.voting]
            for i in rng.sample(range(len(roster)), len(roster)):
                if sum(present) >= need and 2 * sum(present[j] for j in voting) > len(voting):
                    break
                present[i] = True
            for member, here in zip(roster, present, strict=True):
                planned.attendance.append(
                    Attendance(
                        meeting=meeting,
                        name=member.name,
                        post=member.post,
                        user_id=member.user_id,
                        voting=member.voting,
                        present=here,
                        absence_reason="" if here else rng.choice(texts.ABSENCE_REASONS),
                    )
                )
            meeting.expected_count = len(roster)
            meeting.present_count = sum(present)
        self.planned.append(planned)
        return planned

    def resolve(self, planned: PlannedMeeting, topic: texts.Topic, place: str) -> Resolution:
        """A resolution of a held meeting on ``topic``, with its vote."""
        rng = self.rng
        meeting = planned.meeting
        assert meeting.held_on is not None  # noqa: S101 - only held meetings decide
        voters = [a for a in planned.attendance if a.voting]
        total = len(voters)
        present = sum(1 for a in voters if a.present)
        against = abstain = 0
        if rng.random() < 0.15 and present > 2:
            against = 1
        if rng.random() < 0.1 and present - against > 2:
            abstain = 1
        votes_for = present - against - abstain
        if rng.random() < 0.03:  # now and then a matter is not carried
            votes_for = total // 2
            against = present - votes_for - abstain
        lo, hi = topic.amount
        text = topic.text.format(
            village=place,
            km=round(rng.uniform(0.8, 3.5), 1),
            mu=rng.randint(30, 180),
            n=rng.randint(2, 6),
        )
        passed = 2 * present > total and 2 * votes_for > total
        resolution = Resolution(
            meeting=meeting,
            unit=meeting.unit,
            unit_path=meeting.unit_path,
            number="",
            title=topic.title,
            text=text if passed else f"{text}\n{texts.FAILED_NOTE}",
            matter=topic.matter,
            amount=Decimal(rng.randrange(lo, hi + 1, 1000)) if hi else None,
            decided_on=meeting.held_on,
            members_total=total,
            members_present=present,
            votes_for=votes_for,
            votes_against=against,
            votes_abstain=abstain,
            passed=passed,
        )
        planned.resolutions.append((resolution, topic))
        return resolution

    # --- the kinds ----------------------------------------------------------------------

    def monthly(self, unit: Unit, roster: list[Member]) -> None:
        rng = self.rng
        township = unit.kind in TOWNSHIP_LEVEL
        place = unit.name if township else short_name(unit.name)
        location = "镇党委会议室" if township else f"{place}党群服务中心"
        first = add_months(self.today, -11)
        for n in range(12):
            month = add_months(first, n)
            planned_on = month.replace(day=rng.randint(3, 8) if township else rng.randint(5, 16))
            title = f"{month.year}年{month.month}月党建月会"
            roll = rng.random()
            if planned_on > self.today or (n == 11 and roll < 0.3):
                self.meeting(
                    unit,
                    MeetingKind.PARTY_MONTHLY,
                    title,
                    planned_on,
                    None,
                    roster,
                    location=location,
                )
                continue
            if roll < 0.02:
                self.meeting(
                    unit,
                    MeetingKind.PARTY_MONTHLY,
                    title,
                    planned_on,
                    None,
                    roster,
                    location=location,
                    status=MeetingStatus.CANCELLED,
                    note=rng.choice(texts.CANCEL_NOTES),
                )
                continue
            if roll < 0.04:  # planned, never held: a missed month
                self.meeting(
                    unit,
                    MeetingKind.PARTY_MONTHLY,
                    title,
                    planned_on,
                    None,
                    roster,
                    location=location,
                )
                continue
            if roll < 0.11:  # held late, early the next month
                held = add_months(month, 1) + dt.timedelta(days=rng.randint(0, 5))
            else:
                held = planned_on + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3)))
            held = min(held, self.today)
            pool = texts.TOWNSHIP_TOPICS if township else texts.VILLAGE_TOPICS
            topics = rng.sample(pool, rng.choice((1, 1, 2, 2, 2, 3)))
            summary = rng.choice(texts.TASK_SUMMARIES).format(
                done=rng.randint(3, 9), late=rng.randint(0, 2), rank=rng.randint(1, 25)
            )
            agenda = texts.MONTHLY_AGENDA.format(
                month=month.month,
                last=add_months(month, -1).month,
                summary=summary,
                topics="；".join(t.title for t in topics),
            )
            planned = self.meeting(
                unit,
                MeetingKind.PARTY_MONTHLY,
                title,
                planned_on,
                held,
                roster,
                location=location,
                agenda=agenda,
            )
            for topic in topics:
                self.resolve(planned, topic, place)

    def demo_township(
        self, township: Unit, villages: list[Unit], rosters: dict[int, list[Member]]
    ) -> None:
        """礼州镇's 党委会 and its villages' 主题党日, 村民代表大会 and 监督委员会 meetings."""
        rng = self.rng
        first = add_months(self.today, -11)
        for n in range(12):
            month = add_months(first, n)
            day = month.replace(day=rng.randint(18, 26))
            if day > self.today:
                continue
            planned = self.meeting(
                township,
                MeetingKind.COMMITTEE,
                f"{month.month}月第二次党委会",
                day,
                day,
                rosters[township.pk],
                location="镇党委会议室",
                agenda="研究干部、项目和资金事项。",
            )
            self.resolve(planned, rng.choice(texts.COMMITTEE_TOPICS), township.name)
        for village in villages:
            roster = rosters[village.pk]
            place = short_name(village.name)
            for n in range(0, 12, 2):
                month = add_months(first, n + rng.randint(0, 1))
                day = month.replace(day=rng.randint(1, 28))
                if day <= self.today:
                    self.meeting(
                        village,
                        MeetingKind.THEME_DAY,
                        rng.choice(texts.THEME_DAY_TITLES),
                        day,
                        day,
                        roster,
                        location=f"{place}党群服务中心",
                        agenda="重温入党誓词；集中学习；开展志愿服务。",
                    )
            assembly = [
                Member(person_name(rng), "村民代表", True) for _n in range(rng.randint(21, 35))
            ]
            for quarter in range(4):
                day = dt.date(self.today.year, quarter * 3 + 2, rng.randint(10, 25))
                if day > self.today:
                    break
                planned = self.meeting(
                    village,
                    MeetingKind.VILLAGERS,
                    f"{day.year}年{texts.VILLAGERS_TITLES[quarter]}",
                    day,
                    day,
                    roster[:1] + assembly,
                    location=f"{place}文化院坝",
                    agenda="审议村级重大事项；通报村务财务公开情况。",
                )
                if quarter % 2 == 1:
                    self.resolve(planned, rng.choice(texts.VILLAGERS_TOPICS), place)
            board = [Member(person_name(rng), p, True) for p in ("监督委员会主任", "委员", "委员")]
            for quarter in range(4):
                day = dt.date(self.today.year, quarter * 3 + 1, rng.randint(8, 20))
                if day <= self.today:
                    self.meeting(
                        village,
                        MeetingKind.OVERSIGHT,
                        f"{texts.OVERSIGHT_MEETING}（{quarter + 1}）",
                        day,
                        day,
                        board,
                        location=f"{place}党群服务中心",
                        agenda="检查村务、财务公开和惠民资金发放情况。",
                    )

    def projects(
        self, rosters: dict[int, list[Member]], units: dict[int, Unit]
    ) -> list[tuple[Task, str]]:
        """The 党委会 resolutions behind the year's livelihood projects: before most, after
        one; some left without (flagged on the decision log). Returns (task, how)."""
        rng = self.rng
        pattern = ("before", "none", "before", "after", "before", "none")
        chosen: list[tuple[Task, str]] = []
        tasks = Task.objects.filter(
            kind=TaskKind.LIVELIHOOD, parent=None, origin="", unit__in=list(units)
        ).order_by("pk")
        for n, task in enumerate(tasks):
            unit = units[task.unit_id]
            how = "before" if unit.code == DEMO_TOWNSHIP else pattern[n % len(pattern)]
            if how == "before":
                day = task.start_date - dt.timedelta(days=rng.randint(6, 20))
            elif how == "after":
                day = task.start_date + dt.timedelta(days=rng.randint(12, 30))
            else:
                chosen.append((task, how))
                continue
            if day > self.today or day < add_months(self.today, -12):
                continue
            planned = self.meeting(
                unit,
                MeetingKind.COMMITTEE,
                f"党委会（研究{task.title}）",
                day,
                day,
                rosters[unit.pk],
                location="党委会议室",
                agenda=f"研究{task.title}实施方案和资金安排。",
            )
            topic = texts.Topic(
                f"{task.title}实施方案",
                MatterKind.LIVELIHOOD,
                (0, 0),
                f"同意{task.title}实施方案，项目预算 {task.budget} 万元，"
                "按程序组织实施，接受群众监督。",
            )
            resolution = self.resolve(planned, topic, unit.name)
            if not resolution.passed:  # the project went ahead: its resolution carried
                resolution.votes_for = resolution.members_present
                resolution.votes_against = resolution.votes_abstain = 0
                resolution.passed = True
                resolution.text = resolution.text.split("\n")[0]
            if task.budget is not None:
                resolution.amount = (task.budget * 10_000).quantize(CENT)
            planned.project = task
            chosen.append((task, how))
        return chosen

    # --- writing ------------------------------------------------------------------------

    def write(self) -> list[Resolution]:
        meetings = [p.meeting for p in self.planned]
        for start in range(0, len(meetings), BATCH):
            Meeting.objects.bulk_create(meetings[start : start + BATCH])
        rows = [a for p in self.planned for a in p.attendance]
        for a in rows:
            a.meeting_id = a.meeting.pk
        Attendance.objects.bulk_create(rows, batch_size=BATCH)
        # numbered per unit and year in the order decided
        resolutions = [r for p in self.planned for r, _t in p.resolutions]
        order = sorted(
            range(len(resolutions)),
            key=lambda i: (resolutions[i].unit_path, resolutions[i].decided_on, i),
        )
        counters: dict[tuple[int, int], int] = defaultdict(int)
        for i in order:
            r = resolutions[i]
            key = (r.unit.pk, r.decided_on.year)
            counters[key] += 1
            r.number = f"{r.decided_on.year}-{counters[key]:02d}"
            r.meeting_id = r.meeting.pk
        Resolution.objects.bulk_create(resolutions, batch_size=BATCH)
        self.summary.meetings += len(meetings)
        self.summary.attendance += len(rows)
        self.summary.resolutions += len(resolutions)
        return resolutions


def link_projects(chosen: list[tuple[Task, str]], meetings: _Meetings, linker: User | None) -> int:
    """The decision links of the projects whose 党委会 resolution was written."""
    by_task = {p.project.pk: p for p in meetings.planned if p.project is not None}
    links = []
    for task, how in chosen:
        planned = by_task.get(task.pk)
        if how == "none" or planned is None:
            continue
        resolution = planned.resolutions[0][0]
        links.append(
            DecisionLink(
                reference=f"supervision.task:{task.pk}",
                matter=MatterKind.LIVELIHOOD,
                resolution=resolution,
                unit_id=task.unit_id,
                unit_path=task.unit_path,
                acted_on=task.start_date,
                note="项目实施前经党委会集体研究" if how == "before" else "补充上会研究",
                linked_by=linker,
            )
        )
    DecisionLink.objects.bulk_create(links)
    return len(links)


def resolution_tasks(
    resolutions: list[Resolution],
    rng: random.Random,
    today: dt.date,
    units: dict[int, Unit],
    township: Unit | None,
    topics: dict[int, texts.Topic | None],
) -> list[Task]:
    """Follow-up tasks (承诺事项) for a handful of the last months' village resolutions:
    a key task of the village issued by its township, dated from the resolution."""
    since = today - dt.timedelta(days=150)
    candidates = [
        r
        for r in resolutions
        if r.passed
        and r.decided_on >= since
        and units[r.unit.pk].kind in VILLAGE_LEVEL
        and (topic := topics.get(id(r))) is not None
        and topic.task
    ]
    home = [r for r in candidates if township is not None and r.unit.parent_id == township.pk]
    away = [r for r in candidates if r not in home]
    picked = rng.sample(home, min(6, len(home))) + rng.sample(away, min(8, len(away)))
    picked.sort(key=lambda r: (r.decided_on, r.unit_path))
    made: list[Task] = []
    for r in picked:
        unit = units[r.unit.pk]
        issuer = units.get(unit.parent_id or 0)
        if issuer is None:
            continue
        deadline = r.decided_on + dt.timedelta(days=rng.randint(60, 150))
        made.append(
            Task(
                title=f"{short_name(unit.name)}{r.title}",
                kind=TaskKind.KEY_TASK,
                description=r.text,
                unit=unit,
                unit_path=unit.path,
                issuer=issuer,
                issuer_path=issuer.path,
                start_date=r.decided_on,
                deadline=deadline,
                origin=f"partybuilding.resolution:{r.pk}",
            )
        )
    Task.objects.bulk_create(made)
    lines = []
    for task, r in zip(made, picked, strict=False):
        task.tree_path = tree_path_of(task.pk, None)
        moment = local_at(r.decided_on, 17, rng.randrange(60))
        task.created_at = moment
        lines.append(
            TaskAction(
                task=task,
                kind=ActionKind.CREATE,
                note=f"由决议 {r.number} 生成",
                data={"unit": task.unit.code, "issuer": task.issuer.code, "origin": task.origin},
                created_at=moment,
            )
        )
    Task.objects.bulk_update(made, ["tree_path", "created_at"])
    TaskAction.objects.bulk_create(lines)
    by_origin = {f"partybuilding.resolution:{r.pk}": r for r in picked}
    ResolutionTask.objects.bulk_create(
        [ResolutionTask(resolution=by_origin[t.origin], task=t) for t in made]
    )
    return made


# --- the seed -------------------------------------------------------------------------------


def seed_partybuilding(
    *, rng: random.Random, progress: ProgressCallback | None = None
) -> PartySummary:
    """The year of party building, the venues, the culture archive, the competitions and
    the oversight cases of the seeded tree (see the module's docstring)."""
    from grassroots.demo.oversight import seed_oversight
    from grassroots.demo.partybuilding_culture import seed_competitions, seed_culture
    from grassroots.demo.partybuilding_venues import seed_venues

    summary = PartySummary()
    today = timezone.localdate()
    units = list(Unit.objects.filter(kind__in=TOWNSHIP_LEVEL | VILLAGE_LEVEL).order_by("path"))
    if not units:
        return summary
    by_id = {u.pk: u for u in units}
    for unit in Unit.objects.filter(pk__in={u.parent_id for u in units if u.parent_id}):
        by_id.setdefault(unit.pk, unit)
    township = next((u for u in units if u.code == DEMO_TOWNSHIP), None)
    lizhou_villages = [u for u in units if township is not None and u.parent_id == township.pk]
    team = rosters(units, rng)
    meetings = _Meetings(rng, today, summary)
    for n, unit in enumerate(units, start=1):
        meetings.monthly(unit, team[unit.pk])
        if progress is not None and n % 50 == 0:
            progress("Demo party building", n, len(units))
    if township is not None:
        meetings.demo_township(township, lizhou_villages, team)
    chosen = meetings.projects(team, by_id)
    resolutions = meetings.write()
    logins = meetings.logins
    where = demo_login_units()
    leader = logins.get("unit_leader")
    summary.links = link_projects(chosen, meetings, logins.get("city_admin"))
    topics = {id(r): t for p in meetings.planned for r, t in p.resolutions}
    summary.resolution_tasks = len(
        resolution_tasks(resolutions, rng, today, by_id, township, topics)
    )
    # inspectors: the township's leader login over 礼州镇, the city office elsewhere
    inspectors: dict[int, User | None] = defaultdict(lambda: logins.get("city_admin"))
    if leader is not None and "unit_leader" in where:
        inspectors[where["unit_leader"]] = leader
    summary.venues, summary.inspections = seed_venues(rng, today, units, team, inspectors)
    if township is not None:
        seed_culture(rng, today, township, lizhou_villages, units, summary)
        seed_competitions(rng, today, township, lizhou_villages, summary)
        summary.cases = seed_oversight(rng=rng, today=today, township=township)
    return summary
