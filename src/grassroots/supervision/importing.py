"""Import of a task list with its cascade from the supervision office's spreadsheet:
``grassroots import-tasks FILE.xlsx|csv`` and ``import_tasks(path_or_file, actor=...)``.

The file (read like the event import: ``common.tabular``; CSV in UTF-8 or
GB18030, or the first sheet of an .xlsx) has one row per task or sub-task. Headers in
any order (unknown ones are ignored and listed):

- ``编号`` (or 序号, 任务编号) — required, unique in the file: the row's key;
- ``上级编号`` — the 编号 of the parent row; empty for a root task (下达). The rows below a
  row are its sub-tasks (``cascade_task``: a share of its target for a unit directly
  below its unit);
- ``任务名称`` — required for a root; a sub-task left empty inherits its parent's;
- ``文号``, ``督办等级`` (一般 / 重点 / 挂牌督办), ``描述`` — a sub-task left empty inherits;
- ``类型`` (重点任务 / 民生工程 / 专项行动) — required for a root; a sub-task has its
  parent's (empty or the same);
- ``责任单位`` — required: a unit's code or exact name (a sub-task's unit is looked up
  among the units directly below its parent's unit first);
- ``配合单位`` — codes or names separated by 、 , ， or ;;
- ``开始日期`` — a root's defaults to today; a sub-task has its parent's;
- ``完成时限`` — required; a sub-task's not after its parent's;
- ``目标值`` / ``计量单位`` — a positive number with at most four decimal places; a parent
  with a target needs one on each sub-task and their sum may not exceed it; a parent
  without one, none on its sub-tasks. The unit of measure is the parent's;
- ``里程碑`` — ``名称@日期;名称@日期`` between the start and the deadline;
- ``预算(万元)``, ``地点``, ``受益人数`` — livelihood projects (民生工程) only.

Dates: ``2026-03-31``, ``2026/3/31``, ``2026.3.31``, ``2026年3月31日``, ``20260331`` or an
Excel date.

How it runs: every row is checked first and every problem is listed as ``line N,
column: message`` (the line as Excel numbers it); one problem anywhere and nothing is
written. Then, in one transaction, the tasks are written through the actions — roots with
``create_task``, sub-tasks with ``cascade_task`` (one call per parent and deadline), the
differences of a sub-task from what it inherits with ``update_task``, its milestones with
``add_milestone`` — so that every task gets the timeline lines and audit entries the
actions write, each with a note naming the file. An action refusing (scope, a unit
deactivated meanwhile) rolls the whole file back and is reported on its line.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.tabular import (
    FileUnreadable,
    ImportRefused,
    RowError,
    cell_text,
    normalise_header,
    open_table,
)
from grassroots.org.models import Unit, UnitKind
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import QUANTITY_PLACES, Task, TaskKind, TaskLevel
from grassroots.supervision.permissions import DEPLOY

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

__all__ = [
    "COLUMNS",
    "ImportSummary",
    "RowError",
    "TaskImportError",
    "import_tasks",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the task sheet: its key, the headers it accepts (the first is the
    one the template and the messages use) and whether it must be there."""

    key: str
    headers: tuple[str, ...]
    required: bool = False


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
    if text.isdigit() and 20000 <= int(text) <= 80000:
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


# --- checking ----------------------------------------------------------------------------


class _Checker:
    """Checks the whole file; collects every problem (``errors``)."""

    def __init__(self, header: list[str], actor: User | None, today: dt.date) -> None:
        self.errors: list[RowError] = []
        self.actor = actor
        self.today = today
        self.at: dict[str, int] = {}
        self.column_names: dict[str, str] = {}
        self.ignored: list[str] = []
        wanted = {normalise_header(h): c for c in COLUMNS for h in c.headers}
        for index, name in enumerate(header):
            column = wanted.get(normalise_header(name))
            if column is None or column.key in self.at:
                if name.strip():
                    self.ignored.append(name.strip())
                continue
            self.at[column.key] = index
            self.column_names[column.key] = name.strip()
        for column in COLUMNS:
            if column.required and column.key not in self.at:
                self.error(
                    1,
                    column.headers[0],
                    _("The column is missing (accepted headers: %(headers)s).")
                    % {"headers": "、".join(column.headers)},
                )
        self.rows: list[Row] = []

    def column(self, key: str) -> str:
        return self.column_names.get(key, HEADERS[key])

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def cell(self, values: list[Any], key: str) -> Any:
        index = self.at.get(key)
        return "" if index is None else values[index]

    def text(self, values: list[Any], key: str, line: int, max_length: int) -> str:
        text = cell_text(self.cell(values, key))
        if len(text) > max_length:
            self.error(line, self.column(key), _("At most %(n)d characters.") % {"n": max_length})
            return text[:max_length]
        return text

    def date(self, values: list[Any], key: str, line: int) -> dt.date | None:
        raw = self.cell(values, key)
        if raw in ("", None):
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                line,
                self.column(key),
                _("Not a date: %(value)s (write it as 2026-12-31).") % {"value": cell_text(raw)},
            )
        return day

    def number(self, values: list[Any], key: str, line: int) -> Decimal | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            return None
        number = parse_number(raw)
        if isinstance(number, str):
            self.error(line, self.column(key), number)
            return None
        return number

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(
            line=line,
            number=self.text(values, "number", line, 32),
            parent=self.text(values, "parent", line, 32),
        )
        if not row.number:
            self.error(line, self.column("number"), _("Give the row a number."))
        row.title = self.text(values, "title", line, 200)
        row.doc_number = self.text(values, "doc_number", line, 64)
        row.description = self.text(values, "description", line, 20000)
        kind = self.text(values, "kind", line, 16)
        if kind:
            row.kind = KIND_WORDS.get(kind, "")
            if not row.kind:
                self.error(
                    line,
                    self.column("kind"),
                    _("Unknown type %(value)s (重点任务, 民生工程 or 专项行动).") % {"value": kind},
                )
        level = self.text(values, "level", line, 16)
        if level:
            row.level = LEVEL_WORDS.get(level, "")
            if not row.level:
                self.error(
                    line,
                    self.column("level"),
                    _("Unknown supervision level %(value)s (一般, 重点 or 挂牌督办).")
                    % {"value": level},
                )
        row.unit_text = self.text(values, "unit", line, 200)
        if not row.unit_text:
            self.error(line, self.column("unit"), _("Give the responsible unit."))
        co_units = self.text(values, "co_units", line, 2000)
        row.co_unit_texts = [t.strip() for t in _SEPARATORS.split(co_units) if t.strip()]
        row.start_date = self.date(values, "start_date", line)
        row.deadline = self.date(values, "deadline", line)
        if row.deadline is None and cell_text(self.cell(values, "deadline")) == "":
            self.error(line, self.column("deadline"), _("Give the deadline."))
        row.target_value = self.number(values, "target_value", line)
        row.target_measure = self.text(values, "target_measure", line, 16)
        row.budget = self.number(values, "budget", line)
        row.location = self.text(values, "location", line, 200)
        row.beneficiaries = self.text(values, "beneficiaries", line, 200)
        self._milestones(row, self.text(values, "milestones", line, 4000))
        self.rows.append(row)

    def _milestones(self, row: Row, text: str) -> None:
        for item in _MILESTONE_SEPARATORS.split(text):
            item = item.strip()
            if not item:
                continue
            title, _at, day_text = item.rpartition("@")
            if not _at:
                title, _at, day_text = item.rpartition("＠")
            day = parse_date(day_text.strip()) if _at else None
            if not title.strip() or day is None:
                self.error(
                    row.line,
                    self.column("milestones"),
                    _("Write a milestone as name@date, e.g. 完成立项@2026-03-31: %(value)s")
                    % {"value": item},
                )
                continue
            row.milestones.append((title.strip()[:200], day))

    # --- the whole file ----------------------------------------------------------------

    def link(self) -> list[Row]:
        """Join the rows into trees; the roots in file order (problems listed)."""
        by_number: dict[str, Row] = {}
        for row in self.rows:
            if not row.number:
                continue
            first = by_number.get(row.number)
            if first is not None:
                self.error(
                    row.line,
                    self.column("number"),
                    _("The number %(number)s is used on line %(line)d already.")
                    % {"number": row.number, "line": first.line},
                )
                continue
            by_number[row.number] = row
        roots: list[Row] = []
        for row in self.rows:
            if by_number.get(row.number) is not row:
                continue
            if not row.parent:
                roots.append(row)
                continue
            parent = by_number.get(row.parent)
            if parent is None or parent is row:
                self.error(
                    row.line,
                    self.column("parent"),
                    _("No row numbered %(number)s in the file.") % {"number": row.parent},
                )
                continue
            row.parent_row = parent
            parent.children.append(row)
        # Rows that are not below a root sit in a loop of parents.
        reached: set[int] = set()
        stack = list(roots)
        while stack:
            row = stack.pop()
            reached.add(row.line)
            stack.extend(row.children)
        for row in self.rows:
            if row.parent and row.parent_row is not None and row.line not in reached:
                self.error(
                    row.line,
                    self.column("parent"),
                    _("The parent numbers go round in a circle."),
                )
        return roots

    def check_tree(self, roots: list[Row], units: _Units) -> None:
        """Units, inheritance, dates and targets, parents before children."""
        existing = _existing_roots(roots)
        seen_roots: dict[tuple[str, str, int], int] = {}
        for root in roots:
            self._root(root, units)
            if root.unit is not None:
                key = (root.title, root.doc_number, root.unit.pk)
                if key in seen_roots:
                    self.error(
                        root.line,
                        self.column("title"),
                        _("The same task for the same unit is on line %(line)d already.")
                        % {"line": seen_roots[key]},
                    )
                seen_roots.setdefault(key, root.line)
                if key in existing:
                    self.error(
                        root.line,
                        self.column("title"),
                        _(
                            "This task (the same name and document number) was deployed to "
                            "%(unit)s already."
                        )
                        % {"unit": root.unit.name},
                    )
            stack = [root]
            while stack:
                row = stack.pop()
                self._common(row, units)
                self._children(row, units)
                stack.extend(reversed(row.children))

    def _root(self, row: Row, units: _Units) -> None:
        if not row.title:
            self.error(row.line, self.column("title"), _("Give the task's name."))
        if not row.kind:
            self.error(row.line, self.column("kind"), _("Give the type of the task."))
        row.level = row.level or TaskLevel.NORMAL
        row.start_date = row.start_date or self.today
        if row.unit_text:
            found = units.find(row.unit_text)
            if isinstance(found, str):
                self.error(row.line, self.column("unit"), found)
            else:
                row.unit = found
                self._issuer(row, found)

    def _issuer(self, row: Row, unit: Unit) -> None:
        from grassroots.supervision.actions._base import granting_unit_id

        actor = self.actor
        if actor is not None and actor.is_superuser:
            return
        if granting_unit_id(actor, DEPLOY, unit) is None:
            self.error(
                row.line,
                self.column("unit"),
                _("You may not deploy tasks to %(unit)s.") % {"unit": unit.name},
            )

    def _common(self, row: Row, units: _Units) -> None:
        """Checks of every row once its inherited values are known."""
        if row.unit is None:
            return
        for text in row.co_unit_texts:
            found = units.find(text)
            if isinstance(found, str):
                self.error(row.line, self.column("co_units"), found)
            elif found.pk == row.unit.pk:
                self.error(
                    row.line,
                    self.column("co_units"),
                    _("The responsible unit cannot also be a co-unit."),
                )
            elif found not in row.co_units:
                row.co_units.append(found)
        if row.start_date and row.deadline and row.deadline < row.start_date:
            self.error(
                row.line,
                self.column("deadline"),
                _("The deadline %(deadline)s is before the start date %(start)s.")
                % {"deadline": row.deadline.isoformat(), "start": row.start_date.isoformat()},
            )
        if row.start_date and row.deadline:
            for title, day in row.milestones:
                if not row.start_date <= day <= row.deadline:
                    self.error(
                        row.line,
                        self.column("milestones"),
                        _(
                            "The milestone %(title)s (%(date)s) is not between the start "
                            "date and the deadline."
                        )
                        % {"title": title, "date": day.isoformat()},
                    )
        if row.kind and row.kind != TaskKind.LIVELIHOOD:
            for key, value in (
                ("budget", row.budget),
                ("location", row.location),
                ("beneficiaries", row.beneficiaries),
            ):
                if value not in (None, ""):
                    self.error(
                        row.line,
                        self.column(key),
                        _("Budget, location and beneficiaries belong to livelihood projects."),
                    )

    def _children(self, parent: Row, units: _Units) -> None:
        if not parent.children:
            return
        taken: dict[int, int] = {}
        total = Decimal(0)
        for row in parent.children:
            self._inherit(row, parent)
            if parent.unit is None or not row.unit_text:
                continue
            found = units.find(row.unit_text, below=parent.unit)
            if isinstance(found, str):
                self.error(row.line, self.column("unit"), found)
                continue
            if found.parent_id != parent.unit.pk or found.kind in _NOT_SPLIT_TO:
                self.error(
                    row.line,
                    self.column("unit"),
                    _("%(unit)s is not directly below %(parent)s (the parent task's unit).")
                    % {"unit": found.name, "parent": parent.unit.name},
                )
                continue
            if found.pk in taken:
                self.error(
                    row.line,
                    self.column("unit"),
                    _("%(unit)s has a share of this task on line %(line)d already.")
                    % {"unit": found.name, "line": taken[found.pk]},
                )
                continue
            taken[found.pk] = row.line
            row.unit = found
            if row.target_value is not None:
                total += row.target_value
        if parent.target_value is not None and total > parent.target_value:
            self.error(
                parent.line,
                self.column("target_value"),
                _("The sub-tasks' targets add up to %(total)s, more than this target %(target)s.")
                % {"total": _num(total), "target": _num(parent.target_value)},
            )

    def _inherit(self, row: Row, parent: Row) -> None:
        """A sub-task takes what the cascade gives it; different values are problems
        where the cascade cannot honour them."""
        row.title = row.title or parent.title
        row.doc_number = row.doc_number or parent.doc_number
        row.description = row.description or parent.description
        row.level = row.level or parent.level
        for key, own, inherited in (
            ("kind", row.kind, parent.kind),
            ("target_measure", row.target_measure, parent.target_measure),
        ):
            if own and inherited and own != inherited:
                self.error(
                    row.line,
                    self.column(key),
                    _("A sub-task has its parent task's %(column)s (%(value)s).")
                    % {
                        "column": self.column(key),
                        "value": KIND_NAMES.get(TaskKind(inherited), inherited)
                        if key == "kind"
                        else inherited,
                    },
                )
        row.kind = parent.kind
        row.target_measure = parent.target_measure
        if row.start_date is not None and parent.start_date and row.start_date != parent.start_date:
            self.error(
                row.line,
                self.column("start_date"),
                _("A sub-task starts with its parent task (%(date)s).")
                % {"date": parent.start_date.isoformat()},
            )
        row.start_date = parent.start_date
        if row.deadline and parent.deadline and row.deadline > parent.deadline:
            self.error(
                row.line,
                self.column("deadline"),
                _("The deadline %(deadline)s is after the parent task's deadline %(parent)s.")
                % {"deadline": row.deadline.isoformat(), "parent": parent.deadline.isoformat()},
            )
        if parent.target_value is not None and row.target_value is None:
            self.error(
                row.line,
                self.column("target_value"),
                _("The parent task has a target: give this unit's share."),
            )
        if parent.target_value is None and row.target_value is not None:
            self.error(
                row.line,
                self.column("target_value"),
                _("The parent task has no target to split."),
            )


def _existing_roots(roots: Iterable[Row]) -> set[tuple[str, str, int]]:
    titles = {row.title for row in roots if row.title}
    if not titles:
        return set()
    return set(
        Task.objects.filter(parent__isnull=True, title__in=titles)
        .not_cancelled()
        .values_list("title", "doc_number", "unit_id")
    )


# --- writing -----------------------------------------------------------------------------


class _Writer:
    """Writes checked trees through the actions."""

    def __init__(
        self,
        actor: User,
        note: str,
        checker: _Checker,
        summary: ImportSummary,
        progress: ProgressCallback | None,
        phase: str,
        total: int,
    ) -> None:
        self.actor = actor
        self.note = note
        self.checker = checker
        self.summary = summary
        self.progress = progress
        self.phase = phase
        self.total = total

    def tick(self, count: int) -> None:
        self.summary.tasks += count
        if self.progress is not None:
            self.progress(self.phase, self.summary.tasks, self.total)

    def root(self, row: Row) -> Task:
        from grassroots.supervision.actions import create_task

        assert row.unit is not None and row.deadline is not None  # noqa: S101 - checked
        task: Task = self._act(
            row,
            create_task,
            actor=self.actor,
            title=row.title,
            kind=row.kind,
            unit=row.unit,
            deadline=row.deadline,
            start_date=row.start_date,
            doc_number=row.doc_number,
            description=row.description,
            level=row.level,
            target_value=row.target_value,
            target_measure=row.target_measure,
            co_units=row.co_units,
            milestones=row.milestones,
            budget=row.budget,
            location=row.location,
            beneficiaries=row.beneficiaries,
            note=self.note,
        )
        self.summary.roots += 1
        self.summary.root_ids.append(task.pk)
        self.summary.by_kind[row.kind] += 1
        self.tick(1)
        self.children(row, task)
        return task

    def children(self, row: Row, task: Task) -> None:
        from grassroots.supervision.actions import cascade_task

        by_deadline: dict[dt.date, list[Row]] = {}
        for item in row.children:
            assert item.deadline is not None  # noqa: S101 - checked
            by_deadline.setdefault(item.deadline, []).append(item)
        made: list[tuple[Row, Task]] = []
        for deadline, rows in by_deadline.items():
            if task.target_value is not None:
                created = self._act(
                    rows[0],
                    cascade_task,
                    task.pk,
                    actor=self.actor,
                    shares={r.unit: r.target_value for r in rows},
                    deadline=deadline,
                    note=self.note,
                )
            else:
                created = self._act(
                    rows[0],
                    cascade_task,
                    task.pk,
                    actor=self.actor,
                    units=[r.unit for r in rows],
                    deadline=deadline,
                    note=self.note,
                )
            by_unit = {t.unit_id: t for t in created}
            made += [(r, by_unit[r.unit.pk]) for r in rows if r.unit is not None]
            self.tick(len(created))
        for child_row, child in made:
            self.details(child_row, child)
            self.children(child_row, child)

    def details(self, row: Row, task: Task) -> None:
        """What the cascade did not give the sub-task: other name, document number,
        level or description, co-units, livelihood details, milestones."""
        from grassroots.supervision.actions import add_milestone, update_task

        changes: dict[str, Any] = {}
        for name in ("title", "doc_number", "description", "level"):
            if getattr(row, name) != getattr(task, name):
                changes[name] = getattr(row, name)
        if row.co_units:
            changes["co_units"] = row.co_units
        for name in ("budget", "location", "beneficiaries"):
            value = getattr(row, name)
            if value not in (None, ""):
                changes[name] = value
        if changes:
            self._act(row, update_task, task.pk, actor=self.actor, changes=changes, note=self.note)
        for title, day in row.milestones:
            self._act(row, add_milestone, task.pk, actor=self.actor, title=title, due_date=day)

    def _act(self, row: Row, action: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except SupervisionError as exc:
            column = self.checker.column(_FIELD_COLUMNS.get(exc.field or "", "unit"))
            raise TaskImportError([RowError(row.line, column, str(exc))]) from exc
        except PermissionDenied as exc:
            raise TaskImportError(
                [RowError(row.line, self.checker.column("unit"), str(exc) or _("Not allowed."))]
            ) from exc


#: The column an action's error field is reported under.
_FIELD_COLUMNS: Final = {
    "title": "title",
    "doc_number": "doc_number",
    "kind": "kind",
    "level": "level",
    "unit": "unit",
    "issuer": "unit",
    "co_units": "co_units",
    "start_date": "start_date",
    "deadline": "deadline",
    "target_value": "target_value",
    "target_measure": "target_measure",
    "shares": "target_value",
    "units": "unit",
    "milestones": "milestones",
    "due_date": "milestones",
    "budget": "budget",
    "location": "location",
    "beneficiaries": "beneficiaries",
    "description": "description",
}


# --- the import --------------------------------------------------------------------------


def _as_path(source: Path | str | IO[bytes], stack: ExitStack) -> tuple[Path, str]:
    """A path to read, and the file's name: an uploaded file is copied to a temporary
    file with its suffix first."""
    if isinstance(source, str | Path):
        path = Path(source)
        return path, path.name
    name = Path(str(getattr(source, "name", "") or "tasks.xlsx")).name
    handle = stack.enter_context(
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix or ".xlsx")  # noqa: SIM115
    )
    if hasattr(source, "seek"):
        source.seek(0)
    shutil.copyfileobj(source, handle)
    handle.flush()
    return Path(handle.name), name


def import_tasks(
    source: Path | str | IO[bytes],
    *,
    actor: User,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the task list of a CSV or xlsx file (a path or an uploaded file), all or
    nothing (see the module docstring), as ``actor`` (who must be allowed to deploy to
    the root rows' units). ``dry_run`` checks only. Raises TaskImportError listing every
    problem; nothing is written then."""
    started = time.perf_counter()
    with ExitStack() as stack:
        path, name = _as_path(source, stack)
        summary = ImportSummary(file=name, dry_run=dry_run)
        try:
            table = open_table(path, stack, encoding=encoding, sheet=sheet)
        except FileUnreadable as exc:
            raise TaskImportError([RowError(0, name, str(exc))]) from None
        checker = _Checker(table.header, actor, timezone.localdate())
        summary.ignored_columns = checker.ignored
        if checker.errors:
            raise TaskImportError(checker.errors)
        phase = _("Checking %(file)s") % {"file": name}
        try:
            for n, (line, values, found) in enumerate(table.rows, start=1):
                checker.read(line, values, found)
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(phase, table.position(), table.size)
        except FileUnreadable as exc:
            checker.error(0, name, str(exc))
        summary.rows = len(checker.rows)
        if progress is not None:
            progress(phase, table.size or 0, table.size)
    if not checker.rows and not checker.errors:
        checker.error(2, "", _("The file has no task rows."))
    roots = checker.link()
    checker.check_tree(roots, _Units())
    if checker.errors:
        raise TaskImportError(checker.errors)
    if dry_run:
        summary.seconds = time.perf_counter() - started
        return summary
    note = _("Imported from %(file)s") % {"file": name}
    writer = _Writer(
        actor,
        note,
        checker,
        summary,
        progress,
        _("Importing %(file)s") % {"file": name},
        summary.rows,
    )
    with transaction.atomic():
        for root in roots:
            writer.root(root)
    summary.seconds = time.perf_counter() - started
    return summary
