"""Import files, shared by every import (events, supervision tasks, …): reading a CSV file
(UTF-8 or GB18030) or an Excel workbook, streamed; cells as text; headers as looked up;
the problems of a file by line; the refusal that lists them.

``open_table`` gives the header and an iterator of ``(line, values)``; a line is the
file's line (CSV, the line a record starts on) or the sheet's row number (xlsx), as a
person sees them in an editor or in Excel.

The header need not be the first row: offices' sheets carry a title row
("礼州村宅基地台账（2026年）"), a blank row or a "填报单位：… 填报日期：…" line above it.
The header is one of the first ``HEADER_SEARCH_ROWS`` rows (``Header``): the first that
looks like one, or the first that holds an import's columns once its checker chose it
(``Header.choose``, as ``common.importing.SheetChecker`` does); the rows above it are not
read as data, and lines keep the file's own numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from django.utils.translation import gettext as _

_FULL_WIDTH: Final = str.maketrans({"（": "(", "）": ")", "　": "", " ": "", "*": "", "＊": ""})


def normalise_header(header: object) -> str:
    """A header as looked up: no spaces or required-marks (``*``), ASCII parentheses,
    lower case."""
    return str(header if header is not None else "").translate(_FULL_WIDTH).strip().lower()


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0`` (phone numbers typed as numbers),
    everything stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


@dataclass(slots=True)
class RowError:
    """One problem of the file: line, column (as headed in the file) and message."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d, %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ImportRefused(Exception):  # noqa: N818 - a message for people
    """The file has problems; nothing was imported. ``errors`` lists every one, in line
    order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__(
            _("%(count)d problems in the file; nothing was imported.") % {"count": len(errors)}
        )


#: How much of a CSV file is read to guess its encoding and delimiter.
SNIFF_BYTES = 1 << 16


class FileUnreadable(Exception):  # noqa: N818 - a message for people, raised before any row
    """The file cannot be read at all (missing, wrong type, not text, no header)."""


Row = tuple[int, list[Any], int]

#: How many rows from the top of a file are searched for its header.
HEADER_SEARCH_ROWS: Final = 10

_COLON: Final = re.compile("[:：]")


def _looks_like_header(cells: list[str]) -> bool:
    """Whether a row may be a header: two filled cells or more, not all of the form
    "label：value" (a title alone in its row, or a "填报单位：… 填报日期：…" line, is not)."""
    filled = [cell for cell in cells if cell.strip()]
    return len(filled) >= 2 and not all(_COLON.search(cell) for cell in filled)


class Header(list[str]):
    """A file's header row (its cells as text), its line, and the top rows it is chosen
    from (``candidates``: the filled rows among the first ``HEADER_SEARCH_ROWS``).

    At first the first candidate that looks like a header (else the first filled row);
    ``choose`` moves it to the first that holds an import's columns, until the rows are
    read."""

    def __init__(self, candidates: list[tuple[int, list[str]]]) -> None:
        self.candidates = candidates
        self.line = 0
        self.settled = False
        first = next(
            (c for c in candidates if _looks_like_header(c[1])),
            candidates[0] if candidates else (1, []),
        )
        super().__init__(first[1])
        self.line = first[0]

    def choose(self, fits: Callable[[list[str]], bool]) -> bool:
        """Make the first candidate that ``fits`` the header (it stays as it is when none
        does); whether one did. Only before the rows are read."""
        if self.settled:
            raise RuntimeError("The header is chosen before the rows are read.")
        for line, cells in self.candidates:
            if fits(cells):
                self[:] = cells
                self.line = line
                return True
        return False


@dataclass(slots=True)
class Table:
    """An open import file: its header, its rows and how far reading has got (for a
    progress bar).

    A row is ``(line, values, found)``: the values (stripped text, or a date or datetime
    from a spreadsheet) cut or padded to the header's width, and the number of fields the
    line really had (more than the header is an error). The rows start after the header's
    line; blank rows are left out.
    """

    header: Header
    rows: Iterator[Row]
    size: int | None
    position: Callable[[], int]
    encoding: str


#: One row as a format reads it: its line and its cells.
_Line = tuple[int, list[Any]]
#: A row as the table gives it, cut or padded to a width; None when blank.
_Shape = Callable[[list[Any], int], tuple[list[Any], int] | None]


def _table(
    lines: Iterator[_Line],
    header_text: Callable[[list[Any]], list[str]],
    shape: _Shape,
    *,
    size: int | None,
    position: Callable[[], int],
    encoding: str,
) -> Table:
    """The table of a file read as ``lines``: its top rows read ahead for the header
    (``header_text`` gives a row's cells as header text), then every row after the
    header's line ``shape``d to its width. A file unreadable within the top rows is
    unreadable at once when no row came before, else when the rows reach the fault."""
    top: list[_Line] = []
    fault: FileUnreadable | None = None
    try:
        for item in lines:
            top.append(item)
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    except FileUnreadable as exc:
        if not top:
            raise
        fault = exc
    if not top:
        raise FileUnreadable(_("The file is empty."))
    candidates = [(line, header_text(cells)) for line, cells in top]
    header = Header([c for c in candidates if any(cell.strip() for cell in c[1])])

    def rows() -> Iterator[Row]:
        header.settled = True
        width = len(header)
        for line, cells in top:
            shaped = shape(cells, width) if line > header.line else None
            if shaped is not None:
                yield line, *shaped
        if fault is not None:
            raise fault
        for line, cells in lines:
            shaped = shape(cells, width)
            if shaped is not None:
                yield line, *shaped

    return Table(header=header, rows=rows(), size=size, position=position, encoding=encoding)


def _guess_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # the sample may end inside a character: ignore an incomplete tail
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"  # what Chinese Excel and hotline systems write (a superset of GBK)
    return "utf-8"


def _csv_shape(cells: list[Any], width: int) -> tuple[list[Any], int] | None:
    row = list(map(str.strip, cells))
    found = len(row)
    if not any(row):
        return None
    if found > width:
        row = row[:width]
    elif found < width:
        row.extend([""] * (width - found))
    return row, found


def _csv_table(path: Path, stack: ExitStack, encoding: str | None) -> Table:
    raw: IO[bytes] = stack.enter_context(path.open("rb"))
    sample = raw.read(SNIFF_BYTES)
    raw.seek(0)
    if encoding is None or encoding in ("", "auto"):
        encoding = _guess_encoding(sample)
    elif encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileUnreadable(_("Unknown encoding %(encoding)s.") % {"encoding": encoding}) from None
    first_line = sample.split(b"\n", 1)[0]
    delimiter = "\t" if first_line.count(b"\t") > first_line.count(b",") else ","
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    stack.callback(text.detach)
    reader = csv.reader(text, delimiter=delimiter)
    known = encoding

    def lines() -> Iterator[_Line]:
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if reader.line_num <= 1:
                    raise FileUnreadable(
                        _("Unreadable header: %(error)s") % {"error": exc}
                    ) from None
                raise FileUnreadable(
                    _("Line %(line)d is not valid CSV: %(error)s")
                    % {"line": reader.line_num, "error": exc}
                ) from None
            except UnicodeDecodeError as exc:
                if reader.line_num <= 1:
                    raise FileUnreadable(
                        _("Unreadable header: %(error)s") % {"error": exc}
                    ) from None
                raise FileUnreadable(
                    _("The file is not valid %(encoding)s text after line %(line)d.")
                    % {"encoding": known, "line": reader.line_num}
                ) from None
            line, start = start, reader.line_num + 1
            yield line, row

    return _table(
        lines(),
        lambda cells: [str(cell) for cell in cells],
        _csv_shape,
        size=path.stat().st_size,
        position=raw.tell,
        encoding=encoding,
    )


def _cell(value: Any) -> Any:
    """A spreadsheet cell as the checker takes it: stripped text, or a date or datetime."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.date):  # datetime too
        return value
    return cell_text(value)


def _xlsx_header(cells: list[Any]) -> list[str]:
    header = ["" if cell is None else str(cell) for cell in cells]
    while header and not header[-1].strip():
        header.pop()
    return header


def _xlsx_shape(row: list[Any], width: int) -> tuple[list[Any], int] | None:
    cells = [_cell(value) for value in row]
    found = width
    if len(cells) > width:
        extra = cells[width:]
        cells = cells[:width]
        if any(cell != "" for cell in extra):
            found = width + len(extra)
    elif len(cells) < width:
        cells.extend([""] * (width - len(cells)))
    if all(cell == "" for cell in cells):
        return None
    return cells, found


def _xlsx_table(path: Path, stack: ExitStack, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: not a workbook
        raise FileUnreadable(
            _("Not a readable Excel workbook (.xlsx): %(error)s") % {"error": exc}
        ) from None
    stack.callback(workbook.close)
    if sheet:
        if sheet not in workbook.sheetnames:
            raise FileUnreadable(
                _("The workbook has no sheet %(sheet)s (it has: %(sheets)s).")
                % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    values = worksheet.iter_rows(values_only=True)
    # Registered after workbook.close, so it runs first: a refused header leaves the row
    # generator unfinished, and an open generator warns about its file when collected.
    stack.callback(values.close)
    counter = {"row": 0}

    def lines() -> Iterator[_Line]:
        for line, row in enumerate(values, start=1):
            counter["row"] = line
            yield line, list(row)

    max_row = worksheet.max_row
    return _table(
        lines(),
        _xlsx_header,
        _xlsx_shape,
        size=max_row if isinstance(max_row, int) else None,
        position=lambda: counter["row"],
        encoding="xlsx",
    )


def open_table(
    path: Path, stack: ExitStack, *, encoding: str | None = None, sheet: str | None = None
) -> Table:
    """Open ``path`` (``.csv``, ``.txt``, ``.tsv`` or ``.xlsx``) for reading; closed by
    ``stack``. Raises FileUnreadable."""
    if not path.is_file():
        raise FileUnreadable(_("No such file: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path, stack, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_table(path, stack, encoding)
    raise FileUnreadable(
        _("Give a .csv or .xlsx file (not %(suffix)s).") % {"suffix": suffix or path.name}
    )
