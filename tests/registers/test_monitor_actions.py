"""Poverty-relapse monitoring actions: putting a household under monitoring, assistance,
reviews — errors by field, one open monitoring per household, scope, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions import poverty as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.models import Assistance, MonitoredHousehold, Policy, Review

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def facts(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "edge",
        "risks": ["illness", "labour"],
        "since": dt.date(2026, 1, 10),
        "members": 4,
        "income_per_capita": "8600",
        "note": "",
    }
    data.update(kw)
    return data


def test_a_household_is_put_under_monitoring_with_its_next_review(
    village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    monitored = actions.put_under_monitoring(actor=village_cadre, household=household, **facts())
    assert monitored.unit == household.village
    assert monitored.status == "monitoring"
    assert monitored.risks == ["illness", "labour"]
    assert monitored.review_due_on == dt.date(2026, 4, 10)  # 90 days by default
    entry = AuditEntry.objects.get(action="registers.monitored.created")
    assert (entry.after or {})["household"] == household.number
    assert "居民" not in str(entry.after)  # no names in the log


def test_the_review_interval_follows_the_policy(
    tree: dict[str, Any], village_cadre: Any, make_household: Any
) -> None:
    Policy.objects.create(unit=tree["village"], review_every_days=30)
    monitored = actions.put_under_monitoring(
        actor=village_cadre, household=make_household(), **facts()
    )
    assert monitored.review_due_on == dt.date(2026, 2, 9)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "rich"}, "kind"),
        ({"risks": []}, "risks"),
        ({"risks": ["illness", "boredom"]}, "risks"),
        ({"risks": None}, "risks"),
        ({"since": dt.date(2026, 6, 1)}, "since"),
        ({"since": "2026-13-01"}, "since"),
        ({"since": None}, "since"),
        ({"members": 0}, "members"),
        ({"members": 100}, "members"),
        ({"members": "x"}, "members"),
        ({"income_per_capita": "-1"}, "income_per_capita"),
        ({"income_per_capita": ""}, "income_per_capita"),
        ({"income_per_capita": "1.001"}, "income_per_capita"),
        ({"note": "x" * 256}, "note"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    village_cadre: Any, make_household: Any, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(RegistersError) as caught:
        actions.put_under_monitoring(
            actor=village_cadre, household=make_household(), **facts(**change)
        )
    assert caught.value.field == field
    assert not MonitoredHousehold.objects.exists()
    assert not AuditEntry.objects.exists()


def test_one_open_monitoring_per_household(village_cadre: Any, make_household: Any) -> None:
    household = make_household()
    actions.put_under_monitoring(actor=village_cadre, household=household, **facts())
    with pytest.raises(RegistersConflict) as caught:
        actions.put_under_monitoring(actor=village_cadre, household=household.pk, **facts())
    assert caught.value.field == "household"
    assert caught.value.http_status == 409
    assert MonitoredHousehold.objects.count() == 1


def test_a_household_that_moved_out_or_does_not_exist_is_refused(
    village_cadre: Any, make_household: Any
) -> None:
    gone = make_household(status="moved_out")
    for household in (gone, 999999, "x"):
        with pytest.raises(RegistersError) as caught:
            actions.put_under_monitoring(actor=village_cadre, household=household, **facts())
        assert caught.value.field == "household"


def test_scope_only_those_who_keep_the_village(
    tree: dict[str, Any],
    make_household: Any,
    neighbour_cadre: Any,
    supervisor: Any,
    grid_worker: Any,
    xc_secretary: Any,
) -> None:
    household = make_household()
    for person in (neighbour_cadre, supervisor, grid_worker):
        with pytest.raises(PermissionDenied):
            actions.put_under_monitoring(actor=person, household=household, **facts())
    assert actions.put_under_monitoring(actor=xc_secretary, household=household, **facts())


def test_a_review_moves_the_next_due_date_and_the_income(
    village_cadre: Any, make_household: Any
) -> None:
    monitored = actions.put_under_monitoring(
        actor=village_cadre, household=make_household(), **facts()
    )
    review = actions.record_review(
        monitored.pk, actor=village_cadre, reviewed_on="2026-04-01", income_per_capita="9100"
    )
    monitored.refresh_from_db()
    assert review.reviewer == village_cadre
    assert monitored.income_per_capita == Decimal(9100)
    assert monitored.last_reviewed_on == dt.date(2026, 4, 1)
    assert monitored.review_due_on == dt.date(2026, 6, 30)
    entry = AuditEntry.objects.get(action="registers.monitored.reviewed")
    assert (entry.before or {})["review_due_on"] == "2026-04-10"
    assert (entry.after or {})["review_due_on"] == "2026-06-30"


def test_removing_the_risk_needs_a_note_and_closes_the_monitoring(
    village_cadre: Any, make_household: Any
) -> None:
    household = make_household()
    monitored = actions.put_under_monitoring(actor=village_cadre, household=household, **facts())
    with pytest.raises(RegistersError) as caught:
        actions.record_review(
            monitored.pk,
            actor=village_cadre,
            reviewed_on="2026-05-01",
            income_per_capita="15000",
            risk_removed=True,
        )
    assert caught.value.field == "note"
    assert not Review.objects.exists()
    actions.record_review(
        monitored.pk,
        actor=village_cadre,
        reviewed_on="2026-05-01",
        income_per_capita="15000",
        risk_removed=True,
        note="稳定务工, 收入达标",
    )
    monitored.refresh_from_db()
    assert (monitored.status, monitored.removed_on) == ("removed", dt.date(2026, 5, 1))
    assert AuditEntry.objects.filter(action="registers.monitored.removed").exists()
    with pytest.raises(IllegalTransition):
        actions.record_review(
            monitored.pk, actor=village_cadre, reviewed_on="2026-05-02", income_per_capita="1"
        )
    with pytest.raises(RegistersConflict):
        actions.add_assistance(
            monitored.pk,
            actor=village_cadre,
            kind="employment",
            started_on="2026-05-02",
            description="公益岗位",
        )
    # monitored again: a new monitoring
    again = actions.put_under_monitoring(
        actor=village_cadre, household=household, **facts(since=dt.date(2026, 5, 10))
    )
    assert again.pk != monitored.pk


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"reviewed_on": "2026-01-01", "income_per_capita": "1"}, "reviewed_on"),  # before since
        ({"reviewed_on": "2026-06-01", "income_per_capita": "1"}, "reviewed_on"),  # future
        ({"reviewed_on": "2026-03-01", "income_per_capita": "1"}, "reviewed_on"),  # before last
        ({"reviewed_on": "2026-04-02", "income_per_capita": "-3"}, "income_per_capita"),
        (
            {"reviewed_on": "2026-04-02", "income_per_capita": "1", "risk_removed": "yes"},
            "risk_removed",
        ),
    ],
)
def test_bad_reviews_name_their_field(
    village_cadre: Any, make_household: Any, kw: dict[str, Any], field: str
) -> None:
    monitored = actions.put_under_monitoring(
        actor=village_cadre, household=make_household(), **facts()
    )
    actions.record_review(
        monitored.pk, actor=village_cadre, reviewed_on="2026-04-01", income_per_capita="9000"
    )
    with pytest.raises(RegistersError) as caught:
        actions.record_review(monitored.pk, actor=village_cadre, **kw)
    assert caught.value.field == field
    assert Review.objects.count() == 1


def test_assistance_is_added_with_its_audit(
    village_cadre: Any, neighbour_cadre: Any, make_household: Any
) -> None:
    monitored = actions.put_under_monitoring(
        actor=village_cadre, household=make_household(), **facts()
    )
    with pytest.raises(PermissionDenied):
        actions.add_assistance(
            monitored.pk,
            actor=neighbour_cadre,
            kind="health",
            started_on="2026-02-01",
            description="大病保险",
        )
    with pytest.raises(RegistersError) as caught:
        actions.add_assistance(
            monitored.pk,
            actor=village_cadre,
            kind="health",
            started_on="2026-02-01",
            description="  ",
        )
    assert caught.value.field == "description"
    assistance = actions.add_assistance(
        monitored.pk,
        actor=village_cadre,
        kind="health",
        started_on="2026-02-01",
        description="大病保险二次报销",
        amount="3200.50",
    )
    assert assistance.amount == Decimal("3200.50")
    assert Assistance.objects.count() == 1
    assert AuditEntry.objects.filter(action="registers.assistance.created").count() == 1


def test_a_correction_moves_the_first_due_date_with_since(
    village_cadre: Any, make_household: Any
) -> None:
    monitored = actions.put_under_monitoring(
        actor=village_cadre, household=make_household(), **facts()
    )
    updated = actions.update_monitoring(
        monitored.pk, actor=village_cadre, **facts(since=dt.date(2026, 2, 1), members=5)
    )
    assert updated.review_due_on == dt.date(2026, 5, 2)
    entry = AuditEntry.objects.get(action="registers.monitored.updated")
    assert set(entry.after or {}) == {"members", "review_due_on", "since"}
