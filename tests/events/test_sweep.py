"""The deadline sweep: windows, reminders, lapses, escalation, holidays, catching up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.events.reporting_support import at, end_of, make_event

pytestmark = pytest.mark.usefixtures("official_calendar")


@pytest.fixture(autouse=True)
def _margins(settings: Any) -> None:
    settings.EVENT_REMIND_BEFORE_HOURS = 4
    settings.EVENT_ESCALATE_AFTER_HOURS = 8


@pytest.fixture
def people(village_cadre: Any, xc_secretary: Any, grid_worker: Any) -> dict[str, Any]:
    return {"cadre": village_cadre, "secretary": xc_secretary, "worker": grid_worker}


LONG_AGO = dt.date(2020, 1, 1)


def backdate_memberships() -> None:
    """The cast's memberships start on the real today; the tests travel to 2026's autumn."""
    from grassroots.org.models import Membership

    Membership.objects.filter(valid_from__gt=LONG_AGO).update(valid_from=LONG_AGO)


def sweep_at(moment: dt.datetime, **kw: Any) -> Any:
    from grassroots.events.sweep import sweep

    backdate_memberships()

    with time_machine.travel(moment, tick=False):
        return sweep(**kw)


def start_sweeping(moment: dt.datetime) -> None:
    from grassroots.events.models import SweepState

    SweepState.objects.update_or_create(name="default", defaults={"swept_until": moment})


def lines(event: Any, kind: str) -> list[Any]:
    from grassroots.events.models import EventAction

    return list(EventAction.objects.filter(event=event, kind=kind).order_by("id"))


def inbox(user: Any) -> list[Any]:
    from grassroots.inbox.models import Notification

    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_the_first_sweep_only_records_the_time(category: Any, tree: dict[str, Any]) -> None:
    from grassroots.events.models import SweepState

    make_event(category, tree["grid"], resolve_by=at(2026, 11, 1))
    report = sweep_at(at(2026, 11, 20, 10))
    assert report.slices == 0 and report.lapsed == 0
    assert SweepState.objects.get().swept_until == at(2026, 11, 20, 10)


def test_a_lapse_is_noted_once_and_told_to_assignee_and_dispatcher(
    category: Any, tree: dict[str, Any], people: dict[str, Any]
) -> None:
    event = make_event(
        category,
        tree["grid"],
        assignee=tree["department"],
        dispatcher=tree["village"],
        status="dispatched",
        resolve_by=end_of(2026, 11, 19),
    )
    dept_user = _dept_staff(tree)
    start_sweeping(at(2026, 11, 19, 23, 59))
    report = sweep_at(at(2026, 11, 20, 0, 1))
    assert report.lapsed == 1
    [line] = lines(event, "lapse")
    assert line.actor_id is None
    assert line.from_status == line.to_status == "dispatched"
    assert line.data["deadline"] == "resolve_by" and line.data["automatic"] is True
    assert dt.datetime.fromisoformat(line.data["due"]) == event.resolve_by
    # The department handles it, the village dispatched it: both hear; the township not.
    assert [n.object_id for n in inbox(dept_user)] == [str(event.pk)]
    assert [n.object_id for n in inbox(people["cadre"])] == [str(event.pk)]
    assert inbox(people["secretary"]) == []
    assert inbox(dept_user)[0].link == f"/events/{event.pk}/"
    again = sweep_at(at(2026, 11, 20, 0, 2))
    assert again.lapsed == 0
    assert len(lines(event, "lapse")) == 1


def _dept_staff(tree: dict[str, Any]) -> Any:
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(username="dept_handler", password="x-Correct-42")
    Membership.objects.create(
        user=user, unit=tree["department"], role="department_staff", valid_from=LONG_AGO
    )
    return user


def test_handled_and_closed_events_do_not_lapse(category: Any, tree: dict[str, Any]) -> None:
    due = end_of(2026, 11, 19)
    open_one = make_event(category, tree["grid"], resolve_by=due, status="in_progress")
    for status in ("resolved", "verified", "closed", "rejected"):
        make_event(category, tree["grid"], resolve_by=due, status=status)
    start_sweeping(at(2026, 11, 19, 20))
    report = sweep_at(at(2026, 11, 20, 8))
    assert report.lapsed == 1
    assert len(lines(open_one, "lapse")) == 1


def test_response_deadline_lapses_only_without_a_response(
    category: Any, tree: dict[str, Any]
) -> None:
    silent = make_event(category, tree["grid"], status="reported", respond_by=at(2026, 11, 19, 11))
    answered = make_event(
        category,
        tree["grid"],
        status="accepted",
        respond_by=at(2026, 11, 19, 11),
        responded_at=at(2026, 11, 19, 10),
    )
    start_sweeping(at(2026, 11, 19, 10, 30))
    report = sweep_at(at(2026, 11, 19, 11, 5))
    assert report.response_lapsed == 1
    [line] = lines(silent, "lapse")
    assert line.data["deadline"] == "respond_by"
    assert lines(answered, "lapse") == []


def test_reminder_comes_when_four_office_hours_are_left(
    category: Any, tree: dict[str, Any], people: dict[str, Any]
) -> None:
    # Due at the end of Friday 2026-11-20: office time left is 3.5 h after 14:30 and 4 h
    # from 11:30 (08:30–12:00, 14:30–18:00), so the reminder belongs to 11:30.
    event = make_event(category, tree["grid"], resolve_by=end_of(2026, 11, 20))
    start_sweeping(at(2026, 11, 20, 11, 0))
    assert sweep_at(at(2026, 11, 20, 11, 29, 59)).reminded == 0
    assert sweep_at(at(2026, 11, 20, 11, 30)).reminded == 1
    assert sweep_at(at(2026, 11, 20, 16, 0)).reminded == 0
    [line] = lines(event, "remind")
    assert line.data["deadline"] == "resolve_by"
    [message] = inbox(people["cadre"])  # the village is the assignee
    assert message.object_id == str(event.pk)
    assert inbox(people["worker"]) == []  # members of the grid below are not told


def test_reminder_counts_office_hours_across_a_weekend(category: Any, tree: dict[str, Any]) -> None:
    # Due Monday 2026-11-23 at 10:00: 1.5 h of Monday is left at 08:30; the other 2.5 h
    # come from Friday afternoon, so the reminder belongs to Friday 15:30.
    event = make_event(category, tree["grid"], resolve_by=at(2026, 11, 23, 10, 0))
    start_sweeping(at(2026, 11, 20, 15, 0))
    assert sweep_at(at(2026, 11, 20, 15, 29)).reminded == 0
    assert sweep_at(at(2026, 11, 20, 15, 31)).reminded == 1
    assert sweep_at(at(2026, 11, 22, 12)).reminded == 0
    assert len(lines(event, "remind")) == 1


def test_escalation_after_eight_office_hours_past_the_deadline(
    category: Any, tree: dict[str, Any], people: dict[str, Any]
) -> None:
    # Due at the end of Friday 2026-11-20; Monday gives 7 office hours, so the 8th ends
    # on Tuesday 2026-11-24 at 09:30.
    event = make_event(
        category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 11, 20)
    )
    start_sweeping(at(2026, 11, 24, 9, 0))
    assert sweep_at(at(2026, 11, 24, 9, 29)).escalated == 0
    report = sweep_at(at(2026, 11, 24, 9, 31))
    assert report.escalated == 1
    event.refresh_from_db()
    assert event.status == "escalated"
    assert event.escalation_level == 1
    assert event.assignee_id == tree["lizhou"].pk
    assert event.resolve_by == end_of(2026, 11, 20)  # escalation keeps the deadline
    [line] = lines(event, "escalate")
    assert line.actor_id is None and line.data["automatic"] is True
    # Later sweeps never escalate the same lapse again.
    assert sweep_at(at(2026, 11, 25, 17)).escalated == 0
    assert sweep_at(at(2026, 12, 5, 17)).escalated == 0
    event.refresh_from_db()
    assert event.escalation_level == 1


def test_escalation_waits_for_the_national_day_holiday_to_end(
    category: Any, tree: dict[str, Any]
) -> None:
    # Due at the end of 2026-09-30; 10-01..10-07 is the holiday, so the office hours
    # resume on Thursday 10-08 (7 h) and the 8th ends on Friday 10-09 at 09:30.
    event = make_event(category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 9, 30))
    start_sweeping(at(2026, 9, 30, 23))
    report = sweep_at(at(2026, 10, 5, 12))
    assert (report.lapsed, report.escalated) == (1, 0)
    assert sweep_at(at(2026, 10, 9, 9, 29)).escalated == 0
    assert sweep_at(at(2026, 10, 9, 9, 30)).escalated == 1
    assert len(lines(event, "escalate")) == 1


def test_reminder_on_a_make_up_saturday(category: Any, tree: dict[str, Any]) -> None:
    # Saturday 2026-10-10 is a make-up workday: due at its end, reminded at 11:30 on it.
    event = make_event(category, tree["grid"], resolve_by=end_of(2026, 10, 10))
    start_sweeping(at(2026, 10, 9, 18))
    assert sweep_at(at(2026, 10, 10, 11, 29)).reminded == 0
    assert sweep_at(at(2026, 10, 10, 11, 30)).reminded == 1
    assert len(lines(event, "remind")) == 1


def test_escalation_with_no_margin_happens_at_the_lapse(
    category: Any, tree: dict[str, Any], settings: Any
) -> None:
    settings.EVENT_ESCALATE_AFTER_HOURS = 0
    event = make_event(
        category, tree["grid"], status="in_progress", resolve_by=at(2026, 11, 20, 10)
    )
    start_sweeping(at(2026, 11, 20, 9))
    report = sweep_at(at(2026, 11, 20, 10, 0, 1))
    assert (report.lapsed, report.escalated) == (1, 1)
    event.refresh_from_db()
    assert event.status == "escalated"


def test_no_reminders_when_the_lead_is_zero(
    category: Any, tree: dict[str, Any], settings: Any
) -> None:
    settings.EVENT_REMIND_BEFORE_HOURS = 0
    make_event(category, tree["grid"], resolve_by=end_of(2026, 11, 20))
    start_sweeping(at(2026, 11, 20, 8))
    assert sweep_at(at(2026, 11, 20, 17)).reminded == 0


def test_a_root_unit_cannot_be_escalated_and_the_sweep_goes_on(
    category: Any, tree: dict[str, Any]
) -> None:
    stuck = make_event(
        category,
        tree["grid"],
        assignee=tree["city"],
        status="in_progress",
        resolve_by=end_of(2026, 11, 20),
    )
    moved = make_event(
        category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 11, 20)
    )
    start_sweeping(at(2026, 11, 24, 9))
    report = sweep_at(at(2026, 11, 24, 10))
    assert (report.escalated, report.not_escalated) == (1, 1)
    assert stuck.number in report.errors[0]
    moved.refresh_from_db()
    stuck.refresh_from_db()
    assert moved.status == "escalated" and stuck.status == "in_progress"


def test_an_existing_automatic_escalation_is_not_repeated(
    category: Any, tree: dict[str, Any]
) -> None:
    from grassroots.events.models import EventAction

    event = make_event(
        category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 11, 20)
    )
    EventAction.objects.create(
        event=event, kind="escalate", data={"automatic": True}, created_at=at(2026, 11, 23, 9)
    )
    start_sweeping(at(2026, 11, 24, 9))
    report = sweep_at(at(2026, 11, 24, 10))
    assert (report.escalated, report.skipped_duplicates) == (0, 1)


def test_an_existing_line_for_the_same_deadline_is_not_repeated(
    category: Any, tree: dict[str, Any]
) -> None:
    from grassroots.events.models import EventAction

    event = make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, 10))
    EventAction.objects.create(
        event=event,
        kind="lapse",
        data={"deadline": "resolve_by", "due": "2026-11-20T10:00:00+08:00"},
        created_at=at(2026, 11, 20, 10),
    )
    start_sweeping(at(2026, 11, 20, 9))
    report = sweep_at(at(2026, 11, 20, 11))
    assert (report.lapsed, report.skipped_duplicates) == (0, 1)


def test_a_new_deadline_lapses_again(category: Any, tree: dict[str, Any]) -> None:
    event = make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, 10))
    start_sweeping(at(2026, 11, 20, 9))
    assert sweep_at(at(2026, 11, 20, 11)).lapsed == 1
    event.resolve_by = at(2026, 11, 20, 15)
    event.save(update_fields=["resolve_by"])
    assert sweep_at(at(2026, 11, 20, 16)).lapsed == 1
    dues = [dt.datetime.fromisoformat(line.data["due"]) for line in lines(event, "lapse")]
    assert dues == [at(2026, 11, 20, 10), at(2026, 11, 20, 15)]


def test_batches_walk_equal_deadlines_by_id(category: Any, tree: dict[str, Any]) -> None:
    due = end_of(2026, 11, 19)
    events = [make_event(category, tree["grid"], resolve_by=due) for _ in range(7)]
    start_sweeping(at(2026, 11, 19, 20))
    report = sweep_at(at(2026, 11, 20, 8), batch_size=2)
    assert report.lapsed == 7
    assert all(len(lines(e, "lapse")) == 1 for e in events)


def test_a_sweep_after_downtime_catches_up_in_slices(
    category: Any, tree: dict[str, Any], people: dict[str, Any]
) -> None:
    # Down from Monday 2026-11-16 08:00 to Friday 2026-11-20 11:00.
    lapsed = [
        make_event(category, tree["grid"], status="in_progress", resolve_by=end_of(2026, 11, day))
        for day in (16, 17, 18, 19)
    ]
    due_today = make_event(category, tree["grid"], resolve_by=end_of(2026, 11, 20))
    due_monday = make_event(category, tree["grid"], resolve_by=end_of(2026, 11, 23))
    start_sweeping(at(2026, 11, 16, 8))
    report = sweep_at(at(2026, 11, 20, 11, 45))
    assert report.slices == 100  # 99 h 45 min in slices of one hour
    assert report.lapsed == 4
    # Escalated: those 8 office hours past their deadline by Friday 11:45 (16th, 17th, 18th).
    assert report.escalated == 3
    # Reminded: only deadlines still ahead (the 16th–19th ones get their lapse instead).
    assert report.reminded == 1
    assert len(lines(due_today, "remind")) == 1
    assert lines(due_monday, "remind") == []
    for event in lapsed:
        assert len(lines(event, "lapse")) == 1
        assert lines(event, "remind") == []


def test_a_crash_midway_loses_nothing(
    category: Any, tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.events import sweep as sweep_module
    from grassroots.events.models import SweepState

    first = make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, 9, 30))
    second = make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, 10, 30))
    start_sweeping(at(2026, 11, 20, 9))
    real = sweep_module.deliver_changes
    calls = {"n": 0}

    def flaky(changes: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the machine fell over")
        return real(changes)

    monkeypatch.setattr(sweep_module, "deliver_changes", flaky)
    with pytest.raises(RuntimeError):
        sweep_at(at(2026, 11, 20, 11))
    # The first hour is committed with its work, the second is rolled back whole.
    assert SweepState.objects.get().swept_until == at(2026, 11, 20, 10)
    assert len(lines(first, "lapse")) == 1
    assert lines(second, "lapse") == []
    monkeypatch.setattr(sweep_module, "deliver_changes", real)
    report = sweep_at(at(2026, 11, 20, 11))
    assert report.lapsed == 1
    assert len(lines(first, "lapse")) == 1
    assert len(lines(second, "lapse")) == 1


def test_the_cost_grows_with_the_lapses_not_the_open_events(
    category: Any, tree: dict[str, Any], people: dict[str, Any]
) -> None:
    def queries(lapsing: int, waiting: int, hour: int) -> int:
        for _ in range(lapsing):
            make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, hour, 30))
        for _ in range(waiting):
            make_event(category, tree["grid"], resolve_by=at(2026, 12, 30, 12))
        start_sweeping(at(2026, 11, 20, hour))
        backdate_memberships()
        from grassroots.events.sweep import sweep

        with (
            time_machine.travel(at(2026, 11, 20, hour, 45), tick=False),
            CaptureQueriesContext(connection) as ctx,
        ):
            report = sweep()
        assert report.lapsed == lapsing
        assert report.messages == lapsing  # the village cadre hears of each
        return len(ctx.captured_queries)

    assert queries(2, 0, 9) == queries(40, 60, 10)


def test_the_command_and_the_periodic_job(
    category: Any, tree: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from grassroots.events.jobs import sweep_deadlines

    make_event(category, tree["grid"], resolve_by=at(2026, 11, 20, 9, 30))
    start_sweeping(at(2026, 11, 20, 9))
    with time_machine.travel(at(2026, 11, 20, 10), tick=False):
        call_command("sweep")
    out = capsys.readouterr().out
    assert "1 lapsed" in out
    with time_machine.travel(at(2026, 11, 20, 10, 1), tick=False):
        call_command("sweep", "--json")
        assert '"lapsed": 0' in capsys.readouterr().out
        result = sweep_deadlines.call_local()
    assert result["lapsed"] == 0
