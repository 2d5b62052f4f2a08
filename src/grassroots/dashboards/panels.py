"""The panels of a dashboard that read other modules through their named interfaces: the
weekly "one thing" (``events.weekly``), supervision tasks at risk
(``supervision.queries``), and the latest published assessment
(``assessment.queries.published_results``).

Every panel degrades: a module with no data (no tasks, nothing published yet) gives an
empty panel that the page shows as one plain line, never an error. Each reads a fixed
number of queries, whatever the size of the unit's subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from grassroots.common import charts
from grassroots.dashboards.streaks import coverage, streak
from grassroots.events.weekly import WEEK, monday_of, tally, village_weeks
from grassroots.org.models import VILLAGE_LEVEL, Unit, UnitKind
from grassroots.org.permissions import can
from grassroots.org.queries import SEP

#: Weeks shown by the weekly panel (the current one included).
WEEKS = 8
#: Villages named as missing last week's "one thing", at most.
MISSING_SHOWN = 12
#: Tasks at risk listed, at most.
TASKS_SHOWN = 8
#: A peer group up to this size is drawn as a ranking; larger, as a distribution.
RANKING_BARS = 30


# --- weekly "one thing" ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCell:
    monday: dt.date
    done: int
    total: int
    current: bool

    @property
    def label(self) -> str:
        return f"{self.monday.month}/{self.monday.day}"

    @property
    def percent(self) -> int | None:
        return coverage(self.done, self.total)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class Weekly:
    """A village's last weeks (``total`` 1 each) or an area's villages × weeks."""

    unit: Unit
    village: bool
    weeks: list[WeekCell]
    villages: int = 0
    streak: int = 0
    missing: list[Unit] = field(default_factory=list)
    missing_count: int = 0
    #: For a city: each child's (villages done last week, villages).
    by_child: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: For a township: each village's streak.
    streaks: dict[int, int] = field(default_factory=dict)

    @property
    def last_week(self) -> WeekCell | None:
        return self.weeks[-2] if len(self.weeks) >= 2 else None


def weekly(unit: Unit, children: list[Unit], today: dt.date | None = None) -> Weekly | None:
    """The weekly "one thing" of a village (its own weeks) or of an area (its villages'),
    ``None`` for a grid: two queries at most."""
    today = today or timezone.localdate()
    if unit.kind == UnitKind.GRID:
        return None
    if unit.kind in VILLAGE_LEVEL:
        weeks = list(reversed(village_weeks(unit, WEEKS, today=today)))
        flags = [w.done for w in weeks]
        cells = [
            WeekCell(w.monday, int(w.done), 1, current=i == len(weeks) - 1)
            for i, w in enumerate(weeks)
        ]
        return Weekly(unit, True, cells, villages=1, streak=streak(flags))
    current = monday_of(today)
    mondays = [current - WEEK * i for i in range(WEEKS - 1, -1, -1)]
    villages = list(
        Unit.objects.active()
        .within(unit)
        .filter(kind__in=VILLAGE_LEVEL)
        .only("pk", "code", "name", "path", "kind")
        .order_by("path")
    )
    found = tally(unit, mondays, [v.pk for v in villages]) if villages else {}
    cells = []
    for i, monday in enumerate(mondays):
        done = sum(1 for v in villages if found[v.pk][i].done)
        cells.append(WeekCell(monday, done, len(villages), current=i == len(mondays) - 1))
    panel = Weekly(unit, False, cells, villages=len(villages))
    missing = [v for v in villages if not found[v.pk][-2].done] if len(mondays) >= 2 else []
    panel.missing = missing[:MISSING_SHOWN]
    panel.missing_count = len(missing)
    child_of = {c.path + SEP: c.pk for c in children}
    depth = len(unit.path) + 1
    for v in villages:
        flags = [w.done for w in found.get(v.pk, [])]
        panel.streaks[v.pk] = streak(flags)
        cut = v.path.find(SEP, depth)
        prefix = (v.path if cut < 0 else v.path[:cut]) + SEP
        child = child_of.get(prefix)
        if child is not None and child != v.pk:
            done, total = panel.by_child.get(child, (0, 0))
            panel.by_child[child] = (done + int(len(flags) >= 2 and flags[-2]), total + 1)
    return panel


# --- supervision tasks at risk -------------------------------------------------------------


@dataclass
class TasksAtRisk:
    rows: list[Any]
    lagging: int
    overdue: int
    open_total: int


def tasks_at_risk(user: Any, unit: Unit, today: dt.date | None = None) -> TasksAtRisk | None:
    """Tasks of the unit's subtree that lag behind the plan (进度滞后) or are past their
    deadline (逾期), by urgency; ``None`` when the user may not see supervision here.
    Two queries (the plan's date pairs, the rows)."""
    from grassroots.supervision.models import Task
    from grassroots.supervision.permissions import VIEW
    from grassroots.supervision.states import DisplayStatus, TaskState

    if not can(user, VIEW, unit):
        return None
    today = today or timezone.localdate()
    tasks = Task.objects.visible_to(user).within(unit).filter(state=TaskState.OPEN)
    # One read of every open task of the subtree with its status, by urgency (a city has
    # a few hundred): counted and cut here rather than compiling the status twice.
    rows = list(
        tasks.with_status(today)
        .by_urgency()
        .select_related("unit")
        .only(
            "id", "title", "level", "deadline", "verified_percent", "state", "unit_id", "unit__name"
        )
    )
    overdue = [t for t in rows if t.display_status == DisplayStatus.OVERDUE]
    lagging = [t for t in rows if t.display_status == DisplayStatus.LAGGING]
    risky = [t for t in rows if t.display_status in (DisplayStatus.OVERDUE, DisplayStatus.LAGGING)]
    return TasksAtRisk(
        rows=risky[:TASKS_SHOWN],
        lagging=len(lagging),
        overdue=len(overdue),
        open_total=len(rows),
    )


# --- assessment --------------------------------------------------------------------------


@dataclass
class Assessment:
    """The unit's latest published result (or, for the unit a scheme ranks the units
    below, that scheme's latest publication): plain data and charts."""

    result: dict[str, Any] | None = None
    run_id: int | None = None
    grade_label: str = ""
    list_label: str = ""
    breakdown: SafeString | None = None
    ranking: SafeString | None = None
    #: For the root of schemes: each one's latest published run (``run_id``, ``label``)
    #: with its red and black lists (``red``, ``black``: unit names).
    publications: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.result is None and self.run_id is None


def assessment(user: Any, unit: Unit) -> Assessment | None:
    """The assessment panel; ``None`` when the user may not view the assessment here or
    the unit is a grid (grids are not assessed)."""
    from grassroots.assessment.permissions import VIEW

    if unit.kind == UnitKind.GRID or not can(user, VIEW, unit):
        return None
    from grassroots.assessment.queries import published_results

    year = timezone.localdate().year
    rows = published_results([unit.pk], year=year) or published_results([unit.pk], year=year - 1)
    if rows:
        return _own_result(user, unit, rows[0])
    return _scheme_root(unit)


def _own_result(user: Any, unit: Unit, row: dict[str, Any]) -> Assessment:
    from grassroots.assessment.models import (
        Category,
        GradeChoice,
        ListStatus,
        Result,
        Run,
        Score,
    )

    panel = Assessment(result=row)
    panel.grade_label = str(GradeChoice(row["grade"]).label) if row["grade"] else ""
    if row["list_status"]:
        panel.list_label = str(ListStatus(row["list_status"]).label)
    run_id = (
        Run.objects.filter(scheme__code=row["scheme"], period=row["period"], version=row["version"])
        .values_list("pk", flat=True)
        .first()
    )
    if run_id is None:
        return panel
    panel.run_id = run_id
    scores = (
        Score.objects.visible_to(user)
        .filter(run_id=run_id, unit=unit)
        .exclude(indicator__category=Category.VETO)
        .select_related("indicator")
        .only("points", "indicator__name", "indicator__weight", "indicator__position")
        .order_by("indicator__position", "indicator__code")
    )
    parts = [
        charts.Part(s.indicator.name, s.points, s.indicator.weight)
        for s in scores
        if s.indicator.weight or s.points
    ]
    panel.breakdown = mark_safe(  # noqa: S308 - charts escape every text they draw
        charts.breakdown_chart(
            parts,
            title=_("Score breakdown, %(period)s") % {"period": row["period"]},
            total_label=_("Total"),
            empty=_("No indicator scores were published."),
        )
    )
    # A published ranking is public (季晒: the portal shows it to everyone), so the
    # peers' totals are read without the viewer's scope.
    peers = list(
        Result.objects.filter(
            run_id=run_id,
            peer_group__in=Result.objects.filter(run_id=run_id, unit=unit).values("peer_group"),
        )
        .select_related("unit")
        .only("total", "rank", "unit__name", "unit__code")
        .order_by("rank", "unit__code")
    )
    if len(peers) <= RANKING_BARS:
        panel.ranking = mark_safe(  # noqa: S308 - charts escape every text they draw
            charts.bar_chart(
                [charts.Bar(p.unit.name, p.total, key=p.unit.code) for p in peers],
                title=_("Ranking in the peer group"),
                highlight=unit.code,
            )
        )
    else:
        panel.ranking = mark_safe(  # noqa: S308 - charts escape every text they draw
            charts.histogram(
                [p.total for p in peers],
                title=_("Totals in the peer group"),
                marker=row["total"],
                marker_label=unit.name,
            )
        )
    return panel


def _scheme_root(unit: Unit) -> Assessment:
    """For the unit at the root of schemes (the city): each scheme's latest published run
    and its red and black lists (public once published). Two queries."""
    from grassroots.assessment.models import ListStatus, Result, Run
    from grassroots.assessment.states import RunState

    runs = (
        Run.objects.filter(scheme__root=unit, state__in=[RunState.PUBLISHED, RunState.FROZEN])
        .select_related("scheme")
        .only("pk", "period", "version", "scheme__name", "scheme__code")
        .order_by("scheme__code", "-publication__published_at", "-pk")
    )
    latest: dict[str, Any] = {}
    for run in runs:
        latest.setdefault(run.scheme.code, run)
    panel = Assessment()
    if not latest:
        return panel
    by_run = {
        run.pk: {
            "run_id": run.pk,
            "label": f"{run.scheme.name} · {run.period}",
            "red": [],
            "black": [],
        }
        for run in latest.values()
    }
    panel.run_id = next(iter(by_run))
    for run_id, name, status in (
        Result.objects.filter(run_id__in=list(by_run))
        .exclude(list_status=ListStatus.NONE)
        .order_by("list_status", "peer_group", "rank")
        .values_list("run_id", "unit__name", "list_status")
    ):
        by_run[run_id]["red" if status == ListStatus.RED else "black"].append(name)
    panel.publications = list(by_run.values())
    return panel
