"""An event's page (/events/<pk>/): facts, timeline with photos, the forms offered to
each role, and the answers of the action posts (302, 400 on the field, 403, 404, 409)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from tests.pages_support import World, advance, build_world, photo, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def event(world: World, grid_worker: Any) -> Any:
    return report(world, grid_worker, photos=[photo()], contact_phone="13912345678")


def offered(response: Any) -> list[str]:
    return [verb.name for verb, _form in response.context["verb_forms"]]


def test_detail_shows_facts_timeline_and_photos(login: Any, event: Any, village_cadre: Any) -> None:
    response = login(village_cadre).get(f"/events/{event.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert event.number in body
    assert "路边堆放建筑垃圾" in body
    assert "阿衣格格" in body  # who reported, by name
    assert "礼州村第1网格" in body  # the grid wherein
    assert "13912345678" in body  # the dispatcher may call the reporter back
    [line] = response.context["timeline"]
    assert line.kind == "report"
    [picture] = line.attachments.all()
    assert f'src="/events/photos/{picture.pk}/thumb/"' in body
    assert response.context["overdue"] is False
    assert "htmx" in body  # htmx is served locally
    assert "unpkg" not in body and "cdn" not in body.lower()


def test_contact_is_masked_for_who_does_not_need_it(
    login: Any, event: Any, supervisor: Any
) -> None:
    body = login(supervisor).get(f"/events/{event.pk}/").content.decode()
    assert "13912345678" not in body
    assert "139****5678" in body


def test_overdue_badge(login: Any, event: Any, village_cadre: Any) -> None:
    with time_machine.travel(event.resolve_by + dt.timedelta(hours=1), tick=False):
        response = login(village_cadre).get(f"/events/{event.pk}/")
    assert response.context["overdue"] is True
    assert 'class="badge overdue"' in response.content.decode()


def test_out_of_scope_is_404(
    login: Any, event: Any, neighbour_cadre: Any, outsider: Any, dept_staff: Any
) -> None:
    for user in (neighbour_cadre, outsider, dept_staff):
        client = login(user)
        assert client.get(f"/events/{event.pk}/").status_code == 404
        assert client.post(f"/events/{event.pk}/accept/", {}).status_code == 404
    assert login(neighbour_cadre).get("/events/999999/").status_code == 404


def test_forms_offered_follow_role_and_status(
    login: Any,
    world: World,
    event: Any,
    village_cadre: Any,
    grid_worker: Any,
    dept_staff: Any,
    supervisor: Any,
) -> None:
    assert offered(login(village_cadre).get(f"/events/{event.pk}/")) == [
        "accept",
        "deadline",
        "escalate",
        "reject",
        "comment",
    ]
    assert offered(login(supervisor).get(f"/events/{event.pk}/")) == ["comment"]
    advance(event, "dispatched", world=world, cadre=village_cadre, staff=dept_staff)
    staff = offered(login(dept_staff).get(f"/events/{event.pk}/"))
    assert staff == ["start", "return", "comment"]
    cadre = offered(login(village_cadre).get(f"/events/{event.pk}/"))
    assert cadre == ["urge", "deadline", "comment"]
    advance(event, "resolved", world=world, cadre=village_cadre, staff=dept_staff)
    assert "verify" in offered(login(village_cadre).get(f"/events/{event.pk}/"))
    assert "verify" not in offered(login(dept_staff).get(f"/events/{event.pk}/"))
    assert "verify" not in offered(login(grid_worker).get(f"/events/{event.pk}/"))


def test_dispatch_choices_are_departments_and_units_below(
    login: Any, event: Any, village_cadre: Any
) -> None:
    from grassroots.events import actions

    actions.accept_event(event.pk, actor=village_cadre)
    response = login(village_cadre).get(f"/events/{event.pk}/")
    [dispatch] = [f for v, f in response.context["verb_forms"] if v.name == "dispatch"]
    offered_codes = set(dispatch.targets)
    assert offered_codes == {"513401D01", "513401101201001"}  # the department, the grid


def test_accept_redirects_and_records(login: Any, event: Any, village_cadre: Any) -> None:
    response = login(village_cadre).post(f"/events/{event.pk}/accept/", {"accept-note": "收到"})
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.pk}/"
    event.refresh_from_db()
    assert event.status == "accepted"
    assert event.actions.last().note == "收到"


def test_reject_without_reason_is_400_on_the_field(
    login: Any, event: Any, village_cadre: Any
) -> None:
    client = login(village_cadre)
    client.cookies["django_language"] = "en"
    response = client.post(f"/events/{event.pk}/reject/", {"reject-reason": "  "})
    assert response.status_code == 400
    [form] = [f for v, f in response.context["verb_forms"] if v.name == "reject"]
    assert form.errors == {"reason": ["This field is required."]}
    assert response.context["open_verb"] == "reject"
    assert "This field is required." in response.content.decode()
    event.refresh_from_db()
    assert event.status == "reported"


def test_reject_error_in_chinese_by_default(login: Any, event: Any, village_cadre: Any) -> None:
    response = login(village_cadre).post(f"/events/{event.pk}/reject/", {"reject-reason": ""})
    assert response.status_code == 400
    assert "必填" in response.content.decode()


def test_dispatch_to_a_unit_not_offered_is_400(
    login: Any, event: Any, village_cadre: Any, tree: dict[str, Any]
) -> None:
    from grassroots.events import actions

    actions.accept_event(event.pk, actor=village_cadre)
    response = login(village_cadre).post(
        f"/events/{event.pk}/dispatch/", {"dispatch-to_unit": tree["other_village"].code}
    )
    assert response.status_code == 400
    [form] = [f for v, f in response.context["verb_forms"] if v.name == "dispatch"]
    assert "to_unit" in form.errors


def test_deadline_in_the_past_is_400(login: Any, event: Any, village_cadre: Any) -> None:
    past = timezone.localtime() - dt.timedelta(days=1)
    response = login(village_cadre).post(
        f"/events/{event.pk}/deadline/",
        {"deadline-resolve_by": past.strftime("%Y-%m-%dT%H:%M"), "deadline-reason": "延期"},
    )
    assert response.status_code == 400
    [form] = [f for v, f in response.context["verb_forms"] if v.name == "deadline"]
    assert "resolve_by" in form.errors


def test_set_deadline(login: Any, event: Any, village_cadre: Any) -> None:
    later = timezone.localtime() + dt.timedelta(days=10)
    response = login(village_cadre).post(
        f"/events/{event.pk}/deadline/",
        {"deadline-resolve_by": later.strftime("%Y-%m-%dT%H:%M"), "deadline-reason": "需协调"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert timezone.localtime(event.resolve_by).strftime("%Y-%m-%d %H:%M") == later.strftime(
        "%Y-%m-%d %H:%M"
    )


def test_illegal_transition_is_409(login: Any, event: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    client.cookies["django_language"] = "en"
    response = client.post(f"/events/{event.pk}/verify/", {"verify-outcome": "pass"})
    assert response.status_code == 409
    assert "cannot" in response.context["problem"]
    assert 'role="alert"' in response.content.decode()
    event.refresh_from_db()
    assert event.status == "reported"


def test_second_accept_is_409(login: Any, event: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    assert client.post(f"/events/{event.pk}/accept/", {}).status_code == 302
    assert client.post(f"/events/{event.pk}/accept/", {}).status_code == 409


def test_not_allowed_is_403(login: Any, event: Any, supervisor: Any) -> None:
    response = login(supervisor).post(f"/events/{event.pk}/accept/", {})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == "reported"


def test_unknown_verb_is_404_and_get_is_405(login: Any, event: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    assert client.post(f"/events/{event.pk}/explode/", {}).status_code == 404
    assert client.get(f"/events/{event.pk}/accept/").status_code == 405


def test_resolve_with_a_bad_photo_is_400_on_photos(
    login: Any, world: World, event: Any, village_cadre: Any, dept_staff: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    advance(event, "in_progress", world=world, cadre=village_cadre, staff=dept_staff)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = login(dept_staff).post(
        f"/events/{event.pk}/resolve/", {"resolve-note": "已清理", "resolve-photos": [fake]}
    )
    assert response.status_code == 400
    [form] = [f for v, f in response.context["verb_forms"] if v.name == "resolve"]
    assert "photos" in form.errors
    event.refresh_from_db()
    assert event.status == "in_progress"


def test_htmx_posts_swap_the_main_part(login: Any, event: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    bad = client.post(f"/events/{event.pk}/reject/", {"reject-reason": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    text = bad.content.decode()
    assert text.lstrip().startswith('<div id="event-main">')
    assert "<html" not in text
    good = client.post(f"/events/{event.pk}/accept/", {}, HTTP_HX_REQUEST="true")
    assert good.status_code == 200
    assert good.content.decode().lstrip().startswith('<div id="event-main">')
    assert good.context["event"].status == "accepted"


def test_an_action_that_takes_the_event_away_goes_to_the_queue(
    login: Any, world: World, event: Any, village_cadre: Any, dept_staff: Any
) -> None:
    advance(event, "dispatched", world=world, cadre=village_cadre, staff=dept_staff)
    response = login(dept_staff).post(f"/events/{event.pk}/return/", {"return-reason": "非本部门"})
    assert response.status_code == 302
    assert response["Location"] == "/events/queue/"
    event.refresh_from_db()
    assert event.status == "returned"


def test_photos_are_served_in_scope_only(
    login: Any, event: Any, village_cadre: Any, neighbour_cadre: Any, client: Any
) -> None:
    picture = event.attachments.get()
    cadre = login(village_cadre)
    full = cadre.get(f"/events/photos/{picture.pk}/")
    assert full.status_code == 200
    assert full["Content-Type"] == "image/png"
    assert "private" in full["Cache-Control"]
    assert b"".join(full.streaming_content).startswith(b"\x89PNG")
    thumb = cadre.get(f"/events/photos/{picture.pk}/thumb/")
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).format == "JPEG"
    assert login(neighbour_cadre).get(f"/events/photos/{picture.pk}/").status_code == 404
    assert login(neighbour_cadre).get(f"/events/photos/{picture.pk}/thumb/").status_code == 404
    assert client.get(f"/events/photos/{picture.pk}/").status_code == 302  # to the login
