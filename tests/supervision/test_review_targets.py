"""Review: a sub-task's target changed afterwards may not make the shares exceed the
parent's target (the issue: "a split that exceeds the parent's target … gets a clear
error and changes nothing")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from grassroots.supervision.actions import update_task
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.queries import split_gap
from tests.supervision.conftest import fresh

pytestmark = pytest.mark.django_db


def test_raising_a_share_beyond_the_parent_target_is_refused(
    village_tasks: dict[str, Any], township_task: Any, xc_secretary: Any
) -> None:
    share = village_tasks["village"]  # 60 of 100; the neighbour has 40
    with pytest.raises(SupervisionError) as caught:
        update_task(share, actor=xc_secretary, changes={"target_value": "90"})
    assert caught.value.field == "target_value"
    assert fresh(share).target_value == Decimal(60)
    assert split_gap(fresh(township_task)).assigned == Decimal(100)


def test_a_share_may_still_change_within_the_parent_target(
    village_tasks: dict[str, Any], xc_secretary: Any
) -> None:
    share = village_tasks["village"]
    update_task(share, actor=xc_secretary, changes={"target_value": "50"})
    assert fresh(share).target_value == Decimal(50)
    update_task(share, actor=xc_secretary, changes={"target_value": "60"})
    assert fresh(share).target_value == Decimal(60)


def test_over_the_api_the_answer_is_400_on_the_field(
    village_tasks: dict[str, Any], xc_secretary: Any, login: Any
) -> None:
    share = village_tasks["neighbour"]
    response = login(xc_secretary).patch(
        f"/api/v1/tasks/{share.pk}/", {"target_value": "41"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "target_value" in response.json()
    assert fresh(share).target_value == Decimal(40)
