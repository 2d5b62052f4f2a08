"""Venues (标准化活动阵地, 文化院坝): register and correct a venue, move its construction
status, inspect it against the standard checklist, and configure the checklist.

Rules (``PartybuildingError`` on the field at fault, nothing written):

* a venue belongs to a village or a community, and its name is unique there; the actor
  holds ``partybuilding.record`` over the village (PermissionDenied otherwise);
* a status moves only as ``states.VENUE_TRANSITIONS`` allows (409 otherwise); moving to
  "in use" sets the completion date (given, else today; never in the future);
* an inspection needs ``partybuilding.inspect`` over the venue (a township's leader over its
  villages, the city office), a date not in the future, a venue no longer only planned
  (409), and names only items of the checklist in use. Every active item is scored: met
  or not, with a note. score = points of the met items ÷ points of all items × 100
  (rounded half-up to 0.01); it meets the standard when every required item is met and
  the score reaches the pass mark (``conf.venue_pass_score``, 80). The item's points and
  required flag are copied on the inspection, so a later change of the checklist leaves it
  as it was. The venue carries the result of its latest inspection *by date* (the later
  recorded of one day), not of the one recorded last;
* the checklist is configured by the city office (``partybuilding.configure``): items are
  added, edited, taken out of use (never deleted: past inspections name them) and moved.

Writes of one venue are serialised by a lock on its row; the checklist's by a lock on
every item's row (few).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.masking import mask_phone
from grassroots.org.models import VILLAGE_LEVEL, Unit
from grassroots.org.permissions import require
from grassroots.org.queries import grant_paths
from grassroots.partybuilding import files
from grassroots.partybuilding.actions._base import lock, lock_many, move
from grassroots.partybuilding.conf import venue_pass_score
from grassroots.partybuilding.errors import PartybuildingConflict, PartybuildingError
from grassroots.partybuilding.models import (
    ChecklistItem,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Venue,
)
from grassroots.partybuilding.permissions import CONFIGURE, INSPECT, RECORD
from grassroots.partybuilding.states import (
    VENUE_TRANSITIONS,
    ChecklistCategory,
    VenueKind,
    VenueStatus,
)

if TYPE_CHECKING:
    from grassroots.org.models import User

NAME_MAX: Final = 200
ADDRESS_MAX: Final = 255
OPEN_HOURS_MAX: Final = 100
MANAGER_MAX: Final = 64
NOTE_MAX: Final = 2000
ITEM_NOTE_MAX: Final = 200
LABEL_MAX: Final = 200
AREA_MAX: Final = Decimal("99999999.99")
POINTS_MAX: Final = 100
FIRST_YEAR: Final = 1949
#: The editable facts of a venue (the form's and the import's fields).
FIELDS: Final = (
    "unit",
    "kind",
    "name",
    "address",
    "lat",
    "lng",
    "area_m2",
    "open_hours",
    "manager",
    "built_on",
)
_PHONE: Final = re.compile(r"1\d{10}")
HUNDRED: Final = Decimal(100)
CENT: Final = Decimal("0.01")


# --- values -------------------------------------------------------------------------------


def masked(text: str) -> str:
    """``text`` with every mobile number in it masked (a manager's phone in the ledger)."""
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def text_of(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """A text input, stripped; NUL characters and over-long text refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    text = value.strip()
    if "\x00" in text:
        raise PartybuildingError(_("The text holds characters that are not allowed."), field=field)
    if len(text) > limit:
        raise PartybuildingError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    if required and not text:
        raise PartybuildingError(_("Required."), field=field)
    return text


def decimal_of(
    value: object, field: str, *, low: Decimal, high: Decimal, places: int
) -> Decimal | None:
    """A number input (empty: None), within ``low``–``high`` and ``places`` decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PartybuildingError(_("Not a number: %(value)s.") % {"value": value}, field=field)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        text = str(value)[:40].replace("\x00", "")
        raise PartybuildingError(
            _("Not a number: %(value)s.") % {"value": text}, field=field
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise PartybuildingError(
            _("Must be from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field
        )
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise PartybuildingError(_("At most %(n)d decimal places.") % {"n": places}, field=field)
    return number


def date_of(value: object, field: str, *, required: bool = False) -> dt.date | None:
    """A date input (a date, or text as 2024-05-17), not in the future."""
    if value is None or value == "":
        if required:
            raise PartybuildingError(_("Required."), field=field)
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()[:40].replace("\x00", "")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise PartybuildingError(
                _("Not a date: %(value)s (write it as 2024-05-17).") % {"value": text},
                field=field,
            ) from None
    if value > timezone.localdate():
        raise PartybuildingError(_("The date cannot be in the future."), field=field)
    if value.year < FIRST_YEAR:
        raise PartybuildingError(
            _("The date cannot be before %(year)d.") % {"year": FIRST_YEAR}, field=field
        )
    return value


def choice_of(value: object, field: str, choices: Iterable[str]) -> str:
    text = value if isinstance(value, str) else ""
    if text not in set(choices):
        shown = str(value)[:40].replace("\x00", "") if value not in (None, "") else "—"
        raise PartybuildingError(_("Unknown value %(value)s.") % {"value": shown}, field=field)
    return text


def village_of(unit: object, *, actor: User, action: str = RECORD) -> Unit:
    """The village or community ``unit`` (a Unit or its code) over which ``actor`` holds
    ``action`` (PermissionDenied otherwise)."""
    found: Unit | None
    if isinstance(unit, Unit):
        found = unit
    else:
        code = text_of(unit, "unit", 32, required=True)
        found = Unit.objects.filter(code=code).defer("geometry").first()
        if found is None:
            raise PartybuildingError(
                _("No unit has the code %(code)s.") % {"code": code}, field="unit"
            )
    if found.kind not in VILLAGE_LEVEL:
        raise PartybuildingError(
            _("A venue belongs to a village or a community, not to %(unit)s.")
            % {"unit": found.name},
            field="unit",
        )
    require(actor, action, found)
    return found


def _facts(values: Mapping[str, object], *, actor: User) -> dict[str, Any]:
    """The checked facts of a venue from raw ``values`` (``FIELDS``)."""
    return {
        "unit": village_of(values.get("unit"), actor=actor),
        "kind": choice_of(values.get("kind"), "kind", VenueKind.values),
        "name": text_of(values.get("name"), "name", NAME_MAX, required=True),
        "address": text_of(values.get("address"), "address", ADDRESS_MAX),
        "lat": decimal_of(values.get("lat"), "lat", low=Decimal(-90), high=Decimal(90), places=6),
        "lng": decimal_of(values.get("lng"), "lng", low=Decimal(-180), high=Decimal(180), places=6),
        "area_m2": decimal_of(
            values.get("area_m2"), "area_m2", low=Decimal(0), high=AREA_MAX, places=2
        ),
        "open_hours": text_of(values.get("open_hours"), "open_hours", OPEN_HOURS_MAX),
        "manager": text_of(values.get("manager"), "manager", MANAGER_MAX),
        "built_on": date_of(values.get("built_on"), "built_on"),
    }


def _audit_facts(venue: Venue) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(venue, name) for name in FIELDS if name != "unit"}
    values["unit"] = venue.unit.code
    values["manager"] = masked(venue.manager)
    values["status"] = venue.status
    return values


def _name_taken(unit: Unit, name: str) -> PartybuildingError:
    return PartybuildingError(
        _("%(unit)s already has a venue named “%(name)s”.") % {"unit": unit.name, "name": name},
        field="name",
    )


# --- venues -------------------------------------------------------------------------------


@transaction.atomic
def create_venue(*, actor: User, status: object = VenueStatus.PLANNED, **values: object) -> Venue:
    """Register a venue of a village (``FIELDS``; ``status`` as it stands today, planned by
    default). Audit ``partybuilding.venue.created``."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise PartybuildingError(_("Unknown field %(name)s.") % {"name": unknown[0]})
    facts = _facts(values, actor=actor)
    the_status = choice_of(status or VenueStatus.PLANNED, "status", VenueStatus.values)
    unit: Unit = facts["unit"]
    lock(Unit, unit.pk)
    if Venue.objects.filter(unit=unit, name=facts["name"]).exists():
        raise _name_taken(unit, facts["name"])
    try:
        with transaction.atomic():
            venue = Venue.objects.create(
                **facts, unit_path=unit.path, status=the_status, created_by=actor
            )
    except IntegrityError as exc:
        raise _name_taken(unit, facts["name"]) from exc
    record("partybuilding.venue.created", venue, actor=actor, after=_audit_facts(venue))
    return venue


@transaction.atomic
def update_venue(venue_id: int, *, actor: User, **values: object) -> Venue:
    """Correct a venue's facts (``FIELDS``; the village may change to another the actor
    records for). Audit ``partybuilding.venue.updated`` with what changed, when anything
    did."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise PartybuildingError(_("Unknown field %(name)s.") % {"name": unknown[0]})
    venue = lock(Venue, venue_id, "unit")
    require(actor, RECORD, venue)
    merged: dict[str, object] = {name: getattr(venue, name) for name in FIELDS}
    merged.update(values)
    facts = _facts(merged, actor=actor)
    before = _audit_facts(venue)
    if (facts["unit"].pk, facts["name"]) != (venue.unit_id, venue.name) and (
        Venue.objects.filter(unit=facts["unit"], name=facts["name"]).exclude(pk=venue.pk).exists()
    ):
        raise _name_taken(facts["unit"], facts["name"])
    changed = [name for name in FIELDS if getattr(venue, name) != facts[name]]
    if not changed:
        return venue
    for name in changed:
        setattr(venue, name, facts[name])
    fields = list(changed)
    if "unit" in changed:
        venue.unit_path = facts["unit"].path
        fields.append("unit_path")
    try:
        with transaction.atomic():
            venue.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:
        raise _name_taken(facts["unit"], facts["name"]) from exc
    after = _audit_facts(venue)
    record(
        "partybuilding.venue.updated",
        venue,
        actor=actor,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    return venue


@transaction.atomic
def move_venue(
    venue_id: int,
    *,
    actor: User,
    status: object,
    completed_on: object = None,
    note: object = "",
) -> Venue:
    """Move a venue's construction status (``VENUE_TRANSITIONS``; 409 otherwise). Into
    "in use" it takes the completion date (``completed_on``, else the one it has, else
    today). Audit ``partybuilding.venue.status_changed``."""
    target = choice_of(status, "status", VenueStatus.values)
    day = date_of(completed_on, "completed_on")
    remark = text_of(note, "note", NOTE_MAX)
    venue = lock(Venue, venue_id, "unit")
    require(actor, RECORD, venue)
    before = {"status": venue.status, "built_on": venue.built_on}
    move(venue, "status", target, VENUE_TRANSITIONS)
    fields = ["status"]
    if target == VenueStatus.IN_USE:
        venue.built_on = day or venue.built_on or timezone.localdate()
        fields.append("built_on")
    venue.save(update_fields=[*fields, "updated_at"])
    record(
        "partybuilding.venue.status_changed",
        venue,
        actor=actor,
        before=before,
        after={"status": venue.status, "built_on": venue.built_on},
        note=remark,
    )
    return venue


# --- inspections ----------------------------------------------------------------------------


def score_of(lines: Sequence[tuple[int, bool, bool]], pass_score: Decimal) -> tuple[Decimal, bool]:
    """The score and whether it meets the standard, of ``(points, required, met)`` lines:
    score = points met ÷ all points × 100, rounded half-up to 0.01 (0 without points);
    meeting = every required line met and score ≥ ``pass_score``."""
    total = sum(points for points, _required, _met in lines)
    reached = sum(points for points, _required, met in lines if met)
    score = (
        (Decimal(reached) * HUNDRED / Decimal(total)).quantize(CENT, ROUND_HALF_UP)
        if (total)
        else Decimal("0.00")
    )
    required_met = all(met for _points, required, met in lines if required)
    return score, bool(lines) and required_met and score >= pass_score


def _item_ids(values: Iterable[object], active: Mapping[int, ChecklistItem]) -> set[int]:
    ids: set[int] = set()
    for value in values:
        text = str(value).strip()[:20].replace("\x00", "")
        pk = int(text) if text.isascii() and text.isdecimal() else None
        if pk is None or pk not in active:
            raise PartybuildingError(
                _("The standard has no item %(id)s in use.") % {"id": text or "—"},
                field="items",
            )
        ids.add(pk)
    return ids


def refresh_latest(venue: Venue) -> None:
    """Copy the latest inspection by date (the later recorded of one day) onto ``venue``
    (locked by the caller); empty when it has none."""
    latest = venue.inspections.order_by("-inspected_on", "-pk").first()
    venue.last_score = latest.score if latest else None
    venue.meets_standard = bool(latest and latest.meets_standard)
    venue.last_inspected_on = latest.inspected_on if latest else None
    venue.save(update_fields=["last_score", "meets_standard", "last_inspected_on", "updated_at"])


@transaction.atomic
def record_inspection(
    venue_id: int,
    *,
    actor: User,
    inspected_on: object,
    met: Iterable[object] = (),
    notes: Mapping[Any, object] | None = None,
    photos: Iterable[Any] | None = None,
    note: object = "",
) -> Inspection:
    """Inspect a venue against the checklist in use: ``met`` names the items met (ids),
    ``notes`` an item's note by id, ``photos`` the uploads (checked and cleaned first),
    ``note`` the findings. Returns the inspection; the venue carries its latest result by
    date. Audit ``partybuilding.venue.inspected``."""
    day = date_of(inspected_on, "inspected_on", required=True) or timezone.localdate()
    findings = text_of(note, "note", NOTE_MAX)
    active = {item.pk: item for item in ChecklistItem.objects.filter(active=True)}
    if not active:
        raise PartybuildingError(
            _("The standard has no item in use: the city office sets it up first."),
            field="items",
        )
    met_ids = _item_ids(met, active)
    item_notes: dict[int, str] = {}
    for key, value in (notes or {}).items():
        (pk,) = _item_ids([key], active)
        item_notes[pk] = text_of(value, "items", ITEM_NOTE_MAX)
    prepared = files.prepare_photos(photos, field="photos")
    venue = lock(Venue, venue_id, "unit")
    require(actor, INSPECT, venue)
    if venue.status == VenueStatus.PLANNED:
        raise PartybuildingConflict(
            _("A venue that is only planned cannot be inspected yet."), field="inspected_on"
        )
    items = sorted(active.values(), key=lambda i: (i.order, i.pk))
    lines = [(item.points, item.required, item.pk in met_ids) for item in items]
    score, meets = score_of(lines, venue_pass_score())
    inspection = Inspection.objects.create(
        venue=venue,
        inspected_on=day,
        inspector=actor,
        score=score,
        meets_standard=meets,
        note=findings,
    )
    InspectionItem.objects.bulk_create(
        InspectionItem(
            inspection=inspection,
            item=item,
            met=item.pk in met_ids,
            points=item.points,
            required=item.required,
            note=item_notes.get(item.pk, ""),
        )
        for item in items
    )
    for photo in prepared:
        files.write(photo)
        InspectionPhoto.objects.create(inspection=inspection, **photo.fields())
    refresh_latest(venue)
    record(
        "partybuilding.venue.inspected",
        venue,
        actor=actor,
        after={
            "inspection": inspection.pk,
            "inspected_on": day,
            "score": score,
            "meets_standard": meets,
            "items_met": len(met_ids),
            "items": len(items),
            "photos": len(prepared),
        },
        note=findings,
    )
    return inspection


# --- the checklist ------------------------------------------------------------------------


def _config_unit(actor: User) -> Unit | None:
    """Where the checklist's audit entries are placed: the top unit the actor configures."""
    paths = sorted(grant_paths(actor, CONFIGURE), key=len)
    found: Unit | None = (
        Unit.objects.filter(path=paths[0]).defer("geometry").first() if paths else None
    )
    return found


def _item_values(
    category: object, label: object, points: object, required: object
) -> dict[str, Any]:
    number = decimal_of(points, "points", low=Decimal(1), high=Decimal(POINTS_MAX), places=0)
    if number is None:
        raise PartybuildingError(_("Required."), field="points")
    return {
        "category": choice_of(category, "category", ChecklistCategory.values),
        "label": text_of(label, "label", LABEL_MAX, required=True),
        "points": int(number),
        "required": bool(required),
    }


def _item_audit(item: ChecklistItem) -> dict[str, Any]:
    return {
        "category": item.category,
        "label": item.label,
        "points": item.points,
        "required": item.required,
        "active": item.active,
        "order": item.order,
    }


@transaction.atomic
def add_checklist_item(
    *, actor: User, category: object, label: object, points: object, required: object = False
) -> ChecklistItem:
    """Add an item at the end of the standard. Audit ``partybuilding.checklist_item.created``."""
    require(actor, CONFIGURE)
    values = _item_values(category, label, points, required)
    items = lock_many(ChecklistItem, list(ChecklistItem.objects.values_list("pk", flat=True)))
    order = max((i.order for i in items), default=0) + 1
    item = ChecklistItem.objects.create(**values, order=order)
    record(
        "partybuilding.checklist_item.created",
        item,
        actor=actor,
        unit=_config_unit(actor),
        after=_item_audit(item),
    )
    return item


@transaction.atomic
def update_checklist_item(
    item_id: int,
    *,
    actor: User,
    category: object,
    label: object,
    points: object,
    required: object = False,
) -> ChecklistItem:
    """Edit an item (inspections already made keep the points and flag they scored with).
    Audit ``partybuilding.checklist_item.updated``."""
    require(actor, CONFIGURE)
    values = _item_values(category, label, points, required)
    item = lock(ChecklistItem, item_id)
    before = _item_audit(item)
    changed = [k for k, v in values.items() if getattr(item, k) != v]
    if not changed:
        return item
    for k in changed:
        setattr(item, k, values[k])
    item.save(update_fields=changed)
    record(
        "partybuilding.checklist_item.updated",
        item,
        actor=actor,
        unit=_config_unit(actor),
        before=before,
        after=_item_audit(item),
    )
    return item


@transaction.atomic
def set_checklist_item_active(item_id: int, *, actor: User, active: bool) -> ChecklistItem:
    """Take an item out of use (or back): later inspections score without it.
    Audit ``partybuilding.checklist_item.deactivated`` / ``reactivated``."""
    require(actor, CONFIGURE)
    item = lock(ChecklistItem, item_id)
    if item.active == bool(active):
        return item
    item.active = bool(active)
    item.save(update_fields=["active"])
    verb = "reactivated" if item.active else "deactivated"
    record(
        f"partybuilding.checklist_item.{verb}",
        item,
        actor=actor,
        unit=_config_unit(actor),
        after=_item_audit(item),
    )
    return item


@transaction.atomic
def move_checklist_item(item_id: int, *, actor: User, direction: object) -> ChecklistItem:
    """Move an item one place up or down (``direction``: "up" or "down") within the whole
    standard; the items are renumbered 1, 2, 3… Audit ``partybuilding.checklist_item.moved``."""
    require(actor, CONFIGURE)
    way = choice_of(direction, "direction", ("up", "down"))
    items = lock_many(ChecklistItem, list(ChecklistItem.objects.values_list("pk", flat=True)))
    items.sort(key=lambda i: (i.order, i.pk))
    index = next((n for n, i in enumerate(items) if i.pk == item_id), None)
    if index is None:
        raise PartybuildingError(_("No such item."), field="item")
    other = index - 1 if way == "up" else index + 1
    if not 0 <= other < len(items):
        return items[index]
    items[index], items[other] = items[other], items[index]
    changed = []
    for n, item in enumerate(items, start=1):
        if item.order != n:
            item.order = n
            changed.append(item)
    ChecklistItem.objects.bulk_update(changed, ["order"])
    moved = next(i for i in items if i.pk == item_id)
    record(
        "partybuilding.checklist_item.moved",
        moved,
        actor=actor,
        unit=_config_unit(actor),
        after={"order": moved.order, "direction": way},
    )
    return moved
