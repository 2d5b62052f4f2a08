"""Helpers of the deadline, notification and metric tests (H4): events made directly
through the ORM, with explicit timestamps and statuses."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(*args: int) -> dt.datetime:
    """A local (Asia/Shanghai) aware datetime."""
    return dt.datetime(*args, tzinfo=CST)  # type: ignore[misc]


def end_of(year: int, month: int, day: int) -> dt.datetime:
    """The last microsecond of a local day (what add_workdays gives as a deadline)."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time.max).replace(tzinfo=CST)


def make_event(
    category: Any,
    place: Any,
    *,
    assignee: Any | None = None,
    dispatcher: Any | None = None,
    **fields: Any,
) -> Any:
    """An event placed in ``place`` (a grid, a village or a township), ORM only."""
    from grassroots.events.models import Event
    from grassroots.org.models import Unit, UnitKind

    chain = {u.kind: u for u in Unit.objects.filter(code__in=[*place.ancestor_codes(), place.code])}
    village = chain.get(UnitKind.VILLAGE) or chain.get(UnitKind.COMMUNITY)
    township = chain.get(UnitKind.TOWNSHIP) or chain.get(UnitKind.STREET)
    grid = chain.get(UnitKind.GRID)
    assignee = assignee or village or place
    dispatcher = dispatcher or assignee
    n = next(_numbers)
    values: dict[str, Any] = {
        "title": f"事件{n}",
        "number": f"T{n:08d}",
        "category": category,
        "source": "patrol",
        "area_path": place.path,
        "grid": grid,
        "village": village,
        "township": township,
        "assignee": assignee,
        "assignee_path": assignee.path,
        "dispatcher": dispatcher,
        "status": "accepted",
        "reported_at": at(2026, 10, 1, 9),
    }
    values.update(fields)
    return Event.objects.create(**values)
