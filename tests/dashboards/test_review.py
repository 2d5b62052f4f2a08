"""The reviewer's checks of the dashboards and grid maps: every role of the cast against
every dashboard and map of a unit inside and outside its scope, bad query parameters,
methods, personal data and the page's accessibility basics.

The world is the maps' (tests/dashboards/maps_support.py): grids A, B (礼州村), C (田坝村)
and D (安宁村, another township), an open event in A whose contact is 张三 13800001111.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import _person
from tests.dashboards import maps_support

mapped = maps_support.mapped
_fresh_map_cache = maps_support._fresh_map_cache

pytestmark = pytest.mark.django_db

CODES = {
    "city": "513401",
    "lizhou": "513401101",
    "village": "513401101201",
    "neighbour_village": "513401101202",
    "grid": "513401101201001",
    "anning": "513401102",
    "other_village": "513401102201",
    "department": "513401D01",
}

#: The units whose dashboard and map each role may open (the rest: 404).
SCOPE = {
    "city_admin": {k for k in CODES if k != "department"},
    "xc_secretary": {"lizhou", "village", "neighbour_village", "grid"},
    "supervisor": {"lizhou", "village", "neighbour_village", "grid"},
    "village_cadre": {"village", "grid"},
    "grid_worker": {"grid"},
    "outsider": {"anning", "other_village"},
    "dept_staff": set(),
    "rater": set(),
    "resident": set(),
}


@pytest.fixture
def cast(
    mapped: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    supervisor: Any,
    village_cadre: Any,
    grid_worker: Any,
    outsider: Any,
    dept_staff: Any,
    resident: Any,
) -> dict[str, Any]:
    rater = _person("rater", "rater", mapped["city"], full_name="测评人")
    return {
        "city_admin": city_admin,
        "xc_secretary": xc_secretary,
        "supervisor": supervisor,
        "village_cadre": village_cadre,
        "grid_worker": grid_worker,
        "outsider": outsider,
        "dept_staff": dept_staff,
        "rater": rater,
        "resident": resident,
    }


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_every_role_sees_the_dashboards_and_maps_of_its_scope_only(
    cast: dict[str, Any], login: Any, role: str
) -> None:
    client = login(cast[role])
    for key, code in CODES.items():
        for suffix in ("", "map/"):
            url = f"/dashboard/{code}/{suffix}"
            response = client.get(url)
            expected = 200 if key in SCOPE[role] else 404
            assert response.status_code == expected, (role, url, response.status_code)
            if expected == 200:
                body = response.content.decode()
                # nothing of another township on a page of this one
                if key != "city" and key not in ("anning", "other_village"):
                    assert "安宁村第1网格" not in body, (role, url)
                assert "张三" not in body and "13800001111" not in body, (role, url)


def test_anonymous_is_sent_to_the_login(mapped: dict[str, Any]) -> None:
    client = Client()
    for url in ("/dashboard/", "/dashboard/513401101/", "/dashboard/513401101/map/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("role", ["dept_staff", "rater", "resident"])
def test_someone_without_a_dashboard_is_refused_at_the_root(
    cast: dict[str, Any], login: Any, role: str
) -> None:
    assert login(cast[role]).get("/dashboard/").status_code == 403


BAD_VALUES = ["", "abc", "-1", "0", "99999999999999999999", "\x00", "a" * 5000, "../..", "%00"]


@pytest.mark.parametrize("name", ["metric", "period", "sort", "page", "group", "year", "unit"])
def test_bad_query_parameters_never_fail(cast: dict[str, Any], login: Any, name: str) -> None:
    client = login(cast["city_admin"])
    for value in BAD_VALUES:
        for url in ("/dashboard/", "/dashboard/513401101/", "/dashboard/513401101/map/"):
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400), (url, name, value, response.status_code)
        response = client.get(
            "/dashboard/513401101/map/", {"metric": "on_time", "period": "month", name: value}
        )
        assert response.status_code in (200, 400), (name, value)


@pytest.mark.parametrize(
    "code", ["999999", "513401101%2F201", "..", "513401101201001-x", "a" * 300, "０"]
)
def test_unknown_codes_are_not_found(cast: dict[str, Any], login: Any, code: str) -> None:
    client = login(cast["city_admin"])
    for suffix in ("", "map/"):
        assert client.get(f"/dashboard/{code}/{suffix}").status_code == 404


def test_only_get_and_head(cast: dict[str, Any], login: Any) -> None:
    client = login(cast["xc_secretary"])
    for url in ("/dashboard/", "/dashboard/513401101/", "/dashboard/513401101/map/"):
        assert client.head(url).status_code == 200, url
        for method in ("post", "put", "delete", "patch"):
            assert getattr(client, method)(url).status_code == 405, (method, url)
        htmx = client.get(url, headers={"HX-Request": "true", "HX-Target": "main"})
        assert htmx.status_code == 200, url


def test_the_pages_are_accessible_and_csp_safe(cast: dict[str, Any], login: Any) -> None:
    client = login(cast["city_admin"])
    for url in (
        "/dashboard/513401/",
        "/dashboard/513401101/",
        "/dashboard/513401101201/",
        "/dashboard/513401101201001/",
        "/dashboard/513401101/map/",
        "/dashboard/513401101/map/?metric=on_time",
        "/",
    ):
        body = client.get(url).content.decode()
        assert ' style="' not in body, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        for th in re.findall(r"<th\b[^>]*>", body):
            assert "scope=" in th, (url, th)
        for svg in re.findall(r"<svg\b[^>]*>", body):
            if 'aria-hidden="true"' in svg:
                continue
            assert "aria-label" in svg or "aria-labelledby" in svg or 'role="img"' in svg, (
                url,
                svg,
            )


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_the_staff_home_shows_the_own_units_numbers_only(
    cast: dict[str, Any], login: Any, role: str
) -> None:
    client = login(cast[role])
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" not in body and "13800001111" not in body
    if SCOPE[role]:
        assert 'href="/dashboard/' in body
    else:
        assert 'href="/dashboard/' not in body  # no dashboard offered where none opens
    assert client.head("/").status_code == 200
    assert client.post("/").status_code == 405
