"""Error tolerance (容错纠错): the application, the verification on the published
conditions, the committee's decision, the public notice and its objections, the effect,
and the corrective measures.

A case goes ``applied → publicity → effective``; it may be refused (by the committee, or
when an objection during the notice is upheld) or withdrawn by its applicant while still
being verified. Once effective, the assessment deductions it names are waived for its unit
in its month (``cadres.waivers``). Every function here checks scope, locks the case (the
objections and measures of a case are always locked after it), changes it through
``move`` and writes one audit entry per record changed; bad input raises ``CadresError``
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres import checklist as cl
from grassroots.cadres.actions._base import checked_vote, lock, move, set_vote
from grassroots.cadres.errors import CadresConflict, CadresError
from grassroots.cadres.models import Cadre, CorrectiveMeasure, Objection, ToleranceCase
from grassroots.cadres.permissions import APPLY_TOLERANCE, MANAGE
from grassroots.cadres.queries import policy_for
from grassroots.cadres.queries_tolerance import waivable_metrics
from grassroots.cadres.states import (
    TOLERANCE_TRANSITIONS,
    Applicant,
    MeasureState,
    ObjectionState,
    ToleranceState,
)
from grassroots.common.masking import mask_phone
from grassroots.common.workdays import add_workdays
from grassroots.org.models import Unit, User, is_within
from grassroots.org.permissions import can, require

TITLE_MAX = 200
TEXT_MAX = 10000
NAME_MAX = 64
RESPONSIBLE_MAX = 100
#: More items than any month could hold is a typing mistake.
ITEMS_MAX = 9999
#: A phone as people type it: digits, an optional leading +, dashes and spaces.
PHONE_RE = re.compile(r"^\+?\d[\d -]{5,18}\d$")
#: The states' table as ``move`` takes it.
TABLE = cast("Mapping[str, frozenset[str]]", TOLERANCE_TRANSITIONS)
#: Attempts at a case number when two applications take the same one at once.
NUMBER_ATTEMPTS = 5


# --- helpers ---------------------------------------------------------------------------------


def _text(value: str | None, field_name: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CadresError(_("This field is required."), field=field_name)
    if len(text) > limit:
        raise CadresError(_("Too long: at most %(n)d characters.") % {"n": limit}, field=field_name)
    return text


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_number(year: int) -> str:
    """The next free number of ``year``: RC2026-0001, RC2026-0002, … (the highest plus one;
    past 9999 the numbers simply grow a digit, hence the ordering by length first)."""
    prefix = f"RC{year}-"
    last = (
        ToleranceCase.objects.filter(number__startswith=prefix)
        .annotate(width=Length("number"))
        .order_by("-width", "-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _summary(case: ToleranceCase) -> dict[str, Any]:
    return {"state": case.state, "number": case.number}


def _not_verifying(case: ToleranceCase) -> CadresConflict:
    return CadresConflict(
        _("Case %(number)s is no longer being verified (it is “%(state)s”).")
        % {"number": case.number, "state": case.get_state_display()}
    )


def _may_correct(actor: User, case: ToleranceCase) -> None:
    """Corrective measures are set and followed by the organisation department or the
    leader of the case's unit (who may apply for it)."""
    if not (can(actor, MANAGE, case) or can(actor, APPLY_TOLERANCE, case)):
        raise PermissionDenied(_("You are not allowed to do this here."))


def _make_effective(case: ToleranceCase, now: dt.datetime, *, actor: User | None) -> None:
    """The notice is over and nothing stands against it: the case takes effect (the
    caller holds the lock and has checked there is no open objection)."""
    before = _summary(case)
    move(case, "state", ToleranceState.EFFECTIVE, TABLE)
    case.effective_at = now
    fields = ["state", "effective_at"]
    states = list(case.measures.values_list("state", flat=True))
    if states and all(s == MeasureState.DONE for s in states) and case.corrected_at is None:
        case.corrected_at = now
        fields.append("corrected_at")
    case.save(update_fields=fields)
    record(
        "cadres.tolerance.effective",
        case,
        actor=actor,
        before=before,
        after={**_summary(case), "effective_at": now},
        note=_("The public notice ended with no objection pending."),
    )


# --- application -----------------------------------------------------------------------------


@transaction.atomic
def apply_tolerance(
    *,
    actor: User,
    unit: Unit,
    title: str,
    facts: str,
    occurred_on: dt.date,
    affected_month: dt.date,
    cadre: Cadre | None = None,
    metric: str = "",
    items: int = 0,
) -> ToleranceCase:
    """Apply for error tolerance (容错申请) about a mistake at ``unit``.

    The cadre applies for themself (``cadre.user`` is the actor; the case's unit is their
    unit or one below it); a unit applies with ``cadres.apply_tolerance`` over it, naming a
    cadre of the unit (or of a unit above it) or no one (the unit's own case).
    ``affected_month`` is the assessment month whose deductions it concerns (its first
    day), ``metric`` the deduction or veto item of that year's schemes and ``items`` how
    many of its counted items the mistake caused (at least one when a metric is named).
    The case is numbered RC<year>-<sequence>.
    """
    if cadre is not None and cadre.user_id is not None and cadre.user_id == actor.pk:
        applicant = Applicant.SELF
    else:
        require(actor, APPLY_TOLERANCE, cadre if cadre is not None else unit)
        applicant = Applicant.UNIT
    if cadre is not None and not is_within(unit.path, cadre.unit.path):
        raise CadresError(
            _("The case's unit must be the cadre's unit or a unit under it."), field="unit"
        )
    if applicant == Applicant.UNIT:
        require(actor, APPLY_TOLERANCE, unit)
    today = timezone.localdate()
    title = _text(title, "title", TITLE_MAX)
    facts = _text(facts, "facts", TEXT_MAX)
    if occurred_on > today:
        raise CadresError(_("The date cannot be in the future."), field="occurred_on")
    if affected_month.day != 1:
        raise CadresError(
            _("Give the month as its first day (e.g. 2026-10-01)."), field="affected_month"
        )
    if affected_month < _first_of_month(occurred_on):
        raise CadresError(
            _("The assessment month cannot be before the month the mistake happened."),
            field="affected_month",
        )
    if affected_month > _first_of_month(today):
        raise CadresError(
            _("The assessment month cannot be in the future."), field="affected_month"
        )
    metric = (metric or "").strip()
    if isinstance(items, bool) or not isinstance(items, int) or items < 0 or items > ITEMS_MAX:
        raise CadresError(
            _("Enter a whole number from 0 to %(max)d.") % {"max": ITEMS_MAX}, field="items"
        )
    if metric:
        offered = {c.metric for c in waivable_metrics([affected_month.year])}
        if metric not in offered:
            raise CadresError(
                _(
                    "No assessment scheme of %(year)d deducts or vetoes on this item: choose "
                    "one of its deduction or veto indicators."
                )
                % {"year": affected_month.year},
                field="metric",
            )
        if items < 1:
            raise CadresError(
                _("Say how many of the item's counted cases the mistake caused (at least 1)."),
                field="items",
            )
    elif items:
        raise CadresError(
            _("Choose the assessment item whose counted cases are to be waived."), field="metric"
        )

    case = ToleranceCase(
        cadre=cadre,
        unit=unit,
        applicant=applicant,
        applied_by=actor,
        applied_at=timezone.now(),
        title=title,
        facts=facts,
        occurred_on=occurred_on,
        affected_month=affected_month,
        metric=metric,
        items=items if metric else 0,
    )
    year = timezone.localdate(case.applied_at).year
    for attempt in range(NUMBER_ATTEMPTS):
        case.number = _next_number(year)
        try:
            with transaction.atomic():  # a savepoint: a lost race on the number is retried
                case.save(force_insert=True)
            break
        except IntegrityError:
            case.pk = None
            taken = ToleranceCase.objects.filter(number=case.number).exists()
            if not taken or attempt == NUMBER_ATTEMPTS - 1:
                raise
    record(
        "cadres.tolerance.applied",
        case,
        actor=actor,
        after={
            "number": case.number,
            "state": case.state,
            "applicant": case.applicant,
            "cadre": cadre,
            "unit": unit,
            "title": title,
            "affected_month": affected_month,
            "metric": metric,
            "items": case.items,
        },
    )
    return case


@transaction.atomic
def withdraw_tolerance(case_id: int, *, actor: User, reason: str = "") -> ToleranceCase:
    """Withdraw an application still being verified: only who applied may (the person
    who filed it, or for the cadre's own application, the cadre)."""
    case = lock(ToleranceCase, case_id, "cadre")
    own = (
        case.applicant == Applicant.SELF
        and case.cadre is not None
        and (case.cadre.user_id == actor.pk)
    )
    if case.applied_by_id != actor.pk and not own:
        raise PermissionDenied(_("Only the applicant may withdraw an application."))
    reason = _text(reason, "reason", TEXT_MAX, required=False)
    before = _summary(case)
    move(case, "state", ToleranceState.WITHDRAWN, TABLE)
    case.save(update_fields=["state"])
    record(
        "cadres.tolerance.withdrawn",
        case,
        actor=actor,
        before=before,
        after=_summary(case),
        note=reason,
    )
    return case


# --- verification and decision ---------------------------------------------------------------


@transaction.atomic
def verify_tolerance(
    case_id: int, *, actor: User, entries: Mapping[str, tuple[bool | None, str]]
) -> ToleranceCase:
    """Record the verification (核实) on the published conditions: ``{condition: (met,
    note)}`` for all four (``checklist.CONDITIONS``). May be done again while the case is
    being verified; the verdict follows (tolerable only when all four are met)."""
    case = lock(ToleranceCase, case_id, "unit")
    require(actor, MANAGE, case)
    if case.state != ToleranceState.APPLIED:
        raise _not_verifying(case)
    try:
        built = cl.build(entries)
    except cl.ChecklistError as exc:
        raise CadresError(exc.message, field=exc.field) from None
    before = {"checklist": case.checklist, "verdict": cl.verdict(case.checklist).value}
    case.checklist = built
    case.verified_by = actor
    case.verified_at = timezone.now()
    case.save(update_fields=["checklist", "verified_by", "verified_at"])
    record(
        "cadres.tolerance.verified",
        case,
        actor=actor,
        before=before,
        after={"checklist": built, "verdict": cl.verdict(built).value},
    )
    return case


@transaction.atomic
def decide_tolerance(
    case_id: int,
    *,
    actor: User,
    tolerate: bool,
    reason: str,
    meeting_on: dt.date,
    members: int | None,
    present: int | None,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
) -> ToleranceCase:
    """Record the committee's decision (集体研究决定) with its vote and reasons.

    The vote is that of the decision taken, and must be quorate and carried
    (``rules.check_vote``). To tolerate, the verification must be complete and find all
    four conditions met; the case then goes under public notice (公示) from now for the
    policy's number of working days. To refuse, the reason is kept and shown.
    """
    case = lock(ToleranceCase, case_id, "unit")
    require(actor, MANAGE, case)
    if case.state != ToleranceState.APPLIED:
        raise _not_verifying(case)
    reason = _text(reason, "reason", TEXT_MAX)
    if meeting_on is None:
        raise CadresError(_("This field is required."), field="meeting_on")
    if meeting_on > timezone.localdate():
        raise CadresError(_("The date cannot be in the future."), field="meeting_on")
    vote = checked_vote(
        members=members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    if tolerate:
        verdict = cl.verdict(case.checklist)
        if verdict == cl.Verdict.INCOMPLETE:
            raise CadresError(
                _("Verify the four conditions before deciding to tolerate."), field="outcome"
            )
        if verdict == cl.Verdict.NOT_TOLERABLE:
            names = "、".join(str(c.label) for c in cl.unmet(case.checklist))
            raise CadresError(
                _("Not tolerable: the verification found these conditions not met: %(names)s.")
                % {"names": names},
                field="outcome",
            )
    now = timezone.now()
    before = _summary(case)
    target = ToleranceState.PUBLICITY if tolerate else ToleranceState.REFUSED
    move(case, "state", target, TABLE)
    case.decision_reason = reason
    fields = [
        "state",
        "decision_reason",
        *set_vote(case, vote, meeting_on=meeting_on, actor=actor, now=now),
    ]
    if tolerate:
        case.notice_starts = now
        case.notice_ends = add_workdays(now, int(policy_for(case.unit).public_notice_workdays))
        fields += ["notice_starts", "notice_ends"]
    else:
        case.refused_reason = reason
        fields.append("refused_reason")
    case.save(update_fields=fields)
    record(
        "cadres.tolerance.decided",
        case,
        actor=actor,
        before=before,
        after={
            **_summary(case),
            "vote": [
                vote.members,
                vote.present,
                vote.votes_for,
                vote.votes_against,
                vote.abstentions,
            ],
            "meeting_on": meeting_on,
            "notice_ends": case.notice_ends,
        },
        note=reason,
    )
    return case


# --- public notice and objections ------------------------------------------------------------


@transaction.atomic
def file_objection(
    case_id: int,
    *,
    actor: User | None,
    text: str,
    name: str = "",
    phone: str = "",
) -> Objection:
    """File an objection (异议) to a case under public notice: anyone may, a login or the
    public page (with a name and a phone to be answered on). Refused once the notice has
    ended or when the case is not under notice."""
    case = lock(ToleranceCase, case_id, "unit")
    now = timezone.now()
    if case.state != ToleranceState.PUBLICITY:
        raise CadresConflict(
            _("Case %(number)s is not under public notice: objections are not taken.")
            % {"number": case.number}
        )
    if case.notice_ends is not None and now >= case.notice_ends:
        raise CadresConflict(
            _(
                "The public notice of case %(number)s ended on %(date)s: objections are no "
                "longer taken."
            )
            % {
                "number": case.number,
                "date": timezone.localtime(case.notice_ends).strftime("%Y-%m-%d %H:%M"),
            }
        )
    text = _text(text, "text", TEXT_MAX)
    authenticated = actor is not None and actor.is_authenticated
    name = _text(name, "name", NAME_MAX, required=not authenticated)
    if not name and actor is not None:
        name = actor.display_name[:NAME_MAX]
    phone = (phone or "").strip()
    if not phone and not authenticated:
        raise CadresError(_("Leave a phone number to be answered on."), field="phone")
    if phone and not PHONE_RE.match(phone):
        raise CadresError(_("Enter a valid phone number."), field="phone")
    objection = Objection.objects.create(
        case=case,
        filed_by=actor if authenticated else None,
        name=name,
        phone=phone,
        text=text,
        filed_at=now,
    )
    record(
        "cadres.objection.filed",
        objection,
        actor=actor if authenticated else None,
        unit=case.unit,
        after={"case": case.number, "name": name, "phone": mask_phone(phone) if phone else ""},
    )
    return objection


@transaction.atomic
def answer_objection(objection_id: int, *, actor: User, uphold: bool, answer: str) -> Objection:
    """Answer an objection. Upheld (异议成立): the case is not tolerated, the answer is its
    reason. Dismissed (异议不成立): the answer says why; when the notice is over and nothing
    else is pending, the case takes effect at once."""
    case_id = Objection.objects.filter(pk=objection_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = lock(ToleranceCase, case_id, "unit")
    require(actor, MANAGE, case)
    objection = lock(Objection, objection_id)
    if objection.state != ObjectionState.OPEN:
        raise CadresConflict(_("This objection has already been answered."))
    answer = _text(answer, "answer", TEXT_MAX)
    now = timezone.now()
    objection.state = ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = now
    objection.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    record(
        "cadres.objection.answered",
        objection,
        actor=actor,
        unit=case.unit,
        before={"state": ObjectionState.OPEN},
        after={"state": objection.state, "case": case.number},
        note=answer,
    )
    if uphold and case.state == ToleranceState.PUBLICITY:
        before = _summary(case)
        move(case, "state", ToleranceState.REFUSED, TABLE)
        case.refused_reason = answer
        case.save(update_fields=["state", "refused_reason"])
        record(
            "cadres.tolerance.refused",
            case,
            actor=actor,
            before=before,
            after=_summary(case),
            note=answer,
        )
    elif (
        not uphold
        and case.state == ToleranceState.PUBLICITY
        and case.notice_ends is not None
        and case.notice_ends <= now
        and not case.objections.filter(state=ObjectionState.OPEN).exists()
    ):
        _make_effective(case, now, actor=actor)
    return objection


@dataclass
class NoticeSweep:
    """What ``close_notices`` did: the cases that took effect and those still waiting for
    the answer to an objection (by number)."""

    effective: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"effective": self.effective, "waiting": self.waiting}


def close_notices(now: dt.datetime | None = None) -> NoticeSweep:
    """End the public notices that are over: a case whose notice ended by ``now`` with no
    objection pending takes effect (``effective_at = now``); one with an objection pending
    waits for its answer. Each case in its own transaction, under its lock; running it
    again changes nothing."""
    now = now or timezone.now()
    sweep = NoticeSweep()
    due = list(
        ToleranceCase.objects.filter(state=ToleranceState.PUBLICITY, notice_ends__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            case = lock(ToleranceCase, pk, "unit")
            if (
                case.state != ToleranceState.PUBLICITY
                or case.notice_ends is None
                or case.notice_ends > now
            ):
                continue
            if case.objections.filter(state=ObjectionState.OPEN).exists():
                sweep.waiting.append(case.number)
                continue
            _make_effective(case, now, actor=None)
            sweep.effective.append(case.number)
    return sweep


# --- corrective measures ---------------------------------------------------------------------


@transaction.atomic
def add_measure(
    case_id: int, *, actor: User, description: str, responsible: str, due_on: dt.date
) -> CorrectiveMeasure:
    """Add a corrective measure (纠错整改措施) to a tolerated case (under notice or
    effective): what is to be done, who answers for it and by when."""
    case = lock(ToleranceCase, case_id, "unit")
    _may_correct(actor, case)
    if case.state not in (ToleranceState.PUBLICITY, ToleranceState.EFFECTIVE):
        raise CadresConflict(_("Corrective measures are tracked for tolerated cases only."))
    description = _text(description, "description", TEXT_MAX)
    responsible = _text(responsible, "responsible", RESPONSIBLE_MAX)
    if due_on is None:
        raise CadresError(_("This field is required."), field="due_on")
    if due_on < timezone.localdate():
        raise CadresError(_("The due date cannot be in the past."), field="due_on")
    measure = CorrectiveMeasure.objects.create(
        case=case, description=description, responsible=responsible, due_on=due_on
    )
    if case.corrected_at is not None:  # a new measure reopens the correction
        case.corrected_at = None
        case.save(update_fields=["corrected_at"])
    record(
        "cadres.measure.added",
        measure,
        actor=actor,
        unit=case.unit,
        after={"case": case.number, "responsible": responsible, "due_on": due_on},
        note=description,
    )
    return measure


@transaction.atomic
def complete_measure(
    measure_id: int, *, actor: User, done_on: dt.date, note: str
) -> CorrectiveMeasure:
    """Record a corrective measure done, with what was done. When every measure of an
    effective case is done, the case is corrected (纠错完成, ``corrected_at``)."""
    case_id = (
        CorrectiveMeasure.objects.filter(pk=measure_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise Http404
    case = lock(ToleranceCase, case_id, "unit")
    _may_correct(actor, case)
    measure = lock(CorrectiveMeasure, measure_id)
    if measure.state != MeasureState.OPEN:
        raise CadresConflict(_("This measure is already done."))
    note = _text(note, "note", TEXT_MAX)
    if done_on is None:
        raise CadresError(_("This field is required."), field="done_on")
    if done_on > timezone.localdate():
        raise CadresError(_("The date cannot be in the future."), field="done_on")
    if done_on < case.occurred_on:
        raise CadresError(
            _("The measure cannot be done before the mistake happened."), field="done_on"
        )
    now = timezone.now()
    measure.state = MeasureState.DONE
    measure.done_on = done_on
    measure.done_note = note
    measure.save(update_fields=["state", "done_on", "done_note"])
    record(
        "cadres.measure.completed",
        measure,
        actor=actor,
        unit=case.unit,
        before={"state": MeasureState.OPEN},
        after={"state": MeasureState.DONE, "case": case.number, "done_on": done_on},
        note=note,
    )
    if (
        case.state == ToleranceState.EFFECTIVE
        and case.corrected_at is None
        and not case.measures.filter(state=MeasureState.OPEN).exists()
    ):
        case.corrected_at = now
        case.save(update_fields=["corrected_at"])
        record(
            "cadres.tolerance.corrected",
            case,
            actor=actor,
            before={"corrected_at": None},
            after={"corrected_at": now},
        )
    return measure
