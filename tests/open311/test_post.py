"""POST requests: form-encoded GeoReport v2 service requests become events (source
open311), with the specification's answers and error lists."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.open311.support import POINT, POINT_OUTSIDE, http_session, photo

URL = "/open311/v2/requests.json"


@pytest.fixture
def form(grids: Any, categories: Any, api_key: str, official_calendar: Any) -> dict[str, Any]:
    lat, lon = POINT
    return {
        "api_key": api_key,
        "service_code": "SRHJ01",
        "lat": str(lat),
        "long": str(lon),
        "address_string": "礼州镇礼州村委会门口",
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang@example.com",
        "device_id": "abc",
        "description": "门口堆放建筑垃圾\n已经三天了, 影响通行",
        "attribute[SIZE]": "large",
        "attribute[KINDS][]": ["brick", "soil"],
        "attribute[DAYS]": "3",
    }


def only_event() -> Any:
    from grassroots.events.models import Event

    [event] = Event.objects.all()
    return event


def test_post_creates_an_open311_event(client: Any, form: dict[str, Any]) -> None:
    response = client.post(URL, form)
    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    assert answer["account_id"] is None
    event = only_event()
    assert answer["service_request_id"] == event.number
    assert event.number in answer["service_notice"]
    assert event.source == "open311"
    assert event.category.code == "SRHJ01"
    assert event.grid is not None and event.grid.code == "513401101201001"
    assert event.title == "门口堆放建筑垃圾"
    assert event.description.startswith("门口堆放建筑垃圾\n")
    assert event.contact_name == "张三"
    assert event.contact_phone == "13912345678"
    assert event.address == "礼州镇礼州村委会门口"
    assert event.attributes == {"SIZE": "large", "KINDS": ["brick", "soil"], "DAYS": 3}
    assert event.reporter is None
    assert event.idempotency_key == answer["token"]


def test_post_as_xml(client: Any, form: dict[str, Any]) -> None:
    response = client.post("/open311/v2/requests.xml", form)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "service_requests"
    [request] = list(root)
    assert request.tag == "request"
    assert request.findtext("service_request_id") == only_event().number
    assert request.find("account_id") is not None
    assert request.findtext("account_id") == ""  # empty element


def test_a_real_http_client_posts_form_encoded(form: dict[str, Any], client: Any) -> None:
    """requests encodes the form (repeated attribute[KINDS][] fields) as any client does."""
    session = http_session(client)
    response = session.post("http://testserver/open311/v2/requests.json", data=form)
    assert response.status_code == 200
    assert response.json()[0]["service_request_id"] == only_event().number
    assert only_event().attributes["KINDS"] == ["brick", "soil"]


@pytest.mark.parametrize("key", [None, "", "gr311_wrong", "x" * 300])
def test_missing_or_bad_api_key_is_403(client: Any, form: dict[str, Any], key: Any) -> None:
    from grassroots.events.models import Event

    if key is None:
        del form["api_key"]
    else:
        form["api_key"] = key
    for fmt in ("json", "xml"):
        response = client.post(f"/open311/v2/requests.{fmt}", form)
        assert response.status_code == 403
        if fmt == "json":
            assert response.json()[0]["code"] == 403
        else:
            assert ET.fromstring(response.content).findtext("error/code") == "403"  # noqa: S314
    assert not Event.objects.exists()


def test_revoked_key_is_403(client: Any, form: dict[str, Any]) -> None:
    from grassroots.open311.actions import revoke_api_key
    from grassroots.open311.models import ApiKey

    revoke_api_key(ApiKey.objects.get().pk, actor=None)
    assert client.post(URL, form).status_code == 403


def test_missing_position_is_400(en_client: Any, form: dict[str, Any]) -> None:
    from grassroots.events.models import Event

    for field in ("lat", "long", "address_string"):
        del form[field]
    response = en_client.post(URL, form)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert "lat and long, or address_string" in error["description"]
    form["address_id"] = "545483"
    response = en_client.post(URL, form)
    assert response.status_code == 400
    assert "address_id" in response.json()[0]["description"]
    assert not Event.objects.exists()


def test_address_only_goes_to_the_jurisdiction(client: Any, form: dict[str, Any]) -> None:
    del form["lat"], form["long"]
    assert client.post(URL, form).status_code == 200
    event = only_event()
    assert event.lat is None and event.grid is None
    assert event.assignee.code == "513401"  # the root: its dispatchers place it


def test_only_lat_is_400(en_client: Any, form: dict[str, Any]) -> None:
    del form["long"], form["address_string"]
    response = en_client.post(URL, form)
    assert response.status_code == 400
    assert "lat/long" in response.json()[0]["description"]


@pytest.mark.parametrize("value", ["north", "nan", "95"])
def test_bad_latitude_is_400(en_client: Any, form: dict[str, Any], value: str) -> None:
    form["lat"] = value
    response = en_client.post(URL, form)
    assert response.status_code == 400
    assert "lat" in response.json()[0]["description"]


def test_outside_the_jurisdiction_is_400_with_a_clear_description(
    en_client: Any, form: dict[str, Any]
) -> None:
    from grassroots.events.models import Event

    form["lat"], form["long"] = (str(v) for v in POINT_OUTSIDE)
    response = en_client.post(URL, form)
    assert response.status_code == 400
    [error] = response.json()
    assert "outside every grid of this jurisdiction" in error["description"]
    assert "104.060000" in error["description"]
    assert not Event.objects.exists()


@pytest.mark.parametrize("code", ["", "NOPE", "MDJF01"])
def test_unknown_or_private_service_is_400(client: Any, form: dict[str, Any], code: str) -> None:
    form["service_code"] = code
    response = client.post(URL, form)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_required_attribute_missing_is_400(en_client: Any, form: dict[str, Any]) -> None:
    del form["attribute[SIZE]"]
    response = en_client.post(URL, form)
    assert response.status_code == 400
    description = response.json()[0]["description"]
    assert description.startswith("attribute[SIZE]: ")
    assert "堆放规模" in description and "required" in description


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attribute[SIZE]", "huge"),
        ("attribute[KINDS][]", ["brick", "gold"]),
        ("attribute[DAYS]", "three"),
        ("attribute[COLOUR]", "red"),
        ("attribute[NOTE]", "informational only"),
    ],
)
def test_invalid_attribute_is_400(
    client: Any, form: dict[str, Any], field: str, value: Any
) -> None:
    from grassroots.events.models import Event

    form[field] = value
    response = client.post(URL, form)
    assert response.status_code == 400
    code = field.split("[")[1].rstrip("]")
    assert f"attribute[{code}]" in response.json()[0]["description"]
    assert not Event.objects.exists()


def test_bad_phone_is_400_naming_phone(client: Any, form: dict[str, Any]) -> None:
    form["phone"] = "call me"
    response = client.post(URL, form)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("phone: ")


def test_retry_with_the_same_idempotency_key_gets_the_same_request(
    client: Any, form: dict[str, Any]
) -> None:
    from grassroots.events.models import Event

    first = client.post(URL, form, headers={"Idempotency-Key": "retry-1"}).json()[0]
    again = client.post(URL, form, headers={"Idempotency-Key": "retry-1"}).json()[0]
    assert again == first
    assert Event.objects.count() == 1
    other = client.post(URL, form, headers={"Idempotency-Key": "retry-2"}).json()[0]
    assert other["service_request_id"] != first["service_request_id"]
    # without a key, every POST is a new request
    client.post(URL, form)
    assert Event.objects.count() == 3


def test_the_same_idempotency_key_of_another_partner_is_another_request(
    client: Any, form: dict[str, Any]
) -> None:
    from grassroots.open311.actions import issue_api_key

    first = client.post(URL, form, headers={"Idempotency-Key": "k"}).json()[0]
    form["api_key"] = issue_api_key(name="另一个伙伴", actor=None).key
    second = client.post(URL, form, headers={"Idempotency-Key": "k"}).json()[0]
    assert second["service_request_id"] != first["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_token_answers_its_request(client: Any, form: dict[str, Any], fmt: str) -> None:
    answer = client.post(URL, form).json()[0]
    response = client.get(f"/open311/v2/tokens/{answer['token']}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [
            {"service_request_id": answer["service_request_id"], "token": answer["token"]}
        ]
    else:
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id") == answer["service_request_id"]
        assert root.findtext("request/token") == answer["token"]
    missing = client.get(f"/open311/v2/tokens/o311-nothing.{fmt}")
    assert missing.status_code == 404


def test_media_file_is_kept_as_a_photo(client: Any, form: dict[str, Any], media: Any) -> None:
    form["media"] = photo()
    response = client.post(URL, form)  # multipart
    assert response.status_code == 200, response.content
    assert only_event().attachments.count() == 1


def test_media_that_is_not_a_photo_is_400(client: Any, form: dict[str, Any], media: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form["media"] = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(URL, form)
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("media: ")


def test_post_needs_no_csrf_token(form: dict[str, Any]) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form).status_code == 200


def test_key_use_is_noted(client: Any, form: dict[str, Any]) -> None:
    from grassroots.open311.models import ApiKey

    assert ApiKey.objects.get().last_used_at is None
    client.post(URL, form)
    assert ApiKey.objects.get().last_used_at is not None
