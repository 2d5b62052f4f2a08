"""Hypothesis against the importers the offices upload files to: the household register
(residents), the cadre roster (cadres), the task list (supervision) and the events of an
earlier system (events).

Each example writes a real .csv or .xlsx file — rows that import cleanly mixed with broken
cells (empty, far too long, wrong types, odd unicode, spreadsheet formulas, dates out of
range, bad ID numbers, duplicated rows) — and hands it to the importer as an uploaded file,
the way the import page does. The importer must never raise anything but its own
refusal; a refusal lists problems by line and names the column, and leaves every table
(the audit log among them) with the rows it had; an import that goes through takes every
row. A file of valid rows alone always imports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from grassroots.common.tabular import ImportRefused
from tests.conftest import valid_id_number
from tests.fuzz.conftest import changed, row_counts

#: Examples per operation / importer; GRASSROOTS_FUZZ_EXAMPLES raises it for a longer run.
EXAMPLES = int(os.environ.get("GRASSROOTS_FUZZ_EXAMPLES", "25"))

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

#: Cells people really put in spreadsheets, and worse.
NASTY = [
    "",
    " ",
    "x" * 300,
    "长" * 1000,
    "=1+1",
    '=HYPERLINK("http://example.com","点我")',
    "+86 138",
    "@SUM(A1)",
    "-1",
    "0",
    "1e308",
    "NaN",
    "None",
    "null",
    "2026-13-45",
    "1899-12-31",
    "9999-12-31",
    "0000-00-00",
    "2026/02/30",
    "513401199913319999",
    "51340119800101001X",
    "12345",
    "１２３",
    "\u200b",
    "\u202e反向",
    "𠀀𪚥",
    "🙂",
    "ｅｖｉｌ",
    "a\nb",
    "'",
    '"',
    "\\",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]

cell_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
)


@dataclass(frozen=True)
class Importer:
    """One importer: its header, rows that import cleanly, and how to call it."""

    name: str
    header: list[str]
    good_rows: Callable[[dict[str, Any]], list[list[Any]]]
    run: Callable[[Any, Any], Any]
    actor: str


def file_bytes(header: list[str], rows: list[list[Any]], kind: str) -> bytes:
    """The rows under the header as a .csv (UTF-8 with BOM, as Excel saves it) or .xlsx."""
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"导入.{kind}", content)


@st.composite
def broken_files(draw: st.DrawFn, good: list[list[Any]]) -> tuple[list[list[Any]], str]:
    """Some of the good rows (possibly repeated), with some cells replaced by bad ones."""
    picks = draw(st.lists(st.integers(0, len(good) - 1), min_size=1, max_size=len(good) + 1))
    rows = [list(good[i]) for i in picks]
    width = len(good[0])
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, width - 1))
        rows[r][c] = draw(cell_values)
    if draw(st.booleans()):
        rows.append(draw(st.lists(cell_values, min_size=0, max_size=width + 2)))
    return rows, draw(st.sampled_from(["csv", "xlsx"]))


def check_import(
    importer: Importer, world: dict[str, Any], rows: list[list[Any]], kind: str
) -> bool:
    """Import the file; True when it went through. Asserts all or nothing either way."""
    before = row_counts()
    content = file_bytes(importer.header, rows, kind)
    try:
        importer.run(upload(content, kind), world[importer.actor])
    except ImportRefused as refused:
        assert refused.errors, "a refusal names its problems"
        for error in refused.errors:
            assert error.line >= 0 and error.message.strip(), error
        assert not changed(before, row_counts()), [str(e) for e in refused.errors]
        return False
    assert changed(before, row_counts()), "an import that went through wrote its rows"
    return True


# --- the importers -----------------------------------------------------------------------

GRID = "513401101201001"


def household_rows(world: dict[str, Any]) -> list[list[Any]]:
    id1 = valid_id_number("19700302", 801)
    id2 = valid_id_number("19720815", 802, male=False)
    id4 = valid_id_number("19480909", 804, male=False)
    return [
        [GRID, "0101", "礼州村1组12号", "吉克石且", "户主", "", id1, "", "138 1234 5678",
         "常住", "在住", "", ""],
        [GRID, "0101", "", "沙马阿依", "妻", "女", id2, "1972-08-15", "", "", "", "", ""],
        [GRID, "0101", "", "吉克拉且", "儿子", "男", "", "2015/3/4", "", "流动", "", "",
         "外出务工"],
        [GRID, "0102", "礼州村1组13号", "阿苦阿果", "户主", "", id4, "", "0834-3221234",
         "户籍", "", "", ""],
    ]  # fmt: skip


def cadre_rows(world: dict[str, Any]) -> list[list[Any]]:
    return [
        ["沙马拉且", "男", "彝族", "1988-04-02", valid_id_number("19880402", 11),
         "13881500001", "大学本科", "2010-06-01", "2011-08-01", "513401101", "",
         "党委委员、副镇长", "副科级", "2021-09-01"],
        ["王丽", "", "汉", "", valid_id_number("19931120", 12, male=False), "", "大专", "",
         "", "", "礼州村", "村党总支书记、主任", "村(社区)正职", ""],
        ["吉克伍呷", "", "彝族", "1979.01", valid_id_number("19790109", 13), "", "高中",
         "2005年7月", "", "513401101202", "田坝村村民委员会", "村委会委员",
         "村(社区)两委委员", ""],
    ]  # fmt: skip


def task_rows(world: dict[str, Any]) -> list[list[Any]]:
    return [
        ["1", "", "新增村集体经济收入", "西委办〔2026〕12号", "重点任务", "重点", "513401",
         "西昌市住房和城乡建设局", "2027-01-04", "2027-12-31", "100", "万元",
         "完成摸底@2027-03-15;完成过半@2027-06-30", "", "", ""],
        ["1.1", "1", "", "", "", "", "礼州镇", "", "", "2027-12-20", "60", "", "", "", "",
         ""],
        ["1.1.1", "1.1", "", "", "", "", "礼州村", "", "", "2027-12-15", "35", "", "", "",
         "", ""],
        ["1.2", "1", "", "", "", "", "安宁镇", "", "", "2027-12-31", "40", "", "", "", "",
         ""],
        ["2", "", "文化院坝建设", "", "民生工程", "", "礼州镇", "", "2027-01-04",
         "2027-06-30", "", "", "", "85.5", "礼州村", "1200人"],
    ]  # fmt: skip


EVENT_HEADER = [
    "工单编号", "标题", "内容", "类别", "来源", "联系人", "联系电话", "地址", "经度", "纬度",
    "所属网格", "乡镇(街道)", "村(社区)", "上报时间", "受理时间", "办结时间", "结案时间",
    "处置单位", "满意度", "状态",
]  # fmt: skip


def event_rows(world: dict[str, Any]) -> list[list[Any]]:
    return [
        ["SC202611010001", "楼道堆放杂物", "三单元楼道堆放杂物", "SRHJ01", "12345热线",
         "王先生", "13812345678", "礼州镇礼州村3组", "102.05", "27.85", "", "", "",
         "2026-11-02 09:15:00", "2026-11-02 10:00", "2026-11-03 16:30", "2026-11-04 09:00",
         "", "满意", "已办结"],
        ["SC202611010002", "路灯不亮", "", "SRHJ01", "", "", "", "", "", "", "", "礼州镇",
         "田坝村", "2026-11-05 08:00", "", "", "", "", "", ""],
    ]  # fmt: skip


def _events(source: Any, actor: Any) -> Any:
    import tempfile

    from grassroots.events.importing import import_events

    suffix = "." + source.name.rsplit(".", 1)[-1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(source.read())
        handle.flush()
        return import_events(handle.name, actor=actor)


def _households(source: Any, actor: Any) -> Any:
    from grassroots.residents.importing.households import import_households

    return import_households(source, actor=actor)


def _cadres(source: Any, actor: Any) -> Any:
    from grassroots.cadres.importing import import_cadres

    return import_cadres(source, actor=actor)


def _tasks(source: Any, actor: Any) -> Any:
    from grassroots.supervision.importing import import_tasks

    return import_tasks(source, actor=actor)


HOUSEHOLD_HEADER = [
    "网格编码", "户号", "门牌地址", "姓名", "与户主关系", "性别", "公民身份号码",
    "出生日期", "联系电话", "人口类型", "状态", "变动日期", "备注",
]  # fmt: skip
CADRE_HEADER = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "学历", "入党时间",
    "参加基层工作时间", "单位代码", "单位名称", "现任职务", "职级", "任现职时间",
]  # fmt: skip
TASK_HEADER = [
    "编号", "上级编号", "任务名称", "文号", "类型", "督办等级", "责任单位", "配合单位",
    "开始日期", "完成时限", "目标值", "计量单位", "里程碑", "预算(万元)", "地点", "受益人数",
]  # fmt: skip

IMPORTERS = [
    Importer(
        "households",
        HOUSEHOLD_HEADER,
        household_rows,
        _households,
        "village_cadre",
    ),
    Importer(
        "cadres",
        CADRE_HEADER,
        cadre_rows,
        _cadres,
        "org_dept",
    ),
    Importer(
        "tasks",
        TASK_HEADER,
        task_rows,
        _tasks,
        "city_admin",
    ),
    Importer("events", EVENT_HEADER, event_rows, _events, "city_admin"),
]


@pytest.fixture
def people(
    tree: dict[str, Any],
    city_admin: Any,
    village_cadre: Any,
    official_calendar: Any,
    tmp_path: Any,
    settings: Any,
) -> Iterator[dict[str, Any]]:
    from grassroots.events.models import Category
    from grassroots.org.models import Membership, User
    from tests.conftest import PASSWORD, ensure_key_groups
    from tests.open311.support import make_grids

    ensure_key_groups()
    make_grids(tree)
    parent = Category.objects.create(code="SRHJ", name="市容环境", resolve_workdays=5)
    Category.objects.create(
        code="SRHJ01", name="乱堆乱放", parent=parent, resolve_workdays=3,
        default_department=tree["department"],
    )  # fmt: skip
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    org = User.objects.create_user(username="org_dept", password=PASSWORD, full_name="组织部")
    Membership.objects.create(user=org, unit=tree["city"], role="org_department")
    yield {"city_admin": city_admin, "village_cadre": village_cadre, "org_dept": org}


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_of_valid_rows_imports_fully(
    importer: Importer, kind: str, people: dict[str, Any]
) -> None:
    good = importer.good_rows(people)
    before = row_counts()
    content = file_bytes(importer.header, good, kind)
    summary = importer.run(upload(content, kind), people[importer.actor])
    assert summary.rows == len(good)
    assert changed(before, row_counts())


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_a_broken_file_is_refused_whole_or_imported_whole(
    importer: Importer, people: dict[str, Any]
) -> None:
    good = importer.good_rows(people)

    @FUZZ
    @given(broken_files(good))
    def run(example: tuple[list[list[Any]], str]) -> None:
        from django.db import transaction

        rows, kind = example
        # each example on the fixture's rows: what an earlier one imported is rolled back
        with transaction.atomic():
            check_import(importer, people, rows, kind)
            transaction.set_rollback(True)

    run()
