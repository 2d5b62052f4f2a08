"""The bulletin as an A4 PDF (WeasyPrint: Pango lays out the Chinese text, the CJK font from
Debian's ``fonts-noto-cjk`` is embedded as a subset).

An HTML document from the template ``assessment/bulletins/bulletin.html`` and the stylesheet
``bulletin.css`` beside this module: the title, the publication's SHA-256 and how to check
it, then per peer group the ranking table (its header repeated on every page), the red and
black lists with their reasons, a ranking bar chart and the distribution of the totals
(inline SVG from ``common.charts``, with the CJK font named). Page header and "第 N 页 共 M
页" in the page margins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from grassroots.assessment.bulletins.content import BulletinContent, GroupSection, column_headers
from grassroots.common import charts

PDF_TYPE: Final = "application/pdf"
CSS_PATH: Final = Path(__file__).with_name("bulletin.css")
#: The font every text of the bulletin is set in (Debian: fonts-noto-cjk).
FONT: Final = '"Noto Sans CJK SC", "Noto Sans CJK", "WenQuanYi Micro Hei", sans-serif'
#: A peer group with more units than this gets two bar charts (its best and its last
#: ``CHART_EDGE`` units) instead of one bar per unit: a bar chart must fit on a page.
CHART_ALL: Final = 25
CHART_EDGE: Final = 12

Progress = Callable[[int], None]


def _svg(svg: str) -> SafeString:
    """A chart for the PDF: its text in the CJK font (the charts say ``sans-serif``, which
    fontconfig may resolve to a font without Chinese)."""
    svg = svg.replace('font-family="sans-serif"', f"font-family='{FONT}'", 1)
    return mark_safe(svg)  # noqa: S308  (charts escape every text they are given)


def group_charts(group: GroupSection) -> list[SafeString]:
    """The ranking bar chart(s) and the distribution of a peer group's totals."""
    bars = [charts.Bar(label=row.name, value=row.total, key=row.code) for row in group.rows]
    found: list[SafeString] = []
    if len(bars) <= CHART_ALL:
        title = _("Ranking: %(group)s") % {"group": group.label}
        found.append(_svg(charts.bar_chart(bars, title=title)))
    else:
        best = _("Ranking: %(group)s, the best %(n)s") % {"group": group.label, "n": CHART_EDGE}
        last = _("Ranking: %(group)s, the last %(n)s") % {"group": group.label, "n": CHART_EDGE}
        found.append(_svg(charts.bar_chart(bars[:CHART_EDGE], title=best)))
        found.append(_svg(charts.bar_chart(bars[-CHART_EDGE:], title=last)))
    bins = max(4, min(12, len(bars) // 3 or 1))
    title = _("Distribution of the totals: %(group)s") % {"group": group.label}
    found.append(_svg(charts.histogram([b.value for b in bars], title=title, bins=bins)))
    return found


def _page_counter() -> str:
    """The CSS ``content`` of the page footer: 第 N 页 共 M 页 from the translated words."""
    words = _("Page %(page)s of %(pages)s")
    pieces = re.split(r"(%\((?:page|pages)\)s)", words)
    parts = []
    for piece in pieces:
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            escaped = piece.replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{escaped}"')
    return " ".join(parts)


def bulletin_html(content: BulletinContent, progress: Progress | None = None) -> str:
    """The bulletin as one HTML document (progress: 10–40 % while the groups are drawn)."""
    sections = []
    total = max(1, len(content.groups))
    for number, group in enumerate(content.groups, start=1):
        sections.append({"group": group, "charts": group_charts(group)})
        if progress is not None:
            progress(10 + 30 * number // total)
    return render_to_string(
        "assessment/bulletins/bulletin.html",
        {
            "b": content,
            "sections": sections,
            "headers": column_headers(content),
        },
    )


def _stylesheet(content: BulletinContent) -> str:
    css = CSS_PATH.read_text(encoding="utf-8")
    header = content.title.replace("\\", "\\\\").replace('"', '\\"')
    return (
        css.replace("__FONT__", FONT)
        .replace("__PAGE_COUNTER__", _page_counter())
        .replace("__HEADER__", f'"{header}"')
    )


def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's ``HTML`` and ``CSS``. Importing it switches on Pillow's global
    ``LOAD_TRUNCATED_IMAGES``, which would let a truncated photo pass the upload checks of
    every other part of the process: the flag is put back (bulletins hold no raster image)."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import CSS, HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML, CSS


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A bulletin is self-contained (inline SVG, a CSS string, system fonts): any URL in it
    is refused rather than fetched, so no file or address is ever read while rendering."""
    raise ValueError(f"bulletins fetch nothing: {url[:80]}")


def content_pdf(content: BulletinContent, progress: Progress | None = None) -> bytes:
    """The PDF bytes of a bulletin (``progress`` receives 10 … 95 as the work advances)."""
    html_class, css_class = _weasyprint()

    html = bulletin_html(content, progress)
    document = html_class(string=html, url_fetcher=_no_fetching).render(
        stylesheets=[css_class(string=_stylesheet(content))]
    )
    if progress is not None:
        progress(85)
    data: bytes = document.write_pdf()
    if progress is not None:
        progress(95)
    return data


__all__ = ["PDF_TYPE", "bulletin_html", "content_pdf", "group_charts"]
