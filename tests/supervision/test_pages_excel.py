"""Excel at the supervision pages: 导出 Excel of a task's tree and of the filtered list
(only what the viewer may see, as real workbooks with Chinese file names), and the import
page: a check that lists every problem by line and column and writes nothing, then a
confirm that imports the kept file through the actions; 403 without the right to deploy,
a clear error for a file that is not a spreadsheet."""

from __future__ import annotations

import html
import io
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.supervision.conftest import audits
from tests.supervision.test_import_tasks import GOOD, HEADER, row

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = "/supervision/import/"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, settings: Any) -> Path:
    """Uploads waiting for confirmation go under a temporary DATA_DIR."""
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR)


def waiting(data_dir: Path) -> list[Path]:
    folder = data_dir / "tmp" / "task-imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def sheet_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[0]
    found = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return found


def titles(rows: list[list[Any]]) -> list[str]:
    return [str(r[0]) for r in rows[1:]]


def units_of(rows: list[list[Any]]) -> list[str]:
    return [str(r[4]) for r in rows[1:]]


def upload(rows: list[list[Any]], name: str = "督办任务.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


# --- export ------------------------------------------------------------------------------


def test_the_task_export_holds_the_visible_tree(
    login: Any, city_admin: Any, village_cadre: Any, village_tasks: dict[str, Any]
) -> None:
    village = village_tasks["village"]
    township = village.parent

    rows = sheet_rows(login(city_admin).get(f"/supervision/{township.pk}/export/"))
    assert rows[0][0] == "任务"
    assert units_of(rows) == ["礼州镇", "礼州村", "田坝村"]
    assert titles(rows) == ["新增村集体经济收入", "　新增村集体经济收入", "　新增村集体经济收入"]
    assert rows[1][6] == 100 and rows[2][6] == 60 and rows[3][6] == 40

    # the village cadre sees neither the township's task above nor the neighbour's share
    response = login(village_cadre).get(f"/supervision/{village.pk}/export/")
    rows = sheet_rows(response)
    assert units_of(rows) == ["礼州村"]
    assert titles(rows) == ["新增村集体经济收入"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="supervision-task-{village.pk}-2026-09-01.xlsx"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "新增村集体经济收入-2026-09-01.xlsx"


def test_a_task_out_of_scope_is_not_exported(
    login: Any, neighbour_cadre: Any, village_tasks: dict[str, Any]
) -> None:
    response = login(neighbour_cadre).get(f"/supervision/{village_tasks['village'].pk}/export/")
    assert response.status_code == 404


def test_the_list_export_follows_the_list_and_its_filters(
    login: Any, xc_secretary: Any, deploy: Any, village_tasks: dict[str, Any], units: Any
) -> None:
    deploy(title="人居环境整治", kind="campaign", target_value=None, target_measure="")
    deploy(title="安宁镇道路硬化", unit=units["anning"])  # another township: not 礼州镇's
    client = login(xc_secretary)

    # the list page's link exports what the page lists
    page = client.get("/supervision/?q=人居").content.decode()
    link = re.search(r'class="export-list" href="([^"]+)"', page)
    assert link is not None
    rows = sheet_rows(client.get(html.unescape(link.group(1))))
    assert titles(rows) == ["人居环境整治"]

    rows = sheet_rows(client.get("/supervision/export/?unit=513401101"))
    assert sorted(titles(rows)) == ["人居环境整治", "新增村集体经济收入"]
    assert "安宁镇道路硬化" not in titles(rows)

    rows = sheet_rows(client.get("/supervision/export/?unit=513401101&tab=issued"))
    assert sorted(units_of(rows)) == ["田坝村", "礼州村"]

    rows = sheet_rows(client.get("/supervision/export/?unit=513401101&kind=campaign"))
    assert titles(rows) == ["人居环境整治"]

    response = client.get("/supervision/export/?unit=513401101")
    encoded = response["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "督办任务-礼州镇-2026-09-01.xlsx"
    assert client.get("/supervision/export/?unit=513401102").status_code == 404


# --- import ------------------------------------------------------------------------------


def test_the_template_is_a_workbook_with_the_headers(login: Any, city_admin: Any) -> None:
    response = login(city_admin).get("/supervision/import/template/")
    rows = sheet_rows(response)
    assert rows[0][:3] == ["编号*", "上级编号", "任务名称"]
    assert len(rows) == 2
    page = login(city_admin).get(IMPORT).content.decode()
    assert 'href="/supervision/import/template/"' in page


def test_the_check_lists_problems_by_line_and_writes_nothing(
    login: Any, city_admin: Any, units: Any, _data_dir: Path
) -> None:
    from grassroots.supervision.models import Task

    bad = [
        *GOOD[:2],
        row(no="1.1.1", parent="1.1", unit="不存在村", deadline="2026-12-15", target="20"),
        row(no="4", title="违建整治", kind="专项行动", unit="513401", deadline="2026-13-40"),
    ]
    response = login(city_admin).post(IMPORT, {"file": upload(bad)})

    assert response.status_code == 400
    found = [(e.line, e.column) for e in response.context["errors"]]
    assert (4, "责任单位") in found and (5, "完成时限") in found
    page = response.content.decode()
    assert "没有编码或名称为“不存在村”的单位。" in page
    assert '<td data-label="行">4</td>' in page
    assert 'name="confirm"' not in page
    assert not Task.objects.exists()
    assert waiting(_data_dir) == []


def test_a_good_file_is_checked_then_imported(
    login: Any, city_admin: Any, units: Any, _data_dir: Path
) -> None:
    from grassroots.supervision.models import Task

    client = login(city_admin)
    response = client.post(IMPORT, {"file": upload(GOOD)})

    assert response.status_code == 200
    assert "督办任务.xlsx：6 行无误。" in response.content.decode()
    assert 'name="confirm"' in response.content.decode()
    assert not Task.objects.exists()
    assert len(waiting(_data_dir)) == 1
    token = response.context["token"]

    # a token not of this session imports nothing
    other = login(city_admin).post(IMPORT, {"token": token, "confirm": "1"})
    assert other.status_code == 400
    assert not Task.objects.exists()

    response = client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/supervision/?tab=issued"
    assert Task.objects.count() == 6
    assert Task.objects.filter(parent=None).count() == 2
    assert len(audits("supervision.task.created")) == 6
    root = Task.objects.get(title="文化院坝建设")
    assert "从 督办任务.xlsx 导入" in {a.note for a in root.actions.all()}
    assert waiting(_data_dir) == []

    # the same token again: the file is gone, nothing more is written
    again = client.post(IMPORT, {"token": token, "confirm": "1"})
    assert again.status_code == 400
    assert Task.objects.count() == 6


def test_only_those_who_may_deploy_import(
    login: Any, xc_secretary: Any, village_cadre: Any, units: Any
) -> None:
    from grassroots.supervision.models import Task

    for user in (xc_secretary, village_cadre):
        client = login(user)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"file": upload(GOOD)}).status_code == 403
        assert client.get("/supervision/import/template/").status_code == 403
        assert "/supervision/import/" not in client.get("/supervision/").content.decode()
    assert not Task.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_error(
    login: Any, city_admin: Any, units: Any, _data_dir: Path
) -> None:
    client = login(city_admin)
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
    response = client.post(IMPORT, {"file": photo})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "现场.png 不是表格文件：请选择 Excel（.xlsx）或 CSV（.csv）文件。"
    ]

    fake = SimpleUploadedFile("任务.xlsx", "编号,责任单位\n".encode(), XLSX)
    response = client.post(IMPORT, {"file": fake})
    assert response.status_code == 400
    assert "任务.xlsx 不是 Excel 工作簿（.xlsx）" in response.content.decode()
    assert waiting(_data_dir) == []


def test_uploads_older_than_a_day_are_swept(
    login: Any, city_admin: Any, units: Any, _data_dir: Path
) -> None:
    client = login(city_admin)
    first = client.post(IMPORT, {"file": upload(GOOD)})
    assert first.status_code == 200
    [folder] = waiting(_data_dir)
    old = time.time() - 2 * 24 * 3600
    os.utime(folder, (old, old))

    login(city_admin).post(IMPORT, {"file": upload(GOOD)})
    assert folder not in waiting(_data_dir)
    assert len(waiting(_data_dir)) == 1
