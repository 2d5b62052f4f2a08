"""The grid worker's phone pages (/m/): home, report (position, map, key), close on the
spot, follow-up, scope, and a retried report stored once."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tests.pages_support import (
    POINT,
    POINT_NEIGHBOUR,
    POINT_OUTSIDE,
    World,
    build_world,
    photo,
    report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def worker(login: Any, grid_worker: Any) -> Any:
    client = login(grid_worker)
    client.cookies["django_language"] = "en"
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    lat, lon = overrides.pop("point", POINT)
    data: dict[str, Any] = {
        "category": "SRHJ01",
        "title": "路边堆放建筑垃圾",
        "description": "礼州村委会门口",
        "lat": "" if lat is None else str(lat),
        "lon": "" if lon is None else str(lon),
        "address": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_report_form_for_the_phone(world: World, worker: Any) -> None:
    response = worker.get("/m/report/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert 'capture="environment"' in body
    assert 'accept="image/*"' in body
    assert "multiple" in re.search(r"<input[^>]*name=\"photos\"[^>]*>", body).group(0)
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"[^>]*data-fresh="1"', body)
    assert key is not None, "a server-made key for browsers without JS"
    assert '<svg class="gridmap"' in body  # the grid drawn from its polygon
    assert 'data-code="513401101201001"' in body
    assert "513401101202001" not in body  # not the neighbour's grid
    assert "/static/grassroots/report.js" in body
    assert '<optgroup label="市容环境">' in body  # categories grouped by parent
    assert "<script>" not in body  # CSP: no inline scripts


def test_report_with_a_position_lands_in_the_grid(
    world: World, worker: Any, grid_worker: Any
) -> None:
    from grassroots.events.models import Event

    response = worker.post("/m/report/", form_data(photos=[photo()]))
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == f"/m/e/{event.pk}/"
    assert event.grid == world.grid
    assert event.source == "patrol"
    assert event.reporter == grid_worker
    assert event.status == "reported"
    assert event.attachments.count() == 1
    page = worker.get(response["Location"])
    assert event.number in page.content.decode()


def test_a_retried_report_is_stored_once(world: World, worker: Any) -> None:
    from grassroots.events.models import Event

    data = form_data()
    first = worker.post("/m/report/", data)
    again = worker.post("/m/report/", data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Event.objects.count() == 1
    worker.post("/m/report/", form_data())  # a new key: a new report
    assert Event.objects.count() == 2


def test_report_with_an_address_only_goes_to_the_workers_grid(world: World, worker: Any) -> None:
    from grassroots.events.models import Event

    response = worker.post("/m/report/", form_data(point=(None, None), address="礼州村委会门口"))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.grid == world.grid
    assert event.lat is None
    assert event.address == "礼州村委会门口"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"category": "NOPE"}, "category", "Select a valid choice"),
        ({"point": (None, None)}, "address", "Give the position"),
        ({"lon": ""}, "lat", "Give both latitude and longitude"),
        ({"lat": "95"}, "lat", "less than or equal to 90"),
        ({"point": POINT_OUTSIDE}, "lat", "outside every grid"),
        ({"idempotency_key": "x' or 1=1"}, "idempotency_key", "reload the page"),
    ],
)
def test_bad_reports_are_400_with_the_field(
    world: World, worker: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    from grassroots.events.models import Event

    response = worker.post("/m/report/", form_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert Event.objects.count() == 0


def test_a_report_in_the_neighbours_grid_is_refused(world: World, worker: Any) -> None:
    from grassroots.events.models import Event

    response = worker.post("/m/report/", form_data(point=POINT_NEIGHBOUR))
    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_a_bad_photo_is_400(world: World, worker: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.jpg", b"GIF89a....", content_type="image/jpeg")
    response = worker.post("/m/report/", form_data(photos=[fake]))
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors


def test_home_lists_my_grid_soonest_first_overdue_marked(
    world: World, worker: Any, grid_worker: Any, village_cadre: Any, neighbour_cadre: Any
) -> None:
    from grassroots.events.models import Event

    later = report(world, grid_worker, title="晚到期")
    soon = report(world, grid_worker, title="早到期")
    late = report(world, grid_worker, title="已超期")
    now = timezone.now()
    Event.objects.filter(pk=later.pk).update(resolve_by=now + dt.timedelta(days=5))
    Event.objects.filter(pk=soon.pk).update(resolve_by=now + dt.timedelta(hours=3))
    Event.objects.filter(pk=late.pk).update(resolve_by=now - dt.timedelta(hours=1))
    other = report(world, neighbour_cadre, point=POINT_NEIGHBOUR, title="别村的")
    response = worker.get("/m/")
    assert response.status_code == 200
    titles = [e.title for e in response.context["page"]]
    assert titles == ["已超期", "早到期", "晚到期"]
    body = response.content.decode()
    assert '<li class="overdue">' in body
    assert '<li class="due-soon">' in body
    assert other.title not in body
    closed = worker.get("/m/", {"show": "all"})
    assert len(closed.context["page"].object_list) == 3


def test_close_on_the_spot_needs_a_photo(world: World, worker: Any, grid_worker: Any) -> None:
    event = report(world, grid_worker)
    page = worker.get(f"/m/e/{event.pk}/")
    assert page.context["on_spot"] is not None
    missing = worker.post(f"/m/e/{event.pk}/close/", {"spot-note": "已劝离"})
    assert missing.status_code == 400
    assert "photos" in missing.context["on_spot"].errors
    event.refresh_from_db()
    assert event.status == "reported"
    done = worker.post(f"/m/e/{event.pk}/close/", {"spot-note": "已劝离", "spot-photos": [photo()]})
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.status == "closed"
    assert event.actions.last().kind == "resolve_on_spot"
    assert event.actions.last().attachments.count() == 1
    # closed already: the form is gone, and a replay is a conflict
    assert worker.get(f"/m/e/{event.pk}/").context["on_spot"] is None
    replay = worker.post(f"/m/e/{event.pk}/close/", {"spot-note": "x", "spot-photos": [photo()]})
    assert replay.status_code == 409


def test_follow_up_with_a_photo(world: World, worker: Any, grid_worker: Any) -> None:
    event = report(world, grid_worker)
    response = worker.post(
        f"/m/e/{event.pk}/follow/", {"follow-note": "已通知业主", "follow-photos": [photo()]}
    )
    assert response.status_code == 302
    line = event.actions.last()
    assert line.kind == "comment"
    assert line.note == "已通知业主"
    assert line.attachments.count() == 1
    empty = worker.post(f"/m/e/{event.pk}/follow/", {"follow-note": ""})
    assert empty.status_code == 400
    assert "note" in empty.context["follow_up"].errors


def test_the_neighbours_events_are_404(world: World, worker: Any, neighbour_cadre: Any) -> None:
    other = report(world, neighbour_cadre, point=POINT_NEIGHBOUR)
    assert worker.get(f"/m/e/{other.pk}/").status_code == 404
    assert worker.post(f"/m/e/{other.pk}/follow/", {"follow-note": "x"}).status_code == 404
    assert worker.post(f"/m/e/{other.pk}/close/", {"spot-note": "x"}).status_code == 404


def test_mobile_needs_a_role(world: World, login: Any, resident: Any, client: Any) -> None:
    assert login(resident).get("/m/").status_code == 403
    assert login(resident).get("/m/report/").status_code == 403
    assert client.get("/m/").status_code == 302


def test_the_resident_concerned_can_follow_and_rate_a_patrol_report(
    world: World, worker: Any, village_cadre: Any, dept_staff: Any, client: Any
) -> None:
    """The grid worker notes the phone of the resident who raised it; the resident then looks
    the event up by its number and the last four digits and rates the result."""
    from grassroots.events.models import Event
    from tests.pages_support import advance

    response = worker.post(
        "/m/report/",
        form_data(contact_name="王大妈", contact_phone="139 1234 5678"),
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.contact_name, event.contact_phone) == ("王大妈", "13912345678")
    advance(event, "closed", world=world, cadre=village_cadre, staff=dept_staff)

    found = client.post("/public/lookup/", {"number": event.number, "phone_last4": "5678"})
    assert found.status_code == 302
    rated = client.post(f"/public/track/{event.number}/rate/", {"satisfaction": "satisfied"})
    assert rated.status_code == 302
    event.refresh_from_db()
    assert event.satisfaction == "satisfied"


def test_a_bad_resident_phone_is_400_on_its_field(world: World, worker: Any) -> None:
    from grassroots.events.models import Event

    response = worker.post("/m/report/", form_data(contact_phone="12345"))
    assert response.status_code == 400
    assert "contact_phone" in response.context["form"].errors
    assert "mobile number" in response.content.decode()
    assert Event.objects.count() == 0
