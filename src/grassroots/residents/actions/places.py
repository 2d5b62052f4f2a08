"""Places of the grid (小区、民房、出租大院、商铺企业…): create and update one (``active``
false retires it).

Also what the residents actions of this part share: the cleaning of what a person typed
(``clean_*``, each raising ``ResidentsError`` naming the input at fault before anything is
written), the grid check (``clean_grid``: an active grid the actor may edit), and the
masking of personal data for the audit log (``masked``).

Scope (``permissions``): ``residents.edit`` over the record's grid (and over the new grid
when it changes).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common import cleaning
from grassroots.common.masking import mask_id_number, mask_name, mask_phone
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import require
from grassroots.residents.actions._base import lock
from grassroots.residents.errors import ResidentsError
from grassroots.residents.models import Household, Place
from grassroots.residents.permissions import EDIT
from grassroots.residents.states import PlaceKind

if TYPE_CHECKING:
    from grassroots.org.models import User

NOTE_MAX = 255
#: The dates any residents record may carry.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
#: 13812345678 (spaces, dashes and +86 dropped).
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
#: 0834-1234567, 08341234567, 028-12345678, with an optional extension -123.
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")
#: Fields whose values are personal data: masked in the audit log (read by supervisors and
#: auditors who may not see them).
MASK = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "manager_phone": mask_phone,
    "name": mask_name,
    "manager_name": mask_name,
}


# --- input cleaning shared by the residents actions ---------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def pk_of(ref: object, model: type[models.Model], *, field: str) -> int:
    """The primary key of ``ref`` (an instance of ``model`` or an id)."""
    pk = ref.pk if isinstance(ref, model) else ref
    if isinstance(pk, str) and pk.strip().isascii() and pk.strip().isdecimal():
        pk = int(pk.strip())
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise ResidentsError(_("Choose one of the offered values."), field=field, code="choice")
    return pk


def clean_text(
    value: object, *, field: str, required: bool = False, max_length: int = NOTE_MAX
) -> str:
    """A stripped text without NUL characters; ``ResidentsError`` when missing (if
    required) or too long (``common.cleaning.clean_text``)."""
    return cleaning.clean_text(
        value, field=field, error=ResidentsError, required=required, max_length=max_length
    )


def clean_choice(value: object, choices: type[models.TextChoices], *, field: str) -> str:
    """One of the values of ``choices``."""
    if not isinstance(value, str) or value not in choices.values:
        raise ResidentsError(_("Choose one of the offered values."), field=field, code="choice")
    return value


def clean_date(value: object, *, field: str, required: bool = False) -> dt.date | None:
    """A calendar date (ISO text accepted) from 1900 to 2099; ``None`` when empty and not
    required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if not required:
            return None
        raise ResidentsError(_("Give a date such as 2026-12-31."), field=field, code="required")
    day: object = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise ResidentsError(_("Give a date such as 2026-12-31."), field=field, code="invalid_date")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ResidentsError(_("Give a date such as 2026-12-31."), field=field, code="out_of_range")
    return day


def past_date(value: object, *, field: str, required: bool = False) -> dt.date | None:
    """``clean_date``, and not after today."""
    day = clean_date(value, field=field, required=required)
    if day is not None and day > today():
        raise ResidentsError(_("This date is in the future."), field=field, code="future")
    return day


def narrow(text: str) -> str:
    """``text`` with full-width digits, letters and signs as typed by a Chinese input
    method in full-width mode (１３８, Ｘ, －) made plain (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def clean_phone(value: object, *, field: str = "phone") -> str:
    """A Chinese mobile number (11 digits from 13…19, ``+86`` allowed) or a landline with
    its area code (``0834-1234567``); spaces dropped, full-width digits made plain. Empty
    stays empty."""
    text = narrow(clean_text(value, field=field, max_length=32))
    compact = re.sub(r"[\s()（）]", "", text)
    if not compact:
        return ""
    mobile = re.sub(r"^(\+?86|0086)(?=1\d{10}$)", "", compact.replace("-", ""))
    if MOBILE_RE.match(mobile):
        return mobile
    if LANDLINE_RE.match(compact):
        return compact
    raise ResidentsError(
        _("Enter a mobile number (11 digits) or a landline with its area code."),
        field=field,
        code="invalid_phone",
    )


def clean_count(value: object, *, field: str, maximum: int = 100000) -> int | None:
    """A whole number from 0 to ``maximum``; ``None`` when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ResidentsError(_("Give a whole number."), field=field, code="invalid_number")
    if value > maximum:
        raise ResidentsError(_("This number is too large."), field=field, code="too_large")
    return value


def _coordinate(value: object, *, field: str, limit: int) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ResidentsError(_("Enter a number."), field=field, code="invalid_number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ResidentsError(_("Enter a number."), field=field, code="invalid_number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ResidentsError(
            _("Give a number from %(low)d to %(high)d.") % {"low": -limit, "high": limit},
            field=field,
            code="out_of_range",
        )
    return float(number)


def clean_position(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Latitude and longitude in degrees, both or neither."""
    y = _coordinate(lat, field="lat", limit=90)
    x = _coordinate(lon, field="lon", limit=180)
    if (y is None) != (x is None):
        raise ResidentsError(
            _("Give both the latitude and the longitude, or neither."),
            field="lat" if y is None else "lon",
            code="position",
        )
    return y, x


def clean_grid(value: object, *, actor: User, field: str = "grid") -> Unit:
    """An active grid (a unit of kind grid below a village or community) given as an
    instance or an id, where ``actor`` may edit (PermissionDenied otherwise)."""
    pk = pk_of(value, Unit, field=field)
    grid: Unit | None = (
        Unit.objects.filter(pk=pk, active=True).select_related("parent").defer("geometry").first()
    )
    if grid is None:
        raise ResidentsError(_("Choose one of the offered values."), field=field, code="choice")
    if grid.kind != UnitKind.GRID or grid.parent is None:
        raise ResidentsError(
            _("%(unit)s is not a grid: choose a grid.") % {"unit": grid.name},
            field=field,
            code="not_grid",
        )
    require(actor, EDIT, grid)
    return grid


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def masked(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as the audit log keeps them: names, ID numbers and phones masked, dates
    in ISO, related records by id."""
    shown: dict[str, Any] = {}
    for key, value in values.items():
        if key in MASK and isinstance(value, str):
            shown[key] = MASK[key](value) if value else ""
        elif isinstance(value, dt.date):
            shown[key] = value.isoformat()
        elif isinstance(value, models.Model):
            shown[key] = value.pk
        elif isinstance(value, Decimal):
            shown[key] = str(value)
        else:
            shown[key] = value
    return shown


def fields_of(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of ``names`` (related records by id)."""
    values: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = getattr(obj, name)
    return values


# --- places ---------------------------------------------------------------------------------

#: The fields ``update_place`` may change.
PLACE_FIELDS = (
    "grid",
    "kind",
    "name",
    "address",
    "lat",
    "lon",
    "manager_name",
    "manager_phone",
    "capacity",
    "note",
    "active",
)


def _clean_place_value(name: str, value: object, *, actor: User) -> Any:
    if name == "grid":
        return clean_grid(value, actor=actor)
    if name == "kind":
        return clean_choice(value, PlaceKind, field="kind")
    if name == "name":
        return clean_text(value, field="name", required=True, max_length=100)
    if name == "address":
        return clean_text(value, field="address", max_length=200)
    if name == "manager_name":
        return clean_text(value, field="manager_name", max_length=64)
    if name == "manager_phone":
        return clean_phone(value, field="manager_phone")
    if name == "capacity":
        return clean_count(value, field="capacity")
    if name == "note":
        return clean_text(value, field="note")
    if name == "active":
        if not isinstance(value, bool):
            raise ResidentsError(_("Choose one of the offered values."), field="active")
        return value
    raise ResidentsError(_("Unknown field %(name)s.") % {"name": name}, field=name)


@transaction.atomic
def create_place(
    *,
    actor: User,
    grid: Unit | int,
    kind: str,
    name: str,
    address: str = "",
    lat: object = None,
    lon: object = None,
    manager_name: str = "",
    manager_phone: str = "",
    capacity: object = None,
    note: str = "",
) -> Place:
    """Record a place of a grid the actor may edit (its manager's phone encrypted at rest)."""
    raw = {
        "grid": grid,
        "kind": kind,
        "name": name,
        "address": address,
        "manager_name": manager_name,
        "manager_phone": manager_phone,
        "capacity": capacity,
        "note": note,
    }
    values = {key: _clean_place_value(key, value, actor=actor) for key, value in raw.items()}
    values["lat"], values["lon"] = clean_position(lat, lon)
    place = Place.objects.create(**values)
    record(
        "residents.place.created",
        place,
        actor=actor,
        after=masked(fields_of(place, PLACE_FIELDS)),
    )
    return place


@transaction.atomic
def update_place(place: Place | int, *, actor: User, changes: Mapping[str, Any]) -> Place:
    """Change fields of a place (``PLACE_FIELDS``; ``active=False`` retires it, ``True``
    brings it back). A new grid must be one the actor may edit too, and is refused while
    households are linked to the place (a household's place is on its own grid)."""
    locked = lock(Place, pk_of(place, Place, field="place"), "grid")
    require(actor, EDIT, locked)
    unknown = [k for k in changes if k not in PLACE_FIELDS]
    if unknown:
        raise ResidentsError(_("Unknown field %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    cleaned = {
        k: _clean_place_value(k, v, actor=actor)
        for k, v in changes.items()
        if k not in ("lat", "lon")
    }
    if "lat" in changes or "lon" in changes:
        cleaned["lat"], cleaned["lon"] = clean_position(
            changes.get("lat", locked.lat), changes.get("lon", locked.lon)
        )
    current = fields_of(locked, PLACE_FIELDS)
    changed = sorted(
        k for k, v in cleaned.items() if (v.pk if isinstance(v, models.Model) else v) != current[k]
    )
    if not changed:
        return locked
    if "grid" in changed and Household.objects.filter(place=locked).exists():
        raise ResidentsError(
            _("Households are linked to this place: it cannot move to another grid."),
            field="grid",
            code="place_households",
        )
    before = masked({k: current[k] for k in changed})
    for key in changed:
        setattr(locked, key, cleaned[key])
    locked.save(update_fields=[*changed, "updated_at"])
    verb = "updated"
    if changed == ["active"]:
        verb = "retired" if not locked.active else "restored"
    record(
        f"residents.place.{verb}",
        locked,
        actor=actor,
        before=before,
        after=masked(fields_of(locked, changed)),
    )
    return locked
