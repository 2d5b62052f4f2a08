"""The homestead ledger: import (all or nothing, errors by line, upsert by village and
parcel number), its template, and the export (scope, masked holders)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.audit.models import AuditEntry
from grassroots.common.masking import mask_name
from grassroots.registers.importing.homesteads import (
    HomesteadImportError,
    import_homesteads,
)
from grassroots.registers.models import Homestead
from tests.registers.homesteads_support import head_name, parcel

pytestmark = pytest.mark.django_db

HEADER = "村(社区)编码,户号,户主姓名,宗地编码,面积(平方米),批准文号,批准日期,坐落,经度,纬度,备注"
VILLAGE = "513401101201"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path) -> Iterator[None]:
    with override_settings(DATA_DIR=tmp_path / "data"):
        yield


def ledger(tmp_path: Path, *lines: str, name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def households(make_household: Any) -> list[Any]:
    return [make_household(), make_household()]


def test_a_good_ledger_is_imported_with_audit_entries(
    tmp_path: Path, village_cadre: Any, households: list[Any]
) -> None:
    a, b = households
    path = ledger(
        tmp_path,
        f"{VILLAGE},{a.number},{head_name(a)},JC-1,120.5,西府土批〔2012〕35号,2012-05-17,礼州村3组,102.26,28.04,",
        f"{VILLAGE},{a.number},,JC-2,80,,2013/6/1,,,,第二处",
        f"{VILLAGE},{b.number},,JC-3,160,,,,,,",
    )
    checked = import_homesteads(path, actor=village_cadre, dry_run=True)
    assert (checked.rows, checked.created, checked.updated) == (3, 3, 0)
    assert not Homestead.objects.exists()
    summary = import_homesteads(path, actor=village_cadre)
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    first = Homestead.objects.get(parcel_number="JC-1")
    assert first.household == a and first.area == Decimal("120.50")
    assert first.approved_on == dt.date(2012, 5, 17)
    assert (first.lat, first.lon) == (28.04, 102.26)
    assert AuditEntry.objects.filter(action="registers.homestead.created").count() == 3
    file_entry = AuditEntry.objects.get(action="registers.homestead.imported")
    assert file_entry.after and file_entry.after["created"] == 3
    assert file_entry.unit_path.endswith(VILLAGE)


def test_an_existing_parcel_is_updated_by_village_and_parcel_number(
    tmp_path: Path, village_cadre: Any, households: list[Any]
) -> None:
    a, b = households
    kept = parcel(a, "100", parcel_number="JC-1")
    path = ledger(
        tmp_path, f"{VILLAGE},{b.number},,JC-1,101,,,,,,", f"{VILLAGE},{a.number},,JC-9,90,,,,,,"
    )
    summary = import_homesteads(path, actor=village_cadre)
    assert (summary.created, summary.updated) == (1, 1)
    kept.refresh_from_db()
    assert kept.household == b and kept.area == Decimal("101.00")
    entry = AuditEntry.objects.get(action="registers.homestead.updated")
    assert (entry.before, entry.after) == (
        {"area": "100.00", "household_id": a.pk},
        {"area": "101.00", "household_id": b.pk},
    )
    again = import_homesteads(path, actor=village_cadre)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_bad_ledger_lists_every_problem_by_line_and_writes_nothing(
    tmp_path: Path, village_cadre: Any, households: list[Any]
) -> None:
    a, b = households
    retired = parcel(b, parcel_number="OLD", active=False)
    path = ledger(
        tmp_path,
        f"{VILLAGE},{a.number},,JC-1,120,,,,,,",  # line 2: fine
        f"{VILLAGE},{a.number},,JC-2,0,,,,,,",  # line 3: area
        f"{VILLAGE},NOPE,,JC-3,100,,,,,,",  # line 4: unknown household
        f"{VILLAGE},{b.number},张三,JC-4,100,,,,,,",  # line 5: not the head
        f"{VILLAGE},{b.number},,JC-1,100,,,,,,",  # line 6: duplicate parcel
        f"513401101202,{b.number},,JC-5,100,,,,,,",  # line 7: 田坝村, not theirs
        f"{VILLAGE},{b.number},,JC-6,100,,2999-01-01,,102,,",  # line 8: date, lat missing
        f"{VILLAGE},{b.number},,{retired.parcel_number},100,,,,,,",  # line 9: retired
        f"999,{b.number},,JC-7,1e9,,,,,,",  # line 10: village code, area
    )
    with pytest.raises(HomesteadImportError) as caught:
        import_homesteads(path, actor=village_cadre)
    found = {(e.line, e.column) for e in caught.value.errors}
    assert (3, "面积(平方米)") in found
    assert (4, "户号") in found
    assert (5, "户主姓名") in found
    assert (6, "宗地编码") in found
    assert (7, "村(社区)编码") in found
    assert (8, "批准日期") in found and (8, "纬度") in found
    assert (9, "宗地编码") in found
    assert (10, "村(社区)编码") in found and (10, "面积(平方米)") in found
    assert 2 not in {e.line for e in caught.value.errors}
    assert Homestead.objects.count() == 1  # only the retired parcel made above
    assert not AuditEntry.objects.filter(action__startswith="registers.homestead").exists()


def test_a_file_without_the_required_columns(tmp_path: Path, village_cadre: Any) -> None:
    path = tmp_path / "x.csv"
    path.write_text("户号,面积\nH1,100\n", encoding="utf-8")
    with pytest.raises(HomesteadImportError) as caught:
        import_homesteads(path, actor=village_cadre)
    assert {e.column for e in caught.value.errors} == {"村(社区)编码", "宗地编码"}
    assert {e.line for e in caught.value.errors} == {1}


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_the_import_page_checks_then_imports(
    tmp_path: Path, login: Any, village_cadre: Any, households: list[Any]
) -> None:
    a, _b = households
    client = login(village_cadre)
    url = reverse("registers:homestead_import")
    assert client.get(url).status_code == 200
    checked = client.post(
        url, {"file": upload(ledger(tmp_path, f"{VILLAGE},{a.number},,JC-1,120,,,,,,"))}
    )
    assert checked.status_code == 200
    assert 'name="confirm"' in checked.content.decode()
    assert not Homestead.objects.exists()
    done = client.post(url, {"confirm": "1", "token": checked.context["token"]})
    assert done.status_code == 302
    assert Homestead.objects.get().parcel_number == "JC-1"


def test_the_import_page_shows_the_errors(
    tmp_path: Path, login: Any, village_cadre: Any, households: list[Any]
) -> None:
    client = login(village_cadre)
    answer = client.post(
        reverse("registers:homestead_import"),
        {"file": upload(ledger(tmp_path, f"{VILLAGE},NOPE,,JC-1,120,,,,,,"))},
    )
    assert answer.status_code == 400
    assert "NOPE" in answer.content.decode()
    assert not Homestead.objects.exists()


def test_only_managers_import(login: Any, supervisor: Any, grid_worker: Any) -> None:
    for user in (supervisor, grid_worker):
        client = login(user)
        assert client.get(reverse("registers:homestead_import")).status_code == 403
        assert client.get(reverse("registers:homestead_template")).status_code == 403


def test_the_template_has_the_chinese_headers(login: Any, village_cadre: Any) -> None:
    answer = login(village_cadre).get(reverse("registers:homestead_template"))
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:5] == ["村(社区)编码*", "户号*", "户主姓名", "宗地编码*", "面积(平方米)*"]


def _exported(client: Any, **query: str) -> list[tuple[Any, ...]]:
    answer = client.get(reverse("registers:homestead_export"), query)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_export_respects_scope_and_masks_holders(
    login: Any, village_cadre: Any, supervisor: Any, outsider: Any, households: list[Any]
) -> None:
    a, _b = households
    parcel(a, "120", parcel_number="=HYPERLINK(1)")
    name = head_name(a)
    (row,) = _exported(login(village_cadre))
    assert row[:4] == (VILLAGE, a.number, name, "'=HYPERLINK(1)")
    (masked,) = _exported(login(supervisor))
    assert masked[2] == mask_name(name)
    assert _exported(login(outsider)) == []


def test_an_exported_ledger_imports_back_unchanged(
    tmp_path: Path, login: Any, village_cadre: Any, households: list[Any]
) -> None:
    a, b = households
    parcel(a, "120.5", parcel_number="JC-1", approval_document="批1")
    parcel(b, "99", parcel_number="JC-2")
    answer = login(village_cadre).get(reverse("registers:homestead_export"))
    path = tmp_path / "back.xlsx"
    path.write_bytes(answer.content)
    summary = import_homesteads(path, actor=village_cadre)
    assert (summary.rows, summary.unchanged, summary.created) == (2, 2, 0)
