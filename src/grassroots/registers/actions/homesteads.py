"""Writes of the homestead register (宅基地) and its 一户一宅 check.

* ``create_homestead`` / ``update_homestead`` / ``retire_homestead``: a parcel held by a
  household of the same village (``registers.manage`` over the village);
* ``run_homestead_check``: the check of a unit's subtree (``homestead_check``), opening a
  rectification case (``HomesteadCase``) for every finding that has none open;
* ``start_rectifying`` / ``mark_rectified`` / ``dismiss_case``: a case's moves
  (``states.HOMESTEAD_CASE_TRANSITIONS``).

Every action checks scope, locks what it changes, writes one audit entry per change and
raises ``RegistersError`` (400, naming the input at fault) or ``IllegalTransition`` /
``RegistersConflict`` (409); nothing is written then. The ``clean_*`` checks are shared with
the spreadsheet import (``importing.homesteads``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.common.workdays import current_calendar
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.org.permissions import require
from grassroots.org.queries import subtree_q
from grassroots.registers.actions._base import lock, move
from grassroots.registers.errors import RegistersConflict, RegistersError
from grassroots.registers.homestead_check import MULTIPLE, Finding, Parcel, check_households
from grassroots.registers.models import Homestead, HomesteadCase
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries import policies_for
from grassroots.registers.states import (
    HOMESTEAD_CASE_TRANSITIONS,
    OPEN_HOMESTEAD_CASE,
    HomesteadCaseKind,
    HomesteadCaseStatus,
)

if TYPE_CHECKING:
    from grassroots.org.models import User
    from grassroots.residents.models import Household

#: A parcel's area must be below this (m²): anything larger is a typing error.
AREA_MAX: Final = Decimal(10000)
AREA_PLACES: Final = 2
GEOMETRY_TYPES: Final = ("Polygon", "MultiPolygon", "Point")
#: The homestead fields a form or an import row sets.
FIELDS: Final = (
    "household",
    "parcel_number",
    "area",
    "approval_document",
    "approved_on",
    "address",
    "lat",
    "lon",
    "geometry",
    "note",
)
FINDING_MAX: Final = 255


# --- checks of the values (shared with the import) -------------------------------------------


def clean_area(value: object, *, field: str = "area") -> Decimal:
    """An area in m²: more than 0, less than 10,000, at most two decimals."""
    if isinstance(value, bool) or value is None or value == "":
        raise RegistersError(_("Enter the area in square metres."), field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RegistersError(_("Enter the area as a number."), field=field) from None
    if not number.is_finite():
        raise RegistersError(_("Enter the area as a number."), field=field)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > AREA_PLACES:
        raise RegistersError(
            _("At most %(n)d decimal places, please.") % {"n": AREA_PLACES}, field=field
        )
    if not Decimal(0) < number < AREA_MAX:
        raise RegistersError(
            _("The area must be more than 0 and less than %(max)s m².") % {"max": AREA_MAX},
            field=field,
        )
    return number.quantize(Decimal("0.01"))


def clean_approved_on(
    value: dt.date | None, today: dt.date, *, field: str = "approved_on"
) -> dt.date | None:
    """An approval date, not in the future (None: not known)."""
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RegistersError(_("Enter a date."), field=field)
    if value > today:
        raise RegistersError(_("The approval date cannot be in the future."), field=field)
    return value


def _coordinate(value: object, field: str, low: float, high: float) -> float:
    if isinstance(value, bool):
        raise RegistersError(_("Enter a number."), field=field)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RegistersError(_("Enter a number."), field=field) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise RegistersError(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return number


def clean_position(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Latitude −90…90 and longitude −180…180, both or neither."""
    if lat in (None, "") and lon in (None, ""):
        return None, None
    if lat in (None, ""):
        raise RegistersError(_("Give the latitude with the longitude."), field="lat")
    if lon in (None, ""):
        raise RegistersError(_("Give the longitude with the latitude."), field="lon")
    return _coordinate(lat, "lat", -90.0, 90.0), _coordinate(lon, "lon", -180.0, 180.0)


def clean_geometry(value: object) -> dict[str, Any] | None:
    """A GeoJSON Polygon, MultiPolygon or Point (a dict or its JSON text) that shapely
    reads as a valid, non-empty geometry; None when not given."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RegistersError(_("The boundary is not valid JSON."), field="geometry") from None
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise RegistersError(
            _("The boundary must be a GeoJSON Polygon, MultiPolygon or Point."), field="geometry"
        )
    from shapely.geometry import shape

    try:
        geom = shape(value)
        usable = not geom.is_empty and geom.is_valid
    except Exception:  # any malformed GeoJSON: shapely raises several kinds
        usable = False
    if not usable:
        raise RegistersError(
            _("The boundary cannot be read as a valid %(type)s.") % {"type": value["type"]},
            field="geometry",
        )
    if not all(math.isfinite(c) and abs(c) <= 180 for c in geom.bounds):
        raise RegistersError(
            _("The boundary's coordinates must be longitudes and latitudes."), field="geometry"
        )
    return value


def _village(unit: Unit) -> Unit:
    if unit.kind not in VILLAGE_LEVEL:
        raise RegistersError(_("Choose a village or community."), field="unit")
    return unit


def _household_in(household: Household | None, village: Unit) -> Household:
    if household is None:
        raise RegistersError(_("Choose the household."), field="household")
    if household.village_id != village.pk:
        raise RegistersError(
            _("The household %(number)s is not of %(village)s.")
            % {"number": household.number, "village": village.name},
            field="household",
        )
    return household


def _snapshot(homestead: Homestead) -> dict[str, Any]:
    return {
        "household": homestead.household.number,
        "parcel_number": homestead.parcel_number,
        "area": homestead.area,
        "approval_document": homestead.approval_document,
        "approved_on": homestead.approved_on,
        "address": homestead.address,
        "lat": homestead.lat,
        "lon": homestead.lon,
        "geometry": homestead.geometry.get("type") if homestead.geometry else None,
        "active": homestead.active,
        "note": homestead.note,
    }


def clean_values(values: Mapping[str, Any], village: Unit, today: dt.date) -> dict[str, Any]:
    """Every homestead field of ``values`` checked (see ``FIELDS``); the first problem
    raises ``RegistersError`` naming its field."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise RegistersError(_("Unknown field: %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    lat, lon = clean_position(values.get("lat"), values.get("lon"))
    return {
        "household": _household_in(values.get("household"), village),
        "parcel_number": clean_text(
            values.get("parcel_number"),
            field="parcel_number",
            error=RegistersError,
            required=True,
            max_length=40,
        ),
        "area": clean_area(values.get("area")),
        "approval_document": clean_text(
            values.get("approval_document"),
            field="approval_document",
            error=RegistersError,
            max_length=100,
        ),
        "approved_on": clean_approved_on(values.get("approved_on"), today),
        "address": clean_text(
            values.get("address"), field="address", error=RegistersError, max_length=200
        ),
        "lat": lat,
        "lon": lon,
        "geometry": clean_geometry(values.get("geometry")),
        "note": clean_text(values.get("note"), field="note", error=RegistersError, max_length=255),
    }


def _parcel_taken(village: Unit, number: str) -> RegistersError:
    return RegistersError(
        _("Parcel %(number)s is already in the register of %(village)s.")
        % {"number": number, "village": village.name},
        field="parcel_number",
        code="duplicate",
    )


def _save_unique(homestead: Homestead, village: Unit, **kwargs: Any) -> None:
    """Save; a parcel number taken meanwhile (the unique constraint) is the error on
    ``parcel_number``."""
    try:
        with transaction.atomic():
            homestead.save(**kwargs)
    except IntegrityError:
        raise _parcel_taken(village, homestead.parcel_number) from None


# --- the register --------------------------------------------------------------------------


@transaction.atomic
def create_homestead(village: Unit, values: Mapping[str, Any], *, actor: User) -> Homestead:
    """Add a parcel to ``village``'s register, held by ``values["household"]`` (a household
    of that village). Rules: the parcel number is unique in the village; area 0–10,000 m²
    (two decimals); the approval date not in the future; latitude and longitude in range,
    both or neither; the boundary a GeoJSON Polygon, MultiPolygon or Point."""
    require(actor, MANAGE, village)
    _village(village)
    clean = clean_values(values, village, timezone.localdate())
    if Homestead.objects.filter(unit=village, parcel_number=clean["parcel_number"]).exists():
        raise _parcel_taken(village, clean["parcel_number"])
    homestead = Homestead(unit=village, **clean)
    _save_unique(homestead, village)
    record("registers.homestead.created", homestead, actor=actor, after=_snapshot(homestead))
    return homestead


@transaction.atomic
def update_homestead(homestead_id: int, values: Mapping[str, Any], *, actor: User) -> Homestead:
    """Correct a parcel's data (the same rules as ``create_homestead``; the village stays).
    A parcel no longer held cannot be edited (409)."""
    homestead = lock(Homestead, homestead_id, "unit", "household")
    village = homestead.unit
    require(actor, MANAGE, homestead)
    if not homestead.active:
        raise RegistersConflict(_("This parcel is no longer held; it cannot be edited."))
    clean = clean_values(values, village, timezone.localdate())
    taken = (
        Homestead.objects.filter(unit=village, parcel_number=clean["parcel_number"])
        .exclude(pk=homestead.pk)
        .exists()
    )
    if taken:
        raise _parcel_taken(village, clean["parcel_number"])
    before = _snapshot(homestead)
    for name, value in clean.items():
        setattr(homestead, name, value)
    after = _snapshot(homestead)
    if after == before:
        return homestead
    names = [n if n != "household" else "household_id" for n in clean]
    _save_unique(homestead, village, update_fields=[*names, "updated_at"])
    changed = [k for k in after if after[k] != before[k]]
    record(
        "registers.homestead.updated",
        homestead,
        actor=actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return homestead


@transaction.atomic
def retire_homestead(homestead_id: int, *, actor: User, reason: object) -> Homestead:
    """Mark a parcel as no longer held (given back, taken back, merged), with the reason;
    it stays in the register for its history. Open cases stay as they are: the clerk
    closes them."""
    homestead = lock(Homestead, homestead_id, "unit", "household")
    require(actor, MANAGE, homestead)
    text = clean_text(reason, field="reason", error=RegistersError, required=True, max_length=255)
    if not homestead.active:
        raise RegistersConflict(_("This parcel is already marked as no longer held."))
    homestead.active = False
    homestead.save(update_fields=["active", "updated_at"])
    record(
        "registers.homestead.retired",
        homestead,
        actor=actor,
        before={"active": True},
        after={"active": False, "reason": text},
        note=text,
    )
    return homestead


# --- the check -------------------------------------------------------------------------------


@dataclass(slots=True)
class CheckSummary:
    """What a run of the check found and did."""

    unit: str
    found_on: dt.date
    #: Findings of the run (multiple and oversize).
    findings: int = 0
    multiple: int = 0
    oversize: int = 0
    #: Cases opened by this run.
    opened: int = 0
    #: Findings that already had an open case.
    already_open: int = 0
    #: Findings settled earlier: a case about them was dismissed after checking (依法保留,
    #: 核实不属实), so the check does not raise them again.
    settled: int = 0
    #: The cases opened (pks), in order.
    opened_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "found_on": self.found_on.isoformat(),
            "findings": self.findings,
            "multiple": self.multiple,
            "oversize": self.oversize,
            "opened": self.opened,
            "already_open": self.already_open,
            "settled": self.settled,
        }


def _area_text(area: Decimal) -> str:
    return f"{area:.2f}"


def finding_text(finding: Finding) -> str:
    """The finding as a sentence for people (at most 255 characters)."""
    if finding.kind == MULTIPLE:
        parcels = "、".join(f"{p.parcel_number} ({_area_text(p.area)} m²)" for p in finding.parcels)
        text = _("Holds %(n)d homesteads: %(parcels)s.") % {
            "n": len(finding.parcels),
            "parcels": parcels,
        }
    else:
        parcel = finding.parcels[0]
        text = _("Parcel %(number)s is %(area)s m², above the standard of %(limit)s m².") % {
            "number": parcel.parcel_number,
            "area": _area_text(parcel.area),
            "limit": _area_text(finding.area_limit),
        }
    return text if len(text) <= FINDING_MAX else text[: FINDING_MAX - 1] + "…"


def _findings(unit: Unit) -> list[Finding]:
    """The check over every parcel of ``unit``'s subtree, each village against the area
    standard of its policy. Three queries."""
    rows = (
        Homestead.objects.filter(subtree_q("unit__path", unit.path))
        .order_by()
        .values_list("pk", "household_id", "parcel_number", "area", "active", "unit_id")
    )
    by_village: dict[int, list[Parcel]] = defaultdict(list)
    for pk, household_id, number, area, active, unit_id in rows.iterator(chunk_size=5000):
        by_village[unit_id].append(Parcel(pk, household_id, number, area, active, unit_id))
    if not by_village:
        return []
    villages = Unit.objects.filter(subtree_q("path", unit.path), pk__in=list(by_village)).only(
        "pk", "path"
    )
    policies = policies_for(villages)
    by_limit: dict[Decimal, list[Parcel]] = defaultdict(list)
    for village_id, parcels in by_village.items():
        by_limit[Decimal(policies[village_id].homestead_area_limit)].extend(parcels)
    findings: list[Finding] = []
    for limit in sorted(by_limit):
        findings.extend(check_households(by_limit[limit], limit))
    return findings


@transaction.atomic
def run_homestead_check(
    unit: Unit, *, actor: User | None, today: dt.date | None = None
) -> CheckSummary:
    """Run the 一户一宅 check over ``unit``'s subtree (``registers.manage`` over ``unit``;
    ``actor=None`` is the nightly job). Every finding without an open case gets one
    (found today, due ``rectify_workdays`` working days later by the village's policy); a
    finding that already has one is counted, a finding whose case was dismissed after
    checking is settled and not raised again, and an open case whose finding no longer
    holds is left as it is (the clerk closes it). Running it twice opens nothing new. One
    audit entry per case opened and one for the run, with the counts."""
    if actor is not None:
        require(actor, MANAGE, unit)
    day = today or timezone.localdate()
    findings = _findings(unit)
    summary = CheckSummary(unit=unit.name, found_on=day, findings=len(findings))
    open_keys = {
        (kind, household_id if kind == MULTIPLE else homestead_id)
        for kind, household_id, homestead_id in HomesteadCase.objects.filter(
            subtree_q("unit__path", unit.path), status__in=OPEN_HOMESTEAD_CASE
        ).values_list("kind", "household_id", "homestead_id")
    }
    settled_keys = {
        (kind, household_id if kind == MULTIPLE else homestead_id)
        for kind, household_id, homestead_id in HomesteadCase.objects.filter(
            subtree_q("unit__path", unit.path), status=HomesteadCaseStatus.DISMISSED
        ).values_list("kind", "household_id", "homestead_id")
    }
    units = {u.pk: u for u in Unit.objects.filter(pk__in={f.unit_id for f in findings})}
    policies = policies_for(units.values())
    calendar = current_calendar()
    for finding in findings:
        if finding.kind == MULTIPLE:
            summary.multiple += 1
        else:
            summary.oversize += 1
        if finding.key in open_keys:
            summary.already_open += 1
            continue
        if finding.key in settled_keys:
            summary.settled += 1
            continue
        village = units[finding.unit_id]
        case = HomesteadCase(
            unit=village,
            kind=HomesteadCaseKind(finding.kind),
            household_id=finding.household_id,
            homestead_id=finding.homestead_id,
            finding=finding_text(finding),
            found_on=day,
            due_on=calendar.add_workdays(day, policies[village.pk].rectify_workdays),
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:  # another run opened it meanwhile
            summary.already_open += 1
            continue
        open_keys.add(finding.key)
        summary.opened += 1
        summary.opened_ids.append(case.pk)
        record(
            "registers.homesteadcase.opened",
            case,
            actor=actor,
            after={
                "kind": case.kind,
                "household_id": case.household_id,
                "homestead_id": case.homestead_id,
                "finding": case.finding,
                "found_on": case.found_on,
                "due_on": case.due_on,
            },
        )
    record(
        "registers.homestead.checked",
        None,
        actor=actor,
        unit=unit,
        after=summary.as_dict(),
        note=_("一户一宅 check of %(unit)s") % {"unit": unit.name},
    )
    return summary


# --- the cases -------------------------------------------------------------------------------


def _case(case_id: int, actor: User) -> HomesteadCase:
    case = lock(HomesteadCase, case_id, "unit", "household")
    require(actor, MANAGE, case)
    return case


def _case_snapshot(case: HomesteadCase) -> dict[str, Any]:
    return {
        "status": case.status,
        "measures": case.measures,
        "closed_on": case.closed_on,
        "close_note": case.close_note,
    }


@transaction.atomic
def start_rectifying(case_id: int, *, actor: User, measures: object) -> HomesteadCase:
    """Record the rectification measures (退出/收回/有偿使用…) and move the case to
    "being rectified"."""
    case = _case(case_id, actor)
    text = clean_text(
        measures, field="measures", error=RegistersError, required=True, max_length=2000
    )
    before = _case_snapshot(case)
    move(case, "status", HomesteadCaseStatus.RECTIFYING, HOMESTEAD_CASE_TRANSITIONS)
    case.measures = text
    case.save(update_fields=["status", "measures", "updated_at"])
    record(
        "registers.homesteadcase.rectifying",
        case,
        actor=actor,
        before=before,
        after=_case_snapshot(case),
    )
    return case


@transaction.atomic
def mark_rectified(
    case_id: int, *, actor: User, note: object, on: dt.date | None = None
) -> HomesteadCase:
    """Close the case as rectified on ``on`` (default today: not in the future, not
    before it was found), with a note of what was done."""
    case = _case(case_id, actor)
    text = clean_text(note, field="note", error=RegistersError, required=True, max_length=255)
    today = timezone.localdate()
    day = on or today
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise RegistersError(_("Enter a date."), field="on")
    if day > today:
        raise RegistersError(_("The date cannot be in the future."), field="on")
    if day < case.found_on:
        raise RegistersError(
            _("The case was found on %(day)s; it cannot be rectified before.")
            % {"day": case.found_on.isoformat()},
            field="on",
        )
    before = _case_snapshot(case)
    move(case, "status", HomesteadCaseStatus.RECTIFIED, HOMESTEAD_CASE_TRANSITIONS)
    case.closed_on = day
    case.close_note = text
    case.save(update_fields=["status", "closed_on", "close_note", "updated_at"])
    record(
        "registers.homesteadcase.rectified",
        case,
        actor=actor,
        before=before,
        after=_case_snapshot(case),
    )
    return case


@transaction.atomic
def dismiss_case(case_id: int, *, actor: User, reason: object) -> HomesteadCase:
    """Close the case as not to be rectified after checking (核实不属实, 依法保留), with the
    reason; closed today."""
    case = _case(case_id, actor)
    text = clean_text(reason, field="reason", error=RegistersError, required=True, max_length=255)
    before = _case_snapshot(case)
    move(case, "status", HomesteadCaseStatus.DISMISSED, HOMESTEAD_CASE_TRANSITIONS)
    case.closed_on = timezone.localdate()
    case.close_note = text
    case.save(update_fields=["status", "closed_on", "close_note", "updated_at"])
    record(
        "registers.homesteadcase.dismissed",
        case,
        actor=actor,
        before=before,
        after=_case_snapshot(case),
        note=text,
    )
    return case
