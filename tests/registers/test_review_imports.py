"""Every register's import with the files offices really send: an empty file, a file that
is not a workbook, headers in another order, extra columns, blank rows in the middle, NUL
characters, text too long, negative or absurd figures, formula text, bad dates, ten
thousand rows. A good file imports; a bad one is refused with every problem by line and
column (in Chinese) and nothing written; never a 500 — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.common.tabular import ImportRefused
from grassroots.registers.importing.construction import import_ledger
from grassroots.registers.importing.homesteads import import_homesteads
from grassroots.registers.importing.income import import_income
from grassroots.registers.importing.poverty import import_monitoring
from grassroots.registers.importing.windows import import_windows
from grassroots.registers.models import (
    CollectiveIncome,
    ConstructionCase,
    Homestead,
    IncomeTarget,
    MonitoredHousehold,
    Window,
)

pytestmark = pytest.mark.django_db

VILLAGE = "513401101201"


@dataclass(frozen=True)
class Register:
    """One register's import: its page, its function, a good row's cells by header, and
    the columns a test spoils (a text, a figure, a date)."""

    page: str
    importer: Callable[..., Any]
    row: Callable[[int, list[str]], dict[str, str]]
    text: str
    figure: str
    date: str | None
    written: tuple[type[models.Model], ...]


def _year() -> int:
    return min(max(timezone.localdate().year, 2021), 2030)


def _day(back: int = 30) -> str:
    return (timezone.localdate() - dt.timedelta(days=back)).isoformat()


REGISTERS = {
    "homesteads": Register(
        "registers:homestead_import",
        import_homesteads,
        lambda n, numbers: {
            "村(社区)编码": VILLAGE,
            "户号": numbers[n % len(numbers)],
            "宗地编码": f"JC{n:05d}",
            "面积(平方米)": "120.5",
            "批准日期": _day(),
            "坐落": f"礼州村{n}组",
        },
        text="坐落",
        figure="面积(平方米)",
        date="批准日期",
        written=(Homestead,),
    ),
    "construction": Register(
        "registers:construction_import",
        import_ledger,
        lambda n, numbers: {
            "村(社区)编码": VILLAGE,
            "类型": "乱修滥建",
            "地址": f"礼州村{n}组{n}号",
            "建设或搬迁日期": _day(60),
            "发现日期": _day(30),
            "面积(平方米)": "80",
        },
        text="地址",
        figure="面积(平方米)",
        date="发现日期",
        written=(ConstructionCase,),
    ),
    "windows": Register(
        "registers:window_import",
        import_windows,
        lambda n, numbers: {
            "编号": f"QH-{n:05d}",
            "名称": f"湿地{n}号",
            "所属单位编码": VILLAGE,
            "面积(平方米)": "1000",
            "计划年度": str(_year()),
        },
        text="名称",
        figure="面积(平方米)",
        date=None,
        written=(Window,),
    ),
    "monitoring": Register(
        "registers:monitor_import",
        import_monitoring,
        lambda n, numbers: {
            "户号": numbers[n % len(numbers)],
            "村(社区)编码": VILLAGE,
            "监测类型": "边缘易致贫户",
            "风险类型(顿号分隔)": "因病、缺劳动力",
            "纳入日期": _day(),
            "家庭人口": "3",
            "人均纯收入(元)": "8600",
            "备注": "",
        },
        text="备注",
        figure="人均纯收入(元)",
        date="纳入日期",
        written=(MonitoredHousehold,),
    ),
    "income": Register(
        "registers:income_import",
        import_income,
        lambda n, numbers: {
            "村(社区)编码": VILLAGE,
            "年度": str(timezone.localdate().year - n),
            "经营收入": "120000",
            "年度目标": "300000",
        },
        text="村(社区)编码",
        figure="经营收入",
        date=None,
        written=(CollectiveIncome, IncomeTarget),
    ),
}


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture
def numbers(make_household: Any) -> list[str]:
    """The 户号 of five households of 礼州村."""
    return [make_household().number for _ in range(5)]


def rows_of(register: Register, numbers: list[str], n: int = 3) -> list[dict[str, str]]:
    return [register.row(i, numbers) for i in range(n)]


def xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def as_xlsx(tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    return xlsx(tmp_path / "台账.xlsx", header, [[r.get(h, "") for h in header] for r in rows])


def as_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(r[h] for h in header) for r in rows]
    path = tmp_path / "台账.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(register: Register) -> tuple[int, ...]:
    return (*(m._default_manager.count() for m in register.written), AuditEntry.objects.count())


@pytest.fixture(params=sorted(REGISTERS))
def register(request: pytest.FixtureRequest) -> Register:
    return REGISTERS[request.param]


def refused(register: Register, path: Path, actor: Any) -> list[str]:
    """Import ``path`` (a check, then for real): both refused; nothing written; the
    problems as the page lists them."""
    before = counts(register)
    with pytest.raises(ImportRefused) as checked:
        register.importer(path, actor=actor, dry_run=True)
    with pytest.raises(ImportRefused) as imported:
        register.importer(path, actor=actor)
    assert counts(register) == before
    assert [str(e) for e in checked.value.errors] == [str(e) for e in imported.value.errors]
    return [str(e) for e in imported.value.errors]


# --- good files -------------------------------------------------------------------------


def test_a_good_file_in_another_order_with_extra_columns_and_blank_rows(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path
) -> None:
    """The office's own layout: columns in any order, a column of its own, blank rows."""
    rows = rows_of(register, numbers)
    header = [*reversed(list(rows[0])), "联系人"]
    cells = [[r.get(h, "村里自用") for h in header] for r in rows]
    path = xlsx(tmp_path / "台账.xlsx", header, [cells[0], [], [None] * len(header), *cells[1:]])
    before = counts(register)
    summary = register.importer(path, actor=village_cadre)
    assert summary.rows == 3
    assert "联系人" in summary.ignored_columns
    assert counts(register)[0] > before[0]


# --- files that are not ledgers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("空.xlsx", b""),
        ("空.csv", b""),
        ("假.xlsx", b"%PDF-1.4 not a workbook"),
        ("台账.pdf", b"%PDF-1.4"),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel"),
        ("乱码.csv", b"\xff\xfe\x00\x00garbage\x00\x01"),
    ],
)
def test_a_file_that_is_not_a_ledger(
    register: Register, village_cadre: Any, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    problems = refused(register, path, village_cadre)
    assert problems and all("第" in p or "行" in p for p in problems), problems


def test_a_workbook_with_a_header_and_no_rows(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "空.xlsx", list(register.row(0, numbers)), [])
    problems = refused(register, path, village_cadre)
    assert len(problems) == 1


def test_an_empty_workbook(register: Register, village_cadre: Any, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "空.xlsx", [], [])
    assert refused(register, path, village_cadre)


# --- bad cells ------------------------------------------------------------------------------


def spoiled(
    register: Register, numbers: list[str], column: str, value: str
) -> list[dict[str, str]]:
    """Three good rows, the second with ``column`` set to ``value``."""
    rows = rows_of(register, numbers)
    rows[1] = {**rows[1], column: value}
    return rows


@pytest.mark.parametrize(
    "value",
    ["-1", "-0.01", "0", "1e308", "99999999999999999999", "NaN", "Infinity", "abc", "12.345"],
)
def test_a_bad_figure_is_a_problem_of_its_line_and_column(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path, value: str
) -> None:
    rows = spoiled(register, numbers, register.figure, value)
    if register.page in ("registers:income_import", "registers:monitor_import") and value == "0":
        pytest.skip("an income of 0 is a figure")
    problems = refused(register, as_csv(tmp_path, rows), village_cadre)
    assert problems and all(p.startswith("第 3 行") for p in problems), problems
    assert register.figure in problems[0]


def test_text_too_long_is_a_problem_of_its_line_and_column(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path
) -> None:
    rows = spoiled(register, numbers, register.text, "宅" * 3000)
    problems = refused(register, as_xlsx(tmp_path, rows), village_cadre)
    assert problems and all(p.startswith("第 3 行") for p in problems), problems
    assert register.text in problems[0]


def test_nul_characters_never_reach_the_database(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path
) -> None:
    """A NUL in a text cell (a CSV exported by an old system) is dropped or refused on its
    line — PostgreSQL takes no NUL in text."""
    rows = spoiled(register, numbers, register.text, rows_of(register, numbers)[1][register.text])
    rows[1][register.text] = rows[1][register.text][:2] + "\x00" + rows[1][register.text][2:]
    path = as_csv(tmp_path, rows)
    try:
        register.importer(path, actor=village_cadre)
    except ImportRefused as exc:
        assert all(e.line == 3 for e in exc.errors), [str(e) for e in exc.errors]
    for model in register.written:
        for obj in model._default_manager.all():
            for f in model._meta.concrete_fields:
                assert "\x00" not in str(getattr(obj, f.attname) or "")


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "@HYPERLINK(1)"])
def test_formula_text_is_kept_as_text_and_exported_harmless(
    register: Register,
    numbers: list[str],
    village_cadre: Any,
    login: Any,
    tmp_path: Path,
    value: str,
) -> None:
    """Text that would start a formula is kept as typed, and the export writes it with a
    leading quote (no cell of the export starts a formula)."""
    if register.text == "村(社区)编码":
        pytest.skip("a code, not text")
    rows = spoiled(register, numbers, register.text, value)
    register.importer(as_csv(tmp_path, rows), actor=village_cadre)
    exported = login(village_cadre).get(reverse(EXPORT_URLS[register.page]))
    cells = [
        str(cell)
        for row in openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0].values
        for cell in row
        if cell is not None
    ]
    assert "'" + value in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]


EXPORT_URLS = {
    "registers:homestead_import": "registers:homestead_export",
    "registers:construction_import": "registers:construction_export",
    "registers:window_import": "registers:window_export",
    "registers:monitor_import": "registers:monitor_export",
    "registers:income_import": "registers:income_export",
}


@pytest.mark.parametrize("value", ["2026-02-30", "abc", "2099-01-01", "0000-00-00", "1e9"])
def test_a_bad_date_is_a_problem_of_its_line_and_column(
    register: Register, numbers: list[str], village_cadre: Any, tmp_path: Path, value: str
) -> None:
    if register.date is None:
        pytest.skip("no date column")
    rows = spoiled(register, numbers, register.date, value)
    problems = refused(register, as_csv(tmp_path, rows), village_cadre)
    assert problems and all(p.startswith("第 3 行") for p in problems), problems
    assert register.date in problems[0]


# --- through the page -----------------------------------------------------------------------


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.mark.parametrize(
    ("name", "content"),
    [("空.xlsx", b""), ("假.xlsx", b"PK\x03\x04 broken zip"), ("a.exe", b"MZ")],
)
def test_the_page_refuses_a_file_that_is_not_a_ledger(
    register: Register, village_cadre: Any, login: Any, name: str, content: bytes
) -> None:
    before = counts(register)
    client = login(village_cadre)
    answer = client.post(reverse(register.page), {"file": SimpleUploadedFile(name, content)})
    assert answer.status_code == 400
    confirm = client.post(reverse(register.page), {"confirm": "1"})
    assert confirm.status_code == 400
    assert counts(register) == before


# --- big files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["homesteads", "construction", "windows", "monitoring"])
def test_ten_thousand_rows_with_one_bad_at_the_end(
    name: str, tree: dict[str, Any], village_cadre: Any, tmp_path: Path
) -> None:
    """A city's ledger of 10,000 rows whose last row names a village that does not exist:
    refused on that line alone, nothing written."""
    from grassroots.residents.models import Household

    Household.objects.bulk_create(
        Household(grid=tree["grid"], village=tree["village"], number=f"B{n:05d}", address="1号")
        for n in range(10000)
    )
    register = REGISTERS[name]
    numbers = [f"B{n:05d}" for n in range(10000)]
    rows = [register.row(i, numbers) for i in range(10000)]
    code = "所属单位编码" if name == "windows" else "村(社区)编码"
    rows[-1][code] = "513401999999"
    problems = refused(register, as_xlsx(tmp_path, rows), village_cadre)
    assert len(problems) == 1 and problems[0].startswith("第 10001 行"), problems


# --- export, then import back ---------------------------------------------------------------

EXPORTS = {
    "homesteads": ("registers:homestead_export", "备注"),
    "windows": ("registers:window_export", "备注"),
    "monitoring": ("registers:monitor_export", "备注"),
    "income": ("registers:income_export", None),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_an_export_imports_back_unchanged(
    name: str, numbers: list[str], village_cadre: Any, login: Any, tmp_path: Path
) -> None:
    """The village's ledger as exported (notes that look like formulas included) is the
    same ledger: importing it back changes nothing."""
    register = REGISTERS[name]
    url, note = EXPORTS[name]
    rows = rows_of(register, numbers, 3 if note else 1)  # the income export: one year
    if note:
        for row, text in zip(rows, ("=1+1 已核实", "-", "+86 电话已核"), strict=True):
            row[note] = text
    register.importer(as_csv(tmp_path, rows), actor=village_cadre)
    exported = login(village_cadre).get(reverse(url))
    assert exported.status_code == 200
    path = tmp_path / "导出.xlsx"
    path.write_bytes(exported.content)
    before = counts(register)
    summary = register.importer(path, actor=village_cadre)
    assert (summary.rows, summary.created, summary.updated) == (len(rows), 0, 0)
    assert counts(register)[:-1] == before[:-1]
