"""Hypothesis against the importers ``test_importers`` leaves out: the registers' ledgers
(homesteads, construction cases, 天窗, poverty monitoring, collective income), the
party-building sheets (family mottos, performers, meetings, competition entries, venues),
the assessment's manual entries, and the two commands (the statistics bureau's divisions,
the official calendar).

Each example writes a real file — rows that import cleanly mixed with broken cells — and
hands it over as the import page or command does: a page stores the upload and checks it
(``dry_run``), then imports it on confirm; the assessment page passes the upload itself; a
command reads a path. The importer must never raise anything but its own refusal; a
refusal lists problems by line and leaves every table (the audit log among them) with the
rows it had, and a check writes nothing; an import that goes through takes every row of
the file. A file of valid rows alone always imports.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from grassroots.common.tabular import ImportRefused
from tests.fuzz.conftest import WRITTEN_APPS, changed
from tests.fuzz.test_importers import (
    EXAMPLES,
    FUZZ,
    TASK_HEADER,
    _tasks,
    cell_values,
    file_bytes,
    task_rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: The calendar's tables live in ``common``.
APPS = (*WRITTEN_APPS, "common")
VILLAGE = "513401101201"
NEIGHBOUR = "513401101202"

#: Numbers as people and software write them that Python reads otherwise: a digit
#: ``isdigit`` takes and ``int`` refuses, Decimal's own words, digit groups, Arabic-Indic.
ODD_NUMBERS = ["²", "²⁰²⁶", "sNaN", "Infinity", "-inf", "1e999999", "1_000", "٣", "9" * 40]
cells: st.SearchStrategy[Any] = st.one_of(cell_values, st.sampled_from(ODD_NUMBERS))

#: A problem as every importer can give it: line, column, message.
Problem = tuple[int, str, str]


def row_counts() -> dict[str, int]:
    """``conftest.row_counts`` of ``APPS`` in one query: counting ninety tables one by one
    took most of the time of an example."""
    from django.apps import apps
    from django.db import connection

    models = [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and model._meta.managed
    ]
    quote = connection.ops.quote_name
    tables = [quote(m._meta.db_table) for m in models]
    # the names are our own models' tables
    query = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    assert row is not None
    return {m._meta.label: int(n) for m, n in zip(models, row, strict=True)}


@dataclass(frozen=True)
class Importer:
    """One importer: its header, rows that import cleanly (``good_rows`` may first create
    what they name), how to call it on a written file (``run``: the rows it took), the
    refusal it raises and the problems listed in it."""

    name: str
    header: list[str]
    good_rows: Callable[[dict[str, Any]], list[list[Any]]]
    run: Callable[[Path, dict[str, Any]], int]
    refused: type[Exception] = ImportRefused
    problems: Callable[[Any], list[Problem]] = field(
        default=lambda exc: [(e.line, e.column, e.message) for e in exc.errors]
    )
    kinds: tuple[str, ...] = ("csv", "xlsx")
    file_name: str = ""
    examples: int = EXAMPLES


_files = itertools.count()


@st.composite
def broken_files(draw: st.DrawFn, good: list[list[Any]]) -> tuple[list[list[Any]], str]:
    """Some of the good rows (possibly repeated), with some cells replaced by bad ones
    (``test_importers.broken_files`` with odd numbers among the cells)."""
    picks = draw(st.lists(st.integers(0, len(good) - 1), min_size=1, max_size=len(good) + 1))
    rows = [list(good[i]) for i in picks]
    width = len(good[0])
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, width - 1))
        rows[r][c] = draw(cells)
    if draw(st.booleans()):
        rows.append(draw(st.lists(cells, min_size=0, max_size=width + 2)))
    return rows, draw(st.sampled_from(["csv", "xlsx"]))


def write_file(importer: Importer, folder: Path, rows: list[list[Any]], kind: str) -> Path:
    """The rows under the header, in a folder of their own (a division file is found by
    its name in its directory)."""
    where = folder / f"f{next(_files)}"
    where.mkdir()
    path = where / (importer.file_name or f"导入.{kind}")
    path.write_bytes(file_bytes(importer.header, rows, kind))
    return path


def _blank(value: Any, kind: str) -> bool:
    """Whether a cell comes back empty: nothing, spaces, or (in a workbook) characters
    Excel cannot hold and a formula without a cached value."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if kind == "xlsx":
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            return True
    return not value.strip()


def data_rows(rows: list[list[Any]], width: int, kind: str) -> int:
    """The rows of the file an import must take: every one with a cell under a header."""
    return sum(1 for row in rows if not all(_blank(v, kind) for v in row[:width]))


def check_import(
    importer: Importer, cast: dict[str, Any], rows: list[list[Any]], kind: str
) -> bool:
    """Import the file; True when it went through. Asserts all or nothing either way."""
    path = write_file(importer, cast["folder"], rows, kind)
    before = row_counts()
    try:
        taken = importer.run(path, cast)
    except importer.refused as refused:
        problems = importer.problems(refused)
        assert problems, "a refusal names its problems"
        for line, _column, message in problems:
            assert line >= 0 and message.strip(), problems
        assert not changed(before, row_counts()), problems
        return False
    assert taken == data_rows(rows, len(importer.header), kind), "every row imported"
    assert changed(before, row_counts()), "an import that went through wrote its rows"
    return True


# --- how the pages and commands call their importers --------------------------------------


def checked_then_confirmed(importer: Callable[..., Any], actor: str) -> Callable[..., int]:
    """As a two-step page does: the stored upload checked (``dry_run``, writing nothing),
    then, confirmed, imported; the check and the import agree."""

    def run(path: Path, cast: dict[str, Any]) -> int:
        before = row_counts()
        checked = importer(path, actor=cast[actor], dry_run=True)
        assert not changed(before, row_counts()), "a check writes nothing"
        try:
            summary = importer(path, actor=cast[actor])
        except ImportRefused as exc:
            raise AssertionError(f"checked fine, then refused: {exc.errors}") from exc
        assert summary.rows == checked.rows
        return int(summary.rows)

    return run


def _homesteads(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.registers.importing.homesteads import import_homesteads

    return checked_then_confirmed(import_homesteads, "village_cadre")(path, cast)


def _construction(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.registers.importing.construction import import_ledger

    return checked_then_confirmed(import_ledger, "xc_secretary")(path, cast)


def _windows(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.registers.importing.windows import import_windows

    return checked_then_confirmed(import_windows, "xc_secretary")(path, cast)


def _monitoring(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.registers.importing.poverty import import_monitoring

    return checked_then_confirmed(import_monitoring, "village_cadre")(path, cast)


def _income(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.registers.importing.income import import_income

    return checked_then_confirmed(import_income, "xc_secretary")(path, cast)


def _mottos(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.partybuilding.importing_culture import import_mottos

    return checked_then_confirmed(import_mottos, "village_cadre")(path, cast)


def _performers(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.partybuilding.importing_culture import import_performers

    return checked_then_confirmed(import_performers, "village_cadre")(path, cast)


def _meetings(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.partybuilding.importing_meetings import import_meetings

    return checked_then_confirmed(import_meetings, "xc_secretary")(path, cast)


def _venues(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.partybuilding.imports_venues import import_venues

    return checked_then_confirmed(import_venues, "xc_secretary")(path, cast)


def _competition_entries(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.partybuilding.importing_competitions import import_entries

    competition = cast["competition"].pk

    def importer(source: Path, *, actor: Any, dry_run: bool = False) -> Any:
        return import_entries(competition, source, actor=actor, dry_run=dry_run)

    return checked_then_confirmed(importer, "xc_secretary")(path, cast)


def _assessment_entries(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.assessment.actions.entries import import_entries

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    summary = import_entries(cast["scheme"], upload, actor=cast["city_admin"])
    return int(summary.rows)


def _divisions(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.audit.models import AuditEntry

    call_command(
        "import_divisions", str(path.parent), "--quiet", stdout=io.StringIO(), stderr=io.StringIO()
    )
    # the command prints its summary; the audit entry holds the same counts
    after = AuditEntry.objects.filter(action="org.divisions.imported").latest("pk").after or {}
    return int(after["created"]) + int(after["updated"]) + int(after["unchanged"])


def _calendar(path: Path, cast: dict[str, Any]) -> int:
    from grassroots.common.models import CalendarDay

    call_command(
        "import_calendar",
        str(path),
        "--year",
        "2027",
        "--actor",
        cast["city_admin"].username,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return CalendarDay.objects.filter(notice_year=2027).count()


def _command_problems(exc: CommandError) -> list[Problem]:
    """The problems of the refusal a command reports (its error's cause): a division
    error names its file and field, a calendar error its field."""
    from grassroots.common.calendar_io import CalendarImportError
    from grassroots.org.divisions import DivisionImportError

    cause = exc.__cause__
    assert isinstance(cause, DivisionImportError | CalendarImportError), repr(exc)
    return [(e.line, e.field, e.message) for e in cause.errors]


# --- rows that import cleanly ---------------------------------------------------------------


def homestead_rows(cast: dict[str, Any]) -> list[list[Any]]:
    a, b = cast["households"][:2]
    head = a.members.get(relationship="head").name
    return [
        [VILLAGE, a.number, head, "JC-1", "120.5", "西府土批〔2012〕35号", "2012-05-17",
         "礼州村3组", "102.26", "28.04", ""],
        [VILLAGE, a.number, "", "JC-2", 80, "", "2013/6/1", "", "", "", "第二处"],
        [VILLAGE, b.number, "", "JC-3", "160", "", "", "", "", "", ""],
    ]  # fmt: skip


def construction_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "乱修滥建", "王大明", "13812345678", "礼州村3组12号", "2026-05-20",
         "2026-06-01", 120.5, None, "已制止", "2026-06-02", None, None, None],
        [NEIGHBOUR, "无序搬迁", "李四", "", "田坝村5组", "2016.03", "2016-04-02", None, 5,
         "已劝返", None, "2016-05-10", None, "已劝返原籍"],
        [VILLAGE, "违建", "", "0834-1234567", "礼州村1组", "2014年8月1日", "20260601", "60",
         None, "已拆除", None, "2026-06-10", "60", ""],
        ["513401101", "乱修滥建", "", "", "礼州镇集镇", "2026-01-05", "2026-02-01", None, None,
         "", None, None, None, "正在核查"],
    ]  # fmt: skip


def window_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        ["QH-1", "海河一号", VILLAGE, "1000", "2026", "实施中", "400", "", "102.26", "27.84",
         "清退鱼塘"],
        ["QH-2", "海河二号", VILLAGE, 500.5, 2025, "已补齐", "500.5", "2025-11-30", "", "", ""],
        ["QH-3", "海河三号", NEIGHBOUR, "300", "2027", "", "", "", "", "", ""],
    ]  # fmt: skip


def monitoring_rows(cast: dict[str, Any]) -> list[list[Any]]:
    a, b, c = cast["households"]
    return [
        [a.number, VILLAGE, "边缘易致贫户", "因病、因学", "2026-03-01", 4, 7200, "监测中", "",
         "健康帮扶、教育帮扶", ""],
        [b.number, VILLAGE, "脱贫不稳定户", "因病", "2026-01-05", "3", "6800", "",
         "2026-04-20", "", "电话回访"],
        [c.number, VILLAGE, "突发严重困难户", "因灾", "2026-02-01", "2", "15000", "风险已消除",
         "2026-05-10", "", "房屋已重建"],
    ]  # fmt: skip


def income_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "2025", 100000, "50000", "", 20000, "", ""],
        [VILLAGE, 2026, "120000", "", "", "", "0", "300000"],
        [NEIGHBOUR, "2026", "", "", "", "", "", 150000],
    ]


def motto_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "王家", "勤俭持家", "祖上三代务农"],
        [VILLAGE, "李家", "耕读传家", ""],
        [VILLAGE, "吉克家", "诚信做人，踏实做事", ""],
    ]


def performer_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "阿说莫", "舞蹈", "彝族舞蹈队", "1985", "13912345678", "是", "是", ""],
        [VILLAGE, "新人", "声乐", "", 1990, "", "否", "", "月琴"],
        [VILLAGE, "王五", "舞蹈", "", "", "0834-3221234", "", "否", ""],
    ]


def meeting_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        ["513401101", "", "党建月会", "2026-09", "2026-09-25", 9, 8, ""],
        ["", "礼州镇", "党委会", "2026年10月", "2026-10-08", "7", "7", "研究秋收"],
    ]


def competition_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        ["决赛", "", "田坝村", "竹竿舞", "舞蹈", "文艺队"],
        ["决赛", VILLAGE, "", "独唱·月亮", "声乐", ""],
        ["决赛", NEIGHBOUR, "", "山歌对唱", "", "张三、李四"],
    ]


def venue_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "", "标准化活动阵地", "礼州村党群服务中心", "", "260", "建成使用",
         "2024-06-01", "", ""],
        ["", "田坝村", "文化院坝", "田坝村文化院坝", "田坝村2组", "", "在建", "", "周末",
         "王五"],
        [VILLAGE, "", "文化院坝", "礼州村文化院坝", "", 120.5, "规划", "", "", ""],
    ]  # fmt: skip


def assessment_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        [VILLAGE, "visits", "2026-10", 95, "走访台账"],
        [NEIGHBOUR, "visits", "2026-Q3", "87.5", ""],
        ["513401102201", "visits", "2026", 70, ""],
    ]


def division_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        ["513401101203", "新华村村民委员会", "513401101"],
        [VILLAGE, "礼州村村民委员会", "513401101"],
        ["513401101001", "礼州社区居民委员会", "513401101"],
    ]


def calendar_rows(cast: dict[str, Any]) -> list[list[Any]]:
    return [
        ["2026-12-31", "休", "元旦", ""],
        ["2027-01-01", "休", "元旦", ""],
        ["2027/2/6", "放假", "春节", "除夕"],
        ["2027年2月20日", "班", "春节", ""],
        ["2027-10-09", "上班", "国庆节", ""],
    ]


IMPORTERS = [
    Importer(
        "homesteads",
        ["村(社区)编码", "户号", "户主姓名", "宗地编码", "面积(平方米)", "批准文号", "批准日期",
         "坐落", "经度", "纬度", "备注"],
        homestead_rows,
        _homesteads,
    ),
    Importer(
        "construction",
        ["村(社区)编码", "类型", "当事人", "联系电话", "地址", "建设或搬迁日期", "发现日期",
         "面积(平方米)", "人数", "状态", "制止日期", "办结日期", "拆除面积", "备注"],
        construction_rows,
        _construction,
    ),
    Importer(
        "windows",
        ["编号", "名称", "所属单位编码", "面积(平方米)", "计划年度", "状态", "已补齐面积",
         "补齐日期", "经度", "纬度", "备注"],
        window_rows,
        _windows,
    ),
    Importer(
        "monitoring",
        ["户号", "村(社区)编码", "监测类型", "风险类型(顿号分隔)", "纳入日期", "家庭人口",
         "人均纯收入(元)", "状态", "最近回访日期", "帮扶措施", "备注"],
        monitoring_rows,
        _monitoring,
    ),
    Importer(
        "income",
        ["村(社区)编码", "年度", "经营收入", "发包及上交收入", "投资收益", "补助收入",
         "其他收入", "年度目标"],
        income_rows,
        _income,
    ),
    Importer("mottos", ["村(社区)编码", "家庭", "家训", "家风故事"], motto_rows, _mottos),
    Importer(
        "performers",
        ["村(社区)编码", "姓名", "特长", "所在队伍", "出生年份", "联系电话", "文化带头人",
         "在册", "备注"],
        performer_rows,
        _performers,
    ),
    Importer(
        "meetings",
        ["单位编码", "单位名称", "会议类型", "所属月份", "召开日期", "应到人数", "实到人数",
         "会议主题"],
        meeting_rows,
        _meetings,
    ),
    Importer(
        "competition_entries",
        ["轮次", "村(社区)编码", "村(社区)名称", "节目名称", "类别", "表演者"],
        competition_rows,
        _competition_entries,
    ),
    Importer(
        "venues",
        ["村(社区)编码", "村(社区)名称", "类型", "名称", "地址", "面积(平方米)", "状态",
         "建成日期", "开放时间", "管理员"],
        venue_rows,
        _venues,
    ),
    Importer(
        "assessment_entries",
        ["单位代码", "指标代码", "期间", "数值", "依据"],
        assessment_rows,
        _assessment_entries,
    ),
    Importer(
        "divisions",
        ["code", "name", "streetCode"],
        division_rows,
        _divisions,
        refused=CommandError,
        problems=_command_problems,
        kinds=("csv",),
        file_name="villages.csv",
    ),
    Importer(
        "calendar",
        ["date", "kind", "name", "note"],
        calendar_rows,
        _calendar,
        refused=CommandError,
        problems=_command_problems,
    ),
]  # fmt: skip


# --- the world the rows name ----------------------------------------------------------------


def _scheme(tree: dict[str, Any]) -> Any:
    """A village scheme of 西昌 for 2026 with one indicator the office enters by hand."""
    from decimal import Decimal

    from grassroots.assessment.models import Category, Indicator, Scheme

    scheme = Scheme.objects.create(
        code="xc-village-2026",
        name="西昌市2026年村(社区)目标考核",
        year=2026,
        level="village",
        root=tree["city"],
        shrinkage=False,
        significance=False,
    )
    indicator = Indicator(
        scheme=scheme,
        code="visits",
        name="入户走访完成率",
        category=Category.SPECIFIC,
        weight=Decimal(10),
        source="entry",
        rule="range_linear",
        params={"floor": 0, "target": 100},
        position=1,
    )
    indicator.full_clean()
    indicator.save()
    return scheme


@pytest.fixture
def cast(
    tree: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
    official_calendar: Any,
    make_household: Any,
    tmp_path: Path,
    settings: Any,
) -> Iterator[dict[str, Any]]:
    """The people who import, three households of 礼州村, a 2026 scheme, and a competition
    of 礼州镇 in preparation with its round 决赛."""
    from tests.conftest import ensure_party_defaults
    from tests.partybuilding.competitions_support import make_competition

    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_party_defaults()
    from grassroots.partybuilding.actions import competitions

    competition = make_competition(tree["lizhou"], xc_secretary)
    competitions.add_round(competition.pk, {"name": "决赛", "order": 1}, actor=xc_secretary)
    folder = tmp_path / "files"
    folder.mkdir()
    yield {
        "tree": tree,
        "city_admin": city_admin,
        "xc_secretary": xc_secretary,
        "village_cadre": village_cadre,
        "households": [make_household(), make_household(), make_household()],
        "scheme": _scheme(tree),
        "competition": competition,
        "folder": folder,
    }


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "kind"),
    [(i, kind) for i in IMPORTERS for kind in i.kinds],
    ids=lambda v: v.name if isinstance(v, Importer) else v,
)
def test_a_file_of_valid_rows_imports_fully(
    importer: Importer, kind: str, cast: dict[str, Any]
) -> None:
    good = importer.good_rows(cast)
    assert check_import(importer, cast, good, kind)


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_a_broken_file_is_refused_whole_or_imported_whole(
    importer: Importer, cast: dict[str, Any]
) -> None:
    good = importer.good_rows(cast)
    files = broken_files(good)
    if importer.kinds == ("csv",):
        files = files.map(lambda example: (example[0], "csv"))

    @settings(FUZZ, max_examples=importer.examples)
    @given(files)
    def run(example: tuple[list[list[Any]], str]) -> None:
        from django.db import transaction

        rows, kind = example
        # each example on the fixture's rows: what an earlier one imported is rolled back
        with transaction.atomic():
            check_import(importer, cast, rows, kind)
            transaction.set_rollback(True)

    run()


def _tasks_of_file(path: Path, cast: dict[str, Any]) -> int:
    with path.open("rb") as fh:
        summary = _tasks(SimpleUploadedFile(path.name, fh.read()), cast["city_admin"])
    return int(summary.rows)


BY_NAME = {i.name: i for i in IMPORTERS} | {
    "tasks": Importer("tasks", TASK_HEADER, task_rows, _tasks_of_file)
}


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("windows", "计划年度"),
        ("monitoring", "家庭人口"),
        ("income", "年度"),
        ("meetings", "应到人数"),
        ("meetings", "实到人数"),
        ("tasks", "开始日期"),
    ],
)
def test_a_digit_python_cannot_read_as_a_number_is_a_problem_of_its_cell(
    name: str, column: str, cast: dict[str, Any]
) -> None:
    """``"²".isdigit()`` holds but ``int("²")`` raises: these cells raised ValueError (a
    500 on the import page) before the checks took ``isdecimal``."""
    importer = BY_NAME[name]
    rows = importer.good_rows(cast)
    rows[0][importer.header.index(column)] = "²"
    path = write_file(importer, cast["folder"], rows, "csv")
    before = row_counts()
    with pytest.raises(importer.refused) as refused:
        importer.run(path, cast)
    assert (2, column) in [(line, col) for line, col, _message in importer.problems(refused.value)]
    assert not changed(before, row_counts())
