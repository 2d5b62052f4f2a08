"""Illegal construction (乱修滥建) and disorderly relocation (无序搬迁) cases: opening one
(an inspection, a patrol, a 违法建设 event), the moves to closure, corrections of the facts,
before and after photos, and the "new since the baseline" flags.

"2015年12月31日起不允许新增一例乱修滥建户、不允许新增一户无序搬迁人员": a case built or moved
after the baseline of the policy that applies to its unit (``queries.policy_for``;
2015-12-31 unless changed) is *new* (``is_new``), and the target for new cases is zero.
A case is to be dealt with within ``construction_workdays`` working days of being found
(``due_on``); it is stopped (制止), then demolished (拆除), regularised (补办手续, with the
permit) or, for a relocation, the people moved back (劝返); a report that proves not to
be a case is dismissed with a reason.

Case numbers: ``WJ-<unit code>-<year found>-<sequence>`` for a building, ``BQ-…`` for a
relocation (``WJ-513401101201-2026-0001``): the sequence counts per kind, unit and year
(the highest plus one; a lost race for a number is retried).

Every action checks scope, locks the case, changes it (statuses only through ``move``
and ``CONSTRUCTION_TRANSITIONS``), writes one audit entry (the party's name and phone
masked) and raises ``RegistersError`` naming the field at fault before anything is
written.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final, cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.common.masking import mask_name, mask_phone
from grassroots.common.workdays import current_calendar
from grassroots.events.attachments import PreparedPhoto, prepare_photos, write_file
from grassroots.events.errors import EventError
from grassroots.org.models import Unit, User
from grassroots.org.permissions import require
from grassroots.registers.actions._base import lock, move
from grassroots.registers.errors import IllegalTransition, RegistersError
from grassroots.registers.models import CasePhoto, ConstructionCase, Policy
from grassroots.registers.permissions import CONFIGURE, MANAGE
from grassroots.registers.queries import policies_for, policy_for
from grassroots.registers.queries_construction import (
    CASE_UNIT_KINDS,
    RELOCATION_CATEGORY,
    event_for_case,
    events_without_case,
    may_open_in,
    reporting_grid_in,
)
from grassroots.registers.states import (
    CONSTRUCTION_TRANSITIONS,
    CaseSource,
    ConstructionKind,
    ConstructionStatus,
    PhotoStage,
)

logger = logging.getLogger(__name__)

CS = ConstructionStatus
TABLE = cast("Mapping[str, frozenset[str]]", CONSTRUCTION_TRANSITIONS)
ADDRESS_MAX: Final = 200
DESCRIPTION_MAX: Final = 2000
PARTY_MAX: Final = 64
NOTE_MAX: Final = 255
#: The largest area the column holds (12 digits, 2 decimals).
AREA_MAX: Final = Decimal("9999999999.99")
PEOPLE_MAX: Final = 100_000
#: Dates before this are typing mistakes (and long before any baseline).
EARLIEST: Final = dt.date(1950, 1, 1)
#: Photos per stage (before, after) of a case.
STAGE_PHOTOS_MAX: Final = 9
NUMBER_PREFIX: Final = {ConstructionKind.ILLEGAL_BUILDING: "WJ", ConstructionKind.RELOCATION: "BQ"}
NUMBER_ATTEMPTS: Final = 5
#: A mobile (13812345678) or a landline with its area code (0834-1234567).
PHONE_RE: Final = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CENT: Final = Decimal("0.01")
#: The facts ``correct`` may change.
FACTS: Final = (
    "party_name",
    "party_phone",
    "address",
    "lat",
    "lon",
    "description",
    "started_on",
    "found_on",
    "area",
    "people",
)


# --- checking what a person typed -----------------------------------------------------------


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    return clean_text(value, field=field, error=RegistersError, required=required, max_length=limit)


def clean_phone(value: object, field: str = "party_phone") -> str:
    """A mobile or landline number (spaces dropped, +86 removed), or ""."""
    text = _text(value, field, 32)
    digits = re.sub(r"\s", "", text).removeprefix("+86").removeprefix("0086")
    if digits and not PHONE_RE.match(digits):
        raise RegistersError(
            _("Enter an 11-digit mobile number or a landline with its area code."), field=field
        )
    return digits


def clean_area(value: object, field: str = "area") -> Decimal | None:
    """An area in m² above zero with at most two decimals, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RegistersError(_("Enter a number."), field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RegistersError(_("Enter a number."), field=field) from None
    if not number.is_finite() or number <= 0:
        raise RegistersError(_("Enter an area above 0."), field=field)
    if number > AREA_MAX:
        raise RegistersError(_("The area is too large."), field=field)
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise RegistersError(_("At most two decimal places."), field=field)
    return number.quantize(CENT)


def clean_people(value: object, field: str = "people") -> int | None:
    """A whole number of people from 1, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RegistersError(_("Enter a whole number."), field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RegistersError(_("Enter a whole number."), field=field) from None
    if not 1 <= number <= PEOPLE_MAX:
        raise RegistersError(
            _("Enter a whole number from 1 to %(max)d.") % {"max": PEOPLE_MAX}, field=field
        )
    return number


def clean_position(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Latitude and longitude, both or neither, in range."""
    if lat in (None, "") and lon in (None, ""):
        return None, None
    values: list[float] = []
    for name, raw, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if raw in (None, ""):
            raise RegistersError(_("Give both latitude and longitude, or neither."), field=name)
        try:
            number = float(str(raw))
        except ValueError:
            raise RegistersError(_("Enter a number."), field=name) from None
        if not -limit <= number <= limit or number != number:
            raise RegistersError(
                _("Out of range (−%(limit)d to %(limit)d).") % {"limit": int(limit)}, field=name
            )
        values.append(number)
    return values[0], values[1]


def _day(value: object, field: str, today: dt.date, *, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise RegistersError(_("This field is required."), field=field, code="required")
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise RegistersError(_("Enter a valid date."), field=field)
    if value > today:
        raise RegistersError(_("The date cannot be in the future."), field=field)
    if value < EARLIEST:
        raise RegistersError(
            _("The date cannot be before %(day)s.") % {"day": EARLIEST.isoformat()}, field=field
        )
    return value


def _required_day(value: object, field: str, today: dt.date) -> dt.date:
    day = _day(value, field, today)
    if day is None:  # _day refuses an empty required date; this keeps the type exact
        raise RegistersError(_("This field is required."), field=field, code="required")
    return day


def clean_dates(started_on: object, found_on: object, today: dt.date) -> tuple[dt.date, dt.date]:
    """Built/moved and found dates: both given, ``started_on ≤ found_on ≤ today``."""
    started = _required_day(started_on, "started_on", today)
    found = _required_day(found_on, "found_on", today)
    if started > found:
        raise RegistersError(
            _("It cannot have been built or moved after it was found."), field="started_on"
        )
    return started, found


def clean_kind(kind: object) -> str:
    if kind not in ConstructionKind.values:
        raise RegistersError(_("Choose the kind of case."), field="kind")
    return str(kind)


def check_unit(unit: object) -> Unit:
    """A village or township (the place of the case), active."""
    if not isinstance(unit, Unit) or unit.pk is None:
        raise RegistersError(_("Choose the village or township."), field="unit")
    if unit.kind not in CASE_UNIT_KINDS or not unit.active:
        raise RegistersError(
            _("A case belongs to a village (community) or, outside villages, a township."),
            field="unit",
        )
    return unit


def is_new_case(started_on: dt.date, policy: Policy) -> bool:
    """Built or moved after the policy's baseline."""
    return started_on > policy.baseline


def due_date(found_on: dt.date, policy: Policy) -> dt.date:
    """Found date plus the policy's working days to deal with a case."""
    return current_calendar().add_workdays(found_on, policy.construction_workdays)


# --- numbers and snapshots --------------------------------------------------------------------


def number_prefix(kind: str, unit: Unit, year: int) -> str:
    code = unit.code if len(unit.code) <= 19 else f"U{unit.pk}"
    return f"{NUMBER_PREFIX[ConstructionKind(kind)]}-{code}-{year}-"


def next_number(prefix: str) -> str:
    """The next free number after ``prefix`` (the highest plus one; past 9999 the number
    grows a digit, hence the ordering by length first)."""
    last = (
        ConstructionCase.objects.filter(number__startswith=prefix)
        .annotate(width=Length("number"))
        .order_by("-width", "-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last.removeprefix(prefix) if last else ""
    seq = int(tail) + 1 if tail.isdecimal() else 1
    return f"{prefix}{seq:04d}"


def snapshot(case: ConstructionCase) -> dict[str, Any]:
    """What the audit keeps of a case: its facts and state, name and phone masked."""
    return {
        "number": case.number,
        "unit": case.unit.code,
        "kind": case.kind,
        "source": case.source,
        "event": case.event_id,
        "party_name": mask_name(case.party_name),
        "party_phone": mask_phone(case.party_phone) if case.party_phone else "",
        "address": case.address,
        "lat": case.lat,
        "lon": case.lon,
        "description": case.description,
        "started_on": case.started_on,
        "found_on": case.found_on,
        "is_new": case.is_new,
        "area": case.area,
        "people": case.people,
        "status": case.status,
        "due_on": case.due_on,
        "stopped_on": case.stopped_on,
        "closed_on": case.closed_on,
        "demolished_area": case.demolished_area,
        "close_note": case.close_note,
    }


def _save_new(case: ConstructionCase) -> None:
    """Insert ``case`` under the next free number of its prefix (retried on a lost race)."""
    prefix = number_prefix(case.kind, case.unit, case.found_on.year)
    for attempt in range(NUMBER_ATTEMPTS):
        case.number = next_number(prefix)
        try:
            with transaction.atomic():  # a savepoint: a lost race for the number is retried
                case.save(force_insert=True)
            return
        except IntegrityError:
            case.pk = None
            taken = ConstructionCase.objects.filter(number=case.number).exists()
            if not taken or attempt == NUMBER_ATTEMPTS - 1:
                raise


# --- opening ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """The checked facts of a new case."""

    party_name: str
    party_phone: str
    address: str
    lat: float | None
    lon: float | None
    description: str
    started_on: dt.date
    found_on: dt.date
    area: Decimal | None
    people: int | None


def check_facts(values: Mapping[str, Any], today: dt.date) -> Facts:
    """Every fact of a case checked (``RegistersError`` naming the first field at fault)."""
    started, found = clean_dates(values.get("started_on"), values.get("found_on"), today)
    lat, lon = clean_position(values.get("lat"), values.get("lon"))
    return Facts(
        party_name=_text(values.get("party_name"), "party_name", PARTY_MAX),
        party_phone=clean_phone(values.get("party_phone")),
        address=_text(values.get("address"), "address", ADDRESS_MAX, required=True),
        lat=lat,
        lon=lon,
        description=_text(values.get("description"), "description", DESCRIPTION_MAX),
        started_on=started,
        found_on=found,
        area=clean_area(values.get("area")),
        people=clean_people(values.get("people")),
    )


def _prepared(uploads: Iterable[Any]) -> list[PreparedPhoto]:
    try:
        return prepare_photos(list(uploads or ()), max_count=STAGE_PHOTOS_MAX)
    except EventError as exc:
        raise RegistersError(exc.message, field="photos", code=exc.code) from None


def _store(
    case: ConstructionCase, stage: str, photos: Sequence[PreparedPhoto], actor: User | None
) -> list[CasePhoto]:
    have = set(CasePhoto.objects.filter(case=case, stage=stage).values_list("sha256", flat=True))
    fresh = [p for p in {p.sha256: p for p in photos}.values() if p.sha256 not in have]
    if len(have) + len(fresh) > STAGE_PHOTOS_MAX:
        raise RegistersError(
            _("A case keeps at most %(n)d photos of each stage.") % {"n": STAGE_PHOTOS_MAX},
            field="photos",
        )
    stored = []
    for photo in fresh:
        write_file(photo)
        stored.append(
            CasePhoto.objects.create(
                case=case,
                stage=stage,
                sha256=photo.sha256,
                content_type=photo.content_type,
                size=photo.size,
                uploaded_by=actor if actor is not None and actor.pk else None,
            )
        )
    return stored


@transaction.atomic
def open_case(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    source: str = CaseSource.INSPECTION,
    address: str,
    started_on: dt.date,
    found_on: dt.date,
    party_name: str = "",
    party_phone: str = "",
    lat: float | None = None,
    lon: float | None = None,
    description: str = "",
    area: Decimal | str | None = None,
    people: int | str | None = None,
    photos: Sequence[Any] = (),
) -> ConstructionCase:
    """Open a case found by an inspection (``registers.manage`` over ``unit``) or a patrol
    (also ``registers.report`` over it or over one of its grids: a grid worker).

    ``unit`` is a village or, outside villages, a township; ``started_on ≤ found_on ≤
    today``; ``is_new`` from the policy's baseline; ``due_on`` the found date plus the
    policy's working days. ``photos`` (at most 9) are kept as *before* photos.
    """
    unit = check_unit(unit)
    if source not in (CaseSource.INSPECTION, CaseSource.PATROL):
        raise RegistersError(_("Choose how the case was found."), field="source")
    if not may_open_in(actor, unit, inspection=source == CaseSource.INSPECTION):
        raise PermissionDenied(_("You are not allowed to do this here."))
    kind = clean_kind(kind)
    facts = check_facts(
        {
            "party_name": party_name,
            "party_phone": party_phone,
            "address": address,
            "lat": lat,
            "lon": lon,
            "description": description,
            "started_on": started_on,
            "found_on": found_on,
            "area": area,
            "people": people,
        },
        timezone.localdate(),
    )
    prepared = _prepared(photos)
    policy = policy_for(unit)
    case = ConstructionCase(
        unit=unit,
        grid=reporting_grid_in(actor, unit),
        kind=kind,
        source=source,
        status=CS.FOUND,
        is_new=is_new_case(facts.started_on, policy),
        due_on=due_date(facts.found_on, policy),
        **{name: getattr(facts, name) for name in FACTS},
    )
    _save_new(case)
    stored = _store(case, PhotoStage.BEFORE, prepared, actor)
    record(
        "registers.constructioncase.opened",
        case,
        actor=actor,
        after={**snapshot(case), "photos": len(stored)},
    )
    return case


def _area_from(attributes: object) -> Decimal | None:
    if not isinstance(attributes, dict):
        return None
    for key in ("building_area", "land_area"):
        try:
            return clean_area(attributes.get(key))
        except RegistersError:
            continue
    return None


@transaction.atomic
def open_case_from_event(event_id: int, *, actor: User | None = None) -> ConstructionCase:
    """Open the case of a 违法建设 event a patrol reported (idempotent: the event's case
    when it has one).

    Kind: relocation for 无序搬迁 (WFJS05), else building; source patrol; unit the event's
    village, else its township; address, position, description (the title first) and the
    area attribute from the event; found and built dates the event's local report date
    (the clerk corrects the built date later). ``actor`` None is the system (the receiver
    and the sweep); a person needs the right to open a patrol case there.
    """
    existing: ConstructionCase | None = ConstructionCase.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    event = event_for_case(event_id)
    if event is None:
        raise RegistersError(_("No 违法建设 event has this id."), field="event")
    unit = event.village or event.township
    if unit is None:
        raise RegistersError(
            _("The event lies in no village or township: open the case by hand."),
            field="event",
        )
    if actor is not None and not may_open_in(actor, unit, inspection=False):
        raise PermissionDenied(_("You are not allowed to do this here."))
    day = timezone.localdate(event.reported_at)
    policy = policy_for(unit)
    text = "\n".join(t for t in (event.title, event.description) if t)
    kind = (
        ConstructionKind.RELOCATION
        if event.category.code.startswith(RELOCATION_CATEGORY)
        else ConstructionKind.ILLEGAL_BUILDING
    )
    case = ConstructionCase(
        unit=unit,
        kind=kind,
        source=CaseSource.PATROL,
        event=event,
        grid=event.grid,
        address=(event.address or event.title or unit.name)[:ADDRESS_MAX],
        lat=event.lat,
        lon=event.lon,
        description=text[:DESCRIPTION_MAX],
        started_on=day,
        found_on=day,
        is_new=is_new_case(day, policy),
        area=_area_from(event.attributes),
        status=CS.FOUND,
        due_on=due_date(day, policy),
    )
    try:
        with transaction.atomic():
            _save_new(case)
    except IntegrityError:
        # The receiver and the sweep raced for the same event: the first one's case.
        first: ConstructionCase | None = ConstructionCase.objects.filter(event_id=event_id).first()
        if first is None:
            raise
        return first
    record(
        "registers.constructioncase.opened",
        case,
        actor=actor,
        after=snapshot(case),
        note=_("Opened from the 违法建设 event %(number)s.") % {"number": event.number or event.pk}
        if actor is not None
        else _("Opened by the system from the 违法建设 event %(number)s.")
        % {"number": event.number or event.pk},
    )
    return case


@dataclass(frozen=True, slots=True)
class Sweep:
    """What a sweep for missed events did."""

    opened: int
    failed: int

    def as_dict(self) -> dict[str, int]:
        return {"opened": self.opened, "failed": self.failed}


def open_missed_cases(since: dt.datetime) -> Sweep:
    """Open the case of every 违法建设 event reported since ``since`` that has none (a
    receiver that failed or was not running). Each in its own transaction; a failure is
    logged and the others go on."""
    opened = failed = 0
    for event_id in events_without_case(since):
        try:
            open_case_from_event(event_id)
        except Exception:
            failed += 1
            logger.exception("registers: no construction case for event %s", event_id)
        else:
            opened += 1
    return Sweep(opened, failed)


# --- moves --------------------------------------------------------------------------------------


def _locked(case_id: int, actor: User, target: str) -> ConstructionCase:
    """The case locked, the actor's right to manage it checked, and the move to ``target``
    allowed from its state (``IllegalTransition`` before any input is looked at)."""
    case = lock(ConstructionCase, case_id, "unit")
    require(actor, MANAGE, case)
    if target not in TABLE.get(case.status, frozenset()):
        raise IllegalTransition(case.get_status_display(), str(CS(target).label), field="status")
    return case


def _close_day(case: ConstructionCase, value: object, field: str = "closed_on") -> dt.date:
    day = _required_day(value, field, timezone.localdate())
    if day < case.found_on:
        raise RegistersError(_("The date cannot be before the case was found."), field=field)
    if case.stopped_on is not None and day < case.stopped_on and field == "closed_on":
        raise RegistersError(_("The date cannot be before the case was stopped."), field=field)
    return day


def _moved(
    case: ConstructionCase,
    verb: str,
    target: str,
    actor: User,
    fields: dict[str, Any],
    note: str = "",
) -> ConstructionCase:
    before = snapshot(case)
    move(case, "status", target, TABLE)
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields, "updated_at"])
    record(
        f"registers.constructioncase.{verb}",
        case,
        actor=actor,
        before=before,
        after=snapshot(case),
        note=note,
    )
    return case


@transaction.atomic
def stop(case_id: int, *, actor: User, stopped_on: dt.date, note: str = "") -> ConstructionCase:
    """制止: the building work or the move was stopped on ``stopped_on`` (found ≤ it ≤
    today)."""
    case = _locked(case_id, actor, CS.STOPPED)
    day = _close_day(case, stopped_on, "stopped_on")
    note = _text(note, "note", NOTE_MAX)
    return _moved(case, "stopped", CS.STOPPED, actor, {"stopped_on": day}, note)


@transaction.atomic
def demolish(
    case_id: int,
    *,
    actor: User,
    closed_on: dt.date,
    demolished_area: Decimal | str,
    note: str = "",
) -> ConstructionCase:
    """拆除: demolished on ``closed_on``; ``demolished_area`` (m², above 0) at most the
    case's area when it is known."""
    case = _locked(case_id, actor, CS.DEMOLISHED)
    day = _close_day(case, closed_on)
    area = clean_area(demolished_area, "demolished_area")
    if area is None:
        raise RegistersError(_("This field is required."), field="demolished_area")
    if case.area is not None and area > case.area:
        raise RegistersError(
            _("More than the case's area (%(area)s m²).") % {"area": case.area},
            field="demolished_area",
        )
    note = _text(note, "note", NOTE_MAX)
    fields = {"closed_on": day, "demolished_area": area, "close_note": note}
    return _moved(case, "demolished", CS.DEMOLISHED, actor, fields, note)


@transaction.atomic
def regularise(case_id: int, *, actor: User, closed_on: dt.date, note: str) -> ConstructionCase:
    """补办手续: the building was made lawful on ``closed_on``; ``note`` names the permit
    (its number) and is required."""
    case = _locked(case_id, actor, CS.REGULARISED)
    day = _close_day(case, closed_on)
    note = _text(note, "note", NOTE_MAX, required=True)
    return _moved(
        case, "regularised", CS.REGULARISED, actor, {"closed_on": day, "close_note": note}, note
    )


@transaction.atomic
def return_people(
    case_id: int, *, actor: User, closed_on: dt.date, note: str = ""
) -> ConstructionCase:
    """劝返: the people of a disorderly relocation moved back on ``closed_on`` (relocation
    cases only; a building case cannot take this move: 409)."""
    case = _locked(case_id, actor, CS.RETURNED)
    if case.kind != ConstructionKind.RELOCATION:
        raise IllegalTransition(case.get_status_display(), str(CS.RETURNED.label), field="status")
    day = _close_day(case, closed_on)
    note = _text(note, "note", NOTE_MAX)
    return _moved(
        case, "returned", CS.RETURNED, actor, {"closed_on": day, "close_note": note}, note
    )


@transaction.atomic
def dismiss(case_id: int, *, actor: User, reason: str) -> ConstructionCase:
    """核实不属于: checked and not a case (``reason`` required); closed today."""
    case = _locked(case_id, actor, CS.DISMISSED)
    reason = _text(reason, "reason", NOTE_MAX, required=True)
    fields = {"closed_on": timezone.localdate(), "close_note": reason}
    return _moved(case, "dismissed", CS.DISMISSED, actor, fields, reason)


# --- corrections and photos --------------------------------------------------------------------


@transaction.atomic
def correct(case_id: int, *, actor: User, fields: Mapping[str, Any]) -> ConstructionCase:
    """Correct facts of a case (``FACTS``: party, phone, address, position, description,
    built and found dates, area, people). A new built date recomputes ``is_new``; a new
    found date the deadline. The demolished area must stay within the area."""
    case = lock(ConstructionCase, case_id, "unit")
    require(actor, MANAGE, case)
    unknown = [name for name in fields if name not in FACTS]
    if unknown:
        raise RegistersError(_("This cannot be corrected here."), field=unknown[0])
    values = {name: getattr(case, name) for name in FACTS}
    values.update(fields)
    facts = check_facts(values, timezone.localdate())
    if case.stopped_on is not None and case.stopped_on < facts.found_on:
        raise RegistersError(_("The case was stopped before this date."), field="found_on")
    if case.closed_on is not None and case.closed_on < facts.found_on:
        raise RegistersError(_("The case was closed before this date."), field="found_on")
    demolished = case.demolished_area
    if facts.area is not None and demolished is not None and facts.area < demolished:
        raise RegistersError(
            _("Less than the area demolished (%(area)s m²).") % {"area": demolished},
            field="area",
        )
    changed = [name for name in FACTS if getattr(facts, name) != getattr(case, name)]
    if not changed:
        return case
    before = snapshot(case)
    for name in changed:
        setattr(case, name, getattr(facts, name))
    update = list(changed)
    policy = policy_for(case.unit)
    if "started_on" in changed:
        case.is_new = is_new_case(case.started_on, policy)
        update.append("is_new")
    if "found_on" in changed:
        case.due_on = due_date(case.found_on, policy)
        update.append("due_on")
    case.save(update_fields=[*update, "updated_at"])
    after = snapshot(case)
    record(
        "registers.constructioncase.corrected",
        case,
        actor=actor,
        before={k: before[k] for k in update},
        after={k: after[k] for k in update},
    )
    return case


@transaction.atomic
def add_photos(case_id: int, *, actor: User, stage: str, uploads: Sequence[Any]) -> list[CasePhoto]:
    """Add before or after photos to a case (whoever may open a patrol case there: the
    village's cadres, its grid workers). Checked and cleaned like the events' photos
    (``events.attachments``); at most 9 per stage; a photo already there is not added
    twice."""
    case = lock(ConstructionCase, case_id, "unit")
    if not may_open_in(actor, case.unit, inspection=False):
        raise PermissionDenied(_("You are not allowed to do this here."))
    if stage not in PhotoStage.values:
        raise RegistersError(_("Choose before or after."), field="stage")
    if not uploads:
        raise RegistersError(_("Choose at least one photo."), field="photos")
    stored = _store(case, stage, _prepared(uploads), actor)
    if stored:
        record(
            "registers.constructioncase.photos_added",
            case,
            actor=actor,
            after={"stage": stage, "photos": [p.sha256 for p in stored]},
        )
    return stored


# --- the baseline --------------------------------------------------------------------------------


@transaction.atomic
def refresh_new_flags(unit: Unit, *, actor: User | None) -> int:
    """Recompute ``is_new`` of every case in ``unit``'s subtree from the policy that now
    applies to each case's unit (after a baseline changed); returns how many changed.
    Conditional updates, one pair per baseline; one audit entry when any changed."""
    if actor is not None:
        require(actor, CONFIGURE, unit)
    cases = ConstructionCase.objects.filter(
        Q(unit__path=unit.path) | Q(unit__path__startswith=unit.path + ".")
    )
    unit_ids = set(cases.order_by().values_list("unit_id", flat=True).distinct())
    units = list(Unit.objects.filter(pk__in=unit_ids).only("pk", "path"))
    by_baseline: dict[dt.date, list[int]] = {}
    for unit_id, policy in policies_for(units).items():
        by_baseline.setdefault(policy.baseline, []).append(unit_id)
    changed = 0
    for baseline, ids in sorted(by_baseline.items()):
        mine = ConstructionCase.objects.filter(unit_id__in=ids)
        now = timezone.now()
        changed += mine.filter(is_new=False, started_on__gt=baseline).update(
            is_new=True, updated_at=now
        )
        changed += mine.filter(is_new=True, started_on__lte=baseline).update(
            is_new=False, updated_at=now
        )
    if changed:
        record(
            "registers.constructioncase.new_flags_refreshed",
            None,
            actor=actor,
            unit=unit,
            after={"changed": changed, "baselines": sorted(by_baseline)},
        )
    return changed
