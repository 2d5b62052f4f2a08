"""Reading and checking the division files: every problem as ``file:line: field: message``."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from grassroots.org.divisions.progress import ProgressCallback
from grassroots.org.divisions.rules import (
    ANCESTOR_COLUMNS,
    CODE_LENGTHS,
    LEVELS,
    MAX_REPORTED_ERRORS,
    NAME_MAX_LENGTH,
    PROGRESS_EVERY,
    Level,
    clean_name,
    kind_of,
    length_of_parent,
)
from grassroots.org.models import Unit, UnitKind

# --------------------------------------------------------------------------------------
# errors


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem found in the files, where it is and what is wrong."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{where}: {self.field}: {self.message}"


class DivisionImportError(Exception):
    """The files hold errors; nothing was written. ``errors`` lists the first ones."""

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        self.errors = list(errors)
        self.total = max(total or 0, len(self.errors))
        super().__init__(
            _("%(count)d errors in the division files; nothing was imported.")
            % {"count": self.total}
        )


@dataclass(slots=True)
class _Errors:
    """Collects errors, keeping the first MAX_REPORTED_ERRORS and counting the rest."""

    items: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(RowError(file, line, column, message))


# --------------------------------------------------------------------------------------
# reading


def _decoded_lines(fh: IO[bytes], name: str, errors: _Errors) -> Iterator[str]:
    """The file's lines as text, reporting (and replacing) bytes that are not UTF-8."""
    for number, raw in enumerate(fh, start=1):
        chunk = raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            yield chunk.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(name, number, "encoding", _("this line is not valid UTF-8 text"))
            yield chunk.decode("utf-8", errors="replace")


@dataclass(slots=True)
class _CsvFile:
    """A division file opened for reading: its header and an iterator of its rows."""

    name: str
    columns: dict[str, int]
    width: int
    rows: Iterator[tuple[int, list[str]]]


def _open_csv(path: Path, fh: IO[bytes], errors: _Errors) -> _CsvFile | None:
    name = str(path)
    reader = csv.reader(_decoded_lines(fh, name, errors))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.add(name, 1, "header", _("unreadable CSV: %(error)s") % {"error": exc})
        return None
    if header is None:
        errors.add(name, 1, "header", _("the file is empty"))
        return None
    columns = {column.strip(): i for i, column in enumerate(header)}

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                errors.add(
                    name, reader.line_num, "row", _("unreadable CSV: %(error)s") % {"error": exc}
                )
                return
            if row:
                yield reader.line_num, row

    return _CsvFile(name, columns, len(header), rows())


def _present_levels(directory: Path) -> list[Level]:
    return [level for level in LEVELS if (directory / level.file).is_file()]


def _in_scope(code: str, under: str | None) -> bool:
    """``code`` lies in the subtree of ``under`` or is one of its ancestors."""
    if under is None:
        return True
    if len(code) >= len(under):
        return code.startswith(under)
    return under.startswith(code)


def _valid_code(code: str, length: int) -> bool:
    return len(code) == length and code.isascii() and code.isdecimal()


@dataclass(slots=True)
class CheckResult:
    """What the check pass learnt: the files present and the rows in scope per level."""

    directory: Path
    under: str | None
    levels: list[Level]
    in_scope: dict[str, int]


def check_divisions(
    directory: Path | str,
    *,
    under: str | None = None,
    progress: ProgressCallback | None = None,
) -> CheckResult:
    """Validate the files without writing anything; raise DivisionImportError on errors.

    Checked: each file's required columns, the length and digits of every code, the
    name, that ancestor columns agree with the code, duplicate codes, and that every
    parent exists in the files or in the database. ``under`` must name a unit of the
    files or the database.
    """
    directory = Path(directory)
    errors = _Errors()
    if not directory.is_dir():
        errors.add(str(directory), 0, "directory", _("not a directory"))
        raise DivisionImportError(errors.items, errors.total)
    levels = _present_levels(directory)
    if not levels:
        errors.add(
            str(directory),
            0,
            "directory",
            _("no division files found (expected %(files)s)")
            % {"files": ", ".join(level.file for level in LEVELS)},
        )
        raise DivisionImportError(errors.items, errors.total)
    if under is not None and not (
        under.isascii() and under.isdecimal() and len(under) in CODE_LENGTHS
    ):
        errors.add("--under", 0, "code", _("%(code)r is not a division code") % {"code": under})
        raise DivisionImportError(errors.items, errors.total)

    in_scope: dict[str, int] = {}
    previous: dict[str, int] = {}
    previous_length = 0
    found_under = False
    for level in levels:
        # Parents not in the file above (absent, or not the level right above) must be
        # in the database.
        parent_codes = previous if previous_length == length_of_parent(level.code_length) else {}
        codes, count = _check_file(directory, level, parent_codes, under, errors, progress)
        in_scope[level.label] = count
        if under is not None and level.code_length == len(under) and under in codes:
            found_under = True
        previous, previous_length = codes, level.code_length
    if under is not None and not found_under and not Unit.objects.filter(code=under).exists():
        errors.add(
            "--under",
            0,
            "code",
            _("%(code)s is neither in the files nor in the database") % {"code": under},
        )
    if errors.total:
        raise DivisionImportError(errors.items, errors.total)
    return CheckResult(directory, under, levels, in_scope)


def _check_file(
    directory: Path,
    level: Level,
    parent_codes: dict[str, int],
    under: str | None,
    errors: _Errors,
    progress: ProgressCallback | None,
) -> tuple[dict[str, int], int]:
    """Check one file; return its codes (code → line) and the number of rows in scope."""
    path = directory / level.file
    name = str(path)
    length = level.code_length
    codes: dict[str, int] = {}
    missing_parents: dict[str, list[int]] = {}
    in_scope = 0
    phase = _("Checking %(file)s") % {"file": level.file}
    size = path.stat().st_size
    with path.open("rb") as fh:
        opened = _open_csv(path, fh, errors)
        if opened is None:
            return codes, 0
        required = ["code", "name"] + ([level.parent_column] if level.parent_column else [])
        absent = [column for column in required if column not in opened.columns]
        for column in absent:
            errors.add(name, 1, column, _("missing column %(column)s") % {"column": column})
        if absent:
            return codes, 0
        code_at, name_at = opened.columns["code"], opened.columns["name"]
        ancestors = [
            (column, opened.columns[column], n)
            for column, n in ANCESTOR_COLUMNS.items()
            if column in opened.columns and n < length
        ]
        parent_length = length_of_parent(length)
        for line, row in opened.rows:
            if len(row) != opened.width:
                errors.add(
                    name,
                    line,
                    "row",
                    _("expected %(expected)d fields, found %(found)d")
                    % {"expected": opened.width, "found": len(row)},
                )
                continue
            code = row[code_at].strip()
            if not _valid_code(code, length):
                errors.add(
                    name,
                    line,
                    "code",
                    _("%(code)r is not a code of %(length)d digits")
                    % {"code": code, "length": length},
                )
                continue
            label = clean_name(row[name_at])
            if not label:
                errors.add(name, line, "name", _("the name is empty"))
            elif len(label) > NAME_MAX_LENGTH:
                errors.add(
                    name,
                    line,
                    "name",
                    _("the name is longer than %(max)d characters") % {"max": NAME_MAX_LENGTH},
                )
            for column, index, n in ancestors:
                value = row[index].strip()
                if value != code[:n]:
                    errors.add(
                        name,
                        line,
                        column,
                        _("%(value)r does not match code %(code)s (expected %(expected)s)")
                        % {"value": value, "code": code, "expected": code[:n]},
                    )
            first = codes.setdefault(code, line)
            if first != line:
                errors.add(
                    name,
                    line,
                    "code",
                    _("duplicate code %(code)s (first on line %(line)d)")
                    % {"code": code, "line": first},
                )
            if parent_length and code[:parent_length] not in parent_codes:
                lines = missing_parents.setdefault(code[:parent_length], [])
                if len(lines) < MAX_REPORTED_ERRORS:
                    lines.append(line)
            if _in_scope(code, under):
                in_scope += 1
            if progress is not None and line % PROGRESS_EVERY == 0:
                progress(phase, fh.tell(), size)
    if progress is not None:
        progress(phase, size, size)
    if missing_parents and level.parent_column:
        _report_missing_parents(name, level.parent_column, missing_parents, errors)
    return codes, in_scope


def _report_missing_parents(
    name: str, column: str, missing: dict[str, list[int]], errors: _Errors
) -> None:
    wanted = sorted(missing)
    in_db: set[str] = set()
    for start in range(0, len(wanted), 900):
        in_db.update(
            Unit.objects.filter(code__in=wanted[start : start + 900]).values_list("code", flat=True)
        )
    for code in wanted:
        if code in in_db:
            continue
        for line in missing[code]:
            errors.add(
                name,
                line,
                column,
                _("parent %(code)s is neither in the files nor in the database") % {"code": code},
            )


def level_rows(directory: Path, level: Level, under: str | None) -> Iterator[tuple[str, str]]:
    """(code, name) of the rows of an already checked file that are in scope."""
    path = directory / level.file
    errors = _Errors()
    with path.open("rb") as fh:
        opened = _open_csv(path, fh, errors)
        if opened is None:
            return
        code_at, name_at = opened.columns["code"], opened.columns["name"]
        for _line, row in opened.rows:
            code = row[code_at].strip()
            if _in_scope(code, under):
                yield code, clean_name(row[name_at])


@dataclass(frozen=True, slots=True)
class DivisionRow:
    """One checked row: code, name, kind and the code of its parent (None for a root)."""

    code: str
    name: str
    kind: UnitKind
    parent_code: str | None


def read_divisions(
    directory: Path | str,
    *,
    under: str | None = None,
    progress: ProgressCallback | None = None,
) -> Iterator[DivisionRow]:
    """Check the files, then yield the rows in scope level by level (parents first).

    Used by the demo seeder to build a prefecture or province without importing it.
    Raises DivisionImportError when the files hold errors.
    """
    checked = check_divisions(directory, under=under, progress=progress)
    for level in checked.levels:
        parent_length = length_of_parent(level.code_length)
        for code, name in level_rows(checked.directory, level, under):
            yield DivisionRow(code, name, kind_of(level, name, code), code[:parent_length] or None)
