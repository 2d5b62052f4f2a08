"""Deadline extensions: asked for by the unit with a reason, decided by the unit above."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.supervision import actions
from grassroots.supervision.errors import IllegalTransition, SupervisionConflict, SupervisionError
from grassroots.supervision.models import ExtensionRequest
from tests.supervision.conftest import audits, fresh, lines

pytestmark = pytest.mark.django_db

DEC_1, DEC_20 = dt.date(2026, 12, 1), dt.date(2026, 12, 20)


@pytest.fixture
def early_task(village_task: Any, xc_secretary: Any) -> Any:
    """礼州村's share, due on 2026-12-01 (the township's task is due 12-31)."""
    return actions.update_task(village_task, actor=xc_secretary, changes={"deadline": DEC_1})


def test_approval_moves_the_deadline_with_an_audit_entry(
    early_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    request = actions.request_extension(
        early_task, actor=village_cadre, requested_deadline=DEC_20, reason="雨季停工两周"
    )
    assert (request.state, request.previous_deadline) == ("pending", DEC_1)
    assert fresh(early_task).deadline == DEC_1
    approved = actions.approve_extension(request, actor=xc_secretary, note="同意")
    assert approved.state == "approved" and approved.decided_by == xc_secretary
    assert fresh(early_task).deadline == DEC_20
    [entry] = audits("supervision.task.extension_approved", early_task)
    assert (entry.before["deadline"], entry.after["deadline"]) == ("2026-12-01", "2026-12-20")
    assert [x.kind for x in lines(early_task)][-2:] == ["request_extension", "approve_extension"]
    with pytest.raises(SupervisionConflict):
        actions.refuse_extension(request, actor=xc_secretary, reason="不同意")


def test_refusal_needs_a_reason_and_keeps_the_deadline(
    early_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    request = actions.request_extension(
        early_task, actor=village_cadre, requested_deadline="2026-12-10", reason="资金未到位"
    )
    with pytest.raises(SupervisionError) as caught:
        actions.refuse_extension(request, actor=xc_secretary, reason=" ")
    assert caught.value.field == "reason"
    refused = actions.refuse_extension(request, actor=xc_secretary, reason="请按期完成")
    assert (refused.state, refused.note) == ("refused", "请按期完成")
    assert fresh(early_task).deadline == DEC_1


@pytest.mark.parametrize(
    ("deadline", "reason", "field", "code"),
    [
        (DEC_1, "x", "requested_deadline", "not_later"),
        (dt.date(2027, 1, 15), "x", "requested_deadline", "after_parent"),
        (DEC_20, "", "reason", "required"),
        ("soon", "x", "requested_deadline", "invalid_date"),
    ],
)
def test_bad_requests_name_the_field(
    early_task: Any, village_cadre: Any, deadline: Any, reason: str, field: str, code: str
) -> None:
    with pytest.raises(SupervisionError) as caught:
        actions.request_extension(
            early_task, actor=village_cadre, requested_deadline=deadline, reason=reason
        )
    assert (caught.value.field, caught.value.code) == (field, code)
    assert ExtensionRequest.objects.count() == 0


def test_one_pending_request_and_scope(
    early_task: Any, village_cadre: Any, neighbour_cadre: Any, xc_secretary: Any, outsider: Any
) -> None:
    with pytest.raises(PermissionDenied):
        actions.request_extension(
            early_task, actor=neighbour_cadre, requested_deadline=DEC_20, reason="x"
        )
    request = actions.request_extension(
        early_task, actor=village_cadre, requested_deadline=DEC_20, reason="x"
    )
    with pytest.raises(IllegalTransition):
        actions.request_extension(
            early_task, actor=village_cadre, requested_deadline=DEC_20, reason="y"
        )
    for actor in (village_cadre, outsider):
        with pytest.raises(PermissionDenied):
            actions.approve_extension(request, actor=actor)
    assert ExtensionRequest.objects.get().state == "pending"


def test_approval_never_shortens_a_deadline_moved_meanwhile(
    early_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    request = actions.request_extension(
        early_task, actor=village_cadre, requested_deadline=dt.date(2026, 12, 10), reason="材料未到"
    )
    actions.update_task(early_task, actor=xc_secretary, changes={"deadline": DEC_20})
    with pytest.raises(SupervisionConflict):
        actions.approve_extension(request, actor=xc_secretary)
    assert fresh(early_task).deadline == DEC_20
    assert ExtensionRequest.objects.get(pk=request.pk).state == "pending"
