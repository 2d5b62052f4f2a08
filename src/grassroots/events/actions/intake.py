"""Intake: an event is reported (``report_event``) or closed on the spot (``resolve_on_spot``).

Where an event is:

* With a position (``lat`` and ``lon``), the grid index (``common.geo``) decides the grid;
  a point outside every grid is refused (:class:`~grassroots.events.errors.OutsideJurisdiction`,
  field ``location``). Any ``unit`` given as well is ignored: the position decides.
* Without one, the reporter names the ``unit`` (a grid, village, township…, not a
  department). An anonymous, resident or Open311 report with only an address goes to the
  **jurisdiction root** (:func:`jurisdiction_root`), whose dispatchers place it by hand.

From the place: ``grid`` (the place itself when it is a grid), ``village`` (the first
village or community at or above it), ``township`` (the first street or township at or
above it) and ``area_path`` (the place's path). The assignee and the dispatcher are the
first unit at or above the place that is not a grid: a grid's village.

Who may report: patrol, hotline and import reports made by a logged-in person need the
``events.report`` grant over the place; residents and Open311 clients (logged in or not,
``actor`` may be ``None``) need no grant, but only public categories are offered to them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from collections.abc import Sequence, Sized
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from grassroots.common import geo
from grassroots.events import deadlines
from grassroots.events.actions._base import (
    Area,
    EventRef,
    audit,
    authorize,
    clean_text,
    iso,
    lock_event,
    mark_responded,
    move,
    photos_for,
    record_action,
    snapshot,
    transition,
)
from grassroots.events.attachments import PreparedPhoto
from grassroots.events.errors import EventError, IllegalTransition, OutsideJurisdiction
from grassroots.events.models import ActionKind, Category, Event, EventSource
from grassroots.events.signals import event_reported
from grassroots.events.states import EventStatus
from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit, UnitKind

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from grassroots.org.models import User

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
ADDRESS_MAX = 255
CONTACT_NAME_MAX = 64
IDEMPOTENCY_KEY_MAX = 64
#: A report may be dated this far in the future (clock skew of phones).
FUTURE_SKEW = dt.timedelta(minutes=5)

#: Sources entered by staff: a logged-in reporter needs ``events.report`` over the place.
STAFF_SOURCES = frozenset({EventSource.PATROL, EventSource.HOTLINE, EventSource.IMPORT})
#: Sources that may come without a logged-in reporter.
ANONYMOUS_SOURCES = frozenset({EventSource.RESIDENT, EventSource.OPEN311, EventSource.IMPORT})

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
#: 0834-1234567, 08341234567, 028-12345678, with an optional extension -123.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


# --- validation of the input --------------------------------------------------------------


def clean_title(title: object) -> str:
    text = clean_text(title, field="title", required=True, max_length=TITLE_MAX)
    return " ".join(text.split())


def clean_source(source: object) -> str:
    if not isinstance(source, str) or source not in EventSource.values:
        raise EventError(_("Unknown source of the report."), field="source")
    return source


def clean_phone(phone: object) -> str:
    """A Chinese mobile number (``1[3-9]`` and nine digits, ``+86`` allowed) or a landline
    with its area code (``0834-1234567``); spaces dropped. Empty stays empty."""
    if phone is None:
        return ""
    if not isinstance(phone, str):
        raise EventError(_("Enter a phone number."), field="contact_phone")
    value = re.sub(r"[\s()]", "", phone)
    if not value:
        return ""
    mobile = re.sub(r"^(\+?86)(?=1\d{10}$)", "", value).replace("-", "")
    if MOBILE_RE.match(mobile):
        return mobile
    if LANDLINE_RE.match(value):
        return value
    raise EventError(
        _("Enter a mobile number (11 digits) or a landline with its area code."),
        field="contact_phone",
        code="invalid_phone",
    )


def _coordinate(value: object, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise EventError(_("Enter a number."), field=field)
    try:
        number = float(value)
    except (TypeError, ValueError, InvalidOperation):
        raise EventError(_("Enter a number."), field=field) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise EventError(
            _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high},
            field=field,
            code="out_of_range",
        )
    return number


def clean_position(lat: object, lon: object) -> tuple[float, float] | None:
    """``(lat, lon)`` as floats in range, or ``None`` when neither is given."""
    if lat in (None, "") and lon in (None, ""):
        return None
    if lat in (None, "") or lon in (None, ""):
        raise EventError(
            _("Give both latitude and longitude, or neither."),
            field="location",
            code="incomplete",
        )
    return _coordinate(lat, "lat", -90.0, 90.0), _coordinate(lon, "lon", -180.0, 180.0)


def clean_reported_at(reported_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if reported_at is None:
        return now
    if not isinstance(reported_at, dt.datetime) or timezone.is_naive(reported_at):
        raise EventError(_("Give the time of the report with its time zone."), field="reported_at")
    if reported_at > now + FUTURE_SKEW:
        raise EventError(
            _("The time of the report is in the future."), field="reported_at", code="future"
        )
    return reported_at


def clean_idempotency_key(key: object) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or not key.isprintable():
        raise EventError(_("The idempotency key must be text."), field="idempotency_key")
    key = key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise EventError(
            _("The idempotency key is longer than %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX},
            field="idempotency_key",
            code="too_long",
        )
    return key


def clean_attributes(
    category: Category, attributes: dict[str, Any] | None, *, keep_unknown: bool = False
) -> dict[str, Any]:
    """Check the answers against the category's Open311 attribute definitions.

    Required attributes must be answered; ``number`` must be a number, ``datetime`` an ISO
    8601 moment with its offset, ``singlevaluelist`` one of the keys and
    ``multivaluelist`` a list of keys. Unknown codes are refused (kept for imports). The
    error's field is ``attribute[<code>]``, as Open311 names the form fields.
    """
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise EventError(_("Attributes must be given by code."), field="attributes")
    definitions = {
        str(d.get("code")): d
        for d in (category.attributes or [])
        if isinstance(d, dict) and d.get("variable", True) is not False
    }
    cleaned: dict[str, Any] = {}
    for code, value in attributes.items():
        field = f"attribute[{code}]"
        definition = definitions.get(str(code))
        if definition is None:
            if keep_unknown:
                cleaned[str(code)] = value.replace("\x00", "") if isinstance(value, str) else value
                continue
            raise EventError(
                _("Unknown attribute %(code)s for this category.") % {"code": code},
                field=field,
                code="unknown_attribute",
            )
        if value in (None, "", []):
            continue
        cleaned[str(code)] = _attribute_value(definition, value, field)
    for code, definition in definitions.items():
        if definition.get("required") and code not in cleaned:
            raise EventError(
                _("“%(name)s” is required.") % {"name": definition.get("description") or code},
                field=f"attribute[{code}]",
                code="required",
            )
    return cleaned


def _attribute_value(definition: dict[str, Any], value: Any, field: str) -> Any:
    datatype = definition.get("datatype", "string")
    keys = {str(v.get("key")) for v in definition.get("values", []) if isinstance(v, dict)}
    if datatype == "number":
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise EventError(_("Enter a number."), field=field) from None
        if not number.is_finite():
            raise EventError(_("Enter a number."), field=field)
        return int(number) if number == number.to_integral_value() else float(number)
    if datatype == "datetime":
        moment = parse_datetime(str(value).strip()) if isinstance(value, str) else value
        if not isinstance(moment, dt.datetime) or timezone.is_naive(moment):
            raise EventError(_("Enter a date and time with its offset."), field=field)
        return moment.isoformat()
    if datatype == "singlevaluelist":
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if str(value) not in keys:
            raise EventError(_("Choose one of the listed values."), field=field)
        return str(value)
    if datatype == "multivaluelist":
        items = value if isinstance(value, list | tuple) else [value]
        chosen = [str(v) for v in items]
        if not chosen or any(v not in keys for v in chosen):
            raise EventError(_("Choose among the listed values."), field=field)
        return sorted(set(chosen), key=chosen.index)
    if not isinstance(value, str | int | float):
        raise EventError(_("This must be text."), field=field)
    limit = 2000 if datatype == "text" else 255
    return clean_text(str(value), field=field, max_length=limit)


# --- where ---------------------------------------------------------------------------------


def jurisdiction_root() -> Unit:
    """The unit a report with no position and no unit goes to.

    The root of the unit tree: the active unit of depth 0 that is not a department (西昌市
    for the city demo, 凉山州 for the prefecture). When the tree has several roots, the
    first (by path) that has an active grid below it. ``EventError(field="unit")`` when
    the tree is empty.
    """
    roots: list[Unit] = list(
        Unit.objects.filter(depth=0, active=True)
        .exclude(kind=UnitKind.DEPARTMENT)
        .order_by("path")[:50]
    )
    if len(roots) > 1:
        for root in roots:
            if Unit.objects.below(root).filter(kind=UnitKind.GRID, active=True).exists():
                return root
    if roots:
        return roots[0]
    raise EventError(
        _("No unit can receive this report: the unit tree is empty."),
        field="unit",
        code="no_jurisdiction",
    )


class _GridUnits:
    """Grid units (with their parents) by code, shared by the process's intake.

    Intake locates every position to a grid code and needs that grid with its village and
    township. When the grid index holds at most ``MAX`` grids (a city: ~850), all of them
    are read in one query and kept for ``geo.GRID_INDEX_CHECK_SECONDS``; a bigger index (a
    province) reads each grid when first asked and keeps it as long. Either way entries
    live as long as the grid index they were read under and at most that many seconds, so
    a renamed, moved or deactivated unit is seen as late as the grid index itself sees a
    change. Read-only ``Unit`` instances, never saved from here.
    """

    MAX = 20_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # The index the entries were read under (a strong reference: compared by identity).
        self.index: object = None
        self.read_at = 0.0  # when every grid was read at once (0: not so)
        self.units: dict[str, tuple[float, Unit]] = {}

    @staticmethod
    def _query() -> Any:
        # Without the polygons (the index has them): a city's grids then read in ~20 ms.
        return (
            Unit.objects.select_related("parent__parent__parent")
            .defer(
                "geometry",
                "parent__geometry",
                "parent__parent__geometry",
                "parent__parent__parent__geometry",
            )
            .filter(active=True)
        )

    def get(self, index: object, code: str) -> Unit | None:
        now = time.monotonic()
        fresh = geo.GRID_INDEX_CHECK_SECONDS
        with self.lock:
            if self.index is not index:
                self.units.clear()
                self.index, self.read_at = index, 0.0
            hit = self.units.get(code)
            if hit is not None and now - hit[0] < fresh:
                return hit[1]
            whole = isinstance(index, Sized) and len(index) <= self.MAX
            if whole and now - self.read_at >= fresh:
                # Every grid in one query (under the lock: the other threads wait for it
                # rather than each reading the same rows).
                grids = self._query().filter(kind=UnitKind.GRID)
                self.units = {unit.code: (now, unit) for unit in grids}
                self.read_at = now
                hit = self.units.get(code)
                return hit[1] if hit is not None else None
        grid: Unit | None = self._query().filter(code=code).first()
        if grid is not None:
            with self.lock:
                if len(self.units) >= self.MAX:
                    self.units.clear()
                if self.index is index:
                    self.units[code] = (now, grid)
        return grid

    def clear(self) -> None:
        with self.lock:
            self.units.clear()
            self.index, self.read_at = None, 0.0


grid_units = _GridUnits()


def locate(lat: float, lon: float) -> Unit:
    """The grid unit covering the position (with its parents loaded)."""
    index = geo.grid_index()
    try:
        code = index.locate(lon, lat)
    except ValueError as exc:
        raise EventError(str(exc), field="location") from None
    grid = grid_units.get(index, code) if code is not None else None
    if grid is None:
        outside = geo.OutsideJurisdiction(lon, lat)
        raise OutsideJurisdiction(outside.message, lon=lon, lat=lat)
    return grid


def _chain(area: Unit) -> list[Unit]:
    """The area and its ancestors up to the first township-level unit (parents are loaded
    by ``select_related`` for the usual depths)."""
    chain: list[Unit] = []
    unit: Unit | None = area
    while unit is not None and len(chain) < 8:
        chain.append(unit)
        if unit.kind in TOWNSHIP_LEVEL or unit.kind in (
            UnitKind.COUNTY,
            UnitKind.PREFECTURE,
            UnitKind.PROVINCE,
        ):
            break
        unit = unit.parent
    return chain


def place_of(area: Unit) -> dict[str, Unit | None]:
    """``grid``, ``village``, ``township`` and ``assignee`` of an event placed at ``area``."""
    if area.kind == UnitKind.DEPARTMENT:
        raise EventError(
            _("Choose the place of the event, not a department."), field="unit", code="department"
        )
    chain = _chain(area)
    grid = area if area.kind == UnitKind.GRID else None
    village = next((u for u in chain if u.kind in VILLAGE_LEVEL), None)
    township = next((u for u in chain if u.kind in TOWNSHIP_LEVEL), None)
    assignee = next((u for u in chain if u.kind != UnitKind.GRID), None)
    if assignee is None:
        raise EventError(
            _("The grid belongs to no village or township."), field="unit", code="orphan_grid"
        )
    return {"grid": grid, "village": village, "township": township, "assignee": assignee}


def _given_unit(unit: Unit) -> Unit:
    fresh: Unit | None = (
        Unit.objects.select_related("parent__parent__parent")
        .filter(pk=unit.pk, active=True)
        .first()
    )
    if fresh is None:
        raise EventError(_("This unit does not exist or is inactive."), field="unit")
    return fresh


# --- the actions -------------------------------------------------------------------------------


def _existing(key: str, actor: User | None) -> Event | None:
    event: Event | None = Event.objects.filter(idempotency_key=key).first()
    if event is None:
        return None
    reporter_id = actor.pk if actor is not None else None
    if event.reporter_id != reporter_id:
        raise EventError(
            _("This idempotency key was used for another report."),
            field="idempotency_key",
            code="key_reused",
        )
    return event


def _number(event: Event) -> str:
    from django.conf import settings

    day = timezone.localtime(event.reported_at).strftime("%Y%m%d")
    return f"{settings.EVENT_NUMBER_PREFIX}{day}{event.pk:06d}"


def _reserve_id(event: Event) -> bool:
    """On PostgreSQL, take the event's id from its sequence and number it before the
    INSERT (an UPDATE afterwards would rewrite the row and every index entry of it).
    Elsewhere nothing is done (``False``): the number follows the INSERT."""
    if connection.vendor != "postgresql":
        return False
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        row = cursor.fetchone()
    if row is None:  # nextval always answers; keeps the type checker informed
        return False
    event.pk = row[0]
    event.number = _number(event)
    return True


@transaction.atomic
def report_event(
    *,
    actor: User | None,
    category: Category,
    title: str,
    source: str,
    description: str = "",
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    unit: Unit | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    attributes: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile | PreparedPhoto] = (),
    idempotency_key: str | None = None,
    reported_at: dt.datetime | None = None,
) -> Event:
    """Record a new event (status *reported*) and send it to the unit of its place.

    Checks every input first (EventError naming the field, nothing written): an active
    category (public for residents and Open311), a title of 1–120 characters, a known
    source, a position in range and inside the jurisdiction or else a unit, a valid phone,
    the category's attributes, the photos. Computes the deadlines from the category
    (:mod:`grassroots.events.deadlines`), gives the event its number (prefix, local date,
    six-digit id), writes the first timeline line (*report*) with the photos and the audit
    entry ``events.event.reported``. With an ``idempotency_key`` already used by the same
    reporter, returns the first event unchanged (also when two requests race).
    """
    now = timezone.now()
    if actor is not None and actor.pk is None:
        actor = None
    source = clean_source(source)
    if actor is None and source not in ANONYMOUS_SOURCES:
        raise PermissionDenied(_("Log in to report an event."))
    if not isinstance(category, Category) or category.pk is None:
        raise EventError(_("Choose a category."), field="category", code="required")
    if not category.active:
        raise EventError(_("This category is no longer in use."), field="category", code="inactive")
    if not category.public and (actor is None or source == EventSource.OPEN311):
        raise EventError(
            _("This category is not offered to the public."), field="category", code="not_public"
        )
    title = clean_title(title)
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX)
    address = clean_text(address, field="address", max_length=ADDRESS_MAX)
    contact_name = clean_text(contact_name, field="contact_name", max_length=CONTACT_NAME_MAX)
    contact_phone = clean_phone(contact_phone)
    position = clean_position(lat, lon)
    reported_at = clean_reported_at(reported_at, now)
    cleaned_attributes = clean_attributes(
        category, attributes, keep_unknown=source == EventSource.IMPORT
    )
    key = clean_idempotency_key(idempotency_key)

    if position is not None:
        area = locate(*position)
    elif unit is not None:
        area = _given_unit(unit)
    elif actor is None or source in (EventSource.RESIDENT, EventSource.OPEN311):
        area = _given_unit(jurisdiction_root())
    else:
        raise EventError(
            _("Give the position of the event or choose its unit."),
            field="location",
            code="required",
        )
    place = place_of(area)
    actor_unit_id = None
    if actor is not None and source in STAFF_SOURCES:
        actor_unit_id = authorize(actor, "events.report", area)
    prepared = photos_for(photos)
    respond_by, resolve_by = deadlines.initial_deadlines(category, reported_at)
    assignee = place["assignee"]
    if assignee is None:  # place_of never answers so; keeps the type checker informed
        raise EventError(_("The grid belongs to no village or township."), field="unit")

    event = Event(
        title=title,
        description=description,
        category=category,
        source=source,
        attributes=cleaned_attributes,
        reporter=actor,
        contact_name=contact_name,
        contact_phone=contact_phone,
        lat=position[0] if position else None,
        lon=position[1] if position else None,
        address=address,
        grid=place["grid"],
        village=place["village"],
        township=place["township"],
        area_path=area.path,
        status=EventStatus.REPORTED,
        assignee=assignee,
        assignee_path=assignee.path,
        dispatcher=assignee,
        respond_by=respond_by,
        resolve_by=resolve_by,
        idempotency_key=key,
        reported_at=reported_at,
    )
    numbered = _reserve_id(event)
    if key is None:
        event.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            # The key is taken (a retry, or a copy that committed first): its event.
            first = _existing(key, actor)
            if first is None:
                raise
            return first
    if not numbered:
        event.number = _number(event)
        event.save(update_fields=["number"])
    line = record_action(
        event,
        ActionKind.REPORT,
        actor=actor,
        actor_unit_id=actor_unit_id,
        to_status=EventStatus.REPORTED,
        data={
            "source": source,
            "assignee": assignee.code,
            "respond_by": iso(respond_by),
            "resolve_by": iso(resolve_by),
        },
        at=reported_at,
        photos=prepared,
    )
    audit("reported", event, actor=actor, after=snapshot(event))
    event_id, category_code = event.pk, category.code
    transaction.on_commit(
        lambda: event_reported.send_robust(
            sender=Event, event_id=event_id, category_code=category_code
        )
    )
    # The whole timeline of the new event, so that an answer showing it reads nothing more
    # (see ``api.serializers_events.timeline_of``).
    event.fresh_timeline = [line]  # type: ignore[attr-defined]
    return event


@transaction.atomic
def resolve_on_spot(
    event_id: EventRef,
    *,
    actor: User,
    note: str,
    photos: Sequence[UploadedFile | PreparedPhoto] = (),
) -> Event:
    """Close a just-reported event that was solved where it was found (就地解决).

    *reported* → *closed*, by someone with ``events.resolve_on_spot`` over the event's
    place (its grid worker, the village cadres); a note and at least one photo of the
    result are required. Sets responded, accepted, resolved and closed times to now.
    """
    event = lock_event(event_id)
    unit_id = authorize(actor, "events.resolve_on_spot", Area(event.area_path))
    note = clean_text(note, field="note", required=True)
    if event.status != EventStatus.REPORTED:  # verified → closed is close_event's move
        raise IllegalTransition(current=event.status, target=EventStatus.CLOSED)
    prepared = photos_for(photos, required=True)
    before = snapshot(event)
    move(event, EventStatus.CLOSED)
    now = timezone.now()
    fields = mark_responded(event, now)
    for name in ("accepted_at", "resolved_at", "closed_at"):
        if name == "accepted_at" and event.accepted_at is not None:
            continue
        setattr(event, name, now)
        fields.append(name)
    transition(
        event,
        EventStatus.CLOSED,
        ActionKind.RESOLVE_ON_SPOT,
        actor=actor,
        actor_unit_id=unit_id,
        verb="resolved_on_spot",
        now=now,
        before=before,
        note=note,
        photos=prepared,
        fields=fields,
    )
    return event
