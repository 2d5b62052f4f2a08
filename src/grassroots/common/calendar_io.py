"""Reading the official calendar from the file the office types from the State Council
notice, and checking it.

The format: a CSV file (UTF-8, with or without BOM) or an .xlsx workbook (first sheet),
first row the header, one row per date::

    date,kind,name
    2027-01-01,休,元旦
    2027-02-06,班,春节

* ``date`` (日期): ``2027-01-01``, ``2027/1/1`` or ``2027年1月1日`` (or a date cell).
* ``kind`` (类型): ``休`` / ``休息`` / ``放假`` / ``holiday`` for a day off; ``班`` / ``上班`` /
  ``补班`` / ``workday`` for a make-up workday (which must be a Saturday or Sunday).
* ``name`` (名称, optional column): the holiday, e.g. 国庆节; ``note`` (备注) optional.

Empty rows are skipped. A file for year Y may hold days of Y and of December of Y − 1
(a notice sometimes moves the last days of the previous December). Every problem is
reported with its line (the spreadsheet row for .xlsx) and column; a file with any
problem imports nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.models import CalendarDayKind, notice_year_allowed

MIN_YEAR = 2000
NAME_MAX = 64
NOTE_MAX = 255

_COLUMNS = {
    "date": "date",
    "日期": "date",
    "kind": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
    "note": "note",
    "备注": "note",
}
_REQUIRED = ("date", "kind")
_KINDS = {
    "休": CalendarDayKind.HOLIDAY,
    "休息": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "holiday": CalendarDayKind.HOLIDAY,
    "班": CalendarDayKind.WORKDAY,
    "上班": CalendarDayKind.WORKDAY,
    "补班": CalendarDayKind.WORKDAY,
    "workday": CalendarDayKind.WORKDAY,
}
_DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


@dataclass(frozen=True)
class CalendarRow:
    """One date of a notice. ``line`` is where it was read (0 when not from a file)."""

    date: dt.date
    kind: CalendarDayKind
    name: str = ""
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` 0 means the file (or the request) as a whole."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.line and self.field:
            return _("line %(line)d, %(field)s: %(message)s") % {
                "line": self.line,
                "field": self.field,
                "message": self.message,
            }
        if self.line:
            return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class CalendarImportError(Exception):
    """The file or the rows cannot be imported; ``errors`` says every reason."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


# --- reading --------------------------------------------------------------------------


def read_calendar_file(path: str | Path, *, year: int) -> list[CalendarRow]:
    """Read and check the rows of ``path`` for the notice of ``year``.

    Raises ``CalendarImportError`` with every problem found (nothing is half-read).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CalendarImportError(
            [
                RowError(
                    0,
                    "",
                    _("Cannot read %(path)s: %(reason)s")
                    % {"path": path, "reason": exc.strerror or exc},
                )
            ]
        ) from exc
    if suffix == ".csv":
        records = _csv_records(content)
    elif suffix in {".xlsx", ".xlsm"}:
        records = _xlsx_records(content)
    else:
        raise CalendarImportError(
            [
                RowError(
                    0,
                    "",
                    _("Unsupported file type %(suffix)s: use .csv or .xlsx.")
                    % {"suffix": suffix or "?"},
                )
            ]
        )
    rows, errors = parse_records(records)
    errors.extend(check_rows(rows, year=year, require_rows=not errors))
    if errors:
        raise CalendarImportError(sorted(errors, key=lambda e: (e.line, e.field)))
    return rows


def _csv_records(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarImportError(
            [
                RowError(
                    0,
                    "",
                    _(
                        "The file is not UTF-8 text: save it as “CSV UTF-8” or as an .xlsx "
                        "workbook."
                    ),
                )
            ]
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:  # typed with a Chinese input method, or pasted from Excel
        delimiter = "，" if "，" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            records.append((reader.line_num, list(cells)))
    except csv.Error as exc:
        raise CalendarImportError(
            [RowError(reader.line_num, "", _("Not valid CSV: %(reason)s") % {"reason": exc})]
        ) from exc
    return records


def _xlsx_records(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # Office files carry extensions openpyxl does not read (data validation,
            # styles); they do not matter for the cell values.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CalendarImportError(
            [RowError(0, "", _("Not a readable .xlsx workbook: %(reason)s") % {"reason": exc})]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


# --- parsing --------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_records(
    records: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[list[CalendarRow], list[RowError]]:
    """Turn (line, cells) records, the first non-empty one the header, into rows."""
    rows: list[CalendarRow] = []
    errors: list[RowError] = []
    columns: dict[str, tuple[int, str]] | None = None
    for line, cells in records:
        if all(_blank(cell) for cell in cells):
            continue
        if columns is None:
            columns, header_errors = _header(line, cells)
            if header_errors:
                return [], header_errors
            continue
        row = _row(line, cells, columns, errors)
        if row is not None:
            rows.append(row)
    if columns is None:
        errors.append(RowError(0, "", _("The file is empty: it needs a header date,kind,name.")))
    return rows, errors


def _header(line: int, cells: Sequence[Any]) -> tuple[dict[str, tuple[int, str]], list[RowError]]:
    columns: dict[str, tuple[int, str]] = {}
    errors: list[RowError] = []
    for position, cell in enumerate(cells):
        label = "" if cell is None else str(cell).strip()
        if not label:
            continue
        key = _COLUMNS.get(label.lower())
        if key is None:
            errors.append(
                RowError(
                    line, label, _("unknown column; the columns are date, kind, name (and note)")
                )
            )
        elif key in columns:
            errors.append(RowError(line, label, _("this column appears twice")))
        else:
            columns[key] = (position, label)
    for key in _REQUIRED:
        if key not in columns:
            errors.append(RowError(line, key, _("missing column (the header is date,kind,name)")))
    return columns, errors


def _cell(cells: Sequence[Any], columns: dict[str, tuple[int, str]], key: str) -> Any:
    position = columns[key][0] if key in columns else None
    if position is None or position >= len(cells):
        return None
    return cells[position]


def _row(
    line: int,
    cells: Sequence[Any],
    columns: dict[str, tuple[int, str]],
    errors: list[RowError],
) -> CalendarRow | None:
    def fail(key: str, message: str) -> None:
        errors.append(RowError(line, columns[key][1] if key in columns else key, message))

    known = {position for position, _label in columns.values()}
    if any(not _blank(cell) for i, cell in enumerate(cells) if i not in known):
        errors.append(RowError(line, "", _("a value stands outside the named columns")))
    day = parse_date(_cell(cells, columns, "date"))
    if isinstance(day, str):
        fail("date", day)
    kind = parse_kind(_cell(cells, columns, "kind"))
    if kind is None:
        fail("kind", _("write 休 (day off) or 班 (make-up workday)"))
    name = _text(_cell(cells, columns, "name"))
    if len(name) > NAME_MAX:
        fail("name", _("at most %(max)d characters") % {"max": NAME_MAX})
    note = _text(_cell(cells, columns, "note"))
    if len(note) > NOTE_MAX:
        fail("note", _("at most %(max)d characters") % {"max": NOTE_MAX})
    if isinstance(day, str) or kind is None or len(name) > NAME_MAX or len(note) > NOTE_MAX:
        return None
    return CalendarRow(date=day, kind=kind, name=name, note=note, line=line)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_date(value: Any) -> dt.date | str:
    """The date in a cell, or the message saying why it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if _blank(value):
        return _("missing date")
    text = str(value).strip()
    for pattern in _DATE_RES:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return _("%(value)s is not a date of the calendar") % {"value": text}
    return _("%(value)s is not a date; write it as 2027-01-01") % {"value": text}


def parse_kind(value: Any) -> CalendarDayKind | None:
    if value is None:
        return None
    return _KINDS.get(str(value).strip().lower())


# --- checking -------------------------------------------------------------------------


def check_year(year: int, *, today: dt.date | None = None) -> list[RowError]:
    """A notice year from 2000 to two years ahead (a guard against typing errors)."""
    today = today or timezone.localdate()
    if not MIN_YEAR <= year <= today.year + 2:
        return [
            RowError(
                0,
                "year",
                _("The year must be between %(first)d and %(last)d.")
                % {"first": MIN_YEAR, "last": today.year + 2},
            )
        ]
    return []


def check_rows(
    rows: Sequence[CalendarRow], *, year: int, require_rows: bool = True
) -> list[RowError]:
    """Problems of a whole notice: a date outside the notice's year, a make-up workday on
    a weekday, a date given twice, or no dates at all."""
    errors = check_year(year)
    if not rows and require_rows:
        errors.append(RowError(0, "", _("There are no dates to import.")))
    seen: dict[dt.date, int] = {}
    for row in rows:
        if not notice_year_allowed(row.date, year):
            errors.append(
                RowError(
                    row.line,
                    "date",
                    _(
                        "%(date)s is not in %(year)d (the notice of %(year)d sets days of "
                        "%(year)d, "
                        "and may set days of December %(previous)d)"
                    )
                    % {"date": row.date.isoformat(), "year": year, "previous": year - 1},
                )
            )
        if row.kind == CalendarDayKind.WORKDAY and row.date.weekday() < 5:
            errors.append(
                RowError(
                    row.line,
                    "kind",
                    _("%(date)s is a weekday: a make-up workday is a Saturday or a Sunday")
                    % {"date": row.date.isoformat()},
                )
            )
        if row.date in seen:
            errors.append(
                RowError(
                    row.line,
                    "date",
                    _("%(date)s is given twice (also on line %(other)d)")
                    % {"date": row.date.isoformat(), "other": seen[row.date]},
                )
            )
        else:
            seen[row.date] = row.line
    return errors
