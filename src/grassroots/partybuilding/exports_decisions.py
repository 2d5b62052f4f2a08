"""The decision log as an Excel workbook (the log as the page filters it)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, Final

from grassroots.common.workbooks import safe_text
from grassroots.partybuilding.queries_decisions import LogRow, votes_text

HEADERS: Final = [
    "事项类别",
    "记录",
    "事项",
    "单位",
    "实施日期",
    "金额(元)",
    "需经决议",
    "状态",
    "决议编号",
    "决议标题",
    "决议日期",
    "表决情况",
    "链接",
]


def log_values(row: LogRow, site: str) -> list[Any]:
    d = row.decision
    resolution = row.resolution
    return [
        row.matter_label,
        d.reference,
        d.title,
        row.unit_name,
        d.acted_on,
        d.amount,
        row.required,
        row.status_label,
        resolution.number if resolution else "",
        resolution.title if resolution else "",
        resolution.decided_on if resolution else None,
        votes_text(resolution) if resolution else "",
        f"{site}{d.url}" if d.url else "",
    ]


def log_workbook(rows: Sequence[LogRow], site: str) -> bytes:
    """One sheet 决策台账: bold headers, text through ``safe_text``, dates as dates."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("决策台账")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(log_values(row, site)):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(r, col, "是" if value else "否")
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
                sheet.write_number(r, col, float(value), money)
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
