"""The coverage map of the venues: each village's boundary (``common.gridmap``) filled by its
coverage state, drawn server-side as one SVG (no script, no tiles). The page lists every
village in a table as well, so that a village without a boundary is not lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Final

from django.utils.translation import gettext as _

from grassroots.common.gridmap import build_grid_map
from grassroots.partybuilding.queries_venues import Coverage, VillageCoverage

MAP_WIDTH: Final = 640.0
MAP_MAX_HEIGHT: Final = 560.0
#: Fill of each state (green, amber, blue, light grey); the patterns below keep them
#: apart in black and white.
FILLS: Final = {
    Coverage.MEETS: "#2e7d32",
    Coverage.NOT_MEETING: "#e0a100",
    Coverage.BUILDING: "#1e6fb8",
    Coverage.NONE: "#eeeeee",
}
_PATTERN: Final = {
    Coverage.NOT_MEETING: "url(#vm-hatch)",
    Coverage.BUILDING: "url(#vm-dots)",
}


@dataclass(frozen=True)
class CoverageMap:
    svg: str
    drawn: int


def coverage_map(
    rows: list[VillageCoverage], link: Callable[[VillageCoverage], str]
) -> CoverageMap:
    """The villages of ``rows`` that have a boundary, filled by state; each links to
    ``link(row)`` (the venue list of that village)."""
    by_code = {row.unit.code: row for row in rows if row.unit.geometry}
    gmap = build_grid_map(
        ((row.unit.code, row.unit.name, row.unit.geometry) for row in by_code.values()),
        width=MAP_WIDTH,
        max_height=MAP_MAX_HEIGHT,
    )
    if gmap is None:
        return CoverageMap("", 0)
    title = _("Venue coverage of the villages")
    desc = _(
        "Villages filled by their venues: green meets the standard, amber hatched has a "
        "venue not meeting it, blue dotted a venue under construction, grey none."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{gmap.view_box}" width="100%" '
        'role="group" aria-labelledby="vm-title vm-desc" class="venue-map" '
        'font-family="sans-serif" font-size="10">',
        f'<title id="vm-title">{escape(title)}</title><desc id="vm-desc">{escape(desc)}</desc>',
        "<defs>",
        '<pattern id="vm-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0a100"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#7a5800" stroke-width="2"/></pattern>',
        '<pattern id="vm-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#1e6fb8"/>'
        '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/></pattern>',
        "</defs>",
    ]
    for shape in gmap.shapes:
        row = by_code[shape.code]
        fill = _PATTERN.get(row.state, FILLS[row.state])
        tip = f"{row.unit.name} · {row.label}"
        out.append(
            f'<a href="{escape(link(row))}" data-state="{row.state}" '
            f'data-code="{escape(shape.code)}">'
            f"<title>{escape(tip)}</title>"
            f'<path d="{escape(shape.d)}" fill="{fill}" stroke="#333333" stroke-width="0.7"/>'
            f'<text x="{shape.label_x}" y="{shape.label_y}" text-anchor="middle" '
            f'fill="#111111" stroke="#ffffff" stroke-width="2" paint-order="stroke">'
            f"{escape(row.unit.name)}</text></a>"
        )
    out.append("</svg>")
    return CoverageMap("".join(out), len(gmap.shapes))
