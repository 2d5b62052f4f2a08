"""GET requests and GET a request: the window (90 days), the limit (1,000), the filters,
open/closed, the public view (no names or phones, position to ~100 m), JSON = XML."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from tests.open311.support import POINT, http_session, xml_data, xml_text

ROOT = "http://testserver/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def geo(monkeypatch: pytest.MonkeyPatch, client: Any) -> Any:
    georeport = pytest.importorskip("georeport")  # the Open311 client library (dev extra)
    import georeport.georeport as module

    session = http_session(client)

    class Requests:
        get = session.get

    monkeypatch.setattr(module, "requests", Requests)
    return lambda fmt="json": georeport.GeoReport(ROOT, output_format=fmt)


@pytest.fixture
def report(grids: Any, categories: Any, grid_worker: Any, official_calendar: Any) -> Any:
    from grassroots.events.actions import report_event

    def _report(**overrides: Any) -> Any:
        lat, lon = overrides.pop("point", (27.851234, 102.056789))
        kwargs: dict[str, Any] = {
            "actor": grid_worker,
            "category": categories["piles"],
            "title": "路边堆放建筑垃圾",
            "source": "patrol",
            "description": "村委会门口堆放建筑垃圾, 联系人 13912345678",
            "lat": lat,
            "lon": lon,
            "address": "礼州村委会门口",
            "contact_name": "张三",
            "contact_phone": "13987654321",
            "attributes": {"SIZE": "small"},
        }
        kwargs.update(overrides)
        return report_event(**kwargs)

    return _report


def test_get_requests_json_by_a_real_client(geo: Any, report: Any) -> None:
    event = report()
    [request] = geo("json").get_service_requests()
    assert set(request) == FIELDS
    assert request["service_request_id"] == event.number
    assert request["status"] == "open"
    assert request["service_code"] == "SRHJ01"
    assert request["service_name"] == "乱堆乱放"
    assert request["agency_responsible"] == "礼州村"
    assert request["address"] == "礼州村委会门口"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[name]), request[name]
    assert request["requested_datetime"].endswith("+08:00")
    expected = dt.datetime.fromisoformat(request["expected_datetime"])
    assert expected == event.resolve_by.replace(microsecond=0)
    assert dt.datetime.fromisoformat(request["requested_datetime"]) == event.reported_at.replace(
        microsecond=0
    )


def test_public_view_has_no_name_or_phone_and_a_coarse_position(geo: Any, report: Any) -> None:
    report()
    [request] = geo("json").get_service_requests()
    text = repr(request)
    assert "张三" not in text
    assert "13987654321" not in text
    assert "13912345678" not in text  # a phone written in the description is masked
    assert "139****5678" in request["description"]
    assert request["lat"] == 27.851
    assert request["long"] == 102.057


def test_xml_says_the_same_as_json(geo: Any, report: Any, client: Any) -> None:
    report()
    report(point=POINT, title="第二件")
    as_json = client.get("/open311/v2/requests.json").json()
    response = client.get("/open311/v2/requests.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "service_requests"
    assert [child.tag for child in root] == ["request", "request"]
    assert xml_data(root) == xml_text(as_json)
    # and the client library reads the XML
    as_lib = geo("xml").get_service_requests()
    assert [r["service_request_id"] for r in as_lib] == [r["service_request_id"] for r in as_json]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request(geo: Any, report: Any, fmt: str) -> None:
    event = report()
    request = geo(fmt).get_service_request(event.number)
    assert request["service_request_id"] == event.number
    assert request["status"] == "open"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(client: Any, report: Any, fmt: str) -> None:
    report()
    response = client.get(f"/open311/v2/requests/XC2026.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404
    else:
        assert ET.fromstring(response.content).findtext("error/code") == "404"  # noqa: S314


def test_events_of_private_categories_are_not_public(
    client: Any, report: Any, categories: Any
) -> None:
    private = report(category=categories["dispute"], attributes={})
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{private.number}.json").status_code == 404


def test_rejected_is_closed_with_the_reason_in_status_notes(
    client: Any, report: Any, village_cadre: Any
) -> None:
    from grassroots.events.actions import reject_event

    event = report()
    reject_event(event.pk, actor=village_cadre, reason="重复上报, 已在处理")
    en = client.get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert en["status"] == "closed"
    from django.utils import translation

    from grassroots.events.states import EventStatus

    with translation.override("zh-hans"):  # our status, in Chinese by default
        label = str(EventStatus.REJECTED.label)
    assert en["status_notes"] == f"{label}: 重复上报, 已在处理"


def test_status_filter(client: Any, report: Any, village_cadre: Any) -> None:
    from grassroots.events.actions import reject_event

    open_one = report()
    closed_one = report(title="已驳回")
    reject_event(closed_one.pk, actor=village_cadre, reason="不属实")

    def numbers(**params: str) -> list[str]:
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200
        return [r["service_request_id"] for r in response.json()]

    assert numbers(status="open") == [open_one.number]
    assert numbers(status="closed") == [closed_one.number]
    assert set(numbers(status="open,closed")) == {open_one.number, closed_one.number}
    bad = client.get("/open311/v2/requests.json", {"status": "pending"})
    assert bad.status_code == 400


def test_service_code_and_id_filters(client: Any, report: Any, categories: Any) -> None:
    piles = report()
    lamp = report(category=categories["lamp"], attributes={})
    got = client.get("/open311/v2/requests.json", {"service_code": "SRHJ02"}).json()
    assert [r["service_request_id"] for r in got] == [lamp.number]
    got = client.get("/open311/v2/requests.json", {"service_code": "SRHJ01,SRHJ02"}).json()
    assert len(got) == 2
    got = client.get(
        "/open311/v2/requests.json",
        # ids override every other filter (the specification)
        {"service_request_id": f"{piles.number},{lamp.number}", "service_code": "NOPE"},
    ).json()
    assert {r["service_request_id"] for r in got} == {piles.number, lamp.number}


def test_default_window_is_the_last_90_days(client: Any, report: Any) -> None:
    now = timezone.now()
    recent = report(reported_at=now - dt.timedelta(days=89))
    report(reported_at=now - dt.timedelta(days=91), title="太早")
    got = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in got] == [recent.number]


def test_start_and_end_date(client: Any, report: Any) -> None:
    now = timezone.localtime()
    old = report(reported_at=now - dt.timedelta(days=120), title="早")
    new = report(reported_at=now - dt.timedelta(days=2), title="新")

    def numbers(**params: str) -> list[str]:
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    start = (now - dt.timedelta(days=130)).isoformat(timespec="seconds")
    assert numbers(start_date=start) == [old.number]  # start + 90 days
    end = (now - dt.timedelta(days=100)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(end_date=end) == [old.number]  # end - 90 days
    assert numbers(
        start_date=(now - dt.timedelta(days=3)).date().isoformat(),
        end_date=now.date().isoformat(),
    ) == [new.number]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
    ],
)
def test_bad_dates_are_400(en_client: Any, report: Any, params: dict[str, str], word: str) -> None:
    for fmt in ("json", "xml"):
        response = en_client.get(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code == 400
    assert word in response.content.decode()


def test_at_most_1000_requests_newest_first(client: Any, report: Any) -> None:
    from grassroots.events.models import Event

    template = report()
    now = timezone.now()
    copies = []
    for i in range(1000):
        copy = Event(
            title=f"批量 {i}",
            category_id=template.category_id,
            source="patrol",
            area_path=template.area_path,
            assignee_id=template.assignee_id,
            assignee_path=template.assignee_path,
            dispatcher_id=template.dispatcher_id,
            grid_id=template.grid_id,
            status="reported",
            reported_at=now - dt.timedelta(minutes=i + 1),
            number=f"XCBULK{i:06d}",
        )
        copies.append(copy)
    Event.objects.bulk_create(copies)
    got = client.get("/open311/v2/requests.json").json()
    assert len(got) == 1000
    assert got[0]["service_request_id"] == template.number
    assert got[-1]["service_request_id"] == "XCBULK000998"


def test_xml_stays_well_formed_with_control_characters(client: Any, report: Any) -> None:
    event = report(description="第一行\x0b第二行 <b>&amp;</b> \x1b[31m")
    response = client.get(f"/open311/v2/requests/{event.number}.xml")
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.findtext("request/description") == "第一行第二行 <b>&amp;</b> [31m"
    as_json = client.get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert as_json["description"] == "第一行\x0b第二行 <b>&amp;</b> \x1b[31m"
