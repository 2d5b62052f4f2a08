"""The venue ledger's Excel import (upload → check → confirm, all or nothing, problems by
line) and the export's round trip."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.models import Venue
from tests.partybuilding.venues_support import NOW, all_ids, inspect, venue

pytestmark = pytest.mark.django_db

HEADER = [
    "村(社区)编码",
    "村(社区)名称",
    "类型",
    "名称",
    "地址",
    "面积(平方米)",
    "状态",
    "建成日期",
    "开放时间",
    "管理员",
]


@pytest.fixture(autouse=True)
def _now(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def book(*rows: list[Any], header: list[str] = HEADER) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("阵地.xlsx", out.getvalue())


def upload(client: Any, file: SimpleUploadedFile) -> Any:
    return client.post(reverse("partybuilding:venues_import"), {"file": file})


def test_import_all_or_nothing(login: Any, xc_secretary: Any, tree: dict[str, Any]) -> None:
    client = login(xc_secretary)
    bad = book(
        [
            "513401101201",
            "",
            "标准化活动阵地",
            "礼州村党群服务中心",
            "",
            "260",
            "建成使用",
            "2024-06-01",
            "",
            "",
        ],
        ["", "田坝村", "文化院坝", "田坝村院坝", "", "abc", "", "", "", ""],
        ["513401102201", "", "文化院坝", "安宁村院坝", "", "", "", "", "", ""],
        ["", "", "不知道", "", "", "", "", "2099-01-01", "", ""],
    )
    response = upload(client, bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "不是数字" in html  # line 3
    assert "513401102201" in html  # line 4: not a village of the secretary's
    assert "无法识别的值" in html and "必填" in html  # line 5
    assert not Venue.objects.exists()
    good = book(
        [
            "513401101201",
            "",
            "标准化活动阵地",
            "礼州村党群服务中心",
            "",
            "260",
            "建成使用",
            "2024-06-01",
            "",
            "张三 13812345678",
        ],
        ["", "田坝村", "文化院坝", "田坝村院坝", "田坝一组", "120.5", "在建", "", "", ""],
    )
    response = upload(client, good)
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert not Venue.objects.exists()  # only checked
    token = client.session["partybuilding_venues"]["token"]
    response = client.post(reverse("partybuilding:venues_import"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert Venue.objects.count() == 2
    v = Venue.objects.get(name="田坝村院坝")
    assert (v.status, str(v.area_m2), v.kind) == ("building", "120.50", "culture_yard")
    entry = AuditEntry.objects.get(action="partybuilding.venue.imported")
    assert entry.after is not None and entry.after["created"] == 2
    created = AuditEntry.objects.filter(action="partybuilding.venue.created").order_by("pk").first()
    assert created is not None and "13812345678" not in str(created.after)


def test_import_refuses_without_record(login: Any, supervisor: Any) -> None:
    assert login(supervisor).get(reverse("partybuilding:venues_import")).status_code == 403


def test_export_round_trip(
    login: Any, city_admin: Any, tree: dict[str, Any], xc_secretary: Any
) -> None:
    a = venue(city_admin, tree["village"], area_m2="260", manager="张三 13812345678")
    inspect(xc_secretary, a, "2026-05-10", all_ids())
    venue(
        city_admin,
        tree["other_village"],
        "安宁村院坝",
        kind="culture_yard",
        status="building",
        built_on=None,
    )
    client = login(city_admin)
    response = client.get(reverse("partybuilding:venues_export"))
    assert response.status_code == 200
    data = response.content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:10]) == HEADER
    assert rows[1][3] == "礼州村党群服务中心" and rows[1][-1] == "是"
    assert "13812345678" not in str(rows) and "138****5678" in str(rows)
    before = {v.pk: (v.kind, v.name, v.status, v.area_m2, v.built_on) for v in Venue.objects.all()}
    response = upload(client, SimpleUploadedFile("export.xlsx", data))
    assert response.status_code == 200, response.content.decode()
    token = client.session["partybuilding_venues"]["token"]
    response = client.post(reverse("partybuilding:venues_import"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    after = {v.pk: (v.kind, v.name, v.status, v.area_m2, v.built_on) for v in Venue.objects.all()}
    assert after == before
    entry = AuditEntry.objects.get(action="partybuilding.venue.imported")
    assert entry.after is not None and entry.after["created"] == 0
    assert client.get(reverse("partybuilding:venues_template")).status_code == 200
