"""Charts as SVG text, drawn on the server (no JavaScript, no outside service).

Every function returns a complete ``<svg>`` element that is safe to ``mark_safe``: all text
passed in is escaped. The charts scale to the width of their container (``viewBox`` and
``width="100%"``), carry an accessible ``<title>``/``<desc>`` (``role="img"``), and stay
readable printed in black and white: series differ by dash pattern and marker shape, the
highlighted bar by a hatch pattern and a thick outline, never by colour alone. Labels are
passed in by the caller (already translated); empty data gives a chart saying so.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

from django.utils.translation import gettext as _

Number = Decimal | float | int

WIDTH = 480
FONT = 13
INK = "#1a1a1a"
GRID = "#c8c8c8"
FILL = "#5b7db1"
WIDTH_1 = 'stroke-width="1"'
LIMIT = 1e15  # values beyond this are clamped so every coordinate stays finite
COLOURS = ("#1f4e9c", "#b3261e", "#2e6b30", "#6a3d9a", "#8a5a00", "#00606b")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "circle-open")


@dataclass(frozen=True)
class Series:
    """One line of a trend chart; ``None`` leaves a gap."""

    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Bar:
    """One bar of a ranking; ``key`` (default: the label) is what ``highlight`` matches."""

    label: str
    value: Number
    key: str = ""


@dataclass(frozen=True)
class Part:
    """One indicator of a score breakdown: the points earned out of its weight."""

    label: str
    points: Number
    weight: Number


# --- numbers -----------------------------------------------------------------------------


def _clean(value: Number | None) -> float | None:
    """The value as a finite float within ±LIMIT, or None for missing/NaN/infinite."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if not math.isfinite(number):
        return None
    return max(-LIMIT, min(LIMIT, number))


def fmt(value: Number | None, places: int = 2) -> str:
    """A number for people: at most ``places`` decimals, no trailing zeros, no float noise."""
    number = _clean(value)
    if number is None:
        return "–"
    text = f"{number:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fmt_tick(tick: Decimal) -> str:
    text = format(tick, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fmt_cent(value: Decimal) -> str:
    return _fmt_tick(value.quantize(Decimal("0.01")))


def nice_ticks(lo: float, hi: float, count: int = 5, *, integer: bool = False) -> list[Decimal]:
    """Ticks 1, 2 or 5 × 10^k apart covering [lo, hi] (exact decimals, at least two)."""
    lo, hi = sorted((_clean(lo) or 0.0, _clean(hi) or 0.0))
    span = hi - lo
    raw = span / count if span > 0 else max(abs(hi), 1.0) / count
    raw = max(raw, 1e-12)  # a subnormal span would underflow to 0 (the step floor is 0.01)
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10.0**exponent
    mantissa = next((m for m in (1, 2, 5) if fraction <= m + 1e-9), 10)
    if mantissa == 10:
        mantissa, exponent = 1, exponent + 1
    if exponent < (floor := 0 if integer else -2):
        mantissa, exponent = 1, floor
    step = Decimal(mantissa).scaleb(exponent)
    start = int((Decimal(lo) / step).to_integral_value(ROUND_FLOOR))
    end = int((Decimal(hi) / step).to_integral_value(ROUND_CEILING))
    if end <= start:
        end = start + 1
    return [step * k for k in range(start, end + 1)]


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: str) -> str:
    """Text for an SVG element or attribute: escaped, without characters XML forbids."""
    return escape(_NOT_XML.sub("", str(text)))


def _c(value: float) -> str:
    """A coordinate: one decimal, never NaN or infinite."""
    return f"{value:.1f}" if math.isfinite(value) else "0"


def _text_width(text: str, size: float = FONT) -> float:
    return sum(size if ord(ch) >= 0x2E80 else 0.6 * size for ch in text)


# --- pieces ------------------------------------------------------------------------------


def _uid(*parts: object) -> str:
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"chart-{digest[:10]}"


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{_esc(v)}"' for k, v in attrs.items())
    return f'<text x="{_c(x)}" y="{_c(y)}" fill="{INK}"{extra}>{_esc(text)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = GRID, more: str = "") -> str:
    return (
        f'<line x1="{_c(x1)}" y1="{_c(y1)}" x2="{_c(x2)}" y2="{_c(y2)}" stroke="{colour}"'
        f" {more or WIDTH_1}/>"
    )


def _frame(uid: str, height: float, title: str, desc: str, body: list[str]) -> str:
    height = max(height, 80.0)
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_c(height)}"'
            f' width="100%" preserveAspectRatio="xMidYMid meet" role="img"'
            f' aria-labelledby="{uid}-t {uid}-d" class="chart" font-family="sans-serif"'
            f' font-size="{FONT}">',
            f'<title id="{uid}-t">{_esc(title)}</title>',
            f'<desc id="{uid}-d">{_esc(desc)}</desc>',
            f'<rect x="0" y="0" width="{WIDTH}" height="{_c(height)}" fill="#ffffff"/>',
            _text(8, 20, title, font_weight="bold", font_size="15"),
            *body,
            "</svg>",
        ]
    )


def _empty(title: str, empty: str | None) -> str:
    message = empty if empty is not None else _("No data")
    uid = _uid("empty", title, message)
    body = [_text(WIDTH / 2, 70, message, text_anchor="middle", class_="chart-empty")]
    return _frame(uid, 110, title, message, body)


SHAPES = {
    "square": ((-4, -4), (4, -4), (4, 4), (-4, 4)),
    "triangle": ((0, -5), (5, 4), (-5, 4)),
    "diamond": ((0, -5), (5, 0), (0, 5), (-5, 0)),
    "triangle-down": ((0, 5), (5, -4), (-5, -4)),
}


def _marker(kind: str, x: float, y: float, colour: str, tip: str) -> str:
    tip_el = f"<title>{_esc(tip)}</title>"
    if kind in SHAPES:
        points = " ".join(f"{_c(x + dx)},{_c(y + dy)}" for dx, dy in SHAPES[kind])
        return f'<polygon points="{points}" fill="{colour}">{tip_el}</polygon>'
    fill = "#ffffff" if kind == "circle-open" else colour
    return (
        f'<circle cx="{_c(x)}" cy="{_c(y)}" r="4" fill="{fill}" stroke="{colour}"'
        f' stroke-width="1.5">{tip_el}</circle>'
    )


def _hatch(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{INK}"/></pattern></defs>'
    )


# --- trend lines -------------------------------------------------------------------------


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "",
    y_min: Number | None = None,
    y_max: Number | None = None,
    empty: str | None = None,
) -> str:
    """Trend lines over ``labels`` (e.g. 12 months); ``None`` values break the line."""
    data = [[_clean(v) for v in list(s.values)[: len(labels)]] for s in series]
    known = [v for values in data for v in values if v is not None]
    if not labels or not known:
        return _empty(title, empty)
    lo, hi = _clean(y_min), _clean(y_max)
    lo = min(known) if lo is None else lo
    hi = max(known) if hi is None else hi
    ticks = nice_ticks(min(lo, hi), max(lo, hi))
    t_lo, t_hi = float(ticks[0]), float(ticks[-1])
    tick_w = max(_text_width(_fmt_tick(t)) for t in ticks)
    left, right, top, plot_h = 14 + tick_w, WIDTH - 16, 52.0, 200.0
    bottom = top + plot_h
    step_x = (right - left) / max(len(labels) - 1, 1)

    def x_at(i: int) -> float:
        return left + i * step_x if len(labels) > 1 else (left + right) / 2

    def y_at(v: float) -> float:
        v = max(t_lo, min(t_hi, v))
        return bottom - (v - t_lo) / (t_hi - t_lo) * plot_h

    body: list[str] = []
    for t in ticks:
        y = y_at(float(t))
        body.append(_line(left, y, right, y, GRID))
        body.append(_text(left - 6, y + 4, _fmt_tick(t), text_anchor="end", class_="tick"))
    if unit:
        body.append(_text(8, top - 14, unit, font_size="11"))
    label_w = max(_text_width(lbl, 11) for lbl in labels) + 6
    every = max(1, math.ceil(label_w / step_x)) if len(labels) > 1 else 1
    for i, lbl in enumerate(labels):
        if i % every == 0:
            body.append(_text(x_at(i), bottom + 16, lbl, text_anchor="middle", font_size="11"))
    body.append(_line(left, bottom, right, bottom, INK))
    summary: list[str] = []
    for n, (s, values) in enumerate(zip(series, data, strict=True)):
        colour, dash, kind = (
            COLOURS[n % len(COLOURS)],
            DASHES[n % len(DASHES)],
            MARKERS[n % len(MARKERS)],
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{_c(x_at(i))} {_c(y_at(v))}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                body.append(
                    f'<path class="series series-{n}" d="M{"L".join(seg)}" fill="none"'
                    f' stroke="{colour}" stroke-width="2"{dash_attr}/>'
                )
        for i, v in enumerate(values):
            if v is not None:
                tip = f"{s.name} {labels[i]}: {fmt(v)}{unit}"
                body.append(_marker(kind, x_at(i), y_at(v), colour, tip))
        points = ", ".join(
            f"{labels[i]} {fmt(v)}{unit}" for i, v in enumerate(values) if v is not None
        )
        summary.append(f"{s.name}: {points}")
    # legend: three entries a row, each a line sample with its dash and marker
    per_row, y0 = 3, bottom + 40
    col_w = (WIDTH - 16) / per_row
    for n, s in enumerate(series):
        x = 8 + (n % per_row) * col_w
        y = y0 + (n // per_row) * 20
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(_line(x, y, x + 30, y, colour, f'stroke-width="2"{dash_attr}'))
        body.append(_marker(MARKERS[n % len(MARKERS)], x + 15, y, colour, s.name))
        body.append(_text(x + 36, y + 4, s.name, class_="legend"))
    height = y0 + math.ceil(len(series) / per_row) * 20
    uid = _uid("line", title, labels, summary)
    return _frame(uid, height, title, "; ".join(summary), body)


# --- horizontal bars ---------------------------------------------------------------------


def _hbars(
    uid: str,
    rows: Sequence[tuple[str, float, float | None, str, bool]],
    unit: str,
) -> tuple[list[str], float]:
    """Horizontal bars: (label, value, outline-or-None, end text, highlighted) per row."""
    values = [r[1] for r in rows] + [r[2] for r in rows if r[2] is not None]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    t_lo, t_hi = float(ticks[0]), float(ticks[-1])
    label_w = min(max(_text_width(r[0]) for r in rows) + 12, WIDTH * 0.4)
    end_w = max(_text_width(r[3]) for r in rows) + 10
    left, right, top, row_h = label_w + 8, WIDTH - end_w - 8, 36.0, 28.0
    if right - left < 80:
        right = left + 80

    def x_at(v: float) -> float:
        return left + (v - t_lo) / (t_hi - t_lo) * (right - left)

    body: list[str] = [_hatch(uid)]
    bottom = top + row_h * len(rows)
    for t in ticks:
        x = x_at(float(t))
        body.append(_line(x, top, x, bottom, GRID))
        body.append(_text(x, bottom + 16, _fmt_tick(t), text_anchor="middle", class_="tick"))
    if unit:
        body.append(_text(right, bottom + 32, unit, text_anchor="end", font_size="11"))
    zero = x_at(0.0)
    for i, (label, value, outline, end_text, high) in enumerate(rows):
        y = top + i * row_h + 5
        h = row_h - 10
        if outline is not None:
            x1, x2 = sorted((zero, x_at(outline)))
            body.append(
                f'<rect class="weight" x="{_c(x1)}" y="{_c(y)}" width="{_c(x2 - x1)}"'
                f' height="{_c(h)}" fill="#ffffff" stroke="{INK}" stroke-width="1"'
                f' stroke-dasharray="3 2"/>'
            )
        x1, x2 = sorted((zero, x_at(value)))
        fill = f"url(#{uid}-hatch)" if high else FILL
        stroke = f' stroke="{INK}" stroke-width="{3 if high else 1}"'
        extra = ' data-highlight="true"' if high else ""
        body.append(
            f'<rect class="bar" x="{_c(x1)}" y="{_c(y)}" width="{_c(x2 - x1)}"'
            f' height="{_c(h)}" fill="{fill}"{stroke} data-value="{fmt(value)}"{extra}>'
            f"<title>{_esc(label)}: {_esc(end_text)}</title></rect>"
        )
        shown = label if _text_width(label) <= label_w - 8 else _shorten(label, label_w - 8)
        weight = {"font_weight": "bold"} if high else {}
        shown = ("▶ " if high else "") + shown
        body.append(_text(left - 8, y + h / 2 + 4, shown, text_anchor="end", **weight))
        body.append(_text(max(x2, zero) + 6, y + h / 2 + 4, end_text, class_="value", **weight))
    return body, bottom + (40 if unit else 26)


def _shorten(text: str, width: float) -> str:
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def bar_chart(
    items: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    highlight: str | None = None,
    empty: str | None = None,
) -> str:
    """A ranking as horizontal bars, labels at left, value at the end of each bar."""
    rows = [
        (
            item.label,
            v,
            None,
            f"{fmt(v)}{unit}",
            highlight is not None and (item.key or item.label) == highlight,
        )
        for item in items
        if (v := _clean(item.value)) is not None
    ]
    if not rows:
        return _empty(title, empty)
    uid = _uid("bar", title, rows)
    body, height = _hbars(uid, rows, unit)
    desc = "; ".join(f"{i}. {r[0]}: {r[3]}" for i, r in enumerate(rows, start=1))
    return _frame(uid, height, title, desc, body)


def breakdown_chart(
    parts: Sequence[Part],
    *,
    title: str,
    total_label: str,
    empty: str | None = None,
) -> str:
    """A score breakdown: per indicator a filled bar (points) inside a dashed outline (weight)."""
    rows = []
    for part in parts:
        points, weight = _clean(part.points), _clean(part.weight)
        if points is None or weight is None:
            continue
        rows.append((part.label, points, weight, f"{fmt(points)} / {fmt(weight)}", False))
    if not rows:
        return _empty(title, empty)
    uid = _uid("breakdown", title, total_label, rows)
    body, height = _hbars(uid, rows, "")
    total = f"{total_label} {fmt(sum(r[1] for r in rows))} / {fmt(sum(r[2] for r in rows))}"
    body.append(_text(8, height + 12, total, font_weight="bold", class_="total"))
    desc = "; ".join(f"{r[0]}: {r[3]}" for r in rows) + f"; {total}"
    return _frame(uid, height + 22, title, desc, body)


# --- distribution ------------------------------------------------------------------------


def histogram(
    values: Sequence[Number],
    *,
    title: str,
    bins: int = 10,
    marker: Number | None = None,
    marker_label: str = "",
    empty: str | None = None,
) -> str:
    """How many scores fall into each of ``bins`` equal ranges; ``marker`` shows one score."""
    data = [v for v in (_clean(x) for x in values) if v is not None]
    if not data:
        return _empty(title, empty)
    bins = max(1, min(int(bins), 50))
    mark = _clean(marker)
    span = [*data, *([mark] if mark is not None else [])]
    ticks = nice_ticks(min(span), max(span), bins)
    t_lo, t_hi = float(ticks[0]), float(ticks[-1])
    edges = [ticks[0] + (ticks[-1] - ticks[0]) * i / bins for i in range(bins + 1)]
    width = (t_hi - t_lo) / bins
    counts = [0] * bins
    for v in data:
        counts[min(bins - 1, max(0, int((v - t_lo) / width)))] += 1
    y_ticks = nice_ticks(0, max(counts), 4, integer=True)
    c_hi = float(y_ticks[-1])
    tick_w = max(_text_width(_fmt_tick(t)) for t in y_ticks)
    left, right, top, plot_h = 14 + tick_w, WIDTH - 16, 52.0, 180.0
    bottom = top + plot_h
    bin_w = (right - left) / bins

    def y_at(count: float) -> float:
        return bottom - count / c_hi * plot_h

    body = []
    for t in y_ticks:
        y = y_at(float(t))
        body.append(_line(left, y, right, y, GRID))
        body.append(_text(left - 6, y + 4, _fmt_tick(t), text_anchor="end", class_="tick"))
    summary = []
    for i, count in enumerate(counts):
        x, y = left + i * bin_w, y_at(count)
        low, high = _fmt_cent(edges[i]), _fmt_cent(edges[i + 1])
        summary.append(f"{low}–{high}: {count}")
        body.append(
            f'<rect class="bin" x="{_c(x + 1)}" y="{_c(y)}" width="{_c(bin_w - 2)}"'
            f' height="{_c(bottom - y)}" fill="{FILL}" stroke="{INK}" stroke-width="1"'
            f' data-count="{count}"><title>{_esc(low)}–{_esc(high)}: {count}</title></rect>'
        )
        if count:
            body.append(
                _text(x + bin_w / 2, y - 4, str(count), text_anchor="middle", font_size="11")
            )
    every = max(1, math.ceil((max(_text_width(_fmt_cent(e), 11) for e in edges) + 6) / bin_w))
    for i, edge in enumerate(edges):
        if i % every == 0:
            x = left + i * bin_w
            body.append(
                _text(x, bottom + 16, _fmt_cent(edge), text_anchor="middle", font_size="11")
            )
    body.append(_line(left, bottom, right, bottom, INK))
    desc = "; ".join(summary)
    if mark is not None:
        x = left + (mark - t_lo) / (t_hi - t_lo) * (right - left)
        text = f"{marker_label} {fmt(mark)}".strip()
        anchor = "start" if x < (left + right) / 2 else "end"
        dashed = 'class="marker" stroke-width="2.5" stroke-dasharray="6 3"'
        body.append(_line(x, top - 12, x, bottom, INK, dashed))
        x += 4 if anchor == "start" else -4
        body.append(_text(x, top - 14, text, text_anchor=anchor, font_weight="bold"))
        desc += f"; {text}"
    uid = _uid("hist", title, summary, mark)
    return _frame(uid, bottom + 28, title, desc, body)
