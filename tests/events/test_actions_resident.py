"""The resident's rating: who may rate, when, and the one reopening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.events import actions
from grassroots.events.errors import EventError, IllegalTransition
from grassroots.events.models import ActionKind, Event, EventAction
from grassroots.events.states import EventStatus as S

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def closed(
    report: Callable[..., Any],
    tree: dict[str, Any],
    resident: Any,
    village_cadre: Any,
    dept_staff: Any,
) -> Callable[..., Event]:
    """``closed(event=None)``: a resident's event handled by the department and closed."""

    def _close(event: Event | None = None) -> Event:
        if event is None:
            event = report(actor=resident, source="resident", contact_phone="13912345678")
            actions.accept_event(event.pk, actor=village_cadre)
            actions.dispatch_event(event.pk, actor=village_cadre, to_unit=tree["department"])
            actions.start_handling(event.pk, actor=dept_staff)
        actions.resolve_event(event.pk, actor=dept_staff, note="已处理")
        actions.verify_event(event.pk, actor=village_cadre, passed=True)
        return actions.close_event(event.pk, actor=village_cadre)

    return _close


def test_satisfied_rating_is_recorded(closed: Callable[..., Event], resident: Any) -> None:
    event = closed()
    event = actions.rate_event(event.pk, satisfaction="satisfied", note="很好", actor=resident)
    assert event.status == S.CLOSED
    assert event.satisfaction == "satisfied"
    assert event.rated_at is not None
    line = EventAction.objects.filter(event=event).last()
    assert line is not None
    assert (line.kind, line.actor, line.data["satisfaction"]) == ("rate", resident, "satisfied")
    entry = AuditEntry.objects.get(action="events.event.rated")
    assert entry.after == {"satisfaction": "satisfied"}


def test_only_the_reporter_or_the_portal_rates(
    closed: Callable[..., Event], village_cadre: Any
) -> None:
    event = closed()
    with pytest.raises(PermissionDenied):
        actions.rate_event(event.pk, satisfaction="satisfied", actor=village_cadre)
    # the portal (number + phone checked) rates anonymously
    assert actions.rate_event(event.pk, satisfaction="basically").satisfaction == "basically"


def test_bad_satisfaction_and_second_rating_are_refused(
    closed: Callable[..., Event], resident: Any
) -> None:
    event = closed()
    with pytest.raises(EventError) as info:
        actions.rate_event(event.pk, satisfaction="great", actor=resident)
    assert info.value.field == "satisfaction"
    actions.rate_event(event.pk, satisfaction="satisfied", actor=resident)
    with pytest.raises(EventError) as info:
        actions.rate_event(event.pk, satisfaction="unsatisfied", actor=resident)
    assert info.value.code == "already_rated"
    assert Event.objects.get(pk=event.pk).status == S.CLOSED


def test_an_open_event_cannot_be_rated(report: Callable[..., Any], resident: Any) -> None:
    event = report(actor=resident, source="resident")
    with pytest.raises(IllegalTransition):
        actions.rate_event(event.pk, satisfaction="satisfied", actor=resident)


def test_unsatisfied_reopens_once(
    closed: Callable[..., Event],
    resident: Any,
    dept_staff: Any,
    tree: dict[str, Any],
    official_calendar: None,
    backdated: None,
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ), tick=False):
        event = closed()
    # rated on Friday 2026-11-20 at 10:00; the category gives 3 working days
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):
        event = actions.rate_event(event.pk, satisfaction="unsatisfied", note="没处理干净")
    assert event.status == S.REOPENED
    assert event.reopen_count == 1
    assert event.satisfaction == "unsatisfied"
    assert event.assignee == tree["department"]  # back to the unit that handled it
    assert event.closed_at is None and event.verified_at is None
    assert event.resolve_by.astimezone(TZ).date() == dt.date(2026, 11, 25)
    lines = list(EventAction.objects.filter(event=event).order_by("-id")[:2])
    assert [x.kind for x in lines] == [ActionKind.REOPEN, ActionKind.RATE]
    assert (lines[0].from_status, lines[0].to_status) == (S.CLOSED, S.REOPENED)
    assert AuditEntry.objects.filter(action="events.event.reopened").count() == 1

    # the handler works on it again, it is closed again, and rated unsatisfied again
    event = actions.start_handling(event.pk, actor=dept_staff)
    event = closed(event)
    event = actions.rate_event(event.pk, satisfaction="unsatisfied", actor=resident)
    assert event.status == S.CLOSED
    assert event.reopen_count == 1
    assert event.satisfaction == "unsatisfied"
    last = EventAction.objects.filter(event=event).last()
    assert last is not None
    assert (last.kind, last.data["reopens"]) == ("rate", False)


class TestPublicLookup:
    def test_number_and_last_four_digits(self, closed: Callable[..., Event]) -> None:
        event = closed()
        assert Event.objects.public_lookup(event.number, "5678") == event
        assert Event.objects.public_lookup(event.number.lower(), " 5678 ") == event

    @pytest.mark.parametrize(
        ("number", "last4"),
        [
            ("wrong", "5678"),
            (None, "5678"),
            ("", ""),
            ("XC\x00", "5678"),
            ("X" * 40, "5678"),
        ],
    )
    def test_anything_else_is_none(
        self, closed: Callable[..., Event], number: Any, last4: Any
    ) -> None:
        closed()
        assert Event.objects.public_lookup(number, last4) is None

    @pytest.mark.parametrize("last4", ["1234", "567", "56789", "５６７８", "abcd", "", None, 5678])
    def test_wrong_digits(self, closed: Callable[..., Event], last4: Any) -> None:
        event = closed()
        assert Event.objects.public_lookup(event.number, last4) is None

    def test_an_event_without_phone_is_never_found(self, report: Callable[..., Any]) -> None:
        event = report()
        assert event.contact_phone == ""
        assert Event.objects.public_lookup(event.number, "0000") is None

    def test_a_landline_uses_its_last_digits(self, report: Callable[..., Any]) -> None:
        event = report(contact_phone="0834-3223456")
        assert Event.objects.public_lookup(event.number, "3456") == event


def test_for_dispatcher(
    report: Callable[..., Any], tree: dict[str, Any], village_cadre: Any
) -> None:
    mine = report()
    sent = report()
    actions.accept_event(sent.pk, actor=village_cadre)
    actions.dispatch_event(sent.pk, actor=village_cadre, to_unit=tree["department"])
    assert set(Event.objects.for_dispatcher(tree["village"])) == {mine, sent}
    assert set(Event.objects.for_dispatcher(tree["department"])) == {sent}
    assert not Event.objects.for_dispatcher(tree["lizhou"]).exists()


def test_a_reopened_event_can_be_sent_to_another_department(
    closed: Callable[..., Event], village_cadre: Any, department2: Any
) -> None:
    event = closed()
    actions.rate_event(event.pk, satisfaction="unsatisfied")
    event = actions.dispatch_event(event.pk, actor=village_cadre, to_unit=department2)
    assert event.status == S.DISPATCHED
    assert event.assignee == department2
    assert event.dispatcher.code == "513401101201"  # the village still verifies


def test_a_grid_worker_does_not_rate_own_patrol_report(
    report: Callable[..., Any], grid_worker: Any, village_cadre: Any, media: Any
) -> None:
    from tests.events.photos import upload

    event = report(contact_phone="13912345678")
    actions.resolve_on_spot(event.pk, actor=grid_worker, note="已清理", photos=[upload()])
    with pytest.raises(PermissionDenied):
        actions.rate_event(event.pk, satisfaction="satisfied", actor=grid_worker)
    # the resident concerned rates it through the portal
    assert actions.rate_event(event.pk, satisfaction="satisfied").satisfaction == "satisfied"


def test_verify_needs_a_boolean(closed: Callable[..., Event], village_cadre: Any) -> None:
    event = closed()
    with pytest.raises(EventError) as info:
        actions.verify_event(event.pk, actor=village_cadre, passed="no")  # type: ignore[arg-type]
    assert info.value.field == "passed"
