"""Importing a task list with its cascade from the office's spreadsheet: every problem
listed by line and column, all or nothing, the tasks written through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from tests.supervision.conftest import audits, lines

HEADER = [
    "编号", "上级编号", "任务名称", "文号", "类型", "督办等级", "责任单位", "配合单位",
    "开始日期", "完成时限", "目标值", "计量单位", "里程碑", "预算(万元)", "地点", "受益人数",
]  # fmt: skip


def row(**cells: Any) -> list[Any]:
    keys = ["no", "parent", "title", "doc", "kind", "level", "unit", "co", "start", "deadline",
            "target", "measure", "milestones", "budget", "location", "beneficiaries"]  # fmt: skip
    return [cells.get(k, "") for k in keys]


GOOD = [
    row(no="1", title="新增村集体经济收入", doc="西委办〔2026〕12号", kind="重点任务",
        level="重点", unit="513401", co="西昌市住房和城乡建设局", start="2026-09-01",
        deadline="2026-12-31", target="100", measure="万元",
        milestones="完成摸底@2026-10-15;完成过半@2026-11-30"),
    row(no="1.1", parent="1", unit="礼州镇", deadline="2026-12-20", target="60"),
    row(no="1.1.1", parent="1.1", unit="礼州村", deadline="2026-12-15", target="35"),
    row(no="1.1.2", parent="1.1", unit="513401101202", deadline="2026-12-15", target="25",
        milestones="完成立项@2026-10-01"),
    row(no="1.2", parent="1", unit="安宁镇", deadline="2026-12-31", target="40"),
    row(no="2", title="文化院坝建设", kind="民生工程", unit="礼州镇", start="2026-09-01",
        deadline="2027-06-30", budget="85.5", location="礼州村", beneficiaries="1200人"),
]  # fmt: skip


def xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "tasks.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    path = tmp_path / name
    book.save(path)
    return path


def csv_file(tmp_path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    path = tmp_path / "tasks.csv"
    text = "\n".join(",".join(str(c) for c in r) for r in [HEADER, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def problems(exc: Any) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in exc.value.errors]


def test_imports_a_tree_through_the_actions(tmp_path: Path, units: Any, city_admin: Any) -> None:
    from grassroots.supervision.importing import import_tasks
    from grassroots.supervision.models import Task

    summary = import_tasks(xlsx(tmp_path, GOOD), actor=city_admin)

    assert (summary.rows, summary.roots, summary.tasks) == (6, 2, 6)
    root = Task.objects.get(title="新增村集体经济收入", parent=None)
    assert root.unit == units["city"] and root.is_rollup
    assert root.level == "key" and root.doc_number == "西委办〔2026〕12号"
    assert [u.code for u in root.co_units.all()] == ["513401D01"]
    assert sorted(m.title for m in root.milestones.all()) == ["完成摸底", "完成过半"]
    lizhou = Task.objects.get(parent=root, unit=units["lizhou"])
    assert lizhou.target_value == Decimal(60) and lizhou.deadline == dt.date(2026, 12, 20)
    assert lizhou.title == root.title and lizhou.target_measure == "万元"
    villages = {t.unit.code: t for t in Task.objects.filter(parent=lizhou)}
    assert villages["513401101201"].target_value == Decimal(35)
    assert [m.title for m in villages["513401101202"].milestones.all()] == ["完成立项"]
    assert sum(t.target_value for t in villages.values()) <= lizhou.target_value
    project = Task.objects.get(title="文化院坝建设")
    assert project.kind == "livelihood" and project.budget == Decimal("85.5")
    assert project.beneficiaries == "1200人" and project.target_value is None
    # one audit entry per task created, as the actions write them, naming the file
    assert len(audits("supervision.task.created")) == 6
    # one cascade per parent and deadline: the root twice (12-20, 12-31), 礼州镇 once
    assert len(audits("supervision.task.cascaded")) == 3
    assert "tasks.xlsx" in lines(root, "create")[0].note


def test_a_bad_file_lists_every_problem_and_writes_nothing(
    tmp_path: Path, units: Any, city_admin: Any
) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks
    from grassroots.supervision.models import Task

    rows = [
        *GOOD[:2],
        row(no="1.1.1", parent="1.1", unit="礼州村", deadline="2026-12-25", target="70"),  # 4
        row(no="1.1.2", parent="1.1", unit="不存在村", deadline="2026-12-15", target="20"),  # 5
        row(no="1.1", parent="1", unit="安宁镇", deadline="2026-12-31", target="10"),  # 6
        row(no="3", parent="9", unit="安宁镇", deadline="2026-12-31"),  # 7
        row(no="4", title="违建整治", kind="专项", unit="513401", deadline="2026-13-40"),  # 8
        row(no="5", title="违建整治", kind="专项行动", unit="513401", start="2026-09-01",
            deadline="2026-08-01", target="-3", budget="10"),  # 9
    ]  # fmt: skip
    with pytest.raises(TaskImportError) as exc:
        import_tasks(xlsx(tmp_path, rows), actor=city_admin)

    found = problems(exc)
    assert (3, "目标值", "下级任务的目标值合计为 70，超过本任务的目标值 60。") in found
    assert (4, "完成时限", "完成时限 2026-12-25 晚于上级任务的完成时限 2026-12-20。") in found
    assert (5, "责任单位", "没有编码或名称为“不存在村”的单位。") in found
    assert (6, "编号", "编号 1.1 已在第 3 行使用。") in found
    assert (7, "上级编号", "表中没有编号为 9 的行。") in found
    assert any(line == 8 and col == "类型" for line, col, _m in found)
    assert any(line == 8 and col == "完成时限" for line, col, _m in found)
    assert any(line == 9 and col == "完成时限" and "早于" in m for line, col, m in found)
    assert any(line == 9 and col == "目标值" for line, col, _m in found)
    assert any(line == 9 and col == "预算(万元)" for line, col, _m in found)
    assert [e.line for e in exc.value.errors] == sorted(e.line for e in exc.value.errors)
    assert str(exc.value.errors[0]).startswith("第 3 行，目标值：")
    assert not Task.objects.exists()


def test_children_must_be_below_the_parents_unit_and_unique(
    tmp_path: Path, units: Any, city_admin: Any
) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks

    rows = [
        row(no="1", title="违建整治", kind="专项行动", unit="礼州镇", start="2026-09-01",
            deadline="2026-12-31", target="120", measure="处"),
        row(no="2", parent="1", unit="安宁村", deadline="2026-12-31", target="10"),
        row(no="3", parent="1", unit="礼州村", deadline="2026-12-31", target="10"),
        row(no="4", parent="1", unit="礼州村", deadline="2026-12-31", target="10"),
        row(no="5", parent="1", unit="田坝村", deadline="2026-12-31"),
        row(no="6", parent="1", unit="礼州村第1网格", deadline="2026-12-31", target="1",
            kind="重点任务"),
    ]  # fmt: skip
    with pytest.raises(TaskImportError) as exc:
        import_tasks(xlsx(tmp_path, rows), actor=city_admin)
    found = {(line, col) for line, col, _m in problems(exc)}
    assert (3, "责任单位") in found  # 安宁村 is below 安宁镇
    assert (5, "责任单位") in found  # 礼州村 twice
    assert (6, "目标值") in found  # the parent has a target: a share is needed
    assert (7, "类型") in found  # a sub-task has its parent's type
    assert (7, "责任单位") in found  # grids get no share


def test_a_unit_outside_the_actors_scope_is_refused(
    tmp_path: Path, units: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks
    from grassroots.supervision.models import Task

    rows = [row(no="1", title="安宁任务", kind="重点任务", unit="安宁镇", deadline="2026-12-31")]
    with pytest.raises(TaskImportError) as exc:
        import_tasks(xlsx(tmp_path, rows), actor=xc_secretary)
    assert problems(exc)[0][:2] == (2, "责任单位")
    assert not Task.objects.exists()


def test_reimporting_the_same_file_is_refused(tmp_path: Path, units: Any, city_admin: Any) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks
    from grassroots.supervision.models import Task

    path = xlsx(tmp_path, GOOD)
    import_tasks(path, actor=city_admin)
    count = Task.objects.count()
    with pytest.raises(TaskImportError) as exc:
        import_tasks(path, actor=city_admin)
    assert {(e.line, e.column) for e in exc.value.errors} == {(2, "任务名称"), (7, "任务名称")}
    assert Task.objects.count() == count


def test_gbk_csv_and_uploaded_files(tmp_path: Path, units: Any, city_admin: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.supervision.importing import import_tasks
    from grassroots.supervision.models import Task

    rows = [
        row(no="1", title="邛海天窗修复", kind="重点任务", unit="513401101",
            start="2026/9/1", deadline="2026年12月31日", target="8", measure="处"),
        row(no="2", parent="1", unit="礼州村", deadline="2026.12.30", target="8"),
    ]  # fmt: skip
    path = csv_file(tmp_path, rows, encoding="gb18030")
    upload = SimpleUploadedFile("清单.csv", path.read_bytes())
    summary = import_tasks(upload, actor=city_admin)
    assert summary.file == "清单.csv" and summary.tasks == 2
    child = Task.objects.get(unit=units["village"])
    assert child.deadline == dt.date(2026, 12, 30) and child.target_value == 8


def test_dry_run_writes_nothing(tmp_path: Path, units: Any, city_admin: Any) -> None:
    from grassroots.supervision.importing import import_tasks
    from grassroots.supervision.models import Task

    summary = import_tasks(xlsx(tmp_path, GOOD), actor=city_admin, dry_run=True)
    assert summary.rows == 6 and summary.tasks == 0
    assert not Task.objects.exists()


def test_a_missing_column_is_reported(tmp_path: Path, units: Any, city_admin: Any) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks

    path = tmp_path / "t.csv"
    path.write_text("编号,任务名称\n1,x\n", encoding="utf-8")
    with pytest.raises(TaskImportError) as exc:
        import_tasks(path, actor=city_admin)
    assert {(e.line, e.column) for e in exc.value.errors} == {(1, "责任单位"), (1, "完成时限")}


def test_command(tmp_path: Path, units: Any, city_admin: Any, capsys: Any) -> None:
    from grassroots.supervision.models import Task

    call_command("import_tasks", str(xlsx(tmp_path, GOOD)), user="city_admin", quiet=True)
    out = capsys.readouterr().out
    assert "重点任务" in out and "6" in out
    assert Task.objects.count() == 6
    bad = xlsx(tmp_path, [row(no="1", unit="x", deadline="y")], name="bad.xlsx")
    with pytest.raises(CommandError):
        call_command("import_tasks", str(bad), user="city_admin", quiet=True)
    assert "第 2 行" in capsys.readouterr().err


def test_parent_loops_and_children_without_a_target(
    tmp_path: Path, units: Any, city_admin: Any
) -> None:
    from grassroots.supervision.importing import TaskImportError, import_tasks

    rows = [
        row(no="1", title="文明创建", kind="重点任务", unit="礼州镇", deadline="2026-12-31"),
        row(no="2", parent="1", unit="礼州村", deadline="2026-12-31", target="5"),
        row(no="3", parent="4", unit="田坝村", deadline="2026-12-31"),
        row(no="4", parent="3", unit="礼州村", deadline="2026-12-31"),
    ]  # fmt: skip
    with pytest.raises(TaskImportError) as exc:
        import_tasks(xlsx(tmp_path, rows), actor=city_admin)
    found = problems(exc)
    assert (3, "目标值", "上级任务没有目标值，无从分解。") in found
    assert (4, "上级编号", "上级编号形成了循环。") in found
    assert (5, "上级编号", "上级编号形成了循环。") in found


def test_children_without_a_target_are_assigned(
    tmp_path: Path, units: Any, city_admin: Any
) -> None:
    from grassroots.supervision.importing import import_tasks
    from grassroots.supervision.models import Task

    rows = [
        row(no="1", title="文明创建", kind="重点任务", unit="礼州镇", deadline="2026-12-31"),
        row(no="2", parent="1", unit="礼州村", deadline="2026-12-31", title="礼州村文明创建",
            co="田坝村", level="挂牌督办"),
        row(no="3", parent="1", unit="田坝村", deadline="2026-11-30"),
    ]  # fmt: skip
    import_tasks(xlsx(tmp_path, rows), actor=city_admin)
    child = Task.objects.get(unit=units["village"])
    assert child.title == "礼州村文明创建" and child.level == "listed"
    assert [u.name for u in child.co_units.all()] == ["田坝村"]
    assert child.target_value is None and child.parent is not None
    assert Task.objects.get(unit=units["neighbour_village"]).deadline == dt.date(2026, 11, 30)
