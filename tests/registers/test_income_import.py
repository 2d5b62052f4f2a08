"""The 村集体经济 ledger in Excel: income by source and targets per village-year, every
problem by line and column with nothing written, the export and the template."""

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
from grassroots.registers.importing.income import import_income
from grassroots.registers.importing.windows import RegisterImportError
from grassroots.registers.models import CollectiveIncome, IncomeTarget

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)
HEADER = "村(社区)编码,年度,经营收入,发包及上交收入,投资收益,补助收入,其他收入,年度目标"


@pytest.fixture(autouse=True)
def _now(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def sheet(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "收入.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_good_file(xc_secretary: Any, tree: dict[str, Any], tmp_path: Path) -> None:
    CollectiveIncome.objects.create(
        unit=tree["village"], year=2025, source="other", amount=Decimal(9)
    )
    lines = (
        "513401101201,2025,100000,50000,,20000,,",
        "513401101201,2026,120000,,,,0,300000",
        "513401101202,2026,,,,,,150000",
    )
    summary = import_income(sheet(tmp_path, *lines), actor=xc_secretary)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    figures = dict(
        CollectiveIncome.objects.filter(unit=tree["village"], year=2025).values_list(
            "source", "amount"
        )
    )
    # the empty cells kept what was there (其他收入 9)
    assert figures == {
        "operating": Decimal(100000),
        "contracting": Decimal(50000),
        "subsidy": Decimal(20000),
        "other": Decimal(9),
    }
    assert IncomeTarget.objects.get(unit=tree["neighbour_village"], year=2026).amount == 150000
    assert AuditEntry.objects.filter(action="registers.collective_income.imported").count() == 1
    again = import_income(sheet(tmp_path, *lines), actor=xc_secretary)
    assert again.unchanged == 3


def test_a_bad_file(village_cadre: Any, tmp_path: Path) -> None:
    second = (
        "513401101201,2025,100000,,,,,",
        "513401101201,2025,1,,,,,",  # twice
        "513401101202,2025,1,,,,,",  # not theirs
        "513401101201,1999,1,,,,,",  # year
        "513401101201,2024,-1,abc,,,,0",  # amounts and target
        "nope,2024,1,,,,,",
    )
    with pytest.raises(RegisterImportError) as caught:
        import_income(sheet(tmp_path, *second), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert (3, "年度") in found
    assert (7, "村(社区)编码") in found
    assert not CollectiveIncome.objects.exists()
    lines = (
        "513401101201,2025,100000,,,,,",
        "513401101202,2025,1,,,,,",
        "513401101201,1999,1,,,,,",
        "513401101201,2024,-1,,,,,",
        "513401101201,2023,1,,,,,0",
    )
    with pytest.raises(RegisterImportError) as caught:
        import_income(sheet(tmp_path, *lines), actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert found == {(3, "村(社区)编码"), (4, "年度"), (5, "经营收入"), (6, "年度目标")}
    assert not CollectiveIncome.objects.exists()
    assert not IncomeTarget.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_page_the_export_and_the_template(
    login: Any, village_cadre: Any, tree: dict[str, Any], tmp_path: Path
) -> None:
    client = login(village_cadre)
    data = (HEADER + "\n513401101201,2026,120000,,,,,200000\n").encode()
    checked = client.post("/registers/income/import/", {"file": SimpleUploadedFile("a.csv", data)})
    assert checked.status_code == 200
    assert not CollectiveIncome.objects.exists()
    done = client.post(
        "/registers/income/import/", {"confirm": "1", "token": checked.context["token"]}
    )
    assert done.status_code == 302
    exported = client.get("/registers/income/export/?year=2026")
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).worksheets[0].values)
    assert rows[0] == tuple(HEADER.split(","))
    assert rows[1][:3] == ("513401101201", 2026, 120000)
    assert rows[1][7] == 200000
    template = client.get("/registers/income/template/")
    headers = [
        c.value for c in openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0][1]
    ]
    assert headers[:2] == ["村(社区)编码*", "年度*"]
