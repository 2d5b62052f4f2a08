"""Server-drawn SVG charts: well-formed, accessible, escaped, honest about the numbers."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grassroots.common.charts import (
    Bar,
    Part,
    Series,
    bar_chart,
    breakdown_chart,
    fmt,
    histogram,
    line_chart,
    nice_ticks,
)

NS = "{http://www.w3.org/2000/svg}"
MONTHS = [f"{m}月" for m in range(1, 13)]
COORDS = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it)


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return w, h


def numbers(root: ET.Element) -> list[float]:
    """Every number of every geometric attribute, path data and polygon point."""
    found: list[float] = []
    for el in root.iter():
        for name, value in el.attrib.items():
            if name in COORDS or name in ("d", "points"):
                found += [
                    float(n) for n in re.findall(r"[-+]?[0-9.]+(?:e[-+]?\d+)?|nan|inf", value)
                ]
    return found


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def all_charts() -> list[str]:
    return [
        line_chart(MONTHS, [Series("上报", list(range(12)))], title="趋势", unit="件"),
        bar_chart([Bar("城关街道", 92), Bar("东风镇", 88)], title="排名", unit="分"),
        breakdown_chart([Part("事件处置", 28, 30)], title="得分构成", total_label="总分"),
        histogram([70, 80, 90], title="分布", marker=80, marker_label="本单位"),
    ]


def test_every_chart_is_an_accessible_scalable_image() -> None:
    for svg in all_charts():
        root = parse(svg)
        assert root.attrib["role"] == "img"
        assert root.attrib["width"] == "100%"
        title_id, desc_id = root.attrib["aria-labelledby"].split()
        ids = {el.attrib.get("id"): el for el in root.iter()}
        assert ids[title_id].tag == f"{NS}title" and ids[title_id].text
        assert ids[desc_id].tag == f"{NS}desc" and ids[desc_id].text
        assert view_box(root)[0] <= 600  # shrinks to a 375-px phone without a scroll bar


def test_text_from_the_caller_stays_text() -> None:
    evil = '<script>alert("x")</script> & 城关'
    charts = [
        line_chart([evil], [Series(evil, [1])], title=evil, unit=evil),
        bar_chart([Bar(evil, 1)], title=evil, highlight=evil),
        breakdown_chart([Part(evil, 1, 2)], title=evil, total_label=evil),
        histogram([1, 2], title=evil, marker=1, marker_label=evil),
    ]
    for svg in charts:
        root = parse(svg)
        assert not [el for el in root.iter() if el.tag.endswith("script")]
        assert root.find(f"{NS}title") is not None
        assert root.find(f"{NS}title").text == evil  # type: ignore[union-attr]
        assert any('<script>alert("x")</script>' in t for t in texts(root))


def test_characters_xml_forbids_are_dropped_not_fatal() -> None:
    root = parse(bar_chart([Bar("a\x00b\x1fc", 1)], title="t\x07"))
    assert "abc" in "".join(texts(root))


def test_ticks_are_one_two_or_five_times_a_power_of_ten() -> None:
    assert nice_ticks(62.3, 97.8) == [60, 70, 80, 90, 100]
    assert [str(t) for t in nice_ticks(0, 0.3)] == ["0.0", "0.1", "0.2", "0.3"]
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]
    root = parse(line_chart(MONTHS, [Series("满意率", [91.2, 93.7, 95.1])], title="t"))
    shown = [Decimal(t) for t in texts(root) if re.fullmatch(r"-?[0-9.]+", t)]
    steps = {b - a for a, b in itertools.pairwise(shown)}
    assert len(steps) == 1
    step = steps.pop()
    assert step.normalize().as_tuple().digits in ((1,), (2,), (5,))


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
@example(0.0, 5e-324)  # a subnormal span once underflowed to log10(0)
def test_ticks_cover_the_range_with_a_nice_step(a: float, b: float) -> None:
    ticks = nice_ticks(a, b)
    assert ticks[0] <= Decimal(min(a, b)) and ticks[-1] >= Decimal(max(a, b))
    steps = {y - x for x, y in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop().normalize().as_tuple().digits in ((1,), (2,), (5,))
    assert 2 <= len(ticks) <= 12


def test_numbers_are_shown_without_float_noise() -> None:
    assert fmt(0.1 + 0.2) == "0.3"
    assert fmt(Decimal("92.50")) == "92.5"
    assert fmt(-0.0001) == "0"
    assert fmt(float("nan")) == "–"
    root = parse(bar_chart([Bar("甲", 0.1 + 0.2)], title="t", unit="%"))
    assert "0.3%" in texts(root)


def test_bar_lengths_are_proportional_to_the_values() -> None:
    values = [Decimal("92.35"), Decimal("40"), Decimal("10.5"), Decimal("0")]
    root = parse(bar_chart([Bar(f"单位{i}", v) for i, v in enumerate(values)], title="排名"))
    widths = [float(r.attrib["width"]) for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]
    assert len(widths) == 4 and widths[3] == 0
    ratio = widths[0] / float(values[0])
    for width, value in zip(widths, values, strict=True):
        assert width == pytest.approx(float(value) * ratio, abs=0.2)
    labels = texts(root)
    assert "单位0" in labels and "92.35" in labels  # label at left, value at the end


def test_the_highlighted_unit_stands_out_without_colour() -> None:
    items = [
        Bar("城关街道", 92, key="u1"),
        Bar("东风镇", 88, key="u2"),
        Bar("西湖乡", 70, key="u3"),
    ]
    root = parse(bar_chart(items, title="排名", highlight="u2"))
    marked = [r for r in root.iter(f"{NS}rect") if r.get("data-highlight") == "true"]
    assert len(marked) == 1
    fill = marked[0].attrib["fill"]
    pattern_id = re.fullmatch(r"url\(#(.+)\)", fill).group(1)  # type: ignore[union-attr]
    assert any(p.get("id") == pattern_id for p in root.iter(f"{NS}pattern"))
    assert float(marked[0].attrib["stroke-width"]) > 1
    assert "▶ 东风镇" in texts(root)
    plain = parse(bar_chart(items, title="排名"))
    assert not [r for r in plain.iter(f"{NS}rect") if r.get("data-highlight")]


def test_a_missing_month_breaks_the_line() -> None:
    series = [Series("上报", [1, 2, None, 4, 5]), Series("办结", [1, 1, 1, 1, 1])]
    root = parse(line_chart(MONTHS[:5], series, title="趋势"))
    paths = [p for p in root.iter(f"{NS}path") if "series-0" in p.get("class", "")]
    assert len(paths) == 2
    other = [p for p in root.iter(f"{NS}path") if "series-1" in p.get("class", "")]
    assert len(other) == 1
    # the two series differ in dash pattern, not only colour
    assert paths[0].get("stroke-dasharray") != other[0].get("stroke-dasharray")


def test_breakdown_shows_points_against_weight_and_the_total() -> None:
    parts = [Part("事件处置", Decimal("28.5"), 30), Part("群众满意", 18, 20)]
    root = parse(breakdown_chart(parts, title="得分构成", total_label="总分"))
    shown = texts(root)
    assert "28.5 / 30" in shown and "18 / 20" in shown and "总分 46.5 / 50" in shown
    weights = [
        float(r.attrib["width"]) for r in root.iter(f"{NS}rect") if r.get("class") == "weight"
    ]
    bars = [float(r.attrib["width"]) for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]
    assert bars[0] / weights[0] == pytest.approx(28.5 / 30, abs=0.01)


def test_histogram_counts_every_score_once() -> None:
    scores: list[Decimal | float] = [Decimal("62.3"), 70, 75, 77.7, 80, 81, 85, 88, 90, 97.8, 100]
    root = parse(histogram(scores, title="分布", bins=8, marker=81, marker_label="本单位"))
    counts = [
        int(r.attrib["data-count"]) for r in root.iter(f"{NS}rect") if r.get("class") == "bin"
    ]
    assert len(counts) == 8 and sum(counts) == len(scores)
    assert "本单位 81" in texts(root)
    assert [ln for ln in root.iter(f"{NS}line") if ln.get("class") == "marker"]


def test_shapes_stay_inside_the_view_box() -> None:
    long = "很长很长很长很长很长很长很长很长的名字"
    charts = [
        *all_charts(),
        bar_chart([Bar(long, 1e6), Bar("乙", -5)], title=long, unit="元"),
        breakdown_chart([Part(long, 35, 30), Part("扣分", -3, 10)], title="t", total_label="总"),
    ]
    for svg in charts:
        root = parse(svg)
        width, height = view_box(root)
        for rect in root.iter(f"{NS}rect"):
            if "x" in rect.attrib:
                x, w = float(rect.attrib["x"]), float(rect.attrib["width"])
                assert x >= 0 and x + w <= width + 0.1
                assert float(rect.attrib["y"]) + float(rect.attrib["height"]) <= height + 0.1


def test_no_data_gives_a_chart_saying_so() -> None:
    charts = [
        line_chart([], [], title="趋势"),
        line_chart(MONTHS, [Series("上报", [None] * 12)], title="趋势"),
        bar_chart([], title="排名"),
        breakdown_chart([], title="构成", total_label="总分"),
        histogram([float("nan")], title="分布"),
    ]
    for svg in charts:
        assert "No data" in texts(parse(svg))
    assert "暂无数据" in texts(parse(bar_chart([], title="排名", empty="暂无数据")))


def test_odd_numbers_never_reach_a_coordinate() -> None:
    nan, inf = float("nan"), float("inf")
    charts = [
        line_chart(MONTHS[:4], [Series("a", [nan, inf, -inf, 1])], title="t", y_min=nan),
        bar_chart([Bar("a", inf), Bar("b", 1e300), Bar("c", Decimal("NaN"))], title="t"),
        histogram([1e300, -1e300, 5], title="t", marker=inf),
        histogram([3, 3, 3], title="t", bins=0),
    ]
    for svg in charts:
        assert all(math.isfinite(n) for n in numbers(parse(svg)))


values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6
    ),
    st.integers(-(10**9), 10**9),
)
names = st.text(max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(names, max_size=14),
    rows=st.lists(st.lists(values, max_size=14), max_size=4),
    bars=st.lists(st.tuples(names, values.filter(lambda v: v is not None)), max_size=12),
    bins=st.integers(-2, 60),
    marker=values,
    title=names,
)
def test_random_inputs_always_give_a_well_formed_finite_chart(
    labels: list[str],
    rows: list[list[float | None]],
    bars: list[tuple[str, float]],
    bins: int,
    marker: float | None,
    title: str,
) -> None:
    scores = [v for row in rows for v in row if v is not None]
    charts = [
        line_chart(labels, [Series(f"s{i}", row) for i, row in enumerate(rows)], title=title),
        bar_chart(
            [Bar(n, v) for n, v in bars], title=title, highlight=bars[0][0] if bars else None
        ),
        breakdown_chart([Part(n, v, abs(v)) for n, v in bars], title=title, total_label=title),
        histogram(scores, title=title, bins=bins, marker=marker, marker_label=title),
    ]
    for svg in charts:
        root = parse(svg)
        assert root.attrib["role"] == "img"
        assert all(math.isfinite(n) for n in numbers(root))
