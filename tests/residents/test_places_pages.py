"""The grid-basics staff pages: the overview, the lists (search, filters, pages), a
household (members with masked ID numbers and phones, its history), the forms, and who
gets 403 or 404."""

# ruff: noqa: F811  (the grids fixture is imported from test_places_actions)
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.residents.actions.households import (
    add_resident,
    create_household,
    record_moved_out,
)
from grassroots.residents.actions.places import create_place
from grassroots.residents.models import Household, Place, Resident
from tests.conftest import valid_id_number
from tests.residents.test_places_actions import grids  # noqa: F401 -- a fixture

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)
ID_A = valid_id_number("19800101", 701)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family(grid_worker: Any, tree: dict[str, Any]) -> Household:
    """Household 0101 of the tree's grid: 吉克阿依 (head, ID_A, a phone) and her son."""
    household = create_household(
        actor=grid_worker, grid=tree["grid"], number="0101", address="礼州村1组12号"
    )
    add_resident(
        household,
        actor=grid_worker,
        name="吉克阿依",
        relationship="head",
        id_number=ID_A,
        phone="13812345678",
    )
    add_resident(
        household,
        actor=grid_worker,
        name="吉克拉且",
        relationship="child",
        gender="m",
        residence="floating",
    )
    return household


def text_of(response: Any) -> str:
    return str(response.content.decode())


# --- who may see ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/residents/", "/residents/households/", "/residents/places/", "/residents/m/"]
)
def test_departments_and_supervisors_are_refused(
    login: Any, dept_staff: Any, supervisor: Any, url: str
) -> None:
    assert login(dept_staff).get(url).status_code == 403
    assert login(supervisor).get(url).status_code == 403


def test_a_household_outside_the_scope_is_not_found(
    login: Any, family: Household, outsider: Any, neighbour_cadre: Any, city_admin: Any
) -> None:
    person = family.members.first()
    assert person is not None
    for user in (outsider, neighbour_cadre):
        client = login(user)
        for url in (
            f"/residents/households/{family.pk}/",
            f"/residents/households/{family.pk}/edit/",
            f"/residents/members/{person.pk}/edit/",
            f"/residents/m/households/{family.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/residents/members/{person.pk}/status/", {}).status_code == 404
    admin = login(city_admin)
    assert admin.get(f"/residents/households/{family.pk}/").status_code == 200
    assert admin.get(f"/residents/households/{family.pk}/edit/").status_code == 403
    assert admin.get("/residents/households/99999/").status_code == 404
    assert admin.get("/residents/households/abc/").status_code == 404


def test_the_nav_lists_grid_basics_for_those_who_may_see_them(
    grid_worker: Any, city_admin: Any, dept_staff: Any, supervisor: Any
) -> None:
    from grassroots.common.nav import items_for

    def keys(user: Any) -> list[str]:
        return [item["key"] for item in items_for(user)]

    assert "residents.home" in keys(grid_worker) and "residents.home" in keys(city_admin)
    assert "residents.home" not in keys(dept_staff) and "residents.home" not in keys(supervisor)
    entry = next(i for i in items_for(grid_worker) if i["key"] == "residents.home")
    assert (entry["url"], str(entry["label"]), entry["icon"]) == ("/residents/", "网格基础", "🏘️")


# --- the overview ---------------------------------------------------------------------------


def test_the_overview_counts_the_grid_by_village(
    login: Any,
    family: Household,
    grid_worker: Any,
    village_cadre: Any,
    city_admin: Any,
    tree: dict[str, Any],
) -> None:
    create_place(actor=grid_worker, grid=tree["grid"], kind="rental", name="出租大院")
    gone = add_resident(
        family, actor=grid_worker, name="吉克石且", relationship="child", gender="m"
    )
    record_moved_out(gone, actor=grid_worker, on="2026-03-01")

    for user in (grid_worker, village_cadre, city_admin):
        response = login(user).get("/residents/")
        assert response.status_code == 200
        page = text_of(response)
        assert "礼州村" in page and "礼州村第1网格" in page
        assert "网格基础" in page
        total = response.context["total"]
        assert (total.households, total.registered, total.floating) == (1, 1, 1)
        assert (total.moved_out, total.deceased, total.places) == (1, 0, {"rental": 1})


def test_the_overview_takes_a_fixed_number_of_queries(
    login: Any, city_admin: Any, tree: dict[str, Any], make_household: Any
) -> None:
    from grassroots.org.models import Unit, UnitKind

    def add_villages(start: int, n: int) -> None:
        for i in range(start, start + n):
            village = Unit.objects.create(
                code=f"513401101{300 + i}",
                name=f"新村{i}",
                kind=UnitKind.VILLAGE,
                parent=tree["lizhou"],
            )
            for j in range(2):
                grid = Unit.objects.create(
                    code=f"{village.code}00{j}",
                    name=f"新村{i}第{j}网格",
                    kind=UnitKind.GRID,
                    parent=village,
                )
                make_household(members=2, grid=grid)

    client = login(city_admin)
    add_villages(0, 2)
    few = queries_of(client, "/residents/")
    add_villages(2, 8)
    assert queries_of(client, "/residents/") == few


# --- the households list --------------------------------------------------------------------


def queries_of(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("0101", True),
        ("1组12号", True),
        ("拉且", True),
        (ID_A, True),
        (ID_A.lower(), True),
        (valid_id_number("19800101", 702), False),
        ("nobody", False),
        ("\x00", True),
    ],
)
def test_the_households_list_searches(
    login: Any, family: Household, village_cadre: Any, make_household: Any, query: str, found: bool
) -> None:
    make_household(members=1)

    response = login(village_cadre).get("/residents/households/", {"q": query})

    assert response.status_code == 200
    numbers = [h.number for h in response.context["page"].object_list]
    assert ("0101" in numbers) is found
    if query not in ("\x00",) and found:
        assert numbers == ["0101"]


def test_the_households_list_filters_and_pages(
    login: Any, family: Household, xc_secretary: Any, grids: dict[str, Any], make_household: Any
) -> None:
    for _ in range(31):
        make_household(members=1, grid=grids["neighbour"])
    client = login(xc_secretary)

    by_grid = client.get("/residents/households/", {"grid": grids["grid"].code})
    by_village = client.get("/residents/households/", {"village": "513401101202"})
    floating = client.get("/residents/households/", {"residence": "floating"})
    second = client.get("/residents/households/", {"village": "513401101202", "page": "2"})
    bad = client.get("/residents/households/", {"grid": "nope", "status": "x", "page": "abc"})

    assert [h.number for h in by_grid.context["page"].object_list] == ["0101"]
    assert by_village.context["page"].paginator.count == 31
    assert [h.number for h in floating.context["page"].object_list] == ["0101"]
    assert len(second.context["page"].object_list) == 1
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 32
    row = by_grid.context["page"].object_list[0]
    assert (row.head_name, row.present_count) == ("吉克阿依", 2)


def test_the_households_list_takes_the_same_queries_for_more_rows(
    login: Any, village_cadre: Any, make_household: Any
) -> None:
    client = login(village_cadre)
    for _ in range(2):
        make_household(members=3)
    few = queries_of(client, "/residents/households/")
    for _ in range(25):
        make_household(members=3)
    assert queries_of(client, "/residents/households/") == few


# --- a household ----------------------------------------------------------------------------


def test_a_household_shows_members_with_masked_id_and_phone_and_its_history(
    login: Any, family: Household, village_cadre: Any
) -> None:
    response = login(village_cadre).get(f"/residents/households/{family.pk}/")

    page = text_of(response)
    assert response.status_code == 200
    assert "吉克阿依" in page and "吉克拉且" in page  # full names within the scope
    assert ID_A not in page and "13812345678" not in page
    assert ID_A[:4] + "*" * 12 + ID_A[-2:] in page and "138****5678" in page
    assert "流动人口" in page
    assert "添加成员" in page  # the history's entries
    assert len(response.context["history"]) == 3


def test_a_member_is_edited_without_the_full_number_on_the_form(
    login: Any, family: Household, grid_worker: Any
) -> None:
    head = family.members.get(relationship="head")
    client = login(grid_worker)
    url = f"/residents/members/{head.pk}/edit/"

    form = client.get(url)
    assert form.status_code == 200
    assert ID_A not in text_of(form) and "13812345678" not in text_of(form)

    kept = client.post(
        url,
        {"name": "吉克阿依", "relationship": "head", "residence": "registered", "note": "低保户"},
    )
    assert kept.status_code == 302
    head.refresh_from_db()
    assert (head.id_number, head.phone, head.note) == (ID_A, "13812345678", "低保户")

    wrong = client.post(
        url,
        {
            "name": "吉克阿依",
            "relationship": "head",
            "residence": "registered",
            "id_number": ID_A[:17] + ("0" if ID_A[17] != "0" else "1"),
        },
    )
    assert wrong.status_code == 400
    assert "校验" in text_of(wrong)

    cleared = client.post(
        url,
        {
            "name": "吉克阿依",
            "relationship": "head",
            "residence": "registered",
            "clear_phone": "on",
        },
    )
    assert cleared.status_code == 302
    head.refresh_from_db()
    assert head.phone == "" and head.id_number == ID_A


def test_a_household_is_opened_and_a_member_added_through_the_forms(
    login: Any, family: Household, grid_worker: Any, tree: dict[str, Any]
) -> None:
    client = login(grid_worker)

    taken = client.post(
        "/residents/households/new/", {"grid": str(tree["grid"].pk), "number": "0101"}
    )
    assert taken.status_code == 400
    assert "0101" in text_of(taken) and Household.objects.count() == 1

    made = client.post(
        "/residents/households/new/",
        {"grid": str(tree["grid"].pk), "number": "0102", "address": "礼州村1组13号"},
    )
    assert made.status_code == 302
    household = Household.objects.get(number="0102")
    assert made["Location"] == f"/residents/households/{household.pk}/"

    held = client.post(
        f"/residents/households/{household.pk}/members/new/",
        {"name": "别人", "relationship": "head", "id_number": ID_A, "residence": "registered"},
    )
    assert held.status_code == 400
    assert "已登记：礼州村 0101 户的 吉***" in text_of(held)
    assert text_of(held).count(ID_A) == 1  # only as typed, back in its input

    added = client.post(
        f"/residents/households/{household.pk}/members/new/",
        {"name": "沙马阿果", "relationship": "head", "gender": "f", "residence": "floating"},
    )
    assert added.status_code == 302
    assert household.members.get().name == "沙马阿果"


def test_a_members_move_is_posted_from_the_household_page(
    login: Any, family: Household, grid_worker: Any
) -> None:
    son = family.members.get(relationship="child")
    client = login(grid_worker)
    url = f"/residents/members/{son.pk}/status/"

    assert client.get(url).status_code == 405
    future = client.post(url, {"status": "moved_out", "on": "2026-06-01"})
    assert future.status_code == 400 and "晚于今天" in text_of(future)
    bad = client.post(url, {"status": "moved_out", "on": "not a date"})
    assert bad.status_code == 400
    done = client.post(url, {"status": "deceased", "on": "2026-05-01", "note": "病故"})
    assert done.status_code == 302
    son.refresh_from_db()
    assert (son.status, son.died_on) == ("deceased", dt.date(2026, 5, 1))
    again = client.post(url, {"status": "present", "on": "2026-05-10"})
    assert again.status_code == 409


def test_a_household_moves_and_moves_out_through_its_forms(
    login: Any, family: Household, xc_secretary: Any, grids: dict[str, Any]
) -> None:
    client = login(xc_secretary)

    moved = client.post(
        f"/residents/households/{family.pk}/move/", {"grid": str(grids["grid2"].pk)}
    )
    assert moved.status_code == 302
    family.refresh_from_db()
    assert family.grid == grids["grid2"]

    out = client.post(
        f"/residents/households/{family.pk}/status/", {"status": "moved_out", "on": "2026-05-02"}
    )
    assert out.status_code == 302
    assert set(Resident.objects.values_list("status", flat=True)) == {"moved_out"}
    client.post(f"/residents/households/{family.pk}/status/", {"status": "dissolved"})
    back = client.post(f"/residents/households/{family.pk}/status/", {"status": "active"})
    assert back.status_code == 409


# --- places ---------------------------------------------------------------------------------


def test_places_are_listed_filtered_and_recorded(
    login: Any, grid_worker: Any, village_cadre: Any, tree: dict[str, Any], grids: dict[str, Any]
) -> None:
    create_place(
        actor=village_cadre,
        grid=grids["grid2"],
        kind="business",
        name="小卖部",
        manager_phone="13912345678",
    )
    client = login(grid_worker)

    made = client.post(
        "/residents/places/new/",
        {
            "grid": str(tree["grid"].pk),
            "kind": "rental",
            "name": "礼州出租大院",
            "manager_phone": "0834-3221234",
            "capacity": "12",
        },
    )
    assert made.status_code == 302
    refused = client.post(
        "/residents/places/new/",
        {"grid": str(grids["grid2"].pk), "kind": "rental", "name": "别处"},
    )
    assert refused.status_code == 400  # not one of the worker's grids

    mine = client.get("/residents/places/")
    assert [p.name for p in mine.context["page"].object_list] == ["礼州出租大院"]
    everything = login(village_cadre).get("/residents/places/", {"kind": "business"})
    page = text_of(everything)
    assert [p.name for p in everything.context["page"].object_list] == ["小卖部"]
    assert "13912345678" not in page and "139****5678" in page

    shop = Place.objects.get(name="小卖部")
    assert client.get(f"/residents/places/{shop.pk}/").status_code == 404
    retired = login(village_cadre).post(
        f"/residents/places/{shop.pk}/edit/",
        {"grid": str(grids["grid2"].pk), "kind": "business", "name": "小卖部"},
    )
    assert retired.status_code == 302
    shop.refresh_from_db()
    assert shop.active is False and shop.manager_phone == "13912345678"
