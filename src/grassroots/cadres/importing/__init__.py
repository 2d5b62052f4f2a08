"""Import of an existing cadre roster (干部花名册) by the organisation department:
``grassroots import-cadres FILE.xlsx|csv --user NAME`` and ``import_cadres(path_or_file,
actor=...)``.

The file (read with ``common.tabular``: CSV in UTF-8 or GB18030, or the first sheet of an
.xlsx) has one row per cadre. Headers in any order (unknown ones are ignored and listed;
a ``*`` marking a required column is ignored):

- ``姓名`` — required;
- ``身份证号`` (身份证号码, 公民身份号码) — required: 18 characters whose check digit is right
  (GB 11643); it identifies the cadre (see below). Unique in the file;
- ``性别`` (男 / 女) and ``出生日期`` (出生年月) — may be left empty: the ID number tells
  them; when given they must agree with it (a month alone agrees with any day of it);
- ``民族`` — one of the 56 ethnic groups (``彝族`` or ``彝``);
- ``手机号`` — an 11-digit mobile number;
- ``学历`` — 研究生, 大学本科, 大学专科, 中专及高中 or 初中及以下 (本科, 大专, 硕士, 高中 … too);
- ``入党时间``, ``参加基层工作时间``, ``任现职时间`` — dates (``1990-05-17``, ``1990/5/17``,
  ``1990年5月17日``, ``19900517``, an Excel date, or a month alone such as ``2012.07``);
  not in the future; party membership from 18, work from 16;
- ``单位代码`` or ``单位名称`` — the unit's code, or its name when one unit of the actor's
  has it (a village's name without 村民委员会 is enough); both given must agree; the unit
  must be one whose cadres the actor manages (``cadres.manage``), and not a grid;
- ``现任职务`` — required; ``职级`` — 正科级, 副科级, 科员, 村(社区)正职 or 村(社区)两委委员.

**An ID number that already has a file updates that file** (what an office expects when it
imports this year's roster over last year's): its fields take the row's values, except
that an empty 手机号, 入党时间 or 参加基层工作时间 leaves the file's value as it is. Such a
file must be in office (not 调离 or 退休: that is changed on its page) and of a unit the
actor manages. When the unit, post or level changes, the open post record is closed the
day before ``任现职时间`` (default: the import day) and a new one opened. Every other row
creates a file with its current post record (from ``任现职时间``, default the import day).
A file the row would not change is left alone (counted as unchanged).

How it runs: every row is checked first and every problem is listed as ``line N,
column: message`` (the line as Excel numbers it); one problem anywhere and nothing is
written. ``dry_run`` stops there and tells what the import would do (N new, M updated,
and which columns of which files change) — the page's preview. Then, in one transaction,
the files are written (``writing``: in bulk, the updated ones locked and compared again),
with one audit entry per file created (``cadres.cadre.created``) or changed
(``cadres.cadre.updated``, before and after of the changed fields; ID numbers and phones
masked in the log) and one for the whole file (``cadres.cadre.imported``: name, SHA-256,
counts). A 5,000-row roster takes a few seconds on SQLite (``bench/cadres_import.py``).
"""

from __future__ import annotations

import hashlib
import time
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.cadres.importing.checking import _Checker
from grassroots.cadres.importing.columns import (
    COLUMNS,
    PROGRESS_EVERY,
    CadreImportError,
    ImportSummary,
)
from grassroots.cadres.importing.writing import _Writer
from grassroots.cadres.permissions import MANAGE
from grassroots.common.importing import as_path, check_rows
from grassroots.common.tabular import FileUnreadable, RowError, Table, open_table
from grassroots.org.permissions import require

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

__all__ = [
    "COLUMNS",
    "CadreImportError",
    "ImportSummary",
    "RowError",
    "import_cadres",
]


def _finish_reading(table: Table) -> None:
    """Read the rest of a table that will not be checked. A workbook's sheet is read by a
    generator holding the open sheet file (``common.tabular`` closes the workbook, not
    that generator); left suspended, it would be finalised by the garbage collector after
    the file underneath it, which warns of an unclosed file."""
    try:
        for _row in table.rows:
            pass
    except FileUnreadable:
        pass  # the header's problems are reported; this one would follow them


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_cadres(
    source: Path | str | IO[bytes],
    *,
    actor: User,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the cadre roster of a CSV or xlsx file (a path or an uploaded file), all or
    nothing (see the module docstring), as ``actor`` (``cadres.manage`` over every row's
    unit; PermissionDenied when they manage cadres nowhere). ``dry_run`` checks only and
    tells what would change. Raises CadreImportError listing every problem; nothing is
    written then."""
    require(actor, MANAGE)
    started = time.perf_counter()
    with ExitStack() as stack:
        path, name = as_path(source, stack, "cadres.xlsx")
        summary = ImportSummary(file=name, dry_run=dry_run)
        try:
            table = open_table(path, stack, encoding=encoding, sheet=sheet)
        except FileUnreadable as exc:
            raise CadreImportError([RowError(0, name, str(exc))]) from None
        checker = _Checker(table.header, actor, timezone.localdate())
        summary.ignored_columns = checker.ignored
        if checker.errors:
            _finish_reading(table)
            raise CadreImportError(checker.errors)
        check_rows(table, checker, name, progress, PROGRESS_EVERY)
        summary.rows = len(checker.rows)
        if not checker.rows and not checker.errors:
            checker.error(2, "", _("The file has no cadre rows."))
        checker.finish()
        if checker.errors:
            raise CadreImportError(checker.errors)
        summary.changes = checker.changes
        if dry_run:
            summary.created = sum(1 for r in checker.rows if r.cadre_id is None)
            summary.updated = len(checker.changes)
            summary.unchanged = summary.rows - summary.created - summary.updated
            summary.seconds = time.perf_counter() - started
            return summary
        note = _("Imported from %(file)s") % {"file": name}
        writer = _Writer(
            checker, actor, note, summary, progress, _("Importing %(file)s") % {"file": name}
        )
        try:
            with transaction.atomic():
                writer.write()
                writer.record_file(name, _sha256(path))
        except IntegrityError as exc:
            raise CadreImportError(
                [
                    RowError(
                        0,
                        checker.column("id_number"),
                        _(
                            "Another import or person created a file with one of these ID "
                            "numbers meanwhile; nothing was imported (import the file again)."
                        ),
                    )
                ]
            ) from exc
    summary.seconds = time.perf_counter() - started
    return summary
