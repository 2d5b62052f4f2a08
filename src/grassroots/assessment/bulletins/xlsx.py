"""The bulletin as an Excel workbook (xlsxwriter, in memory): one sheet per peer group.

Each sheet: the bulletin's title and the publication's SHA-256 on top, then the ranking
(rank, unit code, unit, total, grade, list with its reason, reward, training places for a
year) with the header frozen together with the unit columns, widths set for Chinese text,
an autofilter, and a print setup (A4 landscape, one page wide, header row repeated). Plain
values only: no formulas, and text that a spreadsheet would take for one is quoted.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, Final

from django.utils.translation import gettext as _

from grassroots.assessment.bulletins.content import BulletinContent, GroupSection, column_headers
from grassroots.assessment.exporting import sheet_title
from grassroots.common.workbooks import XLSX_TYPE, safe_text

#: Rows above the table: the title, the SHA-256 line; the header is the next row.
HEADER_ROW: Final = 2
#: Column widths (characters; a Chinese character counts about two).
WIDTHS: Final = [7, 16, 22, 10, 8, 52, 14, 12]

Progress = Callable[[int], None]


def _list_text(group: GroupSection) -> dict[str, str]:
    """The list column per unit code: 红榜（reason）."""
    found: dict[str, str] = {}
    for label, entries in ((_("Red list"), group.red), (_("Black list"), group.black)):
        for entry in entries:
            found[entry.code] = f"{label}（{entry.reason}）"
    return found


def _sheet(
    book: Any,
    formats: dict[str, Any],
    content: BulletinContent,
    group: GroupSection,
    taken: set[str],
) -> None:
    sheet = book.add_worksheet(sheet_title(group.key or _("Results"), taken))
    heads = column_headers(content)
    last = len(heads) - 1
    sheet.merge_range(
        0, 0, 0, last, safe_text(f"{content.title} · {group.label}"), formats["title"]
    )
    sheet.set_row(0, 30)
    sheet.merge_range(
        1,
        0,
        1,
        last,
        safe_text(
            _("SHA-256 of the publication: %(sha)s · period %(period)s, version %(version)s")
            % {"sha": content.sha256, "period": content.period, "version": content.version}
        ),
        formats["note"],
    )
    for col, text in enumerate(heads):
        sheet.write_string(HEADER_ROW, col, safe_text(text), formats["head"])
        sheet.set_column(col, col, WIDTHS[col] if col < len(WIDTHS) else 12)
    sheet.set_row(HEADER_ROW, 32)
    sheet.freeze_panes(HEADER_ROW + 1, 3)
    lists = _list_text(group)
    for offset, row in enumerate(group.rows, start=1):
        r = HEADER_ROW + offset
        if row.rank_label.isdecimal():
            sheet.write_number(r, 0, row.rank, formats["center"])
        else:
            sheet.write_string(r, 0, row.rank_label, formats["center"])
        sheet.write_string(r, 1, safe_text(row.code))
        sheet.write_string(r, 2, safe_text(row.name))
        sheet.write_number(r, 3, float(row.total), formats["points"])
        sheet.write_string(r, 4, row.grade, formats["center"])
        text = lists.get(row.code, row.list_label)
        if row.vetoed and not text:
            text = _("Vetoed")
        sheet.write_string(r, 5, safe_text(text), formats["wrap"])
        sheet.write_number(r, 6, row.reward_fen / 100, formats["money"])
        if content.show_training:
            sheet.write_number(r, 7, row.training_places)
    end = HEADER_ROW + len(group.rows)
    if group.rows:
        sheet.autofilter(HEADER_ROW, 0, end, last)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_footer(_("&CPage &P of &N"))


def content_xlsx(content: BulletinContent, progress: Progress | None = None) -> bytes:
    """The workbook's bytes (``progress`` receives 10 … 95, one step per peer group)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": content.title,
            "subject": content.scheme_name,
            "comments": f"SHA-256 {content.sha256}",
            "keywords": content.sha256,
        }
    )
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14, "valign": "vcenter"}),
        "note": book.add_format({"font_color": "#444444"}),
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "center": book.add_format({"align": "center"}),
        "points": book.add_format({"num_format": "0.00"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    taken: set[str] = set()
    groups = content.groups or [GroupSection("", _("Results"), [], [], [], [], None, None, None, 0)]
    for number, group in enumerate(groups, start=1):
        _sheet(book, formats, content, group, taken)
        if progress is not None:
            progress(10 + 85 * number // len(groups))
    book.close()
    return buffer.getvalue()


__all__ = ["XLSX_TYPE", "content_xlsx"]
