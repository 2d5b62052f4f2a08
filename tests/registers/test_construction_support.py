"""Fixtures and helpers of the construction register's tests (no tests here): imported by
the ``test_construction_*`` modules.

The clock stands at 2026-06-15 10:00 (Asia/Shanghai) with the memberships valid since
2020, so that dates on both sides of the 2015-12-31 baseline and working-day deadlines
are fixed whatever day the suite runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture
def clock(
    tree: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    grid_worker: Any,
    supervisor: Any,
    outsider: Any,
) -> Iterator[Any]:
    """The cast with memberships since 2020, and the clock at ``NOW``."""
    from grassroots.org.models import Membership

    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    for user in (
        city_admin,
        xc_secretary,
        village_cadre,
        neighbour_cadre,
        grid_worker,
        supervisor,
        outsider,
    ):
        user.__dict__.pop("_grassroots_grants", None)
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(tmp_path: Any, settings: Any) -> Any:
    """Photos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def wfjs(tree: dict[str, Any]) -> dict[str, Any]:
    """The 违法建设 categories (as the seeded taxonomy has them) and one of another kind."""
    from grassroots.events.models import Category

    def category(code: str, name: str, parent: Any = None, **kw: Any) -> Any:
        return Category.objects.create(
            code=code,
            name=name,
            parent=parent,
            response_hours=Decimal("4"),
            resolve_workdays=5,
            default_department=tree["department"],
            **kw,
        )

    root = category("WFJS", "违法建设")
    area = {"code": "building_area", "datatype": "number", "required": False}
    return {
        "root": root,
        "building": category("WFJS01", "违法建房", root, attributes=[area]),
        "homestead": category("WFJS04", "一户多宅", root),
        "relocation": category("WFJS05", "无序搬迁", root),
        "other": category("SRHJ01", "乱堆乱放", category("SRHJ", "市容环境")),
    }


def case_values(tree: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The arguments of a valid ``open_case`` (an inspection in 礼州村, built in 2026)."""
    values: dict[str, Any] = {
        "unit": tree["village"],
        "kind": "building",
        "source": "inspection",
        "address": "礼州村3组12号",
        "started_on": dt.date(2026, 5, 20),
        "found_on": dt.date(2026, 6, 1),
        "party_name": "王大明",
        "party_phone": "13812345678",
        "area": Decimal("120.50"),
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_case(tree: dict[str, Any], village_cadre: Any, clock: Any) -> Callable[..., Any]:
    """``make_case(actor=village_cadre, **overrides)`` → a case opened through the action."""
    from grassroots.registers.actions.construction import open_case

    def _make(actor: Any = None, **overrides: Any) -> Any:
        return open_case(actor=actor or village_cadre, **case_values(tree, **overrides))

    return _make


def image_upload(name: str = "photo.jpg", color: tuple[int, int, int] = (200, 30, 30)) -> Any:
    """A real JPEG upload."""
    from tests.events.photos import image_bytes, upload

    return upload(name, image_bytes(color=color))
