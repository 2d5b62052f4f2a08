"""The demo's selection (选任) and error tolerance (容错纠错) at 礼州镇, through the cadres'
actions, with the clock set to each step (after ``demo.cadres`` has written the files and
the pool, and ``demo.assessment`` the year's runs):

- **a vacancy filled**: a deputy post opened about ten weeks ago, the pool's reserves for
  its level ranked by readiness, the committee's vote recorded for the best-ranked
  eligible reserve — who leaves the pool as appointed and takes the post;
- **a vacancy open and ranked**: a township deputy (the oldest one neither in the pool nor
  tempering) was transferred out (调离) a month ago; their post is open and ranked, waiting
  for the committee (the organisation department can decide it in the browser);
- **a tolerance case in effect**: in the most recent assessment month where a unit of
  礼州镇 lost points on a deduction indicator (overdue events or tasks) and whose case can
  have run its course by now, the township applies for tolerance for the unit's head
  (a mistake made fighting a storm), the organisation department verifies the four
  conditions (all met), the committee decides to tolerate, the public notice runs its
  working days without objection and the case takes effect; one corrective measure is
  done; the month is then computed again, and its new version waives the items — the
  score's explanation names the case.

Steps that cannot have happened by now are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from django.utils import timezone

from grassroots.cadres.models import (
    Cadre,
    Candidate,
    KeyPost,
    ReserveEntry,
    Tempering,
    Vacancy,
)
from grassroots.cadres.states import (
    OPEN_RESERVE,
    CadreStatus,
    Level,
    ReserveStatus,
    TemperingState,
    ToleranceState,
)
from grassroots.demo.cadres import DEMO_TOWNSHIP, local_at, replay_clock
from grassroots.org.models import Unit, User

if TYPE_CHECKING:
    from grassroots.assessment.models import Run, Score

Clock = Callable[[dt.datetime], None]
#: The township's Party committee (党委会): members, present, for, against, abstentions.
MEMBERS, PRESENT, FOR, AGAINST, ABSTAIN = 9, 8, 7, 0, 1
#: Days after the assessment month's end: application, verification, decision.
APPLY_DAY: Final = 3
VERIFY_DAY: Final = 6
DECIDE_DAY: Final = 9


@dataclass(slots=True)
class CycleSummary:
    """What ``seed_cycle`` did."""

    filled: int = 0
    open_ranked: int = 0
    tolerance: list[str] = field(default_factory=list)
    recomputed: list[str] = field(default_factory=list)


class _Cycle:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.now = timezone.now()
        self.township = Unit.objects.get(code=DEMO_TOWNSHIP)
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=("org_department", "unit_leader", "city_admin", "admin")
            )
        }
        self.org = users.get("org_department") or users["admin"]
        self.leader = users.get("unit_leader") or self.org
        self.office = users.get("city_admin") or users["admin"]
        self.summary = CycleSummary()

    def days_ago(self, days: int, hour: int = 10) -> dt.datetime:
        return local_at(self.today - dt.timedelta(days=days), hour)

    # --- selection -----------------------------------------------------------------------

    def vacancy(self, title: str, level: str, opened: dt.datetime, set_clock: Clock) -> Vacancy:
        from grassroots.cadres.actions.selection import open_vacancy, rank_vacancy

        set_clock(opened)
        vacancy = open_vacancy(actor=self.org, unit=self.township, title=title, level=level)
        set_clock(opened + dt.timedelta(days=1))
        return rank_vacancy(vacancy.pk, actor=self.org)

    def filled(self, set_clock: Clock) -> None:
        from grassroots.cadres.actions.selection import decide_vacancy

        opened = self.days_ago(70)
        if not ReserveEntry.objects.filter(
            status=ReserveStatus.IN_POOL, target_level=Level.DEPUTY_SECTION
        ).exists():
            return
        vacancy = self.vacancy("党委委员、副镇长", Level.DEPUTY_SECTION, opened, set_clock)
        best = (
            Candidate.objects.filter(vacancy=vacancy, eligible=True).order_by("rank", "pk").first()
        )
        if best is None:
            return
        meeting = self.today - dt.timedelta(days=60)
        set_clock(local_at(meeting, 16))
        decide_vacancy(
            vacancy.pk,
            actor=self.org,
            chosen=best.entry_id,
            meeting_on=meeting,
            members=MEMBERS,
            present=PRESENT,
            votes_for=FOR,
            votes_against=AGAINST,
            abstentions=ABSTAIN,
        )
        self.summary.filled += 1

    def open_ranked(self, set_clock: Clock) -> None:
        from grassroots.cadres.actions.files import set_cadre_status

        busy = set(
            ReserveEntry.objects.filter(status__in=OPEN_RESERVE).values_list("cadre_id", flat=True)
        ) | set(
            Tempering.objects.filter(state=TemperingState.ONGOING).values_list(
                "cadre_id", flat=True
            )
        )
        leaving = (
            Cadre.objects.filter(
                unit=self.township, status=CadreStatus.ACTIVE, level=Level.DEPUTY_SECTION
            )
            .exclude(pk__in=busy)
            .exclude(user__isnull=False)
            .order_by("birth_date", "pk")
            .first()
        )
        if leaving is None:
            return
        left_on = self.today - dt.timedelta(days=30)
        set_clock(local_at(left_on))
        set_cadre_status(
            leaving, actor=self.org, status=CadreStatus.LEFT, on=left_on, note="调任市级部门任职"
        )
        self.vacancy(leaving.post, Level.DEPUTY_SECTION, self.days_ago(20), set_clock)
        self.summary.open_ranked += 1

    # --- error tolerance ------------------------------------------------------------------

    def deduction(self) -> tuple[Run, Score, dt.date] | None:
        """The latest month's score of a unit of 礼州镇 that lost points on a deduction
        indicator, whose case can have taken effect by now (its run's latest version)."""
        from grassroots.assessment.models import Category, Run, Score, Source

        latest: dict[tuple[int, str], Run] = {}
        for run in Run.objects.filter(period__regex=r"^\d{4}-\d{2}$").order_by("version"):
            latest[(run.scheme_id, run.period)] = run
        runs = sorted(latest.values(), key=lambda r: r.period, reverse=True)
        for run in runs:
            year, month = (int(p) for p in run.period.split("-"))
            first = dt.date(year, month, 1)
            after = (first + dt.timedelta(days=32)).replace(day=1)
            # application, verification, decision, five working days of notice, recompute
            if local_at(after + dt.timedelta(days=DECIDE_DAY + 12)) > self.now:
                continue
            score = (
                Score.objects.filter(
                    run=run,
                    indicator__category=Category.DEDUCTION,
                    indicator__source=Source.METRIC,
                    raw_value__gte=1,
                    unit__path__startswith=self.township.path,
                )
                .select_related("unit", "indicator")
                .order_by("-raw_value", "unit__path")
                .first()
            )
            if score is not None:
                return run, score, after
        return None

    def tolerance(self, set_clock: Clock) -> None:
        from grassroots.assessment.actions.compute import compute_run
        from grassroots.cadres.actions.tolerance import (
            add_measure,
            apply_tolerance,
            close_notices,
            complete_measure,
            decide_tolerance,
            verify_tolerance,
        )
        from grassroots.cadres.checklist import KEYS

        found = self.deduction()
        if found is None:
            return
        run, score, after = found
        unit = score.unit
        key = (
            KeyPost.objects.filter(unit=unit, holder__status=CadreStatus.ACTIVE)
            .select_related("holder")
            .order_by("pk")
            .first()
        )
        head = key.holder if key is not None else None
        month = dt.date(after.year, after.month, 1) - dt.timedelta(days=1)
        items = min(int(score.raw_value or 0), 2)
        set_clock(local_at(after + dt.timedelta(days=APPLY_DAY)))
        case = apply_tolerance(
            actor=self.leader,
            unit=unit,
            cadre=head,
            title="强降雨致道路中断，事件和任务未能按期办结",
            facts=(
                "当月连续强降雨，通村道路多处塌方中断。村（社区）干部全力组织群众转移避险、"
                "抢通道路，相关事件和任务因道路中断未能按期办结，已于道路抢通后全部办结，"
                "未造成损失扩大。"
            ),
            occurred_on=month.replace(day=18),
            affected_month=month.replace(day=1),
            metric=score.indicator.metric,
            items=items,
        )
        set_clock(local_at(after + dt.timedelta(days=VERIFY_DAY)))
        notes = {
            "exploration": "防汛抢险中的应急处置，未违反法律法规和政策规定。",
            "public_good": "为保障群众生命财产安全，无任何个人利益。",
            "procedure": "经村（社区）两委集体研究，按防汛预案执行。",
            "remedied": "道路抢通后立即办结全部事项，未造成损失扩大。",
        }
        verify_tolerance(
            case.pk, actor=self.org, entries={k: (True, notes.get(k, "")) for k in KEYS}
        )
        decided = after + dt.timedelta(days=DECIDE_DAY)
        set_clock(local_at(decided, 15))
        case = decide_tolerance(
            case.pk,
            actor=self.org,
            tolerate=True,
            reason="经核实，符合容错四项条件，经党委会集体研究，决定予以容错，按规定公示。",
            meeting_on=decided,
            members=MEMBERS,
            present=PRESENT,
            votes_for=FOR,
            votes_against=AGAINST,
            abstentions=ABSTAIN,
        )
        measure = add_measure(
            case.pk,
            actor=self.leader,
            description="完善汛期事件和任务办理预案，道路中断时及时报备、延期办理。",
            responsible=head.name if head is not None else unit.name,
            due_on=decided + dt.timedelta(days=20),
        )
        assert case.notice_ends is not None  # noqa: S101 - set by the decision
        ended = case.notice_ends + dt.timedelta(hours=1)
        set_clock(ended)
        close_notices(ended)
        done = timezone.localtime(ended).date() + dt.timedelta(days=3)
        if local_at(done, 17) <= self.now:
            set_clock(local_at(done, 17))
            complete_measure(
                measure.pk, actor=self.leader, done_on=done, note="预案已修订并经两委会通过。"
            )
        case.refresh_from_db()
        if case.state != ToleranceState.EFFECTIVE:
            return
        self.summary.tolerance.append(case.number)
        again = timezone.localtime(ended).date() + dt.timedelta(days=1)
        set_clock(local_at(again, 9))
        compute_run(run.scheme, run.period, actor=self.office)
        self.summary.recomputed.append(run.period)


def seed_cycle() -> CycleSummary:
    """A vacancy filled, one open and ranked, a tolerance case in effect that waives a
    deduction (see the module docstring)."""
    if not Unit.objects.filter(code=DEMO_TOWNSHIP).exists():
        return CycleSummary()
    cycle = _Cycle(timezone.localdate())
    with replay_clock() as set_clock:
        cycle.filled(set_clock)
        cycle.open_ranked(set_clock)
        cycle.tolerance(set_clock)
    return cycle.summary
