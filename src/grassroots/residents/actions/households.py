"""Households (户) and their members: create, change and move a household, its status
(the whole household moves out, or is dissolved, with its members), add and change a
member, and a member's moves (moved out, deceased, moved back) with their dates.

The rules (each broken one raises ``ResidentsError`` naming the input at fault; nothing
is written):

* a household lives on a grid the actor may edit (``residents.edit``); its village is the
  grid's parent, and its number (户号) is unique in the village (field ``number``);
* an ID number is optional, but when given it is well-formed (GB 11643), agrees with the
  date of birth and gender, and belongs to nobody else living here or deceased (looked up
  by its blind index ``Resident.id_digest``; the error names the household that holds it,
  the name masked). Someone who moved out keeps it on their earlier row (the history) and
  may be added to the household they live in now; they move back to the earlier one only
  after moving out of the new one;
* a phone is a mobile number (11 digits) or a landline with its area code;
* a household has at most one head living there;
* a member's status moves only as ``RESIDENT_MOVES`` allows (a deceased person does not
  move); the dates are not in the future and not before the birth.

Every change writes an audit entry whose names, ID numbers and phones are masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.crypto import digest
from grassroots.common.idnumbers import id_facts, id_number_problem
from grassroots.common.masking import mask_name
from grassroots.org.models import Unit
from grassroots.org.permissions import can, require
from grassroots.residents.actions._base import lock, move
from grassroots.residents.actions.care import end_care_of
from grassroots.residents.actions.places import (
    clean_choice,
    clean_grid,
    clean_phone,
    clean_text,
    fields_of,
    masked,
    narrow,
    past_date,
    pk_of,
    today,
)
from grassroots.residents.errors import ResidentsConflict, ResidentsError
from grassroots.residents.models import Household, KeyPerson, Place, Resident
from grassroots.residents.permissions import EDIT, VIEW
from grassroots.residents.states import (
    Gender,
    HouseholdStatus,
    PersonStatus,
    Relationship,
    Residence,
)

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Where a household's status may go: a household that moved out may come back or be
#: dissolved; a dissolved one is closed for good (a new household is opened instead).
HOUSEHOLD_MOVES: Final[Mapping[str, frozenset[str]]] = {
    HouseholdStatus.ACTIVE: frozenset({HouseholdStatus.MOVED_OUT, HouseholdStatus.DISSOLVED}),
    HouseholdStatus.MOVED_OUT: frozenset({HouseholdStatus.ACTIVE, HouseholdStatus.DISSOLVED}),
    HouseholdStatus.DISSOLVED: frozenset(),
}
#: Where a person's status may go: one who lives here moves out or dies; one who moved out
#: comes back (or is recorded deceased); a deceased person does not move.
RESIDENT_MOVES: Final[Mapping[str, frozenset[str]]] = {
    PersonStatus.PRESENT: frozenset({PersonStatus.MOVED_OUT, PersonStatus.DECEASED}),
    PersonStatus.MOVED_OUT: frozenset({PersonStatus.PRESENT, PersonStatus.DECEASED}),
    PersonStatus.DECEASED: frozenset(),
}
_HOUSEHOLD_TABLE = cast("Mapping[Any, frozenset[Any]]", HOUSEHOLD_MOVES)
_RESIDENT_TABLE = cast("Mapping[Any, frozenset[Any]]", RESIDENT_MOVES)

#: The fields ``update_household`` may change (the grid through ``move_household``, the
#: status through ``set_household_status``).
HOUSEHOLD_FIELDS = ("number", "address", "place", "note")
#: The fields ``update_resident`` may change (the status through the ``record_*`` moves).
RESIDENT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "relationship",
    "residence",
    "moved_in_on",
    "note",
)
#: The oldest person a register holds.
OLDEST: Final = 130


# --- households -----------------------------------------------------------------------------


def clean_number(value: object) -> str:
    """A household number (户号): required, spaces inside collapsed, at most 32 characters."""
    return " ".join(clean_text(value, field="number", required=True, max_length=32).split())


def _number_taken(village: Unit, number: str, *, exclude: int | None = None) -> None:
    taken = Household.objects.filter(village=village, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ResidentsError(
            _("The household number %(number)s is already used in %(village)s.")
            % {"number": number, "village": village.name},
            field="number",
            code="number_taken",
        )


def _clean_place(value: object, grid: Unit) -> Place | None:
    if value in (None, ""):
        return None
    pk = pk_of(value, Place, field="place")
    place: Place | None = Place.objects.filter(pk=pk, active=True).first()
    if place is None:
        raise ResidentsError(_("Choose one of the offered values."), field="place", code="choice")
    if place.grid_id != grid.pk:
        raise ResidentsError(
            _("%(place)s is in another grid.") % {"place": place.name},
            field="place",
            code="place_grid",
        )
    return place


def _save_guarding(obj: models.Model, **save: Any) -> None:
    """Save, turning a race on a unique number into the same clear error."""
    try:
        with transaction.atomic():
            obj.save(**save)
    except IntegrityError as exc:
        text = str(exc)
        if "id_digest" in text or "resident_id_unique" in text:
            raise ResidentsConflict(
                _("This ID number was registered by someone else meanwhile."), field="id_number"
            ) from exc
        if "number" in text:
            raise ResidentsConflict(
                _("This household number was taken by someone else meanwhile."), field="number"
            ) from exc
        raise


@transaction.atomic
def create_household(
    *,
    actor: User,
    grid: Unit | int,
    number: str,
    address: str = "",
    place: Place | int | None = None,
    note: str = "",
) -> Household:
    """Open a household on a grid the actor may edit; its village is the grid's parent,
    where the number must be free."""
    found = clean_grid(grid, actor=actor)
    village = cast("Unit", found.parent)
    value = clean_number(number)
    household = Household(
        grid=found,
        village=village,
        number=value,
        address=clean_text(address, field="address", max_length=200),
        place=_clean_place(place, found),
        note=clean_text(note, field="note"),
    )
    _number_taken(village, value)
    _save_guarding(household)
    record(
        "residents.household.created",
        household,
        actor=actor,
        after=masked(fields_of(household, ("grid", "village", *HOUSEHOLD_FIELDS))),
    )
    return household


def _lock_household(household: Household | int) -> Household:
    return lock(Household, pk_of(household, Household, field="household"), "grid", "village")


@transaction.atomic
def update_household(
    household: Household | int, *, actor: User, changes: Mapping[str, Any]
) -> Household:
    """Change a household's number (still unique in its village), address, place (one of
    its grid) or note."""
    locked = _lock_household(household)
    require(actor, EDIT, locked)
    unknown = [k for k in changes if k not in HOUSEHOLD_FIELDS]
    if unknown:
        raise ResidentsError(_("Unknown field %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "number":
            cleaned[key] = clean_number(value)
        elif key == "address":
            cleaned[key] = clean_text(value, field="address", max_length=200)
        elif key == "place":
            cleaned[key] = _clean_place(value, locked.grid)
        else:
            cleaned[key] = clean_text(value, field="note")
    current = fields_of(locked, HOUSEHOLD_FIELDS)
    changed = sorted(
        k for k, v in cleaned.items() if (v.pk if isinstance(v, models.Model) else v) != current[k]
    )
    if not changed:
        return locked
    if "number" in changed:
        _number_taken(locked.village, cleaned["number"], exclude=locked.pk)
    before = masked({k: current[k] for k in changed})
    for key in changed:
        setattr(locked, key, cleaned[key])
    _save_guarding(locked, update_fields=[*changed, "updated_at"])
    record(
        "residents.household.updated",
        locked,
        actor=actor,
        before=before,
        after=masked(fields_of(locked, changed)),
    )
    return locked


@transaction.atomic
def move_household(
    household: Household | int, *, actor: User, grid: Unit | int, note: str = ""
) -> Household:
    """Move a household to another grid the actor may edit. In another village its
    number must be free there; a place of the old grid is dropped; its members' open care
    records follow it to the new grid."""
    locked = _lock_household(household)
    require(actor, EDIT, locked)
    target = clean_grid(grid, actor=actor)
    text = clean_text(note, field="note")
    if target.pk == locked.grid_id:
        raise ResidentsError(
            _("The household is already in this grid."), field="grid", code="same_grid"
        )
    before = {"grid": locked.grid_id, "village": locked.village_id, "place": locked.place_id}
    if target.parent_id != locked.village_id:
        village = cast("Unit", target.parent)
        _number_taken(village, locked.number, exclude=locked.pk)
        locked.village = village
    locked.grid = target
    fields = ["grid", "village", "updated_at"]
    if locked.place_id is not None:
        locked.place = None
        fields.append("place")
    _save_guarding(locked, update_fields=fields)
    KeyPerson.objects.filter(resident__household=locked, ended_on__isnull=True).update(
        grid=target, updated_at=timezone.now()
    )
    record(
        "residents.household.moved",
        locked,
        actor=actor,
        before=before,
        after={"grid": target.pk, "village": locked.village_id, "place": locked.place_id},
        note=text,
    )
    return locked


def _care_ends(target: str) -> str:
    """Why a person's care ends when they leave (the care's end reason)."""
    return _("Deceased") if target == PersonStatus.DECEASED else _("Moved out")


@transaction.atomic
def set_household_status(
    household: Household | int,
    *,
    actor: User,
    status: str,
    on: dt.date | str | None = None,
    note: str = "",
) -> Household:
    """The whole household moves out (整户迁出) or is dissolved (销户) on ``on`` (default
    today): every member still living there is recorded moved out that day. A household
    that moved out may come back (its members come back one by one)."""
    locked = _lock_household(household)
    require(actor, EDIT, locked)
    target = clean_choice(status, HouseholdStatus, field="status")
    day = past_date(on, field="on") or today()
    text = clean_text(note, field="note")
    before = {"status": locked.status}
    move(locked, "status", target, _HOUSEHOLD_TABLE)
    leaving = []
    if target != HouseholdStatus.ACTIVE:
        leaving = list(
            Resident.objects.select_for_update()
            .filter(household=locked, status=PersonStatus.PRESENT)
            .order_by("pk")
        )
        for person in leaving:
            _not_before_life(person, day, field="on")
    locked.save(update_fields=["status", "updated_at"])
    for person in leaving:
        person.status = PersonStatus.MOVED_OUT
        person.moved_out_on = day
        person.household = locked
        person.save(update_fields=["status", "moved_out_on", "updated_at"])
        end_care_of(person, actor=actor, on=day, reason=_care_ends(PersonStatus.MOVED_OUT))
        record(
            "residents.resident.moved_out",
            person,
            actor=actor,
            before={"status": PersonStatus.PRESENT},
            after={"status": PersonStatus.MOVED_OUT, "moved_out_on": day.isoformat()},
            note=text,
        )
    record(
        "residents.household.status_changed",
        locked,
        actor=actor,
        before=before,
        after={"status": target, "on": day.isoformat(), "members_moved_out": len(leaving)},
        note=text,
    )
    return locked


# --- members --------------------------------------------------------------------------------


def _id_problem_message(problem: str) -> str:
    if problem == "length":
        return _("An ID number has 18 characters (17 digits and a digit or X).")
    if problem == "digits":
        return _("An ID number has 17 digits followed by a digit or X.")
    if problem == "date":
        return _("The date of birth in this ID number does not exist.")
    return _("This ID number's check character is wrong: please check every digit.")


def holder_message(holder: Resident, actor: User) -> str:
    """Who already holds an ID number, as the actor may be told: the household and the
    masked name when the actor may see that household, else only that it is elsewhere."""
    household = holder.household
    if not can(actor, VIEW, household):
        return _("This ID number is already registered in a household outside your grids.")
    facts = {
        "name": mask_name(holder.name),
        "number": household.number,
        "village": household.village.name,
    }
    if holder.status == PersonStatus.DECEASED:
        return (
            _(
                "This ID number is registered to %(name)s, household %(number)s of "
                "%(village)s, recorded deceased."
            )
            % facts
        )
    return (
        _("This ID number is already registered: %(name)s, household %(number)s of %(village)s.")
        % facts
    )


def clean_id_number(
    value: object, *, actor: User, exclude: int | None, household: Household | None = None
) -> str:
    """A well-formed ID number (upper-case X, full-width digits made plain), or "".

    Nobody living here (nor anyone recorded deceased) may hold it already. A person who
    moved out of another household keeps it on that earlier row (their history): they
    may be added where they live now. One who moved out of ``household`` itself is
    recorded moved back instead."""
    number = narrow(clean_text(value, field="id_number", max_length=32)).upper().replace(" ", "")
    if not number:
        return ""
    problem = id_number_problem(number)
    if problem is not None:
        raise ResidentsError(_id_problem_message(problem), field="id_number", code="id_" + problem)
    if id_facts(number).birth_date > today():
        raise ResidentsError(
            _("The date of birth in this ID number is in the future."),
            field="id_number",
            code="id_date",
        )
    taken = Resident.objects.filter(id_digest=digest(number)).select_related(
        "household__grid", "household__village"
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    rank = {PersonStatus.PRESENT: 0, PersonStatus.DECEASED: 1, PersonStatus.MOVED_OUT: 2}
    for holder in sorted(taken, key=lambda h: (rank.get(PersonStatus(h.status), 3), h.pk)):
        if holder.status != PersonStatus.MOVED_OUT:
            raise ResidentsError(holder_message(holder, actor), field="id_number", code="id_taken")
        if household is not None and holder.household_id == household.pk:
            raise ResidentsError(
                _(
                    "%(name)s, who holds this ID number, moved out of this household: record "
                    "them moved back instead."
                )
                % {"name": mask_name(holder.name)},
                field="id_number",
                code="id_moved_out_here",
            )
    return number


def _living_elsewhere(person: Resident, actor: User) -> None:
    """Refuse that ``person`` lives here again while a row of theirs (the same ID number)
    lives in another household."""
    if not person.id_digest:
        return
    other = (
        Resident.objects.filter(id_digest=person.id_digest, status=PersonStatus.PRESENT)
        .exclude(pk=person.pk)
        .select_related("household__grid", "household__village")
        .first()
    )
    if other is None:
        return
    if can(actor, VIEW, other.household):
        message = _(
            "%(name)s now lives in household %(number)s of %(village)s: record them moved "
            "out there first."
        ) % {
            "name": mask_name(other.name),
            "number": other.household.number,
            "village": other.household.village.name,
        }
    else:
        message = _("This person now lives in a household outside your grids.")
    raise ResidentsError(message, field="status", code="living_elsewhere")


def _clean_birth_date(value: object) -> dt.date | None:
    born = past_date(value, field="birth_date")
    if born is not None and born.year < today().year - OLDEST:
        raise ResidentsError(
            _("Check the date of birth: more than %(n)d years ago.") % {"n": OLDEST},
            field="birth_date",
            code="birth_date",
        )
    return born


def _clean_member_value(
    name: str,
    value: object,
    *,
    actor: User,
    exclude: int | None,
    household: Household | None = None,
) -> Any:
    if name == "name":
        return clean_text(value, field="name", required=True, max_length=64)
    if name == "gender":
        return "" if value in (None, "") else clean_choice(value, Gender, field="gender")
    if name == "birth_date":
        return _clean_birth_date(value)
    if name == "id_number":
        return clean_id_number(value, actor=actor, exclude=exclude, household=household)
    if name == "phone":
        return clean_phone(value)
    if name == "relationship":
        return clean_choice(value, Relationship, field="relationship")
    if name == "residence":
        return clean_choice(value, Residence, field="residence")
    if name == "moved_in_on":
        return past_date(value, field="moved_in_on")
    if name == "note":
        return clean_text(value, field="note")
    raise ResidentsError(_("Unknown field %(name)s.") % {"name": name}, field=name)


def _cross_check(values: dict[str, Any], changed: set[str]) -> None:
    """The ID number holds the birth date and the gender: an empty one is taken from it,
    a given one must agree. Without an ID number the gender is required. Moved in after
    the birth."""
    number: str = values["id_number"]
    if number:
        facts = id_facts(number)
        if values["birth_date"] is None:
            values["birth_date"] = facts.birth_date
        elif facts.birth_date != values["birth_date"] and changed & {"id_number", "birth_date"}:
            raise ResidentsError(
                _("The ID number gives the date of birth %(day)s.")
                % {"day": facts.birth_date.isoformat()},
                field="birth_date" if "id_number" not in changed else "id_number",
                code="id_birth_date",
            )
        if not values["gender"]:
            values["gender"] = facts.gender
        elif facts.gender != values["gender"] and changed & {"id_number", "gender"}:
            raise ResidentsError(
                _("The ID number does not match the gender."),
                field="gender" if "id_number" not in changed else "id_number",
                code="id_gender",
            )
    if not values["gender"]:
        raise ResidentsError(_("This field is required."), field="gender", code="required")
    born, since = values["birth_date"], values.get("moved_in_on")
    if born is not None and since is not None and since < born:
        raise ResidentsError(
            _("This date is before the date of birth."), field="moved_in_on", code="before_birth"
        )


def _one_head(household: Household, *, exclude: int | None, field: str = "relationship") -> None:
    """Refuse a second head living in ``household``."""
    heads = Resident.objects.filter(
        household=household, relationship=Relationship.HEAD, status=PersonStatus.PRESENT
    )
    if exclude is not None:
        heads = heads.exclude(pk=exclude)
    head = heads.first()
    if head is not None:
        raise ResidentsError(
            _("Household %(number)s already has a head living there (%(name)s).")
            % {"number": household.number, "name": mask_name(head.name)},
            field=field,
            code="second_head",
        )


def _active(household: Household) -> None:
    if household.status != HouseholdStatus.ACTIVE:
        raise ResidentsError(
            _("Household %(number)s is marked “%(status)s”: nobody lives in it.")
            % {"number": household.number, "status": household.get_status_display()},
            field="household",
            code="household_closed",
        )


@transaction.atomic
def add_resident(
    household: Household | int,
    *,
    actor: User,
    name: str,
    relationship: str,
    gender: str = "",
    birth_date: dt.date | str | None = None,
    id_number: str = "",
    phone: str = "",
    residence: str = Residence.REGISTERED,
    moved_in_on: dt.date | str | None = None,
    note: str = "",
) -> Resident:
    """Add a person living in a household (of a grid the actor may edit). The gender and
    the date of birth may be left empty when an ID number is given (it holds them)."""
    locked = _lock_household(household)
    require(actor, EDIT, locked)
    _active(locked)
    raw = {
        "name": name,
        "gender": gender,
        "birth_date": birth_date,
        "id_number": id_number,
        "phone": phone,
        "relationship": relationship,
        "residence": residence,
        "moved_in_on": moved_in_on,
        "note": note,
    }
    values = {
        k: _clean_member_value(k, v, actor=actor, exclude=None, household=locked)
        for k, v in raw.items()
    }
    _cross_check(values, set(values))
    if values["relationship"] == Relationship.HEAD:
        _one_head(locked, exclude=None)
    person = Resident(household=locked, status=PersonStatus.PRESENT, **values)
    person.id_digest = digest(person.id_number)
    _save_guarding(person)
    record(
        "residents.resident.added",
        person,
        actor=actor,
        after=masked(fields_of(person, (*RESIDENT_FIELDS, "status"))),
    )
    return person


def _lock_person(resident: Resident | int) -> tuple[Household, Resident]:
    """The person's household, then the person, locked (the order ``add_resident`` takes)."""
    pk = pk_of(resident, Resident, field="resident")
    household_id = Resident.objects.filter(pk=pk).values_list("household_id", flat=True).first()
    if household_id is None:
        lock(Resident, pk)  # 404
    household = _lock_household(cast("int", household_id))
    person = lock(Resident, pk)
    if person.household_id != household.pk:
        raise ResidentsConflict(_("This person was changed meanwhile: try again."))
    person.household = household
    return household, person


def _same_number(name: str, value: object, person: Resident) -> bool:
    """An ID number or phone given back as it stands (a record kept from before these
    checks is not refused for an unrelated change)."""
    if name not in ("id_number", "phone") or not isinstance(value, str):
        return False
    typed = narrow(value).strip().upper().replace(" ", "")
    return typed == str(getattr(person, name)).upper()


@transaction.atomic
def update_resident(
    resident: Resident | int, *, actor: User, changes: Mapping[str, Any]
) -> Resident:
    """Change a person's fields (``RESIDENT_FIELDS``), checked as ``add_resident``
    checks them."""
    household, person = _lock_person(resident)
    require(actor, EDIT, person)
    unknown = [k for k in changes if k not in RESIDENT_FIELDS]
    if unknown:
        raise ResidentsError(_("Unknown field %(name)s.") % {"name": unknown[0]}, field=unknown[0])
    cleaned = {
        k: _clean_member_value(k, v, actor=actor, exclude=person.pk, household=household)
        for k, v in changes.items()
        if not _same_number(k, v, person)
    }
    current = fields_of(person, RESIDENT_FIELDS)
    if cleaned.get("gender") == "" and "id_number" not in cleaned:
        cleaned.pop("gender")  # empty: keep it (the ID number's, or as it was)
    changed = {k for k, v in cleaned.items() if v != current[k]}
    if not changed:
        return person
    values = {**current, **cleaned}
    _cross_check(values, changed)
    changed |= {k for k in ("birth_date", "gender") if values[k] != current[k]}
    if (
        "relationship" in changed
        and values["relationship"] == Relationship.HEAD
        and person.status == PersonStatus.PRESENT
    ):
        _one_head(household, exclude=person.pk)
    before = masked({k: current[k] for k in sorted(changed)})
    for key in changed:
        setattr(person, key, values[key])
    fields = sorted(changed)
    if "id_number" in changed:
        person.id_digest = digest(person.id_number)
        fields.append("id_digest")
    _save_guarding(person, update_fields=[*fields, "updated_at"])
    record(
        "residents.resident.updated",
        person,
        actor=actor,
        before=before,
        after=masked(fields_of(person, sorted(changed))),
    )
    return person


def _not_before_life(person: Resident, day: dt.date, *, field: str) -> None:
    if person.birth_date is not None and day < person.birth_date:
        raise ResidentsError(
            _("This date is before the date of birth."), field=field, code="before_birth"
        )


@transaction.atomic
def _status_move(
    resident: Resident | int,
    *,
    actor: User,
    target: str,
    on: dt.date | str | None,
    note: str,
) -> Resident:
    household, person = _lock_person(resident)
    require(actor, EDIT, person)
    day = past_date(on, field="on", required=True)
    assert day is not None  # noqa: S101 -- required
    text = clean_text(note, field="note")
    current = person.status
    move(person, "status", target, _RESIDENT_TABLE)
    _not_before_life(person, day, field="on")
    fields = ["status"]
    after: dict[str, Any] = {"status": target}
    if target == PersonStatus.MOVED_OUT:
        if person.moved_in_on is not None and day < person.moved_in_on:
            raise ResidentsError(
                _("This date is before the person moved in (%(day)s).")
                % {"day": person.moved_in_on.isoformat()},
                field="on",
                code="before_moved_in",
            )
        person.moved_out_on = day
        fields.append("moved_out_on")
    elif target == PersonStatus.DECEASED:
        person.died_on = day
        fields.append("died_on")
    else:
        _active(household)
        if person.moved_out_on is not None and day < person.moved_out_on:
            raise ResidentsError(
                _("This date is before the person moved out (%(day)s).")
                % {"day": person.moved_out_on.isoformat()},
                field="on",
                code="before_moved_out",
            )
        if person.relationship == Relationship.HEAD:
            _one_head(household, exclude=person.pk, field="status")
        _living_elsewhere(person, actor)
        person.moved_in_on, person.moved_out_on = day, None
        fields += ["moved_in_on", "moved_out_on"]
    after.update({k: getattr(person, k) for k in fields if k != "status"})
    _save_guarding(person, update_fields=[*fields, "updated_at"])
    if target != PersonStatus.PRESENT:
        end_care_of(person, actor=actor, on=day, reason=_care_ends(target))
    verb = {
        PersonStatus.MOVED_OUT: "moved_out",
        PersonStatus.DECEASED: "deceased",
        PersonStatus.PRESENT: "moved_back",
    }[PersonStatus(target)]
    record(
        f"residents.resident.{verb}",
        person,
        actor=actor,
        before={"status": current},
        after=masked(after),
        note=text,
    )
    return person


def record_moved_out(
    resident: Resident | int, *, actor: User, on: dt.date | str, note: str = ""
) -> Resident:
    """The person moved out (迁出) on ``on``."""
    return _status_move(resident, actor=actor, target=PersonStatus.MOVED_OUT, on=on, note=note)


def record_deceased(
    resident: Resident | int, *, actor: User, on: dt.date | str, note: str = ""
) -> Resident:
    """The person died (死亡) on ``on``."""
    return _status_move(resident, actor=actor, target=PersonStatus.DECEASED, on=on, note=note)


def record_moved_back(
    resident: Resident | int, *, actor: User, on: dt.date | str, note: str = ""
) -> Resident:
    """A person who had moved out lives in the household again (迁回/迁入) from ``on``."""
    return _status_move(resident, actor=actor, target=PersonStatus.PRESENT, on=on, note=note)


#: Moving in again is moving back: a new person moves in through ``add_resident``.
record_moved_in = record_moved_back


@transaction.atomic
def set_resident_status(
    resident: Resident | int,
    *,
    actor: User,
    status: str,
    on: dt.date | str | None,
    note: str = "",
) -> Resident:
    """One of the moves above by its target status (the pages' one form)."""
    target = clean_choice(status, PersonStatus, field="status")
    return _status_move(resident, actor=actor, target=target, on=on, note=note)
