"""Review: dates far away (year 1, year 9999) are refused with a clear error instead of
being stored and breaking every page that computes the plan line afterwards, and an odd
``?week=`` on the weekly board falls back to this week instead of a server error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import Task

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"


@pytest.mark.parametrize(
    ("field", "value"),
    [("start_date", "0001-01-01"), ("deadline", "9999-12-31"), ("start_date", "1000-01-01")],
)
def test_api_create_with_a_far_date_is_a_400_and_writes_nothing(
    login: Any, units: dict[str, Any], city_admin: Any, field: str, value: str
) -> None:
    body = {"title": "x", "kind": "key_task", "unit": "513401101", "deadline": "2026-12-31"}
    body[field] = value
    response = login(city_admin).post(TASKS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Task.objects.exists()
    assert login(city_admin).get(TASKS).status_code == 200


def test_actions_refuse_far_dates(deploy: Any, village_task: Any, village_cadre: Any) -> None:
    from grassroots.supervision.actions import request_extension

    with pytest.raises(SupervisionError) as caught:
        deploy(start_date=dt.date(1, 1, 1))
    assert caught.value.field == "start_date"
    with pytest.raises(SupervisionError) as caught:
        request_extension(
            village_task, actor=village_cadre, requested_deadline=dt.date(9999, 12, 31), reason="r"
        )
    assert caught.value.field == "requested_deadline"


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "10000-W01"])
def test_board_with_a_far_week_shows_this_week(
    login: Any, units: dict[str, Any], xc_secretary: Any, week: str
) -> None:
    response = login(xc_secretary).get("/supervision/board/", {"week": week})
    assert response.status_code == 200
    assert response.context["week"] == "2026-W36"
