"""Who hears of what happens to an event: the actions' on-commit hook fills the inboxes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.events import actions
from grassroots.events.notifications import event_changed
from grassroots.inbox.models import Notification
from tests.events.photos import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``run(action, *args, **kw)``: call an action and its after-commit hooks."""

    def _run(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return _run


def heard(user: Any) -> list[tuple[str, str]]:
    """(event id, link) of each message the user got, oldest first."""
    return [
        (n.object_id, n.link) for n in Notification.objects.filter(recipient=user).order_by("id")
    ]


@pytest.fixture
def cast(
    village_cadre: Any, xc_secretary: Any, dept_staff: Any, grid_worker: Any, city_admin: Any
) -> dict[str, Any]:
    return {
        "cadre": village_cadre,
        "secretary": xc_secretary,
        "dept": dept_staff,
        "worker": grid_worker,
        "admin": city_admin,
    }


def test_report_and_accept_tell_nobody(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any]
) -> None:
    event = run(report)
    run(actions.accept_event, event.pk, actor=cast["cadre"])
    assert Notification.objects.count() == 0


def test_dispatch_tells_the_handlers_of_the_new_assignee(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any], tree: Any
) -> None:
    event = run(report)
    run(actions.accept_event, event.pk, actor=cast["cadre"])
    run(actions.dispatch_event, event.pk, actor=cast["cadre"], to_unit=tree["department"])
    assert heard(cast["dept"]) == [(str(event.pk), f"/events/{event.pk}/")]
    # The actor, the township above and the city are not told.
    assert heard(cast["cadre"]) == heard(cast["secretary"]) == heard(cast["admin"]) == []
    message = Notification.objects.get(recipient=cast["dept"])
    assert event.number in message.subject
    assert message.object_type == "events.event"
    assert message.sms == "no_phone"  # the department's user has no phone number


def test_resolve_and_return_tell_the_dispatcher(
    report: Callable[..., Any],
    run: Callable[..., Any],
    cast: dict[str, Any],
    tree: Any,
    media: Any,
) -> None:
    first = run(report)
    run(actions.accept_event, first.pk, actor=cast["cadre"])
    run(actions.dispatch_event, first.pk, actor=cast["cadre"], to_unit=tree["department"])
    run(actions.start_handling, first.pk, actor=cast["dept"])
    run(
        actions.resolve_event,
        first.pk,
        actor=cast["dept"],
        note="已清运",
        photos=[upload("after.jpg")],
    )
    second = run(report)
    run(actions.accept_event, second.pk, actor=cast["cadre"])
    run(actions.dispatch_event, second.pk, actor=cast["cadre"], to_unit=tree["department"])
    run(actions.return_event, second.pk, actor=cast["dept"], reason="不属于本部门")
    assert [event_id for event_id, _link in heard(cast["cadre"])] == [
        str(first.pk),
        str(second.pk),
    ]
    # The department heard of the two dispatches only, not of its own acts.
    assert len(heard(cast["dept"])) == 2
    # The cadre has a phone: texted through the log backend, never claimed as sent.
    assert set(
        Notification.objects.filter(recipient=cast["cadre"]).values_list("sms", flat=True)
    ) == {"logged"}


def test_rework_and_urge_tell_the_assignee(
    report: Callable[..., Any],
    run: Callable[..., Any],
    cast: dict[str, Any],
    tree: Any,
    media: Any,
) -> None:
    event = run(report)
    run(actions.accept_event, event.pk, actor=cast["cadre"])
    run(actions.dispatch_event, event.pk, actor=cast["cadre"], to_unit=tree["department"])
    run(actions.urge_event, event.pk, actor=cast["cadre"], note="请尽快")
    run(actions.start_handling, event.pk, actor=cast["dept"])
    run(actions.resolve_event, event.pk, actor=cast["dept"], note="好了", photos=[upload()])
    run(actions.verify_event, event.pk, actor=cast["cadre"], passed=False, note="没清干净")
    kinds = list(
        Notification.objects.filter(recipient=cast["dept"]).values_list("subject", flat=True)
    )
    assert len(kinds) == 3  # dispatched, urged, rework


def test_escalation_tells_the_dispatchers_of_the_parent(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any]
) -> None:
    event = run(report)
    run(actions.escalate_event, event.pk, actor=cast["cadre"], note="村里处理不了")
    assert heard(cast["secretary"]) == [(str(event.pk), f"/events/{event.pk}/")]
    assert heard(cast["cadre"]) == []


def test_automatic_escalation_is_told_too(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any]
) -> None:
    event = run(report)
    run(actions.escalate_event, event.pk, actor=None, automatic=True)
    assert len(heard(cast["secretary"])) == 1


def test_close_tells_the_reporter_with_a_link_when_staff(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any], media: Any
) -> None:
    event = run(report)
    run(actions.accept_event, event.pk, actor=cast["cadre"])
    run(actions.start_handling, event.pk, actor=cast["cadre"])
    run(actions.resolve_event, event.pk, actor=cast["cadre"], note="好了", photos=[upload()])
    run(actions.verify_event, event.pk, actor=cast["cadre"], passed=True)
    run(actions.close_event, event.pk, actor=cast["cadre"])
    # The grid worker reported it and may see it: the message links to the event.
    assert heard(cast["worker"]) == [(str(event.pk), f"/events/{event.pk}/")]


def test_rejection_tells_a_resident_reporter_without_a_staff_link(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any], resident: Any
) -> None:
    event = run(report)
    type(event).objects.filter(pk=event.pk).update(reporter=resident)
    run(actions.reject_event, event.pk, actor=cast["cadre"], reason="不属于受理范围")
    assert heard(resident) == [(str(event.pk), "")]
    assert heard(cast["worker"]) == []


def test_sweep_lines_go_to_assignee_and_dispatcher(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any], tree: Any
) -> None:
    event = run(report)
    run(actions.accept_event, event.pk, actor=cast["cadre"])
    run(actions.dispatch_event, event.pk, actor=cast["cadre"], to_unit=tree["department"])
    Notification.objects.all().delete()
    run(actions.record_system_action, event.pk, kind="remind")
    assert len(heard(cast["dept"])) == 1 and heard(cast["cadre"]) == []
    run(actions.record_system_action, event.pk, kind="lapse", data={"deadline": "resolve_by"})
    assert len(heard(cast["dept"])) == 2 and len(heard(cast["cadre"])) == 1


def test_comments_tell_nobody(
    report: Callable[..., Any], run: Callable[..., Any], cast: dict[str, Any]
) -> None:
    event = run(report)
    run(actions.comment_event, event.pk, actor=cast["cadre"], note="已联系")
    assert Notification.objects.count() == 0


def test_one_line_costs_two_reads_and_one_insert(
    report: Callable[..., Any], cast: dict[str, Any], tree: Any
) -> None:
    from grassroots.events.models import EventAction

    event = report()
    actions.accept_event(event.pk, actor=cast["cadre"])
    actions.dispatch_event(event.pk, actor=cast["cadre"], to_unit=tree["department"])
    line = EventAction.objects.get(event=event, kind="dispatch")
    with CaptureQueriesContext(connection) as ctx:
        event_changed(event.pk, line.pk)
    assert len(ctx.captured_queries) == 3
    assert Notification.objects.filter(recipient=cast["dept"]).count() == 1


def test_unknown_line_is_ignored(db: Any) -> None:
    event_changed(1, 999_999)
    assert Notification.objects.count() == 0
