"""The grid map's figures: per grid, by hand, the same as the registered metrics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from grassroots.dashboards import maps
from tests.dashboards import maps_support

mapped = maps_support.mapped
_fresh_map_cache = maps_support._fresh_map_cache

pytestmark = pytest.mark.django_db


def _values(unit: Any, key: str) -> dict[str, tuple[Decimal | None, int | None, int | None]]:
    grids, _ = maps._grids(unit)
    metric = maps.metric_of(key)
    period = maps.period_of("12m") if metric.periodic else None
    return {
        v.grid.name: (v.value, v.numerator, v.denominator)
        for v in maps.grid_values(unit, grids, metric, period)
    }


def test_counts_per_grid_match_hand_computed(mapped: dict[str, Any]) -> None:
    township = mapped["lizhou"]
    opened = _values(township, "open")
    assert {k: v[0] for k, v in opened.items()} == {
        "礼州村第1网格": 2,
        "礼州村第2网格": 0,
        "田坝村第1网格": 0,
    }
    overdue = _values(township, "overdue")
    assert {k: v[0] for k, v in overdue.items()} == {
        "礼州村第1网格": 1,
        "礼州村第2网格": 0,
        "田坝村第1网格": 0,
    }
    # the city's map also has 安宁's grid with its overdue event
    city = _values(mapped["city"], "overdue")
    assert city["安宁村第1网格"][0] == 1 and len(city) == 4


def test_rates_per_grid_match_hand_computed_and_the_registered_metrics(
    mapped: dict[str, Any],
) -> None:
    from grassroots.common.metrics import get

    township = mapped["lizhou"]
    on_time = _values(township, "on_time")
    assert on_time == {
        "礼州村第1网格": (Decimal("33.33"), 1, 3),  # the rejected event is never due
        "礼州村第2网格": (Decimal("100.00"), 1, 1),
        "田坝村第1网格": (None, 0, 0),
    }
    satisfaction = _values(township, "satisfaction")
    assert satisfaction == {
        "礼州村第1网格": (Decimal("50.00"), 1, 2),
        "礼州村第2网格": (Decimal("100.00"), 1, 1),
        "田坝村第1网格": (None, 0, 0),
    }
    # exactly the assessment's figures for the same grids and period
    period = maps.period_of("12m")
    grids = [mapped["a"], mapped["b"], mapped["c"]]
    registered = get("events.on_time_close_rate")(period, grids)
    assert [v.value for v in registered] == [Decimal("33.33"), Decimal("100.00"), None]


def test_describe_says_the_figure_in_words(mapped: dict[str, Any]) -> None:
    grids, _ = maps._grids(mapped["lizhou"])
    metric = maps.metric_of("on_time")
    [a, _b, c] = maps.grid_values(mapped["lizhou"], grids, metric, maps.period_of("12m"))
    assert maps.describe(metric, a) == "按期结案率 33.33%（按期结案 1 件 / 到期 3 件）"
    assert maps.describe(metric, c) == "暂无数据"
    opened = maps.metric_of("open")
    [a, *_rest] = maps.grid_values(mapped["lizhou"], grids, opened, None)
    assert maps.describe(opened, a) == "未办结事件：2 件"


def test_unknown_choices_and_scope(mapped: dict[str, Any], outsider: Any, city_admin: Any) -> None:
    with pytest.raises(maps.UnknownChoiceError):
        maps.metric_of("nonsense")
    with pytest.raises(maps.UnknownChoiceError):
        maps.period_of("decade")
    with pytest.raises(Http404):
        maps.unit_in_scope(outsider, mapped["lizhou"].code)  # another township's leader
    assert maps.unit_in_scope(city_admin, mapped["lizhou"].code) == mapped["lizhou"]


def test_the_projected_map_is_cached_until_a_grid_changes(
    mapped: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from grassroots.org.models import Unit
    from tests.pages_support import square

    township = mapped["lizhou"]
    grids, key = maps._grids(township)
    first = maps.grid_map(township, grids, key, width=360, max_height=300)
    assert first is not None and len(first.shapes) == 3
    with django_assert_num_queries(0):
        again = maps.grid_map(township, grids, key, width=360, max_height=300)
    assert again is first
    c = mapped["c"]
    c.geometry = square(102.1, 27.8, 102.25, 27.9)  # redrawn, half as wide again
    Unit.objects.filter(pk=c.pk).update(geometry=c.geometry)  # no signal, same updated_at
    grids, new_key = maps._grids(township)
    assert new_key != key  # another process would notice
    assert maps.grid_map(township, grids, key, width=360, max_height=300) is first
    c.save(update_fields=["geometry"])  # this process empties its cache at once
    redrawn = maps.grid_map(township, grids, new_key, width=360, max_height=300)
    assert redrawn is not first and redrawn is not None
    assert redrawn.shapes[2].d != first.shapes[2].d


def test_embedded_map_for_the_dashboard(mapped: dict[str, Any], xc_secretary: Any) -> None:
    html = maps.embedded_map(mapped["lizhou"], user=xc_secretary, metric="overdue")
    assert html.startswith('<link rel="stylesheet"')
    assert 'class="choropleth"' in html
    assert "/dashboard/513401101201001/" in html  # grids link to their dashboards
    assert "超期件数" in html  # the caption names the metric
    assert 'class="points"' not in html  # no event points on the small map
    assert "张三" not in html and "13800001111" not in html
    # an unknown metric falls back to open events; another township's leader gets nothing
    assert "未办结事件" in maps.embedded_map(mapped["lizhou"], user=xc_secretary, metric="x")
    outsider_map = maps.embedded_map(mapped["lizhou"], user=mapped_outsider(mapped))
    assert outsider_map == ""


def mapped_outsider(world: dict[str, Any]) -> Any:
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(username="anning_leader", password="x-Long-Pass-42")
    Membership.objects.create(user=user, unit=world["anning"], role="unit_leader")
    return user
