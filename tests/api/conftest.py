from __future__ import annotations

from typing import Any

import pytest

from tests.open311.support import PHONE, POINT, make_categories, make_grids


@pytest.fixture
def grids(tree: dict[str, Any]) -> dict[str, Any]:
    return make_grids(tree)


@pytest.fixture
def categories(tree: dict[str, Any]) -> dict[str, Any]:
    return make_categories(tree)


@pytest.fixture
def media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def report(grids: Any, categories: Any, grid_worker: Any, official_calendar: Any) -> Any:
    """``report(**overrides)`` → an event reported by the grid worker in 礼州村's grid."""
    from grassroots.events.actions import report_event

    def _report(**overrides: Any) -> Any:
        lat, lon = overrides.pop("point", POINT)
        kwargs: dict[str, Any] = {
            "actor": grid_worker,
            "category": categories["piles"],
            "title": "路边堆放建筑垃圾",
            "source": "patrol",
            "description": "村委会门口堆放建筑垃圾",
            "lat": lat,
            "lon": lon,
            "contact_name": "张三",
            "contact_phone": PHONE,
            "attributes": {"SIZE": "small"},
        }
        kwargs.update(overrides)
        return report_event(**kwargs)

    return _report
