"""Shared fixtures of the supervision tests.

The clock stands at Tuesday 2026-09-01 10:00 (Asia/Shanghai) unless a test moves it
forward (``travel``); the cast's memberships start that day. The villages of 礼州镇 get
households and population for the pro-rata splits:

    礼州镇 513401101
    ├── 礼州村 513401101201   300 households, 1,000 people   village_cadre
    └── 田坝村 513401101202   200 households,   800 people   neighbour_cadre
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

CST = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 9, 1)
END = dt.date(2026, 12, 31)


def at(*args: int) -> dt.datetime:
    """A local (Asia/Shanghai) aware datetime."""
    return dt.datetime(*args, tzinfo=CST)  # type: ignore[misc]


NOW = at(2026, 9, 1, 10)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def travel() -> Iterator[Callable[[dt.datetime], None]]:
    """``travel(moment)`` moves the clock (forward) for the rest of the test."""
    travellers: list[Any] = []

    def _travel(moment: dt.datetime) -> None:
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> Any:
    """Evidence files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def units(tree: dict[str, Any]) -> dict[str, Any]:
    """The tree with households and population on the villages of 礼州镇."""
    v1, v2 = tree["village"], tree["neighbour_village"]
    v1.households, v1.population = 300, 1000
    v1.save(update_fields=["households", "population"])
    v2.households, v2.population = 200, 800
    v2.save(update_fields=["households", "population"])
    return tree


@pytest.fixture
def deploy(units: dict[str, Any], city_admin: Any) -> Callable[..., Any]:
    """``deploy(**overrides)`` → a task the city office deploys to 礼州镇 (100 万元 by the
    end of the year, from today)."""
    from grassroots.supervision.actions import create_task

    def _deploy(**overrides: Any) -> Any:
        kwargs: dict[str, Any] = {
            "actor": city_admin,
            "title": "新增村集体经济收入",
            "doc_number": "西委办〔2026〕12号",
            "kind": "key_task",
            "unit": units["lizhou"],
            "start_date": START,
            "deadline": END,
            "target_value": Decimal("100"),
            "target_measure": "万元",
        }
        kwargs.update(overrides)
        return create_task(**kwargs)

    return _deploy


@pytest.fixture
def township_task(deploy: Callable[..., Any]) -> Any:
    return deploy()


@pytest.fixture
def village_tasks(township_task: Any, units: dict[str, Any], xc_secretary: Any) -> dict[str, Any]:
    """The township task split by hand: 礼州村 60, 田坝村 40 (by the township leader)."""
    from grassroots.supervision.actions import cascade_task

    children = cascade_task(
        township_task,
        actor=xc_secretary,
        shares={units["village"]: Decimal(60), units["neighbour_village"]: Decimal(40)},
    )
    by_code = {c.unit.code: c for c in children}
    return {"village": by_code["513401101201"], "neighbour": by_code["513401101202"]}


@pytest.fixture
def village_task(village_tasks: dict[str, Any]) -> Any:
    """礼州村's share (60 万元), issued by 礼州镇."""
    return village_tasks["village"]


def lines(task: Any, kind: str | None = None) -> list[Any]:
    from grassroots.supervision.models import TaskAction

    qs = TaskAction.objects.filter(task=task).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def audits(action: str, task: Any | None = None) -> list[Any]:
    from grassroots.audit.models import AuditEntry

    qs = AuditEntry.objects.filter(action=action)
    if task is not None:
        qs = qs.filter(object_id=str(task.pk))
    return list(qs.order_by("id"))


def inbox(user: Any) -> list[Any]:
    from grassroots.inbox.models import Notification

    return list(Notification.objects.filter(recipient=user).order_by("id"))


def fresh(task: Any) -> Any:
    task.refresh_from_db()
    return task
