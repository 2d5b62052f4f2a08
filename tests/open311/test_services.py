"""Discovery, services and service definitions, as JSON and XML, read by a real Open311
client library (georeport) and checked against the specification's shapes."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.open311.support import http_session, xml_text

ROOT = "http://testserver/open311/v2"


@pytest.fixture
def geo(monkeypatch: pytest.MonkeyPatch, client: Any) -> Any:
    """georeport's module-level ``requests`` sends to the test client."""
    georeport = pytest.importorskip("georeport")  # the Open311 client library (dev extra)
    import georeport.georeport as module

    session = http_session(client)

    class Requests:
        get = session.get
        post = session.post

    monkeypatch.setattr(module, "requests", Requests)
    return lambda fmt="json": georeport.GeoReport(ROOT, output_format=fmt)


def parse_xml(content: bytes) -> ET.Element:
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(content)  # noqa: S314 -- our own output


def test_service_list_json_has_the_specification_fields(geo: Any, categories: Any) -> None:
    services = geo("json").get_service_list()
    codes = [s["service_code"] for s in services]
    # the non-public category (邻里纠纷) is not offered
    assert codes == ["SRHJ", "SRHJ01", "SRHJ02"]
    piles = services[1]
    assert piles == {
        "service_code": "SRHJ01",
        "service_name": "乱堆乱放",
        "description": "道路、公共场所乱堆乱放",
        "metadata": True,
        "type": "realtime",
        "keywords": "垃圾,堆放",
        "group": "市容环境",
    }
    assert services[2]["metadata"] is False
    assert services[0]["group"] == "市容环境"


def test_service_list_xml_says_the_same(geo: Any, categories: Any, client: Any) -> None:
    as_json = geo("json").get_service_list()
    as_xml = geo("xml").get_service_list()
    assert [dict(s) for s in as_xml] == xml_text(as_json)
    response = client.get("/open311/v2/services.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = parse_xml(response.content)
    assert root.tag == "services"
    assert [child.tag for child in root] == ["service"] * 3


def test_service_definition_json(geo: Any, categories: Any) -> None:
    definition = geo("json").get_service_definition("SRHJ01")
    assert definition["service_code"] == "SRHJ01"
    attributes = definition["attributes"]
    assert [a["code"] for a in attributes] == ["SIZE", "KINDS", "DAYS", "NOTE"]
    size = attributes[0]
    assert size == {
        "variable": True,
        "code": "SIZE",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "堆放规模",
        "values": [{"key": "small", "name": "少量"}, {"key": "large", "name": "大量"}],
    }
    assert "values" not in attributes[2]  # a number takes no list of values
    assert attributes[3]["variable"] is False


def test_service_definition_xml(geo: Any, categories: Any, client: Any) -> None:
    definition = geo("xml").get_service_definition("SRHJ01")
    assert definition["service_code"] == "SRHJ01"
    first = definition["attributes"]["attribute"][0]
    assert first["code"] == "SIZE"
    assert first["required"] == "true"
    assert first["order"] == "1"
    assert first["datatype_description"] is None
    assert [v["key"] for v in first["values"]["value"]] == ["small", "large"]
    root = parse_xml(client.get("/open311/v2/services/SRHJ01.xml").content)
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_or_private_service_definition_is_404(
    client: Any, categories: Any, fmt: str
) -> None:
    for code in ("NOPE", "MDJF01"):
        response = client.get(f"/open311/v2/services/{code}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            assert response["Content-Type"] == "application/json; charset=utf-8"
            [error] = response.json()
            assert error["code"] == 404
            assert code in error["description"]
        else:
            root = parse_xml(response.content)
            assert root.tag == "errors"
            [error] = list(root)
            assert error.tag == "error"
            assert error.findtext("code") == "404"
            assert code in (error.findtext("description") or "")


def test_discovery_json_and_xml(client: Any, categories: Any) -> None:
    data = client.get("/open311/v2/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = parse_xml(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/url") == endpoint["url"]


def test_jurisdiction_id_of_another_city_is_404(client: Any, categories: Any) -> None:
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "513401"}).status_code == 200
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "chicago.gov"})
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_unknown_format_is_not_served(client: Any, categories: Any) -> None:
    assert client.get("/open311/v2/services.csv").status_code == 404


def test_wrong_method_gets_an_error_list(client: Any, categories: Any) -> None:
    response = client.post("/open311/v2/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()[0]["code"] == 405
