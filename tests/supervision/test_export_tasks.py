"""Spreadsheets: a task tree with progress, a list of tasks, the import template."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def sheet_rows(data: bytes, index: int = 0) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return list(book.worksheets[index].iter_rows(values_only=True))


def test_tree_with_verified_progress(
    village_tasks: dict[str, Any], village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.actions import report_progress, verify_progress
    from grassroots.supervision.exporting import export_tree

    task = village_tasks["village"]
    report = report_progress(task, actor=village_cadre, value=Decimal(30), note="已完成一半")
    verify_progress(report, actor=xc_secretary, accepted=True)
    rows = sheet_rows(export_tree(task.parent))
    assert rows[0][0] == "任务" and rows[0][9] == "核实进度(%)"
    assert len(rows) == 4  # header, 礼州镇, 礼州村, 田坝村
    by_unit = {r[4]: r for r in rows[1:]}
    village = by_unit["礼州村"]
    assert village[0].startswith("　")  # indented below its parent
    assert (village[6], village[8], village[9]) == (60, 30, 50)
    assert village[11] == "正常推进"
    assert "2026-09-01 30" in village[14] and "核实通过" in village[14]
    assert by_unit["田坝村"][11] == "未开始" and by_unit["田坝村"][14] is None


def test_list_and_template(village_tasks: dict[str, Any], tmp_path: Path, city_admin: Any) -> None:
    from grassroots.supervision.exporting import export_tasks, template_workbook
    from grassroots.supervision.importing import import_tasks
    from grassroots.supervision.models import Task

    rows = sheet_rows(export_tasks(Task.objects.order_by("tree_path")))
    assert [r[4] for r in rows[1:]] == ["礼州镇", "礼州村", "田坝村"]

    template = template_workbook()
    header, example = sheet_rows(template)[:2]
    assert header[0] == "编号*" and "上级编号" in header and "里程碑" in header
    assert example[2] == "新增村集体经济收入"
    # the template's example row imports as it is
    path = tmp_path / "template.xlsx"
    path.write_bytes(template)
    summary = import_tasks(path, actor=city_admin)
    assert summary.tasks == 1


def test_formula_text_is_not_a_formula(deploy: Any) -> None:
    from grassroots.supervision.exporting import export_tree

    task = deploy(title="=HYPERLINK(1)")
    assert sheet_rows(export_tree(task))[1][0] == "'=HYPERLINK(1)"
