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
from pathlib import Path
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
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


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


# --- home, navigation ------------------------------------------------------------------


def test_home_page_opens_on_the_township_today_and_keeps_the_roles(
    login: Any, xc_secretary: Any, events: dict[str, Any]
) -> None:
    html = login(xc_secretary).get("/").content.decode()

    assert "礼州镇今日" in html
    assert 'href="/dashboard/513401101/"' in html
    assert kpis(html)["已超期"] == 2
    assert html.index("礼州镇今日") < html.index("我的角色与单位")  # first, the roles kept
    assert "乡镇（街道）党委书记" in html
    assert ">📊 数据看板</a>" in html  # the navigation entry


def test_home_page_of_someone_without_a_dashboard_has_no_board(login: Any, resident: Any) -> None:
    html = login(resident).get("/").content.decode()

    assert "今日" not in html and "数据看板" not in html


# --- charts, panels ----------------------------------------------------------------------


def test_trends_are_drawn_as_svg_with_chinese_labels(
    login: Any, xc_secretary: Any, events: dict[str, Any]
) -> None:
    html = login(xc_secretary).get("/dashboard/513401101/").content.decode()

    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 2
    assert "每月上报事件数" in html and "每月按期结案率和满意率" in html
    assert "9月" in html and "10月" in html  # the last 12 months end with this one
    assert "上报事件 9月: 6" in html  # the point of this month, in its tooltip


def test_trend_figures_equal_the_metrics_month_by_month(
    world: World, grid_worker: Any, village_cadre: Any, dept_staff: Any, tree: dict[str, Any]
) -> None:
    from grassroots.common.metrics import Period
    from grassroots.dashboards.trends import last_months, trends
    from grassroots.events.metrics import on_time_close_rate, satisfaction_rate
    from grassroots.events.models import Event

    made = [report(world, grid_worker, title=f"事件{i}") for i in range(6)]
    for event in made[:4]:
        advance(event, "closed", world=world, cadre=village_cadre, staff=dept_staff)
    # spread the deadlines over three past months, two of them closed late
    months = last_months(NOW.date())
    for i, event in enumerate(made):
        month = months[-2 - i % 3]
        Event.objects.filter(pk=event.pk).update(
            resolve_by=month.start + dt.timedelta(days=3),
            closed_at=month.start + dt.timedelta(days=2 if i % 2 else 5)
            if event.status == "closed" or i < 4
            else None,
            rated_at=month.start + dt.timedelta(days=4) if i < 3 else None,
            satisfaction="satisfied" if i < 2 else ("dissatisfied" if i == 2 else ""),
        )
    lizhou = tree["lizhou"]

    found = trends(lizhou)

    for i, month in enumerate(months):
        period = Period.parse(month.label)
        (on_time,) = on_time_close_rate(period, [lizhou])
        (satisfied,) = satisfaction_rate(period, [lizhou])
        assert found.on_time[i] == on_time.value, month.label
        assert found.satisfaction[i] == satisfied.value, month.label
    assert any(v is not None for v in found.on_time)
    assert found.reported[-1] == 6


def test_weekly_one_thing_streak_of_a_village_and_of_the_township(
    login: Any, village_cadre: Any, xc_secretary: Any, events: dict[str, Any]
) -> None:
    village_html = login(village_cadre).get("/dashboard/").content.decode()
    township_html = login(xc_secretary).get("/dashboard/").content.decode()

    # 占道经营 was resolved today (Tuesday): this week is done, last week was not.
    assert '<span class="streak-value">1</span> 周连续解决问题' in village_html
    assert "/events/weekly/513401101201/" in village_html
    assert '<span class="streak-value">0/2</span>' in township_html
    assert "上周有 2 个村(社区)一件事也没有解决" in township_html
    assert cells(row_of(township_html, "礼州村"))[-1] == "1"
    assert cells(row_of(township_html, "田坝村"))[-1] == "0"


def test_tasks_at_risk_link_to_the_task(
    login: Any, xc_secretary: Any, city_admin: Any, tree: dict[str, Any], official_calendar: None
) -> None:
    from grassroots.supervision.actions import create_task
    from grassroots.supervision.models import Task

    late = create_task(
        actor=city_admin,
        title="农村公路硬化",
        kind="key_task",
        unit=tree["lizhou"],
        start_date=NOW.date(),
        deadline=NOW.date() + dt.timedelta(days=30),
        target_value=10,
        target_measure="公里",
    )
    calm = create_task(
        actor=city_admin,
        title="安宁镇人居环境整治",
        kind="key_task",
        unit=tree["anning"],
        start_date=NOW.date(),
        deadline=NOW.date() + dt.timedelta(days=30),
        target_value=10,
        target_measure="公里",
    )
    Task.objects.filter(pk=late.pk).update(
        start_date=NOW.date() - dt.timedelta(days=60), deadline=NOW.date() - dt.timedelta(days=1)
    )

    html = login(xc_secretary).get("/dashboard/").content.decode()

    assert f'href="/supervision/{late.pk}/"' in html and "农村公路硬化" in html
    assert "逾期 1</span>" in html
    assert "安宁镇人居环境整治" not in html and f"/supervision/{calm.pk}/" not in html


def test_latest_published_rank_with_breakdown_and_ranking(
    login: Any, village_cadre: Any, city_admin: Any, tree: dict[str, Any]
) -> None:
    from tests.assessment.publishing_support import plain_scheme, run_with_results

    scheme = plain_scheme(tree)
    village, neighbour = tree["village"], tree["neighbour_village"]
    run_with_results(scheme, "2026-Q1", [(village, "70"), (neighbour, "80")], state="published")
    latest = run_with_results(
        scheme, "2026-Q2", [(village, "91.5"), (neighbour, "85")], state="published"
    )
    run_with_results(scheme, "2026-Q3", [(village, "10"), (neighbour, "99")])  # not published

    html = login(village_cadre).get("/dashboard/").content.decode()

    assert "第 1 名 / 共 2" in html and "2026-Q2" in html and "91.50" in html
    assert "红榜" in html
    assert "同类单位排名" in html and 'data-highlight="true"' in html
    assert f'href="/assessment/runs/{latest.pk}/units/{village.pk}/"' in html
    city_html = login(city_admin).get("/dashboard/").content.decode()
    assert f'href="/assessment/runs/{latest.pk}/"' in city_html
    assert "礼州村" in city_html.split("红榜")[-1]


# --- empty units, query counts, phone widths ---------------------------------------------


def test_an_empty_township_renders_with_plain_no_data_lines(login: Any, outsider: Any) -> None:
    page = login(outsider).get("/dashboard/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "安宁镇" in html
    assert kpis(html) == {"今日上报": 0, "待受理": 0, "今日到期": 0, "已超期": 0, "待核查": 0}
    assert "暂无数据。" in html
    assert "这里没有正在推进的督办任务。" in html
    assert "尚未公布考核结果。" in html
    assert "没有超期事件。" in html


def test_an_empty_grid_and_a_unit_without_children_render(
    login: Any, city_admin: Any, tree: dict[str, Any]
) -> None:
    client = login(city_admin)

    assert client.get("/dashboard/513401101201001/").status_code == 200
    html = client.get("/dashboard/513401102201/").content.decode()  # 安宁村: no grids
    assert "没有下级单位。" in html


def counted(ctx: Any) -> int:
    """The queries a page issued, less the calendar's clock-driven revision check."""
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def test_query_count_stays_flat_as_the_township_grows(
    login: Any,
    xc_secretary: Any,
    events: dict[str, Any],
    world: World,
    grid_worker: Any,
    settings: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.org.models import Unit, UnitKind

    settings.DASHBOARD_CACHE_SECONDS = 0
    client = login(xc_secretary)
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/")
    for n in range(3, 9):
        village = Unit.objects.create(
            code=f"51340110120{n}",
            name=f"新村{n}",
            kind=UnitKind.VILLAGE,
            parent=world.tree["lizhou"],
        )
        Unit.objects.create(
            code=f"51340110120{n}001", name=f"新村{n}网格", kind=UnitKind.GRID, parent=village
        )
    for i in range(5):
        report(world, grid_worker, title=f"新事件{i}")

    with CaptureQueriesContext(connection) as large:
        page = client.get("/dashboard/")
    assert "新村8" in page.content.decode()
    # the working-day calendar checks its revision now and then, driven by the clock
    assert counted(large) <= counted(small) <= 30


def test_pages_fit_a_phone(login: Any, xc_secretary: Any, events: dict[str, Any]) -> None:
    from django.contrib.staticfiles import finders

    html = login(xc_secretary).get("/dashboard/").content.decode()

    assert 'name="viewport" content="width=device-width' in html
    assert " style=" not in html and "<script>" not in html  # strict CSP
    for svg in re.findall(r"<svg [^>]*>", html):
        assert 'width="100%"' in svg and "viewBox" in svg
    assert 'data-label="已超期"' in html  # the table becomes labelled cards
    css = Path(str(finders.find("grassroots/dashboards.css"))).read_text(encoding="utf-8")
    assert "@media (max-width: 640px)" in css and "minmax(0, 1fr)" in css
