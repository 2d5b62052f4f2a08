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

How it runs: every row is checked first, streaming, and every problem is listed as
``line N, column: message`` (the line as an editor or Excel numbers it; the column as
headed in the file); one problem anywhere and nothing is written. The checked rows wait in
a temporary file; then, in one transaction, the events are written in batches (``COPY`` on
PostgreSQL, ``executemany`` elsewhere) with one timeline line each (kind ``import``, note
naming the file, ``data = {"line": N}``) and one audit entry ``events.event.imported`` for
the whole file. A number that already exists is an error on its line, or skipped with
``skip_existing``; a number given twice in the file is always an error.
"""

from __future__ import annotations

import hashlib
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common import geo
from grassroots.events.importing.checking import SOURCE_AT, STATUS_AT, Checker, RowError
from grassroots.events.importing.columns import COLUMNS, SOURCES, lookup_word
from grassroots.events.importing.lookups import Categories, Deadlines, Moments, Units
from grassroots.events.importing.reading import FileUnreadable, open_table
from grassroots.events.importing.writing import (
    IMPORT_KIND,
    IdAllocator,
    existing_numbers,
    insert_actions,
    insert_events,
)
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

#: Checked rows per batch (spooled, then written and given ids together).
BATCH: Final = 5000
PROGRESS_EVERY: Final = 2000


class EventImportError(Exception):
    """The file has problems; nothing was imported. ``errors`` lists every one, in line
    order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__(
            _("%(count)d problems in the file; nothing was imported.") % {"count": len(errors)}
        )


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote."""

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


class _Spool:
    """Checked rows in a temporary file, pickled in batches: the file is read once, and
    memory holds one batch whatever the size of the import."""

    def __init__(self, stack: ExitStack) -> None:
        self.file: IO[bytes] = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        self.batch: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.count += len(self.batch)
            self.batch = []

    def batches(self) -> Iterator[list[tuple[Any, ...]]]:
        self.flush()
        self.file.seek(0)
        while True:
            try:
                # Our own temporary file, written just above by this process.
                yield pickle.load(self.file)  # noqa: S301
            except EOFError:
                return


def _check(
    path: Path,
    stack: ExitStack,
    summary: ImportSummary,
    *,
    encoding: str | None,
    sheet: str | None,
    source: str,
    progress: ProgressCallback | None,
) -> tuple[Checker, _Spool]:
    try:
        table = open_table(path, stack, encoding=encoding, sheet=sheet)
    except FileUnreadable as exc:
        raise EventImportError([RowError(0, path.name, str(exc))]) from None
    summary.encoding = table.encoding
    zone = ZoneInfo(settings.TIME_ZONE)
    checker = Checker(
        table.header,
        units=Units(),
        categories=Categories.load(),
        deadlines=Deadlines(zone),
        moments=Moments(zone, postgresql=connection.vendor == "postgresql"),
        grid_index=geo.grid_index(),
        default_source=source,
        now=timezone.now(),
        typed_cells=table.encoding == "xlsx",
    )
    summary.ignored_columns = checker.ignored
    if not checker.header_ok:
        raise EventImportError(checker.errors)
    spool = _Spool(stack)
    phase = _("Checking %(file)s") % {"file": path.name}
    check, add = checker.check, spool.add
    try:
        for n, (line, values, found) in enumerate(table.rows, start=1):
            row = check(line, values, found)
            if row is not None:
                add(row)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(phase, table.position(), table.size)
            summary.rows = n
    except FileUnreadable as exc:
        checker.error(0, path.name, str(exc))
    if progress is not None:
        progress(phase, table.size or 0, table.size)
    return checker, spool


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
    summary = ImportSummary(file=path.name, dry_run=dry_run)
    started = time.perf_counter()
    with ExitStack() as stack:
        checker, spool = _check(
            path,
            stack,
            summary,
            encoding=encoding,
            sheet=sheet,
            source=source,
            progress=progress,
        )
        numbers = list(checker.numbers)
        existing = existing_numbers(numbers) if numbers else set()
        if existing and not skip_existing:
            for number in existing:
                checker.error(
                    checker.numbers[number],
                    checker.column("number"),
                    _("Event number %(number)s already exists.") % {"number": number},
                )
        if checker.errors:
            raise EventImportError(checker.errors)
        summary.check_seconds = time.perf_counter() - started
        if dry_run:
            summary.imported = spool.count + len(spool.batch) - len(existing)
            summary.skipped = len(existing)
            return summary
        started = time.perf_counter()
        try:
            with transaction.atomic():
                _write(spool, existing, summary, checker, path, actor, progress)
        except IntegrityError as exc:
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
        summary.write_seconds = time.perf_counter() - started
    return summary


def _line(line: int) -> str:
    return f'{{"line": {line}}}'


def _write(
    spool: _Spool,
    existing: set[str],
    summary: ImportSummary,
    checker: Checker,
    path: Path,
    actor: User | None,
    progress: ProgressCallback | None,
) -> None:
    from grassroots.audit.actions import record
    from grassroots.events.actions.intake import jurisdiction_root

    prefix = settings.EVENT_NUMBER_PREFIX
    allocator = IdAllocator()
    actor_id = actor.pk if actor is not None else None
    note = _("Imported from %(file)s") % {"file": path.name}
    now_db = checker.now_db
    phase = _("Importing %(file)s") % {"file": path.name}
    total = spool.count + len(spool.batch)
    done = 0
    for batch in spool.batches():
        if existing:
            kept = [row for row in batch if row[1] is None or row[1] not in existing]
            summary.skipped += len(batch) - len(kept)
            batch = kept
        ids = allocator.take(len(batch))
        events = [
            (pk, row[1] or f"{prefix}{row[2]}{pk:06d}", *row[3:])
            for pk, row in zip(ids, batch, strict=True)
        ]
        insert_events(events)
        insert_actions(
            [
                (pk, IMPORT_KIND, "", row[STATUS_AT], actor_id, None, note, _line(row[0]), now_db)
                for pk, row in zip(ids, batch, strict=True)
            ]
        )
        summary.by_status.update(row[STATUS_AT] for row in batch)
        summary.by_source.update(row[SOURCE_AT] for row in batch)
        if ids:
            summary.first_id = summary.first_id or ids[0]
            summary.last_id = ids[-1]
        summary.imported += len(batch)
        done += len(batch)
        if progress is not None:
            progress(phase, done, total)
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
