"""The whole life of an event through the actions, and the records each step leaves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.events import actions
from grassroots.events.models import ActionKind, EventAction
from grassroots.events.states import EventStatus as S
from tests.events.photos import upload

pytestmark = pytest.mark.django_db


def kinds(event: Any) -> list[str]:
    return list(EventAction.objects.filter(event=event).values_list("kind", flat=True))


def audit_actions(event: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_full_life_dispatch_to_department(
    report: Callable[..., Any],
    tree: dict[str, Any],
    village_cadre: Any,
    dept_staff: Any,
    media: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(
        "grassroots.events.notifications.event_changed", lambda e, a: calls.append((e, a))
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = report()
    assert event.status == S.REPORTED
    assert event.grid == tree["grid"]
    assert event.village == tree["village"]
    assert event.township == tree["lizhou"]
    assert event.assignee == event.dispatcher == tree["village"]
    assert event.area_path == tree["grid"].path
    assert event.assignee_path == tree["village"].path
    assert event.number.startswith("XC" + timezone.localdate().strftime("%Y%m%d"))
    assert event.number.endswith(f"{event.pk:06d}")

    with django_capture_on_commit_callbacks(execute=True):
        event = actions.accept_event(event.pk, actor=village_cadre, note="受理")
    assert event.status == S.ACCEPTED
    assert event.accepted_at is not None
    assert event.responded_at == event.accepted_at

    with django_capture_on_commit_callbacks(execute=True):
        event = actions.dispatch_event(
            event.pk, actor=village_cadre, to_unit=tree["department"], note="请住建局处理"
        )
    assert event.status == S.DISPATCHED
    assert event.assignee == tree["department"]
    assert event.assignee_path == tree["department"].path
    assert event.dispatcher == tree["village"]
    assert event.dispatched_at is not None
    assert event.responded_at == event.accepted_at  # first answer only

    event = actions.start_handling(event.pk, actor=dept_staff)
    assert event.status == S.IN_PROGRESS
    event = actions.resolve_event(
        event.pk, actor=dept_staff, note="已清运", photos=[upload("after.jpg")]
    )
    assert event.status == S.RESOLVED
    assert event.resolved_at is not None
    assert event.attachments.count() == 1

    event = actions.verify_event(event.pk, actor=village_cadre, passed=True)
    assert event.status == S.VERIFIED
    assert event.verified_at is not None
    event = actions.close_event(event.pk, actor=village_cadre)
    assert event.status == S.CLOSED
    assert event.closed_at is not None

    assert kinds(event) == [
        ActionKind.REPORT,
        ActionKind.ACCEPT,
        ActionKind.DISPATCH,
        ActionKind.START,
        ActionKind.RESOLVE,
        ActionKind.VERIFY,
        ActionKind.CLOSE,
    ]
    assert audit_actions(event) == [
        "events.event.reported",
        "events.event.accepted",
        "events.event.dispatched",
        "events.event.started",
        "events.event.resolved",
        "events.event.verified",
        "events.event.closed",
    ]
    lines = list(EventAction.objects.filter(event=event))
    assert [(a.from_status, a.to_status) for a in lines] == [
        ("", S.REPORTED),
        (S.REPORTED, S.ACCEPTED),
        (S.ACCEPTED, S.DISPATCHED),
        (S.DISPATCHED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED, S.VERIFIED),
        (S.VERIFIED, S.CLOSED),
    ]
    # the unit that granted each step
    assert [a.actor_unit_id for a in lines] == [
        tree["grid"].pk,
        tree["village"].pk,
        tree["village"].pk,
        tree["department"].pk,
        tree["department"].pk,
        tree["village"].pk,
        tree["village"].pk,
    ]
    dispatch = lines[2]
    assert dispatch.data["to_unit"] == tree["department"].code
    assert dispatch.note == "请住建局处理"
    # notifications after commit, one per line someone hears of: the dispatch (the report
    # waits in the village's queue, the acceptance concerns nobody else)
    assert calls == [(event.pk, lines[2].pk)]
    # audit entries are placed in the event's area
    entry = AuditEntry.objects.filter(action="events.event.dispatched").get()
    assert entry.unit_path == tree["grid"].path
    assert entry.before["status"] == S.ACCEPTED
    assert entry.after["assignee"] == tree["department"].code


def test_return_goes_back_to_the_dispatcher(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any, dept_staff: Any
) -> None:
    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    event = actions.return_event(event.pk, actor=dept_staff, reason="不属于本部门职责")
    assert event.status == S.RETURNED
    assert event.assignee == tree["village"]
    assert event.assignee_path == tree["village"].path
    assert event.return_count == 1
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.kind == ActionKind.RETURN
    assert line.note == "不属于本部门职责"
    assert line.data == {"from_unit": tree["department"].code, "to_unit": tree["village"].code}
    # the department no longer acts on it
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.start_handling(event.pk, actor=dept_staff)
    # the village dispatches it again
    event = actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    assert event.status == S.DISPATCHED


def test_return_to_self_is_refused(report: Callable[..., Any], village_cadre: Any) -> None:
    from grassroots.events.errors import EventError

    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.start_handling(event.pk, actor=village_cadre)
    with pytest.raises(EventError) as info:
        actions.return_event(event.pk, actor=village_cadre, reason="x")
    assert info.value.code == "return_to_self"


def test_rework_then_resolve_again(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any, dept_staff: Any
) -> None:
    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    actions.start_handling(event.pk, actor=dept_staff)
    actions.resolve_event(event.pk, actor=dept_staff, note="已处理")
    event = actions.verify_event(event.pk, actor=village_cadre, passed=False, note="仍有垃圾")
    assert event.status == S.REWORKED
    assert event.rework_count == 1
    assert event.assignee == tree["department"]
    event = actions.resolve_event(event.pk, actor=dept_staff, note="已彻底清理")
    assert event.status == S.RESOLVED
    event = actions.verify_event(event.pk, actor=village_cadre, passed=True)
    assert event.status == S.VERIFIED


def test_failed_verification_needs_a_note(report: Callable[..., Any], village_cadre: Any) -> None:
    from grassroots.events.errors import EventError

    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.start_handling(event.pk, actor=village_cadre)
    actions.resolve_event(event.pk, actor=village_cadre, note="done")
    with pytest.raises(EventError) as info:
        actions.verify_event(event.pk, actor=village_cadre, passed=False)
    assert info.value.field == "note"


def test_escalation_moves_assignee_up_and_raises_the_level(
    report: Callable[..., Any],
    tree: dict[str, Any],
    village_cadre: Any,
    xc_secretary: Any,
    dept_staff: Any,
) -> None:
    event = report()
    deadline = event.resolve_by
    event = actions.escalate_event(event.pk, actor=village_cadre, note="村里解决不了")
    assert event.status == S.ESCALATED
    assert event.assignee == tree["lizhou"]
    assert event.dispatcher == tree["lizhou"]
    assert event.escalation_level == 1
    assert event.resolve_by == deadline  # escalation does not move the deadline
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.data == {
        "from_unit": tree["village"].code,
        "to_unit": tree["lizhou"].code,
        "level": 1,
        "automatic": False,
    }
    # the township dispatches to the department; the department's lapse goes to the city
    event = actions.dispatch_event(event.pk, actor=xc_secretary, to_unit=tree["department"])
    assert event.dispatcher == tree["lizhou"]
    assert event.accepted_at is not None
    event = actions.escalate_event(event.pk, actor=None, automatic=True)
    assert event.assignee == tree["city"]
    assert event.escalation_level == 2
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.actor is None
    assert line.data["automatic"] is True


def test_escalation_without_actor_must_be_automatic(report: Callable[..., Any]) -> None:
    from django.core.exceptions import PermissionDenied

    event = report()
    with pytest.raises(PermissionDenied):
        actions.escalate_event(event.pk, actor=None)


def test_escalating_the_root_is_refused(
    report: Callable[..., Any], city_admin: Any, tree: dict[str, Any]
) -> None:
    from grassroots.events.errors import EventError

    event = report()
    actions.escalate_event(event.pk, actor=city_admin)
    actions.escalate_event(event.pk, actor=city_admin)
    event.refresh_from_db()
    assert event.assignee == tree["city"]
    with pytest.raises(EventError) as info:
        actions.escalate_event(event.pk, actor=city_admin)
    assert info.value.code == "no_parent"


def test_resolve_on_spot_closes_with_a_photo(
    report: Callable[..., Any], grid_worker: Any, media: Any
) -> None:
    from grassroots.events.errors import EventError

    event = report()
    with pytest.raises(EventError) as info:
        actions.resolve_on_spot(event.pk, actor=grid_worker, note="已清理")
    assert info.value.field == "photos"
    event = actions.resolve_on_spot(
        event.pk, actor=grid_worker, note="已清理", photos=[upload("done.jpg")]
    )
    assert event.status == S.CLOSED
    assert event.closed_at is not None
    assert event.resolved_at == event.closed_at
    assert event.responded_at == event.closed_at
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.kind == ActionKind.RESOLVE_ON_SPOT
    assert line.attachments.count() == 1


def test_urge_set_deadline_and_comment_leave_the_status(
    report: Callable[..., Any],
    tree: dict[str, Any],
    village_cadre: Any,
    dept_staff: Any,
    supervisor: Any,
) -> None:
    import datetime as dt

    from grassroots.events.errors import EventError

    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
    old = event.resolve_by
    event = actions.urge_event(event.pk, actor=village_cadre, note="请尽快")
    assert event.status == S.DISPATCHED
    new = timezone.now() + dt.timedelta(days=10)
    event = actions.set_deadline(event.pk, actor=village_cadre, resolve_by=new, reason="需协调")
    assert event.resolve_by == new
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert line.kind == ActionKind.SET_DEADLINE
    assert dt.datetime.fromisoformat(line.data["old"]) == old
    assert dt.datetime.fromisoformat(line.data["new"]) == new
    with pytest.raises(EventError) as info:
        actions.set_deadline(
            event.pk,
            actor=village_cadre,
            resolve_by=timezone.now() - dt.timedelta(hours=1),
            reason="x",
        )
    assert (info.value.field, info.value.code) == ("resolve_by", "past")
    with pytest.raises(EventError) as info:
        actions.set_deadline(event.pk, actor=village_cadre, resolve_by=new, reason=" ")
    assert info.value.field == "reason"
    comment = actions.comment_event(event.pk, actor=supervisor, note="监督意见")
    assert comment.kind == ActionKind.COMMENT
    assert comment.actor_unit_id == tree["lizhou"].pk
    comment = actions.comment_event(event.pk, actor=dept_staff, note="正在协调")
    assert comment.actor_unit_id == tree["department"].pk
    event.refresh_from_db()
    assert event.status == S.DISPATCHED
    assert AuditEntry.objects.filter(action="events.event.urged").count() == 1
    assert AuditEntry.objects.filter(action="events.event.deadline_changed").count() == 1


def test_dispatch_may_set_the_deadline_in_the_future_only(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    import datetime as dt

    from grassroots.events.errors import EventError

    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    with pytest.raises(EventError) as info:
        actions.dispatch_event(
            event.pk,
            actor=village_cadre,
            to_unit=tree["department"],
            resolve_by=timezone.now() - dt.timedelta(minutes=1),
        )
    assert info.value.field == "resolve_by"
    event.refresh_from_db()
    assert event.status == S.ACCEPTED
    new = timezone.now() + dt.timedelta(days=2)
    event = actions.dispatch_event(
        event.pk, actor=village_cadre, to_unit=tree["department"], resolve_by=new
    )
    assert event.resolve_by == new


def test_dispatch_targets(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    from grassroots.events.errors import EventError

    event = report()
    actions.accept_event(event.pk, actor=village_cadre)
    for target, code in (
        (tree["village"], "same_unit"),
        (tree["neighbour_village"], "out_of_reach"),
        (tree["lizhou"], "out_of_reach"),
    ):
        with pytest.raises(EventError) as info:
            actions.dispatch_event(event.pk, actor=village_cadre, to_unit=target)
        assert (info.value.field, info.value.code) == ("to_unit", code)
    # a unit below: the grid
    event = actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["grid"])
    assert event.assignee == tree["grid"]


def test_record_system_action(
    report: Callable[..., Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(
        "grassroots.events.notifications.event_changed", lambda e, a: calls.append((e, a))
    )
    event = report()
    with django_capture_on_commit_callbacks(execute=True):
        line = actions.record_system_action(
            event.pk, kind="remind", note="4 小时后到期", data={"due": "x"}
        )
    assert line.kind == ActionKind.REMIND
    assert line.actor is None
    assert line.from_status == line.to_status == S.REPORTED
    assert calls == [(event.pk, line.pk)]
    with pytest.raises(ValueError):
        actions.record_system_action(event.pk, kind="dispatch")
    from grassroots.events.errors import EventNotFound

    with pytest.raises(EventNotFound):
        actions.record_system_action(10**9, kind="lapse")


def test_missing_event_is_not_found(city_admin: Any) -> None:
    from grassroots.events.errors import EventNotFound

    with pytest.raises(EventNotFound):
        actions.accept_event(123456, actor=city_admin)


def test_a_failing_notification_does_not_undo_the_action(
    report: Callable[..., Any],
    village_cadre: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    def boom(event_id: int, action_id: int) -> None:
        raise RuntimeError("SMS gateway down")

    monkeypatch.setattr("grassroots.events.notifications.event_changed", boom)
    event = report()
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_event(event.pk, actor=village_cadre)
    event.refresh_from_db()
    assert event.status == S.ACCEPTED


def test_a_lock_the_database_gives_up_is_a_conflict(
    report: Callable[..., Any], village_cadre: Any, monkeypatch: Any
) -> None:
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    from grassroots.events.errors import EventConflict

    event = report()

    def locked(self: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "first", locked)
    with pytest.raises(EventConflict) as info:
        actions.accept_event(event.pk, actor=village_cadre)
    assert info.value.code == "conflict"


def test_errors_carry_field_code_and_a_body() -> None:
    from django.utils.translation import override

    from grassroots.events.errors import EventError, IllegalTransition

    error = EventError("坏了", field="title")
    assert (error.code, error.as_dict()) == ("invalid", {"title": "坏了"})
    assert EventError("x").as_dict() == {"__all__": "x"}
    with override("en"):
        illegal = IllegalTransition(current="closed", target="dispatched")
    assert illegal.message == "An event in status “Closed” cannot move to “Dispatched”."
    assert (illegal.current, illegal.target, illegal.code) == (
        "closed",
        "dispatched",
        "illegal_transition",
    )
