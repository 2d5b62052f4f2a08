"""Every action from every status: allowed exactly where ``states.TRANSITIONS`` says so.

The event is put in each status directly (assignee 住建局, dispatcher 礼州村, so that
every action's other preconditions hold), the action is tried by the city office (which
holds every grant), and either the status becomes the action's target or the action
raises IllegalTransition naming both statuses and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import override

from grassroots.audit.models import AuditEntry
from grassroots.events import actions
from grassroots.events.errors import IllegalTransition
from grassroots.events.models import Event, EventAction
from grassroots.events.states import TRANSITIONS, EventStatus
from tests.events.photos import upload

pytestmark = pytest.mark.django_db

S = EventStatus


def _future() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=30)


# action name → (target status, extra guard: the only sources it accepts, or None, call)
ACTIONS: dict[str, tuple[S, frozenset[S] | None, Callable[[int, Any, Any], Any]]] = {
    "accept": (S.ACCEPTED, None, lambda pk, who, u: actions.accept_event(pk, actor=who)),
    "reject": (
        S.REJECTED,
        None,
        lambda pk, who, u: actions.reject_event(pk, actor=who, reason="r"),
    ),
    "dispatch": (
        S.DISPATCHED,
        None,
        lambda pk, who, u: actions.dispatch_event(pk, actor=who, to_unit=u["department2"]),
    ),
    "start": (S.IN_PROGRESS, None, lambda pk, who, u: actions.start_handling(pk, actor=who)),
    "return": (
        S.RETURNED,
        None,
        lambda pk, who, u: actions.return_event(pk, actor=who, reason="r"),
    ),
    "escalate": (S.ESCALATED, None, lambda pk, who, u: actions.escalate_event(pk, actor=who)),
    "resolve": (
        S.RESOLVED,
        None,
        lambda pk, who, u: actions.resolve_event(pk, actor=who, note="n"),
    ),
    "verify_pass": (
        S.VERIFIED,
        None,
        lambda pk, who, u: actions.verify_event(pk, actor=who, passed=True),
    ),
    "verify_fail": (
        S.REWORKED,
        None,
        lambda pk, who, u: actions.verify_event(pk, actor=who, passed=False, note="n"),
    ),
    # reported → closed is only 就地解决; verified → closed only close_event
    "close": (
        S.CLOSED,
        frozenset({S.VERIFIED}),
        lambda pk, who, u: actions.close_event(pk, actor=who),
    ),
    "resolve_on_spot": (
        S.CLOSED,
        frozenset({S.REPORTED}),
        lambda pk, who, u: actions.resolve_on_spot(
            pk, actor=u["grid_worker"], note="n", photos=[upload("p.jpg")]
        ),
    ),
    "rate_unsatisfied": (
        S.REOPENED,
        None,
        lambda pk, who, u: actions.rate_event(pk, satisfaction="unsatisfied"),
    ),
}


def allowed_sources(name: str) -> frozenset[S]:
    target, only, _call = ACTIONS[name]
    sources = frozenset(s for s, targets in TRANSITIONS.items() if target in targets)
    return sources & only if only is not None else sources


def test_every_move_of_the_table_has_an_action() -> None:
    covered = {(s, ACTIONS[name][0]) for name in ACTIONS for s in allowed_sources(name)}
    table = {(s, t) for s, targets in TRANSITIONS.items() for t in targets}
    assert table == covered


@pytest.fixture
def placed(
    report: Callable[..., Any],
    tree: dict[str, Any],
    department2: Any,
    city_admin: Any,
    media: Any,
) -> Callable[[S], Event]:
    def _placed(status: S) -> Event:
        event = report()
        Event.objects.filter(pk=event.pk).update(
            status=status,
            assignee=tree["department"],
            assignee_path=tree["department"].path,
            dispatcher=tree["village"],
        )
        return Event.objects.get(pk=event.pk)

    return _placed


CASES = [(name, status) for name in ACTIONS for status in EventStatus]


@pytest.mark.parametrize(("name", "status"), CASES, ids=[f"{n}-from-{s.value}" for n, s in CASES])
def test_action_from_status(
    name: str,
    status: S,
    placed: Callable[[S], Event],
    city_admin: Any,
    tree: dict[str, Any],
    department2: Any,
    grid_worker: Any,
) -> None:
    event = placed(status)
    target, _only, call = ACTIONS[name]
    units = {**tree, "department2": department2, "grid_worker": grid_worker}
    lines = EventAction.objects.filter(event=event).count()
    audits = AuditEntry.objects.count()
    if status in allowed_sources(name):
        result = call(event.pk, city_admin, units)
        assert result.status == target
        event.refresh_from_db()
        assert event.status == target
        assert EventAction.objects.filter(event=event).count() > lines
        last = EventAction.objects.filter(event=event).exclude(kind="rate").last()
        assert last is not None
        assert (last.from_status, last.to_status) == (status, target)
        assert AuditEntry.objects.count() > audits
    else:
        with override("en"), pytest.raises(IllegalTransition) as info:
            call(event.pk, city_admin, units)
        assert info.value.code in ("illegal_transition",)
        message = info.value.message
        with override("en"):
            assert str(status.label) in message
            if name not in ("rate_unsatisfied",):
                assert str(target.label) in message
        event.refresh_from_db()
        assert event.status == status
        assert EventAction.objects.filter(event=event).count() == lines
        assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("status", [S.CLOSED, S.REJECTED])
def test_urge_and_deadline_need_an_open_event(
    status: S, placed: Callable[[S], Event], city_admin: Any
) -> None:
    event = placed(status)
    with pytest.raises(IllegalTransition):
        actions.urge_event(event.pk, actor=city_admin)
    with pytest.raises(IllegalTransition):
        actions.set_deadline(event.pk, actor=city_admin, resolve_by=_future(), reason="r")


@pytest.mark.parametrize("status", sorted(set(EventStatus) - {S.CLOSED, S.REJECTED}))
def test_urge_and_deadline_on_open_events(
    status: S, placed: Callable[[S], Event], city_admin: Any
) -> None:
    event = placed(status)
    assert actions.urge_event(event.pk, actor=city_admin).status == status
    assert (
        actions.set_deadline(event.pk, actor=city_admin, resolve_by=_future(), reason="r").status
        == status
    )


@pytest.mark.parametrize("status", list(EventStatus))
def test_comment_in_every_status(status: S, placed: Callable[[S], Event], city_admin: Any) -> None:
    event = placed(status)
    line = actions.comment_event(event.pk, actor=city_admin, note="记录")
    assert line.from_status == line.to_status == status
