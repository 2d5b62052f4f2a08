"""What every register's import shares (homesteads, construction, and the frame of the
天窗, monitoring and income sheets in ``importing.windows``): the checker's cells as text
(no NUL, no quote of our own exports), date cells, the pass over the file that ends in a
refusal listing every problem by line and column or in a checked sheet, and the audit
entry of the file.

``checked_file`` opens the file (``common.tabular``: CSV in UTF-8 or GB18030, or the
first sheet of an .xlsx), reads the header into a ``LedgerChecker``, passes it every row
(``read``), then the whole file (``finish``: the look-ups against the database); any
problem so far and it raises the register's ``ImportRefused`` with all of them. What a row
means and how it is written stays with each register.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Final, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column, SheetChecker, as_path, check_rows
from grassroots.common.tabular import (
    FileUnreadable,
    ImportRefused,
    RowError,
    Table,
    cell_text,
    open_table,
)
from grassroots.common.workbooks import FORMULA_START
from grassroots.org.models import PATH_SEPARATOR, Unit
from grassroots.org.permissions import require
from grassroots.registers.permissions import MANAGE

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote (or, checking only, would write)."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)


# --- cells ----------------------------------------------------------------------------------

_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)


def parse_date(value: object, *, month_alone: bool = False) -> dt.date | None:
    """A date cell: a spreadsheet date, ``2024-05-17``, ``2024/5/17``, ``2024.5.17``,
    ``2024年5月17日``, ``20240517`` or an Excel serial number (a date cell Excel shows as a
    number); with ``month_alone`` also ``2016.03`` (its first day). None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace(" 00:00:00", "")
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
        match = _MONTH.match(text) if month_alone else None
        if match:
            return dt.date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    if text.isascii() and text.isdecimal() and 10000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    return None


def unquoted(text: str) -> str:
    """A cell's text without NUL characters (no database takes them) and without the
    quote our exports put before text that would start a formula (``safe_text``), so
    that an exported ledger imports back as it was."""
    text = text.replace("\x00", "")
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


class LedgerChecker(SheetChecker):
    """A register's sheet being checked: its ``columns`` (the first header of each names
    it in messages), the actor and today, the cells as text (``text``), and ``finish`` —
    the look-ups of the whole file once every row was read."""

    columns: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, self.columns, {c.key: c.headers[0] for c in self.columns})
        self.actor = actor
        self.today = today
        self.rows: list[Any] = []

    def text(self, values: list[Any], key: str, line: int, max_length: int) -> str:
        """The cell as text (see ``unquoted``); longer than ``max_length``: a problem."""
        text = unquoted(cell_text(self.cell(values, key)))
        if len(text) > max_length:
            self.error(line, self.column(key), _("At most %(n)d characters.") % {"n": max_length})
            return text[:max_length]
        return text

    def finish(self) -> None:
        """Check the rows against the database, all at once (problems by line)."""


# --- the file ---------------------------------------------------------------------------------


def finish_reading(table: Table) -> None:
    """Read the rest of a table that will not be checked (closes an xlsx sheet's reader
    before the file under it)."""
    try:
        for _row in table.rows:
            pass
    except FileUnreadable:
        pass


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file every row of which passed the checks: where it is, its name, its checker."""

    path: Path
    name: str
    checker: Any


C = TypeVar("C", bound=LedgerChecker)


@contextmanager
def checked_file(
    source: Path | str | IO[bytes],
    checker_class: type[C],
    *,
    actor: User,
    refuse: type[ImportRefused],
    default_name: str,
    empty: str,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    every: int = 500,
) -> Iterator[CheckedFile]:
    """The file ``source`` read and checked by a ``checker_class`` (``read`` each row,
    then ``finish``), open while the caller writes. ``refuse`` (the register's
    ``ImportRefused``) lists every problem: an unreadable file (line 0), a missing column
    (on the header's line), the rows' problems; ``empty`` when there is no row.
    PermissionDenied when ``actor`` keeps no registers anywhere."""
    require(actor, MANAGE)
    with ExitStack() as stack:
        path, name = as_path(source, stack, default_name)
        try:
            table = open_table(path, stack, encoding=encoding)
        except FileUnreadable as exc:
            raise refuse([RowError(0, name, str(exc))]) from None
        checker = checker_class(table.header, actor, timezone.localdate())
        if checker.errors:
            finish_reading(table)
            raise refuse(checker.errors)
        check_rows(table, checker, name, progress, every)
        if not checker.rows and not checker.errors:
            checker.error(checker.header_line + 1, "", empty)
        checker.finish()
        if checker.errors:
            raise refuse(checker.errors)
        yield CheckedFile(path, name, checker)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def common_unit(paths: Iterable[str]) -> Unit | None:
    """The lowest unit at or above every one of ``paths`` (None without paths)."""
    parts = [p.split(PATH_SEPARATOR) for p in paths]
    shared: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        shared.append(segment[0])
    if not shared:
        return None
    found: Unit | None = Unit.objects.filter(path=PATH_SEPARATOR.join(shared)).first()
    return found


def record_file(
    action: str,
    *,
    actor: User,
    file: CheckedFile,
    paths: Iterable[str],
    counts: dict[str, int],
    note: str = "",
) -> None:
    """The audit entry of an imported file (inside the import's transaction): its name,
    SHA-256 and ``counts``, placed at the lowest unit above every row's unit (``paths``)."""
    record(
        action,
        None,
        actor=actor,
        unit=common_unit(paths),
        after={"file": file.name, "sha256": sha256_of(file.path), **counts},
        note=note,
    )
