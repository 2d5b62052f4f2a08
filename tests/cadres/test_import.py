"""Importing a cadre roster (干部花名册): every problem listed by line and column with nothing
written, all or nothing, an existing ID number updating its file, the scope of the
organisation department."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from grassroots.audit.models import AuditEntry
from grassroots.cadres.importing import CadreImportError, import_cadres
from grassroots.cadres.models import Cadre, PostRecord
from grassroots.cadres.states import CadreStatus
from grassroots.common.crypto import digest
from grassroots.common.idnumbers import id_check_char
from grassroots.org.models import Membership, User

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 16)

HEADER = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "学历", "入党时间",
    "参加基层工作时间", "单位代码", "单位名称", "现任职务", "职级", "任现职时间",
]  # fmt: skip
KEYS = [
    "name", "gender", "ethnicity", "born", "id", "phone", "education", "party",
    "grassroots", "code", "unit", "post", "level", "since",
]  # fmt: skip


def id_number(born: dt.date, seq: int, *, male: bool = True, region: str = "513401") -> str:
    """A valid 18-character ID number (GB 11643) for a person born on ``born``."""
    order = seq * 2 + (1 if male else 0)
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


ID_A = id_number(dt.date(1988, 4, 2), 11)
ID_B = id_number(dt.date(1993, 11, 20), 12, male=False)
ID_C = id_number(dt.date(1979, 1, 9), 13)


def excel_day(year: int, month: int, day: int) -> dt.datetime:
    """A date as a spreadsheet cell holds it (a naive datetime)."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time())


def row(**cells: Any) -> list[Any]:
    return [cells.get(k, "") for k in KEYS]


def good_rows() -> list[list[Any]]:
    return [
        row(name="沙马拉且", gender="男", ethnicity="彝族", born="1988-04-02", id=ID_A,
            phone="13881500001", education="大学本科", party="2010-06-01",
            grassroots="2011-08-01", code="513401101", post="党委委员、副镇长", level="副科级",
            since="2021-09-01"),
        row(name="王丽", ethnicity="汉", id=ID_B, education="大专", unit="礼州村",
            post="村党总支书记、主任", level="村(社区)正职"),
        row(name="吉克伍呷", ethnicity="彝族", born="1979.01", id=ID_C, education="高中",
            unit="田坝村村民委员会", code="513401101202", post="村委会委员",
            level="村(社区)两委委员", party="2005年7月"),
    ]  # fmt: skip


def csv_file(tmp_path: Path, rows: list[list[Any]], *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "roster.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def xlsx_file(tmp_path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    return path


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- the happy path --------------------------------------------------------------------------


def test_a_csv_roster_creates_the_files_with_their_current_posts(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any
) -> None:
    summary = import_cadres(csv_file(tmp_path, good_rows()), actor=org_dept)

    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (3, 3, 0, 0)
    a = Cadre.objects.get(id_digest=digest(ID_A))
    assert (a.name, a.gender, a.ethnicity, a.birth_date) == (
        "沙马拉且", "m", "彝族", dt.date(1988, 4, 2),
    )  # fmt: skip
    assert (a.phone, a.education, a.level, a.unit) == (
        "13881500001", "bachelor", "deputy_section", tree["lizhou"],
    )  # fmt: skip
    assert (a.party_joined_on, a.grassroots_since) == (dt.date(2010, 6, 1), dt.date(2011, 8, 1))
    # gender and birth date from the ID number; 汉 is 汉族; 大专 is college; 礼州村 by name
    b = Cadre.objects.get(id_digest=digest(ID_B))
    assert (b.gender, b.birth_date, b.ethnicity, b.education) == (
        "f", dt.date(1993, 11, 20), "汉族", "college",
    )  # fmt: skip
    assert (b.unit, b.level, b.phone) == (tree["village"], "village_head", "")
    # a month alone (1979.01, 2005年7月) is read as its first day; code and name agree
    c = Cadre.objects.get(id_digest=digest(ID_C))
    assert (c.unit, c.party_joined_on, c.education) == (
        tree["neighbour_village"], dt.date(2005, 7, 1), "secondary",
    )  # fmt: skip
    posts = {p.cadre_id: p for p in PostRecord.objects.all()}
    assert len(posts) == 3
    assert (posts[a.pk].started_on, posts[a.pk].post, posts[a.pk].ended_on) == (
        dt.date(2021, 9, 1), "党委委员、副镇长", None,
    )  # fmt: skip
    assert posts[b.pk].started_on == TODAY  # no 任现职时间: the import day


def test_the_import_is_audited_per_file_and_once_for_the_file(
    tmp_path: Path, org_dept: Any
) -> None:
    import_cadres(csv_file(tmp_path, good_rows()), actor=org_dept)

    created = audit("cadres.cadre.created")
    assert len(created) == 3
    assert {e.note for e in created} == {"从 roster.csv 导入"}
    # the log is read by people who may not see files: ID numbers and phones masked
    first = next(e for e in created if e.after["name"] == "沙马拉且")
    assert first.after["id_number"] == "5134************" + ID_A[-2:]
    assert first.after["phone"] == "138****0001"
    (whole,) = audit("cadres.cadre.imported")
    assert whole.actor == org_dept
    assert whole.after["rows"] == 3 and whole.after["created"] == 3
    assert len(whole.after["sha256"]) == 64
    assert whole.unit_path == "513401.513401101"  # the unit above every row


def test_an_xlsx_roster_with_excel_dates_and_starred_headers(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any
) -> None:
    header = [h + "*" if h in ("姓名", "身份证号") else h for h in HEADER]
    rows = [
        row(name="阿苦日火", ethnicity="彝族", born=excel_day(1990, 5, 17), id=ID_A,
            education="本科", code=513401101201, post="村党支部副书记", level="村(社区)两委委员",
            grassroots=excel_day(2015, 3, 1), phone=13881500002),
    ]  # fmt: skip
    # a birth date that is not the ID number's (1988-04-02) is an error
    with pytest.raises(CadreImportError) as refused:
        import_cadres(xlsx_file(tmp_path, rows, header), actor=org_dept)
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "出生日期")]
    rows[0][KEYS.index("born")] = excel_day(1988, 4, 2)

    summary = import_cadres(xlsx_file(tmp_path, rows, header), actor=org_dept)

    assert summary.created == 1
    cadre = Cadre.objects.get()
    assert (cadre.unit, cadre.phone, cadre.grassroots_since) == (
        tree["village"], "13881500002", dt.date(2015, 3, 1),
    )  # fmt: skip


def test_a_gb18030_csv_as_chinese_excel_saves_it(tmp_path: Path, org_dept: Any) -> None:
    summary = import_cadres(csv_file(tmp_path, good_rows(), encoding="gb18030"), actor=org_dept)

    assert summary.created == 3
    assert Cadre.objects.filter(name="沙马拉且").exists()


def test_a_dry_run_tells_what_it_would_do_and_writes_nothing(
    tmp_path: Path, org_dept: Any, make_cadre: Any
) -> None:
    make_cadre(id_number=ID_A, name="沙马拉且", post="党委委员")

    summary = import_cadres(csv_file(tmp_path, good_rows()), actor=org_dept, dry_run=True)

    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    assert [c.line for c in summary.changes] == [2]
    assert "现任职务" in summary.changes[0].columns
    assert Cadre.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="cadres.").exists()


# --- problems --------------------------------------------------------------------------------


def test_every_problem_is_listed_by_line_and_column_and_nothing_is_written(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    retired = id_number(dt.date(1960, 2, 2), 40)
    make_cadre(id_number=retired, status="retired")
    bad_check = ID_C[:-1] + ("0" if ID_C[-1] != "0" else "1")
    rows = [
        *good_rows(),  # lines 2-4 are fine
        row(name="甲", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 1), education="本科",
            code="513401999", post="干事", level="科员"),  # 5: unknown unit code
        row(name="乙", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 2), education="本科",
            unit="不存在村", post="干事", level="科员"),  # 6: unknown unit name
        row(name="丙", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 3), education="本科",
            code="513401101", post="干事", level="科员", party="2020-13-01"),  # 7: bad date
        row(name="丁", ethnicity="彝族", id=bad_check, education="本科", code="513401101",
            post="干事", level="科员"),  # 8: check digit
        row(name="戊", ethnicity="彝族", id=ID_A, education="本科", code="513401101",
            post="干事", level="科员"),  # 9: the ID number of line 2 again
        row(name="己", gender="未知", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 4),
            education="本科", code="513401101", post="干事", level="科员"),  # 10: gender
        row(name="庚", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 5),
            education="博士后", code="513401101", post="干事", level="科员"),  # 11: education
        row(name="辛", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 6), education="本科",
            code="513401101", post="干事", level="处级"),  # 12: level
        row(name="壬", ethnicity="火星族", id=id_number(dt.date(1990, 1, 1), 7),
            education="本科", code="513401101", post="干事", level="科员"),  # 13: ethnicity
        row(name="癸", ethnicity="彝族", id=retired, education="本科", code="513401101",
            post="干事", level="科员"),  # 14: a retired cadre's file
        row(name="子", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 8), education="本科",
            code="513401101201001", post="网格员", level="科员"),  # 15: a grid
        row(name="丑", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 9, male=True),
            gender="女", education="本科", code="513401101", post="干事",
            level="科员"),  # 16: gender against the ID number
        row(name="寅", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 10), education="本科",
            code="513401101", post="干事", level="科员", phone="1234"),  # 17: phone
        row(name="", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 11), education="本科",
            code="513401101", post="", level="科员"),  # 18: name and post missing
        row(name="卯", ethnicity="彝族", id=id_number(dt.date(1990, 1, 1), 12), education="本科",
            code="513401101", post="干事", level="科员", grassroots="2030-01-01"),  # 19: future
    ]  # fmt: skip
    before = Cadre.objects.count()

    with pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=org_dept)

    found = [(e.line, e.column) for e in refused.value.errors]
    assert found == [
        (5, "单位代码"),
        (6, "单位名称"),
        (7, "入党时间"),
        (8, "身份证号"),
        (9, "身份证号"),
        (10, "性别"),
        (11, "学历"),
        (12, "职级"),
        (13, "民族"),
        (14, "身份证号"),
        (15, "单位代码"),
        (16, "性别"),
        (17, "手机号"),
        (18, "姓名"),
        (18, "现任职务"),
        (19, "参加基层工作时间"),
    ]
    messages = {e.line: e.message for e in refused.value.errors}
    assert "513401999" in messages[5]
    assert "GB 11643" in messages[8]
    assert "第 2 行" in messages[9]
    assert "56" in messages[13]
    assert str(CadreStatus.RETIRED.label) in messages[14]
    assert Cadre.objects.count() == before
    assert not PostRecord.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cadres.").exists()


def test_problems_are_told_in_chinese(tmp_path: Path, org_dept: Any) -> None:
    from django.utils import translation

    rows = [row(name="甲", ethnicity="火星族", id="123", education="本科", code="513401101",
                post="干事", level="科员")]  # fmt: skip
    with translation.override("zh-hans"), pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=org_dept)
    text = " ".join(e.message for e in refused.value.errors)
    assert "18" in text and "民族" in text
    assert "ethnic" not in text


def test_a_missing_column_is_reported_on_the_header_line(tmp_path: Path, org_dept: Any) -> None:
    header = [h for h in HEADER if h not in ("学历", "单位代码", "单位名称")]
    with pytest.raises(CadreImportError) as refused:
        import_cadres(xlsx_file(tmp_path, [["甲"]], header), actor=org_dept)
    assert [(e.line, e.column) for e in refused.value.errors] == [(1, "学历"), (1, "单位代码")]


def test_a_shared_unit_name_asks_for_the_code(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.org.models import Unit

    Unit.objects.create(code="513401102202", name="礼州村", kind="village", parent=tree["anning"])
    rows = [row(name="甲", ethnicity="汉族", id=ID_A, education="本科", unit="礼州村",
                post="干事", level="村(社区)两委委员")]  # fmt: skip
    with pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=org_dept)
    assert "请改填单位代码" in refused.value.errors[0].message


# --- scope -----------------------------------------------------------------------------------


@pytest.fixture
def lizhou_org(tree: dict[str, Any]) -> Any:
    """An organisation department membership over 礼州镇 only."""
    user = User.objects.create_user(username="lizhou_org", password="Correct-Horse-42")
    Membership.objects.create(user=user, unit=tree["lizhou"], role="org_department")
    return user


def test_a_unit_outside_the_importers_scope_is_refused(
    tmp_path: Path, tree: dict[str, Any], lizhou_org: Any
) -> None:
    rows = [
        row(name="甲", ethnicity="汉族", id=ID_A, education="本科", code="513401101",
            post="干事", level="科员"),
        row(name="乙", ethnicity="汉族", id=ID_B, education="本科", unit="安宁镇",
            post="干事", level="科员"),
    ]  # fmt: skip
    with pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=lizhou_org)
    (error,) = refused.value.errors
    assert (error.line, error.column) == (3, "单位名称")
    assert error.message == "“安宁镇”不在您管理干部的单位范围内。"
    assert not Cadre.objects.exists()


def test_an_existing_file_outside_the_scope_is_not_taken_over(
    tmp_path: Path, tree: dict[str, Any], lizhou_org: Any, make_cadre: Any
) -> None:
    make_cadre(id_number=ID_A, unit=tree["anning"], post="安宁镇干事")
    rows = [row(name="甲", ethnicity="汉族", id=ID_A, education="本科", code="513401101",
                post="干事", level="科员")]  # fmt: skip
    with pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=lizhou_org)
    assert refused.value.errors[0].column == "身份证号"
    assert Cadre.objects.get(id_digest=digest(ID_A)).unit == tree["anning"]


def test_those_who_manage_no_cadres_may_not_import(
    tmp_path: Path, xc_secretary: Any, city_admin: Any
) -> None:
    for user in (xc_secretary, city_admin):
        with pytest.raises(PermissionDenied):
            import_cadres(csv_file(tmp_path, good_rows()), actor=user)
    assert not Cadre.objects.exists()


# --- updates ---------------------------------------------------------------------------------


def test_an_existing_id_number_updates_that_file(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(
        id_number=ID_A, name="沙马拉且", phone="13900000001", post="党委委员",
        party_joined_on=dt.date(2010, 6, 1), grassroots_since=dt.date(2011, 8, 1),
        birth_date=dt.date(1988, 4, 2),
    )  # fmt: skip
    old = PostRecord.objects.create(
        cadre=cadre, unit=tree["lizhou"], post="党委委员", level="deputy_section",
        started_on=dt.date(2018, 1, 1),
    )  # fmt: skip
    rows = [
        # the post changes; the phone and the party date are left empty: kept
        row(name="沙马拉且", ethnicity="彝族", id=ID_A, education="研究生",
            code="513401101", post="党委副书记", level="正科级", since="2026-03-01"),
    ]  # fmt: skip

    summary = import_cadres(csv_file(tmp_path, rows), actor=org_dept)

    assert (summary.created, summary.updated) == (0, 1)
    assert Cadre.objects.count() == 1
    cadre.refresh_from_db()
    assert (cadre.post, cadre.level, cadre.education) == (
        "党委副书记", "section_chief", "postgraduate",
    )  # fmt: skip
    assert cadre.phone == "13900000001"
    assert cadre.party_joined_on == dt.date(2010, 6, 1)
    old.refresh_from_db()
    assert old.ended_on == dt.date(2026, 2, 28)
    new = PostRecord.objects.get(cadre=cadre, ended_on__isnull=True)
    assert (new.post, new.level, new.started_on) == (
        "党委副书记",
        "section_chief",
        TODAY.replace(day=1),
    )
    (entry,) = audit("cadres.cadre.updated")
    assert entry.before == {"education": "bachelor", "post": "党委委员", "level": "deputy_section"}
    assert entry.after == {
        "education": "postgraduate",
        "post": "党委副书记",
        "level": "section_chief",
    }
    assert audit("cadres.cadre.imported")[0].after["updated"] == 1


def test_a_row_equal_to_the_file_changes_nothing(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(
        id_number=ID_A, name="沙马拉且", birth_date=dt.date(1988, 4, 2), phone="13900000001",
    )  # fmt: skip
    rows = [row(name="沙马拉且", ethnicity="彝族", id=ID_A, education="本科", code="513401101",
                post="党委委员", level="副科级")]  # fmt: skip
    stamp = cadre.updated_at

    summary = import_cadres(csv_file(tmp_path, rows), actor=org_dept)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    cadre.refresh_from_db()
    assert cadre.updated_at == stamp
    assert not audit("cadres.cadre.updated")
    assert not PostRecord.objects.exists()


def test_a_new_post_must_begin_after_the_current_one(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(id_number=ID_A, birth_date=dt.date(1988, 4, 2))
    PostRecord.objects.create(
        cadre=cadre, unit=tree["lizhou"], post="党委委员", level="deputy_section",
        started_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    rows = [row(name="甲", ethnicity="彝族", id=ID_A, education="本科", code="513401101",
                post="党委副书记", level="正科级", since="2023-06-01")]  # fmt: skip
    with pytest.raises(CadreImportError) as refused:
        import_cadres(csv_file(tmp_path, rows), actor=org_dept)
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "任现职时间")]


def test_a_new_post_from_the_day_the_current_one_began_corrects_it(
    tmp_path: Path, tree: dict[str, Any], org_dept: Any, make_cadre: Any
) -> None:
    cadre = make_cadre(id_number=ID_A, birth_date=dt.date(1988, 4, 2))
    current = PostRecord.objects.create(
        cadre=cadre, unit=tree["lizhou"], post="党委委员", level="deputy_section",
        started_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    rows = [row(name="甲", ethnicity="彝族", id=ID_A, education="本科", code="513401101",
                post="党委委员、副镇长", level="副科级", since="2024-01-01")]  # fmt: skip

    import_cadres(csv_file(tmp_path, rows), actor=org_dept)

    (only,) = PostRecord.objects.filter(cadre=cadre)
    assert only.pk == current.pk
    assert (only.post, only.started_on, only.ended_on) == (
        "党委委员、副镇长",
        dt.date(2024, 1, 1),
        None,
    )


# --- the command -----------------------------------------------------------------------------


def test_the_command_imports_and_reports(tmp_path: Path, org_dept: Any, capsys: Any) -> None:
    path = csv_file(tmp_path, good_rows())
    call_command("import_cadres", str(path), "--user", "org_dept", "--dry-run")
    assert not Cadre.objects.exists()
    call_command("import_cadres", str(path), "--user", "org_dept")
    assert Cadre.objects.count() == 3
    assert "新建档案 3 份" in capsys.readouterr().out


def test_the_command_lists_problems(tmp_path: Path, org_dept: Any, capsys: Any) -> None:
    rows = [row(name="甲", ethnicity="火星族", id=ID_A, education="本科", code="513401101",
                post="干事", level="科员")]  # fmt: skip
    with pytest.raises(CommandError):
        call_command("import_cadres", str(csv_file(tmp_path, rows)), "--user", "org_dept")
    assert "第 2 行，民族：" in capsys.readouterr().err


def test_the_command_refuses_a_user_without_the_right(tmp_path: Path, xc_secretary: Any) -> None:
    with pytest.raises(CommandError, match="无权管理干部"):
        call_command(
            "import_cadres", str(csv_file(tmp_path, good_rows())), "--user", "xc_secretary"
        )
