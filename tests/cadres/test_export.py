"""Exports: the roster of the files the viewer may see (filters as on the list, ID numbers
and phones in full only for the organisation department), the reserve pool, a year's
training hours; every export written in the files' view log."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.cadres.importing import import_cadres
from grassroots.cadres.models import FileView, Policy, PostRecord, ReserveEntry, TrainingRecord
from tests.cadres.test_import import ID_A, ID_B, ID_C

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cadres(tree: dict[str, Any], make_cadre: Any) -> dict[str, Any]:
    """Two files of 礼州镇 (one in a village), one of 安宁镇, one retired of 礼州镇."""
    return {
        "deputy": make_cadre(
            name="沙马拉且", id_number=ID_A, phone="13881500001", birth_date=dt.date(1988, 4, 2)
        ),
        "village": make_cadre(
            name="王丽",
            id_number=ID_B,
            phone="13881500002",
            unit=tree["village"],
            level="village_head",
            post="村党总支书记、主任",
            gender="f",
            ethnicity="汉族",
            birth_date=dt.date(1993, 11, 20),
        ),
        "anning": make_cadre(name="安宁干部", id_number=ID_C, unit=tree["anning"]),
        "retired": make_cadre(name="老干部", id_number="", status="retired"),
    }


def sheet_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def by_name(rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}


# --- the roster ------------------------------------------------------------------------------


def test_the_organisation_department_exports_full_numbers(
    login: Any, org_dept: Any, cadres: dict[str, Any]
) -> None:
    PostRecord.objects.create(
        cadre=cadres["deputy"], unit=cadres["deputy"].unit, post="党委委员",
        level="deputy_section", started_on=dt.date(2021, 9, 1),
    )  # fmt: skip
    response = login(org_dept).get(reverse("cadres:export_roster"))

    rows = sheet_rows(response)
    assert rows[0][:5] == ["姓名", "性别", "民族", "出生日期", "身份证号"]
    found = by_name(rows)
    assert set(found) == {"沙马拉且", "王丽", "安宁干部", "老干部"}  # as the list: any status
    deputy = found["沙马拉且"]
    assert deputy["身份证号"] == ID_A and deputy["手机号"] == "13881500001"
    assert deputy["单位代码"] == "513401101" and deputy["职级"] == "副科级"
    assert deputy["任现职时间"] == dt.datetime.combine(dt.date(2021, 9, 1), dt.time())
    assert deputy["状态"] == "在职"
    assert found["王丽"]["性别"] == "女" and found["王丽"]["职级"] == "村(社区)正职"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_a_unit_leader_exports_their_units_masked(
    login: Any, xc_secretary: Any, cadres: dict[str, Any]
) -> None:
    found = by_name(sheet_rows(login(xc_secretary).get(reverse("cadres:export_roster"))))

    assert set(found) == {"沙马拉且", "王丽", "老干部"}  # not 安宁镇's
    assert found["沙马拉且"]["身份证号"] == "5134************" + ID_A[-2:]
    assert found["沙马拉且"]["手机号"] == "138****0001"


def test_the_exported_roster_imports_back_unchanged(
    tmp_path: Path, login: Any, org_dept: Any, cadres: dict[str, Any]
) -> None:
    response = login(org_dept).get(
        reverse("cadres:export_roster"), {"unit": "513401101", "status": "active"}
    )
    path = tmp_path / "roster.xlsx"
    path.write_bytes(response.content)

    summary = import_cadres(path, actor=org_dept)

    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (2, 0, 0, 2)
    assert summary.ignored_columns == ["状态"]


def test_the_list_filters_narrow_the_export(
    login: Any, org_dept: Any, cadres: dict[str, Any]
) -> None:
    client = login(org_dept)
    url = reverse("cadres:export_roster")

    def names(**query: str) -> set[str]:
        return set(by_name(sheet_rows(client.get(url, query))))

    everyone = {"沙马拉且", "王丽", "安宁干部", "老干部"}
    assert names() == everyone
    assert names(unit="513401101") == {"沙马拉且", "王丽", "老干部"}
    assert names(unit="513401101201") == {"王丽"}
    assert names(level="village_head") == {"王丽"}
    assert names(q="拉且") == {"沙马拉且"}
    assert names(ethnicity="汉族", gender="f") == {"王丽"}
    assert names(status="retired") == {"老干部"}
    assert names(status="active", unit="513401101") == {"沙马拉且", "王丽"}
    # a value the list does not offer is dropped, as the list drops it
    assert names(level="bogus") == everyone
    assert names(unit="513401999") == everyone


def test_each_export_is_written_in_the_view_log(
    login: Any, org_dept: Any, xc_secretary: Any, cadres: dict[str, Any]
) -> None:
    login(org_dept).get(reverse("cadres:export_roster"))
    login(xc_secretary).get(reverse("cadres:export_roster"), {"level": "village_head"})

    views = list(
        FileView.objects.order_by("pk").values_list("viewer__username", "cadre__name", "what")
    )
    assert sorted(views) == sorted(
        [
            ("org_dept", "安宁干部", "export"),
            ("org_dept", "老干部", "export"),
            ("org_dept", "沙马拉且", "export"),
            ("org_dept", "王丽", "export"),
            ("xc_secretary", "王丽", "export"),
        ]
    )


@pytest.mark.parametrize("who", ["city_admin", "supervisor", "village_cadre", "resident"])
def test_those_who_may_see_no_file_may_not_export(
    who: str, request: Any, login: Any, cadres: dict[str, Any]
) -> None:
    client = login(request.getfixturevalue(who))
    for name in ("export", "export_roster", "export_pool"):
        assert client.get(reverse(f"cadres:{name}")).status_code == 403
    assert client.get(reverse("cadres:export_training"), {"year": 2026}).status_code == 403
    assert not FileView.objects.exists()


def test_the_outsider_sees_only_their_township(
    login: Any, outsider: Any, cadres: dict[str, Any]
) -> None:
    found = by_name(sheet_rows(login(outsider).get(reverse("cadres:export_roster"))))
    assert set(found) == {"安宁干部"}


def test_the_export_page_offers_the_three_exports(
    login: Any, org_dept: Any, xc_secretary: Any
) -> None:
    page = login(org_dept).get(reverse("cadres:export")).content.decode()
    for name in ("export_roster", "export_pool", "export_training"):
        assert reverse(f"cadres:{name}") in page
    assert "完整导出" in page
    leader = login(xc_secretary).get(reverse("cadres:export"))
    assert leader.status_code == 200
    assert "已脱敏" in leader.content.decode()


# --- the pool and training -------------------------------------------------------------------


def test_the_reserve_pool_export(
    login: Any, org_dept: Any, xc_secretary: Any, cadres: dict[str, Any], tree: dict[str, Any]
) -> None:
    ReserveEntry.objects.create(
        cadre=cadres["deputy"], unit=tree["lizhou"], target_level="section_chief",
        status="in_pool", voters=40, votes=31, reason="实绩突出", nominated_by=xc_secretary,
        entered_on=dt.date(2026, 1, 10),
    )  # fmt: skip
    ReserveEntry.objects.create(
        cadre=cadres["anning"], unit=tree["anning"], target_level="deputy_section",
        voters=20, votes=12, reason="推荐", nominated_by=org_dept,
    )  # fmt: skip

    rows = sheet_rows(login(org_dept).get(reverse("cadres:export_pool")))
    header = rows[0]
    found = by_name(rows)
    assert set(found) == {"沙马拉且", "安宁干部"}
    entry = found["沙马拉且"]
    assert entry[header[8]] == "正科级" and entry[header[7]] == "礼州镇"
    assert (entry[header[10]], entry[header[11]]) == (40, 31)
    assert entry[header[12]] == pytest.approx(77.5)
    assert entry[header[14]] == dt.datetime.combine(dt.date(2026, 1, 10), dt.time())
    # filters, and the unit leader sees their township's nominations only
    only = by_name(
        sheet_rows(login(org_dept).get(reverse("cadres:export_pool"), {"status": "nominated"}))
    )
    assert set(only) == {"安宁干部"}
    assert set(by_name(sheet_rows(login(xc_secretary).get(reverse("cadres:export_pool"))))) == {
        "沙马拉且"
    }
    assert FileView.objects.filter(what="export").count() == 2 + 1 + 1


def test_the_training_hours_of_a_year(
    login: Any, org_dept: Any, cadres: dict[str, Any], tree: dict[str, Any]
) -> None:
    Policy.objects.create(unit=tree["lizhou"], yearly_training_hours=Decimal(40))

    def course(cadre: Any, hours: int, ended: dt.date, result: str = "passed") -> None:
        TrainingRecord.objects.create(
            cadre=cadre, course="乡村振兴专题培训", provider="市委党校", hours=Decimal(hours),
            started_on=ended - dt.timedelta(days=3), ended_on=ended, result=result,
            recorded_by=org_dept,
        )  # fmt: skip

    course(cadres["deputy"], 24, dt.date(2026, 3, 1))
    course(cadres["deputy"], 30, dt.date(2026, 2, 1), result="failed")  # does not count
    course(cadres["deputy"], 16, dt.date(2025, 12, 1))  # another year
    course(cadres["anning"], 60, dt.date(2026, 1, 20))

    rows = sheet_rows(login(org_dept).get(reverse("cadres:export_training"), {"year": 2026}))
    header = rows[0]
    found = {r[0]: r for r in rows[1:]}
    assert set(found) == {"沙马拉且", "王丽", "安宁干部"}
    # name, unit, post, level, courses, done, required, %, missing
    assert found["沙马拉且"][4:] == [1, 24, 40, 60, 16]
    assert found["王丽"][4:] == [0, 0, 40, 0, 40]  # a village of 礼州镇: its policy
    assert found["安宁干部"][4:] == [1, 60, 56, 100, 0]  # the default 56 hours
    assert header[5] == "已完成学时"
    assert login(org_dept).get(reverse("cadres:export_training")).status_code == 400
