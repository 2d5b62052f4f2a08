"""Months of demo events for the seeded city: who found what where, and what became of it.

``seed_events(months, rng=...)`` writes, for every grid of the seeded tree, the events of
the last ``months`` months up to now, with their whole timeline, so that queues,
dashboards, metrics and assessment have something true to show:

- **how many**: about ``EVENTS_PER_GRID_MONTH`` per grid of 400 households and month (a
  little more in communities and in summer): ~45,000 a year for 西昌's ~850 grids, so
  that nearly every village resolves something every week (每周一件事);
- **sources**: patrol ~55 % (on working days, office hours), residents ~20 %, the 12345
  hotline ~20 % (a third of them with an address only: placed at the village), Open311
  ~5 %; residents and Open311 only file public categories;
- **categories** by place and season: 邛海 ecology around the lake (海南街道, 川兴镇),
  illegal building in the peri-urban townships, street order and 物业 disputes in the
  city's streets, forest fire in the dry season (January–May) and landslides in the
  rainy season (June–September) in the mountains, wage disputes before the Spring
  Festival, …;
- **life**: a quarter of patrol finds closed on the spot (就地解决); the rest accepted
  (sometimes late: a response lapse line), handled by the village or dispatched to the
  category's department (some returned and re-dispatched, a few escalated by hand),
  resolved mostly on time, some late (reminder and lapse lines as the sweep writes them,
  and the automatic escalation ``EVENT_ESCALATE_AFTER_HOURS`` working hours after the
  deadline, then re-dispatched by the township), verified (a few sent back for rework),
  closed, and rated by residents (mostly satisfied; an unsatisfied first rating reopens
  the event once). Steps that would fall after now do not happen: recent events are
  still open, and some of them overdue;
- **actors**: the demo logins where one is bound to the acting unit (the grid workers,
  the village cadre of the demo village, the township leader, the department staff, the
  city admin), otherwise only the acting unit; the sweep's lines have neither;
- **where**: a point drawn inside the grid's polygon (``geometry.sample_points``).

Deterministic for a given ``rng`` seed and "now". Written in bulk (COPY on PostgreSQL,
``executemany`` on SQLite) inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Callable
from itertools import accumulate
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from grassroots.demo.event_life import EventWriter
from grassroots.demo.event_world import URBAN, load_world
from grassroots.demo.geometry import sample_points
from grassroots.events.models import EventSource
from grassroots.org.models import UnitKind

ProgressCallback = Callable[[str, int, int | None], None]

EVENTS_PER_GRID_MONTH: Final = 4.4
#: Share of each source (patrol, resident, hotline, open311).
SOURCE_SHARES: Final = (
    (EventSource.PATROL, 0.55),
    (EventSource.RESIDENT, 0.20),
    (EventSource.HOTLINE, 0.20),
    (EventSource.OPEN311, 0.05),
)
#: More events in summer, fewer around the Spring Festival.
MONTH_VOLUME: Final = {1: 0.8, 2: 0.75, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.15, 7: 1.2, 8: 1.2,
                       9: 1.1, 10: 1.0, 11: 0.95, 12: 0.9}  # fmt: skip
#: When residents and the hotline call, by hour of the day.
HOUR_WEIGHTS: Final = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 6, 9, 9, 8, 5, 4, 6, 8, 8, 7, 5, 5, 6,
                       5, 3, 2)  # fmt: skip


def _report_times(
    rng: random.Random,
    writer: EventWriter,
    start: dt.datetime,
    now: dt.datetime,
    count: int,
) -> list[tuple[dt.datetime, str]]:
    """``count`` (moment, source) pairs in [start, now), in time order: patrols on working
    days in office hours, the others any day, mostly daytime."""
    seconds = (now - start).total_seconds()
    sources = [s for s, _share in SOURCE_SHARES]
    cumulative = list(accumulate(share for _s, share in SOURCE_SHARES))
    calendar = writer.deadlines.calendar
    found: list[tuple[dt.datetime, str]] = []
    while len(found) < count:
        source = sources[bisect(cumulative, rng.random() * cumulative[-1])]
        moment = start + dt.timedelta(seconds=rng.random() * seconds)
        day = moment.date()
        if rng.random() > MONTH_VOLUME[day.month] / 1.2:
            continue
        workday = calendar.is_workday(day)
        if source == EventSource.PATROL:
            if not workday and rng.random() > 0.12:
                continue
            minute = rng.randint(8 * 60 + 30, 17 * 60 + 50)
        else:
            if not workday and rng.random() > 0.8:
                continue
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            minute = hour * 60 + rng.randrange(60)
        moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60)))
        if start <= moment < now:
            found.append((moment, source))
    found.sort()
    return found


def seed_events(
    months: int = 12,
    *,
    rng: random.Random,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Write ``months`` months of events (ending now) for every grid of the seeded tree,
    with their timelines; return how many events. See the module docstring."""
    if months <= 0:
        return 0
    zone = ZoneInfo(settings.TIME_ZONE)
    now_local = (now or timezone.now()).astimezone(zone).replace(tzinfo=None, microsecond=0)
    start = now_local - dt.timedelta(days=round(months * 365.25 / 12))
    world = load_world()
    if not world.grids or not world.leaves:
        return 0
    writer = EventWriter(world, rng, now_local, zone)
    phase = "Demo events"
    kind_factor: dict[str, float] = {UnitKind.COMMUNITY: 1.15, UnitKind.VILLAGE: 0.9}
    for n, grid in enumerate(world.grids, start=1):
        mean = EVENTS_PER_GRID_MONTH * months * (max(grid.households, 1) / 400.0)
        mean *= kind_factor.get(grid.village.kind, 1.0) * (1.15 if grid.place == URBAN else 1.0)
        count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
        moments = _report_times(rng, writer, start, now_local, count)
        points = sample_points(grid.shape, len(moments), rng)
        for (moment, source), point in zip(moments, points, strict=True):
            writer.event(grid, moment, source, point)
        if progress is not None and (n % 20 == 0 or n == len(world.grids)):
            progress(phase, n, len(world.grids))
    writer.flush()
    return writer.count
