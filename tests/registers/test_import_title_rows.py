"""Registers' sheets as offices keep them: a title row, a blank row and a
"填报单位：… 填报日期：…" line above the header import; problems name the sheet's rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from grassroots.registers.importing.homesteads import HomesteadImportError, import_homesteads
from grassroots.registers.models import Homestead, Window

pytestmark = pytest.mark.django_db

HEADER = ["村(社区)编码", "户号", "户主姓名", "宗地编码", "面积(平方米)", "批准日期"]
VILLAGE = "513401101201"
TOP: list[list[Any]] = [
    ["礼州村宅基地台账（2026年）"],
    [],
    ["填报单位：礼州村", None, None, "填报日期：2026年5月20日"],
]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path) -> Iterator[None]:
    with override_settings(DATA_DIR=tmp_path / "data"):
        yield


def sheet(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    ws.merge_cells("A1:F1")
    book.save(path)
    return path


def test_a_ledger_with_a_title_and_a_filled_by_line_imports(
    tmp_path: Path, village_cadre: Any, make_household: Any
) -> None:
    a, b = make_household(), make_household()
    rows = [HEADER, [VILLAGE, a.number, "", "JC-1", 120, "2012-05-17"]]
    rows.append([VILLAGE, b.number, "", "JC-2", 80, ""])
    summary = import_homesteads(sheet(tmp_path / "台账.xlsx", TOP + rows), actor=village_cadre)
    assert (summary.rows, summary.created) == (2, 2)
    assert set(Homestead.objects.values_list("parcel_number", flat=True)) == {"JC-1", "JC-2"}


def test_its_problems_name_the_sheets_own_rows(
    tmp_path: Path, village_cadre: Any, make_household: Any
) -> None:
    a = make_household()
    rows = [HEADER, [VILLAGE, a.number, "", "JC-1", 120, ""], [VILLAGE, "NOPE", "", "JC-2", 0, ""]]
    with pytest.raises(HomesteadImportError) as caught:
        import_homesteads(sheet(tmp_path / "台账.xlsx", TOP + rows), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(6, "户号"), (6, "面积(平方米)")}
    assert not Homestead.objects.exists()


def test_a_header_below_the_top_rows_is_a_missing_column(
    tmp_path: Path, village_cadre: Any, make_household: Any
) -> None:
    a = make_household()
    notes = [["说明", f"第{n}条"] for n in range(1, 11)]
    rows = TOP + notes + [HEADER, [VILLAGE, a.number, "", "JC-1", 120, ""]]
    with pytest.raises(HomesteadImportError) as caught:
        import_homesteads(sheet(tmp_path / "台账.xlsx", rows), actor=village_cadre)
    assert {(e.line, e.column) for e in caught.value.errors} == {
        (4, "村(社区)编码"),
        (4, "户号"),
        (4, "宗地编码"),
        (4, "面积(平方米)"),
    }
    assert "缺少此列" in caught.value.errors[0].message
    assert not Homestead.objects.exists()


def test_the_window_page_checks_and_imports_a_sheet_with_a_title(
    tree: dict[str, Any], xc_secretary: Any, login: Any, tmp_path: Path
) -> None:
    header = ["编号", "名称", "所属单位编码", "面积(平方米)", "计划年度"]
    rows: list[list[Any]] = [["邛海天窗补齐台账"], ["填报单位：礼州镇"], header]
    rows.append(["QH-1", "海河一号", VILLAGE, 1000, 2026])
    data = sheet(tmp_path / "天窗.xlsx", rows).read_bytes()
    client = login(xc_secretary)
    url = reverse("registers:window_import")
    upload = SimpleUploadedFile("天窗.xlsx", data)
    checked = client.post(url, {"file": upload})
    assert checked.status_code == 200
    assert not Window.objects.exists()
    token = checked.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Window.objects.get().code == "QH-1"
