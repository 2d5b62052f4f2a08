"""Writing over REST: reporting (JSON and multipart with photos), every action as a POST
sub-route, and the errors: 400 naming the field, 403, 404, 409."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from tests.open311.support import POINT, POINT_OUTSIDE, image_bytes, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_event(grids: Any, categories: Any, official_calendar: Any) -> dict[str, Any]:
    lat, lon = POINT
    return {
        "category": "SRHJ01",
        "title": "路边堆放建筑垃圾",
        "description": "村委会门口",
        "lat": lat,
        "lon": lon,
        "contact_name": "张三",
        "contact_phone": "13912345678",
        "attributes": {"SIZE": "large", "KINDS": ["brick"]},
    }


def post(client: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json", **kw)


def test_report_json(login: Any, grid_worker: Any, new_event: dict[str, Any]) -> None:
    from grassroots.events.models import Event

    response = post(login(grid_worker), "/api/v1/events/", new_event)
    assert response.status_code == 201, response.content
    data = response.json()
    event = Event.objects.get(number=data["number"])
    assert event.source == "patrol"
    assert event.reporter == grid_worker
    assert event.grid is not None and event.grid.code == "513401101201001"
    assert event.attributes == {"SIZE": "large", "KINDS": ["brick"]}
    assert data["status"] == "reported"
    assert data["timeline"][0]["action"] == "report"
    assert data["contact_phone"] == "139****5678"  # a grid worker does not dispatch


def test_report_multipart_with_photos(
    login: Any, grid_worker: Any, new_event: dict[str, Any], media: Any
) -> None:
    new_event["attributes"] = json.dumps(new_event["attributes"])
    new_event["photos"] = [photo("a.jpg"), photo("b.jpg", color=(0, 90, 200))]
    response = login(grid_worker).post("/api/v1/events/", new_event)
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["attachments"]) == 2
    assert {a["action_id"] for a in data["attachments"]} == {data["timeline"][0]["id"]}
    assert len(data["timeline"][0]["attachments"]) == 2


def test_report_with_a_unit_and_no_position(
    login: Any, xc_secretary: Any, new_event: dict[str, Any]
) -> None:
    del new_event["lat"], new_event["lon"]
    new_event["unit"] = "513401101202"
    response = post(login(xc_secretary), "/api/v1/events/", new_event)
    assert response.status_code == 201, response.content
    assert response.json()["assignee"]["code"] == "513401101202"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": POINT_OUTSIDE[0], "lon": POINT_OUTSIDE[1]}, "location"),
        ({"lat": 95}, "lat"),
        ({"category": "NOPE"}, "category"),
        ({"title": ""}, "title"),
        ({"source": "open311"}, "source"),
        ({"attributes": {"SIZE": "huge"}}, "attribute[SIZE]"),
        ({"attributes": "not json"}, "attributes"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"unit": "NOPE", "lat": None, "lon": None}, "unit"),
    ],
)
def test_report_bad_input_is_400_naming_the_field(
    login: Any, grid_worker: Any, new_event: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    from grassroots.events.models import Event

    new_event.update(change)
    response = post(login(grid_worker), "/api/v1/events/", new_event)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert isinstance(body[field], list) and body[field][0]
    assert not Event.objects.exists()


def test_field_errors_are_in_chinese(
    login: Any, grid_worker: Any, new_event: dict[str, Any]
) -> None:
    del new_event["title"]
    body = post(login(grid_worker), "/api/v1/events/", new_event).json()
    assert "必填" in body["title"][0]  # Chinese, naming the field by its key


def test_report_outside_scope_is_403(login: Any, outsider: Any, new_event: dict[str, Any]) -> None:
    assert post(login(outsider), "/api/v1/events/", new_event).status_code == 403


def test_resident_reports_a_public_category(
    login: Any, resident: Any, new_event: dict[str, Any]
) -> None:
    new_event["source"] = "resident"
    response = post(login(resident), "/api/v1/events/", new_event)
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "resident"


def test_the_whole_life_of_an_event(
    login: Any,
    report: Any,
    village_cadre: Any,
    dept_staff: Any,
    tree: dict[str, Any],
    media: Any,
) -> None:
    event = report()
    url = f"/api/v1/events/{event.number}"
    cadre, dept = login(village_cadre), login(dept_staff)

    data = post(cadre, f"{url}/accept/", {"note": "收到"}).json()
    assert data["status"] == "accepted"
    response = post(cadre, f"{url}/dispatch/", {"to_unit": "513401D01", "note": "请住建局处理"})
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["code"] == "513401D01"
    assert post(cadre, f"{url}/urge/", {"note": "尽快"}).status_code == 200
    assert post(dept, f"{url}/start/").json()["status"] == "in_progress"
    resolved = dept.post(f"{url}/resolve/", {"note": "已清运", "photos": [photo()]})
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved"
    assert post(cadre, f"{url}/verify/", {"passed": True}).json()["status"] == "verified"
    closed = post(cadre, f"{url}/close/", {"note": "结案"}).json()
    assert closed["status"] == "closed"
    assert [line["action"] for line in closed["timeline"]] == [
        "report",
        "accept",
        "dispatch",
        "urge",
        "start",
        "resolve",
        "verify",
        "close",
    ]
    assert closed["timeline"][5]["attachments"][0]["content_type"] == "image/jpeg"


def test_reject_return_escalate_deadline(
    login: Any, report: Any, village_cadre: Any, dept_staff: Any, xc_secretary: Any
) -> None:
    cadre = login(village_cadre)
    first = report()
    assert post(cadre, f"/api/v1/events/{first.number}/reject/", {}).status_code == 400
    data = post(cadre, f"/api/v1/events/{first.number}/reject/", {"reason": "不属实"}).json()
    assert data["status"] == "rejected"

    second = report(title="第二件")
    url = f"/api/v1/events/{second.number}"
    post(cadre, f"{url}/accept/")
    post(cadre, f"{url}/dispatch/", {"to_unit": "513401D01"})
    returned = post(login(dept_staff), f"{url}/return/", {"reason": "不归我们管"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    escalated = post(cadre, f"{url}/escalate/", {"note": "村里处理不了"}).json()
    assert escalated["status"] == "escalated"
    assert escalated["assignee"]["code"] == "513401101"
    due = (timezone.localtime() + dt.timedelta(days=10)).replace(microsecond=0)
    moved = post(
        login(xc_secretary),
        f"{url}/deadline/",
        {"resolve_by": due.isoformat(), "reason": "需要协调"},
    )
    assert moved.status_code == 200, moved.content
    assert dt.datetime.fromisoformat(moved.json()["resolve_by"]) == due


def test_verify_failed_sends_back_for_rework(login: Any, report: Any, village_cadre: Any) -> None:
    event = report()
    url = f"/api/v1/events/{event.number}"
    cadre = login(village_cadre)
    post(cadre, f"{url}/accept/")
    post(cadre, f"{url}/start/")
    post(cadre, f"{url}/resolve/", {"note": "处理了"})
    assert post(cadre, f"{url}/verify/", {}).status_code == 400  # passed is required
    data = post(cadre, f"{url}/verify/", {"passed": False, "note": "没清干净"}).json()
    assert data["status"] == "reworked"


def test_resolve_on_spot_needs_a_photo(
    login: Any, report: Any, grid_worker: Any, media: Any
) -> None:
    event = report()
    client = login(grid_worker)
    url = f"/api/v1/events/{event.number}/resolve-on-spot/"
    missing = client.post(url, {"note": "当场清理"})
    assert missing.status_code == 400
    assert "photos" in missing.json()
    done = client.post(url, {"note": "当场清理", "photos": [photo()]})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "closed"


def test_illegal_transition_is_409(login: Any, report: Any, village_cadre: Any) -> None:
    event = report()
    cadre = login(village_cadre)
    assert post(cadre, f"/api/v1/events/{event.number}/accept/").status_code == 200
    response = post(cadre, f"/api/v1/events/{event.number}/accept/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert body["detail"]
    assert post(cadre, f"/api/v1/events/{event.number}/close/").status_code == 409


def test_not_granted_is_403_and_not_visible_is_404(
    login: Any, report: Any, grid_worker: Any, outsider: Any, supervisor: Any
) -> None:
    from grassroots.events.models import Event

    event = report()
    url = f"/api/v1/events/{event.number}"
    assert post(login(grid_worker), f"{url}/accept/").status_code == 403
    assert post(login(supervisor), f"{url}/accept/").status_code == 403
    assert post(login(outsider), f"{url}/accept/").status_code == 404
    assert Event.objects.get(pk=event.pk).status == "reported"


def test_action_error_names_the_field(login: Any, report: Any, village_cadre: Any) -> None:
    event = report()
    response = post(
        login(village_cadre), f"/api/v1/events/{event.number}/accept/", {"note": "长" * 3000}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["note"]


def test_dispatch_to_an_unknown_unit_is_400(login: Any, report: Any, village_cadre: Any) -> None:
    event = report()
    cadre = login(village_cadre)
    post(cadre, f"/api/v1/events/{event.number}/accept/")
    response = post(cadre, f"/api/v1/events/{event.number}/dispatch/", {"to_unit": "NOPE"})
    assert response.status_code == 400
    assert "to_unit" in response.json()


def test_comment_with_photo_and_the_photo_is_served_in_scope(
    login: Any, report: Any, grid_worker: Any, village_cadre: Any, outsider: Any, media: Any
) -> None:
    event = report()
    response = login(grid_worker).post(
        f"/api/v1/events/{event.number}/comment/", {"note": "补充照片", "photos": [photo()]}
    )
    assert response.status_code == 201, response.content
    line = response.json()
    assert line["action"] == "comment"
    assert line["note"] == "补充照片"
    [attachment] = line["attachments"]
    url = attachment["url"]
    assert url.startswith("http://testserver/api/v1/attachments/")
    served = login(village_cadre).get(url, HTTP_ACCEPT="image/*")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    assert body[:2] == b"\xff\xd8"  # a JPEG
    assert len(body) == attachment["size"]
    assert login(outsider).get(url).status_code == 404
    missing = login(village_cadre).get("/api/v1/attachments/999999/")
    assert missing.status_code == 404


def test_a_photo_that_is_not_an_image_is_400(
    login: Any, report: Any, grid_worker: Any, media: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = report()
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = login(grid_worker).post(
        f"/api/v1/events/{event.number}/comment/", {"note": "照片", "photos": [fake]}
    )
    assert response.status_code == 400
    assert "photos" in response.json()
    assert image_bytes()[:2] == b"\xff\xd8"
