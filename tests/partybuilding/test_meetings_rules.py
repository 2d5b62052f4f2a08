"""The meetings' refusals (nothing changes), scope by role, the monthly planning, the
missed-month list and the two metrics with exact numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.common.metrics import Period, get
from grassroots.partybuilding.actions import meetings as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.jobs.meetings import plan_next_month
from grassroots.partybuilding.models import Meeting, Resolution
from tests.partybuilding.meetings_support import (  # noqa: F401
    clock,
    held,
    media,
    minutes_pdf,
    planned,
    rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media")]


def vote(meeting: Meeting, actor: Any, **kw: Any) -> Resolution:
    values: dict[str, Any] = {
        "title": "决议",
        "members_total": 7,
        "members_present": 5,
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 0,
    }
    values.update(kw)
    return actions.add_resolution(meeting.pk, actor=actor, **values)


def test_future_held_date_is_refused_and_nothing_changes(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    meeting = planned(village_cadre, tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:meeting_record", args=[meeting.pk]),
        {"held_on": "2026-10-21", "att-count": "1", "att-0-name": "张三", "att-0-present": "1"},
    )
    assert response.status_code == 400
    assert "2026-10-21 晚于今天" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.attendance.count()) == ("planned", None, 0)


@pytest.mark.parametrize("bad", ["2026-02-30", "\x00", "x" * 50])
def test_garbage_dates_are_400(
    tree: dict[str, Any], village_cadre: Any, login: Any, bad: str
) -> None:
    meeting = planned(village_cadre, tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:meeting_record", args=[meeting.pk]),
        {"held_on": bad, "att-count": "x", "att-0-name": "张三"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("kw", "field", "text"),
    [
        ({"votes_for": 5, "votes_against": 1}, "votes_for", "多于到会的 5 名"),
        ({"members_present": 8}, "members_present", "不能多于有表决权人数（7）"),
        (
            {"members_present": 3, "votes_for": 3, "votes_against": 0},
            "members_present",
            "不足法定人数",
        ),
        ({"members_total": 20, "members_present": 11}, "members_present", "会议实到人数（5）"),
    ],
)
def test_bad_votes_are_refused(
    tree: dict[str, Any], village_cadre: Any, kw: dict[str, Any], field: str, text: str
) -> None:
    meeting = held(village_cadre, tree["village"])
    with pytest.raises(PartybuildingError) as caught:
        vote(meeting, village_cadre, **kw)
    assert caught.value.field == field and text in caught.value.message
    assert Resolution.objects.count() == 0


def test_vote_page_shows_the_error_with_400(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    meeting = held(village_cadre, tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:resolution_new", args=[meeting.pk]),
        {
            "title": "决议",
            "matter": "other",
            "members_total": "7",
            "members_present": "5",
            "votes_for": "6",
        },
    )
    assert response.status_code == 400 and "多于到会的 5 名" in response.content.decode()
    assert Resolution.objects.count() == 0


def test_passed_means_more_than_half_of_all_members(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    meeting = held(village_cadre, tree["village"])
    failed = vote(meeting, village_cadre, votes_for=3, votes_against=2)  # 3 of 7: not passed
    passed = vote(meeting, village_cadre, votes_for=4, votes_against=1)
    assert (failed.passed, passed.passed) == (False, True)
    assert (failed.number, passed.number) == ("2026-01", "2026-02")
    with pytest.raises(PartybuildingError, match="只有通过的决议"):
        actions.create_tasks_from_resolution(
            failed.pk, actor=village_cadre, tasks=[{"title": "x", "deadline": "2026-11-01"}]
        )


def test_resolution_on_a_planned_meeting_is_refused(
    tree: dict[str, Any], village_cadre: Any
) -> None:
    meeting = planned(village_cadre, tree["village"])
    with pytest.raises(PartybuildingError, match="请先记录会议召开情况"):
        vote(meeting, village_cadre)
    assert Resolution.objects.count() == 0


def test_minutes_must_be_a_document(tree: dict[str, Any], village_cadre: Any, login: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = held(village_cadre, tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:meeting_minutes", args=[meeting.pk]),
        {"file": SimpleUploadedFile("run.exe", b"MZ\x90\x00binary", "application/octet-stream")},
    )
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.sha256 == ""
    assert not AuditEntry.objects.filter(action="partybuilding.meeting.minutes").exists()


def test_bad_task_rows_open_no_task(tree: dict[str, Any], village_cadre: Any) -> None:
    from grassroots.supervision.models import Task

    resolution = vote(held(village_cadre, tree["village"]), village_cadre)
    with pytest.raises(PartybuildingError, match="第 2 项任务"):
        actions.create_tasks_from_resolution(
            resolution.pk,
            actor=village_cadre,
            tasks=[
                {"title": "好的", "deadline": "2026-11-01"},
                {"title": "坏的", "deadline": "2026-02-30"},
            ],
        )
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("village_cadre", 200),
        ("xc_secretary", 200),
        ("supervisor", 200),
        ("committee_member", 200),
        ("city_admin", 200),
        ("neighbour_cadre", 404),
        ("outsider", 404),
        ("grid_worker", 403),
        ("resident", 403),
    ],
)
def test_who_sees_a_village_meeting(
    tree: dict[str, Any], village_cadre: Any, request: Any, login: Any, who: str, status: int
) -> None:
    meeting = held(village_cadre, tree["village"])
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("partybuilding:meeting_detail", args=[meeting.pk])).status_code in (
        (status,) if status != 403 else (403, 404)
    )
    if who in ("neighbour_cadre", "outsider"):
        assert (
            client.get(reverse("partybuilding:meeting_minutes_file", args=[meeting.pk])).status_code
            == 404
        )


@pytest.mark.parametrize("who", ["xc_secretary", "supervisor", "neighbour_cadre"])
def test_only_the_village_records_its_meeting(
    tree: dict[str, Any], village_cadre: Any, request: Any, who: str
) -> None:
    meeting = planned(village_cadre, tree["village"])
    with pytest.raises(PermissionDenied):
        actions.record_held(
            meeting.pk, actor=request.getfixturevalue(who), held_on="2026-10-15", attendance=rows()
        )
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_township_leader_records_the_township_meeting(
    tree: dict[str, Any], xc_secretary: Any
) -> None:
    meeting = held(xc_secretary, tree["lizhou"])
    assert meeting.status == "held" and meeting.unit == tree["lizhou"]


def test_one_monthly_meeting_per_unit_and_month(tree: dict[str, Any], village_cadre: Any) -> None:
    planned(village_cadre, tree["village"])
    with pytest.raises(PartybuildingError, match="已有 2026-10 的党建月会"):
        planned(village_cadre, tree["village"])


def test_monthly_planning_is_idempotent(
    tree: dict[str, Any], city_admin: Any, village_cadre: Any
) -> None:
    planned(village_cadre, tree["village"], "2026-11")
    first = plan_next_month()
    assert first == {"period": "2026-11", "units": 5, "created": 4}
    assert plan_next_month()["created"] == 0
    again = actions.plan_monthly("2026-11", actor=city_admin)
    assert (again.created, again.existing) == (0, 5)
    assert Meeting.objects.filter(period="2026-11", kind="party_monthly").count() == 5
    with pytest.raises(PermissionDenied):
        actions.plan_monthly("2026-12", actor=village_cadre)


def test_missed_month_list(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, login: Any
) -> None:
    held(village_cadre, tree["village"])  # 礼州村 held
    planned(xc_secretary, tree["lizhou"])  # 礼州镇 planned only; 田坝村 nothing
    page = login(xc_secretary).get(reverse("partybuilding:missed"), {"period": "2026-10"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "田坝村" in text and "礼州镇" in text and "已安排，未记录召开" in text
    assert "礼州村" not in text.split("<tbody>")[1] and "安宁村" not in text
    export = login(xc_secretary).get(reverse("partybuilding:missed_export"), {"period": "2026-10"})
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == [
        "田坝村",
        "礼州镇",
    ]


def test_monthly_meetings_on_schedule_exact(
    tree: dict[str, Any], village_cadre: Any, neighbour_cadre: Any, xc_secretary: Any
) -> None:
    # September: 礼州村 on time, 田坝村 late (held in October), 礼州镇 none
    held(village_cadre, tree["village"], "2026-09", "2026-09-28")
    held(neighbour_cadre, tree["neighbour_village"], "2026-09", "2026-10-02")
    # October: 礼州村 and 礼州镇 on time
    held(village_cadre, tree["village"], "2026-10", "2026-10-10")
    held(xc_secretary, tree["lizhou"], "2026-10", "2026-10-12")
    metric = get("partybuilding.monthly_meetings_on_schedule")
    values = {
        v.unit_id: v for v in metric(Period.parse("2026-Q4"), [tree["lizhou"], tree["village"]])
    }
    # Q4 by 2026-10-20: only October has begun. 礼州镇 subtree: 3 units, 2 on time.
    assert (values[tree["lizhou"].pk].numerator, values[tree["lizhou"].pk].denominator) == (2, 3)
    assert values[tree["lizhou"].pk].value == Decimal("66.67")
    assert values[tree["village"].pk].value == Decimal("100.00")
    sept = {v.unit_id: v for v in metric(Period.parse("2026-09"), [tree["lizhou"], tree["anning"]])}
    assert (sept[tree["lizhou"].pk].numerator, sept[tree["lizhou"].pk].denominator) == (1, 3)
    assert (sept[tree["anning"].pk].numerator, sept[tree["anning"].pk].denominator) == (0, 2)
    assert metric.evidence(tree["lizhou"].pk, Period.parse("2026-09")).count() == 2


def test_attendance_rate_exact(tree: dict[str, Any], village_cadre: Any, xc_secretary: Any) -> None:
    held(village_cadre, tree["village"])  # 5 of 7
    meeting = planned(xc_secretary, tree["lizhou"])
    actions.record_held(meeting.pk, actor=xc_secretary, held_on="2026-10-16", attendance=rows(2, 1))
    metric = get("partybuilding.attendance_rate")
    values = {
        v.unit_id: v
        for v in metric(Period.parse("2026-10"), [tree["lizhou"], tree["village"], tree["anning"]])
    }
    assert (values[tree["lizhou"].pk].numerator, values[tree["lizhou"].pk].denominator) == (7, 10)
    assert values[tree["lizhou"].pk].value == Decimal("70.00")
    assert values[tree["village"].pk].value == Decimal("71.43")
    assert values[tree["anning"].pk].value is None
