"""The coloured grid map: classes follow the values, the SVG is sound, escaped and linked."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.common.choropleth import Classification, classify, render_map
from grassroots.common.gridmap import GridMap, build_grid_map
from tests.pages_support import square

SVG = "{http://www.w3.org/2000/svg}"
NICE = {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}


def _row(n: int) -> GridMap:
    """``n`` little squares side by side, codes G0…G(n-1)."""
    grids = [
        (f"G{i}", f"第{i}网格", square(102.0 + 0.1 * i, 27.8, 102.09 + 0.1 * i, 27.89))
        for i in range(n)
    ]
    gmap = build_grid_map(grids)
    assert gmap is not None
    return gmap


def _draw(gmap: GridMap, c: Classification, **kw: object) -> ET.Element:
    svg = render_map(
        gmap,
        c,
        title=str(kw.pop("title", "按时办结率")),
        link=kw.pop("link", lambda code: f"/grids/{code}/?a=1&b=2"),  # type: ignore[arg-type]
        details=kw.pop("details", {}),  # type: ignore[arg-type]
        no_data_label="无数据",
        **kw,  # type: ignore[arg-type]
    )
    return ET.fromstring(svg)  # noqa: S314 - our own SVG; raises when malformed


@pytest.mark.parametrize("method", ["quantile", "equal"])
@pytest.mark.parametrize("higher_is_better", [True, False])
def test_classes_follow_the_values_in_the_metric_direction(
    method: str, higher_is_better: bool
) -> None:
    values = {f"G{i}": Decimal(v) for i, v in enumerate([55, 61, 70, 72, 80, 85, 90, 97, 99, 100])}
    c = classify(values, higher_is_better=higher_is_better, method=method)  # type: ignore[arg-type]
    ordered = sorted(values, key=lambda code: values[code])
    indices = [c.classes[code] for code in ordered]
    assert None not in indices
    steps = list(pairwise(indices))
    if higher_is_better:  # a higher rate is never in a worse class
        assert all(a >= b for a, b in steps)  # type: ignore[operator]
        assert c.classes[ordered[0]] == c.worst and c.classes[ordered[-1]] == 0
    else:  # more overdue is never in a better class
        assert all(a <= b for a, b in steps)  # type: ignore[operator]
        assert c.classes[ordered[-1]] == c.worst and c.classes[ordered[0]] == 0
    assert len(c.legend) >= 2
    # each value sits in the range its legend entry shows
    for code, value in values.items():
        entry = c.legend[c.classes[code]]  # type: ignore[index]
        assert entry.low <= value <= entry.high


def test_missing_values_are_no_data_and_counts_add_up() -> None:
    values: dict[str, Decimal | float | None] = {
        "A": 3,
        "B": None,
        "C": 7.5,
        "D": float("nan"),
        "E": 12,
        "F": 0,
    }
    c = classify(values, classes=3, higher_is_better=False)
    assert c.classes["B"] is None and c.classes["D"] is None
    assert c.no_data == 2
    assert sum(e.count for e in c.legend) + c.no_data == len(values)
    assert [e.index for e in c.legend] == list(range(len(c.legend)))
    assert c.legend[-1].hatched and not any(e.hatched for e in c.legend[:-1])


def test_equal_interval_breaks_are_nice_round_numbers() -> None:
    values = {f"G{i}": v for i, v in enumerate([0.62, 0.71, 0.78, 0.83, 0.91, 0.97])}
    c = classify(values, method="equal")
    steps = {b - a for a, b in pairwise(c.breaks)}
    assert len(steps) == 1  # equal intervals
    [step] = steps
    assert step / Decimal(1).scaleb(math.floor(step.log10())) in NICE
    assert all((b / step) == (b / step).to_integral_value() for b in c.breaks)
    assert c.breaks[0] <= Decimal("0.62") and c.breaks[-1] >= Decimal("0.97")
    assert len(c.breaks) - 1 <= 5
    assert c.legend[-1].label == "0.6–0.7"  # the lowest rates: the worst class


def test_quantile_breaks_are_rounded_and_split_the_grids() -> None:
    values = {
        f"G{i}": Decimal(v) for i, v in enumerate([81.3, 84.9, 86.2, 88.8, 90.1, 93.7, 95.5, 99.2])
    }
    c = classify(values, classes=4)
    assert all(b == b.to_integral_value() for b in c.breaks)  # rounded to whole numbers here
    assert list(c.breaks) == sorted(set(c.breaks))
    assert c.breaks[0] <= 81 and c.breaks[-1] >= Decimal("99.2")
    assert all(e.count == 2 for e in c.legend)  # quartiles of eight grids
    assert all(re.fullmatch(r"\d+–\d+", e.label) for e in c.legend)


def test_counts_keep_nought_apart_and_show_whole_ranges() -> None:
    values = {f"G{i}": v for i, v in enumerate([0] * 6 + [1, 1, 1, 2, 2, 3, 4, 6, 6, 9])}
    c = classify(values, higher_is_better=False, method="counts")
    assert c.legend[0].label == "0" and c.legend[0].count == 6  # nothing open: the best
    assert c.legend[-1].hatched and c.classes["G15"] == c.worst  # nine open: the worst
    labels = [e.label for e in c.legend]
    assert all(re.fullmatch(r"\d+(–\d+)?", label) for label in labels)
    assert labels[-1].endswith("–9")
    # whole ranges follow each other without gaps or overlaps
    bounds = [[int(x) for x in label.split("–")] for label in labels]
    assert all(after[0] == before[-1] + 1 for before, after in pairwise(bounds))
    ones = classify({"A": 0, "B": 1}, higher_is_better=False, method="counts")
    assert [e.label for e in ones.legend] == ["0", "1"]
    # not whole numbers: classified by quantiles
    halves = {"A": 0, "B": 1.5, "C": 0.25}
    assert classify(halves, method="counts") == classify(halves, method="quantile")


def test_equal_and_empty_values() -> None:
    same = classify({"A": 5, "B": 5})
    assert [e.label for e in same.legend] == ["5"]
    assert same.classes == {"A": 0, "B": 0}
    empty = classify({"A": None})
    assert empty.legend == () and empty.classes == {"A": None} and empty.no_data == 1


def test_every_grid_is_a_titled_link_and_text_is_escaped() -> None:
    gmap = build_grid_map(
        [
            ("G1", "<b>河西</b> & 东", square(102.0, 27.8, 102.1, 27.9)),
            ("G2", "二", square(102.1, 27.8, 102.2, 27.9)),
            ("G3", "三", square(102.2, 27.8, 102.3, 27.9)),
        ]
    )
    assert gmap is not None
    c = classify({"G1": 90, "G2": 40, "G3": None})
    svg = render_map(
        gmap,
        c,
        title="<script>x</script>",
        link=lambda code: f"/grids/{code}/?m=ontime&q=1",
        details={"G1": "办结率 90% <高>", "G2": "40%"},
        no_data_label="无数据",
    )
    assert "<script>" not in svg and "<b>" not in svg and "<高>" not in svg
    root = ET.fromstring(svg)  # noqa: S314
    assert root.get("role") == "group" and root.get("width") == "100%"  # of links
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    assert root.find(f"{SVG}title").text == "<script>x</script>"  # type: ignore[union-attr]
    anchors = root.findall(f".//{SVG}g[@class='grids']/{SVG}a")
    assert [a.get("href") for a in anchors] == [f"/grids/G{i}/?m=ontime&q=1" for i in (1, 2, 3)]
    tips = [a.find(f"{SVG}title").text for a in anchors]  # type: ignore[union-attr]
    assert tips == ["<b>河西</b> & 东：办结率 90% <高>", "二：40%", "三：无数据"]
    paths = root.findall(f".//{SVG}a/{SVG}path")
    fills = {p.get("data-code"): p.get("fill") for p in paths}
    assert fills["G3"] == "url(#cmap-nodata)"  # dotted: no data
    assert fills["G2"] == "url(#cmap-hatch)"  # hatched: the worst class
    assert fills["G1"] != fills["G2"]
    # the legend below the map names the classes and no-data with counts
    legend = [t.text for t in root.findall(f".//{SVG}g[@class='legend']/{SVG}text")]
    assert legend[-1] == "无数据: 1 grid"
    assert len(legend) == len(c.legend) + 1
    view = [float(v) for v in root.get("viewBox", "").split()]
    ys = [float(t.get("y", "0")) for t in root.iter(f"{SVG}text")]
    assert all(gmap.height < y <= view[3] for y in ys)


def test_without_links_the_grids_still_have_titles() -> None:
    gmap = _row(2)
    root = _draw(gmap, classify({"G0": 1, "G1": 2}), link=None, details={"G0": "1 件"})
    assert root.find(f".//{SVG}a") is None and root.get("role") == "img"
    titles = [g.find(f"{SVG}title").text for g in root.findall(f".//{SVG}g[@class='grids']/{SVG}g")]  # type: ignore[union-attr]
    assert titles == ["第0网格：1 件", "第1网格"]


def test_points_are_drawn_inside_the_box_and_strays_left_out() -> None:
    gmap = _row(3)
    points = [
        (102.05, 27.85, "事件 <1>"),
        (102.25, 27.81, "事件 2"),
        (120.0, 30.0, "far away"),
        (float("nan"), 27.8, "bad"),
    ]
    root = _draw(gmap, classify({"G0": 1, "G1": 2, "G2": 3}), points=points)
    circles = root.findall(f".//{SVG}g[@class='points']/{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == ["事件 <1>", "事件 2"]  # type: ignore[union-attr]
    for circle in circles:
        x, y = float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))
        assert 0 <= x <= gmap.width and 0 <= y <= gmap.height
    x, y = float(circles[0].get("cx", "0")), float(circles[0].get("cy", "0"))
    assert gmap.unproject(x, y) == pytest.approx((102.05, 27.85), abs=0.01)


def test_one_class_of_counts_holds_the_noughts_too() -> None:
    """Found by the property test below: asked for one class, counts with noughts among
    them gave two (nought alone, then the rest)."""
    c = classify({"G0": 0, "G1": 1}, classes=1, method="counts")
    assert len(c.legend) == 1
    assert c.classes == {"G0": 0, "G1": 0}


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True, allow_infinity=True, width=32),
            st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    ),
    classes=st.integers(min_value=1, max_value=9),
    higher_is_better=st.booleans(),
    method=st.sampled_from(["quantile", "equal", "counts"]),
)
def test_any_values_give_a_well_formed_map(
    values: list[float | Decimal | None], classes: int, higher_is_better: bool, method: str
) -> None:
    gmap = _row(len(values))
    data = {f"G{i}": v for i, v in enumerate(values)}
    c = classify(data, classes=classes, higher_is_better=higher_is_better, method=method)  # type: ignore[arg-type]
    assert sum(e.count for e in c.legend) + c.no_data == len(values)
    assert len(c.legend) <= classes
    if method == "quantile":  # rounding never leaves a quantile class empty
        assert all(e.count >= 1 for e in c.legend)
    root = _draw(gmap, c, points=[(102.05, 27.85, "p")])
    assert len(root.findall(f".//{SVG}g[@class='grids']/{SVG}a")) == len(values)
    view = [float(v) for v in root.get("viewBox", "").split()]
    assert all(math.isfinite(v) for v in view)
    for el in root.iter():
        for attr in ("d", "x", "y", "cx", "cy", "width", "height"):
            raw = el.get(attr)
            if raw is not None:
                assert all(math.isfinite(float(n)) for n in _NUMBER.findall(raw))
                assert "nan" not in raw.lower() and "inf" not in raw.lower()
