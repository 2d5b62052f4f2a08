"""Import of historical events (e.g. a 12345 hotline export): ``grassroots import-events``.

The file is a CSV (UTF-8, with or without BOM, or GB18030/GBK as Chinese Excel saves it;
comma or tab separated) or an Excel workbook (.xlsx, first sheet unless ``--sheet``). The
first row names the columns; Chinese or English headers, in any order; unknown columns
are ignored (and listed in the summary).

Columns (English name: Chinese headers accepted — value):

- ``number``: 工单编号, 工单号, 事件编号, 编号 — optional; the event number (≤ 32 characters),
  kept as it is and the key that makes a re-import idempotent. Missing: generated as on
  intake (prefix, local date of the report, six-digit id).
- ``title``: 标题, 事件标题, 诉求标题 — ≤ 120 characters; missing: the first 30 characters of
  the description. A title or a description is required.
- ``description``: 内容, 事件内容, 诉求内容, 事件描述, 描述 — ≤ 5,000 characters.
- ``category`` (required): 类别, 事件类别, 事件分类, 分类, 大类 — a category's code or name,
  or ``大类/小类``.
- ``subcategory``: 子类, 小类, 子类别 — a sub-category (code or name) of the category.
- ``source``: 来源, 事件来源, 渠道 — 巡查发现, 群众上报, 12345 (热线), open311, 导入 or the codes;
  missing: the ``source`` argument (``--source``, default ``import``).
- ``contact_name``: 联系人, 诉求人, 反映人 — ≤ 64 characters.
- ``contact_phone``: 联系电话, 电话, 手机号码, 手机 — a mobile number, a landline with its area
  code, or a mobile masked by the exporting system (138****5678).
- ``address``: 地址, 事发地址, 事发地点 — ≤ 255 characters.
- ``lon``, ``lat``: 经度, 纬度 — WGS 84 degrees, both or neither.
- ``grid``: 所属网格, 网格, 网格编码 — a grid's code (or unique name).
- ``village``: 村(社区), 所属村(社区), 村社区, 村, 社区 — code or name (looked up within the
  township when one is given).
- ``township``: 乡镇(街道), 所属乡镇(街道), 乡镇街道, 乡镇, 街道 — code or name.
- ``reported_at`` (required): 上报时间, 来电时间, 登记时间, 反映时间 — ``2025-03-01 08:30[:00]``,
  ``2025/3/1 8:30``, ``2025年3月1日 8时30分``, ISO 8601 with an offset, or an Excel date; local
  time (``TIME_ZONE``) unless an offset is given; not in the future.
- ``accepted_at``: 受理时间; ``resolved_at``: 办结时间, 处置时间, 办理时间; ``closed_at``:
  结案时间, 关闭时间 — moments, not before the report (closing not before resolution).
- ``assignee``: 处置单位, 承办单位, 责任单位 — the unit handling it, code or name (住房和城乡建设局
  finds 西昌市住房和城乡建设局); missing: the unit of the place (its village), as on intake.
- ``satisfaction``: 满意度, 评价, 回访评价 — 满意, 基本满意, 不满意 (or the codes); only for a
  resolved, verified, closed or reopened event.
- ``status``: 状态, 办理状态, 工单状态 — a status (已上报 … 已结案, and the hotline's 办理中,
  已办结 …, or the codes). Missing: closed when closed_at is given, else resolved when
  resolved_at is, else accepted when accepted_at is, else reported. A closed event needs
  closed_at or resolved_at (the one stands for the other); resolved and verified need
  resolved_at; a status before closing cannot have closed_at.

A location is required: a grid, a position, or a village or township.

Where the event is: the grid column; else the position (the grid covering it — a point
outside every grid falls back to the village or township columns, or is an error); else
the village, else the township. From the place the grid, village, township, area path,
assignee and dispatcher follow exactly as ``report_event`` sets them (its ``place_of``).
The deadlines are computed from the category and the report time on the official calendar
(``respond_by`` = report + the category's working hours, ``resolve_by`` = the end of the
n-th working day after it), as on intake.

How it runs: every row is checked, streaming, and every problem is listed as ``line N,
column: message`` (the line as an editor or Excel numbers it; the column as headed in the
file); one problem anywhere and nothing is written. Writing goes along with checking, in
one transaction that a problem rolls back: checked rows are written in batches (``COPY``
on PostgreSQL, in a worker thread while the next batch is checked; ``executemany``
elsewhere), each event with one timeline line (kind ``import``, note naming the file,
``data = {"line": N}``), and one audit entry ``events.event.imported`` records the whole
file. A number that already exists is an error on its line, or skipped with
``skip_existing``; a number given twice in the file is always an error. A dry run checks
the same way and writes nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common import geo
from grassroots.common.tabular import FileUnreadable, ImportRefused, RowError, Table, open_table
from grassroots.events.importing.checking import SOURCE_AT, STATUS_AT, Checker
from grassroots.events.importing.columns import COLUMNS, SOURCES, lookup_word
from grassroots.events.importing.lookups import Categories, Deadlines, Moments, Units
from grassroots.events.importing.writing import BatchWriter, Finished, Plan, number_taken
from grassroots.events.models import EventSource
from grassroots.org.divisions import ProgressCallback

if TYPE_CHECKING:
    from grassroots.org.models import User

__all__ = [
    "COLUMNS",
    "EventImportError",
    "ImportSummary",
    "RowError",
    "import_events",
]

#: Checked rows per batch: given ids, looked up (numbers) and written together.
BATCH: Final = 5000
PROGRESS_EVERY: Final = 2000


class EventImportError(ImportRefused):
    """The event file has problems; nothing was imported (``errors``: every one)."""


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote. ``check_seconds``: the pass over the file (reading,
    checking, and the writing that goes along); ``write_seconds``: what follows it (the
    last batch, the audit entry, the commit)."""

    file: str
    encoding: str = ""
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    first_id: int | None = None
    last_id: int | None = None
    check_seconds: float = 0.0
    write_seconds: float = 0.0
    #: How PostgreSQL checked the foreign keys: "per key" (once per referenced row) or
    #: "per row" (the constraints' triggers); see ``writing.BatchWriter``.
    key_checks: str = ""

    @property
    def seconds(self) -> float:
        return self.check_seconds + self.write_seconds

    @property
    def per_second(self) -> float:
        return self.imported / self.seconds if self.seconds > 0 else 0.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Batches:
    """Checked rows in batches for the writer; what became of each batch (numbers that
    exist already, rows written) counted in the summary or listed as problems."""

    def __init__(self, checker: Checker, summary: ImportSummary, writer: BatchWriter) -> None:
        self.checker = checker
        self.summary = summary
        self.writer = writer
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.rows = self.rows, []
        if batch:
            # After the first problem, batches are only looked up, to list every problem.
            self.account(self.writer.submit(batch, write=not self.checker.errors))

    def close(self) -> None:
        self.flush()
        self.account(self.writer.close())

    def account(self, finished: Finished) -> None:
        checker, summary = self.checker, self.summary
        for batch, written in finished:
            if written.existing and self.writer.plan.skip_existing:
                summary.skipped += len(batch) - len(written.rows)
            elif written.existing:
                for number in sorted(written.existing, key=checker.numbers.__getitem__):
                    checker.error(
                        checker.numbers[number],
                        checker.column("number"),
                        _("Event number %(number)s already exists.") % {"number": number},
                    )
            summary.imported += len(written.rows)
            if not written.ids:
                continue  # a dry run, or not written after a problem (the count is moot)
            summary.by_status.update(row[STATUS_AT] for row in written.rows)
            summary.by_source.update(row[SOURCE_AT] for row in written.rows)
            summary.first_id = summary.first_id or written.ids[0]
            summary.last_id = written.ids[-1]


def _checker(path: Path, table: Table, source: str) -> Checker:
    zone = ZoneInfo(settings.TIME_ZONE)
    postgresql = connection.vendor == "postgresql"
    checker = Checker(
        table.header,
        units=Units(),
        categories=Categories.load(),
        deadlines=Deadlines(zone),
        # PostgreSQL: UTC datetimes, for the binary COPY (writing.BatchWriter)
        moments=Moments(zone, postgresql=postgresql, utc=postgresql),
        grid_index=geo.grid_index(),
        default_source=source,
        now=timezone.now(),
        typed_cells=table.encoding == "xlsx",
    )
    if not checker.header_ok:
        raise EventImportError(checker.errors)
    return checker


def _pass(
    path: Path,
    table: Table,
    checker: Checker,
    batches: _Batches,
    progress: ProgressCallback | None,
) -> None:
    """Every row checked; the good ones handed on in batches (after a problem only to
    have their numbers looked up, so that every problem is listed)."""
    phase = _("Importing %(file)s") % {"file": path.name}
    check, add = checker.check, batches.add
    n = 0
    try:
        for n, (line, values, found) in enumerate(table.rows, start=1):
            row = check(line, values, found)
            if row is not None:
                add(row)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(phase, table.position(), table.size)
    except FileUnreadable as exc:
        checker.error(0, path.name, str(exc))
    batches.summary.rows = n
    batches.close()
    if progress is not None:
        progress(phase, table.size or 0, table.size)


class _NumberTaken(Exception):  # noqa: N818 - a signal: run again, carefully
    """A written batch had a number already taken (see ``writing.Plan.careful``)."""


def import_events(
    path: Path | str,
    *,
    skip_existing: bool = False,
    source: str = EventSource.IMPORT,
    actor: User | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the events of a CSV or xlsx file, all or nothing (see the module docstring).

    ``source`` is the source of rows without one; ``actor`` the person recorded on the
    timeline lines and the audit entry (None: the system); ``dry_run`` checks only.
    Raises EventImportError listing every problem; nothing is written then.
    """
    path = Path(path)
    source = lookup_word(SOURCES, str(source)) or ""
    if source not in EventSource.values:
        raise EventImportError([RowError(0, "--source", _("Unknown source of the report."))])
    started = time.perf_counter()
    options: dict[str, Any] = {
        "skip_existing": skip_existing,
        "source": source,
        "actor": actor,
        "encoding": encoding,
        "sheet": sheet,
        "dry_run": dry_run,
        "progress": progress,
        "started": started,
    }
    try:
        return _import(path, careful=skip_existing or dry_run, **options)
    except _NumberTaken:
        # Some numbers exist already: the same again, looking every batch up first, so
        # that each of them is listed (or, if taken meanwhile, reported as such).
        return _import(path, careful=True, **options)


def _import(
    path: Path,
    *,
    careful: bool,
    skip_existing: bool,
    source: str,
    actor: User | None,
    encoding: str | None,
    sheet: str | None,
    dry_run: bool,
    progress: ProgressCallback | None,
    started: float,
) -> ImportSummary:
    summary = ImportSummary(file=path.name, dry_run=dry_run)
    note = _("Imported from %(file)s") % {"file": path.name}
    with ExitStack() as stack:
        try:
            table = open_table(path, stack, encoding=encoding, sheet=sheet)
        except FileUnreadable as exc:
            raise EventImportError([RowError(0, path.name, str(exc))]) from None
        summary.encoding = table.encoding
        checker = _checker(path, table, source)
        summary.ignored_columns = checker.ignored
        try:
            with nullcontext() if dry_run else transaction.atomic():
                plan = Plan(
                    skip_existing=skip_existing,
                    actor_id=actor.pk if actor is not None else None,
                    note=note,
                    now_db=checker.now_db,
                    careful=careful,
                )
                writer = BatchWriter(plan, write=not dry_run)
                if writer.postgresql and not dry_run:
                    summary.key_checks = "per key" if writer.set_based else "per row"
                try:
                    _pass(path, table, checker, _Batches(checker, summary, writer), progress)
                except BaseException:
                    writer.abandon()
                    raise
                summary.check_seconds = time.perf_counter() - started
                if checker.errors:
                    raise EventImportError(checker.errors)
                if dry_run:
                    return summary
                written = time.perf_counter()
                _record(path, summary, actor, note)
        except IntegrityError as exc:
            if not careful and number_taken(exc):
                raise _NumberTaken from exc
            raise EventImportError(
                [
                    RowError(
                        0,
                        checker.column("number"),
                        _(
                            "Another import or report took one of these numbers meanwhile; "
                            "nothing was imported (run the import again): %(error)s"
                        )
                        % {"error": exc},
                    )
                ]
            ) from exc
        summary.write_seconds = time.perf_counter() - written
    return summary


def _record(path: Path, summary: ImportSummary, actor: User | None, note: str) -> None:
    """The audit entry of the whole file."""
    from grassroots.audit.actions import record
    from grassroots.events.actions.intake import jurisdiction_root

    record(
        "events.event.imported",
        None,
        actor=actor,
        unit=jurisdiction_root(),
        after={
            "file": path.name,
            "sha256": _sha256(path),
            "rows": summary.rows,
            "imported": summary.imported,
            "skipped": summary.skipped,
            "first_id": summary.first_id,
            "last_id": summary.last_id,
            "by_status": dict(summary.by_status),
        },
        note=note,
    )
