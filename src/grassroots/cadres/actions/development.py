"""Development and use (育, 用): training records (教育培训), mentors (导师帮带), tempering
in hard work and hard places (到难点/一线/艰苦地方锻炼) with the evaluation at the end, and
the key-moment records entered by hand (急难险重, 表彰, 警示).

Scope (``permissions``): training, mentors, key moments and the evaluation of a
tempering at its end need ``cadres.develop`` over the cadre's unit (the organisation
department, the unit's leader); assigning and cancelling a tempering need
``cadres.manage`` (the organisation department) over the cadre and over the place.

Every action locks the cadre's row first (then the record it changes), so that two
actions on one cadre's records run one after the other: two tempering assignments given
at once cannot both pass the overlap check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres.actions._base import lock, lock_many, move
from grassroots.cadres.actions.files import (
    clean_cadre,
    clean_choice,
    clean_date,
    clean_decimal,
    clean_text,
    clean_unit,
    not_future,
    pk_of,
    required_date,
    today,
)
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import Cadre, KeyMoment, Mentorship, Tempering, TrainingRecord
from grassroots.cadres.permissions import DEVELOP, MANAGE, VIEW_FILE
from grassroots.cadres.states import (
    TEMPERING_TRANSITIONS,
    Appraisal,
    CadreStatus,
    KeyMomentKind,
    Outcome,
    TemperingKind,
    TemperingState,
    TrainingResult,
)
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import Unit, User

TEMPERING_TABLE = cast("Mapping[str, frozenset[str]]", TEMPERING_TRANSITIONS)
#: The most hours one course may carry (a year of full days is about 2,000).
MAX_COURSE_HOURS = Decimal(2000)
#: Key moments entered by hand, and the outcome each has unless chosen otherwise.
HAND_KINDS: dict[str, str] = {
    KeyMomentKind.EMERGENCY: Outcome.CREDIT,
    KeyMomentKind.COMMENDATION: Outcome.CREDIT,
    KeyMomentKind.WARNING: Outcome.DEBIT,
}


def _locked_cadre(ref: object, *, active: bool = False) -> Cadre:
    """The cadre's row locked (404 when absent); in office, when ``active``."""
    cadre = lock(Cadre, pk_of(ref, Cadre, field="cadre"), "unit")
    if active:
        _require_active(cadre, field="cadre")
    return cadre


def _require_active(cadre: Cadre, *, field: str) -> None:
    if cadre.status != CadreStatus.ACTIVE:
        raise CadresError(
            _("%(name)s is no longer in office.") % {"name": cadre.name},
            field=field,
            code="not_active",
        )


# --- training -------------------------------------------------------------------------------


@transaction.atomic
def record_training(
    cadre: Cadre | int,
    *,
    actor: User,
    course: str,
    provider: str,
    hours: Decimal | int | str,
    started_on: dt.date | str,
    ended_on: dt.date | str,
    result: str,
) -> TrainingRecord:
    """Record a course a cadre took. Failed courses are kept but do not count towards the
    yearly hours (``shape.counted_hours``); a course counts in the year it ended."""
    locked = _locked_cadre(cadre)
    require(actor, DEVELOP, locked)
    name = clean_text(course, field="course", required=True, max_length=200)
    by = clean_text(provider, field="provider", required=True, max_length=100)
    amount = clean_decimal(hours, field="hours", places=1, maximum=MAX_COURSE_HOURS)
    start = required_date(started_on, field="started_on")
    end = not_future(required_date(ended_on, field="ended_on"), field="ended_on")
    if end < start:
        raise CadresError(
            _("The course cannot end before it starts."), field="ended_on", code="dates"
        )
    value = clean_choice(result, TrainingResult, field="result")
    row = TrainingRecord.objects.create(
        cadre=locked,
        course=name,
        provider=by,
        hours=amount,
        started_on=start,
        ended_on=end,
        result=value,
        recorded_by=actor,
    )
    record(
        "cadres.training.recorded",
        row,
        actor=actor,
        unit=locked.unit,
        after={
            "cadre": locked.pk,
            "course": name,
            "provider": by,
            "hours": amount,
            "started_on": start,
            "ended_on": end,
            "result": value,
        },
    )
    return row


# --- mentors --------------------------------------------------------------------------------


@transaction.atomic
def assign_mentor(
    cadre: Cadre | int,
    *,
    actor: User,
    mentor: Cadre | int,
    started_on: dt.date | str | None = None,
    note: str = "",
) -> Mentorship:
    """Give a cadre a mentor (another cadre in office whose file the actor may see), from
    ``started_on`` (default today). A pair has at most one open mentorship."""
    cadre_pk = pk_of(cadre, Cadre, field="cadre")
    mentor_pk = pk_of(mentor, Cadre, field="mentor")
    if cadre_pk == mentor_pk:
        raise CadresError(_("A cadre cannot mentor themself."), field="mentor", code="self")
    clean_cadre(mentor_pk, field="mentor", active=False)
    locked = {c.pk: c for c in lock_many(Cadre, [cadre_pk, mentor_pk])}
    if cadre_pk not in locked or mentor_pk not in locked:
        raise CadresError(_("Choose one of the offered values."), field="mentor")
    mentee, guide = locked[cadre_pk], locked[mentor_pk]
    require(actor, DEVELOP, mentee)
    _require_active(mentee, field="cadre")
    require(actor, VIEW_FILE, guide)
    _require_active(guide, field="mentor")
    start = not_future(
        clean_date(started_on, field="started_on", required=False) or today(), field="started_on"
    )
    text = clean_text(note, field="note", max_length=200)
    if Mentorship.objects.filter(cadre=mentee, mentor=guide, ended_on__isnull=True).exists():
        raise CadresConflict(
            _("%(mentor)s already mentors %(name)s.") % {"mentor": guide.name, "name": mentee.name},
            field="mentor",
        )
    row = Mentorship.objects.create(cadre=mentee, mentor=guide, started_on=start, note=text)
    record(
        "cadres.mentorship.started",
        row,
        actor=actor,
        unit=mentee.unit,
        after={"cadre": mentee.pk, "mentor": guide.pk, "started_on": start},
        note=text,
    )
    return row


@transaction.atomic
def end_mentorship(
    mentorship: Mentorship | int, *, actor: User, ended_on: dt.date | str | None = None
) -> Mentorship:
    """End a mentorship on ``ended_on`` (default today)."""
    pk = pk_of(mentorship, Mentorship, field="mentorship")
    found = Mentorship.objects.filter(pk=pk).values_list("cadre_id", flat=True).first()
    if found is None:
        raise CadresError(_("Choose one of the offered values."), field="mentorship")
    mentee = _locked_cadre(found)
    require(actor, DEVELOP, mentee)
    row = lock(Mentorship, pk)
    if row.ended_on is not None:
        raise CadresConflict(
            _("This mentorship already ended on %(day)s.") % {"day": row.ended_on.isoformat()},
            field="ended_on",
        )
    day = not_future(
        clean_date(ended_on, field="ended_on", required=False) or today(), field="ended_on"
    )
    if day < row.started_on:
        raise CadresError(
            _("This date is before the start (%(day)s).") % {"day": row.started_on.isoformat()},
            field="ended_on",
        )
    row.ended_on = day
    row.save(update_fields=["ended_on"])
    record(
        "cadres.mentorship.ended",
        row,
        actor=actor,
        unit=mentee.unit,
        before={"ended_on": None},
        after={"ended_on": day},
    )
    return row


# --- tempering ------------------------------------------------------------------------------


def _period_end(t: Tempering) -> dt.date:
    return t.ended_on or t.planned_end


def _check_overlap(
    cadre: Cadre, start: dt.date, end: dt.date, *, field: str, skip: int = 0
) -> None:
    """Refuse a period that overlaps another assignment of the cadre (cancelled ones
    excepted), naming the other one's dates. The cadre's row is locked by the caller."""
    other = (
        Tempering.objects.filter(cadre=cadre, started_on__lte=end)
        .exclude(state=TemperingState.CANCELLED)
        .exclude(pk=skip)
        .filter(
            Q(ended_on__isnull=False, ended_on__gte=start)
            | Q(ended_on__isnull=True, planned_end__gte=start)
        )
        .order_by("started_on", "pk")
        .first()
    )
    if other is not None:
        raise CadresError(
            _(
                "This period overlaps %(name)s's assignment “%(kind)s” at %(unit)s from "
                "%(start)s to %(end)s."
            )
            % {
                "name": cadre.name,
                "kind": other.get_kind_display(),
                "unit": other.unit.name,
                "start": other.started_on.isoformat(),
                "end": _period_end(other).isoformat(),
            },
            field=field,
            code="overlap",
        )


@transaction.atomic
def assign_tempering(
    cadre: Cadre | int,
    *,
    actor: User,
    kind: str,
    unit: Unit | int,
    post: str,
    started_on: dt.date | str,
    planned_end: dt.date | str,
) -> Tempering:
    """Send a cadre in office to hard work or a hard place (``unit``, in the actor's scope)
    for a period. A period that overlaps another assignment of the cadre is refused."""
    locked = _locked_cadre(cadre, active=True)
    require(actor, MANAGE, locked)
    where = clean_unit(unit)
    require(actor, MANAGE, where)
    value = clean_choice(kind, TemperingKind, field="kind")
    text = clean_text(post, field="post", required=True, max_length=100)
    start = required_date(started_on, field="started_on")
    end = required_date(planned_end, field="planned_end")
    if end < start:
        raise CadresError(
            _("The planned end cannot be before the start."), field="planned_end", code="dates"
        )
    _check_overlap(locked, start, end, field="started_on")
    row = Tempering.objects.create(
        cadre=locked,
        kind=value,
        unit=where,
        post=text,
        started_on=start,
        planned_end=end,
        assigned_by=actor,
    )
    record(
        "cadres.tempering.assigned",
        row,
        actor=actor,
        unit=locked.unit,
        after={
            "cadre": locked.pk,
            "kind": value,
            "unit": where.pk,
            "post": text,
            "started_on": start,
            "planned_end": end,
        },
    )
    return row


def _locked_tempering(ref: object) -> tuple[Cadre, Tempering]:
    pk = pk_of(ref, Tempering, field="tempering")
    cadre_id = Tempering.objects.filter(pk=pk).values_list("cadre_id", flat=True).first()
    if cadre_id is None:
        raise CadresError(_("Choose one of the offered values."), field="tempering")
    cadre = _locked_cadre(cadre_id)
    row = lock(Tempering, pk, "unit")
    return cadre, row


@transaction.atomic
def evaluate_tempering(
    tempering: Tempering | int,
    *,
    actor: User,
    appraisal: str,
    remarks: str,
    ended_on: dt.date | str | None = None,
) -> Tempering:
    """The evaluation at the end of an assignment (期满鉴定): the appraisal, the remarks
    and the day it ended (default today; not before its start, not into another
    assignment)."""
    cadre, row = _locked_tempering(tempering)
    require(actor, DEVELOP, cadre)
    value = clean_choice(appraisal, Appraisal, field="appraisal")
    text = clean_text(remarks, field="remarks", required=True)
    day = not_future(
        clean_date(ended_on, field="ended_on", required=False) or today(), field="ended_on"
    )
    if row.state == TemperingState.ONGOING and day < row.started_on:
        raise CadresError(
            _("This date is before the start (%(day)s).") % {"day": row.started_on.isoformat()},
            field="ended_on",
        )
    before = {"state": row.state}
    move(row, "state", TemperingState.EVALUATED, TEMPERING_TABLE)
    _check_overlap(cadre, row.started_on, day, field="ended_on", skip=row.pk)
    row.appraisal, row.evaluation, row.ended_on, row.evaluated_by = value, text, day, actor
    row.save(update_fields=["state", "appraisal", "evaluation", "ended_on", "evaluated_by"])
    record(
        "cadres.tempering.evaluated",
        row,
        actor=actor,
        unit=cadre.unit,
        before=before,
        after={"state": row.state, "appraisal": value, "ended_on": day},
        note=text,
    )
    return row


@transaction.atomic
def cancel_tempering(tempering: Tempering | int, *, actor: User, reason: str) -> Tempering:
    """Cancel an ongoing assignment (it then counts for nothing), with the reason."""
    cadre, row = _locked_tempering(tempering)
    require(actor, MANAGE, cadre)
    text = clean_text(reason, field="reason", required=True)
    before = {"state": row.state}
    move(row, "state", TemperingState.CANCELLED, TEMPERING_TABLE)
    row.cancel_reason = text
    row.save(update_fields=["state", "cancel_reason"])
    record(
        "cadres.tempering.cancelled",
        row,
        actor=actor,
        unit=cadre.unit,
        before=before,
        after={"state": row.state},
        note=text,
    )
    return row


# --- key moments entered by hand ------------------------------------------------------------


@transaction.atomic
def record_key_moment(
    cadre: Cadre | int,
    *,
    actor: User,
    kind: str,
    occurred_on: dt.date | str,
    title: str,
    detail: str = "",
    outcome: str | None = None,
) -> KeyMoment:
    """Record an emergency handled (急难险重), a commendation or a warning. The outcome is
    to the cadre's credit for the first two and against them for a warning, unless
    chosen."""
    locked = _locked_cadre(cadre)
    require(actor, DEVELOP, locked)
    value = clean_choice(kind, KeyMomentKind, field="kind")
    if value not in HAND_KINDS:
        raise CadresError(
            _("Tasks and escalated events are recorded from the supervision and events data."),
            field="kind",
            code="derived",
        )
    result = (
        HAND_KINDS[value]
        if outcome in (None, "")
        else clean_choice(outcome, Outcome, field="outcome")
    )
    day = not_future(required_date(occurred_on, field="occurred_on"), field="occurred_on")
    heading = clean_text(title, field="title", required=True, max_length=200)
    text = clean_text(detail, field="detail")
    row = KeyMoment.objects.create(
        cadre=locked,
        kind=value,
        outcome=result,
        occurred_on=day,
        title=heading,
        detail=text,
        recorded_by=actor,
    )
    record(
        "cadres.keymoment.recorded",
        row,
        actor=actor,
        unit=locked.unit,
        after={"cadre": locked.pk, "kind": value, "outcome": result, "occurred_on": day},
        note=heading,
    )
    return row
