"""A village cadre sees their village and not the one next door — through pages and the API."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_unit_page_in_scope_and_out_of_scope(
    login: Any, tree: dict[str, Any], village_cadre: Any
) -> None:
    client = login(village_cadre)
    own = client.get("/org/units/513401101201/")
    assert own.status_code == 200
    assert "礼州村" in own.content.decode()
    assert "礼州村第1网格" in own.content.decode()  # the grid below is listed
    assert client.get("/org/units/513401101202/").status_code == 404  # the neighbour
    assert client.get("/org/units/513401101/").status_code == 404  # the township above


def test_unit_list_shows_only_scope(login: Any, tree: dict[str, Any], village_cadre: Any) -> None:
    body = login(village_cadre).get("/org/units/").content.decode()
    assert "礼州村" in body
    assert "田坝村" not in body
    assert "安宁村" not in body


def test_unit_list_search_kind_and_pagination(
    login: Any, tree: dict[str, Any], city_admin: Any
) -> None:
    from grassroots.org.models import Unit

    for i in range(60):
        Unit.objects.create(
            code=f"513401101201{100 + i}", name=f"测试网格{i}", kind="grid", parent=tree["village"]
        )
    client = login(city_admin)
    first = client.get("/org/units/", {"kind": "grid"})
    assert first.context["page"].paginator.count == 61
    assert len(first.context["page"].object_list) == 50
    second = client.get("/org/units/", {"kind": "grid", "page": 2})
    assert len(second.context["page"].object_list) == 11
    found = client.get("/org/units/", {"q": "田坝"})
    assert [u.code for u in found.context["page"]] == ["513401101202"]


def test_api_units_are_scoped(login: Any, tree: dict[str, Any], village_cadre: Any) -> None:
    client = login(village_cadre)
    listed = client.get("/api/v1/units/").json()
    assert {u["code"] for u in listed["results"]} == {"513401101201", "513401101201001"}
    assert client.get("/api/v1/units/513401101201/").status_code == 200
    assert client.get("/api/v1/units/513401101202/").status_code == 404
    within = client.get("/api/v1/units/", {"within": "513401101"}).json()
    assert {u["code"] for u in within["results"]} == {"513401101201", "513401101201001"}


def test_api_requires_login(tree: dict[str, Any], client: Any) -> None:
    assert client.get("/api/v1/units/").status_code in (401, 403)


def test_api_me_masks_phone(login: Any, tree: dict[str, Any], village_cadre: Any) -> None:
    me = login(village_cadre).get("/api/v1/me/").json()
    assert me["phone"] == "138****5678"
    assert [m["unit"]["code"] for m in me["memberships"]] == ["513401101201"]
    assert me["memberships"][0]["role"] == "village_cadre"


def test_unit_page_masks_member_phones(
    login: Any, tree: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    body = login(xc_secretary).get("/org/units/513401101201/").content.decode()
    assert "张村长" in body
    assert "13812345678" not in body
    assert "138****5678" in body


def test_openapi_schema_describes_units(login: Any, city_admin: Any) -> None:
    schema = login(city_admin).get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/units/" in schema.json()["paths"]
