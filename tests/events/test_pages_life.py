"""The whole life of an event through the pages, one role after the other:

grid worker reports on /m/ → village cadre accepts and dispatches to the department →
department staff starts and resolves with a photo → village cadre verifies and closes →
the resident looks it up (number + last four digits) and rates 不满意 → reopened →
the cadre sends it back to the department → resolved, verified, closed → rated 满意.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.pages_support import PHONE, POINT, World, build_world, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def post_ok(client: Client, url: str, data: dict[str, Any]) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, (
        url,
        response.status_code,
        response.context and [f.errors for _v, f in response.context.get("verb_forms", [])],
    )


def test_the_whole_life_of_an_event(
    world: World,
    login: Any,
    grid_worker: Any,
    village_cadre: Any,
    dept_staff: Any,
    neighbour_cadre: Any,
) -> None:
    from grassroots.events.models import Event

    # 1. the grid worker reports from patrol, with a position in the grid and a photo
    worker = login(grid_worker)
    response = worker.post(
        "/m/report/",
        {
            "category": "SRHJ01",
            "title": "路边堆放建筑垃圾",
            "description": "礼州村委会门口",
            "lat": str(POINT[0]),
            "lon": str(POINT[1]),
            "photos": [photo()],
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    Event.objects.filter(pk=event.pk).update(contact_phone=PHONE)  # the resident who told us
    url = f"/events/{event.pk}/"

    # the neighbour village's cadre does not see it at all
    assert login(neighbour_cadre).get(url).status_code == 404

    # 2. the village cadre finds it in the queue, accepts and dispatches it
    cadre = login(village_cadre)
    queue = cadre.get("/events/queue/")
    assert [e.pk for e in queue.context["page"]] == [event.pk]
    post_ok(cadre, f"{url}accept/", {"accept-note": "已受理"})
    post_ok(cadre, f"{url}dispatch/", {"dispatch-to_unit": "513401D01", "dispatch-note": "请清运"})

    # 3. the department starts and resolves it with a photo
    staff = login(dept_staff)
    assert [e.pk for e in staff.get("/events/queue/", {"tab": "in_progress"}).context["page"]] == [
        event.pk
    ]
    post_ok(staff, f"{url}start/", {})
    post_ok(staff, f"{url}resolve/", {"resolve-note": "已清运", "resolve-photos": [photo()]})

    # 4. the village cadre verifies and closes
    assert [e.pk for e in cadre.get("/events/queue/", {"tab": "verify"}).context["page"]] == [
        event.pk
    ]
    post_ok(cadre, f"{url}verify/", {"verify-outcome": "pass", "verify-note": "现场已清理"})
    post_ok(cadre, f"{url}close/", {})
    event.refresh_from_db()
    assert event.status == "closed"

    # 5. the resident looks it up and is not satisfied: reopened
    resident = Client()
    found = resident.post("/public/lookup/", {"number": event.number, "phone_last4": PHONE[-4:]})
    assert found.status_code == 302
    track = resident.get(found["Location"])
    assert track.context["rating_form"] is not None
    rated = resident.post(
        f"/public/track/{event.number}/rate/", {"satisfaction": "unsatisfied", "note": "又堆上了"}
    )
    assert rated.status_code == 302
    event.refresh_from_db()
    assert event.status == "reopened"

    # 6. the department that handled it has it again, on a fresh deadline
    assert event.assignee.code == "513401D01"
    reopened = staff.get(url)
    assert "start" in [v.name for v, _f in reopened.context["verb_forms"]]
    post_ok(staff, f"{url}start/", {})
    post_ok(staff, f"{url}resolve/", {"resolve-note": "彻底清运", "resolve-photos": [photo()]})
    post_ok(cadre, f"{url}verify/", {"verify-outcome": "pass"})
    post_ok(cadre, f"{url}close/", {})
    assert (
        resident.post(
            f"/public/track/{event.number}/rate/", {"satisfaction": "satisfied"}
        ).status_code
        == 302
    )
    event.refresh_from_db()
    assert (event.status, event.satisfaction, event.reopen_count) == ("closed", "satisfied", 1)

    # the full timeline, with names for staff and units only for the public
    page = cadre.get(url)
    kinds = [a.kind for a in page.context["timeline"]]
    assert kinds == [
        "report",
        "accept",
        "dispatch",
        "start",
        "resolve",
        "verify",
        "close",
        "rate",
        "reopen",
        "start",
        "resolve",
        "verify",
        "close",
        "rate",
    ]
    body = page.content.decode()
    assert "张村长" in body and "阿衣格格" in body
    public = resident.get(f"/public/track/{event.number}/").content.decode()
    assert "张村长" not in public and "阿衣格格" not in public
    assert "西昌市住房和城乡建设局" in public


def test_rework_and_return_through_the_pages(
    world: World, login: Any, grid_worker: Any, village_cadre: Any, dept_staff: Any
) -> None:
    from tests.pages_support import advance, report

    event = report(world, grid_worker)
    advance(event, "dispatched", world=world, cadre=village_cadre, staff=dept_staff)
    url = f"/events/{event.pk}/"
    staff, cadre = login(dept_staff), login(village_cadre)
    # the department says it is not theirs: back to the village's "new" tab
    post_ok(staff, f"{url}return/", {"return-reason": "应由城管处理"})
    assert [e.pk for e in cadre.get("/events/queue/").context["page"]] == [event.pk]
    post_ok(cadre, f"{url}dispatch/", {"dispatch-to_unit": "513401D01"})
    post_ok(staff, f"{url}start/", {})
    post_ok(staff, f"{url}resolve/", {"resolve-note": "处理了", "resolve-photos": [photo()]})
    # verification fails: a rework needs a note
    missing = cadre.post(f"{url}verify/", {"verify-outcome": "rework"})
    assert missing.status_code == 400
    post_ok(cadre, f"{url}verify/", {"verify-outcome": "rework", "verify-note": "没清干净"})
    event.refresh_from_db()
    assert event.status == "reworked"
    assert "urge" not in [v.name for v, _f in staff.get(url).context["verb_forms"]]
    post_ok(cadre, f"{url}urge/", {"urge-note": "尽快"})
    post_ok(staff, f"{url}resolve/", {"resolve-note": "已返工", "resolve-photos": [photo()]})
    event.refresh_from_db()
    assert event.status == "resolved"
