"""A 违法建设 event a patrol reports opens a case (the ``event_reported`` receiver), and the
sweep opens the case of any event the receiver missed, once."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.events.actions import report_event
from grassroots.registers.actions.construction import open_case_from_event
from grassroots.registers.jobs.construction import open_missed_construction_cases
from grassroots.registers.models import ConstructionCase
from tests.registers.test_construction_support import NOW

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.registers.test_construction_support",)


@pytest.fixture
def report(grid_worker: Any, tree: Any, wfjs: Any, clock: Any) -> Any:
    """``report(category, **overrides)`` → an event the grid worker reports in their grid."""

    def _report(category: str = "building", **overrides: Any) -> Any:
        kwargs: dict[str, Any] = {
            "actor": grid_worker,
            "category": wfjs[category],
            "title": "未批先建新建房屋",
            "description": "3组村道边正在浇筑地基",
            "source": "patrol",
            "unit": tree["grid"],
            "address": "礼州村3组村道边",
        }
        kwargs.update(overrides)
        return report_event(**kwargs)

    return _report


def test_a_patrol_report_opens_a_case(
    report: Any, tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report(attributes={"building_area": 85})
    case = ConstructionCase.objects.get(event=event)
    assert case.kind == "building"
    assert case.source == "patrol"
    assert case.unit == tree["village"]
    assert case.grid == tree["grid"]  # the reporting grid worker keeps seeing it
    assert case.found_on == case.started_on == NOW.date()
    assert case.is_new
    assert case.area == Decimal("85.00")
    assert case.address == "礼州村3组村道边"
    assert "未批先建新建房屋" in case.description
    assert case.status == "found"
    entry = AuditEntry.objects.get(action="registers.constructioncase.opened")
    assert entry.actor is None  # the system
    assert event.number in entry.note


def test_a_relocation_report_opens_a_relocation_case(
    report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report("relocation", title="擅自搬迁异地建房")
    assert ConstructionCase.objects.get(event=event).kind == "relocation"


@pytest.mark.parametrize("category", ["other", "homestead"])
def test_other_categories_open_nothing(
    report: Any, category: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report(category, title="路边堆放建筑垃圾")
    assert not ConstructionCase.objects.exists()


def test_no_case_before_the_report_commits(
    report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report()
    assert callbacks  # the signal waits for the commit
    assert not ConstructionCase.objects.exists()


def test_a_failing_receiver_does_not_fail_the_report(
    city_admin: Any,
    tree: Any,
    wfjs: Any,
    clock: Any,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Reported for the whole city: no village or township to open the case in.
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        event = report_event(
            actor=city_admin,
            category=wfjs["building"],
            title="疑似违建",
            source="patrol",
            unit=tree["city"],
        )
    assert event.pk is not None
    assert not ConstructionCase.objects.exists()
    assert any("sweep retries" in r.getMessage() for r in caplog.records)
    # The sweep leaves it to a person instead of failing on it every ten minutes.
    assert open_missed_construction_cases.call_local() == {"opened": 0, "failed": 0}


def test_a_township_report_opens_a_township_case(
    xc_secretary: Any, tree: Any, wfjs: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report_event(
            actor=xc_secretary,
            category=wfjs["building"],
            title="集镇违规加层",
            source="patrol",
            unit=tree["lizhou"],
        )
    assert ConstructionCase.objects.get(event=event).unit == tree["lizhou"]


def test_opening_from_an_event_is_idempotent(
    report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report()
    first = ConstructionCase.objects.get()
    assert open_case_from_event(event.pk) == first
    assert ConstructionCase.objects.count() == 1


def test_the_sweep_catches_a_missed_event_once(
    report: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        missed = report()
        report("other", title="乱堆乱放")
    assert not ConstructionCase.objects.exists()
    assert open_missed_construction_cases.call_local() == {"opened": 1, "failed": 0}
    assert ConstructionCase.objects.get().event == missed
    assert open_missed_construction_cases.call_local() == {"opened": 0, "failed": 0}
    assert ConstructionCase.objects.count() == 1


def test_the_sweep_looks_back_thirty_days(
    report: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        report()
    clock.move_to(NOW + dt.timedelta(days=31))
    assert open_missed_construction_cases.call_local() == {"opened": 0, "failed": 0}
    clock.move_to(NOW + dt.timedelta(days=29))
    assert open_missed_construction_cases.call_local() == {"opened": 1, "failed": 0}
