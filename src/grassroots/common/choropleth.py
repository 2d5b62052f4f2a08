"""Grid maps coloured by a metric (choropleth), drawn as one server-side SVG.

Pure functions, no ORM, no network, no tiles: :func:`classify` puts each grid's value into a
class with "nice" rounded breaks, :func:`render_map` draws the grids of a
:class:`~grassroots.common.gridmap.GridMap` filled by class, optional event points and the
legend below the map, all in one ``<svg>`` that scales to the screen (``width="100%"``).

Classes are numbered by *badness*: class 0 is the best, the last class the worst, whatever the
metric's direction (``higher_is_better``). The palette is a lightness ramp (light = good,
dark = needs attention), the worst class is also hatched and "no data" is dotted, so the map
still reads when printed in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from html import escape
from itertools import pairwise
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grassroots.common.gridmap import GridMap

Method = Literal["quantile", "equal", "counts"]

#: A single-hue ramp whose lightness falls monotonically (light = best, dark = worst).
RAMP: tuple[str, ...] = (
    "#fff5eb",
    "#fdd0a2",
    "#fdae6b",
    "#f16913",
    "#d94801",
    "#a63603",
    "#7f2704",
)
NO_DATA_FILL = "#ffffff"
STROKE = "#333333"
TEXT = "#222222"
MAX_CLASSES = len(RAMP)

LEGEND_ROW = 20.0
LEGEND_SWATCH = 14.0
LEGEND_GAP = 10.0
POINT_RADIUS = 3.5
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


@dataclass(frozen=True, slots=True)
class LegendEntry:
    index: int  # the class index (0 = best)
    low: Decimal
    high: Decimal
    label: str  # "80–90"
    count: int
    fill: str
    hatched: bool


@dataclass(frozen=True, slots=True)
class Classification:
    breaks: tuple[Decimal, ...]  # ascending; class boundaries, len = number of classes + 1
    classes: dict[str, int | None]  # grid code → class index (0 = best) or None (no data)
    legend: tuple[LegendEntry, ...]  # best first
    no_data: int  # how many grids have no value
    higher_is_better: bool

    @property
    def worst(self) -> int | None:
        return len(self.legend) - 1 if self.legend else None

    def fill(self, code: str) -> str:
        index = self.classes.get(code)
        if index is None:
            return NO_DATA_FILL
        return self.legend[index].fill


def _to_decimal(value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _magnitude(x: Decimal) -> Decimal:
    """The power of ten not above ``x`` (``x`` > 0)."""
    return Decimal(1).scaleb(math.floor(x.log10()))


def nice_step(span: Decimal, classes: int) -> Decimal:
    """The smallest step of the form {1, 2, 2.5, 5}·10^k not below ``span / classes``."""
    raw = span / classes
    if raw <= 0:
        return Decimal(1)
    base = _magnitude(raw)
    for factor in (*_NICE_STEPS, Decimal(10)):
        if factor * base >= raw:
            return factor * base
    return Decimal(10) * base  # pragma: no cover - the loop always returns


def _next_step(step: Decimal) -> Decimal:
    base = _magnitude(step)
    for factor in (*_NICE_STEPS, Decimal(10)):
        if factor * base > step:
            return factor * base
    return Decimal(10) * base  # pragma: no cover


def _floor_to(x: Decimal, step: Decimal) -> Decimal:
    return (x / step).to_integral_value(rounding=ROUND_FLOOR) * step


def _ceil_to(x: Decimal, step: Decimal) -> Decimal:
    return (x / step).to_integral_value(rounding=ROUND_CEILING) * step


def _equal_breaks(low: Decimal, high: Decimal, classes: int) -> list[Decimal]:
    step = nice_step(high - low, classes)
    while True:
        start = _floor_to(low, step)
        count = max(1, int(_ceil_to(high - start, step) / step))
        if count <= classes:
            return [start + i * step for i in range(count + 1)]
        step = _next_step(step)


def _quantile_breaks(values: list[Decimal], classes: int) -> list[Decimal]:
    ordered = sorted(values)
    low, high = ordered[0], ordered[-1]
    unit = nice_step(high - low, 2 * classes)  # breaks are multiples of this nice step
    start, end = _floor_to(low, unit), _ceil_to(high, unit)
    breaks = [start]
    n = len(ordered)
    for i in range(1, classes):
        position = i * (n - 1) / classes
        below = ordered[math.floor(position)]
        above = ordered[math.ceil(position)]
        q = below + (above - below) * Decimal(str(position - math.floor(position)))
        inner = (q / unit).to_integral_value() * unit
        if breaks[-1] < inner < end:
            breaks.append(inner)
    breaks.append(end if end > breaks[-1] else breaks[-1] + unit)
    # rounding may leave a class empty: merge it into its upper neighbour (the last into the
    # one below), so every class of a quantile map holds grids
    while len(breaks) > 2:
        empty = [
            j
            for j in range(len(breaks) - 1)
            if not any(
                breaks[j] <= v < breaks[j + 1] or (j == len(breaks) - 2 and v == breaks[-1])
                for v in ordered
            )
        ]
        if not empty:
            break
        j = empty[0]
        del breaks[j + 1 if j + 1 < len(breaks) - 1 else j]
    return breaks


def _count_breaks(values: list[Decimal], classes: int) -> list[Decimal]:
    """Breaks at whole numbers: ``[0, 1)`` alone when some values are nought, then the
    positive values split by quantiles floored to whole numbers; the top break is the
    largest value (or one above the last break, when that is the largest value)."""
    positive = sorted(v for v in values if v > 0)
    # Nought is a class of its own only when more than one class is asked for.
    zero = len(positive) < len(values) and classes > 1
    start = Decimal(1) if zero else min(values)
    wanted = classes - 1 if zero else classes
    inner: list[Decimal] = []
    if wanted > 1 and positive[0] != positive[-1]:
        rounded = {
            b.to_integral_value(rounding=ROUND_FLOOR)
            for b in _quantile_breaks(positive, wanted)[1:-1]
        }
        inner = sorted(b for b in rounded if start < b < positive[-1])
    top = max(positive[-1], start + 1)
    return [*([Decimal(0)] if zero else []), start, *inner, top]


def _text(x: Decimal) -> str:
    """A break as people write it: ``80``, ``0.25``, ``-5`` (no exponent, no trailing zeros)."""
    normal = x.normalize()
    if normal == 0:
        return "0"
    return f"{normal:f}"


def _palette(count: int) -> list[str]:
    if count <= 1:
        return [RAMP[len(RAMP) // 2]]
    return [RAMP[round(i * (len(RAMP) - 1) / (count - 1))] for i in range(count)]


def classify(
    values: Mapping[str, Decimal | float | None],
    *,
    classes: int = 5,
    higher_is_better: bool = True,
    method: Method = "quantile",
) -> Classification:
    """Put each grid's value into a class; class 0 is the best, ``None`` means no data.

    Breaks are nice round numbers (equal intervals of 1, 2, 2.5 or 5 × 10^k, or quantiles
    rounded to the same precision); there may be fewer classes than asked when the values
    do not spread that far. A value sits in ``[low, high)``; the top break is included.

    ``counts`` is for whole numbers of things (open events): nought is a class of its own
    (nothing to do), the rest split by quantiles at whole numbers, and the legend shows
    whole ranges (``0``, ``1–2``, ``3–6``). Values that are not whole and non-negative are
    classified by quantiles instead.
    """
    classes = max(1, min(int(classes), MAX_CLASSES))
    numbers = {code: _to_decimal(value) for code, value in values.items()}
    known = [v for v in numbers.values() if v is not None]
    no_data = len(numbers) - len(known)
    if not known:
        return Classification((), dict.fromkeys(numbers), (), no_data, higher_is_better)
    low, high = min(known), max(known)
    whole = method == "counts" and all(v >= 0 and v == v.to_integral_value() for v in known)
    if low == high:
        breaks = [low, high]
    elif whole:
        breaks = _count_breaks(known, classes)
    elif method == "equal":
        breaks = _equal_breaks(low, high, classes)
    else:
        breaks = _quantile_breaks(known, classes)
    if any(a >= b for a, b in pairwise(breaks)) or not (
        breaks[0] <= low and high <= breaks[-1]
    ):  # precision ran out (values far larger than their spread): one honest class
        breaks = [low, high]
    count = len(breaks) - 1

    def by_value(v: Decimal) -> int:
        for j in range(count - 1, 0, -1):
            if v >= breaks[j]:
                return j
        return 0

    def badness(j: int) -> int:
        return count - 1 - j if higher_is_better else j

    result: dict[str, int | None] = {
        code: None if v is None else badness(by_value(v)) for code, v in numbers.items()
    }
    palette = _palette(count)
    tallies = [0] * count
    for index in result.values():
        if index is not None:
            tallies[index] += 1
    entries = []
    for index in range(count):
        j = count - 1 - index if higher_is_better else index
        lo, hi = breaks[j], breaks[j + 1]
        if whole:  # [lo, hi) of whole numbers is lo … hi − 1; the last class ends at the top
            hi = hi - 1 if j < count - 1 else min(hi, high)
        label = _text(lo) if lo == hi else f"{_text(lo)}–{_text(hi)}"
        entries.append(
            LegendEntry(
                index=index,
                low=lo,
                high=hi,
                label=label,
                count=tallies[index],
                fill=palette[index],
                hatched=count > 1 and index == count - 1,
            )
        )
    return Classification(tuple(breaks), result, tuple(entries), no_data, higher_is_better)


def _num(x: float) -> str:
    return f"{x:.1f}"


#: An event point: ``(lon, lat, label)`` or ``(lon, lat, label, url)``.
Point = tuple[float, float, str] | tuple[float, float, str, str]


def _patterns(hatch: str, dots: str, worst_fill: str) -> str:
    """The hatch of the worst class and the dots of "no data", as ``<defs>``."""
    return (
        "<defs>"
        f'<pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{worst_fill}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
        f'<pattern id="{dots}" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="{NO_DATA_FILL}"/>'
        f'<circle cx="2.5" cy="2.5" r="0.9" fill="#555555"/></pattern>'
        "</defs>"
    )


def swatch(classification: Classification, index: int | None, *, id_prefix: str) -> str:
    """A small SVG square painted like the grids of class ``index`` (``None``: no data),
    for a legend written in HTML beside a map drawn with ``legend=False``."""
    pid = escape(f"{id_prefix}-sw{'n' if index is None else index}")
    hatch, dots = f"{pid}-hatch", f"{pid}-nodata"
    worst = classification.worst
    worst_fill = classification.legend[worst].fill if worst is not None else RAMP[-1]
    if index is None:
        fill = f"url(#{dots})"
    elif classification.legend[index].hatched:
        fill = f"url(#{hatch})"
    else:
        fill = classification.legend[index].fill
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="swatch" viewBox="0 0 18 18" '
        f'width="18" height="18" aria-hidden="true" focusable="false">'
        f"{_patterns(hatch, dots, worst_fill)}"
        f'<rect x="0.5" y="0.5" width="17" height="17" fill="{fill}" stroke="{STROKE}"/></svg>'
    )


def render_map(
    gmap: GridMap,
    classification: Classification,
    *,
    title: str,
    link: Callable[[str], str] | None,
    details: Mapping[str, str],
    no_data_label: str,
    points: Sequence[Point] = (),
    id_prefix: str = "cmap",
    legend: bool = True,
    stroke_width: float = 1.0,
) -> str:
    """The map as an SVG string: grids by class, points, and the legend below.

    ``link(code)`` gives each grid's URL (the grids become keyboard-reachable anchors);
    ``details[code]`` is shown with the grid's name on hover or long-press. ``points`` are
    ``(lon, lat, label)`` or ``(lon, lat, label, url)``; those outside the map's box are
    left out. ``id_prefix`` keeps the ids unique when a page holds several maps. Without
    ``legend`` the SVG is the map alone (a page then shows :func:`swatch` rows in HTML).
    Grid outlines are ``stroke_width`` screen pixels wide whatever the map's scale.
    """
    pid = escape(id_prefix)
    hatch, dots = f"{pid}-hatch", f"{pid}-nodata"
    legend_rows = (len(classification.legend) + (1 if classification.no_data else 0)) * legend
    legend_top = gmap.height + LEGEND_GAP
    height = legend_top + legend_rows * LEGEND_ROW + LEGEND_GAP if legend_rows else gmap.height
    worst = classification.worst
    worst_fill = classification.legend[worst].fill if worst is not None else RAMP[-1]
    desc = _("Grids coloured by class; darker needs more attention, hatched is the worst class.")
    # a picture, or a group of links (an "img" would hide the links from screen readers)
    role = "img" if link is None and not any(len(p) > 3 and p[3] for p in points) else "group"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {gmap.width:g} {_num(height)}" '
        f'width="100%" role="{role}" aria-labelledby="{pid}-title {pid}-desc" '
        f'class="choropleth" font-family="sans-serif" font-size="12">',
        f'<title id="{pid}-title">{escape(title)}</title>',
        f'<desc id="{pid}-desc">{escape(desc)}</desc>',
        _patterns(hatch, dots, worst_fill),
        f'<g class="grids" stroke="{STROKE}" stroke-width="{stroke_width:g}">',
    ]

    def paint(index: int | None) -> str:
        if index is None:
            return f"url(#{dots})"
        if classification.legend[index].hatched:
            return f"url(#{hatch})"
        return classification.legend[index].fill

    for grid in gmap.shapes:
        index = classification.classes.get(grid.code)
        detail = details.get(grid.code, "" if index is not None else no_data_label)
        tip = f"{grid.name}：{detail}" if detail else grid.name
        klass = "" if index is None else index
        path = (
            f'<path d="{escape(grid.d)}" fill="{paint(index)}" '
            f'data-code="{escape(grid.code)}" data-class="{klass}"/>'
        )
        if link is not None:
            out.append(
                f'<a href="{escape(link(grid.code))}"><title>{escape(tip)}</title>{path}</a>'
            )
        else:
            out.append(f"<g><title>{escape(tip)}</title>{path}</g>")
    out.append("</g>")

    drawn = []
    for point in points:
        lon, lat, label = point[0], point[1], point[2]
        url = point[3] if len(point) > 3 else ""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            continue
        x, y = gmap.project(lon, lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        if 0 <= x <= gmap.width and 0 <= y <= gmap.height:
            circle = (
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{POINT_RADIUS:g}">'
                f"<title>{escape(label)}</title></circle>"
            )
            if url:
                circle = f'<a href="{escape(url)}">{circle}</a>'
            drawn.append(circle)
    if drawn:
        out.append('<g class="points" fill="#000000" stroke="#ffffff" stroke-width="1">')
        out.extend(drawn)
        out.append("</g>")

    if not legend:
        out.append("</svg>")
        return "".join(out)
    out.append('<g class="legend">')
    rows: list[tuple[str, str]] = [
        (
            paint(entry.index),
            ngettext("%(range)s: %(count)d grid", "%(range)s: %(count)d grids", entry.count)
            % {"range": entry.label, "count": entry.count},
        )
        for entry in classification.legend
    ]
    if classification.no_data:
        rows.append(
            (
                f"url(#{dots})",
                ngettext(
                    "%(range)s: %(count)d grid",
                    "%(range)s: %(count)d grids",
                    classification.no_data,
                )
                % {"range": no_data_label, "count": classification.no_data},
            )
        )
    for i, (fill, text) in enumerate(rows):
        y = legend_top + i * LEGEND_ROW
        out.append(
            f'<rect x="12" y="{_num(y)}" width="{LEGEND_SWATCH:g}" height="{LEGEND_SWATCH:g}" '
            f'fill="{fill}" stroke="{STROKE}" stroke-width="0.8"/>'
            f'<text x="{12 + LEGEND_SWATCH + 6:g}" y="{_num(y + LEGEND_SWATCH - 2)}" '
            f'fill="{TEXT}">{escape(text)}</text>'
        )
    out.append("</g>")
    out.append("</svg>")
    return "".join(out)
