"""The supervision cases of the oversight committees (监督事项): opening one, asking the
village to rectify by a deadline, the village's report, returning it for more, closing
with evidence, dismissing.

======================  ==================  ======================  ========================
action                  who (grant)         from → to               needs
======================  ==================  ======================  ========================
``open_case``           oversight.open      — → open                village in scope, matter,
                                                                    category, source,
                                                                    findings
``request_rectif…``     oversight.open      open → rectifying       request, deadline ≥ today
``respond``             oversight.respond   rectifying → responded  response text
``return_case``         oversight.open      responded → rectifying  note; new deadline ≥ today
                                                                    (optional)
``close_case``          oversight.open      open, rectifying,       conclusion; at least one
                                            responded → closed      file when a rectification
                                                                    was requested
``dismiss``             oversight.open      open → dismissed        reason
======================  ==================  ======================  ========================

Case numbers: ``JD-<year>-<4 digits>`` per village and year opened (the highest plus one;
a lost race for a number is retried). Every action takes the case's row lock, moves its
status through ``move`` and ``CASE_TRANSITIONS``, adds a ``Step`` to the timeline with its
files (``CaseEvidence``), writes one audit entry (ID and mobile numbers in the texts
masked), and raises ``OversightError`` naming the field at fault before anything is
written. The village's cadres hear of a request or a return, the opener of a report,
after commit (``oversight.notify``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.org.models import VILLAGE_LEVEL, Unit, User
from grassroots.org.permissions import require
from grassroots.oversight import evidence, notify
from grassroots.oversight.actions._base import lock, move
from grassroots.oversight.errors import IllegalTransition, OversightError
from grassroots.oversight.masking import mask_text
from grassroots.oversight.models import Case, Step
from grassroots.oversight.permissions import OPEN, RESPOND
from grassroots.oversight.states import (
    CASE_TRANSITIONS,
    CaseCategory,
    CaseSource,
    CaseStatus,
    StepKind,
)

MATTER_MAX: Final = 200
TEXT_MAX: Final = 5000
NOTE_MAX: Final = 2000
REFERENCE_MAX: Final = 64
#: ``app.model:pk`` (``partybuilding.decision:12``, ``supervision.task:7``).
REFERENCE_RE: Final = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[0-9A-Za-z_-]{1,40}$")
#: A deadline further away than this is a typing mistake.
DEADLINE_MAX_DAYS: Final = 3 * 366
NUMBER_ATTEMPTS: Final = 5
#: How much of each text the audit entry keeps.
AUDIT_TEXT: Final = 500


# --- checking what a person typed -----------------------------------------------------------


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    return clean_text(value, field=field, error=OversightError, required=required, max_length=limit)


def clean_reference(value: object) -> str:
    """A record's reference ``app.model:id`` or ""."""
    text = _text(value, "reference", REFERENCE_MAX)
    if text and not REFERENCE_RE.match(text):
        raise OversightError(
            _("Name the record as app.model:number, e.g. partybuilding.decision:12."),
            field="reference",
        )
    return text


def clean_deadline(value: object, today: dt.date, *, required: bool = True) -> dt.date | None:
    """A day from today to three years ahead."""
    if value is None or value == "":
        if required:
            raise OversightError(
                _("Give the rectification deadline."), field="deadline", code="required"
            )
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise OversightError(_("Enter a valid date."), field="deadline")
    if value < today:
        raise OversightError(_("The deadline cannot be in the past."), field="deadline")
    if (value - today).days > DEADLINE_MAX_DAYS:
        raise OversightError(_("The deadline is too far away."), field="deadline")
    return value


def check_village(unit: object) -> Unit:
    """An active village or community."""
    if not isinstance(unit, Unit) or unit.pk is None:
        raise OversightError(_("Choose the village."), field="unit")
    if unit.kind not in VILLAGE_LEVEL or not unit.active:
        raise OversightError(_("A case belongs to a village or community."), field="unit")
    return unit


def _choice(value: object, choices: Sequence[str], field: str, message: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise OversightError(message, field=field)
    return value


# --- numbers, snapshots, steps --------------------------------------------------------------


def number_prefix(year: int) -> str:
    return f"JD-{year}-"


def next_number(unit: Unit, year: int) -> str:
    """The next free number of ``unit`` in ``year`` (the highest plus one; past 9999 it
    grows a digit, hence the ordering by length first)."""
    prefix = number_prefix(year)
    last = (
        Case.objects.filter(unit=unit, number__startswith=prefix)
        .annotate(width=Length("number"))
        .order_by("-width", "-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last.removeprefix(prefix) if last else ""
    seq = int(tail) + 1 if tail.isdecimal() else 1
    return f"{prefix}{seq:04d}"


def _save_new(case: Case) -> None:
    for attempt in range(NUMBER_ATTEMPTS):
        case.number = next_number(case.unit, case.opened_on.year)
        try:
            with transaction.atomic():  # a savepoint: a lost race for the number is retried
                case.save(force_insert=True)
            return
        except IntegrityError:
            case.pk = None
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


def _short(text: str) -> str:
    text = mask_text(text)
    return text if len(text) <= AUDIT_TEXT else text[: AUDIT_TEXT - 1] + "…"


def snapshot(case: Case) -> dict[str, Any]:
    """What the audit keeps of a case (texts shortened, ID and mobile numbers masked)."""
    return {
        "number": case.number,
        "unit": case.unit.code,
        "matter": mask_text(case.matter),
        "category": case.category,
        "source": case.source,
        "reference": case.reference,
        "findings": _short(case.findings),
        "request": _short(case.request),
        "deadline": case.deadline,
        "response": _short(case.response),
        "conclusion": _short(case.conclusion),
        "status": case.status,
        "closed_on": case.closed_on,
    }


def _step(case: Case, kind: str, actor: User, note: str = "") -> Step:
    return Step.objects.create(case=case, kind=kind, actor=actor, note=note, at=timezone.now())


def _locked(case: Case | int, actor: User, action: str, target: str) -> Case:
    """The case locked, the actor's right checked, and the move to ``target`` allowed from
    its state (``IllegalTransition`` before any input is looked at)."""
    pk = case.pk if isinstance(case, Case) else case
    locked = lock(Case, pk, "unit")
    require(actor, action, locked)
    if target not in CASE_TRANSITIONS.get(locked.status, frozenset()):
        raise IllegalTransition(
            locked.get_status_display(), str(CaseStatus(target).label), field="status"
        )
    return locked


def _moved(
    case: Case,
    verb: str,
    kind: str,
    target: str,
    actor: User,
    fields: dict[str, Any],
    note: str,
    files: Sequence[evidence.Prepared] = (),
) -> Case:
    before = snapshot(case)
    move(case, "status", target, CASE_TRANSITIONS)
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields, "updated_at"])
    step = _step(case, kind, actor, note)
    stored = evidence.store(case, step, files, actor)
    record(
        f"oversight.case.{verb}",
        case,
        actor=actor,
        before=before,
        after={**snapshot(case), "evidence": [e.sha256 for e in stored]},
        note=mask_text(note),
    )
    return case


# --- the actions ----------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    actor: User,
    unit: Unit,
    matter: str,
    category: str,
    source: str = CaseSource.INSPECTION,
    reference: str = "",
    findings: str,
    files: Sequence[Any] = (),
) -> Case:
    """Open a case in ``unit`` (a village within the actor's ``oversight.open`` scope): the
    matter, its category, how it came to the committee (a reference to the record it is
    about, e.g. a decision without a resolution), what was found, and files."""
    unit = check_village(unit)
    require(actor, OPEN, unit)
    matter = _text(matter, "matter", MATTER_MAX, required=True)
    category = _choice(category, CaseCategory.values, "category", _("Choose the category."))
    source = _choice(source, CaseSource.values, "source", _("Choose where the case came from."))
    reference = clean_reference(reference)
    findings = _text(findings, "findings", TEXT_MAX, required=True)
    prepared = evidence.prepare(files)
    case = Case(
        unit=unit,
        unit_path=unit.path,
        matter=matter,
        category=category,
        source=source,
        reference=reference,
        findings=findings,
        status=CaseStatus.OPEN,
        opened_on=timezone.localdate(),
        opened_by=actor,
    )
    _save_new(case)
    step = _step(case, StepKind.OPENED, actor)
    stored = evidence.store(case, step, prepared, actor)
    record(
        "oversight.case.opened",
        case,
        actor=actor,
        after={**snapshot(case), "evidence": [e.sha256 for e in stored]},
    )
    return case


@transaction.atomic
def request_rectification(
    case: Case | int, *, actor: User, request: str, deadline: dt.date | None
) -> Case:
    """Ask the village to rectify (``request``) by ``deadline`` (today or later)."""
    locked = _locked(case, actor, OPEN, CaseStatus.RECTIFYING)
    if locked.status != CaseStatus.OPEN:
        raise IllegalTransition(
            locked.get_status_display(), str(CaseStatus.RECTIFYING.label), field="status"
        )
    text = _text(request, "request", TEXT_MAX, required=True)
    day = clean_deadline(deadline, timezone.localdate())
    fields = {"request": text, "deadline": day}
    if locked.first_deadline is None:
        fields["first_deadline"] = day
    done = _moved(
        locked, "requested", StepKind.REQUESTED, CaseStatus.RECTIFYING, actor, fields, text
    )
    _tell(done, "requested", actor)
    return done


@transaction.atomic
def respond(case: Case | int, *, actor: User, response: str, files: Sequence[Any] = ()) -> Case:
    """The village reports what it did (``oversight.respond``: its cadres), with files."""
    locked = _locked(case, actor, RESPOND, CaseStatus.RESPONDED)
    text = _text(response, "response", TEXT_MAX, required=True)
    prepared = evidence.prepare(files)
    done = _moved(
        locked,
        "responded",
        StepKind.RESPONDED,
        CaseStatus.RESPONDED,
        actor,
        {"response": text},
        text,
        prepared,
    )
    _tell(done, "responded", actor)
    return done


@transaction.atomic
def return_case(
    case: Case | int, *, actor: User, note: str, deadline: dt.date | None = None
) -> Case:
    """The response is not enough: back to rectifying with ``note`` (what is still
    missing) and, optionally, a new deadline (today or later)."""
    locked = _locked(case, actor, OPEN, CaseStatus.RECTIFYING)
    if locked.status != CaseStatus.RESPONDED:
        raise IllegalTransition(
            locked.get_status_display(), str(CaseStatus.RECTIFYING.label), field="status"
        )
    text = _text(note, "note", NOTE_MAX, required=True)
    day = clean_deadline(deadline, timezone.localdate(), required=False)
    fields: dict[str, Any] = {"deadline": day} if day is not None else {}
    done = _moved(locked, "returned", StepKind.RETURNED, CaseStatus.RECTIFYING, actor, fields, text)
    _tell(done, "returned", actor)
    return done


@transaction.atomic
def close_case(
    case: Case | int, *, actor: User, conclusion: str, files: Sequence[Any] = ()
) -> Case:
    """Close the case today with the committee's ``conclusion``. A case that had a
    rectification request is closed only with at least one file (the evidence that the
    rectification was checked)."""
    locked = _locked(case, actor, OPEN, CaseStatus.CLOSED)
    text = _text(conclusion, "conclusion", TEXT_MAX, required=True)
    prepared = evidence.prepare(files)
    if locked.request and not prepared:
        raise OversightError(
            _("Attach at least one file showing the rectification to close the case."),
            field="evidence",
            code="required",
        )
    fields = {"conclusion": text, "closed_on": timezone.localdate(), "closed_by": actor}
    return _moved(
        locked, "closed", StepKind.CLOSED, CaseStatus.CLOSED, actor, fields, text, prepared
    )


@transaction.atomic
def dismiss(case: Case | int, *, actor: User, reason: str) -> Case:
    """Unfounded: an open case is dismissed with ``reason`` (kept as its conclusion)."""
    locked = _locked(case, actor, OPEN, CaseStatus.DISMISSED)
    text = _text(reason, "reason", NOTE_MAX, required=True)
    return _moved(
        locked,
        "dismissed",
        StepKind.DISMISSED,
        CaseStatus.DISMISSED,
        actor,
        {"conclusion": text},
        text,
    )


def _tell(case: Case, kind: str, actor: User) -> None:
    notify.on_commit(
        case.pk,
        case.number,
        case.matter,
        kind,
        unit_id=case.unit_id,
        opener_id=case.opened_by_id,
        actor_id=actor.pk,
    )
