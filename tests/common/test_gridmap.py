"""The grid map's projection: inside the box, shape kept, and a tap maps back exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.common.gridmap import MAX_HEIGHT, PAD, WIDTH, build_grid_map
from tests.pages_support import square


def test_one_square_grid() -> None:
    gmap = build_grid_map([("G1", "第1网格", square(102.0, 27.8, 102.1, 27.9))])
    assert gmap is not None
    assert gmap.width == WIDTH
    assert gmap.height <= MAX_HEIGHT
    [shape] = gmap.shapes
    assert shape.d.startswith("M") and shape.d.endswith("Z")
    # the corners fall inside the padded box
    for lon, lat in ((102.0, 27.8), (102.1, 27.9)):
        x, y = gmap.project(lon, lat)
        assert PAD - 1e-6 <= x <= gmap.width - PAD + 1e-6
        assert 0 <= y <= gmap.height
    # north is up, east is right
    assert gmap.project(102.0, 27.9)[1] < gmap.project(102.0, 27.8)[1]
    assert gmap.project(102.1, 27.8)[0] > gmap.project(102.0, 27.8)[0]
    # a square in degrees is narrower than high at 27.85°N
    (x0, y0), (x1, y1) = gmap.project(102.0, 27.8), gmap.project(102.1, 27.9)
    assert math.isclose((x1 - x0) / (y0 - y1), math.cos(math.radians(27.85)), rel_tol=1e-6)
    # the label sits inside the polygon
    lon, lat = gmap.unproject(shape.label_x, shape.label_y)
    assert 102.0 <= lon <= 102.1 and 27.8 <= lat <= 27.9


def test_several_grids_and_multipolygons() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [
            square(102.2, 27.8, 102.3, 27.9)["coordinates"],
            square(102.4, 27.8, 102.5, 27.9)["coordinates"],
        ],
    }
    gmap = build_grid_map(
        [("G1", "一", square(102.0, 27.8, 102.1, 27.9)), ("G2", "二", multi), ("G3", "坏", None)]
    )
    assert gmap is not None
    assert [s.code for s in gmap.shapes] == ["G1", "G2"]
    assert gmap.shapes[1].d.count("M") == 2


def test_tall_extent_is_capped_in_height() -> None:
    gmap = build_grid_map([("G", "高", square(102.0, 27.0, 102.01, 28.0))])
    assert gmap is not None
    assert gmap.height <= MAX_HEIGHT + 1e-6
    x0, _ = gmap.project(102.0, 27.5)
    x1, _ = gmap.project(102.01, 27.5)
    assert PAD <= x0 < x1 <= WIDTH - PAD  # centred, inside


def test_nothing_to_draw() -> None:
    assert build_grid_map([]) is None
    assert build_grid_map([("G", "空", {"type": "Point", "coordinates": [1, 2]})]) is None


@given(
    lon=st.floats(min_value=102.0, max_value=102.1),
    lat=st.floats(min_value=27.8, max_value=27.9),
)
def test_a_tap_maps_back_to_the_point(lon: float, lat: float) -> None:
    gmap = build_grid_map([("G1", "第1网格", square(102.0, 27.8, 102.1, 27.9))])
    assert gmap is not None
    back = gmap.unproject(*gmap.project(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-9)


def test_common_imports_no_app_above_it() -> None:
    """``common`` knows no domain app (DESIGN.md §3): it may lean on ``org`` and ``audit``
    only. The grid map used to live in ``mobile`` and ``choropleth`` reached up for it."""
    import ast
    from pathlib import Path

    import grassroots.common

    allowed = {"common", "org", "audit"}
    root = Path(grassroots.common.__file__).parent
    offenders = []
    for source in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "grassroots" and len(parts) > 1 and parts[1] not in allowed:
                    offenders.append(f"{source.relative_to(root)}: {name}")
    assert offenders == []
