"""The grid map page as its users see it: coloured grids with their figures, linked to the
grid's dashboard, points only for what the viewer may see, scope, and a flat query count."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.dashboards import maps_support

mapped = maps_support.mapped
_fresh_map_cache = maps_support._fresh_map_cache

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
LIZHOU_MAP = "/dashboard/513401101/map/"


def _svg(body: str) -> ET.Element:
    match = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox.*?</svg>', body, re.S)
    assert match, "no map on the page"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own page


def _grids(root: ET.Element) -> dict[str, dict[str, str]]:
    """Grid name → its link, tooltip and fill."""
    out = {}
    for a in root.findall(f".//{SVG}g[@class='grids']/{SVG}a"):
        title = a.find(f"{SVG}title")
        path = a.find(f"{SVG}path")
        assert title is not None and title.text and path is not None
        name = title.text.split("：", 1)[0]
        out[name] = {"href": a.get("href", ""), "title": title.text, "fill": path.get("fill", "")}
    return out


def _points(root: ET.Element) -> list[str]:
    return [
        (c.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
        for c in root.findall(f".//{SVG}g[@class='points']//{SVG}circle")
    ]


def counted(ctx: Any) -> int:
    """The queries a page issued, less the working-day calendar's revision check (made at
    most every few seconds, driven by the clock)."""
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def test_township_map_shows_each_grids_figure_and_links_to_its_dashboard(
    mapped: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    response = login(xc_secretary).get(LIZHOU_MAP, {"metric": "on_time"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "礼州镇网格地图" in body and "按期结案率" in body and "近12个月" in body
    grids = _grids(_svg(body))
    assert set(grids) == {"礼州村第1网格", "礼州村第2网格", "田坝村第1网格"}
    a = grids["礼州村第1网格"]
    assert a["title"] == "礼州村第1网格：按期结案率 33.33%（按期结案 1 件 / 到期 3 件）"
    assert a["href"] == "/dashboard/513401101201001/"
    assert grids["田坝村第1网格"]["title"] == "田坝村第1网格：暂无数据"
    assert grids["田坝村第1网格"]["fill"] == "url(#gmap-nodata)"
    # the lowest on-time rate is the worst class: hatched
    assert a["fill"] == "url(#gmap-hatch)"
    assert grids["礼州村第2网格"]["fill"].startswith("#")
    # the same figures in the table below, linked too
    table = body.split('id="table-title"', 1)[1]
    assert '<a href="/dashboard/513401101201001/">礼州村第1网格</a>' in table
    assert "33.33%" in table and "1/3" in table


def test_open_and_overdue_maps_colour_the_busiest_grid_worst(
    mapped: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    client = login(xc_secretary)
    for metric, text in (("open", "未办结事件：2 件"), ("overdue", "超期件数：1 件")):
        body = client.get(LIZHOU_MAP, {"metric": metric}).content.decode()
        grids = _grids(_svg(body))
        assert grids["礼州村第1网格"]["title"] == f"礼州村第1网格：{text}"
        assert grids["礼州村第1网格"]["fill"] == "url(#gmap-hatch)"
        assert grids["礼州村第2网格"]["fill"] != "url(#gmap-hatch)"
        assert 'aria-current="true">' + text.split("：")[0] in body  # the chosen metric
        assert "近12个月" not in body  # counts of now: no period to choose


def test_the_table_sorts_by_value(mapped: dict[str, Any], xc_secretary: Any, login: Any) -> None:
    client = login(xc_secretary)
    body = client.get(LIZHOU_MAP, {"metric": "on_time", "sort": "value"}).content.decode()
    table = body.split('id="table-title"', 1)[1]
    order = re.findall(r">(\w+村第\d网格)</a></td>", table)
    assert order == ["礼州村第1网格", "礼州村第2网格", "田坝村第1网格"]  # no data last
    body = client.get(LIZHOU_MAP, {"metric": "on_time", "sort": "-value"}).content.decode()
    order = re.findall(r">(\w+村第\d网格)</a></td>", body.split('id="table-title"', 1)[1])
    assert order == ["礼州村第2网格", "礼州村第1网格", "田坝村第1网格"]


def test_a_village_cadre_sees_only_their_grids_and_their_events(
    mapped: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    client = login(village_cadre)
    body = client.get("/dashboard/513401101201/map/").content.decode()
    root = _svg(body)
    assert set(_grids(root)) == {"礼州村第1网格", "礼州村第2网格"}
    points = _points(root)
    numbers = {mapped["events"][k].number for k in ("a_open", "a_overdue")}
    assert {p.split()[0] for p in points} == numbers
    assert all("乱堆乱放" in p for p in points)
    assert "黑点：您可查看的未办结事件 2 件。" in body
    # the township and another village are outside their area
    assert client.get(LIZHOU_MAP).status_code == 404
    assert client.get("/dashboard/513401101202/map/").status_code == 404


def test_no_personal_data_on_the_map(
    mapped: dict[str, Any], city_admin: Any, village_cadre: Any, login: Any
) -> None:
    event = mapped["events"]["a_open"]
    event.reporter = village_cadre
    event.save(update_fields=["reporter"])
    body = login(city_admin).get("/dashboard/513401/map/").content.decode()
    assert len(_points(_svg(body))) == 3  # 安宁's overdue event too
    for secret in ("张三", "13800001111", "张村长", "13812345678", event.title):
        assert secret not in body


def test_out_of_scope_unknown_and_anonymous(
    mapped: dict[str, Any], outsider: Any, grid_worker: Any, xc_secretary: Any, login: Any
) -> None:
    assert login(outsider).get(LIZHOU_MAP).status_code == 404
    assert login(grid_worker).get(LIZHOU_MAP).status_code == 404
    assert login(xc_secretary).get("/dashboard/999999/map/").status_code == 404
    anonymous = Client().get(LIZHOU_MAP)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    bad = login(xc_secretary).get(LIZHOU_MAP, {"metric": "<b>nonsense</b>"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "未知的指标“&lt;b&gt;nonsense&lt;/b&gt;”，请从下列指标中选择。" in text
    assert "?metric=on_time" in text  # the choices are offered
    bad = login(xc_secretary).get(LIZHOU_MAP, {"metric": "on_time", "period": "1999"})
    assert bad.status_code == 400 and "未知的期间" in bad.content.decode()
    assert login(xc_secretary).post(LIZHOU_MAP).status_code == 405


def test_a_grid_workers_own_grid(mapped: dict[str, Any], grid_worker: Any, login: Any) -> None:
    body = login(grid_worker).get("/dashboard/513401101201001/map/").content.decode()
    assert set(_grids(_svg(body))) == {"礼州村第1网格"}


def test_the_query_count_stays_flat_with_more_grids_and_events(
    mapped: dict[str, Any], city_admin: Any, login: Any
) -> None:
    from grassroots.org.models import Unit, UnitKind
    from tests.events.reporting_support import make_event
    from tests.pages_support import square

    client = login(city_admin)
    client.get("/dashboard/513401/map/")  # warm up: session, calendar, caches
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/513401/map/", {"metric": "satisfaction"})
    assert counted(few) <= 12
    village = mapped["other_village"]
    for i in range(2, 32):
        grid = Unit.objects.create(
            code=f"513401102201{i:03d}",
            name=f"安宁村第{i}网格",
            kind=UnitKind.GRID,
            parent=village,
            geometry=square(102.3 + 0.01 * i, 28.0, 102.305 + 0.01 * i, 28.01),
        )
        make_event(mapped["category"], grid, lon=102.302 + 0.01 * i, lat=28.005)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/dashboard/513401/map/", {"metric": "satisfaction"})
    assert counted(many) <= counted(few) + 1  # + the new map's polygons
    assert len(_grids(_svg(response.content.decode()))) == 34
