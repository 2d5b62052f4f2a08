"""The 党建月会's starting point with data: a unit with a published monthly assessment
result and a task past its deadline. The meeting's page and the agenda a planned meeting
starts from show the score, the rank and the task (the meetings tests only saw the empty
case)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from grassroots.partybuilding.models import Meeting
from tests.assessment.publishing_support import plain_scheme, run_with_results
from tests.partybuilding.meetings_support import NOW, planned

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(tree: dict[str, Any], city_admin: Any) -> Iterator[dict[str, Any]]:
    from grassroots.org.models import Membership
    from grassroots.supervision.actions import create_task

    Membership.objects.update(valid_from=dt.date(2020, 1, 1))
    with time_machine.travel(dt.datetime(2026, 9, 1, 2, tzinfo=dt.UTC), tick=False):
        task = create_task(
            actor=city_admin,
            title="修复礼州村灌溉渠",
            kind="key_task",
            unit=tree["village"],
            start_date=dt.date(2026, 9, 1),
            deadline=dt.date(2026, 10, 10),
            target_value=Decimal("100"),
            target_measure="米",
        )
    scheme = plain_scheme(tree)
    village, neighbour, other = tree["village"], tree["neighbour_village"], tree["other_village"]
    run_with_results(
        scheme, "2026-08", [(village, "91.5"), (neighbour, "80"), (other, "70")], state="published"
    )
    run_with_results(
        scheme, "2026-09", [(village, "72.25"), (neighbour, "88"), (other, "70")], state="published"
    )
    run_with_results(scheme, "2026-Q3", [(village, "99"), (other, "10")], state="published")
    run_with_results(scheme, "2026-10", [(village, "10"), (other, "90")])  # not published
    with time_machine.travel(NOW, tick=False):
        yield {"task": task}


def test_the_planned_meetings_agenda_starts_from_the_result_and_the_late_task(
    data: dict[str, Any], tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    meeting = planned(village_cadre, tree["village"], "2026-10")
    agenda = meeting.agenda
    assert "2026-09" in agenda and "72.25" in agenda, agenda
    assert "第 2 名（共 3 个）" in agenda, agenda
    assert "修复礼州村灌溉渠" in agenda and "2026-10-10" in agenda, agenda
    assert "average" not in agenda and "一般" in agenda, agenda  # the grade in words
    assert "99" not in agenda  # the quarterly run is no monthly result

    page = login(village_cadre).get(reverse("partybuilding:meeting_detail", args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "72.25" in text and "2026-09" in text
    assert "修复礼州村灌溉渠" in text
    assert reverse("supervision:detail", args=[data["task"].pk]) in text
    point = text.split("starting-point")[1].split("</section>")[0]
    assert "第 2 名" in point or "第2名" in point, point
    assert "average" not in point and "一般" in point, point


def test_the_record_form_of_a_meeting_without_agenda_is_prefilled(
    data: dict[str, Any], tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    meeting = planned(village_cadre, tree["village"], "2026-10")
    Meeting.objects.filter(pk=meeting.pk).update(agenda="")
    page = login(village_cadre).get(reverse("partybuilding:meeting_record", args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "72.25" in text and "修复礼州村灌溉渠" in text


def test_a_neighbour_village_sees_its_own_result_and_no_foreign_task(
    data: dict[str, Any], tree: dict[str, Any], neighbour_cadre: Any
) -> None:
    meeting = planned(neighbour_cadre, tree["neighbour_village"], "2026-10")
    assert "88" in meeting.agenda and "修复礼州村灌溉渠" not in meeting.agenda
