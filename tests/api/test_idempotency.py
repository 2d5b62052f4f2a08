"""``Idempotency-Key`` on every REST write: a retry gets the first answer and changes
nothing; the key with another request is 422; keys expire after 24 hours."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests.open311.support import POINT, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_event(grids: Any, categories: Any, official_calendar: Any) -> dict[str, Any]:
    lat, lon = POINT
    return {
        "category": "SRHJ01",
        "title": "路边堆放建筑垃圾",
        "lat": lat,
        "lon": lon,
        "attributes": {"SIZE": "small"},
    }


def post(client: Any, url: str, data: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_retried_report_is_stored_once(
    login: Any, grid_worker: Any, new_event: dict[str, Any]
) -> None:
    from grassroots.events.models import Event

    client = login(grid_worker)
    first = post(client, "/api/v1/events/", new_event, key="phone-42")
    again = post(client, "/api/v1/events/", new_event, key="phone-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1
    other = post(client, "/api/v1/events/", new_event, key="phone-43")
    assert other.json()["number"] != first.json()["number"]
    assert Event.objects.count() == 2


def test_retried_multipart_upload_is_stored_once(
    login: Any, grid_worker: Any, new_event: dict[str, Any], media: Any
) -> None:
    """A retry of a multipart POST has a new boundary: the content decides, not the bytes."""
    from grassroots.events.models import Attachment, Event

    client = login(grid_worker)
    new_event["attributes"] = json.dumps(new_event["attributes"])

    def send() -> Any:
        return client.post(
            "/api/v1/events/",
            {**new_event, "photos": [photo()]},
            headers={"Idempotency-Key": "upload-1"},
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert Event.objects.count() == 1 and Attachment.objects.count() == 1
    other_photo = client.post(
        "/api/v1/events/",
        {**new_event, "photos": [photo(color=(1, 2, 3))]},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert other_photo.status_code == 422


def test_same_key_with_another_body_is_422(
    login: Any, grid_worker: Any, new_event: dict[str, Any]
) -> None:
    from grassroots.events.models import Event

    client = login(grid_worker)
    post(client, "/api/v1/events/", new_event, key="k1")
    response = post(client, "/api/v1/events/", {**new_event, "title": "另一件事"}, key="k1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Event.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(login: Any, report: Any, village_cadre: Any) -> None:
    event = report()
    client = login(village_cadre)
    url = f"/api/v1/events/{event.number}"
    assert post(client, f"{url}/accept/", {}, key="a1").status_code == 200
    assert post(client, f"{url}/urge/", {}, key="a1").status_code == 422


def test_retried_action_is_not_done_twice(login: Any, report: Any, village_cadre: Any) -> None:
    from grassroots.events.models import EventAction

    event = report()
    client = login(village_cadre)
    url = f"/api/v1/events/{event.number}/accept/"
    first = post(client, url, {"note": "收到"}, key="acc")
    again = post(client, url, {"note": "收到"}, key="acc")
    assert first.status_code == again.status_code == 200  # not 409: the first answer
    assert again.json() == first.json()
    assert EventAction.objects.filter(event=event, kind="accept").count() == 1
    urge_url = f"/api/v1/events/{event.number}/urge/"
    post(client, urge_url, {}, key="u1")
    post(client, urge_url, {}, key="u1")
    assert EventAction.objects.filter(event=event, kind="urge").count() == 1
    comment_url = f"/api/v1/events/{event.number}/comment/"
    a = post(client, comment_url, {"note": "一句"}, key="c1")
    b = post(client, comment_url, {"note": "一句"}, key="c1")
    assert a.status_code == b.status_code == 201
    assert EventAction.objects.filter(event=event, kind="comment").count() == 1


def test_keys_are_per_user(login: Any, report: Any, village_cadre: Any, xc_secretary: Any) -> None:
    from grassroots.events.models import EventAction

    event = report()
    url = f"/api/v1/events/{event.number}/urge/"
    post(login(village_cadre), url, {}, key="same")
    post(login(xc_secretary), url, {}, key="same")
    assert EventAction.objects.filter(event=event, kind="urge").count() == 2


def test_a_failed_request_is_not_kept(login: Any, report: Any, village_cadre: Any) -> None:
    from grassroots.events.models import IdempotentRequest

    event = report()
    client = login(village_cadre)
    url = f"/api/v1/events/{event.number}/reject/"
    assert post(client, url, {}, key="r1").status_code == 400  # reason missing
    assert not IdempotentRequest.objects.exists()
    # the corrected request may reuse the key: the failure changed nothing
    assert post(client, url, {"reason": "重复"}, key="r1").status_code == 200
    assert post(client, url, {"reason": "重复"}, key="r1").status_code == 200


def test_keys_expire_after_24_hours(login: Any, report: Any, village_cadre: Any) -> None:
    from grassroots.api.idempotency import purge_expired
    from grassroots.events.models import EventAction, IdempotentRequest

    event = report()
    client = login(village_cadre)
    url = f"/api/v1/events/{event.number}/urge/"
    post(client, url, {}, key="u")
    # (sessions are short: log in again after the clock moved)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        post(login(village_cadre), url, {}, key="u")
        assert EventAction.objects.filter(kind="urge").count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        post(login(village_cadre), url, {}, key="u")
        assert EventAction.objects.filter(kind="urge").count() == 2
        assert purge_expired() == 0  # the expired row was replaced by the new one
    with time_machine.travel(timezone.now() + dt.timedelta(hours=50)):
        assert purge_expired() == 1
    assert not IdempotentRequest.objects.exists()


def test_the_event_remembers_the_key_beyond_24_hours(
    login: Any, grid_worker: Any, new_event: dict[str, Any]
) -> None:
    from grassroots.events.models import Event

    client = login(grid_worker)
    first = post(client, "/api/v1/events/", new_event, key="late").json()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        again = post(login(grid_worker), "/api/v1/events/", new_event, key="late")
    assert again.json()["number"] == first["number"]
    assert Event.objects.count() == 1


def test_too_long_key_is_400(login: Any, grid_worker: Any, new_event: dict[str, Any]) -> None:
    response = post(login(grid_worker), "/api/v1/events/", new_event, key="k" * 65)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_too_long"


@pytest.mark.django_db(transaction=True)
def test_two_copies_racing_make_one_event(
    tree: Any, login: Any, grid_worker: Any, new_event: dict[str, Any]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    from django.db import connections

    from grassroots.events.models import Event

    barrier = threading.Barrier(4)
    answers: list[Any] = []

    def send() -> None:
        client = login(grid_worker)
        barrier.wait()
        try:
            answers.append(post(client, "/api/v1/events/", new_event, key="race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["number"] for a in answers}) == 1
    assert Event.objects.count() == 1
