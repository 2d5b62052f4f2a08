"""The frame of a checked import (the cadre roster, the supervision task list, the
assessment entries): the file to read as a path, the header's columns as looked up, the
cells as text, the problems by line and column, and the pass over every row with its
progress. What a row means and what is written stays with each import.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from grassroots.common.tabular import (
    FileUnreadable,
    Header,
    RowError,
    Table,
    cell_text,
    normalise_header,
)

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback


def as_path(
    source: Path | str | IO[bytes], stack: ExitStack, default_name: str
) -> tuple[Path, str]:
    """A path to read, and the file's name: an uploaded file is copied to a temporary
    file with its suffix first (closed by ``stack``); ``default_name`` when it has none."""
    if isinstance(source, str | Path):
        path = Path(source)
        return path, path.name
    name = Path(str(getattr(source, "name", "") or default_name)).name
    handle = stack.enter_context(
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix or ".xlsx")  # noqa: SIM115
    )
    if hasattr(source, "seek"):
        source.seek(0)
    shutil.copyfileobj(source, handle)
    handle.flush()
    return Path(handle.name), name


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file: its key, the headers it accepts (the first is the
    one the template, the export and the messages use) and whether it must be there."""

    key: str
    headers: tuple[str, ...]
    required: bool = False


def _holds(cells: list[str], columns: tuple[Column, ...], wanted: Mapping[str, Column]) -> bool:
    """Whether a row holds every required column of ``columns`` and one column at least."""
    found = {wanted[name].key for name in map(normalise_header, cells) if name in wanted}
    return bool(found) and all(c.key in found for c in columns if c.required)


class SheetChecker:
    """The columns of a file's header, and every problem found (``errors``).

    The header is the file's (a ``tabular.Header``): of its top rows, the first that holds
    every required column (and one column at least) when one does, so that a title row
    or a "填报单位：…" line above it is passed over; ``header_line`` is its line.
    ``at`` is each column's index by key, ``column_names`` its header as the file writes
    it, ``ignored`` the headers no column takes (and a column's second header); a
    required column that is missing is a problem on the header's line. ``headers`` names
    a column in the messages when the file has none of its headers."""

    def __init__(
        self, header: list[str], columns: Iterable[Column], headers: Mapping[str, str]
    ) -> None:
        self.errors: list[RowError] = []
        self.headers = headers
        self.at: dict[str, int] = {}
        self.column_names: dict[str, str] = {}
        self.ignored: list[str] = []
        columns = tuple(columns)
        wanted = {normalise_header(h): c for c in columns for h in c.headers}
        if isinstance(header, Header):
            header.choose(lambda cells: _holds(cells, columns, wanted))
        self.header_line: int = header.line if isinstance(header, Header) else 1
        for index, name in enumerate(header):
            column = wanted.get(normalise_header(name))
            if column is None or column.key in self.at:
                if name.strip():
                    self.ignored.append(name.strip())
                continue
            self.at[column.key] = index
            self.column_names[column.key] = name.strip()
        for column in columns:
            if column.required and column.key not in self.at:
                self.missing(column.headers)

    def missing(self, headers: tuple[str, ...]) -> None:
        self.error(
            self.header_line,
            headers[0],
            _("The column is missing (accepted headers: %(headers)s).")
            % {"headers": "、".join(headers)},
        )

    def column(self, key: str) -> str:
        return self.column_names.get(key, self.headers[key])

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

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row (each import's own)."""
        raise NotImplementedError


def check_rows(
    table: Table,
    checker: SheetChecker,
    name: str,
    progress: ProgressCallback | None,
    every: int,
) -> None:
    """Pass every row of ``table`` (the file ``name``) to ``checker.read``, telling
    ``progress`` every ``every`` rows and at the end; a file unreadable part way is a
    problem of the file (line 0)."""
    phase = _("Checking %(file)s") % {"file": name}
    try:
        for n, (line, values, found) in enumerate(table.rows, start=1):
            checker.read(line, values, found)
            if progress is not None and n % every == 0:
                progress(phase, table.position(), table.size)
    except FileUnreadable as exc:
        checker.error(0, name, str(exc))
    if progress is not None:
        progress(phase, table.size or 0, table.size)
