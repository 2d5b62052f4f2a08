"""Shared fixtures of the events tests: grids with polygons, a category, a reporter.

The root tree fixture has no geometry; here the grid of 礼州村 and a new grid of 田坝村
get squares near 西昌, so that a position locates:

    礼州村第1网格 513401101201001   lon 102.00–102.10, lat 27.80–27.90   (POINT_LIZHOU)
    田坝村第1网格 513401101202001   lon 102.10–102.20, lat 27.80–27.90   (POINT_TIANBA)
    anything else                                                        (POINT_OUTSIDE)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

POINT_LIZHOU = (27.85, 102.05)  # (lat, lon)
POINT_TIANBA = (27.85, 102.15)
POINT_OUTSIDE = (30.66, 104.06)  # 成都


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


@pytest.fixture
def grids(tree: dict[str, Any]) -> dict[str, Any]:
    """The two grids with polygons (the grid index is rebuilt on unit save)."""
    from grassroots.org.models import Unit, UnitKind

    grid = tree["grid"]
    grid.geometry = square(102.0, 27.8, 102.1, 27.9)
    grid.save(update_fields=["geometry"])
    tianba_grid = Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
        geometry=square(102.1, 27.8, 102.2, 27.9),
    )
    return {"grid": grid, "tianba_grid": tianba_grid}


@pytest.fixture
def category(tree: dict[str, Any]) -> Any:
    from grassroots.events.models import Category

    parent = Category.objects.create(code="SRHJ", name="市容环境", resolve_workdays=5)
    return Category.objects.create(
        code="SRHJ01",
        name="乱堆乱放",
        parent=parent,
        response_hours=Decimal("2"),
        resolve_workdays=3,
        default_department=tree["department"],
    )


@pytest.fixture
def department2(tree: dict[str, Any]) -> Any:
    from grassroots.org.models import Unit, UnitKind

    return Unit.objects.create(
        code="513401D07", name="西昌市城市管理局", kind=UnitKind.DEPARTMENT, parent=tree["city"]
    )


@pytest.fixture
def report(grids: dict[str, Any], category: Any, grid_worker: Any) -> Callable[..., Any]:
    """``report(**overrides)`` → a new event reported by the grid worker in 礼州村."""
    from grassroots.events.actions import report_event

    def _report(**overrides: Any) -> Any:
        lat, lon = overrides.pop("point", POINT_LIZHOU)
        kwargs: dict[str, Any] = {
            "actor": grid_worker,
            "category": category,
            "title": "路边堆放建筑垃圾",
            "source": "patrol",
            "description": "礼州村委会门口堆放建筑垃圾, 影响通行",
            "lat": lat,
            "lon": lon,
        }
        kwargs.update(overrides)
        return report_event(**kwargs)

    return _report


@pytest.fixture
def media(tmp_path: Any, settings: Any) -> Any:
    """Photos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The cast's users are created with a password; argon2 would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def backdated(
    grid_worker: Any, village_cadre: Any, xc_secretary: Any, dept_staff: Any, city_admin: Any
) -> None:
    """Memberships valid since 2020, for tests that travel back in time (they start today)."""
    import datetime as dt

    from grassroots.org.models import Membership

    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    for user in (grid_worker, village_cadre, xc_secretary, dept_staff, city_admin):
        user.__dict__.pop("_grassroots_grants", None)
