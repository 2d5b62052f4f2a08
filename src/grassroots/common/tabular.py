"""Import files, shared by every import (events, supervision tasks, …): reading a CSV file
(UTF-8 or GB18030) or an Excel workbook, streamed; cells as text; headers as looked up;
the problems of a file by line; the refusal that lists them.

``open_table`` gives the header and an iterator of ``(line, values)``; a line is the
file's line (CSV, the line a record starts on) or the sheet's row number (xlsx), as a
person sees them in an editor or in Excel.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
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


@dataclass(slots=True)
class Table:
    """An open import file: its header, its rows and how far reading has got (for a
    progress bar).

    A row is ``(line, values, found)``: the values (stripped text, or a date or datetime
    from a spreadsheet) cut or padded to the header's width, and the number of fields the
    line really had (more than the header is an error).
    """

    header: list[str]
    rows: Iterator[Row]
    size: int | None
    position: Callable[[], int]
    encoding: str


def _guess_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # the sample may end inside a character: ignore an incomplete tail
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"  # what Chinese Excel and hotline systems write (a superset of GBK)
    return "utf-8"


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
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileUnreadable(_("Unreadable header: %(error)s") % {"error": exc}) from None
    if header is None:
        raise FileUnreadable(_("The file is empty."))
    width = len(header)

    def rows() -> Iterator[Row]:
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileUnreadable(
                    _("Line %(line)d is not valid CSV: %(error)s")
                    % {"line": reader.line_num, "error": exc}
                ) from None
            except UnicodeDecodeError:
                raise FileUnreadable(
                    _("The file is not valid %(encoding)s text after line %(line)d.")
                    % {"encoding": encoding, "line": reader.line_num}
                ) from None
            line, start = start, reader.line_num + 1
            row = list(map(str.strip, row))
            found = len(row)
            if found != width:
                if not any(row):
                    continue
                if found > width:
                    row = row[:width]
                else:
                    row.extend([""] * (width - found))
            elif not any(row):
                continue
            yield line, row, found

    return Table(
        header=header,
        rows=rows(),
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
    header_row = next(values, None)
    if header_row is None:
        raise FileUnreadable(_("The file is empty."))
    header = ["" if cell is None else str(cell) for cell in header_row]
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    counter = {"row": 1}

    def rows() -> Iterator[Row]:
        for line, row in enumerate(values, start=2):
            counter["row"] = line
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
                continue
            yield line, cells, found

    max_row = worksheet.max_row
    return Table(
        header=header,
        rows=rows(),
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
