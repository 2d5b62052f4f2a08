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

import time
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.importing import as_path, check_rows
from grassroots.common.tabular import FileUnreadable, RowError, open_table
from grassroots.supervision.importing.checking import _Checker
from grassroots.supervision.importing.columns import (
    COLUMNS,
    PROGRESS_EVERY,
    ImportSummary,
    TaskImportError,
    _Units,
)
from grassroots.supervision.importing.writing import _Writer

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


# --- the import --------------------------------------------------------------------------


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
        path, name = as_path(source, stack, "tasks.xlsx")
        summary = ImportSummary(file=name, dry_run=dry_run)
        try:
            table = open_table(path, stack, encoding=encoding, sheet=sheet)
        except FileUnreadable as exc:
            raise TaskImportError([RowError(0, name, str(exc))]) from None
        checker = _Checker(table.header, actor, timezone.localdate())
        summary.ignored_columns = checker.ignored
        if checker.errors:
            raise TaskImportError(checker.errors)
        check_rows(table, checker, name, progress, PROGRESS_EVERY)
        summary.rows = len(checker.rows)
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
