"""Shared set-up of the page tests (tests/events/test_pages*, tests/mobile, tests/portal,
tests/e2e): a grid with a polygon, categories, photos, and a helper that walks an event
through the actions to any status.

    礼州村第1网格 513401101201001   lon 102.00–102.10, lat 27.80–27.90   (POINT)
    田坝村第1网格 513401101202001   lon 102.10–102.20, lat 27.80–27.90   (POINT_NEIGHBOUR)
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

POINT = (27.85, 102.05)  # (lat, lon) in 礼州村第1网格
POINT_NEIGHBOUR = (27.85, 102.15)  # in 田坝村第1网格
POINT_OUTSIDE = (30.66, 104.06)  # 成都
PHONE = "13912345678"


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


@dataclass
class World:
    tree: dict[str, Any]
    grid: Any
    neighbour_grid: Any
    category: Any  # 市容环境 / 乱堆乱放 (public)
    parent_category: Any
    internal_category: Any  # not offered to the public


def build_world(tree: dict[str, Any]) -> World:
    from grassroots.events.models import Category
    from grassroots.org.models import Unit, UnitKind

    grid = tree["grid"]
    grid.geometry = square(102.0, 27.8, 102.1, 27.9)
    grid.save(update_fields=["geometry"])
    neighbour_grid = Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
        geometry=square(102.1, 27.8, 102.2, 27.9),
    )
    parent = Category.objects.create(code="SRHJ", name="市容环境", resolve_workdays=5)
    category = Category.objects.create(
        code="SRHJ01",
        name="乱堆乱放",
        parent=parent,
        response_hours=Decimal("2"),
        resolve_workdays=3,
        default_department=tree["department"],
    )
    internal = Category.objects.create(
        code="AQYH01", name="内部排查", public=False, resolve_workdays=5
    )
    return World(tree, grid, neighbour_grid, category, parent, internal)


def png_bytes(
    color: tuple[int, int, int] = (30, 120, 200), size: tuple[int, int] = (64, 48)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def photo(
    name: str = "photo.png", color: tuple[int, int, int] = (30, 120, 200)
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


def report(world: World, actor: Any, **overrides: Any) -> Any:
    """A patrol report in 礼州村第1网格 through the action."""
    from grassroots.events.actions import report_event

    lat, lon = overrides.pop("point", POINT)
    kwargs: dict[str, Any] = {
        "actor": actor,
        "category": world.category,
        "title": "路边堆放建筑垃圾",
        "source": "patrol",
        "description": "礼州村委会门口堆放建筑垃圾",
        "lat": lat,
        "lon": lon,
    }
    kwargs.update(overrides)
    return report_event(**kwargs)


def advance(event: Any, status: str, *, world: World, cadre: Any, staff: Any) -> Any:
    """Walk ``event`` through the actions from its current status up to ``status``:

    reported → accepted → dispatched (to the department) → in_progress → resolved →
    verified → closed.
    """
    from grassroots.events import actions

    steps: dict[str, Any] = {
        "reported": lambda: actions.accept_event(event.pk, actor=cadre),
        "accepted": lambda: actions.dispatch_event(
            event.pk, actor=cadre, to_unit=world.tree["department"]
        ),
        "dispatched": lambda: actions.start_handling(event.pk, actor=staff),
        "in_progress": lambda: actions.resolve_event(
            event.pk, actor=staff, note="清理完毕", photos=[photo()]
        ),
        "resolved": lambda: actions.verify_event(event.pk, actor=cadre, passed=True),
        "verified": lambda: actions.close_event(event.pk, actor=cadre),
    }
    event.refresh_from_db()
    for _ in range(len(steps)):
        if event.status == status:
            break
        steps[event.status]()
        event.refresh_from_db()
    assert event.status == status
    return event
