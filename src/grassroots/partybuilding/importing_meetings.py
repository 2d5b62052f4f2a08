"""Excel import and export of the meeting ledger (会议台账), all or nothing.

One held meeting a row: ``单位编码`` (or ``单位名称``, unique among the units the importer
records for), ``会议类型`` (its Chinese name, e.g. 党建月会), ``所属月份`` (2026-10 or
2026年10月), ``召开日期`` (not in the future), ``应到人数``, ``实到人数`` (1 to 应到) and
``会议主题`` (empty: named after the unit, month and kind). Each row goes through
``actions.meetings.record_from_ledger``; every problem of the file is listed by line and
column, and nothing is written while there is one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column, SheetChecker, as_path, check_rows
from grassroots.common.tabular import FileUnreadable, ImportRefused, RowError, open_table
from grassroots.common.workbooks import TemplateColumn, import_template
from grassroots.org.models import Unit, UnitKind
from grassroots.partybuilding.actions.meetings import record_from_ledger
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.states import MeetingKind, MeetingStatus
from grassroots.registers.importing.ledger import parse_date, unquoted
from grassroots.registers.importing.windows import rows_workbook

if TYPE_CHECKING:
    from grassroots.org.models import User
    from grassroots.partybuilding.models import Meeting

COLUMNS: Final = (
    Column("unit", ("单位编码", "单位代码", "村(社区)编码")),
    Column("unit_name", ("单位名称", "单位", "村(社区)")),
    Column("kind", ("会议类型", "类型"), required=True),
    Column("period", ("所属月份", "月份"), required=True),
    Column("held_on", ("召开日期", "日期"), required=True),
    Column("expected", ("应到人数", "应到"), required=True),
    Column("present", ("实到人数", "实到"), required=True),
    Column("title", ("会议主题", "主题", "会议名称")),
)
HEADERS: Final = [c.headers[0] for c in COLUMNS]
#: The export's columns after the import's (ignored when imported back).
EXPORT_HEADERS: Final = [*HEADERS, "状态", "计划日期", "地点", "主持人", "决议数", "会议记录"]
#: Where an action's field is shown.
FIELD_COLUMNS: Final = {
    "unit": "unit",
    "kind": "kind",
    "period": "period",
    "held_on": "held_on",
    "expected": "expected",
    "present": "present",
    "title": "title",
}
KIND_NAMES: Final = {
    "党建月会": MeetingKind.PARTY_MONTHLY,
    "党委会": MeetingKind.COMMITTEE,
    "支部主题党日": MeetingKind.THEME_DAY,
    "主题党日": MeetingKind.THEME_DAY,
    "村民(代表)大会": MeetingKind.VILLAGERS,
    "村民代表大会": MeetingKind.VILLAGERS,
    "村民大会": MeetingKind.VILLAGERS,
    "监督委员会会议": MeetingKind.OVERSIGHT,
    "监委会会议": MeetingKind.OVERSIGHT,
}
KIND_LABELS: Final[dict[str, str]] = {
    MeetingKind.PARTY_MONTHLY: "党建月会",
    MeetingKind.COMMITTEE: "党委会",
    MeetingKind.THEME_DAY: "支部主题党日",
    MeetingKind.VILLAGERS: "村民(代表)大会",
    MeetingKind.OVERSIGHT: "监督委员会会议",
}
STATUS_LABELS: Final[dict[str, str]] = {
    MeetingStatus.PLANNED: "计划",
    MeetingStatus.HELD: "已召开",
    MeetingStatus.CANCELLED: "已取消",
}
_MONTH: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
ROWS_MAX: Final = 5000


@dataclass(slots=True)
class ImportSummary:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)


def kind_key(text: str) -> str | None:
    plain = text.replace("（", "(").replace("）", ")").replace(" ", "")
    if plain in MeetingKind.values:
        return plain
    return KIND_NAMES.get(plain)


def month_text(value: object) -> str | None:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    match = _MONTH.match(unquoted(str(value or "")).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


class MeetingSheet(SheetChecker):
    def __init__(self, header: list[str], actor: User) -> None:
        super().__init__(header, COLUMNS, {c.key: c.headers[0] for c in COLUMNS})
        self.actor = actor
        self.rows: list[tuple[int, dict[str, Any]]] = []
        if "unit" not in self.at and "unit_name" not in self.at:
            self.missing(("单位编码", "单位名称"))

    def read(self, line: int, values: list[Any], found: int) -> None:
        if len(self.rows) >= ROWS_MAX:
            if len(self.rows) == ROWS_MAX:
                self.error(line, "", _("At most %(n)d rows a file.") % {"n": ROWS_MAX})
                self.rows.append((line, {}))
            return
        if found > len(values):
            self.error(line, "", _("The row has more cells than the header."))
        data: dict[str, Any] = {
            "unit": unquoted(self.text(values, "unit", line, 32)),
            "unit_name": unquoted(self.text(values, "unit_name", line, 100)),
            "title": unquoted(self.text(values, "title", line, 200)),
            "expected": unquoted(self.text(values, "expected", line, 9)),
            "present": unquoted(self.text(values, "present", line, 9)),
        }
        if not data["unit"] and not data["unit_name"]:
            self.error(
                line, self.column("unit" if "unit" in self.at else "unit_name"), _("Give the unit.")
            )
        kind_text = unquoted(self.text(values, "kind", line, 32))
        data["kind"] = kind_key(kind_text)
        if data["kind"] is None:
            self.error(
                line,
                self.column("kind"),
                _("Unknown kind “%(text)s”: use one of %(kinds)s.")
                % {"text": kind_text, "kinds": "、".join(KIND_LABELS.values())},
            )
        data["period"] = month_text(self.cell(values, "period"))
        if data["period"] is None:
            self.error(line, self.column("period"), _("Enter a month as YYYY-MM, e.g. 2026-10."))
        held = self.cell(values, "held_on")
        data["held_on"] = parse_date(held)
        if data["held_on"] is None:
            self.error(line, self.column("held_on"), _("Enter a date as YYYY-MM-DD."))
        self.rows.append((line, data))

    def units(self) -> tuple[dict[str, Unit], dict[str, list[Unit]]]:
        """The units the actor records for, by code and by name (one query)."""
        units = list(
            Unit.objects.visible_to(self.actor, RECORD)
            .filter(active=True)
            .exclude(kind__in=[UnitKind.GRID, UnitKind.DEPARTMENT])
            .defer("geometry")
        )
        by_name: dict[str, list[Unit]] = {}
        for u in units:
            by_name.setdefault(u.name, []).append(u)
        return {u.code: u for u in units}, by_name

    def apply(self) -> ImportSummary:
        by_code, by_name = self.units()
        summary = ImportSummary(file="")
        for line, data in self.rows:
            if not data:
                continue
            unit = by_code.get(data["unit"]) if data["unit"] else None
            if unit is None and not data["unit"] and data["unit_name"]:
                named = by_name.get(data["unit_name"], [])
                unit = named[0] if len(named) == 1 else None
                if len(named) > 1:
                    self.error(
                        line,
                        self.column("unit_name"),
                        _("Several of your units are called %(name)s: give the code.")
                        % {"name": data["unit_name"]},
                    )
                    continue
            if unit is None:
                column = "unit" if data["unit"] else "unit_name"
                self.error(
                    line,
                    self.column(column),
                    _("No unit of yours is %(unit)s.")
                    % {"unit": data["unit"] or data["unit_name"]},
                )
                continue
            if data["kind"] is None or data["period"] is None or data["held_on"] is None:
                continue
            try:
                with transaction.atomic():
                    outcome, _meeting = record_from_ledger(
                        actor=self.actor,
                        unit=unit,
                        kind=data["kind"],
                        period=data["period"],
                        held_on=data["held_on"],
                        expected=data["expected"],
                        present=data["present"],
                        title=data["title"],
                    )
            except PartybuildingError as exc:
                column = FIELD_COLUMNS.get(exc.field or "", "")
                self.error(line, self.column(column) if column else "", str(exc.message))
                continue
            except PermissionDenied:
                self.error(
                    line,
                    self.column("unit" if data["unit"] else "unit_name"),
                    _("Only the unit itself records its meetings."),
                )
                continue
            summary.rows += 1
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary


class _DryRun(Exception):  # noqa: N818 -- control flow: roll the checked rows back
    pass


def import_meetings(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a meeting ledger (see the module docstring); ``dry_run`` checks every row
    through the actions and writes nothing. Raises ``ImportRefused`` listing every
    problem. Audit ``partybuilding.meeting.ledger_imported`` for the file."""
    with ExitStack() as stack:
        path, name = as_path(source, stack, "会议台账.xlsx")
        try:
            table = open_table(path, stack)
        except FileUnreadable as exc:
            raise ImportRefused([RowError(0, name, str(exc))]) from exc
        sheet = MeetingSheet(table.header, actor)
        if sheet.errors:
            raise ImportRefused(sheet.errors)
        check_rows(table, sheet, name, None, 1000)
    if not sheet.rows and not sheet.errors:
        sheet.error(sheet.header_line, "", _("The file has no rows."))
    summary = ImportSummary(file=name)
    try:
        with transaction.atomic():
            applied = sheet.apply()
            if sheet.errors:
                raise ImportRefused(sheet.errors)
            summary.rows, summary.created = applied.rows, applied.created
            summary.updated, summary.unchanged = applied.updated, applied.unchanged
            summary.ignored_columns = sheet.ignored
            if dry_run:
                raise _DryRun
            record(
                "partybuilding.meeting.ledger_imported",
                None,
                actor=actor,
                after={
                    "file": name,
                    "rows": summary.rows,
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "at": timezone.now(),
                },
            )
    except _DryRun:
        summary.dry_run = True
    return summary


def meeting_rows(meetings: Iterable[Meeting]) -> Iterable[list[Any]]:
    """The export's rows, in the import's columns then the list's (no attendee's name)."""
    for m in meetings:
        yield [
            m.unit.code,
            m.unit.name,
            KIND_LABELS.get(m.kind, m.kind),
            m.period,
            m.held_on,
            m.expected_count if m.status == MeetingStatus.HELD else None,
            m.present_count if m.status == MeetingStatus.HELD else None,
            m.title,
            STATUS_LABELS.get(m.status, m.status),
            m.planned_on,
            m.location,
            m.chair,
            getattr(m, "resolution_count", 0),
            "有" if m.sha256 else "无",
        ]


def meetings_workbook(meetings: Iterable[Meeting]) -> bytes:
    return rows_workbook("会议台账", EXPORT_HEADERS, meeting_rows(meetings))


def meetings_template() -> bytes:
    columns = [
        TemplateColumn("单位编码", 16, "513401101201", text=True),
        TemplateColumn("单位名称", 12, "礼州村"),
        TemplateColumn("会议类型*", 14, "党建月会"),
        TemplateColumn("所属月份*", 10, "2026-10", text=True),
        TemplateColumn("召开日期*", 12, dt.date(2026, 10, 15)),
        TemplateColumn("应到人数*", 10, "9", text=True),
        TemplateColumn("实到人数*", 10, "8", text=True),
        TemplateColumn("会议主题", 30, "10月党建月会"),
    ]
    notes = [
        ("列", "填写说明"),
        ("单位编码/单位名称", "至少填一项; 编码优先; 只能填写本单位(您负责记录会议的单位)。"),
        ("会议类型", "党建月会、党委会、支部主题党日、村民(代表)大会、监督委员会会议。"),
        ("所属月份", "会议所属的月份, 如 2026-10; 党建月会每个单位每月一次。"),
        ("召开日期", "不能晚于今天。"),
        ("应到人数/实到人数", "整数; 实到人数 1 至应到人数。"),
        ("会议主题", "不填则按单位、月份和会议类型命名。"),
        ("说明", "整个文件先检查, 有任何一行有问题则一行也不导入。计划中的党建月会记为已召开。"),
    ]
    return import_template("会议台账", columns, notes)
