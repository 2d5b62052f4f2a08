"""The care pages: who sees what (403/404), the forms and their errors, the overdue
summary per village and grid, the photos, the phone pages and the query count."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.org.models import Unit, UnitKind
from grassroots.residents.models import KeyGroup, KeyPerson, Visit, VisitPhoto
from tests.events.photos import upload
from tests.residents.test_care_support import (
    TODAY,
    day,
    frozen,
    make_category,
    make_group,
    put_in_care,
    visit,
)

pytestmark = pytest.mark.django_db

CARE = "/residents/care/"
OVERDUE = "/residents/care/overdue/"
GROUPS = "/residents/keygroups/"
MINE = "/residents/m/visits/"


@pytest.fixture(autouse=True)
def _clock(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with frozen():
        yield


@pytest.fixture
def group(db: Any) -> Any:
    return make_group()


@pytest.fixture
def person(make_household: Any) -> Any:
    return make_household(members=1).members.get()


@pytest.fixture
def kp(person: Any, group: Any, grid_worker: Any) -> Any:
    return put_in_care(person, group, grid_worker, day("2026-09-01"))


def detail(kp: Any, tail: str = "") -> str:
    return f"/residents/care/{kp.pk}/{tail}"


def text(response: Any) -> str:
    return str(response.content.decode())


# --- who sees what --------------------------------------------------------------------------------


def test_the_list_shows_the_scope(
    login: Any, kp: Any, person: Any, grid_worker: Any, outsider: Any
) -> None:
    page = login(grid_worker).get(CARE)
    assert page.status_code == 200
    assert person.name in text(page) and "逾期" in text(page)
    other = login(outsider).get(CARE)
    assert other.status_code == 200 and person.name not in text(other)


def test_departments_and_supervisors_get_no_care_pages(
    login: Any, kp: Any, dept_staff: Any, supervisor: Any
) -> None:
    for user in (dept_staff, supervisor):
        client = login(user)
        for url in (CARE, OVERDUE, detail(kp), MINE, GROUPS):
            expected = 404 if url == detail(kp) else 403
            assert client.get(url).status_code == expected, (user, url)


def test_the_list_filters_and_bad_parameters(login: Any, kp: Any, grid_worker: Any) -> None:
    client = login(grid_worker)
    assert not re.search(r'href="/residents/care/\d+/"', text(client.get(CARE, {"q": "无此人"})))
    assert re.search(r'href="/residents/care/\d+/"', text(client.get(CARE, {"q": "居民"})))
    assert client.get(CARE, {"group": kp.group.code, "overdue": "on"}).status_code == 200
    for params in ({"group": "nope"}, {"page": "x"}, {"q": "a\x00b"}, {"unit": "\x00"}):
        assert client.get(CARE, params).status_code == 200


def test_a_person_in_care_shows_masked_numbers(
    login: Any, kp: Any, person: Any, village_cadre: Any, grid_worker: Any
) -> None:
    visit(kp, grid_worker, day("2026-09-20"), photos=[upload()])
    page = login(village_cadre).get(detail(kp))
    body = text(page)
    assert page.status_code == 200
    assert person.masked_id_number in body and person.id_number not in body
    assert person.masked_phone in body and person.phone not in body
    assert "2026-10-20" in body  # the next visit
    photo = VisitPhoto.objects.get()
    assert f"/residents/visits/photos/{photo.pk}/" in body


def test_out_of_scope_care_is_404(login: Any, kp: Any, outsider: Any, neighbour_cadre: Any) -> None:
    for user in (outsider, neighbour_cadre):
        assert login(user).get(detail(kp)).status_code == 404
    assert login(outsider).get("/residents/care/999999/").status_code == 404
    assert login(outsider).get("/residents/care/abc/").status_code == 404


# --- put in care, end care ------------------------------------------------------------------------


def test_putting_in_care_from_a_resident(
    login: Any, person: Any, group: Any, grid_worker: Any
) -> None:
    url = f"/residents/care/add/{person.pk}/"
    client = login(grid_worker)
    assert client.get(url).status_code == 200
    response = client.post(url, {"group": group.code, "since": "2026-10-01", "note": "独居"})
    kp = KeyPerson.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(kp)
    assert kp.due_on == day("2026-10-31")
    again = client.post(url, {"group": group.code, "since": "2026-10-01"})
    assert again.status_code == 409 and "已在" in text(again)


def test_putting_in_care_answers_bad_input_on_the_field(
    login: Any, person: Any, group: Any, grid_worker: Any
) -> None:
    url = f"/residents/care/add/{person.pk}/"
    client = login(grid_worker)
    for data in (
        {"group": group.code, "since": "2026-13-40"},
        {"group": group.code, "since": "2030-01-01"},
        {"group": "nope", "since": "2026-10-01"},
        {"group": group.code, "since": "2026-10-01", "note": "x\x00y"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert 'class="error"' in text(response)
    assert not KeyPerson.objects.exists()


def test_putting_in_care_needs_the_edit_grant(
    login: Any, person: Any, group: Any, city_admin: Any, outsider: Any
) -> None:
    url = f"/residents/care/add/{person.pk}/"
    assert login(city_admin).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert (
        login(outsider).post(url, {"group": group.code, "since": "2026-10-01"}).status_code == 404
    )


def test_ending_care(login: Any, kp: Any, grid_worker: Any, city_admin: Any, outsider: Any) -> None:
    url = detail(kp, "end/")
    data = {"ended_on": "2026-10-10", "reason": "已搬离"}
    assert login(grid_worker).get(url).status_code == 405
    assert login(outsider).post(url, data).status_code == 404
    assert login(city_admin).post(url, data).status_code == 403
    bad = login(grid_worker).post(url, {"ended_on": "2026-08-01", "reason": "x"})
    assert bad.status_code == 400 and "2026-09-01" in text(bad)
    response = login(grid_worker).post(url, data)
    assert response.status_code == 302
    kp.refresh_from_db()
    assert kp.ended_on == day("2026-10-10")
    assert login(grid_worker).post(url, data).status_code == 409


# --- key groups -----------------------------------------------------------------------------------


def test_the_key_groups_page_is_the_city_offices(
    login: Any, city_admin: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    for user in (village_cadre, xc_secretary):
        assert login(user).get(GROUPS).status_code == 403
        assert login(user).post(GROUPS, {"code": "x"}).status_code == 403
    page = login(city_admin).get(GROUPS)
    assert page.status_code == 200 and "独居老人" in text(page)  # the seeded groups


def test_creating_and_changing_a_group(login: Any, city_admin: Any) -> None:
    client = login(city_admin)
    data = {"code": "flood_risk", "name": "地灾隐患点住户", "visit_every_days": "10", "order": "20"}
    response = client.post(GROUPS, {**data, "active": "on"})
    assert response.status_code == 302
    created = KeyGroup.objects.get(code="flood_risk")
    assert (created.visit_every_days, created.active) == (10, True)
    assert client.get(GROUPS, {"group": "flood_risk"}).status_code == 200
    changed = client.post(GROUPS, {**data, "group": "flood_risk", "visit_every_days": "5"})
    assert changed.status_code == 302
    created.refresh_from_db()
    assert (created.visit_every_days, created.active) == (5, False)
    assert client.get(GROUPS, {"group": "nope"}).status_code == 404
    assert client.get(GROUPS, {"group": "a\x00"}).status_code == 404


def test_bad_group_settings_are_answered_on_the_field(login: Any, city_admin: Any) -> None:
    client = login(city_admin)
    for data in (
        {"code": "x y", "name": "x", "visit_every_days": "7", "order": "0"},
        {"code": "ok", "name": "x", "visit_every_days": "0", "order": "0"},
        {"code": "ok", "name": "x", "visit_every_days": "abc", "order": "0"},
        {"code": "elderly_alone", "name": "重复", "visit_every_days": "7", "order": "0"},
    ):
        response = client.post(GROUPS, data)
        assert response.status_code in (400, 409), data
        assert 'class="error"' in text(response)
    assert not KeyGroup.objects.filter(code="ok").exists()


# --- overdue --------------------------------------------------------------------------------------


@pytest.fixture
def spread(
    make_household: Any, tree: dict[str, Any], group: Any, grid_worker: Any
) -> dict[str, Any]:
    """礼州村's grid: one overdue, one not; 田坝村's new grid: one overdue; 安宁村: one
    overdue (another township)."""
    tianba = Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
    )
    anning = Unit.objects.create(
        code="513401102201001",
        name="安宁村第1网格",
        kind=UnitKind.GRID,
        parent=tree["other_village"],
    )
    made = {}
    for name, grid, since in (
        ("late", tree["grid"], "2026-08-01"),
        ("fine", tree["grid"], "2026-10-01"),
        ("tianba", tianba, "2026-08-15"),
        ("anning", anning, "2026-07-01"),
    ):
        resident = make_household(members=1, grid=grid).members.get()
        made[name] = KeyPerson.objects.create(
            resident=resident,
            group=group,
            grid=grid,
            since=day(since),
            due_on=day(since) + dt.timedelta(days=30),
        )
    return made


def test_the_township_sees_every_village_with_its_counts(
    login: Any, spread: dict[str, Any], xc_secretary: Any
) -> None:
    response = login(xc_secretary).get(OVERDUE)
    assert response.status_code == 200
    rows = {r.unit.name: (r.in_care, r.overdue) for r in response.context["summary"].villages}
    assert rows == {"礼州村": (2, 1), "田坝村": (1, 1)}
    grids = {
        g.unit.name: (g.in_care, g.overdue, g.oldest_due)
        for r in response.context["summary"].villages
        for g in r.grids
    }
    assert grids == {
        "礼州村第1网格": (2, 1, day("2026-08-31")),
        "田坝村第1网格": (1, 1, day("2026-09-14")),
    }
    body = text(response)
    assert "安宁村" not in body
    assert spread["late"].resident.name in body and spread["fine"].resident.name not in body
    assert "3 名关爱对象中有 2 名逾期未走访" in body


def test_a_grid_worker_sees_their_grid_under_its_village(
    login: Any, spread: dict[str, Any], grid_worker: Any
) -> None:
    response = login(grid_worker).get(OVERDUE)
    rows = {r.unit.name: (r.in_care, r.overdue) for r in response.context["summary"].villages}
    assert rows == {"礼州村": (2, 1)}


def test_the_overdue_page_filters_by_unit(
    login: Any, spread: dict[str, Any], city_admin: Any, tree: dict[str, Any]
) -> None:
    client = login(city_admin)
    whole = client.get(OVERDUE).context["summary"]
    assert (whole.total_in_care, whole.total_overdue) == (4, 3)
    narrowed = client.get(OVERDUE, {"unit": tree["anning"].code}).context["summary"]
    assert [r.unit.name for r in narrowed.villages] == ["安宁村"]
    assert client.get(OVERDUE, {"unit": "nope", "page": "-1"}).status_code == 200


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum("common_calendar" not in q["sql"] for q in ctx.captured_queries)


def test_the_overdue_page_costs_the_same_for_more_units(
    login: Any,
    spread: dict[str, Any],
    make_household: Any,
    group: Any,
    tree: dict[str, Any],
    city_admin: Any,
) -> None:
    client = login(city_admin)
    before = _queries(client, OVERDUE)
    for i in range(6):
        village = Unit.objects.create(
            code=f"51340110120{i + 3}",
            name=f"新村{i}",
            kind=UnitKind.VILLAGE,
            parent=tree["lizhou"],
        )
        grid = Unit.objects.create(
            code=f"51340110120{i + 3}001",
            name=f"新村{i}第1网格",
            kind=UnitKind.GRID,
            parent=village,
        )
        resident = make_household(members=1, grid=grid).members.get()
        KeyPerson.objects.create(
            resident=resident,
            group=group,
            grid=grid,
            since=day("2026-08-01"),
            due_on=day("2026-08-31"),
        )
    assert _queries(client, OVERDUE) == before


# --- photos ---------------------------------------------------------------------------------------


def test_a_visit_photo_is_served_to_those_who_see_the_visit(
    login: Any, kp: Any, grid_worker: Any, xc_secretary: Any, outsider: Any
) -> None:
    visit(kp, grid_worker, TODAY, photos=[upload()])
    url = f"/residents/visits/photos/{VisitPhoto.objects.get().pk}/"
    for user in (grid_worker, xc_secretary):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert login(outsider).get(url).status_code == 404
    assert login(grid_worker).get("/residents/visits/photos/99999/").status_code == 404


# --- the phone pages ------------------------------------------------------------------------------


def test_my_visits_put_the_overdue_first(
    login: Any, make_household: Any, group: Any, grid_worker: Any, city_admin: Any
) -> None:
    later = put_in_care(make_household(members=1).members.get(), group, grid_worker, TODAY)
    late = put_in_care(
        make_household(members=1).members.get(), group, grid_worker, day("2026-09-01")
    )
    response = login(grid_worker).get(MINE)
    body = text(response)
    assert response.status_code == 200
    assert body.index(late.resident.name) < body.index(later.resident.name)
    assert "逾期 14 天" in body
    assert login(city_admin).get(MINE).status_code == 403


def test_the_phone_form_records_a_visit_with_a_photo(login: Any, kp: Any, grid_worker: Any) -> None:
    url = f"/residents/m/visits/{kp.pk}/"
    client = login(grid_worker)
    form = client.get(url)
    body = text(form)
    assert form.status_code == 200
    assert 'capture="environment"' in body and 'name="idempotency_key"' in body
    assert 'type="date"' in body
    key = re.search(r'name="idempotency_key" value="([^"]+)"', body)
    assert key is not None
    data = {
        "visited_on": "2026-10-14",
        "met": "family",
        "findings": "女儿在家照看",
        "idempotency_key": key.group(1),
    }
    response = client.post(url, {**data, "photos": upload()})
    assert response.status_code == 302 and response["Location"] == MINE
    again = client.post(url, {**data, "photos": upload()})
    assert again.status_code == 302
    v = Visit.objects.get()
    assert v.photos.count() == 1 and v.met == "family"
    kp.refresh_from_db()
    assert kp.due_on == day("2026-11-13")


def test_the_phone_form_opens_an_event(
    login: Any, kp: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    category = make_category(tree)
    response = login(grid_worker).post(
        f"/residents/m/visits/{kp.pk}/",
        {
            "visited_on": "2026-10-15",
            "met": "person",
            "findings": "灶台老化有火灾隐患",
            "problem_found": "on",
            "category": category.code,
            "title": "独居老人家中火灾隐患",
        },
    )
    assert response.status_code == 302
    v = Visit.objects.get()
    assert v.event is not None and v.event.grid_id == kp.grid_id


@pytest.mark.parametrize(
    "data",
    [
        {"visited_on": "2026-02-30", "met": "person"},
        {"visited_on": "2026-10-16", "met": "person"},
        {"visited_on": "2026-10-15", "met": "cat"},
        {"visited_on": "2026-10-15", "met": "nobody"},
        {"visited_on": "2026-10-15", "met": "person", "findings": "a\x00b"},
        {"visited_on": "2026-10-15", "met": "person", "problem_found": "on", "findings": "x"},
        {"visited_on": "2026-10-15", "met": "person", "idempotency_key": "not-a-uuid"},
    ],
)
def test_the_phone_form_answers_bad_input_with_400(
    login: Any, kp: Any, grid_worker: Any, data: dict[str, str]
) -> None:
    response = login(grid_worker).post(f"/residents/m/visits/{kp.pk}/", data)
    assert response.status_code == 400
    assert 'class="error"' in text(response)
    assert not Visit.objects.exists()


def test_the_phone_form_of_someone_else_is_404_or_403(
    login: Any, kp: Any, outsider: Any, xc_secretary: Any
) -> None:
    url = f"/residents/m/visits/{kp.pk}/"
    assert login(outsider).get(url).status_code == 404
    assert login(xc_secretary).get(url).status_code == 403
    assert login(outsider).get("/residents/m/visits/0/").status_code == 404
