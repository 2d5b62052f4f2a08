"""Shared pieces of the care tests (imported by each ``test_care_*`` module, which makes
its own fixtures from them): a fixed clock, key groups, an event category, a person put
in care and a visit, written through the actions."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

ZONE = ZoneInfo("Asia/Shanghai")
#: "Now" in these tests: Thursday 15 October 2026, 10:00 in 西昌.
NOW = dt.datetime(2026, 10, 15, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@contextlib.contextmanager
def frozen(moment: dt.datetime = NOW) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def make_group(code: str = "test_alone", every: int = 30, name: str = "测试独居老人") -> Any:
    """A key group of our own (not a seeded one), so that its frequency is the test's."""
    from grassroots.residents.models import KeyGroup

    return KeyGroup.objects.create(code=code, name=name, visit_every_days=every)


def make_category(tree: dict[str, Any]) -> Any:
    from grassroots.events.models import Category

    return Category.objects.create(
        code="MSFW01",
        name="民生服务",
        response_hours=Decimal("2"),
        resolve_workdays=5,
        default_department=tree["department"],
    )


def put_in_care(resident: Any, group: Any, actor: Any, since: dt.date, **kw: Any) -> Any:
    from grassroots.residents.actions.care import add_to_group

    return add_to_group(resident, group, actor=actor, since=since, **kw)


def visit(kp: Any, actor: Any, on: dt.date, met: str = "person", **kw: Any) -> Any:
    from grassroots.residents.actions.care import record_visit

    kw.setdefault("findings", "身体状况良好" if met != "nobody" else "家中无人, 已留联系卡")
    return record_visit(kp, actor=actor, visited_on=on, met=met, **kw)
