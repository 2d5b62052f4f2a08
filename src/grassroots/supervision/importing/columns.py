"""The columns of a task sheet and how a cell is read (dates, numbers, units)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext as _

from grassroots.common.importing import Column
from grassroots.common.tabular import (
    ImportRefused,
    cell_text,
)
from grassroots.org.models import Unit, UnitKind
from grassroots.supervision.models import QUANTITY_PLACES, TaskKind, TaskLevel

if TYPE_CHECKING:
    pass


COLUMNS: Final = (
    Column("number", ("编号", "序号", "任务编号"), required=True),
    Column("parent", ("上级编号", "上级任务编号", "父编号")),
    Column("title", ("任务名称", "任务", "名称")),
    Column("doc_number", ("文号", "文件文号")),
    Column("kind", ("类型", "任务类型")),
    Column("level", ("督办等级", "等级")),
    Column("unit", ("责任单位", "牵头单位"), required=True),
    Column("co_units", ("配合单位", "协办单位")),
    Column("start_date", ("开始日期", "开始时间")),
    Column("deadline", ("完成时限", "截止日期", "期限"), required=True),
    Column("target_value", ("目标值", "目标")),
    Column("target_measure", ("计量单位",)),
    Column("milestones", ("里程碑", "节点")),
    Column("budget", ("预算(万元)", "预算")),
    Column("location", ("地点", "建设地点")),
    Column("beneficiaries", ("受益人数", "受益对象")),
    Column("description", ("描述", "任务描述", "说明")),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}

KIND_WORDS: Final = {
    "重点任务": TaskKind.KEY_TASK,
    "民生工程": TaskKind.LIVELIHOOD,
    "民生项目": TaskKind.LIVELIHOOD,
    "专项行动": TaskKind.CAMPAIGN,
    **{v: TaskKind(v) for v in TaskKind.values},
}
LEVEL_WORDS: Final = {
    "一般": TaskLevel.NORMAL,
    "一般督办": TaskLevel.NORMAL,
    "重点": TaskLevel.KEY,
    "重点督办": TaskLevel.KEY,
    "挂牌": TaskLevel.LISTED,
    "挂牌督办": TaskLevel.LISTED,
    **{v: TaskLevel(v) for v in TaskLevel.values},
}
#: Names a kind or level is written with in the template and the export.
KIND_NAMES: Final = {TaskKind.KEY_TASK: "重点任务", TaskKind.LIVELIHOOD: "民生工程",
                     TaskKind.CAMPAIGN: "专项行动"}  # fmt: skip
LEVEL_NAMES: Final = {TaskLevel.NORMAL: "一般", TaskLevel.KEY: "重点",
                      TaskLevel.LISTED: "挂牌督办"}  # fmt: skip

_SEPARATORS: Final = re.compile(r"[、,，;；/\n]+")
_MILESTONE_SEPARATORS: Final = re.compile(r"[;；\n]+")
_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
#: Excel's day 0 (serial numbers of dates typed into a text column).
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_MAX_DIGITS: Final = 12
#: Units that never receive a share (as ``actions.cascade.NOT_SPLIT_TO``).
_NOT_SPLIT_TO: Final = (UnitKind.GRID, UnitKind.DEPARTMENT)
PROGRESS_EVERY: Final = 50


@dataclass(slots=True)
class Row:
    """One checked row: every value in the form the actions take; ``None``/empty where
    the cell was empty (a sub-task then inherits)."""

    line: int
    number: str
    parent: str
    title: str = ""
    doc_number: str = ""
    kind: str = ""
    level: str = ""
    unit_text: str = ""
    unit: Unit | None = None
    co_unit_texts: list[str] = field(default_factory=list)
    co_units: list[Unit] = field(default_factory=list)
    start_date: dt.date | None = None
    deadline: dt.date | None = None
    target_value: Decimal | None = None
    target_measure: str = ""
    milestones: list[tuple[str, dt.date]] = field(default_factory=list)
    budget: Decimal | None = None
    location: str = ""
    beneficiaries: str = ""
    description: str = ""
    children: list[Row] = field(default_factory=list)
    parent_row: Row | None = None


# --- cells -------------------------------------------------------------------------------


def parse_date(value: object) -> dt.date | None:
    """A date cell: a spreadsheet date, ``2026-03-31``, ``2026/3/31``, ``2026.3.31``,
    ``2026年3月31日``, ``20260331`` or an Excel serial number; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace(" 00:00:00", "")
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    # isdecimal, not isdigit: int() refuses digits such as ² that isdigit accepts
    if text.isdecimal() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    return None


def parse_number(value: object) -> Decimal | str:
    """A positive quantity with at most four decimal places, or the problem (a message)."""
    text = cell_text(value).replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _("Not a number: %(value)s.") % {"value": text}
    if not number.is_finite() or number <= 0:
        return _("Give a number above zero.")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > QUANTITY_PLACES:
        return _("At most %(n)d decimal places.") % {"n": QUANTITY_PLACES}
    if number >= Decimal(10) ** _MAX_DIGITS:
        return _("This number is too large.")
    return number


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Units:
    """Units by code and by exact name (one query for the whole file)."""

    def __init__(self) -> None:
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.filter(active=True).exclude(kind=UnitKind.GRID):
            self.by_code[unit.code] = unit
            self.by_name[unit.name].append(unit)

    def find(self, text: str, below: Unit | None = None) -> Unit | str:
        """The unit named by code or name, or the problem. ``below``: prefer the units
        directly below it when a name is shared."""
        unit = self.by_code.get(text)
        if unit is not None:
            return unit
        found = self.by_name.get(text, [])
        if below is not None and len(found) > 1:
            found = [u for u in found if u.parent_id == below.pk] or found
        if len(found) == 1:
            return found[0]
        if not found:
            return _("No unit with the code or name %(unit)s.") % {"unit": text}
        return _("%(count)d units are named %(unit)s; give the code.") % {
            "count": len(found),
            "unit": text,
        }


class TaskImportError(ImportRefused):
    """The task file has problems; nothing was imported (``errors``: every one)."""


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote."""

    file: str
    rows: int = 0
    roots: int = 0
    tasks: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    root_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0
