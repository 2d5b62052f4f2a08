"""The cases as a workbook (监督事项台账), the columns the discipline offices keep; ID and
mobile numbers typed into the texts masked."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, Final

from grassroots.common.workbooks import safe_text
from grassroots.oversight.masking import mask_text
from grassroots.oversight.models import Case
from grassroots.oversight.states import CaseCategory, CaseSource, CaseStatus

SHEET: Final = "监督事项台账"
HEADERS: Final = (
    ("编号", 16),
    ("村(社区)", 14),
    ("监督事项", 30),
    ("类别", 12),
    ("来源", 14),
    ("涉及记录", 22),
    ("发现问题", 40),
    ("整改要求", 40),
    ("整改期限", 12),
    ("整改情况", 40),
    ("办结结论", 40),
    ("状态", 10),
    ("立案日期", 12),
    ("办结日期", 12),
    ("按期办结", 10),
    ("已逾期", 8),
    ("立案人", 12),
)
#: Chinese names whatever the request's language (the sheet is the office's ledger).
CATEGORY: Final = {
    CaseCategory.FINANCE: "村务财务",
    CaseCategory.PROJECT: "工程项目",
    CaseCategory.DECISION: "决策程序",
    CaseCategory.LAND: "土地资源",
    CaseCategory.WELFARE: "惠民资金",
    CaseCategory.CONDUCT: "干部作风",
    CaseCategory.OTHER: "其他",
}
SOURCE: Final = {
    CaseSource.INSPECTION: "日常监督",
    CaseSource.COMPLAINT: "群众反映",
    CaseSource.FLAGGED: "决策程序缺失",
    CaseSource.AUDIT: "操作记录",
}
STATUS: Final = {
    CaseStatus.OPEN: "已立案",
    CaseStatus.RECTIFYING: "整改中",
    CaseStatus.RESPONDED: "已反馈",
    CaseStatus.CLOSED: "已办结",
    CaseStatus.DISMISSED: "已撤销",
}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def row_values(case: Case, today: dt.date) -> list[Any]:
    opener = case.opened_by
    return [
        case.number,
        case.unit.name,
        mask_text(case.matter),
        CATEGORY.get(CaseCategory(case.category), case.category),
        SOURCE.get(CaseSource(case.source), case.source),
        case.reference,
        mask_text(case.findings),
        mask_text(case.request),
        case.deadline,
        mask_text(case.response),
        mask_text(case.conclusion),
        STATUS.get(CaseStatus(case.status), case.status),
        case.opened_on,
        case.closed_on,
        _yes_no(case.closed_on_time),
        _yes_no(case.overdue_on(today)) if case.deadline else "",
        opener.display_name if opener else "",
    ]


def export_workbook(cases: Sequence[Case], today: dt.date) -> bytes:
    """The cases (villages and openers joined) one per row, a frozen bold header."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(SHEET)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, (header, width) in enumerate(HEADERS):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width, wrap if width >= 30 else None)
    sheet.freeze_panes(1, 1)
    for r, case in enumerate(cases, start=1):
        for col, value in enumerate(row_values(case, today)):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    sheet.autofilter(0, 0, max(len(cases), 1), len(HEADERS) - 1)
    book.close()
    return buffer.getvalue()
