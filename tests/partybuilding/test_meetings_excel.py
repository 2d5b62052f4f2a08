"""The meeting ledger in Excel: the list's export (opens, no attendee's name or phone),
and the import — all or nothing, every problem by line, an export imports back."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from grassroots.common.tabular import ImportRefused
from grassroots.partybuilding.importing_meetings import import_meetings
from grassroots.partybuilding.models import Meeting
from tests.partybuilding.meetings_support import clock, held, media, planned  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media")]

HEADER = [
    "单位编码",
    "单位名称",
    "会议类型",
    "所属月份",
    "召开日期",
    "应到人数",
    "实到人数",
    "会议主题",
]


def book(*rows: list[Any]) -> io.BytesIO:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "台账.xlsx"
    return out


def test_export_opens_and_holds_no_personal_data(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    meeting = held(village_cadre, tree["village"])
    meeting.chair = "张村长"
    meeting.note = "联系 13812345678"
    meeting.save()
    response = login(village_cadre).get(
        reverse("partybuilding:meetings_export"), {"kind": "party_monthly"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:8]) == HEADER
    assert values[1][0] == tree["village"].code and values[1][5:7] == (7, 5)
    flat = " ".join(str(v) for row in values for v in row if v is not None)
    assert "党员0" not in flat and "13812345678" not in flat  # no attendee, no note


def test_import_records_the_ledger_and_an_export_imports_back(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, login: Any
) -> None:
    planned(xc_secretary, tree["lizhou"], "2026-09")
    summary = import_meetings(
        book(
            ["513401101", "", "党建月会", "2026-09", "2026-09-25", 9, 8, ""],
            ["", "礼州镇", "党委会", "2026年10月", "2026-10-08", "7", "7", "研究秋收"],
        ),
        actor=xc_secretary,
    )
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    monthly = Meeting.objects.get(kind="party_monthly")
    assert (monthly.status, monthly.present_count, monthly.expected_count) == ("held", 8, 9)
    export = login(xc_secretary).get(reverse("partybuilding:meetings_export"), {"status": "held"})
    again = io.BytesIO(export.content)
    again.name = "导出.xlsx"
    back = import_meetings(again, actor=xc_secretary)
    assert (back.created, back.updated, back.unchanged) == (0, 0, 2)


def test_import_is_all_or_nothing_with_errors_by_line(
    tree: dict[str, Any], xc_secretary: Any
) -> None:
    with pytest.raises(ImportRefused) as caught:
        import_meetings(
            book(
                ["513401101", "", "党建月会", "2026-10", "2026-10-10", 9, 8, ""],
                ["513401101", "", "茶话会", "2026-10", "2026-10-10", 9, 8, ""],
                ["513401101", "", "党委会", "2026-10", "2026-10-30", 9, 8, ""],
                ["513401101", "", "党委会", "2026-10", "2026-10-11", 5, 6, ""],
                ["513401102", "", "党委会", "2026-10", "2026-10-11", 5, 4, ""],
                ["513401101201", "", "党委会", "2026-10", "2026-10-11", 5, 4, ""],
            ),
            actor=xc_secretary,
        )
    problems = {(e.line, e.column): e.message for e in caught.value.errors}
    assert "会议类型“茶话会”无法识别" in problems[(3, "会议类型")]
    assert "晚于今天" in problems[(4, "召开日期")]
    assert "实到人数（6）不能多于应到人数（5）" in problems[(5, "实到人数")]
    assert (6, "单位编码") in problems and (7, "单位编码") in problems  # other township; a village
    assert Meeting.objects.count() == 0


def test_import_page_checks_then_confirms(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    client = login(village_cadre)
    assert client.get(reverse("partybuilding:meetings_import")).status_code == 200
    upload = book(["513401101201", "", "党建月会", "2026-10", "2026-10-10", 9, 8, ""])
    checked = client.post(reverse("partybuilding:meetings_import"), {"file": upload})
    assert checked.status_code == 200 and Meeting.objects.count() == 0
    done = client.post(
        reverse("partybuilding:meetings_import"),
        {"confirm": "1", "token": checked.context["token"]},
    )
    assert done.status_code == 302 and Meeting.objects.get().status == "held"
    assert login(village_cadre).get(reverse("partybuilding:meetings_template")).status_code == 200


def test_list_filters_and_query_count(
    tree: dict[str, Any],
    village_cadre: Any,
    neighbour_cadre: Any,
    xc_secretary: Any,
    login: Any,
    django_assert_max_num_queries: Any,
) -> None:
    held(village_cadre, tree["village"])
    planned(neighbour_cadre, tree["neighbour_village"])
    planned(xc_secretary, tree["lizhou"], "2026-09")
    client = login(xc_secretary)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("partybuilding:meetings"), {"period": "2026-10", "q": "村"})
    text = page.content.decode()
    assert "礼州村2026年10月党建月会" in text and "田坝村2026年10月党建月会" in text
    assert "礼州镇2026年9月" not in text
    held_only = client.get(reverse("partybuilding:meetings"), {"status": "held"}).content.decode()
    assert "田坝村2026年10月" not in held_only
    bad = client.get(
        reverse("partybuilding:meetings"), {"period": "2026-13", "unit": "\x00", "page": "x"}
    )
    assert bad.status_code == 200
