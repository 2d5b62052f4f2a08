"""Maps of units with too many grids to draw: the areas one level down, coloured by the same
metrics counted per area — equal to their grids' counts added together — each linking to
its own map; at and below the threshold, the grids as before."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from grassroots.common.metrics import percent
from tests.dashboards import maps_support
from tests.events.reporting_support import make_event
from tests.pages_support import square

mapped = maps_support.mapped
_fresh_map_cache = maps_support._fresh_map_cache

pytestmark = pytest.mark.django_db
METRICS = ("open", "overdue", "on_time", "satisfaction")


@pytest.fixture
def province(db: Any) -> dict[str, Any]:
    """52 省 ── two prefectures ── counties ── townships ── villages ── 2 grids each (16
    grids), every unit with a square, and 120 events of every kind spread over the grids."""
    from grassroots.events.models import Category
    from grassroots.org.models import Unit, UnitKind

    def unit(code: str, kind: str, parent: Any, box: tuple[float, ...]) -> Any:
        return Unit.objects.create(
            code=code, name=f"单位{code}", kind=kind, parent=parent, geometry=square(*box)
        )

    root = unit("52", UnitKind.PROVINCE, None, (100.0, 20.0, 104.0, 24.0))
    grids = []
    for p in range(2):
        pref = unit(f"520{p + 1}", UnitKind.PREFECTURE, root, (100 + 2 * p, 20, 102 + 2 * p, 24))
        for c in range(2 if p == 0 else 1):
            county = unit(
                f"{pref.code}0{c + 1}",
                UnitKind.COUNTY,
                pref,
                (100 + 2 * p, 20 + c, 101 + 2 * p, 21 + c),
            )
            for t in range(2):
                kind = UnitKind.TOWNSHIP if t == 0 else UnitKind.STREET
                town = unit(
                    f"{county.code}00{t + 1}",
                    kind,
                    county,
                    (100 + 2 * p + t * 0.5, 20 + c, 100.5 + 2 * p + t * 0.5, 21 + c),
                )
                village = unit(
                    f"{town.code}201",
                    UnitKind.VILLAGE,
                    town,
                    (
                        town.geometry["coordinates"][0][0][0],
                        20 + c,
                        town.geometry["coordinates"][0][0][0] + 0.5,
                        21 + c,
                    ),
                )
                x = village.geometry["coordinates"][0][0][0]
                for g in range(2):
                    grids.append(
                        unit(
                            f"{village.code}00{g + 1}",
                            UnitKind.GRID,
                            village,
                            (x + 0.25 * g, 20 + c, x + 0.25 * (g + 1), 20.5 + c),
                        )
                    )
    category = Category.objects.create(code="SRHJ02", name="占道经营", resolve_workdays=3)
    rng = random.Random(20261207)
    now = timezone.now()
    day = dt.timedelta(days=1)
    for _ in range(120):
        grid = rng.choice(grids)
        due = now + rng.randint(-300, 10) * day
        status = rng.choice(["accepted", "dispatched", "closed", "closed", "rejected", "resolved"])
        fields: dict[str, Any] = {"status": status, "resolve_by": due, "reported_at": due - 5 * day}
        if status == "closed":
            fields["closed_at"] = due + rng.randint(-3, 3) * day
            if rng.random() < 0.7:
                fields["satisfaction"] = rng.choice(["satisfied", "basically", "unsatisfied"])
                fields["rated_at"] = min(fields["closed_at"] + day, now)
        make_event(category, grid, **fields)
    return {"root": root, "grids": grids}


def _sum_of_grids(unit: Any, key: str) -> dict[str, tuple[Decimal | None, int, int]]:
    """Each child's figure from its grids' figures: counts added, the rate recomputed."""
    from grassroots.dashboards import maps
    from grassroots.org.models import Unit

    metric = maps.metric_of(key)
    period = maps.period_of("12m") if metric.periodic else None
    grids, _ = maps._grids(unit)
    paths = dict(Unit.objects.filter(pk__in=[g.pk for g in grids]).values_list("code", "path"))
    depth = len(unit.path.split("."))
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in maps.grid_values(unit, grids, metric, period):
        child = paths[v.grid.code].split(".")[depth]
        sums[child][0] += v.numerator or 0
        sums[child][1] += v.denominator or 0
    return {
        code: (percent(hits, total) if metric.periodic else Decimal(hits), hits, total)
        for code, (hits, total) in sums.items()
    }


@pytest.mark.parametrize("key", METRICS)
@pytest.mark.parametrize("code", ["52", "5201", "520101"])
def test_each_child_area_equals_the_sum_of_its_grids(
    province: dict[str, Any], code: str, key: str
) -> None:
    from grassroots.dashboards import maps
    from grassroots.org.models import Unit

    unit = Unit.objects.get(code=code)
    metric = maps.metric_of(key)
    period = maps.period_of("12m") if metric.periodic else None
    children, _ = maps._children(unit)
    values = maps.child_values(unit, children, metric, period)
    expected = _sum_of_grids(unit, key)
    assert len(values) == len(children) >= 2
    got = {
        v.area.code: (v.value, v.numerator or 0, v.denominator if metric.periodic else 0)
        for v in values
    }
    want = {
        c: (value, hits, total if metric.periodic else 0)
        for c, (value, hits, total) in expected.items()
    }
    assert got == want
    assert any(v.numerator for v in values)  # the events were spread: something counted


def test_province_map_draws_the_prefectures_linking_to_their_own_maps(
    province: dict[str, Any], login: Any, settings: Any, django_assert_max_num_queries: Any
) -> None:
    from grassroots.org.models import Membership, User

    settings.DASHBOARD_MAP_MAX_GRIDS = 8  # the province has 16 grids, a prefecture 8 or 4
    user = User.objects.create_user(username="province_admin", password="x")
    Membership.objects.create(user=user, unit=province["root"], role="city_admin")
    client = login(user)
    with django_assert_max_num_queries(14):
        response = client.get("/dashboard/52/map/", {"metric": "on_time"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "网格超过 8 个，按下级区域显示" in body and "数据统计于" in body
    hrefs = re.findall(r'<a href="(/dashboard/[^"]+)"><title>([^<]+)</title>', body)
    assert [h for h, _ in hrefs] == [
        "/dashboard/5201/map/?metric=on_time&amp;period=12m",
        "/dashboard/5202/map/?metric=on_time&amp;period=12m",
    ]
    assert all(t.startswith(("单位5201：按期结案率", "单位5202：")) for _, t in hrefs)
    table = body.split('id="table-title"', 1)[1]
    assert "各下级区域数据" in table and ">单位5201</a>" in table
    # a prefecture at the threshold draws its grids, each linking to its dashboard
    body = client.get("/dashboard/5201/map/", {"metric": "open"}).content.decode()
    assert "按下级区域显示" not in body
    assert '<a href="/dashboard/520101001201001/"><title>' in body
    # the dashboard's small map follows the same rule
    board = client.get("/dashboard/52/").content.decode()
    assert "按下级区域显示" in board and "/dashboard/5201/map/?metric=open" in board


def test_a_city_at_or_below_the_threshold_keeps_its_grids(
    mapped: dict[str, Any], city_admin: Any, login: Any, settings: Any
) -> None:
    settings.DASHBOARD_MAP_MAX_GRIDS = 4  # 西昌's four grids: drawn one by one
    body = login(city_admin).get("/dashboard/513401/map/", {"metric": "open"}).content.decode()
    assert "按下级区域显示" not in body and "礼州村第1网格" in body
    settings.DASHBOARD_MAP_MAX_GRIDS = 3
    for unit in (mapped["lizhou"], mapped["anning"]):
        unit.geometry = square(102.0, 27.8, 102.4, 28.0)
        unit.save(update_fields=["geometry"])
    body = login(city_admin).get("/dashboard/513401/map/", {"metric": "open"}).content.decode()
    assert "按下级区域显示" in body and "礼州村第1网格" not in body
    assert "礼州镇：未办结事件：2 件" in body and "安宁镇：未办结事件：1 件" in body


def test_area_figures_are_kept_for_the_time_slice_and_not_when_the_cache_is_off(
    province: dict[str, Any], settings: Any, django_assert_num_queries: Any
) -> None:
    from grassroots.dashboards import maps
    from grassroots.org.models import Unit

    root = Unit.objects.get(code="52")
    children, _ = maps._children(root)
    metric, period = maps.metric_of("on_time"), maps.period_of("12m")
    first, as_of = maps.cached_child_values(root, children, metric, period)
    assert as_of is not None
    with django_assert_num_queries(0):
        again, same = maps.cached_child_values(root, children, metric, period)
    assert again == first and same == as_of
    settings.DASHBOARD_CACHE_SECONDS = 0
    values, none = maps.cached_child_values(root, children, metric, period)
    assert none is None and values == first


def test_the_job_counts_the_area_maps_ahead_and_the_page_reads_them(
    province: dict[str, Any],
    login: Any,
    settings: Any,
    monkeypatch: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """With a cache shared by the worker and the web processes, the dashboards' job counts
    every metric of a map drawn by areas; the page then shows those figures, counted at the
    job's moment, without counting the events itself — and they stay good for as long as
    the boards' figures counted ahead."""
    from grassroots.dashboards import caching, jobs, maps
    from grassroots.org.models import Membership, Unit, User

    settings.DASHBOARD_MAP_MAX_GRIDS = 8
    monkeypatch.setattr(caching, "shared", lambda: True)
    assert maps.area_cache_seconds() == caching.snapshot_seconds() == 1200
    root = Unit.objects.get(code="52")
    counted_at = timezone.now() - dt.timedelta(minutes=15)
    assert maps.count_ahead(root, counted_at) == len(METRICS)
    assert maps.count_ahead(Unit.objects.get(code="5202"), counted_at) == 0  # drawn by grids
    done = jobs.count_all()
    assert done["maps"] == 1  # the province only: each prefecture draws its grids

    maps.count_ahead(root, counted_at)  # as if the job had run 15 minutes ago
    user = User.objects.create_user(username="province_admin", password="x")
    Membership.objects.create(user=user, unit=root, role="city_admin")
    client = login(user)
    with django_assert_max_num_queries(14) as ctx:
        body = client.get("/dashboard/52/map/", {"metric": "satisfaction"}).content.decode()
    assert not any("events_event" in q["sql"] for q in ctx.captured_queries)
    local = timezone.localtime(counted_at)
    assert f"数据统计于 {local:%H:%M}。" in body
