"""Meetings: plan (one unit's, or every township's and village's 党建月会 of a month),
correct, record as held with the attendance, cancel and reopen, upload the minutes, add
the resolutions with their vote, and open the supervised tasks a resolution decided.

Who (``partybuilding.record``): the unit's own people — a village cadre records its
village's meetings, a township leader its township's (it *sees* its villages' meetings
but does not write them); the city office (``city_admin``) everywhere. Planning every
unit's monthly meeting is ``partybuilding.configure`` (the city office) or the system job.

Rules (``PartybuildingError`` on the field at fault, nothing written):

* a period is a month ``YYYY-MM``; a 党建月会 is held by a township or a village, at most
  one per unit and month that is not cancelled;
* a meeting recorded as held has a day not in the future, one attendee at least, and
  its expected and present counts are its attendance rows';
* a resolution belongs to a held meeting; its vote: voting members present ≤ voting
  members (and ≤ the people present), for + against + abstain ≤ present; a quorum
  (present > half of the members, ``QUORUM``) is needed to vote at all; it is *passed*
  when more than half of **all** voting members voted for it (民主集中制); numbered
  ``<year>-<nn>`` within the unit and the year of the meeting;
* only a passed resolution opens tasks (``supervision.actions.commitments``), issued by
  the unit's parent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Role, Unit, UnitKind, is_within
from grassroots.org.permissions import require, role_may
from grassroots.org.queries import active_grants
from grassroots.partybuilding import files
from grassroots.partybuilding.actions._base import lock, move
from grassroots.partybuilding.errors import (
    IllegalTransition,
    PartybuildingConflict,
    PartybuildingError,
)
from grassroots.partybuilding.models import Attendance, Meeting
from grassroots.partybuilding.permissions import CONFIGURE, RECORD
from grassroots.partybuilding.states import (
    MEETING_TRANSITIONS,
    MeetingKind,
    MeetingStatus,
)

if TYPE_CHECKING:
    from grassroots.org.models import User

MS = MeetingStatus
TITLE_MAX: Final = 200
PLACE_MAX: Final = 200
NAME_MAX: Final = 64
REASON_MAX: Final = 200
TEXT_MAX: Final = 20000
#: At most this many attendance rows (a villagers' assembly is the largest meeting).
ATTENDANCE_MAX: Final = 500
#: At most this many tasks opened by a resolution in one go.
TASKS_MAX: Final = 20
#: The quorum: more than this share of the voting members present (the city may later
#: configure it; for now the rule of the party's and villagers' organisations).
QUORUM: Final = Decimal("0.5")
MEMBERS_MAX: Final = 100000
AMOUNT_MAX: Final = Decimal("999999999999.99")
FIRST_DAY: Final = dt.date(2000, 1, 1)
_PERIOD: Final = re.compile(r"^(\d{4})-(\d{2})$")
#: Units that hold a monthly party-building meeting.
MONTHLY_HOLDERS: Final = frozenset({*TOWNSHIP_LEVEL, *VILLAGE_LEVEL})
#: Units that hold meetings at all (not a grid, not a department).
NOT_HOLDERS: Final = frozenset({UnitKind.GRID, UnitKind.DEPARTMENT})


# --- input ---------------------------------------------------------------------------------


def text_of(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """Stripped text without NUL characters (``PartybuildingError`` on ``field``)."""
    return clean_text(
        value, field=field, error=PartybuildingError, required=required, max_length=limit
    )


def period_of(value: object, field: str = "period") -> str:
    """A month ``YYYY-MM`` from 2000 to 2099."""
    text = value.strip() if isinstance(value, str) else ""
    match = _PERIOD.match(text)
    if not match or not 2000 <= int(match[1]) <= 2099 or not 1 <= int(match[2]) <= 12:
        raise PartybuildingError(_("Enter a month as YYYY-MM, e.g. 2026-10."), field=field)
    return text


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    first = dt.date(year, month, 1)
    after = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def date_of(
    value: object, field: str, *, required: bool = True, not_after: dt.date | None = None
) -> dt.date | None:
    """A date (``date`` or ``YYYY-MM-DD``) from 2000, not after ``not_after`` when given."""
    if value is None or value == "":
        if required:
            raise PartybuildingError(_("This field is required."), field=field, code="required")
        return None
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = None
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= dt.date(2099, 12, 31):
        raise PartybuildingError(_("Enter a date as YYYY-MM-DD."), field=field)
    if not_after is not None and day > not_after:
        raise PartybuildingError(
            _("%(date)s is in the future.") % {"date": day.isoformat()}, field=field
        )
    return day


def count_of(value: object, field: str, *, high: int = MEMBERS_MAX) -> int:
    """A whole number from 0 to ``high`` (an int, or its digits as text)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    # isdecimal, not isdigit: int() refuses digits such as ² that isdigit accepts
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 9:
        number = int(value.strip())
    if number is None or not 0 <= number <= high:
        raise PartybuildingError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": 0, "high": high},
            field=field,
        )
    return number


def amount_of(value: object, field: str = "amount") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise PartybuildingError(_("Enter an amount in yuan."), field=field) from None
    exponent = amount.as_tuple().exponent
    if (
        not amount.is_finite()
        or not Decimal(0) <= amount <= AMOUNT_MAX
        or (isinstance(exponent, int) and exponent < -2)
    ):
        raise PartybuildingError(_("Enter an amount in yuan."), field=field)
    return amount


def bool_of(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in TRUTHY)


TRUTHY: Final = frozenset({"1", "on", "true", "yes", "y", "是", "√", "✓"})


# --- scope -----------------------------------------------------------------------------------


def may_record(actor: Any, unit: Unit) -> bool:
    """Whether ``actor`` records ``unit``'s meetings: a membership granting
    ``partybuilding.record`` on that very unit, or the city office over it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return any(
        role_may(g.role, RECORD)
        and (g.unit_id == unit.pk or (g.role == Role.CITY_ADMIN and is_within(unit.path, g.path)))
        for g in active_grants(actor)
    )


def require_record(actor: Any, unit: Unit) -> None:
    """PermissionDenied unless ``actor`` records ``unit``'s meetings (``may_record``)."""
    require(actor, RECORD, unit)
    if not may_record(actor, unit):
        raise PermissionDenied(_("Only the unit itself records its meetings."))


def holder_unit(unit: object, kind: str, *, field: str = "unit") -> Unit:
    if not isinstance(unit, Unit) or unit.pk is None:
        raise PartybuildingError(_("Choose a unit."), field=field)
    if not unit.active or unit.kind in NOT_HOLDERS:
        raise PartybuildingError(
            _("%(unit)s does not hold meetings.") % {"unit": unit.name}, field=field
        )
    if kind == MeetingKind.PARTY_MONTHLY and unit.kind not in MONTHLY_HOLDERS:
        raise PartybuildingError(
            _("Monthly party-building meetings are held by townships and villages."),
            field=field,
        )
    return unit


def kind_of(value: object) -> str:
    if value not in MeetingKind.values:
        raise PartybuildingError(_("Choose a kind of meeting."), field="kind")
    return str(value)


# --- audit -------------------------------------------------------------------------------


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """What the audit log keeps of a meeting (counts, not the attendees' names)."""
    return {
        "unit": meeting.unit.code,
        "kind": meeting.kind,
        "period": meeting.period,
        "title": meeting.title,
        "planned_on": meeting.planned_on,
        "held_on": meeting.held_on,
        "location": meeting.location,
        "status": meeting.status,
        "expected": meeting.expected_count,
        "present": meeting.present_count,
        "minutes": meeting.sha256,
    }


def _changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = sorted(k for k in after if after[k] != before.get(k))
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _duplicate_monthly(unit: Unit, period: str) -> PartybuildingConflict:
    return PartybuildingConflict(
        _("%(unit)s already has a monthly party-building meeting for %(period)s.")
        % {"unit": unit.name, "period": period},
        field="period",
    )


def _save_new(meeting: Meeting) -> None:
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:
        raise _duplicate_monthly(meeting.unit, meeting.period) from exc


def default_title(unit: Unit, kind: str, period: str) -> str:
    label = MeetingKind(kind).label
    return f"{unit.name}{period[:4]}年{int(period[5:7])}月{label}"


# --- planning ------------------------------------------------------------------------------


@transaction.atomic
def plan_meeting(
    *,
    actor: User,
    unit: Unit,
    kind: object,
    period: object,
    title: object = "",
    planned_on: object = None,
    location: object = "",
    agenda: object = "",
    note: object = "",
) -> Meeting:
    """Plan a meeting of ``unit`` for the month ``period``. A monthly meeting's agenda,
    when left empty, starts from the unit's latest monthly assessment result and its
    tasks at risk (``queries_meetings.starting_point``). Audit
    ``partybuilding.meeting.planned``."""
    from grassroots.partybuilding.queries_meetings import agenda_start, starting_point

    kind = kind_of(kind)
    unit = holder_unit(unit, kind)
    require_record(actor, unit)
    month = period_of(period)
    planned = date_of(planned_on, "planned_on", required=False)
    meeting = Meeting(
        unit=unit,
        unit_path=unit.path,
        kind=kind,
        period=month,
        title=text_of(title, "title", TITLE_MAX) or default_title(unit, kind, month),
        planned_on=planned,
        location=text_of(location, "location", PLACE_MAX),
        agenda=text_of(agenda, "agenda", TEXT_MAX),
        note=text_of(note, "note", TEXT_MAX),
        created_by=actor,
        sha256="",
        content_type="",
        size=0,
    )
    if kind == MeetingKind.PARTY_MONTHLY:
        if (
            Meeting.objects.filter(unit=unit, period=month, kind=kind)
            .exclude(status=MS.CANCELLED)
            .exists()
        ):
            raise _duplicate_monthly(unit, month)
        if not meeting.agenda:
            meeting.agenda = agenda_start(starting_point(unit, timezone.localdate()))
    _save_new(meeting)
    record("partybuilding.meeting.planned", meeting, actor=actor, after=snapshot(meeting))
    return meeting


@dataclass(frozen=True, slots=True)
class MonthlyPlan:
    """What ``plan_monthly`` did: the month, the units asked, the meetings it created."""

    period: str
    units: int
    created: int

    @property
    def existing(self) -> int:
        return self.units - self.created


def monthly_units() -> Iterable[Unit]:
    """Every active township and village, in path order (the fields a plan reads: a
    province's 37,500 whole units took twice as long to load)."""
    return (
        Unit.objects.active()
        .filter(kind__in=sorted(MONTHLY_HOLDERS))
        .only("pk", "path", "name", "kind", "parent_id")
        .order_by("path")
    )


@transaction.atomic
def plan_monthly(period: object, *, actor: User | None) -> MonthlyPlan:
    """Plan the 党建月会 of the month for every active township and village that has none
    (cancelled ones do not count): idempotent, a second call creates nothing. The city
    office (``partybuilding.configure``) or the system (``actor=None``, the monthly job).
    One audit entry ``partybuilding.meeting.planned_monthly`` with the counts."""
    if actor is not None:
        require(actor, CONFIGURE)
    month = period_of(period)
    units = list(monthly_units())
    if actor is not None and not actor.is_superuser:
        units = [u for u in units if _configures(actor, u)]
    having = set(
        Meeting.objects.filter(kind=MeetingKind.PARTY_MONTHLY, period=month)
        .exclude(status=MS.CANCELLED)
        .values_list("unit_id", flat=True)
    )
    new = [
        Meeting(
            unit=u,
            unit_path=u.path,
            kind=MeetingKind.PARTY_MONTHLY,
            period=month,
            title=default_title(u, MeetingKind.PARTY_MONTHLY, month),
            created_by=actor,
            sha256="",
            content_type="",
            size=0,
        )
        for u in units
        if u.pk not in having
    ]
    Meeting.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    # matched in Python: a province's 37,500 unit ids as parameters of one query are
    # slow, and over SQLite's or PostgreSQL's limit of parameters in some builds
    asked = {u.pk for u in units}
    now_having = asked.intersection(
        Meeting.objects.filter(kind=MeetingKind.PARTY_MONTHLY, period=month)
        .exclude(status=MS.CANCELLED)
        .values_list("unit_id", flat=True)
    )
    created = max(0, len(now_having) - len(having & asked))
    plan = MonthlyPlan(month, len(units), created)
    record(
        "partybuilding.meeting.planned_monthly",
        None,
        actor=actor,
        unit=None if actor is None else _top_unit(actor),
        after={"period": month, "units": plan.units, "created": created},
    )
    return plan


def _configures(actor: User, unit: Unit) -> bool:
    return any(
        role_may(g.role, CONFIGURE) and is_within(unit.path, g.path) for g in active_grants(actor)
    )


def _top_unit(actor: User) -> Unit | None:
    grants = [g for g in active_grants(actor) if role_may(g.role, CONFIGURE)]
    if not grants:
        return None
    top = min(grants, key=lambda g: g.path.count("."))
    return Unit.objects.filter(pk=top.unit_id).first()


# --- a meeting's life ------------------------------------------------------------------------


def _locked(meeting_id: int, actor: User) -> Meeting:
    meeting = lock(Meeting, meeting_id, "unit")
    require_record(actor, meeting.unit)
    return meeting


def _require_status(meeting: Meeting, *allowed: str, target: str) -> None:
    if meeting.status not in allowed:
        raise IllegalTransition(
            str(meeting.get_status_display()), str(MeetingStatus(target).label), field="status"
        )


@transaction.atomic
def update_meeting(
    meeting_id: int,
    *,
    actor: User,
    title: object,
    planned_on: object = None,
    location: object = "",
    agenda: object = "",
    note: object = "",
) -> Meeting:
    """Correct a meeting's title, planned day, place, agenda and note (a planned meeting's
    all of them; a held one's agenda and note). Audit ``partybuilding.meeting.updated``."""
    meeting = _locked(meeting_id, actor)
    _require_status(meeting, MS.PLANNED, MS.HELD, target=MS.PLANNED)
    before = snapshot(meeting) | {"agenda": meeting.agenda, "note": meeting.note}
    meeting.agenda = text_of(agenda, "agenda", TEXT_MAX)
    meeting.note = text_of(note, "note", TEXT_MAX)
    if meeting.status == MS.PLANNED:
        meeting.title = text_of(title, "title", TITLE_MAX, required=True)
        meeting.planned_on = date_of(planned_on, "planned_on", required=False)
        meeting.location = text_of(location, "location", PLACE_MAX)
    after = snapshot(meeting) | {"agenda": meeting.agenda, "note": meeting.note}
    old, new = _changes(before, after)
    if not new:
        return meeting
    meeting.save(update_fields=["title", "planned_on", "location", "agenda", "note", "updated_at"])
    record("partybuilding.meeting.updated", meeting, actor=actor, before=old, after=new)
    return meeting


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    name: str
    post: str
    voting: bool
    present: bool
    absence_reason: str


def attendance_of(rows: Sequence[Mapping[str, Any]]) -> list[AttendeeRow]:
    """The attendance rows (each ``name``, ``post``, ``voting``, ``present``,
    ``absence_reason``); a row without a name is skipped when it holds nothing else."""
    if not isinstance(rows, Sequence) or len(rows) > ATTENDANCE_MAX:
        raise PartybuildingError(
            _("At most %(n)d attendees.") % {"n": ATTENDANCE_MAX}, field="attendance"
        )
    found: list[AttendeeRow] = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise PartybuildingError(
                _("Attendee %(n)d is not readable.") % {"n": i}, field="attendance"
            )
        name = text_of(row.get("name"), "attendance", NAME_MAX)
        post = text_of(row.get("post"), "attendance", NAME_MAX)
        reason = text_of(row.get("absence_reason"), "attendance", REASON_MAX)
        if not name:
            if post or reason:
                raise PartybuildingError(
                    _("Attendee %(n)d has no name.") % {"n": i}, field="attendance"
                )
            continue
        present = bool_of(row.get("present"))
        found.append(
            AttendeeRow(name, post, bool_of(row.get("voting")), present, "" if present else reason)
        )
    if not found:
        raise PartybuildingError(_("List the attendees (one at least)."), field="attendance")
    if not any(r.present for r in found):
        raise PartybuildingError(
            _("Nobody was present: a meeting nobody attended was not held."), field="attendance"
        )
    return found


@transaction.atomic
def record_held(
    meeting_id: int,
    *,
    actor: User,
    held_on: object,
    attendance: Sequence[Mapping[str, Any]],
    location: object = "",
    chair: object = "",
    agenda: object = "",
    note: object = "",
) -> Meeting:
    """Record that a planned meeting was held on ``held_on`` (not in the future), with
    its attendance: the expected count is the number of rows, the present count those
    present. Audit ``partybuilding.meeting.held`` (counts, no names)."""
    meeting = _locked(meeting_id, actor)
    _require_status(meeting, MS.PLANNED, target=MS.HELD)
    day = date_of(held_on, "held_on", not_after=timezone.localdate())
    rows = attendance_of(attendance)
    before = snapshot(meeting)
    move(meeting, "status", MS.HELD, MEETING_TRANSITIONS)
    meeting.held_on = day
    meeting.location = text_of(location, "location", PLACE_MAX) or meeting.location
    meeting.chair = text_of(chair, "chair", NAME_MAX)
    meeting.agenda = text_of(agenda, "agenda", TEXT_MAX) or meeting.agenda
    meeting.note = text_of(note, "note", TEXT_MAX) or meeting.note
    meeting.expected_count = len(rows)
    meeting.present_count = sum(1 for r in rows if r.present)
    meeting.recorded_by = actor
    meeting.save(
        update_fields=[
            "status",
            "held_on",
            "location",
            "chair",
            "agenda",
            "note",
            "expected_count",
            "present_count",
            "recorded_by",
            "updated_at",
        ]
    )
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                name=r.name,
                post=r.post,
                voting=r.voting,
                present=r.present,
                absence_reason=r.absence_reason,
            )
            for r in rows
        ]
    )
    old, new = _changes(before, snapshot(meeting))
    record("partybuilding.meeting.held", meeting, actor=actor, before=old, after=new)
    return meeting


@transaction.atomic
def cancel_meeting(meeting_id: int, *, actor: User, reason: object) -> Meeting:
    """Cancel a planned meeting (a reason is required; it goes into the note). A
    cancelled monthly meeting leaves its month open: the unit is listed as having missed
    it unless another is planned and held. Audit ``partybuilding.meeting.cancelled``."""
    meeting = _locked(meeting_id, actor)
    why = text_of(reason, "reason", REASON_MAX, required=True)
    move(meeting, "status", MS.CANCELLED, MEETING_TRANSITIONS)
    meeting.note = f"{meeting.note}\n{_('Cancelled')}: {why}".strip()[:TEXT_MAX]
    meeting.save(update_fields=["status", "note", "updated_at"])
    record(
        "partybuilding.meeting.cancelled",
        meeting,
        actor=actor,
        before={"status": MS.PLANNED},
        after={"status": MS.CANCELLED},
        note=why,
    )
    return meeting


@transaction.atomic
def reopen_meeting(meeting_id: int, *, actor: User) -> Meeting:
    """Plan a cancelled meeting again (refused while another monthly meeting of the unit
    and month stands). Audit ``partybuilding.meeting.reopened``."""
    meeting = _locked(meeting_id, actor)
    move(meeting, "status", MS.PLANNED, MEETING_TRANSITIONS)
    if (
        meeting.kind == MeetingKind.PARTY_MONTHLY
        and Meeting.objects.filter(unit=meeting.unit, period=meeting.period, kind=meeting.kind)
        .exclude(status=MS.CANCELLED)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        raise _duplicate_monthly(meeting.unit, meeting.period)
    try:
        with transaction.atomic():
            meeting.save(update_fields=["status", "updated_at"])
    except IntegrityError as exc:
        raise _duplicate_monthly(meeting.unit, meeting.period) from exc
    record(
        "partybuilding.meeting.reopened",
        meeting,
        actor=actor,
        before={"status": MS.CANCELLED},
        after={"status": MS.PLANNED},
    )
    return meeting


@transaction.atomic
def upload_minutes(meeting_id: int, *, actor: User, upload: Any) -> Meeting:
    """Attach the minutes of a held meeting (PDF, Word, Excel without macros, or a photo
    of the signed pages), replacing any earlier file. Audit
    ``partybuilding.meeting.minutes``."""
    meeting = _locked(meeting_id, actor)
    if meeting.status != MS.HELD:
        raise PartybuildingError(
            _("Minutes belong to a meeting recorded as held."), field="file", code="not_held"
        )
    if upload is None:
        raise PartybuildingError(_("Choose the file of the minutes."), field="file")
    prepared = files.prepare_document(upload, field="file")
    before = {"minutes": meeting.sha256, "name": meeting.original_name}
    files.write(prepared)
    for name, value in prepared.fields().items():
        setattr(meeting, name, value)
    meeting.save(update_fields=["sha256", "content_type", "size", "original_name", "updated_at"])
    record(
        "partybuilding.meeting.minutes",
        meeting,
        actor=actor,
        before=before,
        after={"minutes": meeting.sha256, "name": meeting.original_name},
    )
    return meeting


@transaction.atomic
def record_from_ledger(
    *,
    actor: User,
    unit: Unit,
    kind: object,
    period: object,
    held_on: object,
    expected: object,
    present: object,
    title: object = "",
) -> tuple[str, Meeting]:
    """One row of a meeting ledger (the import): a held meeting with its counts only (no
    attendance rows). A monthly meeting planned for the month is recorded as held
    (``updated``); one held already with the same day and counts is ``unchanged`` (an
    export imports back), with others a conflict; any other row creates a held meeting
    (``created``) unless the same one is there (same kind, month, day and title). Audit
    ``partybuilding.meeting.imported``."""
    kind = kind_of(kind)
    unit = holder_unit(unit, kind)
    require_record(actor, unit)
    month = period_of(period)
    day = date_of(held_on, "held_on", not_after=timezone.localdate())
    assert day is not None  # noqa: S101 -- required
    expect = count_of(expected, "expected")
    came = count_of(present, "present")
    if came < 1:
        raise PartybuildingError(
            _("Nobody was present: a meeting nobody attended was not held."), field="present"
        )
    if came > expect:
        raise PartybuildingError(
            _("Present (%(present)d) cannot be more than expected (%(expected)d).")
            % {"present": came, "expected": expect},
            field="present",
        )
    heading = text_of(title, "title", TITLE_MAX) or default_title(unit, kind, month)
    same = Meeting.objects.select_for_update().filter(unit=unit, kind=kind, period=month)
    if kind == MeetingKind.PARTY_MONTHLY:
        found = same.exclude(status=MS.CANCELLED).select_related("unit").first()
    else:
        found = same.filter(status=MS.HELD, held_on=day, title=heading).first()
    if found is not None and found.status == MS.HELD:
        if (found.held_on, found.expected_count, found.present_count) == (day, expect, came):
            return "unchanged", found
        raise PartybuildingConflict(
            _("%(unit)s's meeting of %(period)s is already recorded as held on %(day)s.")
            % {"unit": unit.name, "period": month, "day": found.held_on},
            field="held_on",
        )
    if found is None:
        meeting = Meeting(
            unit=unit,
            unit_path=unit.path,
            kind=kind,
            period=month,
            title=heading,
            created_by=actor,
            sha256="",
            content_type="",
            size=0,
        )
        outcome = "created"
    else:
        meeting, outcome = found, "updated"
        move(meeting, "status", MS.HELD, MEETING_TRANSITIONS)
        meeting.title = text_of(title, "title", TITLE_MAX) or meeting.title
    before = snapshot(meeting) if outcome == "updated" else {}
    meeting.status = MS.HELD
    meeting.held_on = day
    meeting.expected_count = expect
    meeting.present_count = came
    meeting.recorded_by = actor
    if outcome == "created":
        _save_new(meeting)
    else:
        meeting.save()
    old, new = _changes(before, snapshot(meeting))
    record("partybuilding.meeting.imported", meeting, actor=actor, before=old, after=new)
    return outcome, meeting


# The resolutions' actions live in ``meetings_resolutions`` (which uses the helpers
# above); they are read from here too, looked up when first asked for, so that either
# module may be imported first.
_RESOLUTION_ACTIONS: Final = ("add_resolution", "create_tasks_from_resolution")


def __getattr__(name: str) -> Any:
    if name in _RESOLUTION_ACTIONS:
        from grassroots.partybuilding.actions import meetings_resolutions

        return getattr(meetings_resolutions, name)
    raise AttributeError(name)
