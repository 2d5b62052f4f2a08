"""Named reads of the meetings pages, each filtered by the viewer's scope: the list and
its filters, one meeting with its attendance and resolutions, the starting point of a
党建月会 (the unit's latest monthly assessment result and its tasks at risk), and the
units that missed a month's 党建月会."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind
from grassroots.org.queries import subtree_q
from grassroots.partybuilding.models import Attendance, Meeting, Resolution, ResolutionTask
from grassroots.partybuilding.permissions import VIEW
from grassroots.partybuilding.states import MeetingKind, MeetingStatus

UNITS_SHOWN: Final = 2000
TASKS_SHOWN: Final = 10
MONTHLY_HOLDERS: Final = sorted({*TOWNSHIP_LEVEL, *VILLAGE_LEVEL})


def units_for(user: Any, action: str = VIEW) -> list[Unit]:
    """The active units that hold meetings (no grids or departments) in the subtrees where
    ``user`` holds ``action``, in path order (a unit picker's choices)."""
    return list(
        Unit.objects.visible_to(user, action)
        .filter(active=True)
        .exclude(kind__in=[UnitKind.GRID, UnitKind.DEPARTMENT])
        .defer("geometry")
        .order_by("path")[:UNITS_SHOWN]
    )


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    meetings: QuerySet[Meeting] = (
        Meeting.objects.visible_to(user)
        .select_related("unit")
        .annotate(resolution_count=Count("resolutions", distinct=True))
    )
    return meetings


def filtered(meetings: QuerySet[Meeting], data: dict[str, Any]) -> QuerySet[Meeting]:
    """The list's filters: ``period`` (YYYY-MM), ``kind``, ``status``, ``unit`` (and the
    units below it), ``q`` (title, unit name or code, place)."""
    if data.get("period"):
        meetings = meetings.filter(period=data["period"])
    if data.get("kind"):
        meetings = meetings.filter(kind=data["kind"])
    if data.get("status"):
        meetings = meetings.filter(status=data["status"])
    unit = data.get("unit")
    if isinstance(unit, Unit):
        meetings = meetings.filter(subtree_q("unit_path", unit.path))
    if data.get("q"):
        q = data["q"]
        meetings = meetings.filter(
            Q(title__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(unit__code__startswith=q)
            | Q(location__icontains=q)
        )
    return meetings


def visible_meeting(user: Any, pk: int) -> Meeting | None:
    """One meeting the viewer sees, with its attendance and resolutions (their tasks)."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("unit", "unit__parent", "created_by", "recorded_by")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.order_by("pk")),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.order_by("number").annotate(task_count=Count("tasks")),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def visible_resolution(user: Any, pk: int) -> Resolution | None:
    return (
        Resolution.objects.visible_to(user)
        .select_related("unit", "unit__parent", "meeting", "created_by")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=ResolutionTask.objects.select_related("task", "task__issuer"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def last_attendance(meeting: Meeting) -> list[Attendance]:
    """The attendance of the unit's latest held meeting of the same kind (a record
    form's starting rows: the same committee meets every month)."""
    previous = (
        Meeting.objects.filter(unit_id=meeting.unit_id, kind=meeting.kind, status="held")
        .exclude(pk=meeting.pk)
        .order_by("-held_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if previous is None:
        return []
    return list(Attendance.objects.filter(meeting_id=previous).order_by("pk"))


# --- the starting point of a 党建月会 ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartingPoint:
    """Where a unit's monthly meeting starts: its latest monthly assessment result
    (``published_results``' row: period, total, rank, group_size, grade, …; ``None``
    when there is none yet) and its open tasks past the deadline or lagging."""

    result: dict[str, Any] | None
    tasks: list[Any] = field(default_factory=list)


def latest_monthly_result(unit: Unit) -> dict[str, Any] | None:
    """The unit's latest published result of a monthly assessment run (月考), with
    ``grade_label``: the grade in words (优秀, 一般…), not its code."""
    from grassroots.assessment.models import GradeChoice, period_kind
    from grassroots.assessment.queries import published_results

    for row in published_results([unit.pk]):
        if period_kind(row["period"]) == "monthly":
            grade = row.get("grade") or ""
            label = GradeChoice(grade).label if grade in GradeChoice.values else grade
            return {**row, "grade_label": str(label)}
    return None


def tasks_at_risk(unit: Unit, today: dt.date) -> list[Any]:
    """The unit's own open tasks past the deadline or lagging behind the plan, most
    urgent first (``supervision.queries``: ``for_unit`` by urgency)."""
    from grassroots.supervision.models import Task
    from grassroots.supervision.states import DisplayStatus

    return list(
        Task.objects.for_unit(unit, today)
        .filter(display_status__in=[DisplayStatus.OVERDUE, DisplayStatus.LAGGING])
        .select_related("issuer")[:TASKS_SHOWN]
    )


def starting_point(unit: Unit, today: dt.date) -> StartingPoint:
    return StartingPoint(latest_monthly_result(unit), tasks_at_risk(unit, today))


def agenda_start(point: StartingPoint) -> str:
    """The agenda's first items, from the starting point (plain text)."""
    lines: list[str] = []
    result = point.result
    if result is not None:
        lines.append(
            _(
                "1. Review the monthly assessment of %(period)s: %(total)s points, rank %(rank)s "
                "of %(size)s, grade %(grade)s."
            )
            % {
                "period": result["period"],
                "total": result["total"],
                "rank": result["rank"],
                "size": result["group_size"],
                "grade": result.get("grade_label") or "—",
            }
        )
    else:
        lines.append(_("1. Review the month's work (no monthly assessment result yet)."))
    if point.tasks:
        lines.append(_("2. Tasks at risk:"))
        from grassroots.supervision.states import DisplayStatus

        lines.extend(
            f"   - {t.title}（{t.deadline:%Y-%m-%d}，{DisplayStatus(t.display_status).label}）"
            for t in point.tasks
        )
    else:
        lines.append(_("2. No task at risk."))
    lines.append(_("3. Decide the next month's tasks."))
    return "\n".join(lines)


# --- units that missed a month ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissedUnit:
    unit: Unit
    #: The unit's monthly meeting of the month that is not held (planned or cancelled),
    #: or None when none was planned.
    meeting: Meeting | None

    @property
    def reason(self) -> str:
        if self.meeting is None:
            return _("Not planned")
        if self.meeting.status == MeetingStatus.CANCELLED:
            return _("Cancelled")
        if self.meeting.status == MeetingStatus.HELD and self.meeting.held_on is not None:
            return _("Held late, on %(day)s") % {"day": f"{self.meeting.held_on:%Y-%m-%d}"}
        return _("Planned, not recorded as held")


def missed_units(
    user: Any, period: str, *, unit: Unit | None = None, q: str = ""
) -> list[MissedUnit]:
    """The active townships and villages the viewer sees (under ``unit`` when given,
    matching ``q`` by name or code) with no 党建月会 of ``period`` held within that month
    (as ``partybuilding.monthly_meetings_on_schedule`` counts: one held late, in a later
    month, is listed with its day), in path order — all of them (the page paginates), the
    units on schedule left out by the database; two queries."""
    units = (
        Unit.objects.visible_to(user, VIEW)
        .filter(active=True, kind__in=MONTHLY_HOLDERS)
        .defer("geometry")
        .select_related("parent")
        .order_by("path")
    )
    if unit is not None:
        units = units.filter(subtree_q("path", unit.path))
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__startswith=q))
    first = dt.date.fromisoformat(f"{period}-01")
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    on_schedule = Meeting.objects.filter(
        kind=MeetingKind.PARTY_MONTHLY,
        period=period,
        status=MeetingStatus.HELD,
        held_on__gte=first,
        held_on__lte=last,
    ).values("unit_id")
    missed = units.exclude(pk__in=on_schedule)
    meetings: dict[int, Meeting] = {}
    for m in Meeting.objects.filter(
        kind=MeetingKind.PARTY_MONTHLY, period=period, unit__in=missed.values("pk")
    ).order_by("status", "pk"):
        # held (late) first ("cancelled" < "held" < "planned"): keep the held one when any
        current = meetings.get(m.unit_id)
        if (
            current is None
            or m.status == MeetingStatus.HELD
            or (current.status == MeetingStatus.CANCELLED and m.status == MeetingStatus.PLANNED)
        ):
            meetings[m.unit_id] = m
    return [MissedUnit(u, meetings.get(u.pk)) for u in missed]
