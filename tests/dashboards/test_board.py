"""The dashboards per level, as the people of the cast see them (in Chinese).

The clock stands at Tuesday 2026-09-01 10:00 (Asia/Shanghai). Events of 礼州镇 (made
through the actions, then some deadlines moved into the past):

    礼州村第1网格   2 new (reported today), 1 overdue (in progress), 1 awaiting verification
    田坝村第1网格   1 new, 1 overdue
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tests.pages_support import POINT_NEIGHBOUR, World, advance, build_world, report

CST = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 9, 1, 10, tzinfo=CST)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: dict[str, Any]) -> World:
    return build_world(tree)


@pytest.fixture
def events(
    world: World, grid_worker: Any, village_cadre: Any, neighbour_cadre: Any, dept_staff: Any
) -> dict[str, Any]:
    from grassroots.events.models import Event

    new1 = report(world, grid_worker, title="路灯不亮")
    new2 = report(world, grid_worker, title="垃圾未清运")
    late = report(world, grid_worker, title="井盖缺失")
    advance(late, "in_progress", world=world, cadre=village_cadre, staff=dept_staff)
    check = report(world, grid_worker, title="占道经营")
    advance(check, "resolved", world=world, cadre=village_cadre, staff=dept_staff)
    far_new = report(world, neighbour_cadre, title="沟渠堵塞", point=POINT_NEIGHBOUR)
    far_late = report(world, neighbour_cadre, title="田坝村违建", point=POINT_NEIGHBOUR)
    past = NOW - dt.timedelta(days=2)
    Event.objects.filter(pk__in=[late.pk, far_late.pk]).update(resolve_by=past)
    return {
        "new": [new1, new2, far_new],
        "late": late,
        "check": check,
        "far_late": far_late,
    }


def kpis(html: str) -> dict[str, int]:
    """Today's numbers of the page head: {label: value}."""
    found = re.findall(
        r'<span class="kpi-value">(\d+)</span><span class="kpi-label">([^<]+)</span>', html
    )
    return {label: int(value) for value, label in found}


def row_of(html: str, name: str) -> str:
    """The children table's row of the unit ``name``."""
    match = re.search(
        r"<tr[^>]*>\s*<th scope=\"row\"><a [^>]*>" + name + r"</a></th>(.*?)</tr>", html, re.S
    )
    assert match, f"no row for {name}"
    return match.group(1)


def cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


# --- levels ------------------------------------------------------------------------------


def test_township_secretary_sees_the_township_today_and_each_village(
    login: Any, xc_secretary: Any, events: dict[str, Any]
) -> None:
    page = login(xc_secretary).get("/dashboard/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "礼州镇" in html and "数据看板" in html
    numbers = kpis(html)
    assert numbers["今日上报"] == 6
    assert numbers["待受理"] == 4
    assert numbers["已超期"] == 2
    assert numbers["待核查"] == 1
    lizhou = cells(row_of(html, "礼州村"))
    tianba = cells(row_of(html, "田坝村"))
    # reported today, new, due today, overdue, awaiting verification, rates, streak
    assert lizhou[:5] == ["4", "2", "0", "1", "1"]
    assert tianba[:5] == ["2", "2", "0", "1", "0"]
    assert "安宁镇" not in html


def test_the_numbers_link_to_the_queue_of_the_unit(
    login: Any, xc_secretary: Any, events: dict[str, Any]
) -> None:
    html = login(xc_secretary).get("/dashboard/513401101/").content.decode()

    assert "/events/queue/?unit=513401101&amp;tab=overdue&amp;below=1" in html
    assert "/events/queue/?unit=513401101&amp;tab=verify&amp;below=1" in html
    assert 'href="/dashboard/513401101201/"' in html  # the village's own dashboard
    assert f'href="/events/{events["late"].pk}/"' in html  # the longest overdue, a record


def test_city_admin_sees_the_city_and_its_townships(
    login: Any, city_admin: Any, events: dict[str, Any]
) -> None:
    html = login(city_admin).get("/dashboard/").content.decode()

    assert "西昌市" in html
    assert kpis(html)["已超期"] == 2
    assert cells(row_of(html, "礼州镇"))[:5] == ["6", "4", "0", "2", "1"]
    assert cells(row_of(html, "安宁镇"))[:5] == ["0", "0", "0", "0", "0"]
    assert "住房和城乡建设局" not in html  # a department has no area


def test_village_cadre_sees_the_village_and_its_grids(
    login: Any, village_cadre: Any, events: dict[str, Any]
) -> None:
    html = login(village_cadre).get("/dashboard/").content.decode()

    assert "礼州村" in html
    numbers = kpis(html)
    assert numbers["待受理"] == 2
    assert numbers["已超期"] == 1
    assert cells(row_of(html, "礼州村第1网格"))[:5] == ["4", "2", "0", "1", "1"]
    assert "田坝村违建" not in html and "沟渠堵塞" not in html


def test_grid_worker_sees_the_grid_with_its_open_events(
    login: Any, grid_worker: Any, events: dict[str, Any]
) -> None:
    html = login(grid_worker).get("/dashboard/").content.decode()

    assert "礼州村第1网格" in html
    assert kpis(html)["已超期"] == 1
    assert "井盖缺失" in html and "路灯不亮" in html
    assert "田坝村违建" not in html
    assert "任务" not in re.sub(r"<nav.*?</nav>", "", html, flags=re.S)  # no supervision


# --- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("outsider", "513401101"),  # another township's leader
        ("village_cadre", "513401101202"),  # the next village
        ("village_cadre", "513401101"),  # the township above
        ("grid_worker", "513401101201"),  # the grid's village
        ("xc_secretary", "513401"),  # the city above
        ("xc_secretary", "513401D01"),  # a department: no dashboard
        ("xc_secretary", "nope"),
    ],
)
def test_a_unit_outside_the_scope_is_not_found(
    request: pytest.FixtureRequest, login: Any, tree: dict[str, Any], who: str, code: str
) -> None:
    user = request.getfixturevalue(who)

    assert login(user).get(f"/dashboard/{code}/").status_code == 404


def test_village_cadre_never_sees_the_next_village_numbers(
    login: Any, village_cadre: Any, events: dict[str, Any]
) -> None:
    client = login(village_cadre)

    assert client.get("/dashboard/513401101202/").status_code == 404
    html = client.get("/dashboard/513401101201/").content.decode()
    assert "田坝村" not in html


def test_people_without_a_dashboard_are_refused(login: Any, resident: Any, dept_staff: Any) -> None:
    assert login(resident).get("/dashboard/").status_code == 403
    assert login(dept_staff).get("/dashboard/").status_code == 403
