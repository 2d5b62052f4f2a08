"""The OpenAPI document: generated without a warning, valid, and the answers of the event
endpoints match it (every key documented, every type right), as zulip checks its API."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_validates(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--format",
        "openapi-json",
        "--file",
        str(out),
        stderr=io.StringIO(),
    )
    paths = json.loads(out.read_text())["paths"]
    for path in (
        "/api/v1/events/",
        "/api/v1/events/{number}/",
        "/api/v1/events/{number}/accept/",
        "/api/v1/events/{number}/return/",
        "/api/v1/events/{number}/resolve/",
        "/api/v1/events/{number}/comment/",
        "/api/v1/categories/",
        "/api/v1/attachments/{id}/",
    ):
        assert path in paths, path
    resolve = paths["/api/v1/events/{number}/resolve/"]["post"]
    assert set(resolve["requestBody"]["content"]) >= {"multipart/form-data", "application/json"}
    assert {"200", "400", "403", "404", "409"} <= set(resolve["responses"])
    headers = [p["name"] for p in resolve["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]


def _convert(schema: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: ``nullable``, and objects closed to undocumented
    keys."""
    if isinstance(schema, list):
        return [_convert(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _convert(value) for key, value in schema.items() if key != "nullable"}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


class OpenAPI:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = _convert(document["components"])

    def check(self, path: str, method: str, response: Any) -> None:
        operation = self.document["paths"][path][method]
        documented = operation["responses"][str(response.status_code)]
        schema = documented["content"]["application/json"]["schema"]
        root = {**_convert(schema), "components": self.components}
        jsonschema.Draft202012Validator(root).validate(response.json())


@pytest.fixture
def openapi(login: Any, city_admin: Any) -> OpenAPI:
    response = login(city_admin).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return OpenAPI(response.json())


def test_event_answers_match_the_document(
    openapi: OpenAPI, login: Any, report: Any, village_cadre: Any, grid_worker: Any, media: Any
) -> None:
    from tests.open311.support import POINT, photo

    event = report()
    cadre = login(village_cadre)
    openapi.check("/api/v1/events/", "get", cadre.get("/api/v1/events/"))
    openapi.check("/api/v1/events/{number}/", "get", cadre.get(f"/api/v1/events/{event.number}/"))
    accepted = cadre.post(f"/api/v1/events/{event.number}/accept/")
    openapi.check("/api/v1/events/{number}/accept/", "post", accepted)
    conflict = cadre.post(f"/api/v1/events/{event.number}/accept/")
    assert conflict.status_code == 409
    openapi.check("/api/v1/events/{number}/accept/", "post", conflict)
    denied = login(grid_worker).post(f"/api/v1/events/{event.number}/close/")
    assert denied.status_code == 403
    openapi.check("/api/v1/events/{number}/close/", "post", denied)
    missing = cadre.post("/api/v1/events/XC0/close/")
    assert missing.status_code == 404
    openapi.check("/api/v1/events/{number}/close/", "post", missing)
    bad = cadre.post(f"/api/v1/events/{event.number}/reject/")
    assert bad.status_code == 400
    openapi.check("/api/v1/events/{number}/reject/", "post", bad)
    comment = cadre.post(
        f"/api/v1/events/{event.number}/comment/", {"note": "补充", "photos": [photo()]}
    )
    openapi.check("/api/v1/events/{number}/comment/", "post", comment)
    lat, lon = POINT
    created = login(grid_worker).post(
        "/api/v1/events/",
        {
            "category": "SRHJ01",
            "title": "新",
            "lat": lat,
            "lon": lon,
            "attributes": '{"SIZE": "small"}',
        },
        headers={"Idempotency-Key": "s1"},
    )
    assert created.status_code == 201, created.content
    openapi.check("/api/v1/events/", "post", created)
    reused = login(grid_worker).post(
        "/api/v1/events/",
        {"category": "SRHJ01", "title": "另一件", "lat": lat, "lon": lon},
        headers={"Idempotency-Key": "s1"},
    )
    assert reused.status_code == 422
    openapi.check("/api/v1/events/", "post", reused)
    detail = cadre.get(f"/api/v1/events/{event.number}/").json()
    assert detail["timeline"][-1]["attachments"], "the comment's photo is in the timeline"
    openapi.check("/api/v1/events/{number}/", "get", cadre.get(f"/api/v1/events/{event.number}/"))


def test_category_answers_match_the_document(
    openapi: OpenAPI, login: Any, categories: Any, grid_worker: Any
) -> None:
    client = login(grid_worker)
    openapi.check("/api/v1/categories/", "get", client.get("/api/v1/categories/"))
    openapi.check("/api/v1/categories/{code}/", "get", client.get("/api/v1/categories/SRHJ01/"))


def test_the_check_catches_an_undocumented_key(openapi: OpenAPI) -> None:
    class Fake:
        status_code = 409

        @staticmethod
        def json() -> Any:
            return {"detail": "x", "code": "y", "secret": "not documented"}

    with pytest.raises(jsonschema.ValidationError):
        openapi.check("/api/v1/events/{number}/accept/", "post", Fake())
