"""The 邛海天窗 register: the parcels to restore within the ten-year programme.

``create_window`` and ``update_window`` write a parcel's every field after checking them
all; ``record_restoration`` adds the area restored on a day (or sets the new total) and
moves the status forward. Rules (``RegistersError`` on the field at fault, nothing
written): ``registers.manage`` over the parcel's unit (a township- or village-level unit,
or a county: never a grid or a department); the code unique; the area above 0; the plan
year within the programme years of the unit's policy; the restored area from 0 to the
area; the status consistent with the figures (``programme.status_problem``): restored ⇔
the whole area restored with the day it was completed; underway when part of it is, or
when work has started on none of it yet; planned when nothing is restored.

The small parsers at the top (``decimal_of``, ``date_of``, ``whole_of``, ``text_of``) are
shared by the poverty and income actions.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.cleaning import clean_text
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import require
from grassroots.registers import programme as pg
from grassroots.registers.actions._base import lock, move
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.models import Window
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries import policy_for
from grassroots.registers.states import WindowStatus

if TYPE_CHECKING:
    from grassroots.org.models import User

WS = WindowStatus
#: Corrections may move a parcel's status anywhere its figures allow; a restoration only
#: forward (``RESTORATION_TRANSITIONS``).
WINDOW_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    WS.PLANNED: frozenset({WS.UNDERWAY, WS.RESTORED}),
    WS.UNDERWAY: frozenset({WS.PLANNED, WS.RESTORED}),
    WS.RESTORED: frozenset({WS.PLANNED, WS.UNDERWAY}),
}
RESTORATION_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    WS.PLANNED: frozenset({WS.UNDERWAY, WS.RESTORED}),
    WS.UNDERWAY: frozenset({WS.RESTORED}),
    WS.RESTORED: frozenset(),
}
#: Units that may hold records of the registers (not grids, not departments).
NOT_HOLDERS: Final = frozenset({UnitKind.GRID, UnitKind.DEPARTMENT})
#: The largest area or amount the columns hold (12 digits, 2 decimals).
AREA_MAX: Final = Decimal("9999999999.99")
CODE_MAX: Final = 32
NAME_MAX: Final = 100
NOTE_MAX: Final = 255
#: A boundary drawn by hand has far fewer points; more is a pasted file gone wrong.
GEOMETRY_MAX_POINTS: Final = 5000

# --- parsers shared by the registers' actions --------------------------------------------


def text_of(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """Stripped text without NUL characters (``RegistersError`` on ``field``)."""
    return clean_text(value, field=field, error=RegistersError, required=required, max_length=limit)


def decimal_of(
    value: object,
    field: str,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = AREA_MAX,
    places: int = 2,
    required: bool = True,
) -> Decimal | None:
    """A number from ``low`` to ``high`` with at most ``places`` decimals (text as typed,
    an int or a Decimal); ``None`` when empty and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RegistersError(_("This field is required."), field=field, code="required")
        return None
    if isinstance(value, bool):
        value = "x"
    elif isinstance(value, float):
        value = str(value) if math.isfinite(value) else "x"
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise RegistersError(_("Enter a number."), field=field) from None
    if not number.is_finite():
        raise RegistersError(_("Enter a number."), field=field)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise RegistersError(
            _("At most %(n)d decimal places, please.") % {"n": places}, field=field
        )
    if not low <= number <= high:
        raise RegistersError(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return number


def whole_of(value: object, field: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (an int, or its digits as text)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    # isdecimal, not isdigit: int() refuses digits such as ² that isdigit accepts
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise RegistersError(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            field=field,
        )
    return number


def date_of(
    value: object, field: str, *, required: bool = True, not_after: dt.date | None = None
) -> dt.date | None:
    """A date (a ``date`` or ``YYYY-MM-DD``), not after ``not_after`` when given."""
    if value is None or value == "":
        if required:
            raise RegistersError(_("This field is required."), field=field, code="required")
        return None
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise RegistersError(_("Enter a date as YYYY-MM-DD."), field=field)
    if not_after is not None and day > not_after:
        raise RegistersError(
            _("%(date)s is in the future.") % {"date": day.isoformat()}, field=field
        )
    return day


def holder_unit(unit: object, *, actor: User, field: str = "unit") -> Unit:
    """``unit`` (a Unit) if it may hold register records and ``actor`` manages its
    registers (PermissionDenied otherwise)."""
    if not isinstance(unit, Unit) or unit.pk is None:
        raise RegistersError(_("Choose a unit."), field=field)
    require(actor, MANAGE, unit)
    if unit.kind in NOT_HOLDERS or not unit.active:
        raise RegistersError(
            _("Records are kept by a village, a community or a township, not by %(unit)s.")
            % {"unit": unit.name},
            field=field,
        )
    return unit


# --- the parcel's fields ---------------------------------------------------------------

FIELDS: Final = (
    "unit",
    "code",
    "name",
    "area",
    "plan_year",
    "status",
    "restored_area",
    "restored_on",
    "lat",
    "lon",
    "geometry",
    "note",
)


def _coordinate(value: object, field: str, limit: int) -> float | None:
    number = decimal_of(
        value, field, low=Decimal(-limit), high=Decimal(limit), places=8, required=False
    )
    return None if number is None else float(number)


def _geometry(value: object) -> dict[str, Any] | None:
    """A GeoJSON Polygon or MultiPolygon that shapely reads as a valid area."""
    if value in (None, "", {}):
        return None
    from shapely.geometry import shape

    problem = _("Give a GeoJSON Polygon or MultiPolygon.")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise RegistersError(problem, field="geometry")
    text = str(value.get("coordinates"))
    if text.count("[") > GEOMETRY_MAX_POINTS * 2:
        raise RegistersError(
            _("The boundary has too many points (at most %(n)d).") % {"n": GEOMETRY_MAX_POINTS},
            field="geometry",
        )
    try:
        drawn = shape(value)
    except Exception:  # shapely raises several kinds of errors on bad coordinates
        raise RegistersError(problem, field="geometry") from None
    if drawn.is_empty or not drawn.is_valid:
        raise RegistersError(_("The boundary is not a valid area."), field="geometry")
    west, south, east, north = drawn.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise RegistersError(
            _("The boundary lies outside longitude and latitude."), field="geometry"
        )
    return value


def _status_error(field: str, reason: str) -> RegistersError:
    messages = {
        "restored_needs_all": _(
            "A restored parcel has its whole area restored: enter the restored area equal "
            "to the area."
        ),
        "restored_needs_date": _("Enter the day the restoration was completed."),
        "all_is_restored": _(
            "The whole area is restored: set the status to restored (with the day)."
        ),
        "date_only_when_restored": _("Only a restored parcel has a completion day."),
        "partial_is_underway": _("Part of the area is restored: the parcel is underway."),
    }
    return RegistersError(messages[reason], field=field)


def _checked(actor: User, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    unit = holder_unit(data.get("unit"), actor=actor)
    clean: dict[str, Any] = {"unit": unit}
    clean["code"] = text_of(data.get("code"), "code", CODE_MAX, required=True)
    clean["name"] = text_of(data.get("name"), "name", NAME_MAX, required=True)
    area = decimal_of(data.get("area"), "area")
    assert area is not None  # noqa: S101 -- required
    if area <= 0:
        raise RegistersError(_("The area must be more than 0."), field="area")
    clean["area"] = area
    policy = policy_for(unit)
    first, last = policy.window_first_year, policy.window_last_year
    clean["plan_year"] = whole_of(data.get("plan_year"), "plan_year", first, last)
    status = data.get("status") or WS.PLANNED
    if status not in WS.values:
        raise RegistersError(_("Choose a status."), field="status")
    clean["status"] = status
    restored = decimal_of(data.get("restored_area"), "restored_area", required=False)
    restored = restored if restored is not None else Decimal(0)
    if restored > area:
        raise RegistersError(
            _("The restored area cannot be more than the area (%(area)s m²).") % {"area": area},
            field="restored_area",
        )
    clean["restored_area"] = restored
    clean["restored_on"] = date_of(
        data.get("restored_on"), "restored_on", required=False, not_after=today
    )
    problem = pg.status_problem(status, area, restored, clean["restored_on"])
    if problem is not None:
        raise _status_error(*problem)
    clean["lat"] = _coordinate(data.get("lat"), "lat", 90)
    clean["lon"] = _coordinate(data.get("lon"), "lon", 180)
    if (clean["lat"] is None) != (clean["lon"] is None):
        missing = "lat" if clean["lat"] is None else "lon"
        raise RegistersError(_("Give both longitude and latitude, or neither."), field=missing)
    clean["geometry"] = _geometry(data.get("geometry"))
    clean["note"] = text_of(data.get("note"), "note", NOTE_MAX)
    return clean


def snapshot(window: Window) -> dict[str, Any]:
    """The parcel's fields as the audit log keeps them."""
    values = {name: getattr(window, name) for name in FIELDS if name not in ("unit", "geometry")}
    values["unit"] = window.unit.code
    values["geometry"] = bool(window.geometry)
    return values


def _save(window: Window, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            if fields is None:
                window.save()
            else:
                window.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:
        if "code" in str(exc) or "unique" in str(exc).lower():
            raise RegistersConflict(
                _("Another parcel already has the code %(code)s.") % {"code": window.code},
                field="code",
            ) from exc
        raise


@transaction.atomic
def create_window(*, actor: User, **data: Any) -> Window:
    """Register a 天窗 parcel (every field of ``FIELDS``; see the module docstring for the
    rules). Audit ``registers.window.created``."""
    clean = _checked(actor, data, timezone.localdate())
    if Window.objects.filter(code=clean["code"]).exists():
        raise RegistersError(
            _("Another parcel already has the code %(code)s.") % {"code": clean["code"]},
            field="code",
        )
    window = Window(**clean)
    _save(window)
    record("registers.window.created", window, actor=actor, after=snapshot(window))
    return window


@transaction.atomic
def update_window(window_id: int, *, actor: User, **data: Any) -> Window:
    """Correct a parcel: every field of ``FIELDS`` is written (same rules as creating; a
    status change follows ``WINDOW_TRANSITIONS``). ``registers.manage`` over both the old
    and the new unit. Audit ``registers.window.updated`` with the fields changed."""
    window = lock(Window, window_id, "unit")
    require(actor, MANAGE, window)
    clean = _checked(actor, data, timezone.localdate())
    if Window.objects.filter(code=clean["code"]).exclude(pk=window.pk).exists():
        raise RegistersError(
            _("Another parcel already has the code %(code)s.") % {"code": clean["code"]},
            field="code",
        )
    before = snapshot(window)
    status = clean.pop("status")
    if status != window.status:
        move(window, "status", status, WINDOW_TRANSITIONS)
    for name, value in clean.items():
        setattr(window, name, value)
    after = snapshot(window)
    changed = {k for k in after if after[k] != before[k]}
    if not changed:
        return window
    _save(window, [n for n in FIELDS if n != "status"] + ["status"])
    record(
        "registers.window.updated",
        window,
        actor=actor,
        before={k: before[k] for k in sorted(changed)},
        after={k: after[k] for k in sorted(changed)},
    )
    return window


@transaction.atomic
def record_restoration(
    window_id: int,
    *,
    actor: User,
    on: object,
    added: object = None,
    total: object = None,
    note: object = "",
) -> Window:
    """Record restoration work on day ``on`` (not in the future): ``added`` m² more, or the
    new ``total`` restored (exactly one of them; the total may not go down — a mistake is
    corrected by editing the parcel — nor above the area). The status moves forward:
    underway, or restored (with ``restored_on = on``) once the whole area is. A parcel
    already restored refuses (409). Audit ``registers.window.restored``."""
    window = lock(Window, window_id, "unit")
    require(actor, MANAGE, window)
    today = timezone.localdate()
    day = date_of(on, "on", not_after=today)
    assert day is not None  # noqa: S101 -- required
    remark = text_of(note, "note", NOTE_MAX)
    if window.status == WS.RESTORED:
        raise IllegalTransition(
            str(window.get_status_display()), str(WS.RESTORED.label), field="status"
        )
    given_added = added not in (None, "")
    given_total = total not in (None, "")
    if given_added == given_total:
        raise RegistersError(
            _("Give either the area added or the new total restored."), field="added"
        )
    if given_added:
        more = decimal_of(added, "added")
        assert more is not None  # noqa: S101 -- given
        if more <= 0:
            raise RegistersError(_("The area added must be more than 0."), field="added")
        new_total = window.restored_area + more
        field = "added"
    else:
        given = decimal_of(total, "total")
        assert given is not None  # noqa: S101 -- given
        new_total, field = given, "total"
        if new_total <= window.restored_area:
            raise RegistersError(
                _(
                    "The new total must be more than the area restored so far (%(now)s m²); "
                    "edit the parcel to correct a mistake."
                )
                % {"now": window.restored_area},
                field=field,
            )
    if new_total > window.area:
        raise RegistersError(
            _("The restored area cannot be more than the area (%(area)s m²).")
            % {"area": window.area},
            field=field,
        )
    before = snapshot(window)
    target = pg.status_after_restoration(window.status, window.area, new_total)
    if target == WS.PLANNED:
        raise RegistersError(_("The area added must be more than 0."), field=field)
    if target != window.status:
        move(window, "status", target, RESTORATION_TRANSITIONS)
    window.restored_area = new_total
    if target == WS.RESTORED:
        window.restored_on = day
    window.save(update_fields=["status", "restored_area", "restored_on", "updated_at"])
    after = snapshot(window)
    record(
        "registers.window.restored",
        window,
        actor=actor,
        before={k: before[k] for k in ("status", "restored_area", "restored_on")},
        after={k: after[k] for k in ("status", "restored_area", "restored_on")} | {"on": day},
        note=remark,
    )
    return window
