"""The construction ledger import: a good ledger (all rows, numbered, flagged, audited), a
bad one (every problem by line and column, nothing written), duplicates, scope, and the
page's check-then-confirm flow and template."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from grassroots.audit.models import AuditEntry
from grassroots.registers.importing.construction import LedgerImportError, import_ledger
from grassroots.registers.models import ConstructionCase

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.registers.test_construction_support",)

HEADER = [
    "村(社区)编码",
    "类型",
    "当事人",
    "联系电话",
    "地址",
    "建设或搬迁日期",
    "发现日期",
    "面积(平方米)",
    "人数",
    "状态",
    "制止日期",
    "办结日期",
    "拆除面积",
    "备注",
]
GOOD: list[list[Any]] = [
    ["513401101201", "乱修滥建", "王大明", "13812345678", "礼州村3组12号", dt.date(2026, 5, 20),
     dt.date(2026, 6, 1), 120.5, None, "已制止", dt.date(2026, 6, 2), None, None, None],
    ["513401101202", "无序搬迁", "李四", "", "田坝村5组", "2016.03", "2016-04-02", None, 5,
     "已劝返", None, "2016-05-10", None, "已劝返原籍"],
    ["513401101201", "违建", "", "0834-1234567", "礼州村1组", "2014年8月1日", "20260601", "60",
     None, "已拆除", None, "2026-06-10", "60", ""],
    ["513401101", "乱修滥建", "", "", "礼州镇集镇", "2026-01-05", "2026-02-01", None, None, "",
     None, None, None, "正在核查"],
]  # fmt: skip


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("台账.xlsx", out.getvalue())


def test_a_good_ledger_is_imported_whole(village_cadre: Any, xc_secretary: Any, clock: Any) -> None:
    checked = import_ledger(workbook(GOOD), actor=xc_secretary, dry_run=True)
    assert (checked.rows, checked.buildings, checked.relocations) == (4, 3, 1)
    assert checked.new_cases == 3  # built 2026, moved 2016, built 2014 (no), 2026
    assert not ConstructionCase.objects.exists()
    summary = import_ledger(workbook(GOOD), actor=xc_secretary)
    assert summary.created == 4
    cases = {c.address: c for c in ConstructionCase.objects.all()}
    first = cases["礼州村3组12号"]
    assert first.number == "WJ-513401101201-2026-0001"
    assert (first.status, first.stopped_on, first.is_new) == ("stopped", dt.date(2026, 6, 2), True)
    assert first.source == "import" and first.party_phone == "13812345678"
    moved = cases["田坝村5组"]
    assert (moved.kind, moved.status, moved.people, moved.started_on) == (
        "relocation",
        "returned",
        5,
        dt.date(2016, 3, 1),
    )
    assert moved.number == "BQ-513401101202-2016-0001"
    old = cases["礼州村1组"]
    assert old.is_new is False and old.demolished_area == Decimal("60.00")
    assert cases["礼州镇集镇"].description == "正在核查"
    assert AuditEntry.objects.filter(action="registers.constructioncase.imported").count() == 4
    assert "13812345678" not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_a_bad_ledger_lists_every_problem_and_writes_nothing(xc_secretary: Any, clock: Any) -> None:
    rows: list[list[Any]] = [
        ["999999", "乱修滥建", "", "", "某地", "2026-01-01", "2026-02-01"] + [None] * 7,
        ["513401101201", "棚房", "", "12345", "某地", "2026-01-01", "2026-02-01"] + [None] * 7,
        ["513401101201", "乱修滥建", "", "", "", "2026-03-01", "2026-02-01"] + [None] * 7,
        ["513401101201", "乱修滥建", "", "", "某地2", "2026-01-01", "2026-07-01"] + [None] * 7,
        ["513401101201", "乱修滥建", "", "", "某地3", "2026-01-01", "2026-02-01", "10", None,
         "已拆除", None, "2026-03-01", "20", None],
        ["513401101201", "乱修滥建", "", "", "某地4", "2026-01-01", "2026-02-01", None, None,
         "已劝返", None, "2026-03-01", None, None],
        ["513401102201", "乱修滥建", "", "", "安宁村", "2026-01-01", "2026-02-01"] + [None] * 7,
        ["513401101201001", "乱修滥建", "", "", "网格", "2026-01-01", "2026-02-01"] + [None] * 7,
        GOOD[0],
        GOOD[0],
    ]  # fmt: skip
    with pytest.raises(LedgerImportError) as caught:
        import_ledger(workbook(rows), actor=xc_secretary)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert {
        (2, "村(社区)编码"),  # no such unit
        (3, "类型"),  # not a kind
        (3, "联系电话"),
        (4, "地址"),  # required
        (4, "建设或搬迁日期"),  # built after found
        (5, "发现日期"),  # in the future
        (6, "拆除面积"),  # more than the area
        (7, "状态"),  # a building is not moved back
        (8, "村(社区)编码"),  # another township's village
        (9, "村(社区)编码"),  # a grid
        (11, "地址"),  # the same case as line 10
    } <= found
    assert (10, "地址") not in found
    assert not ConstructionCase.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registers.constructioncase").exists()


def test_the_messages_are_chinese(xc_secretary: Any, clock: Any) -> None:
    rows = [["999999", "乱修滥建", "", "", "某地", "2026-01-01", "2026-02-01"] + [None] * 7]
    with pytest.raises(LedgerImportError) as caught:
        import_ledger(workbook(rows), actor=xc_secretary)
    assert caught.value.errors[0].message == "没有代码为 999999 的单位。"


def test_a_missing_column_is_named(xc_secretary: Any, clock: Any) -> None:
    with pytest.raises(LedgerImportError) as caught:
        import_ledger(workbook([GOOD[0][1:]], header=HEADER[1:]), actor=xc_secretary)
    assert [(e.line, e.column) for e in caught.value.errors] == [(1, "村(社区)编码")]


def test_a_case_already_in_the_register_is_refused(
    xc_secretary: Any, make_case: Any, clock: Any
) -> None:
    existing = make_case(address="礼州村3组12号", started_on=dt.date(2026, 5, 20))
    with pytest.raises(LedgerImportError) as caught:
        import_ledger(workbook([GOOD[0]]), actor=xc_secretary)
    assert existing.number in caught.value.errors[0].message
    assert ConstructionCase.objects.count() == 1


def test_numbers_continue_after_the_register(xc_secretary: Any, make_case: Any, clock: Any) -> None:
    make_case(address="别处")
    import_ledger(workbook([GOOD[0]]), actor=xc_secretary)
    assert ConstructionCase.objects.filter(number="WJ-513401101201-2026-0002").exists()


# --- the page ---------------------------------------------------------------------------------


def test_the_page_checks_then_imports(
    login: Any, xc_secretary: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    client = login(xc_secretary)
    url = reverse("registers:construction_import")
    assert client.get(url).status_code == 200
    checked = client.post(url, {"file": workbook(GOOD)})
    assert checked.status_code == 200
    assert checked.context["checked"].rows == 4
    assert not ConstructionCase.objects.exists()
    token = checked.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert ConstructionCase.objects.count() == 4


def test_the_page_shows_errors_by_line(
    login: Any, xc_secretary: Any, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    rows = [["999999", "乱修滥建", "", "", "某地", "2026-01-01", "2026-02-01"] + [None] * 7]
    response = login(xc_secretary).post(
        reverse("registers:construction_import"), {"file": workbook(rows)}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "没有代码为 999999 的单位。" in text
    assert '<td data-label="行">2</td>' in text
    assert not ConstructionCase.objects.exists()


def test_a_grid_worker_may_not_import(login: Any, grid_worker: Any, clock: Any) -> None:
    assert login(grid_worker).get(reverse("registers:construction_import")).status_code == 403


def test_the_template_has_the_chinese_headers(login: Any, village_cadre: Any, clock: Any) -> None:
    response = login(village_cadre).get(reverse("registers:construction_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [str(c.value).rstrip("*") for c in next(sheet.iter_rows(max_row=1))]
    assert header == HEADER
