"""Who reaches which competitions page (role × page), the list's filters and its query
count, and the Excel export and entries import."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.models import Entry
from tests.partybuilding.competitions_support import (
    make_competition,
    open_judging,
    ready_competition,
    score_all,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "list_status", "detail_status", "organise_status"),
    [
        ("city_admin", 200, 200, 200),
        ("xc_secretary", 200, 200, 200),
        ("village_cadre", 200, 404, 404),  # sees the list, not the township's competition
        ("supervisor", 200, 200, 403),  # reads, does not organise
        ("outsider", 200, 404, 404),
        ("grid_worker", 403, 404, 404),
        ("resident", 403, 404, 404),
    ],
)
def test_role_by_page(
    request: Any,
    tree: dict[str, Any],
    xc_secretary: Any,
    login: Any,
    who: str,
    list_status: int,
    detail_status: int,
    organise_status: int,
) -> None:
    competition = make_competition(tree["lizhou"], xc_secretary)
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("partybuilding:competitions")).status_code == list_status
    assert (
        client.get(reverse("partybuilding:competition_detail", args=[competition.pk])).status_code
        == detail_status
    )
    for name in (
        "competition_edit",
        "competition_rounds",
        "competition_entries",
        "competition_judges",
        "entries_import",
    ):
        url = reverse(f"partybuilding:{name}", args=[competition.pk])
        assert client.get(url).status_code == organise_status, name
    new_status = 200 if who in ("city_admin", "xc_secretary", "outsider") else 403
    assert client.get(reverse("partybuilding:competition_new")).status_code == new_status


def test_a_judge_sees_the_competition_and_their_sheet_but_not_the_others_scores(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    client = login(judges[0])
    assert (
        client.get(reverse("partybuilding:judge_sheet", args=[competition.pk])).status_code == 404
    )
    open_judging(competition, xc_secretary)
    score_all(competition, {judges[1]: ["91.5", "60"]}, entries, submit=False)
    assert client.get(reverse("partybuilding:judging")).status_code == 200
    sheet = client.get(reverse("partybuilding:judge_sheet", args=[competition.pk]))
    assert sheet.status_code == 200
    assert 'inputmode="decimal"' in sheet.content.decode()
    detail = client.get(reverse("partybuilding:competition_detail", args=[competition.pk]))
    assert detail.status_code == 200
    assert "91.5" not in detail.content.decode() and "评委2" not in detail.content.decode()
    assert (
        client.get(reverse("partybuilding:competition_export", args=[competition.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("partybuilding:competition_rounds", args=[competition.pk])).status_code
        == 403
    )


def test_the_list_filters_and_keeps_its_query_count(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    make_competition(tree["lizhou"], xc_secretary, title="二〇二四年竞演", year=2024)
    client = login(xc_secretary)
    url = reverse("partybuilding:competitions")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        ready_competition(tree, xc_secretary, title=f"竞演{i}") if i == 0 else make_competition(
            tree["lizhou"], xc_secretary, title=f"竞演{i}"
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "竞演5" in page

    def counted(ctx: Any) -> int:
        return len([q for q in ctx.captured_queries if "common_calendar" not in q["sql"]])

    assert counted(many) == counted(few)
    filtered = client.get(url, {"year": 2024}).content.decode()
    assert "二〇二四年竞演" in filtered and "竞演5" not in filtered
    assert "竞演5" not in client.get(url, {"status": "published"}).content.decode()


def test_the_export_holds_results_and_for_the_organiser_every_score_and_flag(
    tree: dict[str, Any], xc_secretary: Any, supervisor: Any, login: Any
) -> None:
    from grassroots.partybuilding.actions import competitions as actions
    from grassroots.partybuilding.states import CompetitionStatus

    competition, _round, entries, judges = ready_competition(tree, xc_secretary)
    open_judging(competition, xc_secretary)
    score_all(
        competition,
        {judges[0]: ["90", "80"], judges[1]: ["85", "75"], judges[2]: ["80", "80"]},
        entries,
    )
    actions.justify_sheet(competition.pk, "两个节目难分高下", actor=judges[2])
    actions.transition(competition.pk, CompetitionStatus.CLOSED, actor=xc_secretary)
    url = reverse("partybuilding:competition_export", args=[competition.pk])
    book = openpyxl.load_workbook(io.BytesIO(login(xc_secretary).get(url).content))
    assert book.sheetnames == ["竞演结果", "评委评分", "评委诊断"]
    results = list(book["竞演结果"].iter_rows(min_row=2, values_only=True))
    assert results[0][1] == 1 and results[0][3] == "礼州村" and results[0][7] == "一等奖"
    flags = {row[0]: row[2] for row in book["评委诊断"].iter_rows(min_row=2, values_only=True)}
    assert "对所有单位打分相同" in flags["评委3"]
    assert len(list(book["评委评分"].iter_rows(min_row=2))) == 6
    reader = openpyxl.load_workbook(io.BytesIO(login(supervisor).get(url).content))
    assert reader.sheetnames == ["竞演结果"]


def _upload(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["轮次", "村(社区)编码", "村(社区)名称", "节目名称", "类别", "表演者"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("节目.xlsx", buffer.getvalue())


def test_the_entries_import_checks_then_imports_all_or_nothing(
    tree: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    competition, _round, _entries, _judges = ready_competition(tree, xc_secretary)
    client = login(xc_secretary)
    url = reverse("partybuilding:entries_import", args=[competition.pk])
    bad = _upload(
        [
            ["决赛", "", "田坝村", "竹竿舞", "舞蹈", "文艺队"],
            ["决赛", tree["other_village"].code, "", "外乡节目", "", ""],
            ["半决赛", "", "礼州村", "独唱", "", ""],
        ]
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    text = response.content.decode()
    assert "礼州镇 辖区内没有编码为 513401102201 的村(社区)" in text
    assert "没有名为“半决赛”的轮次" in text
    assert Entry.objects.count() == 2
    good = _upload(
        [
            ["决赛", "", "田坝村", "竹竿舞", "舞蹈", "文艺队"],
            ["决赛", tree["village"].code, "", "独唱·月亮", "声乐", ""],
        ]
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 200
    assert Entry.objects.count() == 2  # checked only
    token = client.session["partybuilding_entries"]["token"]
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert set(Entry.objects.values_list("title", flat=True)) >= {"竹竿舞", "独唱·月亮"}
    assert AuditEntry.objects.filter(action="partybuilding.competition.entries_imported").exists()
    template = client.get(reverse("partybuilding:entries_template", args=[competition.pk]))
    assert template.status_code == 200
