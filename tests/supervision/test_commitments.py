"""Commitments (承诺事项): a task a unit's own meeting resolved, issued by its parent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.supervision import actions
from grassroots.supervision.actions.commitments import commit_task
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import Task
from tests.supervision.conftest import audits, lines

pytestmark = pytest.mark.django_db


def test_a_village_commits_and_its_township_verifies(
    units: dict[str, Any],
    village_cadre: Any,
    xc_secretary: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task = commit_task(
            actor=village_cadre,
            origin="partybuilding.resolution:7",
            unit=units["village"],
            title="修缮村口水渠",
            deadline=dt.date(2026, 10, 31),
            description="村党建月会决议",
        )
    assert (task.unit, task.issuer) == (units["village"], units["lizhou"])
    assert (task.kind, task.origin, task.state) == (
        "key_task",
        "partybuilding.resolution:7",
        "open",
    )
    assert task.start_date == dt.date(2026, 9, 1)
    [line] = lines(task)
    assert (line.kind, line.actor, line.actor_unit) == ("create", village_cadre, units["village"])
    [entry] = audits("supervision.task.created", task)
    assert entry.unit_path == units["village"].path
    # the township sees it among what it issued, and verifies the village's report
    assert task in Task.objects.visible_to(xc_secretary).issued_by(units["lizhou"])
    report = actions.report_progress(task, actor=village_cadre, percent=50)
    actions.verify_progress(report, actor=xc_secretary, accepted=True)
    task.refresh_from_db()
    assert task.verified_percent == 50


def test_a_township_leader_commits_for_the_township_issued_by_the_city(
    units: dict[str, Any], xc_secretary: Any
) -> None:
    task = commit_task(
        actor=xc_secretary,
        origin="partybuilding.resolution:1",
        unit=units["lizhou"],
        title="镇党委会决议事项",
        deadline=dt.date(2026, 12, 1),
    )
    assert task.issuer == units["city"]


@pytest.mark.parametrize(
    ("who", "unit"),
    [
        ("neighbour_cadre", "village"),
        ("outsider", "village"),
        ("supervisor", "village"),
        ("city_admin", "village"),
        ("village_cadre", "lizhou"),
    ],
)
def test_only_the_unit_commits(
    request: pytest.FixtureRequest, units: dict[str, Any], who: str, unit: str
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        commit_task(
            actor=actor,
            origin="partybuilding.resolution:1",
            unit=units[unit],
            title="x",
            deadline=dt.date(2026, 10, 1),
        )
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": dt.date(2026, 8, 31)}, "deadline"),
        ({"deadline": "2026-02-30"}, "deadline"),
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"origin": "nonsense"}, "origin"),
        ({"origin": "partybuilding.resolution:1\x00"}, "origin"),
    ],
)
def test_bad_input_writes_nothing(
    units: dict[str, Any], village_cadre: Any, overrides: dict[str, Any], field: str
) -> None:
    kwargs: dict[str, Any] = {
        "actor": village_cadre,
        "origin": "partybuilding.resolution:1",
        "unit": units["village"],
        "title": "修路",
        "deadline": dt.date(2026, 10, 1),
        **overrides,
    }
    with pytest.raises(SupervisionError) as caught:
        commit_task(**kwargs)
    assert caught.value.field == field
    assert Task.objects.count() == 0
