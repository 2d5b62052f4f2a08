"""The 天窗 ledger in Excel: import all or nothing with every problem by line and column,
the two-step page, the template and the export (which imports back unchanged)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.audit.models import AuditEntry
from grassroots.registers.importing.windows import RegisterImportError, import_windows
from grassroots.registers.models import Window

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)
HEADER = "编号,名称,所属单位编码,面积(平方米),计划年度,状态,已补齐面积,补齐日期,经度,纬度,备注"


@pytest.fixture(autouse=True)
def _now(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def csv_file(tmp_path: Path, *lines: str, name: str = "天窗.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


GOOD = (
    "QH-1,海河一号,513401101201,1000,2026,实施中,400,,102.26,27.84,清退鱼塘",
    "QH-2,海河二号,513401101201,500.5,2025,已补齐,500.5,2025-11-30,,,",
    "QH-3,海河三号,513401101202,300,2027,,,,,,",
)


def test_a_good_file_creates_and_updates_all_at_once(
    tree: dict[str, Any], xc_secretary: Any, tmp_path: Path
) -> None:
    Window.objects.create(
        unit=tree["village"], code="QH-1", name="旧名", area=Decimal(1000), plan_year=2026
    )
    summary = import_windows(csv_file(tmp_path, *GOOD), actor=xc_secretary)
    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (3, 2, 1, 0)
    one = Window.objects.get(code="QH-1")
    assert (one.name, one.status, one.restored_area, one.lat) == (
        "海河一号",
        "underway",
        Decimal(400),
        27.84,
    )
    two = Window.objects.get(code="QH-2")
    assert (two.status, two.restored_on) == ("restored", dt.date(2025, 11, 30))
    assert Window.objects.get(code="QH-3").status == "planned"  # from the figures
    entry = AuditEntry.objects.get(action="registers.window.imported")
    assert (entry.after or {})["created"] == 2 and (entry.after or {})["updated"] == 1
    assert len((entry.after or {})["sha256"]) == 64
    assert AuditEntry.objects.filter(action="registers.window.created").count() == 2


def test_a_check_only_writes_nothing(xc_secretary: Any, tmp_path: Path, tree: Any) -> None:
    summary = import_windows(csv_file(tmp_path, *GOOD), actor=xc_secretary, dry_run=True)
    assert summary.created == 3
    assert not Window.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_bad_file_lists_every_problem_by_line_and_writes_nothing(
    tree: dict[str, Any], village_cadre: Any, tmp_path: Path
) -> None:
    lines = (
        "QH-1,海河一号,513401101201,1000,2026,实施中,400,,,,",  # fine
        "QH-2,,513401101201,0,2026,,,,,,",  # no name, area 0
        "QH-3,三号,513401101202,10,2026,,,,,,",  # another village: not theirs
        "QH-4,四号,999,10,2026,,,,,,",  # no such unit
        "QH-1,重复,513401101201,10,2040,未知,,,,,",  # code twice, bad status
        "QH-6,六号,513401101201,10,2035,,,,,,",  # plan year out of the programme
        "QH-7,七号,513401101201,10,2026,已补齐,10,2026-02-30,,,",  # no such date
    )
    with pytest.raises(RegisterImportError) as caught:
        import_windows(csv_file(tmp_path, *lines), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert (3, "名称") in found
    assert (5, "所属单位编码") in found
    assert (6, "编号") in found and (6, "状态") in found
    assert (8, "补齐日期") in found
    assert not Window.objects.exists()
    assert not AuditEntry.objects.exists()
    # the rows' own rules come from the actions, in a second pass over a file whose cells read
    second = (
        "QH-2,二号,513401101201,0,2026,,,,,,",
        "QH-3,三号,513401101202,10,2026,,,,,,",
        "QH-6,六号,513401101201,10,2035,,,,,,",
    )
    with pytest.raises(RegisterImportError) as caught:
        import_windows(csv_file(tmp_path, GOOD[0], *second), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(3, "面积(平方米)"), (4, "所属单位编码"), (5, "计划年度")}
    assert not Window.objects.exists()


def test_nul_characters_are_dropped(xc_secretary: Any, tmp_path: Path, tree: Any) -> None:
    path = csv_file(tmp_path, "QH-\x001,一\x00号,513401101201\x00,10,2026,,,,,,")
    import_windows(path, actor=xc_secretary)
    assert Window.objects.get().code == "QH-1"


def test_unreadable_files_and_missing_columns(village_cadre: Any, tmp_path: Path) -> None:
    broken = tmp_path / "x.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(RegisterImportError) as caught:
        import_windows(broken, actor=village_cadre)
    assert caught.value.errors[0].line == 0
    headless = tmp_path / "h.csv"
    headless.write_text("编号,名称\nQH-1,一号\n", encoding="utf-8")
    with pytest.raises(RegisterImportError) as caught:
        import_windows(headless, actor=village_cadre)
    assert {e.column for e in caught.value.errors} >= {"所属单位编码", "面积(平方米)", "计划年度"}
    empty = csv_file(tmp_path)
    with pytest.raises(RegisterImportError):
        import_windows(empty, actor=village_cadre)


def test_the_import_page_checks_then_imports(
    login: Any, village_cadre: Any, supervisor: Any, tree: dict[str, Any]
) -> None:
    assert login(supervisor).get("/registers/windows/import/").status_code == 403
    client = login(village_cadre)
    assert client.get("/registers/windows/import/").status_code == 200
    data = ("\n".join([HEADER, GOOD[0], GOOD[1]]) + "\n").encode()
    checked = client.post(
        "/registers/windows/import/", {"file": SimpleUploadedFile("天窗.csv", data)}
    )
    assert checked.status_code == 200
    assert not Window.objects.exists()
    token = checked.context["token"]
    done = client.post("/registers/windows/import/", {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Window.objects.count() == 2
    bad = ("\n".join([HEADER, "QH-9,,513401101201,0,2026,,,,,,"]) + "\n").encode()
    refused = client.post(
        "/registers/windows/import/", {"file": SimpleUploadedFile("bad.csv", bad)}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "row-error" in html and "名称" in html
    stale = client.post("/registers/windows/import/", {"confirm": "1", "token": "x" * 20})
    assert stale.status_code == 400
    not_a_sheet = client.post(
        "/registers/windows/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")}
    )
    assert not_a_sheet.status_code == 400


def test_template_and_export_round_trip(
    login: Any, village_cadre: Any, outsider: Any, tree: dict[str, Any], tmp_path: Path
) -> None:
    client = login(village_cadre)
    template = client.get("/registers/windows/template/")
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["编号*", "名称*", "所属单位编码*"]
    import_windows(csv_file(tmp_path, GOOD[0], GOOD[1]), actor=village_cadre)
    Window.objects.create(
        unit=tree["other_village"], code="=HYPERLINK(1)", name="外乡", area=1, plan_year=2026
    )
    exported = client.get("/registers/windows/export/")
    assert exported.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(exported.content)
    rows = list(openpyxl.load_workbook(path).worksheets[0].values)
    assert rows[0][:3] == ("编号", "名称", "所属单位编码")
    assert [r[0] for r in rows[1:]] == ["QH-1", "QH-2"]  # the other township's is not theirs
    assert rows[2][5] == "已补齐"
    again = import_windows(path, actor=village_cadre)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    other = login(outsider).get("/registers/windows/export/")
    rows = list(openpyxl.load_workbook(io.BytesIO(other.content)).worksheets[0].values)
    assert rows[1][0] == "'=HYPERLINK(1)"  # no formula
