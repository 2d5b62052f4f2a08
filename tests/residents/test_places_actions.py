"""The actions that keep a grid's places, households and residents current: the rules
(each refusal names its field and writes nothing), scope, the audit log (personal data
masked), ID-number uniqueness through the blind index, and the status moves."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.common.crypto import digest
from grassroots.org.models import Unit, UnitKind
from grassroots.residents.actions.households import (
    add_resident,
    create_household,
    move_household,
    record_deceased,
    record_moved_back,
    record_moved_out,
    set_household_status,
    update_household,
    update_resident,
)
from grassroots.residents.actions.places import create_place, update_place
from grassroots.residents.errors import IllegalTransition, ResidentsError
from grassroots.residents.models import Household, KeyGroup, KeyPerson, Place, Resident
from tests.conftest import valid_id_number

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)
ID_A = valid_id_number("19800101", 501)
ID_B = valid_id_number("19900215", 502, male=False)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def grids(tree: dict[str, Any]) -> dict[str, Unit]:
    """A second grid of 礼州村, a grid of 田坝村 and one of 安宁村 beside the tree's grid."""

    def grid(code: str, name: str, village: Unit) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=UnitKind.GRID, parent=village)

    return {
        "grid": tree["grid"],
        "grid2": grid("513401101201002", "礼州村第2网格", tree["village"]),
        "neighbour": grid("513401101202001", "田坝村第1网格", tree["neighbour_village"]),
        "other": grid("513401102201001", "安宁村第1网格", tree["other_village"]),
    }


def audit_text(action: str) -> str:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, action
    return json.dumps([entry.before, entry.after, entry.object_repr], ensure_ascii=False)


def new_household(actor: Any, grid: Unit, number: str = "0101", **kw: Any) -> Household:
    return create_household(actor=actor, grid=grid, number=number, **kw)


def new_person(actor: Any, household: Household, **kw: Any) -> Resident:
    fields: dict[str, Any] = {"name": "吉克阿依", "relationship": "head", "id_number": ID_A}
    fields.update(kw)
    return add_resident(household, actor=actor, **fields)


# --- places ---------------------------------------------------------------------------------


def test_a_place_is_recorded_with_its_manager_phone_masked_in_the_log(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    place = create_place(
        actor=grid_worker,
        grid=grids["grid"],
        kind="rental",
        name="礼州出租大院",
        manager_name="王房东",
        manager_phone="138 1234 5678",
        capacity="12",
        lat="27.9",
        lon="102.2",
    )

    assert place.manager_phone == "13812345678" and place.capacity == 12
    logged = audit_text("residents.place.created")
    assert "13812345678" not in logged and "138****5678" in logged
    assert "王房东" not in logged and "王**" in logged


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"manager_phone": "12345"}, "manager_phone"),
        ({"lat": "27.9"}, "lon"),
        ({"lat": "97", "lon": "102"}, "lat"),
        ({"kind": "castle"}, "kind"),
        ({"name": "  "}, "name"),
        ({"capacity": "-1"}, "capacity"),
    ],
)
def test_a_bad_place_names_the_field_and_writes_nothing(
    grid_worker: Any, grids: dict[str, Unit], fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"grid": grids["grid"], "kind": "house", "name": "民房"}
    values.update(fields)

    with pytest.raises(ResidentsError) as caught:
        create_place(actor=grid_worker, **values)

    assert caught.value.field == field
    assert not Place.objects.exists()


def test_a_place_goes_only_on_a_grid_in_scope(
    grid_worker: Any, outsider: Any, city_admin: Any, tree: dict[str, Any], grids: dict[str, Unit]
) -> None:
    with pytest.raises(PermissionDenied):
        create_place(actor=grid_worker, grid=grids["grid2"], kind="house", name="民房")
    with pytest.raises(PermissionDenied):
        create_place(actor=outsider, grid=grids["grid"], kind="house", name="民房")
    with pytest.raises(PermissionDenied):  # the city sees, it does not keep the register
        create_place(actor=city_admin, grid=grids["grid"], kind="house", name="民房")
    with pytest.raises(ResidentsError) as caught:
        create_place(actor=grid_worker, grid=tree["village"], kind="house", name="民房")
    assert caught.value.field == "grid"


def test_a_place_with_households_stays_on_its_grid(
    village_cadre: Any, grids: dict[str, Unit]
) -> None:
    place = create_place(actor=village_cadre, grid=grids["grid"], kind="compound", name="小区")
    new_household(village_cadre, grids["grid"], place=place)

    with pytest.raises(ResidentsError) as caught:
        update_place(place, actor=village_cadre, changes={"grid": grids["grid2"].pk})

    assert caught.value.field == "grid"
    place.refresh_from_db()
    assert place.grid == grids["grid"]


def test_a_place_is_retired_and_brought_back(grid_worker: Any, grids: dict[str, Unit]) -> None:
    place = create_place(actor=grid_worker, grid=grids["grid"], kind="business", name="小卖部")

    update_place(place, actor=grid_worker, changes={"active": False})

    place.refresh_from_db()
    assert place.active is False
    assert AuditEntry.objects.filter(action="residents.place.retired").count() == 1
    update_place(place, actor=grid_worker, changes={"active": True, "name": "小卖部"})
    assert AuditEntry.objects.filter(action="residents.place.restored").count() == 1


# --- households -----------------------------------------------------------------------------


def test_a_household_belongs_to_its_grids_village_and_its_number_is_unique_there(
    village_cadre: Any, neighbour_cadre: Any, grids: dict[str, Unit], tree: dict[str, Any]
) -> None:
    first = new_household(village_cadre, grids["grid"], "0101", address="礼州村1组1号")
    assert first.village == tree["village"]

    with pytest.raises(ResidentsError) as caught:
        new_household(village_cadre, grids["grid2"], " 0101 ")
    assert caught.value.field == "number" and "0101" in caught.value.message
    assert Household.objects.count() == 1

    other = new_household(neighbour_cadre, grids["neighbour"], "0101")  # another village
    assert other.village == tree["neighbour_village"]
    assert AuditEntry.objects.filter(action="residents.household.created").count() == 2


def test_a_households_number_stays_unique_on_update_and_on_a_move(
    village_cadre: Any, xc_secretary: Any, grids: dict[str, Unit]
) -> None:
    kept = new_household(village_cadre, grids["grid"], "0102")
    moving = new_household(xc_secretary, grids["neighbour"], "0102")

    with pytest.raises(ResidentsError) as caught:
        move_household(moving, actor=xc_secretary, grid=grids["grid2"])
    assert caught.value.field == "number"
    other = new_household(village_cadre, grids["grid"], "0103")
    with pytest.raises(ResidentsError) as caught:
        update_household(other, actor=village_cadre, changes={"number": "0102 "})
    assert caught.value.field == "number"
    update_household(kept, actor=village_cadre, changes={"number": " 0102"})  # no change
    assert not AuditEntry.objects.filter(action="residents.household.updated").exists()


def test_a_moved_household_takes_its_care_records_and_leaves_its_place(
    xc_secretary: Any, grids: dict[str, Unit]
) -> None:
    place = create_place(actor=xc_secretary, grid=grids["grid"], kind="compound", name="小区")
    household = new_household(xc_secretary, grids["grid"], "0103", place=place)
    person = new_person(xc_secretary, household)
    group = KeyGroup.objects.create(code="alone", name="独居老人")
    care = KeyPerson.objects.create(
        resident=person, group=group, grid=grids["grid"], due_on=dt.date(2026, 6, 1)
    )

    move_household(household, actor=xc_secretary, grid=grids["neighbour"], note="搬迁")

    household.refresh_from_db()
    care.refresh_from_db()
    assert household.grid == grids["neighbour"] and household.village == grids["neighbour"].parent
    assert household.place is None
    assert care.grid == grids["neighbour"]
    with pytest.raises(ResidentsError) as caught:
        move_household(household, actor=xc_secretary, grid=grids["neighbour"])
    assert caught.value.field == "grid"


def test_a_grid_worker_cannot_move_a_household_out_of_their_grids(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])

    with pytest.raises(PermissionDenied):
        move_household(household, actor=grid_worker, grid=grids["grid2"])
    household.refresh_from_db()
    assert household.grid == grids["grid"]


def test_a_household_moving_out_takes_the_members_living_there(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])
    head = new_person(grid_worker, household)
    gone = new_person(
        grid_worker, household, name="吉克拉且", relationship="child", id_number="", gender="f"
    )
    gone_before = add_resident(
        household, actor=grid_worker, name="吉克石且", relationship="child", gender="m"
    )
    record_deceased(gone_before, actor=grid_worker, on="2026-01-05")

    set_household_status(household, actor=grid_worker, status="moved_out", on="2026-05-01")

    statuses = dict(Resident.objects.values_list("pk", "status"))
    assert statuses == {head.pk: "moved_out", gone.pk: "moved_out", gone_before.pk: "deceased"}
    assert Resident.objects.get(pk=head.pk).moved_out_on == dt.date(2026, 5, 1)
    with pytest.raises(ResidentsError) as caught:
        new_person(grid_worker, household, name="新人", id_number="", gender="f")
    assert caught.value.field == "household"

    set_household_status(household, actor=grid_worker, status="dissolved")
    with pytest.raises(IllegalTransition):
        set_household_status(household, actor=grid_worker, status="active")


# --- residents ------------------------------------------------------------------------------


def test_a_resident_takes_birth_date_and_gender_from_the_id_number_and_is_logged_masked(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])

    person = new_person(grid_worker, household, id_number=ID_B.lower(), phone="0834-3221234")

    person.refresh_from_db()
    assert person.id_number == ID_B
    assert person.id_digest == digest(ID_B)
    assert person.birth_date == dt.date(1990, 2, 15) and person.gender == "f"
    assert person.phone == "0834-3221234"
    logged = audit_text("residents.resident.added")
    assert ID_B not in logged and ID_B[:4] in logged
    assert "吉克阿依" not in logged and "吉***" in logged


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": ID_A[:17] + ("1" if ID_A[17] != "1" else "2")}, "id_number"),
        ({"id_number": ID_A[:16]}, "id_number"),
        ({"id_number": ID_A, "birth_date": "1980-01-02"}, "id_number"),
        ({"id_number": ID_A, "gender": "f"}, "id_number"),
        ({"id_number": "", "gender": ""}, "gender"),
        ({"phone": "1381234567"}, "phone"),
        ({"relationship": "boss"}, "relationship"),
        ({"birth_date": "2027-01-01", "id_number": "", "gender": "m"}, "birth_date"),
        ({"moved_in_on": "1979-12-31"}, "moved_in_on"),
        ({"name": "\x00"}, "name"),
    ],
)
def test_a_bad_resident_names_the_field_and_writes_nothing(
    grid_worker: Any, grids: dict[str, Unit], fields: dict[str, Any], field: str
) -> None:
    household = new_household(grid_worker, grids["grid"])

    with pytest.raises(ResidentsError) as caught:
        new_person(grid_worker, household, **fields)

    assert caught.value.field == field
    assert not Resident.objects.exists()


def test_an_id_number_is_held_once_and_the_error_names_its_household(
    grid_worker: Any, xc_secretary: Any, outsider: Any, grids: dict[str, Unit]
) -> None:
    first = new_household(grid_worker, grids["grid"], "0201")
    new_person(grid_worker, first)
    second = new_household(grid_worker, grids["grid"], "0202")

    with pytest.raises(ResidentsError) as caught:
        new_person(grid_worker, second, name="别人", relationship="head")
    assert caught.value.field == "id_number"
    assert "0201" in caught.value.message and "吉***" in caught.value.message
    assert "吉克阿依" not in caught.value.message

    elsewhere = new_household(outsider, grids["other"], "0201")
    with pytest.raises(ResidentsError) as caught:
        new_person(outsider, elsewhere)
    assert caught.value.field == "id_number"
    assert "0201" not in caught.value.message  # the holder's household is not the outsider's
    assert Resident.objects.count() == 1


def test_an_id_number_given_back_is_no_change_and_anothers_is_refused(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])
    one = new_person(grid_worker, household)
    two = new_person(grid_worker, household, name="吉克石且", relationship="spouse", id_number=ID_B)

    same = update_resident(one, actor=grid_worker, changes={"id_number": ID_A.lower()})
    assert same.updated_at == one.updated_at
    with pytest.raises(ResidentsError) as caught:
        update_resident(two, actor=grid_worker, changes={"id_number": ID_A})
    assert caught.value.field == "id_number"

    update_resident(two, actor=grid_worker, changes={"id_number": "", "phone": "13912345678"})
    two.refresh_from_db()
    assert two.id_number == "" and two.id_digest == "" and two.gender == "f"
    logged = audit_text("residents.resident.updated")
    assert ID_B not in logged and "13912345678" not in logged


def test_a_household_has_one_head_living_there(grid_worker: Any, grids: dict[str, Unit]) -> None:
    household = new_household(grid_worker, grids["grid"])
    head = new_person(grid_worker, household)
    child = new_person(
        grid_worker, household, name="吉克拉且", relationship="child", id_number="", gender="m"
    )

    with pytest.raises(ResidentsError) as caught:
        update_resident(child, actor=grid_worker, changes={"relationship": "head"})
    assert caught.value.field == "relationship" and "吉***" in caught.value.message

    record_moved_out(head, actor=grid_worker, on="2026-05-01")
    update_resident(child, actor=grid_worker, changes={"relationship": "head"})
    with pytest.raises(ResidentsError) as caught:
        record_moved_back(head, actor=grid_worker, on="2026-05-10")
    assert caught.value.field == "status"


def test_the_status_moves_follow_the_table_with_their_dates(
    grid_worker: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])
    person = new_person(grid_worker, household, moved_in_on="2000-01-01")

    for on, field in (("2026-05-21", "on"), ("1979-12-31", "on"), ("1999-12-31", "on")):
        with pytest.raises(ResidentsError) as caught:
            record_moved_out(person, actor=grid_worker, on=on)
        assert caught.value.field == field
    with pytest.raises(IllegalTransition):
        record_moved_back(person, actor=grid_worker, on="2026-05-01")

    record_moved_out(person, actor=grid_worker, on="2026-03-01", note="外出务工")
    person.refresh_from_db()
    assert (person.status, person.moved_out_on) == ("moved_out", dt.date(2026, 3, 1))
    with pytest.raises(ResidentsError):
        record_moved_back(person, actor=grid_worker, on="2026-02-28")
    record_moved_back(person, actor=grid_worker, on="2026-04-01")
    person.refresh_from_db()
    assert (person.status, person.moved_in_on, person.moved_out_on) == (
        "present",
        dt.date(2026, 4, 1),
        None,
    )
    record_deceased(person, actor=grid_worker, on="2026-05-02")
    for action in (record_moved_out, record_moved_back, record_deceased):
        with pytest.raises(IllegalTransition):
            action(person, actor=grid_worker, on="2026-05-03")
    verbs = list(
        AuditEntry.objects.filter(object_type="residents.resident").values_list("action", flat=True)
    )
    assert sorted(verbs) == sorted(
        [
            "residents.resident.added",
            "residents.resident.moved_out",
            "residents.resident.moved_back",
            "residents.resident.deceased",
        ]
    )


def test_residents_are_kept_only_by_those_who_may_edit_the_grid(
    grid_worker: Any, city_admin: Any, outsider: Any, neighbour_cadre: Any, grids: dict[str, Unit]
) -> None:
    household = new_household(grid_worker, grids["grid"])
    person = new_person(grid_worker, household)

    for actor in (city_admin, outsider, neighbour_cadre):
        with pytest.raises(PermissionDenied):
            new_person(
                actor, household, name="某人", id_number="", gender="m", relationship="child"
            )
        with pytest.raises(PermissionDenied):
            record_moved_out(person, actor=actor, on="2026-05-01")
        with pytest.raises(PermissionDenied):
            update_household(household, actor=actor, changes={"address": "x"})
    assert Resident.objects.count() == 1
