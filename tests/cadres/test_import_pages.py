"""The roster import page: upload → check → preview (N new, M updated) → confirm; the
template download; who may use them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.audit.models import AuditEntry
from grassroots.cadres.importing import import_cadres
from grassroots.cadres.models import Cadre
from tests.cadres.test_import import ID_A, csv_file, good_rows

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _setup(tmp_path: Path) -> Any:
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(DATA_DIR=tmp_path / "data"),
    ):
        yield


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_check_then_confirm_imports_the_roster(
    tmp_path: Path, login: Any, org_dept: Any, make_cadre: Any
) -> None:
    make_cadre(id_number=ID_A, name="沙马拉且", post="党委委员")
    client = login(org_dept)
    url = reverse("cadres:import")

    checked = client.post(url, {"file": upload(csv_file(tmp_path, good_rows()))})

    assert checked.status_code == 200
    page = checked.content.decode()
    assert "3 行检查无误——新建 2 条，更新 1 条，0 条不变" in page
    assert "沙马拉且" in page and "现任职务" in page  # the file that changes, and how
    assert Cadre.objects.count() == 1  # nothing written yet
    token = checked.context["token"]

    done = client.post(url, {"confirm": "1", "token": token}, follow=True)

    assert done.status_code == 200
    assert "新建档案 2 份，更新 1 份" in done.content.decode()
    assert Cadre.objects.count() == 3
    assert AuditEntry.objects.filter(action="cadres.cadre.imported").count() == 1
    # the kept upload is gone: a second confirm imports nothing again
    again = client.post(url, {"confirm": "1", "token": token})
    assert again.status_code == 400
    assert AuditEntry.objects.filter(action="cadres.cadre.imported").count() == 1


def test_a_file_with_problems_lists_them_and_offers_no_confirm(
    tmp_path: Path, login: Any, org_dept: Any
) -> None:
    rows = good_rows()
    rows[1][2] = "火星族"  # line 3, 民族
    response = login(org_dept).post(
        reverse("cadres:import"), {"file": upload(csv_file(tmp_path, rows))}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“火星族”不是56个民族之一" in page
    assert 'name="confirm"' not in page
    assert not Cadre.objects.exists()


def test_a_forged_token_imports_nothing(tmp_path: Path, login: Any, org_dept: Any) -> None:
    client = login(org_dept)
    client.post(reverse("cadres:import"), {"file": upload(csv_file(tmp_path, good_rows()))})
    response = client.post(reverse("cadres:import"), {"confirm": "1", "token": "x" * 32})
    assert response.status_code == 400
    assert not Cadre.objects.exists()


def test_not_a_spreadsheet_is_refused_at_the_field(login: Any, org_dept: Any) -> None:
    bad = SimpleUploadedFile("roster.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = login(org_dept).post(reverse("cadres:import"), {"file": bad})
    assert response.status_code == 400
    assert "roster.pdf 不是表格文件" in response.content.decode()


@pytest.mark.parametrize("who", ["xc_secretary", "city_admin", "supervisor", "village_cadre"])
def test_only_the_organisation_department_may_import(
    who: str, request: Any, login: Any, tmp_path: Path
) -> None:
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("cadres:import")).status_code == 403
    assert client.get(reverse("cadres:import_template")).status_code == 403
    response = client.post(
        reverse("cadres:import"), {"file": upload(csv_file(tmp_path, good_rows()))}
    )
    assert response.status_code == 403
    assert not Cadre.objects.exists()


def test_the_page_shows_the_tabs_and_the_template_link(login: Any, org_dept: Any) -> None:
    response = login(org_dept).get(reverse("cadres:import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("cadres:import_template") in page
    assert 'aria-current="page"' in page  # the tab of the section


def test_the_template_has_the_headers_and_an_example_that_imports(
    tmp_path: Path, login: Any, org_dept: Any, tree: dict[str, Any]
) -> None:
    response = login(org_dept).get(reverse("cadres:import_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["姓名*", "性别", "民族*", "出生日期", "身份证号*"]
    assert "单位代码" in header and "职级*" in header
    assert book.sheetnames == ["干部花名册", "填写说明"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    summary = import_cadres(path, actor=org_dept)
    assert summary.created == 1
    assert Cadre.objects.get().unit == tree["lizhou"]
