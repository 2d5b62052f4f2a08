"""Reading events over REST: scope, filters, pagination, the timeline, masking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.open311.support import PHONE, POINT_NEIGHBOUR

pytestmark = pytest.mark.django_db


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["number"] for e in response.json()["results"]]


def test_list_is_scoped(
    login: Any,
    report: Any,
    grid_worker: Any,
    outsider: Any,
    neighbour_cadre: Any,
    xc_secretary: Any,
    dept_staff: Any,
    resident: Any,
) -> None:
    mine = report()
    neighbours = report(point=POINT_NEIGHBOUR, title="田坝村的事", actor=xc_secretary)
    assert numbers(login(grid_worker).get("/api/v1/events/")) == [mine.number]
    assert numbers(login(neighbour_cadre).get("/api/v1/events/")) == [neighbours.number]
    assert set(numbers(login(xc_secretary).get("/api/v1/events/"))) == {
        mine.number,
        neighbours.number,
    }
    assert numbers(login(outsider).get("/api/v1/events/")) == []
    assert numbers(login(dept_staff).get("/api/v1/events/")) == []
    assert numbers(login(resident).get("/api/v1/events/")) == []


def test_anonymous_is_refused(client: Any, report: Any) -> None:
    report()
    assert client.get("/api/v1/events/").status_code in (401, 403)


def test_retrieve_invisible_is_404(login: Any, report: Any, outsider: Any) -> None:
    event = report()
    assert login(outsider).get(f"/api/v1/events/{event.number}/").status_code == 404
    assert login(outsider).get("/api/v1/events/XC0/").status_code == 404


def test_retrieve_has_the_timeline(login: Any, report: Any, village_cadre: Any) -> None:
    from grassroots.events.actions import accept_event

    event = report()
    accept_event(event.pk, actor=village_cadre, note="收到")
    data = login(village_cadre).get(f"/api/v1/events/{event.number}/").json()
    assert data["number"] == event.number
    assert data["status"] == "accepted"
    assert data["category"] == {"code": "SRHJ01", "name": "乱堆乱放"}
    assert data["grid"]["code"] == "513401101201001"
    assert data["village"]["code"] == "513401101201"
    assert data["township"]["code"] == "513401101"
    assert data["assignee"]["code"] == "513401101201"
    assert data["attributes"] == {"SIZE": "small"}
    assert [line["action"] for line in data["timeline"]] == ["report", "accept"]
    accept = data["timeline"][1]
    assert accept["actor"] == "张村长"
    assert accept["actor_unit"]["code"] == "513401101201"
    assert accept["from_status"] == "reported"
    assert accept["to_status"] == "accepted"
    assert accept["note"] == "收到"


def test_phone_is_masked_unless_the_viewer_dispatches(
    login: Any, report: Any, grid_worker: Any, village_cadre: Any, supervisor: Any
) -> None:
    event = report()
    for user in (grid_worker, supervisor):
        data = login(user).get(f"/api/v1/events/{event.number}/").json()
        assert data["contact_phone"] == "139****5678"
        assert data["contact_name"] == "张*"
        listed = login(user).get("/api/v1/events/").json()["results"][0]
        assert listed["contact_phone"] == "139****5678"
    data = login(village_cadre).get(f"/api/v1/events/{event.number}/").json()
    assert data["contact_phone"] == PHONE
    assert data["contact_name"] == "张三"


def test_filters(login: Any, report: Any, xc_secretary: Any, categories: Any) -> None:
    now = timezone.now()
    piles = report()
    lamp = report(category=categories["lamp"], attributes={}, source="hotline")
    old = report(reported_at=now - dt.timedelta(days=40), title="很早的事")
    other = report(point=POINT_NEIGHBOUR, title="田坝", actor=xc_secretary)
    client = login(xc_secretary)

    def get(**params: Any) -> list[str]:
        return numbers(client.get("/api/v1/events/", params))

    assert set(get(category="SRHJ02")) == {lamp.number}
    assert set(get(category="SRHJ")) == {piles.number, lamp.number, old.number, other.number}
    assert set(get(source="hotline")) == {lamp.number}
    assert set(get(grid="513401101202001")) == {other.number}
    assert set(get(within="513401101202")) == {other.number}
    assert set(get(assignee="513401101202")) == {other.number}
    assert set(get(status="reported")) == {piles.number, lamp.number, old.number, other.number}
    assert get(status="closed,rejected") == []
    after = (now - dt.timedelta(days=1)).isoformat()
    assert old.number not in get(reported_after=after)
    assert get(reported_before=after) == [old.number]
    assert get(overdue="true") == [old.number]
    assert old.number not in get(overdue="false")
    assert get(ordering="resolve_by")[0] == old.number
    bad = client.get("/api/v1/events/", {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()
    assert client.get("/api/v1/events/", {"source": "pigeon"}).status_code == 400
    assert client.get("/api/v1/events/", {"overdue": "perhaps"}).status_code == 400


def copies(template: Any, n: int) -> None:
    from grassroots.events.models import Event

    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            title=f"批量 {i}",
            category_id=template.category_id,
            source="patrol",
            area_path=template.area_path,
            assignee_id=template.assignee_id,
            assignee_path=template.assignee_path,
            dispatcher_id=template.dispatcher_id,
            grid_id=template.grid_id,
            village_id=template.village_id,
            township_id=template.township_id,
            reported_at=now - dt.timedelta(minutes=i + 1),
            number=f"XCBULK{i:06d}",
        )
        for i in range(n)
    )


def test_list_is_paginated(login: Any, report: Any, xc_secretary: Any) -> None:
    copies(report(), 54)
    client = login(xc_secretary)
    first = client.get("/api/v1/events/").json()
    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert first["next"].endswith("/api/v1/events/?page=2")
    second = client.get("/api/v1/events/", {"page": 2}).json()
    assert [e["number"] for e in second["results"]] == [f"XCBULK{i:06d}" for i in range(49, 54)]


def test_list_query_count_does_not_grow(
    login: Any, report: Any, xc_secretary: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        report(title=f"事件 {i}")
    client = login(xc_secretary)
    client.get("/api/v1/events/")  # warm the session
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/events/").json()["results"]) == 5
    for i in range(10):
        report(title=f"更多 {i}")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/events/").json()["results"]) == 15


def test_detail_query_count(
    login: Any, report: Any, village_cadre: Any, django_assert_max_num_queries: Any
) -> None:
    event = report()
    client = login(village_cadre)
    client.get(f"/api/v1/events/{event.number}/")
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/events/{event.number}/").status_code == 200


def test_categories(login: Any, categories: Any, grid_worker: Any, client: Any) -> None:
    data = login(grid_worker).get("/api/v1/categories/").json()
    codes = [c["code"] for c in data["results"]]
    assert codes == ["SRHJ", "SRHJ01", "SRHJ02", "MDJF01"]
    public = login(grid_worker).get("/api/v1/categories/", {"public": "true"}).json()
    assert "MDJF01" not in [c["code"] for c in public["results"]]
    piles = login(grid_worker).get("/api/v1/categories/SRHJ01/").json()
    assert piles["parent_code"] == "SRHJ"
    assert piles["resolve_workdays"] == 3
    assert piles["default_department"] == "513401D01"
    assert piles["attributes"][0]["code"] == "SIZE"
    assert client.get("/api/v1/categories/").status_code in (401, 403)
