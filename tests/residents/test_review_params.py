"""Bad parameters on every grid-basics page: non-numeric and huge ids, impossible dates
(2026-02-30, year 10000), NUL characters in every text field and query string, over-long
text, negative numbers, a grid or record of another township, a page past the end.

A GET answers 200 (a filter that does not parse is shown with its error and not
applied) or 404; a POST answers 400 with a Chinese message on the field at fault and
writes nothing; never a 500 — on SQLite and on PostgreSQL (where a NUL character reaching
the database fails differently).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.org.models import Unit, UnitKind
from grassroots.residents.models import Household, KeyGroup, KeyPerson, Place, Resident, Visit
from tests.residents.test_care_support import day, frozen, make_category, make_group, put_in_care

pytestmark = pytest.mark.django_db

HUGE = "9" * 25
BIG = "9223372036854775808"  # one past the largest bigint
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class World:
    grid: Unit
    far_grid: Unit
    household: Household
    member: Resident
    place: Place
    far_place: Place
    kp: KeyPerson
    group: KeyGroup
    category: Any


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with frozen():
        yield


@pytest.fixture
def world(
    tree: dict[str, Any], make_household: Any, grid_worker: Any, official_calendar: None
) -> World:
    from grassroots.residents.actions.places import create_place

    far_grid = Unit.objects.create(
        code="513401102201001",
        name="安宁村第1网格",
        kind=UnitKind.GRID,
        parent=tree["other_village"],
    )
    household = make_household(members=2)
    far_place = Place.objects.create(grid=far_grid, kind="house", name="安宁民房")
    member = household.members.order_by("pk").first()
    group = make_group()
    return World(
        grid=tree["grid"],
        far_grid=far_grid,
        household=household,
        member=member,
        place=create_place(actor=grid_worker, grid=tree["grid"], kind="rental", name="大院"),
        far_place=far_place,
        kp=put_in_care(member, group, grid_worker, day("2026-09-01")),
        group=group,
        category=make_category(tree),
    )


def _counts() -> tuple[int, ...]:
    return (
        AuditEntry.objects.count(),
        Place.objects.count(),
        Household.objects.count(),
        Resident.objects.count(),
        KeyPerson.objects.filter(ended_on__isnull=True).count(),
        Visit.objects.count(),
        KeyGroup.objects.count(),
    )


# --- GET: query strings ------------------------------------------------------------------------

LISTS = (
    "residents:home",
    "residents:places",
    "residents:households",
    "residents:care",
    "residents:overdue",
    "residents:m_home",
    "residents:m_visits",
    "residents:export",
    "residents:import",
    "residents:keygroups",
    "residents:place_new",
    "residents:household_new",
    "residents:m_household_new",
    "residents:m_place_new",
)
QUERIES = (
    {"q": "a\x00b"},
    {"q": "甲" * 5000},
    {"page": "99999"},
    {"page": "-1"},
    {"page": "\x00"},
    {"page": HUGE},
    {"grid": "\x00"},
    {"grid": "513401102201001"},
    {"grid": HUGE},
    {"village": "\x00"},
    {"village": "513401102201"},
    {"unit": "\x00"},
    {"unit": "513401102"},
    {"group": "\x00"},
    {"status": "\x00"},
    {"kind": "\x00"},
    {"active": "\x00"},
    {"residence": "\x00"},
    {"state": "\x00"},
    {"overdue": "\x00"},
    {"show": "\x00"},
    {"q": "513401198001010022"},
    {"q": "%"},
    {"q": "_"},
)


@pytest.mark.parametrize("role", ["grid_worker", "village_cadre", "city_admin", "outsider"])
def test_bad_query_strings_never_fail(
    role: str, world: World, login: Any, request: pytest.FixtureRequest
) -> None:
    client: Client = login(request.getfixturevalue(role))
    before = _counts()
    wrong = []
    for name in LISTS:
        for params in QUERIES:
            response = client.get(reverse(name), params)
            if response.status_code not in (200, 403, 404):
                wrong.append(f"{name} {params!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert _counts() == before


def test_a_foreign_grid_in_the_query_shows_nothing_of_it(
    world: World, login: Any, grid_worker: Any
) -> None:
    """A grid of another township named in the filters is refused on its field, never
    listed."""
    client = login(grid_worker)
    for name in ("residents:places", "residents:households"):
        response = client.get(reverse(name), {"grid": world.far_grid.code})
        assert response.status_code == 200
        assert "grid" in response.context["form"].errors
        assert "安宁民房" not in response.content.decode()


def test_a_page_past_the_end_shows_the_last(world: World, login: Any, grid_worker: Any) -> None:
    response = login(grid_worker).get(reverse("residents:households"), {"page": "99999"})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert world.household.number in response.content.decode()


# --- record ids ----------------------------------------------------------------------------------

RECORD_URLS = (
    "/residents/places/{}/",
    "/residents/places/{}/edit/",
    "/residents/households/{}/",
    "/residents/households/{}/edit/",
    "/residents/households/{}/move/",
    "/residents/households/{}/status/",
    "/residents/households/{}/members/new/",
    "/residents/members/{}/edit/",
    "/residents/members/{}/status/",
    "/residents/m/households/{}/",
    "/residents/m/households/{}/members/new/",
    "/residents/m/members/{}/status/",
    "/residents/care/{}/",
    "/residents/care/{}/end/",
    "/residents/care/add/{}/",
    "/residents/visits/photos/{}/",
    "/residents/m/visits/{}/",
)


@pytest.mark.parametrize("pk", ["abc", "-1", "0", "1.5", HUGE, BIG, "%00", "１"])
def test_odd_ids_are_404(pk: str, world: World, login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    before = _counts()
    for pattern in RECORD_URLS:
        url = pattern.format(pk)
        for method in ("get", "post"):
            code = getattr(client, method)(url).status_code
            assert code in (404, 405), (method, url, code)
    assert _counts() == before


# --- POST: forms ---------------------------------------------------------------------------------


def _field_error(response: Any, field: str, form: str = "form") -> str:
    assert response.status_code == 400, (field, response.status_code)
    errors = response.context[form].errors
    assert field in errors, (field, dict(errors))
    message = " ".join(errors[field])
    assert CJK.search(message), message
    return message


PLACE = {"grid": "", "kind": "rental", "name": "新大院", "manager_phone": "", "capacity": ""}


def _place(world: World, **change: str) -> dict[str, str]:
    return {**PLACE, "grid": str(world.grid.pk), **change}


PLACE_BAD = (
    ("name", "大\x00院"),
    ("name", "院" * 101),
    ("name", ""),
    ("address", "\x00"),
    ("manager_name", "\x00"),
    ("manager_phone", "138\x0012345678"),
    ("manager_phone", "12345"),
    ("capacity", "-5"),
    ("capacity", HUGE),
    ("capacity", "\x00"),
    ("lat", "91"),
    ("lat", "NaN"),
    ("lat", "\x00"),
    ("lon", "-181"),
    ("note", "注" * 256),
    ("grid", "\x00"),
    ("grid", HUGE),
    ("kind", "\x00"),
)


@pytest.mark.parametrize(("field", "value"), PLACE_BAD)
@pytest.mark.parametrize("url", ["residents:place_new", "residents:m_place_new"])
def test_bad_place_forms_are_400_on_their_field(
    url: str, field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    client = login(grid_worker)
    before = _counts()
    data = _place(world, **{field: value})
    if field == "lat":
        data["lon"] = "102.2"
    _field_error(client.post(reverse(url), data), field)
    assert _counts() == before


def test_a_place_on_a_foreign_grid_is_refused(world: World, login: Any, grid_worker: Any) -> None:
    before = _counts()
    data = _place(world, grid=str(world.far_grid.pk))
    _field_error(login(grid_worker).post(reverse("residents:place_new"), data), "grid")
    assert _counts() == before


def test_a_bad_place_change_is_400(world: World, login: Any, grid_worker: Any) -> None:
    client = login(grid_worker)
    before = _counts()
    url = reverse("residents:place_edit", args=[world.place.pk])
    for field, value in PLACE_BAD:
        if field == "name" and value == "":
            continue
        data = {**_place(world, **{field: value}), "active": "on"}
        if field == "lat":
            data["lon"] = "102.2"
        _field_error(client.post(url, data), field)
    assert _counts() == before


HOUSEHOLD_BAD = (
    ("number", "\x00"),
    ("number", "1\x002"),
    ("number", "9" * 33),
    ("address", "地" * 201),
    ("address", "\x00"),
    ("note", "\x00"),
    ("place", HUGE),
    ("place", "\x00"),
    ("grid", "\x00"),
    ("grid", HUGE),
)


@pytest.mark.parametrize(("field", "value"), HOUSEHOLD_BAD)
@pytest.mark.parametrize("url", ["residents:household_new", "residents:m_household_new"])
def test_bad_household_forms_are_400_on_their_field(
    url: str, field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    before = _counts()
    data = {"grid": str(world.grid.pk), "number": "H9999", field: value}
    _field_error(login(grid_worker).post(reverse(url), data), field)
    assert _counts() == before


def test_a_household_with_a_place_of_another_township_is_refused(
    world: World, login: Any, grid_worker: Any
) -> None:
    before = _counts()
    data = {"grid": str(world.grid.pk), "number": "H9999", "place": str(world.far_place.pk)}
    _field_error(login(grid_worker).post(reverse("residents:household_new"), data), "place")
    edit = reverse("residents:household_edit", args=[world.household.pk])
    data = {"number": world.household.number, "place": str(world.far_place.pk)}
    _field_error(login(grid_worker).post(edit, data), "place")
    assert _counts() == before


@pytest.mark.parametrize("grid", ["\x00", HUGE, "513401102201001", "-1"])
def test_a_move_to_a_bad_grid_is_400(
    grid: str, world: World, login: Any, xc_secretary: Any
) -> None:
    before = _counts()
    url = reverse("residents:household_move", args=[world.household.pk])
    value = str(world.far_grid.pk) if grid == "513401102201001" else grid
    _field_error(login(xc_secretary).post(url, {"grid": value}), "grid")
    assert _counts() == before


BAD_DAYS = ("2026-02-30", "10000-01-01", "2026-13-01", "\x00", "2026-10-15\x00", HUGE)


@pytest.mark.parametrize("on", BAD_DAYS)
def test_bad_dates_of_a_household_move_out_are_400(
    on: str, world: World, login: Any, grid_worker: Any
) -> None:
    before = _counts()
    url = reverse("residents:household_status", args=[world.household.pk])
    _field_error(login(grid_worker).post(url, {"status": "moved_out", "on": on}), "on")
    assert _counts() == before


MEMBER = {"name": "新成员", "relationship": "child", "gender": "f", "residence": "registered"}
MEMBER_BAD = (
    ("name", "名\x00字"),
    ("name", "名" * 65),
    ("relationship", "\x00"),
    ("gender", "x"),
    ("id_number", "\x00"),
    ("id_number", "51340119800101002\x00"),
    ("id_number", "513401198002300021"),
    ("id_number", "51340119800101002Y"),
    ("birth_date", "2026-02-30"),
    ("birth_date", "10000-01-01"),
    ("birth_date", "2027-01-01"),
    ("birth_date", "1800-01-01"),
    ("phone", "\x00"),
    ("phone", "1" * 33),
    ("residence", "\x00"),
    ("moved_in_on", "2026-02-30"),
    ("moved_in_on", "10000-01-01"),
    ("note", "\x00"),
)


@pytest.mark.parametrize(("field", "value"), MEMBER_BAD)
def test_bad_member_forms_are_400_on_their_field(
    field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    client = login(grid_worker)
    before = _counts()
    for url in (
        reverse("residents:member_add", args=[world.household.pk]),
        reverse("residents:m_member_add", args=[world.household.pk]),
        reverse("residents:member_edit", args=[world.member.pk]),
    ):
        data = {**MEMBER, field: value}
        if "edit" in url and field == "relationship":
            data["relationship"] = "\x00"
        _field_error(client.post(url, data), field)
    assert _counts() == before


@pytest.mark.parametrize(("field", "value"), [("on", d) for d in BAD_DAYS] + [("status", "\x00")])
def test_bad_member_moves_are_400(
    field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    client = login(grid_worker)
    before = _counts()
    data = {"status": "moved_out", "on": "2026-10-01", field: value}
    for name in ("residents:member_status", "residents:m_member_status"):
        url = reverse(name, args=[world.member.pk])
        _field_error(client.post(url, data), field, "failed_form")
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("since", d) for d in BAD_DAYS] + [("group", "\x00"), ("note", "\x00"), ("note", "注" * 256)],
)
def test_bad_care_forms_are_400(
    field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    other = world.household.members.exclude(pk=world.member.pk).get()
    data = {"group": world.group.code, "since": "2026-10-01", field: value}
    before = _counts()
    response = login(grid_worker).post(reverse("residents:care_add", args=[other.pk]), data)
    _field_error(response, field)
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("ended_on", d) for d in BAD_DAYS] + [("reason", "\x00"), ("reason", "因" * 256)],
)
def test_bad_care_ends_are_400(
    field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    data = {"ended_on": "2026-10-01", "reason": "不再需要", field: value}
    before = _counts()
    response = login(grid_worker).post(reverse("residents:care_end", args=[world.kp.pk]), data)
    _field_error(response, field, "end_form")
    assert _counts() == before


VISIT_BAD = (
    *(("visited_on", d) for d in BAD_DAYS),
    ("met", "\x00"),
    ("findings", "见\x00到"),
    ("findings", "见" * 2001),
    ("category", HUGE),
    ("category", "\x00"),
    ("title", "\x00"),
    ("title", "题" * 121),
    ("idempotency_key", "\x00"),
    ("idempotency_key", "k" * 65),
)


@pytest.mark.parametrize(("field", "value"), VISIT_BAD)
def test_bad_visits_are_400(
    field: str, value: str, world: World, login: Any, grid_worker: Any
) -> None:
    data = {
        "visited_on": "2026-10-10",
        "met": "person",
        "findings": "屋顶漏雨",
        "problem_found": "on",
        "category": world.category.code,
        "title": "屋顶漏雨",
        "idempotency_key": "k-1",
        field: value,
    }
    before = _counts()
    response = login(grid_worker).post(reverse("residents:m_visit", args=[world.kp.pk]), data)
    _field_error(response, field)
    assert _counts() == before


KEYGROUP_BAD = (
    ("code", "\x00"),
    ("code", "A B"),
    ("code", "c" * 33),
    ("name", "\x00"),
    ("name", "名" * 65),
    ("description", "\x00"),
    ("visit_every_days", "-1"),
    ("visit_every_days", "0"),
    ("visit_every_days", HUGE),
    ("visit_every_days", "\x00"),
    ("order", "-1"),
    ("order", HUGE),
)


@pytest.mark.parametrize(("field", "value"), KEYGROUP_BAD)
def test_bad_key_groups_are_400(
    field: str, value: str, world: World, login: Any, city_admin: Any
) -> None:
    data = {"code": "new_group", "name": "新群体", "visit_every_days": "30", "order": "0"}
    before = _counts()
    response = login(city_admin).post(reverse("residents:keygroups"), {**data, field: value})
    _field_error(response, field)
    assert _counts() == before


def test_a_key_group_named_by_a_bad_code_is_404(world: World, login: Any, city_admin: Any) -> None:
    client = login(city_admin)
    for code in ("\x00", "nope", "a" * 500):
        assert client.get(reverse("residents:keygroups"), {"group": code}).status_code == 404
        data = {"group": code, "name": "x", "visit_every_days": "3", "order": "0"}
        assert client.post(reverse("residents:keygroups"), data).status_code == 404


def test_a_confirm_without_a_checked_file_is_400(
    world: World, login: Any, village_cadre: Any
) -> None:
    client = login(village_cadre)
    before = _counts()
    for token in ("", "\x00", "a" * 32, "../../etc"):
        response = client.post(reverse("residents:import"), {"confirm": "1", "token": token})
        assert response.status_code == 400
        assert CJK.search(response.context["problem"])
    assert _counts() == before
