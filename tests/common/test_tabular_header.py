"""The header of an import file found among its top rows: a title row, a blank row and a
"填报单位：… 填报日期：…" line above it are passed over; lines stay the file's own."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from grassroots.common.importing import Column, SheetChecker, check_rows
from grassroots.common.tabular import HEADER_SEARCH_ROWS, Header, open_table

COLUMNS = (
    Column("number", ("户号",), required=True),
    Column("name", ("户主姓名", "户主"), required=True),
    Column("note", ("备注",)),
)
TITLE = "礼州村宅基地台账（2026年）"
FILLED_BY = "填报单位：礼州村"
FILLED_ON = "填报日期：2026年5月20日"


class _Lines(SheetChecker):
    """Keeps each row's line and values."""

    def __init__(self, header: list[str]) -> None:
        super().__init__(header, COLUMNS, {c.key: c.headers[0] for c in COLUMNS})
        self.read_rows: list[tuple[int, str, str]] = []

    def read(self, line: int, values: list[Any], found: int) -> None:
        name = self.text(values, "name", line, 4)
        self.read_rows.append((line, self.text(values, "number", line, 20), name))


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def checked(path: Path) -> _Lines:
    with ExitStack() as stack:
        table = open_table(path, stack)
        checker = _Lines(table.header)
        check_rows(table, checker, path.name, None, 100)
        return checker


def test_a_sheet_with_a_title_a_blank_row_and_a_filled_by_line_reads_from_its_header(
    tmp_path: Path,
) -> None:
    path = workbook(
        tmp_path / "台账.xlsx",
        [
            [TITLE],
            [],
            [FILLED_BY, None, FILLED_ON],
            ["户号", "户主姓名", "备注"],
            ["LZ-1", "张三", ""],
            [],
            ["LZ-2", "李四五六七", "第二处"],
        ],
    )
    checker = checked(path)
    assert checker.header_line == 4
    assert checker.read_rows == [(5, "LZ-1", "张三"), (7, "LZ-2", "李四五六")]
    # the errors name the sheet's own rows
    assert [(e.line, e.column) for e in checker.errors] == [(7, "户主姓名")]


def test_the_first_row_that_holds_the_columns_is_the_header_even_when_another_looks_like_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "台账.csv"
    path.write_text(
        "\n".join(["说明,本表由村委会填写", "", "户号,户主,备注", "LZ-1,张三,", "LZ-2,,"]) + "\n",
        encoding="utf-8",
    )
    with ExitStack() as stack:
        table = open_table(path, stack)
        assert (list(table.header), table.header.line) == (["说明", "本表由村委会填写"], 1)
        checker = _Lines(table.header)
        assert (list(table.header), checker.header_line) == (["户号", "户主", "备注"], 3)
        check_rows(table, checker, path.name, None, 100)
    assert checker.read_rows == [(4, "LZ-1", "张三"), (5, "LZ-2", "")]
    assert checker.column_names == {"number": "户号", "name": "户主", "note": "备注"}


def test_without_a_checker_the_header_is_the_first_row_that_looks_like_one(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx", [[TITLE], [FILLED_BY, FILLED_ON], ["户号", "户主"], ["LZ-1", "张三"]]
    )
    with ExitStack() as stack:
        table = open_table(path, stack)
        rows = list(table.rows)
    assert (list(table.header), table.header.line) == (["户号", "户主"], 3)
    assert rows == [(4, ["LZ-1", "张三"], 2)]


def test_a_header_below_the_top_rows_is_a_missing_column_on_the_first_rows_line(
    tmp_path: Path,
) -> None:
    rows: list[list[Any]] = [[TITLE], ["甲", "乙"]]
    rows += [[f"第{n}行", "说明"] for n in range(HEADER_SEARCH_ROWS)]
    rows += [["户号", "户主姓名"], ["LZ-1", "张三"]]
    checker = checked(workbook(tmp_path / "late.xlsx", rows))
    assert checker.header_line == 2
    assert [(e.line, e.column) for e in checker.errors] == [(2, "户号"), (2, "户主姓名")]
    assert "The column is missing" in checker.errors[0].message


def test_a_file_with_its_header_on_the_first_row_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("户号,户主姓名\nLZ-1,张三\n\nLZ-2,李四\n", encoding="utf-8")
    checker = checked(path)
    assert (checker.header_line, checker.errors) == (1, [])
    assert checker.read_rows == [(2, "LZ-1", "张三"), (4, "LZ-2", "李四")]


def test_the_header_is_chosen_before_the_rows_are_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("户号,户主姓名\nLZ-1,张三\n", encoding="utf-8")
    with ExitStack() as stack:
        table = open_table(path, stack)
        next(table.rows)
        with pytest.raises(RuntimeError):
            table.header.choose(lambda cells: True)


def test_a_header_row_needs_two_cells_and_not_only_label_value_cells() -> None:
    header = Header([(1, [TITLE]), (2, [FILLED_BY, FILLED_ON]), (3, ["户号", "户主"])])
    assert header.line == 3
    alone = Header([(1, [TITLE])])
    assert (list(alone), alone.line) == ([TITLE], 1)
