"""The figures a dashboard keeps: the closed months of its trends (an hour, whatever
happens since), and the figures of a unit above township level counted ahead by the job
(the page and the staff home say when: "数据更新于 HH:MM").

The clock stands at Tuesday 2026-09-01 10:00 (Asia/Shanghai); 西昌市 is the root of the
tree (a county: its figures are counted ahead), 礼州镇 a township (counted per view).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from tests.dashboards.test_board import kpis
from tests.pages_support import World, build_world, report

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


@pytest.fixture
def world(tree: dict[str, Any]) -> World:
    return build_world(tree)


def test_closed_months_are_kept_and_the_current_month_is_counted_live(
    world: World, grid_worker: Any
) -> None:
    from grassroots.dashboards.trends import trends
    from grassroots.events.models import Event

    lizhou = world.tree["lizhou"]
    with time_machine.travel(NOW, tick=False):
        first = trends(lizhou, timezone.now())
        assert first.reported[-1] == 0 and first.reported[-2] == 0
        late = report(world, grid_worker, title="八月的旧事")
        Event.objects.filter(pk=late.pk).update(reported_at=NOW - dt.timedelta(days=10))
        report(world, grid_worker, title="今天的新事")
        again = trends(lizhou, timezone.now())
    # August is closed: kept as counted at 10:00; September is counted live.
    assert again.reported[-2] == 0
    assert again.reported[-1] == 1
    assert again.counted_at == first.counted_at
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=1), tick=False):
        later = trends(lizhou, timezone.now())
    assert later.reported[-2] == 1


def test_the_city_dashboard_shows_figures_counted_ahead_and_when(
    login: Any, city_admin: Any, world: World, grid_worker: Any
) -> None:
    client = login(city_admin)
    with time_machine.travel(NOW, tick=False):
        report(world, grid_worker, title="路灯不亮")
        html = client.get("/dashboard/513401/").content.decode()
        assert kpis(html)["今日上报"] == 1
        assert "数据更新于 10:00" in html
    with time_machine.travel(NOW + dt.timedelta(minutes=3), tick=False):
        report(world, grid_worker, title="垃圾未清运")
        html = client.get("/dashboard/513401/").content.decode()
        # still the figures of 10:00, and the page says so
        assert kpis(html)["今日上报"] == 1
        assert "数据更新于 10:00" in html
        home = client.get("/").content.decode()
        assert "数据更新于 10:00" in home
        # a township's figures are counted when viewed
        town = client.get("/dashboard/513401101/").content.decode()
        assert kpis(town)["今日上报"] == 2
        assert "数据更新于" not in town.split("board-grid")[0]
    with time_machine.travel(NOW + dt.timedelta(minutes=21), tick=False):
        html = client.get("/dashboard/513401/").content.decode()
        assert kpis(html)["今日上报"] == 2
        assert "数据更新于 10:21" in html


def test_the_job_counts_the_units_above_township_only_with_a_shared_cache(
    login: Any, city_admin: Any, world: World, grid_worker: Any, monkeypatch: Any
) -> None:
    from grassroots.dashboards import caching, jobs

    with time_machine.travel(NOW, tick=False):
        report(world, grid_worker, title="路灯不亮")
        assert "skipped" in jobs.count_all()  # the tests' cache is one process's memory
        monkeypatch.setattr(caching, "shared", lambda: True)
        done = jobs.count_all()
    assert done["units"] == 1  # 西昌市; its townships, villages and grids are counted per view
    with time_machine.travel(NOW + dt.timedelta(minutes=4), tick=False):
        report(world, grid_worker, title="垃圾未清运")
        home = login(city_admin).get("/").content.decode()
    assert kpis(home)["今日上报"] == 1
    assert "数据更新于 10:00" in home


def test_the_roots_numbers_of_today_count_every_event_without_a_path_filter(
    world: World, grid_worker: Any
) -> None:
    from grassroots.dashboards import figures

    with time_machine.travel(NOW, tick=False):
        report(world, grid_worker, title="路灯不亮")
        city = world.tree["city"]
        querysets = figures.figure_querysets(city, timezone.now())
        assert all("area_path" not in str(q.query).split("WHERE")[1] for q in querysets.values())
        town = figures.figure_querysets(world.tree["lizhou"], timezone.now())
        mine, _ = figures.today(city, [], timezone.now())
        by_town, _ = figures.today(world.tree["lizhou"], [], timezone.now())
    assert "township_id" in str(town["new"].query)
    assert mine.reported_today == by_town.reported_today == 1
    assert mine.new == by_town.new == 1
