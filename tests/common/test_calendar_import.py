"""``grassroots import-calendar``: a year from the State Council notice, all or nothing.

The 2027 rows below are test data shaped like a notice, not the real 2027 notice.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from grassroots.audit.models import AuditEntry
from grassroots.common import workdays
from grassroots.common.actions import import_calendar_year
from grassroots.common.calendar_io import CalendarImportError, CalendarRow
from grassroots.common.models import CalendarDay, CalendarDayKind, CalendarYear
from tests.conftest import ensure_seeded

pytestmark = pytest.mark.django_db

NOTICE_2027 = """date,kind,name
2026-12-31,休,元旦
2027-01-01,休,元旦
2027-01-02,休息,元旦
2027-02-06,holiday,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-20,班,春节
2027-10-01,休,国庆节
2027-10-09,上班,国庆节
"""


@pytest.fixture(autouse=True)
def _seeded() -> None:
    ensure_seeded()


def write(tmp_path: Path, text: str, name: str = "2027.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_calendar", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args: Any) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_calendar", *[str(a) for a in args], stdout=out, stderr=err)
    return err.getvalue()


def days_of(year: int) -> list[tuple[str, str, str]]:
    return [
        (day.date.isoformat(), day.kind, day.name)
        for day in CalendarDay.objects.filter(notice_year=year)
    ]


def test_import_a_year_and_mark_it_complete(tmp_path: Path, city_admin: Any) -> None:
    assert workdays.coverage_gap(dt.date(2026, 11, 25)) == [2027]
    path = write(tmp_path, NOTICE_2027, bom=True)
    out, _ = run(
        path, "--year", 2027, "--complete", "--source", "国办发明电〔2026〕x号",
        "--published", "2026-11-20", "--actor", "city_admin",
    )  # fmt: skip
    assert "8 day(s) off, 2 make-up workday(s)" in out
    assert days_of(2027)[:2] == [
        ("2026-12-31", "holiday", "元旦"),
        ("2027-01-01", "holiday", "元旦"),
    ]
    assert len(days_of(2027)) == 10
    year = CalendarYear.objects.get(year=2027)
    assert (year.complete, year.source, year.published) == (
        True,
        "国办发明电〔2026〕x号",
        dt.date(2026, 11, 20),
    )
    # the cache follows at once
    assert not workdays.is_workday(dt.date(2027, 1, 1))  # a Friday off
    assert workdays.is_workday(dt.date(2027, 2, 20))  # a Saturday worked
    assert not workdays.is_workday(dt.date(2026, 12, 31))
    assert workdays.coverage_gap(dt.date(2026, 11, 25)) == []
    entry = AuditEntry.objects.get(action="common.calendar.imported")
    assert entry.actor == city_admin
    assert entry.after is not None
    assert entry.before is not None
    assert entry.object_type == "common.calendaryear"
    assert entry.after["year"] == 2027
    assert entry.after["complete"] is True
    assert {"date": "2027-02-20", "kind": "workday", "name": "春节"} in entry.after["days"]
    assert entry.before["days"] == []


def test_import_is_idempotent_and_replaces_the_year(tmp_path: Path) -> None:
    path = write(tmp_path, NOTICE_2027)
    run(path, "--year", 2027, "--complete")
    first = days_of(2027)
    out, _ = run(path, "--year", 2027, "--complete")
    assert "10 earlier day(s) replaced" in out
    assert days_of(2027) == first
    # a corrected notice: 2026-12-31 and the make-up Saturday dropped, one day renamed
    corrected = NOTICE_2027.replace("2026-12-31,休,元旦\n", "").replace("2027-02-20,班,春节\n", "")
    corrected = corrected.replace("2027-10-01,休,国庆节", "2027-10-01,休,国庆")
    run(write(tmp_path, corrected, "fixed.csv"), "--year", 2027)
    assert len(days_of(2027)) == 8
    assert workdays.is_workday(dt.date(2026, 12, 31))  # a Thursday again
    assert not workdays.is_workday(dt.date(2027, 2, 20))
    assert CalendarDay.objects.get(date=dt.date(2027, 10, 1)).name == "国庆"
    assert CalendarYear.objects.get(year=2027).complete is False  # not said this time
    assert AuditEntry.objects.filter(action="common.calendar.imported").count() == 3
    # other years are untouched
    assert not workdays.is_workday(dt.date(2026, 10, 1))


def test_a_date_set_by_an_earlier_notice_moves_to_the_new_one(tmp_path: Path) -> None:
    # a 2027 file may set December 2026: the day entered earlier under 2026 is replaced
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), kind="holiday", notice_year=2026)
    run(write(tmp_path, NOTICE_2027), "--year", 2027)
    assert CalendarDay.objects.get(date=dt.date(2026, 12, 31)).notice_year == 2027


def test_import_from_xlsx_with_chinese_headers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "类型", "名称", "备注"])
    sheet.append([dt.date(2027, 1, 1), "休", "元旦", ""])  # read back as a datetime
    sheet.append([None, None, None, None])
    sheet.append(["2027年2月20日", "班", "春节", "调休"])
    sheet.append(["2027/10/1", "休", "国庆节", None])
    path = tmp_path / "2027.xlsx"
    book.save(path)
    run(path, "--year", 2027, "--complete")
    assert days_of(2027) == [
        ("2027-01-01", "holiday", "元旦"),
        ("2027-02-20", "workday", "春节"),
        ("2027-10-01", "holiday", "国庆节"),
    ]
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).note == "调休"


def test_a_bad_file_lists_every_problem_by_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = """date,kind,name
2027-01-01,休,元旦
2027-01-35,休,元旦
,休,元旦
2027-02-03,休假,春节
2027-02-08,班,春节
2028-01-01,休,元旦
2027-01-01,休,元旦
2026-11-30,休,测试
2027-03-01,休,{long}
""".format(long="长" * 65)
    before = (CalendarDay.objects.count(), CalendarYear.objects.count())
    err = fail(write(tmp_path, bad), "--year", 2027, "--complete")
    lines = err.strip().splitlines()
    assert lines == [
        "line 3, date: 2027-01-35 is not a date of the calendar",
        "line 4, date: missing date",
        "line 5, kind: write 休 (day off) or 班 (make-up workday)",
        "line 6, kind: 2027-02-08 is a weekday: a make-up workday is a Saturday or a Sunday",
        "line 7, date: 2028-01-01 is not in 2027 (the notice of 2027 sets days of 2027, and "
        "may set days of December 2026)",
        "line 8, date: 2027-01-01 is given twice (also on line 2)",
        "line 9, date: 2026-11-30 is not in 2027 (the notice of 2027 sets days of 2027, and "
        "may set days of December 2026)",
        "line 10, name: at most 64 characters",
    ]
    assert (CalendarDay.objects.count(), CalendarYear.objects.count()) == before
    assert not AuditEntry.objects.filter(action="common.calendar.imported").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("date,kind,name\n", "There are no dates to import."),
        ("day,kind,name\n2027-01-01,休,元旦\n", "line 1, day: unknown column"),
        ("date,name\n2027-01-01,元旦\n", "line 1, kind: missing column"),
        ("date,kind,kind\n2027-01-01,休,休\n", "line 1, kind: this column appears twice"),
        ("date,kind\n2027-01-01,休,元旦\n", "line 2: a value stands outside the named columns"),
        ('date,kind,name\n2027-01-01,休,"元旦\n', "Not valid CSV"),
    ],
)
def test_bad_headers_and_empty_files(tmp_path: Path, text: str, message: str) -> None:
    err = fail(write(tmp_path, text), "--year", 2027)
    assert message in err
    assert not CalendarDay.objects.filter(notice_year=2027).exists()


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("date,kind,name\n2027-01-01,休,元旦\n".encode("gbk"))
    assert "not UTF-8" in fail(gbk, "--year", 2027)
    assert "Unsupported file type .txt" in fail(write(tmp_path, "x", "2027.txt"), "--year", 2027)
    broken = write(tmp_path, "not a zip", "2027.xlsx")
    assert "Not a readable .xlsx" in fail(broken, "--year", 2027)
    assert "Cannot read" in fail(tmp_path / "missing.csv", "--year", 2027)
    assert "The year must be between 2000" in fail(write(tmp_path, NOTICE_2027), "--year", 2207)


def test_a_full_width_comma_file_is_read(tmp_path: Path) -> None:
    run(write(tmp_path, "date，kind，name\n2027-01-01，休，元旦\n"), "--year", 2027)
    assert days_of(2027) == [("2027-01-01", "holiday", "元旦")]


def test_bad_command_options(tmp_path: Path) -> None:
    path = write(tmp_path, NOTICE_2027)
    with pytest.raises(CommandError, match="published"):
        run(path, "--year", 2027, "--published", "20 Nov")
    with pytest.raises(CommandError, match="No user nobody"):
        run(path, "--year", 2027, "--actor", "nobody")
    assert not CalendarDay.objects.filter(notice_year=2027).exists()


def test_the_action_checks_its_rows_too() -> None:
    rows = [CalendarRow(date=dt.date(2027, 1, 4), kind=CalendarDayKind.WORKDAY)]
    with pytest.raises(CalendarImportError, match="weekday"):
        import_calendar_year(rows, year=2027, complete=True, actor=None, source="test")
    with pytest.raises(CalendarImportError, match="no dates"):
        import_calendar_year([], year=2027, complete=True, actor=None, source="test")
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.chinese
def test_errors_are_in_chinese_by_default(tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command(
            "import_calendar",
            str(write(tmp_path, "date,kind,name\n2027-01-35,休,元旦\n")),
            "--year",
            "2027",
            stderr=err,
        )
    assert err.getvalue().strip().startswith("第 2 行，")
    assert CalendarDay.objects.filter(notice_year=2027).count() == 0
