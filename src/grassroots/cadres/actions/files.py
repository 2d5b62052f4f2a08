"""Cadre files (干部档案): create and update a file, a cadre's leaving (调离/退休), the log
of every look at a file, and yearly grades (年度考核等次) within the unit's quota.

Also the input cleaning the files, pool and development actions share (``clean_*``):
each raises ``CadresError`` naming the input at fault before anything is written.

Scope (``permissions``): files are created and changed by the organisation department
(``cadres.manage`` over the cadre's unit, and over the new unit when it changes); grades
are given with ``cadres.grade`` over the unit they count against (the cadre's unit).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.cadres import queries
from grassroots.cadres.actions._base import lock, move
from grassroots.cadres.errors import CadresConflict, CadresError, IllegalTransition
from grassroots.cadres.ethnicities import ETHNICITY_SET
from grassroots.cadres.models import (
    Cadre,
    FileView,
    Grade,
    Mentorship,
    PostRecord,
    ReserveEntry,
    Tempering,
)
from grassroots.cadres.permissions import GRADE, MANAGE, VIEW_FILE
from grassroots.cadres.shape import age_on, excellent_quota
from grassroots.cadres.states import (
    RESERVE_TRANSITIONS,
    CadreStatus,
    Education,
    Gender,
    Level,
    ReserveStatus,
    TemperingState,
    YearGrade,
)
from grassroots.common import cleaning
from grassroots.common.crypto import digest
from grassroots.common.idnumbers import id_facts, id_number_problem
from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.org.models import Unit, UnitKind
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.models import User

NOTE_MAX = 2000
#: The dates any cadres record may carry.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
#: The earliest birth date and the youngest age a file accepts.
BORN_AFTER = dt.date(1920, 1, 1)
MIN_AGE = 16
#: The youngest age at which one joins the Party.
PARTY_AGE = 18
PHONE_RE = re.compile(r"1\d{10}")
#: The transition table as ``move`` is typed to take it (its keys are the enum's strings).
RESERVE_TABLE = cast("Mapping[str, frozenset[str]]", RESERVE_TRANSITIONS)


# --- input cleaning shared by the cadres actions ------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def pk_of(ref: object, model: type[models.Model], *, field: str) -> int:
    """The primary key of ``ref`` (an instance of ``model`` or an id)."""
    pk = ref.pk if isinstance(ref, model) else ref
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise CadresError(_("Choose one of the offered values."), field=field)
    return pk


def clean_text(
    value: object, *, field: str, required: bool = False, max_length: int = NOTE_MAX
) -> str:
    """A stripped text; ``CadresError`` when missing (if required) or too long.
    (``common.cleaning.clean_text``)."""
    return cleaning.clean_text(
        value, field=field, error=CadresError, required=required, max_length=max_length
    )


def clean_choice(value: object, choices: type[models.TextChoices], *, field: str) -> str:
    """One of the values of ``choices``."""
    if not isinstance(value, str) or value not in choices.values:
        raise CadresError(_("Choose one of the offered values."), field=field, code="choice")
    return value


def clean_date(value: object, *, field: str, required: bool = True) -> dt.date | None:
    """A calendar date (ISO text accepted) from 1900 to 2099; ``None`` when empty and not
    required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if not required:
            return None
        raise CadresError(_("Give a date such as 2026-12-31."), field=field, code="required")
    day: object = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise CadresError(_("Give a date such as 2026-12-31."), field=field, code="invalid_date")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise CadresError(_("Give a date such as 2026-12-31."), field=field, code="out_of_range")
    return day


def required_date(value: object, *, field: str) -> dt.date:
    day = clean_date(value, field=field)
    assert day is not None  # noqa: S101 -- required=True never gives None
    return day


def not_future(day: dt.date, *, field: str) -> dt.date:
    if day > today():
        raise CadresError(_("This date is in the future."), field=field, code="future")
    return day


def clean_int(value: object, *, field: str, minimum: int = 0, maximum: int = 10**9) -> int:
    """A whole number between ``minimum`` and ``maximum``."""
    if isinstance(value, str):
        value = value.strip()
        if re.fullmatch(r"-?\d{1,10}", value):
            value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CadresError(_("Give a whole number."), field=field, code="invalid_number")
    if value < minimum:
        raise CadresError(
            _("Give a number of %(n)d or more.") % {"n": minimum}, field=field, code="too_small"
        )
    if value > maximum:
        raise CadresError(_("This number is too large."), field=field, code="too_large")
    return value


def clean_decimal(
    value: object, *, field: str, places: int = 1, maximum: Decimal = Decimal(99999)
) -> Decimal:
    """A number above zero with at most ``places`` decimal places, up to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise CadresError(_("Give a number."), field=field, code="invalid_number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise CadresError(_("Give a number."), field=field, code="invalid_number") from None
    if not number.is_finite():
        raise CadresError(_("Give a number."), field=field, code="invalid_number")
    if number <= 0:
        raise CadresError(_("Give a number above zero."), field=field, code="out_of_range")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise CadresError(
            _("At most %(n)d decimal places.") % {"n": places}, field=field, code="too_precise"
        )
    if number > maximum:
        raise CadresError(_("This number is too large."), field=field, code="too_large")
    return number


def clean_unit(value: object, *, field: str = "unit") -> Unit:
    """An active unit (not a grid) given as an instance or an id."""
    pk = pk_of(value, Unit, field=field)
    unit: Unit | None = Unit.objects.filter(pk=pk, active=True).defer("geometry").first()
    if unit is None:
        raise CadresError(_("Choose one of the offered values."), field=field, code="choice")
    if unit.kind == UnitKind.GRID:
        raise CadresError(_("Choose a unit, not a grid."), field=field, code="grid")
    return unit


def clean_cadre(value: object, *, field: str, active: bool = True) -> Cadre:
    """A cadre given as an instance or an id (in office, when ``active``)."""
    pk = pk_of(value, Cadre, field=field)
    cadre: Cadre | None = Cadre.objects.select_related("unit").filter(pk=pk).first()
    if cadre is None:
        raise CadresError(_("Choose one of the offered values."), field=field, code="choice")
    if active and cadre.status != CadreStatus.ACTIVE:
        raise CadresError(
            _("%(name)s is no longer in office.") % {"name": cadre.name},
            field=field,
            code="not_active",
        )
    return cadre


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


# --- the file -------------------------------------------------------------------------------

#: The fields of a file that ``create_cadre`` takes and ``update_cadre`` may change.
FILE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "party_joined_on",
    "grassroots_since",
    "unit",
    "post",
    "level",
    "user",
)
#: Changing one of these opens a new line in the post history.
POST_FIELDS = ("unit", "post", "level")


def snapshot(cadre: Cadre, fields: Iterable[str] = FILE_FIELDS) -> dict[str, Any]:
    """The file's fields for the audit log, the ID number and phone masked (the log is
    read by supervisors who may not see them)."""
    data: dict[str, Any] = {}
    for name in fields:
        if name == "id_number":
            data[name] = mask_id_number(cadre.id_number) if cadre.id_number else ""
        elif name == "phone":
            data[name] = mask_phone(cadre.phone) if cadre.phone else ""
        elif name in ("unit", "user"):
            data[name] = getattr(cadre, f"{name}_id")
        else:
            value = getattr(cadre, name)
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
    if "status" not in data:
        data["status"] = cadre.status
    return data


def _clean_id_number(value: object, *, exclude: int | None) -> str:
    number = clean_text(value, field="id_number", max_length=32).upper().replace(" ", "")
    if not number:
        return ""
    problem = id_number_problem(number)
    if problem == "length":
        raise CadresError(
            _("An ID number has 18 characters (17 digits and a digit or X)."),
            field="id_number",
            code="id_length",
        )
    if problem == "digits":
        raise CadresError(
            _("An ID number has 17 digits followed by a digit or X."),
            field="id_number",
            code="id_digits",
        )
    if problem == "date":
        raise CadresError(
            _("The date of birth in this ID number does not exist."),
            field="id_number",
            code="id_date",
        )
    if problem == "checksum":
        raise CadresError(
            _("This ID number's check character is wrong: please check every digit."),
            field="id_number",
            code="id_checksum",
        )
    taken = Cadre.objects.filter(id_digest=digest(number))
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise CadresError(
            _("Another cadre's file already has this ID number."),
            field="id_number",
            code="id_taken",
        )
    return number


def _clean_phone(value: object) -> str:
    phone = clean_text(value, field="phone", max_length=32).replace(" ", "").replace("-", "")
    if phone and not PHONE_RE.fullmatch(phone):
        raise CadresError(
            _("A mobile phone number has 11 digits and starts with 1."),
            field="phone",
            code="phone",
        )
    return phone


def _clean_birth_date(value: object) -> dt.date:
    born = required_date(value, field="birth_date")
    if born < BORN_AFTER or age_on(born, today()) < MIN_AGE:
        raise CadresError(
            _("Check the date of birth: a cadre is at least %(age)d years old.") % {"age": MIN_AGE},
            field="birth_date",
            code="birth_date",
        )
    return born


def _clean_user(value: object, *, exclude: int | None) -> User | None:
    from grassroots.org.models import User

    if value in (None, ""):
        return None
    pk = pk_of(value, User, field="user")
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise CadresError(_("Choose one of the offered values."), field="user", code="choice")
    linked = Cadre.objects.filter(user=user)
    if exclude is not None:
        linked = linked.exclude(pk=exclude)
    if linked.exists():
        raise CadresError(
            _("This login already belongs to another cadre's file."), field="user", code="taken"
        )
    return user


def _clean_value(name: str, value: object, *, exclude: int | None) -> Any:
    if name == "name":
        return clean_text(value, field="name", required=True, max_length=64)
    if name == "gender":
        return clean_choice(value, Gender, field="gender")
    if name == "ethnicity":
        text = clean_text(value, field="ethnicity", required=True, max_length=16)
        if text not in ETHNICITY_SET:
            raise CadresError(
                _("Give one of the 56 ethnic groups, written in full (e.g. 汉族, 彝族)."),
                field="ethnicity",
                code="ethnicity",
            )
        return text
    if name == "birth_date":
        return _clean_birth_date(value)
    if name == "id_number":
        return _clean_id_number(value, exclude=exclude)
    if name == "phone":
        return _clean_phone(value)
    if name == "education":
        return clean_choice(value, Education, field="education")
    if name in ("party_joined_on", "grassroots_since"):
        day = clean_date(value, field=name, required=False)
        return not_future(day, field=name) if day else None
    if name == "unit":
        return clean_unit(value)
    if name == "post":
        return clean_text(value, field="post", required=True, max_length=100)
    if name == "level":
        return clean_choice(value, Level, field="level")
    if name == "user":
        return _clean_user(value, exclude=exclude)
    raise CadresError(_("Unknown field %(name)s.") % {"name": name}, field=name)


def _same_personal_number(name: str, value: object, cadre: Cadre) -> bool:
    """An ID number or phone given back as it stands (a file kept from before these checks
    is not refused for an unrelated change)."""
    if name not in ("id_number", "phone") or not isinstance(value, str):
        return False
    typed = value.strip().upper().replace(" ", "").replace("-", "")
    return typed == str(getattr(cadre, name)).upper()


def _cross_check(values: Mapping[str, Any], changed: set[str]) -> None:
    """What the fields say about each other: the ID number holds the birth date and the
    gender; one joins the Party at 18 at the earliest; grassroots work starts at 16."""
    born: dt.date = values["birth_date"]
    number: str = values["id_number"]
    checkable = id_number_problem(number) in (None, "checksum") if number else False
    if checkable and changed & {"id_number", "birth_date", "gender"}:
        facts = id_facts(number)
        if facts.birth_date != born:
            raise CadresError(
                _("The ID number gives the date of birth %(day)s.")
                % {"day": facts.birth_date.isoformat()},
                field="birth_date" if "id_number" not in changed else "id_number",
                code="id_birth_date",
            )
        if facts.gender != values["gender"]:
            raise CadresError(
                _("The ID number does not match the gender."),
                field="gender" if "id_number" not in changed else "id_number",
                code="id_gender",
            )
    joined = values.get("party_joined_on")
    if joined and changed & {"party_joined_on", "birth_date"} and age_on(born, joined) < PARTY_AGE:
        raise CadresError(
            _("One joins the Party at %(age)d at the earliest: check this date.")
            % {"age": PARTY_AGE},
            field="party_joined_on",
            code="too_young",
        )
    since = values.get("grassroots_since")
    if since and changed & {"grassroots_since", "birth_date"} and age_on(born, since) < MIN_AGE:
        raise CadresError(
            _("Work starts at %(age)d at the earliest: check this date.") % {"age": MIN_AGE},
            field="grassroots_since",
            code="too_young",
        )


def _save_guarding_id(cadre: Cadre, **save: Any) -> None:
    """Save, turning a race on the unique ID number into the same clear error."""
    try:
        with transaction.atomic():
            cadre.save(**save)
    except IntegrityError as exc:
        if "id_digest" in str(exc) or "cadre_id_number_unique" in str(exc):
            raise CadresConflict(
                _("Another cadre's file already has this ID number."), field="id_number"
            ) from exc
        if "user" in str(exc):
            raise CadresConflict(
                _("This login already belongs to another cadre's file."), field="user"
            ) from exc
        raise


@transaction.atomic
def create_cadre(
    *,
    actor: User,
    name: str,
    gender: str,
    ethnicity: str,
    birth_date: dt.date | str,
    education: str,
    unit: Unit | int,
    post: str,
    level: str,
    id_number: str = "",
    phone: str = "",
    party_joined_on: dt.date | str | None = None,
    grassroots_since: dt.date | str | None = None,
    user: Any = None,
    post_since: dt.date | str | None = None,
) -> Cadre:
    """Open a cadre's file in a unit of the actor's scope, with the first line of the post
    history (from ``post_since``, default today)."""
    raw = {
        "name": name,
        "gender": gender,
        "ethnicity": ethnicity,
        "birth_date": birth_date,
        "id_number": id_number,
        "phone": phone,
        "education": education,
        "party_joined_on": party_joined_on,
        "grassroots_since": grassroots_since,
        "unit": unit,
        "post": post,
        "level": level,
        "user": user,
    }
    values = {key: _clean_value(key, value, exclude=None) for key, value in raw.items()}
    require(actor, MANAGE, values["unit"])
    _cross_check(values, set(values))
    since = clean_date(post_since, field="post_since", required=False) or today()
    if since < values["birth_date"]:
        raise CadresError(_("This date is before the date of birth."), field="post_since")
    cadre = Cadre(**values)
    _save_guarding_id(cadre)
    PostRecord.objects.create(
        cadre=cadre, unit=cadre.unit, post=cadre.post, level=cadre.level, started_on=since
    )
    record("cadres.cadre.created", cadre, actor=actor, after=snapshot(cadre))
    return cadre


@transaction.atomic
def update_cadre(
    cadre: Cadre | int,
    *,
    actor: User,
    changes: Mapping[str, Any],
    post_since: dt.date | str | None = None,
) -> Cadre:
    """Change fields of a file (``FILE_FIELDS``). A new unit, post or level closes the
    current line of the post history the day before ``post_since`` (default today) and
    opens a new one; on the day the current line began, that line is corrected instead."""
    locked = lock(Cadre, pk_of(cadre, Cadre, field="cadre"), "unit")
    require(actor, MANAGE, locked)
    unknown = [k for k in changes if k not in FILE_FIELDS]
    if unknown:
        raise CadresError(_("Unknown field %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    cleaned = {
        k: _clean_value(k, v, exclude=locked.pk)
        for k, v in changes.items()
        if not _same_personal_number(k, v, locked)
    }
    current = {
        k: (getattr(locked, f"{k}_id") if k in ("unit", "user") else getattr(locked, k))
        for k in FILE_FIELDS
    }
    changed = {
        k for k, v in cleaned.items() if (v.pk if isinstance(v, models.Model) else v) != current[k]
    }
    if not changed:
        return locked
    if "unit" in changed:
        require(actor, MANAGE, cleaned["unit"])
    values = {**{k: getattr(locked, k) for k in FILE_FIELDS}, **cleaned}
    _cross_check(values, changed)
    since = clean_date(post_since, field="post_since", required=False) or today()
    before = snapshot(locked, sorted(changed))
    for key in changed:
        setattr(locked, key, cleaned[key])
    locked.updated_at = timezone.now()
    _save_guarding_id(locked, update_fields=[*sorted(changed), "updated_at"])
    if changed & set(POST_FIELDS):
        _new_post_line(locked, since)
    record(
        "cadres.cadre.updated",
        locked,
        actor=actor,
        before=before,
        after=snapshot(locked, sorted(changed)),
    )
    return locked


def _new_post_line(cadre: Cadre, since: dt.date) -> None:
    current = (
        PostRecord.objects.select_for_update()
        .filter(cadre=cadre, ended_on__isnull=True)
        .order_by("-started_on", "-pk")
        .first()
    )
    if current is not None and since < current.started_on:
        raise CadresError(
            _("The new post cannot begin before the current one (%(day)s).")
            % {"day": current.started_on.isoformat()},
            field="post_since",
        )
    if current is not None and since == current.started_on:
        current.unit, current.post, current.level = cadre.unit, cadre.post, cadre.level
        current.save(update_fields=["unit", "post", "level"])
        return
    if current is not None:
        current.ended_on = since - dt.timedelta(days=1)
        current.save(update_fields=["ended_on"])
    PostRecord.objects.create(
        cadre=cadre, unit=cadre.unit, post=cadre.post, level=cadre.level, started_on=since
    )


#: Where a cadre in office may go (a return to office is a new appointment: a new file
#: line by ``update_cadre`` after reactivation is not offered here).
LEAVING = (CadreStatus.LEFT, CadreStatus.RETIRED)


@transaction.atomic
def set_cadre_status(
    cadre: Cadre | int,
    *,
    actor: User,
    status: str,
    on: dt.date | str | None = None,
    note: str = "",
) -> Cadre:
    """A cadre leaves office (transferred out 调离, or retired 退休) on ``on`` (default
    today): the current post line and their mentorships end that day, and an open reserve
    entry leaves the pool (nominated → not admitted, in the pool → removed) with the
    reason. Refused while a tempering assignment is ongoing (evaluate or cancel it first)."""
    locked = lock(Cadre, pk_of(cadre, Cadre, field="cadre"), "unit")
    require(actor, MANAGE, locked)
    target = clean_choice(status, CadreStatus, field="status")
    note = clean_text(note, field="note")
    day = not_future(
        clean_date(on, field="on", required=False) or today(),
        field="on",
    )
    if locked.status != CadreStatus.ACTIVE or target not in LEAVING:
        raise IllegalTransition(
            str(locked.get_status_display()), str(CadreStatus(target).label), field="status"
        )
    ongoing = (
        Tempering.objects.filter(cadre=locked, state=TemperingState.ONGOING)
        .order_by("started_on")
        .first()
    )
    if ongoing is not None:
        raise CadresError(
            _(
                "The tempering assignment from %(start)s is still ongoing: evaluate or cancel "
                "it first."
            )
            % {"start": ongoing.started_on.isoformat()},
            field="status",
            code="tempering_ongoing",
        )
    before = snapshot(locked, ["status"])
    locked.status = target
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    PostRecord.objects.filter(cadre=locked, ended_on__isnull=True, started_on__lte=day).update(
        ended_on=day
    )
    Mentorship.objects.filter(
        models.Q(cadre=locked) | models.Q(mentor=locked), ended_on__isnull=True
    ).filter(started_on__lte=day).update(ended_on=day)
    reason = str(CadreStatus(target).label) + (f": {note}" if note else "")
    _close_reserve_entry(locked, actor=actor, day=day, reason=reason)
    record(
        "cadres.cadre.status_changed",
        locked,
        actor=actor,
        before=before,
        after={"status": target, "on": day.isoformat()},
        note=note,
    )
    return locked


def _close_reserve_entry(cadre: Cadre, *, actor: User, day: dt.date, reason: str) -> None:
    entry = (
        ReserveEntry.objects.select_for_update()
        .filter(cadre=cadre, status__in=[ReserveStatus.NOMINATED, ReserveStatus.IN_POOL])
        .first()
    )
    if entry is None:
        return
    before = {"status": entry.status}
    if entry.status == ReserveStatus.NOMINATED:
        move(entry, "status", ReserveStatus.REJECTED, RESERVE_TABLE)
        entry.reviewed_by, entry.reviewed_at, entry.review_note = actor, timezone.now(), reason
        entry.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        verb = "cadres.reserveentry.rejected"
    else:
        move(entry, "status", ReserveStatus.REMOVED, RESERVE_TABLE)
        entry.exited_on, entry.exit_reason = max(day, entry.entered_on or day), reason
        entry.save(update_fields=["status", "exited_on", "exit_reason"])
        verb = "cadres.reserveentry.removed"
    record(verb, entry, actor=actor, before=before, after={"status": entry.status}, note=reason)


def log_file_view(cadre: Cadre, viewer: User, what: str = "file") -> FileView:
    """Write down one look at a cadre's file (``file``), its printout (``print``) or its
    export (``export``). Called every time one of them is served; only someone who may
    see the file is served it."""
    if what not in ("file", "print", "export"):
        raise ValueError(f"unknown kind of file view {what!r}")
    require(viewer, VIEW_FILE, cadre)
    return FileView.objects.create(cadre=cadre, viewer=viewer, what=what)


def log_export(viewer: User, cadre_ids: Iterable[int]) -> int:
    """Write down that ``viewer`` exported these files (one ``FileView`` each, at the same
    moment); the count. The ids come from the viewer's own scoped read of the files."""
    now = timezone.now()
    views = [
        FileView(cadre_id=pk, viewer=viewer, viewed_at=now, what="export")
        for pk in sorted(set(cadre_ids))
    ]
    FileView.objects.bulk_create(views, batch_size=1000)
    return len(views)


# --- yearly grades --------------------------------------------------------------------------

FIRST_GRADE_YEAR = 2000


@transaction.atomic
def set_grade(
    cadre: Cadre | int, *, actor: User, year: int | str, grade: str, note: str = ""
) -> Grade:
    """Give (or change) a cadre's grade for ``year``, counted against the cadre's unit.

    An Excellent grade beyond the unit's quota for the year (``shape.excellent_quota`` of
    its active cadres and the policy's share) is refused. The unit's row is locked first,
    so that two grades given at once cannot both take the last place."""
    pk = pk_of(cadre, Cadre, field="cadre")
    found = Cadre.objects.select_related("unit").filter(pk=pk).first()
    if found is None:
        raise CadresError(_("Choose one of the offered values."), field="cadre")
    require(actor, GRADE, found)
    unit = lock(Unit, found.unit_id)
    locked = lock(Cadre, pk, "unit")
    if locked.unit_id != unit.pk:
        raise CadresConflict(_("The cadre's unit has just changed: try again."), field="cadre")
    require(actor, GRADE, locked)
    year_value = clean_int(year, field="year", minimum=FIRST_GRADE_YEAR, maximum=today().year)
    value = clean_choice(grade, YearGrade, field="grade")
    text = clean_text(note, field="note")
    existing = Grade.objects.select_for_update().filter(cadre=locked, year=year_value).first()
    if value == YearGrade.EXCELLENT and (existing is None or existing.grade != value):
        policy = queries.policy_for(unit)
        quota = excellent_quota(queries.active_cadres_of(unit), policy.excellent_quota_percent)
        used = queries.excellent_count(unit, year_value, excluding_cadre=locked.pk)
        if used >= quota:
            raise CadresError(
                _(
                    "The quota of Excellent grades of %(unit)s for %(year)d is full: "
                    "%(used)d of %(quota)d (%(percent)d%% of its cadres in office)."
                )
                % {
                    "unit": unit.name,
                    "year": year_value,
                    "used": used,
                    "quota": quota,
                    "percent": policy.excellent_quota_percent,
                },
                field="grade",
                code="quota",
            )
    if existing is None:
        row = Grade.objects.create(
            cadre=locked, year=year_value, unit=unit, grade=value, note=text, decided_by=actor
        )
        record(
            "cadres.grade.given",
            row,
            actor=actor,
            unit=unit,
            after={"cadre": locked.pk, "year": year_value, "grade": value},
            note=text,
        )
        return row
    before = {"grade": existing.grade, "unit": existing.unit_id}
    existing.grade, existing.note, existing.unit = value, text, unit
    existing.decided_by, existing.decided_at = actor, timezone.now()
    existing.save(update_fields=["grade", "note", "unit", "decided_by", "decided_at"])
    record(
        "cadres.grade.changed",
        existing,
        actor=actor,
        unit=unit,
        before=before,
        after={"grade": value, "unit": unit.pk},
        note=text,
    )
    return existing
