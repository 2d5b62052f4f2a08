"""The public pages (/public/): a resident's report, the lookup by number and the last four
digits, the public timeline (no names, no phones, grid-level place), the rating, CSRF
and the per-client rate limits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.captcha_support import fix_captcha, solved
from tests.pages_support import PHONE, POINT, World, advance, build_world, photo, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    fix_captcha(monkeypatch)
    yield
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def report_data(**overrides: Any) -> dict[str, Any]:
    lat, lon = overrides.pop("point", POINT)
    data: dict[str, Any] = {
        "category": "SRHJ01",
        "description": "小区门口垃圾三天没人清运，气味很大",
        "lat": "" if lat is None else str(lat),
        "lon": "" if lon is None else str(lon),
        "address": "",
        "contact_phone": PHONE,
        "idempotency_key": str(uuid.uuid4()),
        **solved(),
    }
    data.update(overrides)
    return data


def test_report_form_offers_public_categories_only(world: World, visitor: Client) -> None:
    response = visitor.get("/public/report/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "乱堆乱放" in body
    assert "内部排查" not in body
    assert 'name="viewport"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'id="captcha-image"' in body


def test_a_resident_report_gets_a_number(world: World, visitor: Client) -> None:
    from grassroots.events.models import Event

    response = visitor.post("/public/report/", report_data(photos=[photo()]))
    assert response.status_code == 302
    assert response["Location"] == "/public/report/done/"
    event = Event.objects.get()
    assert event.source == "resident"
    assert event.reporter is None
    assert event.contact_phone == PHONE
    assert event.grid == world.grid
    assert event.title.startswith("乱堆乱放：")
    done = visitor.get("/public/report/done/")
    assert event.number in done.content.decode()
    # the reporter may follow it at once, without typing the number again
    assert visitor.get(f"/public/track/{event.number}/").status_code == 200


def test_an_address_alone_is_enough(world: World, visitor: Client) -> None:
    from grassroots.events.models import Event

    response = visitor.post(
        "/public/report/", report_data(point=(None, None), address="礼州镇礼州村委会旁")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.assignee == world.tree["city"]  # placed by hand from the city down


def test_a_retried_public_report_is_stored_once(world: World, visitor: Client) -> None:
    from grassroots.events.models import Event

    data = report_data()
    assert visitor.post("/public/report/", data).status_code == 302
    # the same form sent again (same key, same solved captcha) finds the same report
    assert visitor.post("/public/report/", data).status_code == 302
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contact_phone": ""}, "contact_phone", "This field is required."),
        ({"contact_phone": "12345"}, "contact_phone", "mobile number"),
        ({"description": ""}, "description", "This field is required."),
        ({"category": "AQYH01"}, "category", "Select a valid choice"),
        ({"point": (None, None)}, "address", "Give the position"),
        ({"point": (30.66, 104.06)}, "lat", "outside every grid"),
    ],
)
def test_bad_public_reports_are_400(
    world: World, visitor: Client, overrides: dict[str, Any], field: str, message: str
) -> None:
    from grassroots.events.models import Event

    response = visitor.post("/public/report/", report_data(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Event.objects.count() == 0


def test_reports_are_rate_limited_per_client(world: World, visitor: Client, settings: Any) -> None:
    from grassroots.events.models import Event

    settings.PORTAL_REPORTS_PER_HOUR = 3
    for _ in range(3):
        assert visitor.post("/public/report/", report_data()).status_code == 302
    limited = visitor.post("/public/report/", report_data())
    assert limited.status_code == 429
    assert Event.objects.count() == 3
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/public/report/", report_data()).status_code == 302


def test_the_default_limit_is_ten_an_hour(world: World, visitor: Client) -> None:
    codes = [visitor.post("/public/report/", report_data()).status_code for _ in range(11)]
    assert codes == [302] * 10 + [429]


def test_csrf_is_required(world: World) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/public/report/", report_data()).status_code == 403
    assert strict.post("/public/lookup/", {"number": "X", "phone_last4": "5678"}).status_code == 403


def _closed_event(world: World, grid_worker: Any, cadre: Any, staff: Any, **kw: Any) -> Any:
    event = report(
        world,
        None,
        source="resident",
        contact_phone=PHONE,
        contact_name="王大妈",
        address="礼州村三组12号",
        **kw,
    )
    return advance(event, "closed", world=world, cadre=cadre, staff=staff)


def lookup(client: Client, number: str, last4: str = PHONE[-4:]) -> Any:
    return client.post("/public/lookup/", {"number": number, "phone_last4": last4})


def test_lookup_by_number_and_last_four(
    world: World, visitor: Client, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    event = report(world, None, source="resident", contact_phone=PHONE, address="礼州村三组12号")
    assert visitor.get(f"/public/track/{event.number}/").status_code == 302  # not looked up
    wrong = lookup(visitor, event.number, "0000")
    assert wrong.status_code == 404
    assert "No event matches" in wrong.content.decode()
    assert visitor.get(f"/public/track/{event.number}/").status_code == 302
    bad = lookup(visitor, event.number, "56a8")
    assert bad.status_code == 400
    assert "phone_last4" in bad.context["form"].errors
    found = lookup(visitor, event.number.lower())
    assert found.status_code == 302
    assert found["Location"] == f"/public/track/{event.number}/"
    page = visitor.get(found["Location"])
    assert page.status_code == 200
    assert page.context["rating_form"] is None  # not closed yet


def test_public_timeline_hides_people_phones_and_the_address(
    world: World, visitor: Client, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    from grassroots.events import actions

    event = _closed_event(world, grid_worker, village_cadre, dept_staff)
    actions.comment_event(event.pk, actor=village_cadre, note="内部：联系王大妈 13912345678")
    lookup(visitor, event.number)
    body = visitor.get(f"/public/track/{event.number}/").content.decode()
    for secret in ("张村长", "dept_staff", "王大妈", PHONE, "三组12号", "27.85", "102.05", "内部"):
        assert secret not in body, secret
    assert "礼州村第1网格" in body  # the place at grid level
    assert "礼州村" in body  # the unit that acted
    assert "西昌市住房和城乡建设局" in body
    assert "清理完毕" in body  # the result, as the unit reported it


def test_rating_unsatisfied_reopens(
    world: World, visitor: Client, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    event = _closed_event(world, grid_worker, village_cadre, dept_staff)
    lookup(visitor, event.number)
    page = visitor.get(f"/public/track/{event.number}/")
    assert page.context["rating_form"] is not None
    bad = visitor.post(f"/public/track/{event.number}/rate/", {"satisfaction": "meh"})
    assert bad.status_code == 400
    assert "satisfaction" in bad.context["rating_form"].errors
    response = visitor.post(
        f"/public/track/{event.number}/rate/", {"satisfaction": "unsatisfied", "note": "还有垃圾"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "reopened"
    assert event.satisfaction == "unsatisfied"
    assert event.reopen_count == 1
    again = visitor.post(f"/public/track/{event.number}/rate/", {"satisfaction": "satisfied"})
    assert again.status_code == 409


def test_rating_needs_the_lookup(
    world: World, visitor: Client, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    event = _closed_event(world, grid_worker, village_cadre, dept_staff)
    response = visitor.post(f"/public/track/{event.number}/rate/", {"satisfaction": "satisfied"})
    assert response.status_code == 302
    assert response["Location"] == "/public/lookup/"
    event.refresh_from_db()
    assert event.satisfaction == ""


def test_failed_lookups_are_limited(
    world: World, visitor: Client, settings: Any, grid_worker: Any
) -> None:
    settings.PORTAL_FAILED_LOOKUPS_PER_HOUR = 3
    event = report(world, None, source="resident", contact_phone=PHONE, address="x")
    for guess in ("0001", "0002", "0003"):
        assert lookup(visitor, event.number, guess).status_code == 404
    assert lookup(visitor, event.number).status_code == 429  # even the right one, for now
    assert lookup(Client(REMOTE_ADDR="10.0.0.7"), event.number).status_code == 302


def test_portal_pages_in_chinese_by_default(world: World) -> None:
    body = Client().get("/public/").content.decode()
    assert 'lang="zh-Hans"' in body
    assert Client().get("/public/lookup/").status_code == 200
