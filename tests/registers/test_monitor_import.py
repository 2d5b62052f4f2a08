"""The 防返贫监测 ledger in Excel: new and updated monitorings, reviews and removals from
the sheet, every problem by line and column with nothing written, and the export (no
names)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import poverty as actions
from grassroots.registers.importing.poverty import import_monitoring
from grassroots.registers.importing.windows import RegisterImportError
from grassroots.registers.models import Assistance, MonitoredHousehold, Review

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)
HEADER = (
    "户号,村(社区)编码,监测类型,风险类型(顿号分隔),纳入日期,家庭人口,人均纯收入(元),"
    "状态,最近回访日期,帮扶措施,备注"
)
VILLAGE = "513401101201"


@pytest.fixture(autouse=True)
def _now(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def sheet(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "监测.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_new_updated_reviewed_and_removed_in_one_file(
    village_cadre: Any, make_household: Any, tmp_path: Path
) -> None:
    new, old, gone = make_household(), make_household(), make_household()
    existing = actions.put_under_monitoring(
        actor=village_cadre,
        household=old,
        kind="edge",
        risks=["illness"],
        since=dt.date(2026, 1, 5),
        members=3,
        income_per_capita="6000",
    )
    lines = (
        f"{new.number},{VILLAGE},边缘易致贫户,因病、因学,2026-03-01,4,7200,监测中,,健康帮扶、教育帮扶、修缮房屋,",
        f"{old.number},{VILLAGE},脱贫不稳定户,因病,2026-01-05,3,6800,,2026-04-20,,电话回访",
        f"{gone.number},{VILLAGE},突发严重困难户,因灾,2026-02-01,2,15000,风险已消除,2026-05-10,,房屋已重建",
    )
    summary = import_monitoring(sheet(tmp_path, *lines), actor=village_cadre)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    fresh = MonitoredHousehold.objects.get(household=new)
    assert fresh.risks == ["illness", "schooling"]
    assert sorted(Assistance.objects.filter(monitored=fresh).values_list("kind", flat=True)) == [
        "education",
        "health",
        "other",
    ]
    existing.refresh_from_db()
    assert existing.kind == "unstable"
    assert existing.last_reviewed_on == dt.date(2026, 4, 20)
    assert existing.income_per_capita == Decimal(6800)
    removed = MonitoredHousehold.objects.get(household=gone)
    assert (removed.status, removed.removed_on) == ("removed", dt.date(2026, 5, 10))
    assert Review.objects.get(monitored=removed).note == "房屋已重建"
    assert AuditEntry.objects.filter(action="registers.monitored.imported").count() == 1
    # the same file again changes nothing
    again = import_monitoring(sheet(tmp_path, *lines), actor=village_cadre)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_bad_file_names_every_problem_and_writes_nothing(
    village_cadre: Any, make_household: Any, tmp_path: Path, tree: dict[str, Any]
) -> None:
    one, two = make_household(), make_household()
    second = (
        f"{one.number},{VILLAGE},富裕户,因懒,2026-13-01,0,-5,,,,",  # kind, risk, date
        f"{two.number},{VILLAGE},边缘易致贫户,因病,2026-03-01,3,5000,风险已消除,,,",  # no date
        f"NOPE,{VILLAGE},边缘易致贫户,因病,2026-03-01,3,5000,,,,",  # no such household
        f"{two.number},{VILLAGE},边缘易致贫户,因病,2026-03-01,3,5000,,,,",  # twice
    )
    with pytest.raises(RegisterImportError) as caught:
        import_monitoring(sheet(tmp_path, *second), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert {(2, "监测类型"), (2, "风险类型(顿号分隔)"), (2, "纳入日期")} <= found
    assert (3, "最近回访日期") in found
    assert (4, "户号") in found
    assert (5, "户号") in found
    assert not MonitoredHousehold.objects.exists()
    # the actions' rules, by line: members and income out of range; another village
    neighbour_grid = tree["neighbour_village"].children.create(
        code="513401101202001", name="田坝村第1网格", kind="grid"
    )
    far = make_household(grid=neighbour_grid)
    lines = (
        f"{one.number},{VILLAGE},边缘易致贫户,因病,2026-03-01,0,5000,,,,",
        f"{two.number},{VILLAGE},边缘易致贫户,因病,2026-03-01,3,-1,,,,",
        f"{far.number},513401101202,边缘易致贫户,因病,2026-03-01,3,5000,,,,",
    )
    with pytest.raises(RegisterImportError) as caught:
        import_monitoring(sheet(tmp_path, *lines), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(2, "家庭人口"), (3, "人均纯收入(元)"), (4, "村(社区)编码")}
    assert not MonitoredHousehold.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_export_has_numbers_not_names_and_imports_back(
    login: Any, village_cadre: Any, make_household: Any, tmp_path: Path
) -> None:
    household = make_household()
    line = f"{household.number},{VILLAGE},边缘易致贫户,因病,2026-03-01,4,7200,,2026-04-01,就业帮扶,"
    import_monitoring(sheet(tmp_path, line), actor=village_cadre)
    client = login(village_cadre)
    exported = client.get("/registers/monitoring/export/")
    assert exported.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(exported.content)
    rows = list(openpyxl.load_workbook(path).worksheets[0].values)
    assert rows[1][0] == household.number
    assert rows[1][3] == "因病"
    head = household.members.get(relationship="head").name
    assert all(head not in str(cell) for row in rows for cell in row)
    again = import_monitoring(path, actor=village_cadre)
    assert again.unchanged == 1
    template = client.get("/registers/monitoring/template/")
    headers = [
        c.value for c in openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0][1]
    ]
    assert headers[0] == "户号*"
