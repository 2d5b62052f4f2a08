"""The grid worker's phone pages: my grid's households with a search, a household with its
members (masked), adding a household, a place and a member, marking a member moved out or
deceased."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from grassroots.residents.actions.households import add_resident, create_household
from grassroots.residents.models import Household, Place, Resident
from tests.conftest import valid_id_number

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)
ID_A = valid_id_number("19800101", 901)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def household(grid_worker: Any, tree: dict[str, Any]) -> Household:
    found = create_household(
        actor=grid_worker, grid=tree["grid"], number="0301", address="礼州村3组1号"
    )
    add_resident(
        found,
        actor=grid_worker,
        name="海来阿呷",
        relationship="head",
        id_number=ID_A,
        phone="13812345678",
    )
    return found


def test_my_grids_households_are_listed_and_searched(
    login: Any, household: Household, grid_worker: Any, make_household: Any
) -> None:
    make_household(members=1)
    client = login(grid_worker)

    page = client.get("/residents/m/")
    found = client.get("/residents/m/", {"q": "海来"})
    by_id = client.get("/residents/m/", {"q": ID_A})

    assert page.status_code == 200
    text = page.content.decode()
    assert "我的网格住户" in text and "新建住户" in text and "0301 · 海来阿呷" in text
    assert page.context["page"].paginator.count == 2
    assert [h.number for h in found.context["page"]] == ["0301"]
    assert [h.number for h in by_id.context["page"]] == ["0301"]


def test_a_household_on_the_phone_shows_members_masked_and_marks_a_move(
    login: Any, household: Household, grid_worker: Any, outsider: Any
) -> None:
    client = login(grid_worker)
    person = household.members.get()

    page = client.get(f"/residents/m/households/{household.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "海来阿呷" in text and ID_A not in text and "13812345678" not in text
    assert "138****5678" in text and "迁出" in text and "死亡" in text
    assert login(outsider).get(f"/residents/m/households/{household.pk}/").status_code == 404

    url = f"/residents/m/members/{person.pk}/status/"
    assert client.get(url).status_code == 405
    late = client.post(url, {"status": "moved_out", "on": "2026-05-21"})
    assert late.status_code == 400 and "晚于今天" in late.content.decode()
    done = client.post(url, {"status": "moved_out", "on": "2026-05-19"})
    assert (
        done.status_code == 302 and done["Location"] == f"/residents/m/households/{household.pk}/"
    )
    person.refresh_from_db()
    assert (person.status, person.moved_out_on) == ("moved_out", dt.date(2026, 5, 19))


def test_a_household_a_member_and_a_place_are_added_on_the_phone(
    login: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    client = login(grid_worker)
    grid = tree["grid"]

    form = client.get(f"/residents/m/households/new/?grid={grid.code}")
    assert form.status_code == 200 and 'type="submit"' in form.content.decode()
    made = client.post("/residents/m/households/new/", {"grid": str(grid.pk), "number": "0302"})
    assert made.status_code == 302
    household = Household.objects.get(number="0302")
    assert made["Location"] == f"/residents/m/households/{household.pk}/"

    bad = client.post(
        f"/residents/m/households/{household.pk}/members/new/",
        {"name": "某人", "relationship": "head", "residence": "registered"},
    )
    assert bad.status_code == 400 and "必填" in bad.content.decode()
    added = client.post(
        f"/residents/m/households/{household.pk}/members/new/",
        {"name": "某人", "relationship": "head", "gender": "m", "residence": "floating"},
    )
    assert added.status_code == 302
    assert Resident.objects.get(household=household).residence == "floating"

    place = client.post(
        "/residents/m/places/new/",
        {"grid": str(grid.pk), "kind": "business", "name": "礼州小卖部"},
    )
    assert place.status_code == 302
    assert Place.objects.get().name == "礼州小卖部"


def test_the_city_office_sees_but_does_not_edit_on_the_phone(
    login: Any, household: Household, city_admin: Any
) -> None:
    client = login(city_admin)

    page = client.get("/residents/m/")
    assert page.status_code == 200 and "新建住户" not in page.content.decode()
    assert client.get(f"/residents/m/households/{household.pk}/").status_code == 200
    assert client.get("/residents/m/households/new/").status_code == 403
    assert client.get(f"/residents/m/households/{household.pk}/members/new/").status_code == 403
