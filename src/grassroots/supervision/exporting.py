"""Spreadsheets of target supervision (xlsxwriter, in memory): a task tree with its
progress (``export_tree``), any list of tasks (``export_tasks``) and the empty import
sheet with its headers and one example row (``template_workbook``), for the pages to
send as downloads.

Progress columns: the verified value and percent (only verified progress counts), the
plan line today (``progress.plan_percent``), the display status, the deadline and the
last progress report (its day and whether it was verified, returned or is waiting).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.workbooks import XLSX_TYPE, TemplateColumn, import_template, safe_text
from grassroots.supervision.importing.columns import COLUMNS, KIND_NAMES, LEVEL_NAMES
from grassroots.supervision.models import ProgressReport, Task, TaskKind, TaskLevel
from grassroots.supervision.queries import plan_of, status_of
from grassroots.supervision.states import ReportState, TaskState


def _last_reports(task_ids: list[int]) -> dict[int, ProgressReport]:
    last: dict[int, ProgressReport] = {}
    for report in ProgressReport.objects.filter(task_id__in=task_ids).order_by(
        "task_id", "submitted_at", "id"
    ):
        last[report.task_id] = report
    return last


def _report_text(report: ProgressReport | None) -> str:
    if report is None:
        return ""
    day = timezone.localtime(report.submitted_at).date().isoformat()
    shown = f"{report.value.normalize():f}" if report.value is not None else f"{report.percent}%"
    return f"{day} {shown}（{ReportState(report.state).label}）"


def _write(tasks: list[Task], title: str, today: dt.date, *, indent: bool) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31] or "tasks")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": "#,##0.####"})
    percent = book.add_format({"num_format": "0.00"})
    headers = [
        _("Task"),
        _("Document number"),
        _("Type"),
        _("Supervision level"),
        _("Responsible unit"),
        _("Issuing unit"),
        _("Target"),
        _("Unit of measure"),
        _("Verified value"),
        _("Verified progress (%)"),
        _("Plan (%)"),
        _("Status"),
        _("Start date"),
        _("Deadline"),
        _("Last progress report"),
    ]
    widths = [40, 20, 10, 10, 22, 22, 12, 10, 12, 12, 10, 10, 12, 12, 30]
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write(0, col, header, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 1)
    last = _last_reports([t.pk for t in tasks])
    top = min((t.depth for t in tasks), default=0)
    for row, task in enumerate(tasks, start=1):
        name = safe_text(task.title)
        if indent:
            name = "　" * (task.depth - top) + name
        sheet.write_string(row, 0, name)
        if task.doc_number:
            sheet.write_string(row, 1, safe_text(task.doc_number))
        sheet.write_string(row, 2, KIND_NAMES.get(TaskKind(task.kind), task.kind))
        sheet.write_string(row, 3, LEVEL_NAMES.get(TaskLevel(task.level), task.level))
        sheet.write_string(row, 4, task.unit.name)
        sheet.write_string(row, 5, task.issuer.name)
        if task.target_value is not None:
            sheet.write_number(row, 6, float(task.target_value), number)
        if task.target_measure:
            sheet.write_string(row, 7, safe_text(task.target_measure))
        if task.verified_value is not None:
            sheet.write_number(row, 8, float(task.verified_value), number)
        sheet.write_number(row, 9, float(task.verified_percent), percent)
        if task.state == TaskState.OPEN:
            sheet.write_number(row, 10, float(plan_of(task, today)), percent)
        sheet.write_string(row, 11, str(status_of(task, today).label))
        sheet.write_datetime(row, 12, dt.datetime.combine(task.start_date, dt.time()), date)
        sheet.write_datetime(row, 13, dt.datetime.combine(task.deadline, dt.time()), date)
        report = _report_text(last.get(task.pk))
        if report:
            sheet.write_string(row, 14, report)
    sheet.autofilter(0, 0, max(len(tasks), 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()


def export_tree(task: Task, today: dt.date | None = None) -> bytes:
    """The task's whole tree (its ancestors, itself and every task below it, depth-first,
    names indented by depth) with progress, as an .xlsx file."""
    tasks = list(Task.objects.tree_of(task).select_related("unit", "issuer"))
    return _write(tasks, task.title, today or timezone.localdate(), indent=True)


def export_tasks(queryset: QuerySet[Task] | Iterable[Task], today: dt.date | None = None) -> bytes:
    """The given tasks (already filtered to what the user may see) with progress, in
    the queryset's order, as an .xlsx file."""
    if isinstance(queryset, QuerySet):
        tasks = list(queryset.select_related("unit", "issuer"))
    else:
        tasks = list(queryset)
    return _write(tasks, _("Supervised tasks"), today or timezone.localdate(), indent=False)


#: The example row of the template: a township's share of a city task.
EXAMPLE: Final[dict[str, Any]] = {
    "number": "1",
    "parent": "",
    "title": "新增村集体经济收入",
    "doc_number": "西委办〔2026〕12号",
    "kind": "重点任务",
    "level": "重点",
    "unit": "513401",
    "co_units": "西昌市住房和城乡建设局",
    "start_date": dt.date(2026, 1, 1),
    "deadline": dt.date(2026, 12, 31),
    "target_value": Decimal(500),
    "target_measure": "万元",
    "milestones": "完成摸底@2026-03-31;完成过半@2026-06-30",
    "budget": "",
    "location": "",
    "beneficiaries": "",
    "description": "各乡镇按户数分解",
}


def template_workbook() -> bytes:
    """The import sheet: the headers of ``importing.COLUMNS`` (required ones marked with
    ``*``, which the import ignores) and one example row, plus a sheet explaining them."""
    return import_template(
        "任务清单",
        [
            TemplateColumn(
                header=column.headers[0] + ("*" if column.required else ""),
                width=24 if column.key in ("title", "milestones") else 14,
                example=EXAMPLE[column.key],
            )
            for column in COLUMNS
        ],
        _NOTES,
    )


_NOTES: Final = (
    ("列", "说明"),
    ("编号*", "本表内唯一，下级行的“上级编号”填它"),
    ("上级编号", "上级任务所在行的编号；一级任务留空。下级行即上级任务的分解任务"),
    ("任务名称", "一级任务必填；下级留空则沿用上级"),
    ("类型", "重点任务、民生工程或专项行动；下级与上级相同，可留空"),
    ("督办等级", "一般、重点或挂牌督办（默认一般）"),
    ("责任单位*", "单位编码或全称；下级须为上级责任单位的直属下级（乡镇、村或社区）"),
    ("配合单位", "编码或全称，用“、”或“,”分隔"),
    ("开始日期", "一级任务默认今天；下级沿用上级"),
    ("完成时限*", "日期，如 2026-12-31；下级不得晚于上级"),
    ("目标值", "正数，最多四位小数；上级有目标值时各下级必填，合计不得超过上级"),
    ("计量单位", "如 万元、处、个；下级沿用上级"),
    ("里程碑", "名称@日期，多个用“;”分隔，如 完成立项@2026-03-31;开工@2026-05-01"),
    ("预算(万元)、地点、受益人数", "仅民生工程填写"),
)

__all__ = [
    "XLSX_TYPE",
    "export_tasks",
    "export_tree",
    "template_workbook",
]
