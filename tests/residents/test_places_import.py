"""The household register import (户籍人口台账): a good file, a re-import that updates, bad
files refused by line and column with nothing written, scope, duplicate ID numbers, one
head per household; the page's upload → check → confirm, the template, the command; the
export (masked)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from grassroots.audit.models import AuditEntry
from grassroots.common.crypto import digest
from grassroots.residents.actions.households import add_resident, create_household
from grassroots.residents.importing.households import HouseholdImportError, import_households
from grassroots.residents.models import Household, KeyGroup, KeyPerson, Resident
from tests.conftest import valid_id_number

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)
GRID = "513401101201001"
HEADER = [
    "网格编码",
    "户号",
    "门牌地址",
    "姓名",
    "与户主关系",
    "性别",
    "公民身份号码",
    "出生日期",
    "联系电话",
    "人口类型",
    "状态",
    "变动日期",
    "备注",
]
ID_1 = valid_id_number("19700302", 801)
ID_2 = valid_id_number("19720815", 802, male=False)
ID_3 = valid_id_number("19950101", 803)
ID_4 = valid_id_number("19480909", 804, male=False)


@pytest.fixture(autouse=True)
def _setup(tmp_path: Path) -> Any:
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(DATA_DIR=tmp_path / "data"),
    ):
        yield


def good_rows() -> list[list[str]]:
    return [
        [
            GRID,
            "0101",
            "礼州村1组12号",
            "吉克石且",
            "户主",
            "",
            ID_1,
            "",
            "138 1234 5678",
            "常住",
            "在住",
            "",
            "",
        ],
        [GRID, "0101", "", "沙马阿依", "妻", "女", ID_2, "1972-08-15", "", "", "", "", ""],
        [
            GRID,
            "0101",
            "",
            "吉克拉且",
            "儿子",
            "男",
            "",
            "2015/3/4",
            "",
            "流动",
            "",
            "",
            "外出务工",
        ],
        [
            GRID,
            "0102",
            "礼州村1组13号",
            "阿苦阿果",
            "户主",
            "",
            ID_4,
            "",
            "0834-3221234",
            "户籍",
            "",
            "",
            "",
        ],
    ]


def write_csv(folder: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = folder / "台账.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_xlsx(folder: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = folder / "台账.xlsx"
    book.save(path)
    return path


def refused(path: Path, actor: Any) -> list[tuple[int, str, str]]:
    with pytest.raises(HouseholdImportError) as caught:
        import_households(path, actor=actor)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


# --- the import ---------------------------------------------------------------------------


def test_a_good_register_creates_households_and_people_with_one_audit_entry(
    tmp_path: Path, village_cadre: Any, tree: dict[str, Any]
) -> None:
    summary = import_households(write_xlsx(tmp_path, good_rows()), actor=village_cadre)

    assert (summary.rows, summary.households_created, summary.residents_created) == (4, 2, 4)
    first = Household.objects.get(number="0101")
    assert (first.grid, first.village, first.address) == (
        tree["grid"],
        tree["village"],
        "礼州村1组12号",
    )
    head = Resident.objects.get(id_digest=digest(ID_1))
    assert (head.name, head.gender, head.birth_date) == ("吉克石且", "m", dt.date(1970, 3, 2))
    assert head.phone == "13812345678" and head.relationship == "head"
    son = Resident.objects.get(name="吉克拉且")
    assert (son.relationship, son.residence, son.note) == ("child", "floating", "外出务工")
    assert Resident.objects.get(name="沙马阿依").relationship == "spouse"
    entries = AuditEntry.objects.filter(action__startswith="residents.")
    assert [e.action for e in entries] == ["residents.household.imported"]
    assert entries[0].after["residents_created"] == 4
    assert ID_1 not in str(entries[0].after)


def test_a_reimport_updates_matched_people_and_keeps_what_is_empty(
    tmp_path: Path, village_cadre: Any
) -> None:
    import_households(write_csv(tmp_path, good_rows()), actor=village_cadre)
    rows = good_rows()
    rows[0][8] = ""  # an empty phone keeps the one on record
    rows[2][10], rows[2][11] = "迁出", "2026-04-01"  # the son (no ID number, matched by name)
    rows[3][4] = "本人"  # the same head, another word

    checked = import_households(write_csv(tmp_path, rows), actor=village_cadre, dry_run=True)
    summary = import_households(write_csv(tmp_path, rows), actor=village_cadre)

    for result in (checked, summary):
        assert (result.households_created, result.households_updated) == (0, 0)
        assert (result.residents_created, result.residents_updated) == (0, 1)
        assert result.residents_unchanged == 3
    son = Resident.objects.get(name="吉克拉且")
    assert (son.status, son.moved_out_on) == ("moved_out", dt.date(2026, 4, 1))
    assert Resident.objects.get(id_digest=digest(ID_1)).phone == "13812345678"
    assert Resident.objects.count() == 4


def test_a_bad_register_is_refused_by_line_and_column_and_nothing_is_written(
    tmp_path: Path, village_cadre: Any
) -> None:
    rows = good_rows()
    rows[0][6] = ID_1[:17] + ("0" if ID_1[17] != "0" else "1")  # check digit
    rows[1][5] = "男"  # the ID number says 女
    rows[2][4] = "表哥哥"
    rows[2][10] = "迁出"  # without a date
    rows[3][11] = "2026-06-01"  # in the future
    rows.append([GRID, "", "", "", "户主", "男", "", "", "12345", "", "", "", ""])

    errors = refused(write_csv(tmp_path, rows), village_cadre)

    assert (2, "公民身份号码") in {(line, column) for line, column, _ in errors}
    assert (3, "性别", "与身份证号不符：身份证号显示性别为女。") in errors
    assert any(e[:2] == (4, "与户主关系") and "表哥哥" in e[2] for e in errors)
    assert any(e[:2] == (4, "变动日期") for e in errors)
    assert (5, "变动日期", "2026-06-01 晚于今天。") in errors
    assert {(6, "户号"), (6, "姓名"), (6, "联系电话")} <= {(e[0], e[1]) for e in errors}
    assert not Household.objects.exists() and not Resident.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="residents.").exists()


def test_a_grid_outside_the_importers_scope_is_refused(
    tmp_path: Path, village_cadre: Any, tree: dict[str, Any]
) -> None:
    from grassroots.org.models import Unit, UnitKind

    Unit.objects.create(
        code="513401101202001",
        name="田坝村第1网格",
        kind=UnitKind.GRID,
        parent=tree["neighbour_village"],
    )
    rows = good_rows()
    rows[3][0] = "513401101202001"
    rows.append(["513401101201", "0103", "", "某人", "户主", "男", "", "", "", "", "", "", ""])
    rows.append(["999", "0104", "", "某人", "户主", "男", "", "", "", "", "", "", ""])

    errors = refused(write_csv(tmp_path, rows), village_cadre)

    assert [(e[0], e[1]) for e in errors] == [(5, "网格编码"), (6, "网格编码"), (7, "网格编码")]
    assert "田坝村第1网格" in errors[0][2] and "不是网格" in errors[1][2]
    assert not Resident.objects.exists()


def test_the_same_id_number_twice_is_an_error_on_both_lines(
    tmp_path: Path, village_cadre: Any
) -> None:
    rows = good_rows()
    rows[3][6] = ID_1

    errors = refused(write_csv(tmp_path, rows), village_cadre)

    assert (2, "公民身份号码", "第 5 行有相同的身份证号码。") in errors
    assert (5, "公民身份号码", "第 2 行有相同的身份证号码。") in errors


def test_a_household_has_one_head_living_there(
    tmp_path: Path, village_cadre: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    rows = good_rows()
    rows[1][4] = "户主"
    errors = refused(write_csv(tmp_path, rows), village_cadre)
    assert [(e[0], e[1]) for e in errors] == [(3, "与户主关系")]

    household = create_household(actor=grid_worker, grid=tree["grid"], number="0102")
    add_resident(household, actor=grid_worker, name="老户主", relationship="head", gender="m")
    errors = refused(write_csv(tmp_path, good_rows()), village_cadre)
    assert [(e[0], e[1]) for e in errors] == [(5, "与户主关系")]
    assert "老**" in errors[0][2] and "老户主" not in errors[0][2]


def test_an_id_number_held_elsewhere_or_a_deceased_person_moving_is_refused(
    tmp_path: Path, village_cadre: Any, grid_worker: Any, tree: dict[str, Any]
) -> None:
    other = create_household(actor=grid_worker, grid=tree["grid"], number="0900")
    add_resident(other, actor=grid_worker, name="吉克石且", relationship="head", id_number=ID_1)
    errors = refused(write_csv(tmp_path, good_rows()), village_cadre)
    assert [(e[0], e[1]) for e in errors] == [(2, "公民身份号码")]
    assert "0900" in errors[0][2] and "吉***" in errors[0][2]

    Resident.objects.all().delete()
    import_households(write_csv(tmp_path, good_rows()), actor=village_cadre)
    rows = good_rows()
    rows[3][10], rows[3][11] = "死亡", "2026-01-02"
    import_households(write_csv(tmp_path, rows), actor=village_cadre)
    rows[3][10], rows[3][11] = "在住", ""
    errors = refused(write_csv(tmp_path, rows), village_cadre)
    assert [(e[0], e[1]) for e in errors] == [(5, "状态")]


def test_a_moved_household_takes_its_care_with_it(
    tmp_path: Path, village_cadre: Any, tree: dict[str, Any]
) -> None:
    from grassroots.org.models import Unit, UnitKind

    grid2 = Unit.objects.create(
        code="513401101201002", name="礼州村第2网格", kind=UnitKind.GRID, parent=tree["village"]
    )
    import_households(write_csv(tmp_path, good_rows()), actor=village_cadre)
    person = Resident.objects.get(id_digest=digest(ID_4))
    group = KeyGroup.objects.create(code="alone", name="独居老人")
    care = KeyPerson.objects.create(
        resident=person, group=group, grid=tree["grid"], due_on=dt.date(2026, 6, 1)
    )
    rows = good_rows()
    rows[3][0] = grid2.code

    summary = import_households(write_csv(tmp_path, rows), actor=village_cadre)

    assert summary.households_updated == 1
    care.refresh_from_db()
    assert Household.objects.get(number="0102").grid == grid2 and care.grid == grid2


# --- the pages and the command ------------------------------------------------------------


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_the_import_page_checks_then_imports(
    tmp_path: Path, login: Any, village_cadre: Any, grid_worker: Any
) -> None:
    client = login(village_cadre)

    checked = client.post("/residents/import/", {"file": upload(write_csv(tmp_path, good_rows()))})

    assert checked.status_code == 200
    page = checked.content.decode()
    assert "4 行检查无误" in page and "住户：新建 2 户，更新 0 户。" in page
    assert not Resident.objects.exists()
    done = client.post(
        "/residents/import/", {"confirm": "1", "token": checked.context["token"]}, follow=True
    )
    assert done.status_code == 200
    assert "新建 2 户" in done.content.decode() and Resident.objects.count() == 4
    again = client.post("/residents/import/", {"confirm": "1", "token": "x" * 32})
    assert again.status_code == 400

    assert login(grid_worker).get("/residents/import/").status_code == 403


def test_the_import_page_lists_the_problems_by_line(
    tmp_path: Path, login: Any, village_cadre: Any
) -> None:
    rows = good_rows()
    rows[3][6] = ID_1

    response = login(village_cadre).post(
        "/residents/import/", {"file": upload(write_csv(tmp_path, rows))}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "第 5 行有相同的身份证号码。" in page and "未导入" in page
    assert ID_1 not in page
    not_a_sheet = login(village_cadre).post(
        "/residents/import/", {"file": SimpleUploadedFile("a.txt", b"hello")}
    )
    assert not_a_sheet.status_code == 400


def test_the_template_has_the_chinese_headers(login: Any, village_cadre: Any) -> None:
    response = login(village_cadre).get("/residents/import/template/")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [str(c.value).rstrip("*") for c in next(sheet.iter_rows(max_row=1))]
    assert headers == HEADER


def test_the_command_checks_and_imports(tmp_path: Path, village_cadre: Any, capsys: Any) -> None:
    path = write_csv(tmp_path, good_rows())

    call_command("import_residents", str(path), "--user", "village_cadre", "--dry-run")
    assert not Resident.objects.exists()
    call_command("import_residents", str(path), "--user", "village_cadre", "--quiet")

    assert Resident.objects.count() == 4
    assert "新建 2 户" in capsys.readouterr().out


# --- the export ---------------------------------------------------------------------------


def test_the_export_is_masked_filtered_and_quotes_formulas(
    tmp_path: Path, login: Any, village_cadre: Any, grid_worker: Any
) -> None:
    rows = good_rows()
    rows[0][12] = '=HYPERLINK("http://x")'
    import_households(write_csv(tmp_path, rows), actor=village_cadre)
    create_household(actor=village_cadre, grid=Household.objects.first().grid, number="0199")  # type: ignore[union-attr]

    response = login(village_cadre).get("/residents/export/", {"q": "0101"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    cells = [
        list(row)
        for row in load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    text = str(cells)
    assert cells[0][:13] == HEADER
    assert len(cells) == 4  # the header and household 0101's three people
    assert ID_1 not in text and ID_2 not in text and "13812345678" not in text
    assert ID_1[:4] + "*" * 12 + ID_1[-2:] in text and "138****5678" in text
    assert "'=HYPERLINK" in text
    everything = login(village_cadre).get("/residents/export/")
    assert len(list(load_workbook(io.BytesIO(everything.content)).worksheets[0].iter_rows())) == 6
    assert login(grid_worker).get("/residents/export/").status_code == 403
