"""The monthly meeting from plan to tasks: a village secretary plans it, records it held
with the attendance, uploads the minutes, adds a resolution with its vote and opens two
tasks, which supervision shows issued by the township."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.models import Meeting, Resolution
from grassroots.supervision.models import Task
from tests.partybuilding.meetings_support import clock, media, minutes_pdf  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media")]


def test_village_secretary_holds_the_monthly_meeting_and_ends_in_tasks(
    tree: dict[str, Any], village_cadre: Any, xc_secretary: Any, login: Any
) -> None:
    client = login(village_cadre)
    # plan
    response = client.post(
        reverse("partybuilding:meeting_new"),
        {"unit": tree["village"].code, "kind": "party_monthly", "period": "2026-10"},
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.title == "礼州村2026年10月党建月会"
    assert "暂无月度考核结果" in meeting.agenda  # the starting point, none published yet
    page = client.get(reverse("partybuilding:meeting_detail", args=[meeting.pk])).content.decode()
    assert "本月起点" in page and "暂无有风险的任务" in page
    # record as held with the attendance (the phone form's rows)
    form = client.get(reverse("partybuilding:meeting_record", args=[meeting.pk]))
    assert form.status_code == 200 and 'name="att-0-name"' in form.content.decode()
    data = {
        "held_on": "2026-10-15",
        "location": "村活动室",
        "chair": "张村长",
        "agenda": "一、通报月度考核",
        "att-count": "4",
        "att-0-name": "张三",
        "att-0-voting": "1",
        "att-0-present": "1",
        "att-1-name": "李四",
        "att-1-voting": "1",
        "att-1-present": "1",
        "att-2-name": "王五",
        "att-2-voting": "1",
        "att-2-reason": "外出务工",
        "att-3-name": "",
    }
    response = client.post(reverse("partybuilding:meeting_record", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.expected_count, meeting.present_count) == ("held", 3, 2)
    # minutes
    response = client.post(
        reverse("partybuilding:meeting_minutes", args=[meeting.pk]), {"file": minutes_pdf()}
    )
    assert response.status_code == 302
    minutes = client.get(reverse("partybuilding:meeting_minutes_file", args=[meeting.pk]))
    assert minutes.status_code == 200 and b"".join(minutes.streaming_content).startswith(b"%PDF")
    # a resolution with its vote: 2 of 3 present, 2 for → passed (2 > 3/2)
    response = client.post(
        reverse("partybuilding:resolution_new", args=[meeting.pk]),
        {
            "title": "修缮村口水渠",
            "matter": "livelihood",
            "members_total": "3",
            "members_present": "2",
            "votes_for": "2",
            "votes_against": "0",
            "votes_abstain": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    resolution = Resolution.objects.get()
    assert (resolution.number, resolution.passed, resolution.decided_on.isoformat()) == (
        "2026-01",
        True,
        "2026-10-15",
    )
    # two tasks
    response = client.post(
        reverse("partybuilding:resolution_tasks", args=[resolution.pk]),
        {
            "task-count": "3",
            "task-0-title": "水渠清淤",
            "task-0-deadline": "2026-11-15",
            "task-1-title": "水渠护栏",
            "task-1-deadline": "2026-12-15",
            "task-1-description": "两侧护栏",
        },
    )
    assert response.status_code == 302, response.content.decode()
    tasks = list(Task.objects.order_by("pk"))
    assert [t.title for t in tasks] == ["水渠清淤", "水渠护栏"]
    assert {(t.unit, t.issuer, t.origin) for t in tasks} == {
        (tree["village"], tree["lizhou"], f"partybuilding.resolution:{resolution.pk}")
    }
    # supervision: the township sees them as issued by itself
    assert set(Task.objects.visible_to(xc_secretary).issued_by(tree["lizhou"])) == set(tasks)
    task_page = login(xc_secretary).get(reverse("supervision:detail", args=[tasks[0].pk]))
    assert task_page.status_code == 200
    page = client.get(reverse("partybuilding:resolution_detail", args=[resolution.pk]))
    assert "水渠清淤" in page.content.decode() and "礼州镇" in page.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "partybuilding.meeting.planned",
        "partybuilding.meeting.held",
        "partybuilding.meeting.minutes",
        "partybuilding.resolution.added",
        "partybuilding.resolution.tasks",
        "supervision.task.created",
    } <= actions
    held_entry = AuditEntry.objects.get(action="partybuilding.meeting.held")
    assert held_entry.after is not None and held_entry.after["present"] == 2
    assert "张三" not in str(held_entry.after)
