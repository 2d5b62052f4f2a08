"""The demo's event history: counts, mixes, timelines that obey the rules, places in grids."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
import time_machine
from django.db import transaction
from django.test.utils import override_settings

from grassroots.common.geo import load_grid_index
from grassroots.demo.events import EVENTS_PER_GRID_MONTH, seed_events
from grassroots.demo.geometry import from_geojson
from grassroots.demo.seeding import seed
from grassroots.events import deadlines
from grassroots.events.models import Event, EventAction
from grassroots.events.states import TRANSITIONS, EventStatus
from grassroots.org.models import Membership, Unit, UnitKind
from tests.conftest import ensure_seeded

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)
MONTHS = 3


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """礼州镇 with three months of events, seeded once for the module (rolled back)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        time_machine.travel(NOW, tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_seeded()
            summary = seed("town", seed=2026, months=MONTHS)
            yield {"summary": summary, "events": list(Event.objects.select_related("category"))}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def events(town: dict[str, Any], db: Any) -> list[Event]:
    return list(town["events"])


def test_counts_follow_the_grids_and_months(town: dict[str, Any], events: list[Event]) -> None:
    grids = Unit.objects.filter(kind=UnitKind.GRID)
    households = sum(g.households for g in grids)
    expected = EVENTS_PER_GRID_MONTH * MONTHS * households / 400
    assert town["summary"].events == len(events) == Event.objects.count()
    assert 0.75 * expected < len(events) < 1.3 * expected
    assert town["summary"].months == MONTHS
    # events per grid: every grid has some, none has a wildly different share
    per_grid = Counter(e.grid_id for e in events if e.grid_id)
    assert set(per_grid) == {g.pk for g in grids}
    start = NOW - dt.timedelta(days=round(MONTHS * 365.25 / 12) + 1)
    assert all(start <= e.reported_at <= NOW for e in events)
    # numbers as on intake: prefix, local day, id
    for event in events[:50]:
        day = event.reported_at.astimezone(TZ).strftime("%Y%m%d")
        assert event.number == f"XC{day}{event.pk:06d}"


def test_sources_categories_and_ratings_are_mixed_realistically(events: list[Event]) -> None:
    sources = Counter(e.source for e in events)
    share = {source: count / len(events) for source, count in sources.items()}
    assert 0.45 < share["patrol"] < 0.65
    assert 0.12 < share["resident"] < 0.28
    assert 0.12 < share["hotline"] < 0.28
    assert 0.01 < share["open311"] < 0.1
    # residents and Open311 clients only file public categories, always leaves
    for event in events:
        assert event.category.active and not event.category.children.exists()
        if event.source in ("resident", "open311"):
            assert event.category.public
    assert len({e.category.parent_id for e in events}) >= 8
    # 礼州镇 is peri-urban: illegal building is common, lake pollution is not
    parents = Counter(e.category.parent.code for e in events if e.category.parent)
    assert parents["WFJS"] > parents["STHB"]
    rated = [e for e in events if e.satisfaction]
    assert rated and all(e.source != "patrol" for e in rated)
    satisfied = sum(e.satisfaction in ("satisfied", "basically") for e in rated)
    assert satisfied / len(rated) > 0.85
    # patrols work on working days, in office hours
    patrol_hours = [e.reported_at.astimezone(TZ).hour for e in events if e.source == "patrol"]
    assert min(patrol_hours) >= 8 and max(patrol_hours) <= 17


def test_statuses_cover_the_life_of_events(events: list[Event]) -> None:
    statuses = Counter(e.status for e in events)
    assert statuses["closed"] / len(events) > 0.7
    assert sum(statuses[s] for s in ("reported", "accepted", "dispatched", "in_progress")) > 0
    assert statuses["rejected"] > 0
    assert Event.objects.overdue(NOW).exists()
    assert any(e.escalation_level for e in events)
    assert any(e.return_count for e in events)
    assert any(e.rework_count for e in events)
    assert any(e.reopen_count for e in events)
    on_spot = EventAction.objects.filter(kind="resolve_on_spot").count()
    assert 0 < on_spot < len(events) / 4
    late = [e for e in events if e.closed_at and e.resolved_at and e.resolved_at > e.resolve_by]
    on_time = [e for e in events if e.resolved_at and e.resolved_at <= e.resolve_by]
    assert len(on_time) > 4 * len(late) > 0


def test_timelines_agree_with_the_status_machine_and_the_event(events: list[Event]) -> None:
    lines: dict[int, list[EventAction]] = defaultdict(list)
    for action in EventAction.objects.order_by("event_id", "created_at", "id"):
        lines[action.event_id].append(action)
    assert set(lines) == {e.pk for e in events}
    for event in events:
        timeline = lines[event.pk]
        first = timeline[0]
        assert (first.kind, first.from_status, first.to_status) == ("report", "", "reported")
        assert first.created_at == event.reported_at
        status = "reported"
        times = [a.created_at for a in timeline]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] <= NOW
        for action in timeline[1:]:
            assert action.from_status == status, (event.number, action.kind)
            if action.to_status != status:
                assert EventStatus(action.to_status) in TRANSITIONS[EventStatus(status)]
            status = action.to_status
        assert status == event.status, event.number
        kinds = Counter(a.kind for a in timeline)
        assert event.escalation_level == kinds["escalate"]
        assert event.return_count == kinds["return"]
        assert event.rework_count == kinds["rework"]
        assert event.reopen_count == kinds["reopen"]
        closed = event.status == "closed"
        assert (event.closed_at is not None) == closed
        if closed:
            assert event.resolved_at is not None and event.responded_at is not None
            assert event.reported_at <= event.resolved_at <= event.closed_at
        if event.status in ("resolved", "verified", "closed"):
            assert event.resolved_at is not None
        if event.satisfaction:
            assert event.rated_at is not None and kinds["rate"] >= 1
        assert event.updated_at == times[-1]


def test_deadlines_are_those_of_intake(events: list[Event]) -> None:
    for event in events:
        respond, resolve = deadlines.initial_deadlines(event.category, event.reported_at)
        assert event.respond_by == respond
        if not event.reopen_count:
            assert event.resolve_by == resolve, event.number


def test_the_sweep_lines_fall_on_the_deadlines(events: list[Event]) -> None:
    by_id = {e.pk: e for e in events}
    lapses = EventAction.objects.filter(kind="lapse")
    assert lapses.exists()
    for line in lapses:
        event = by_id[line.event_id]
        due = dt.datetime.fromisoformat(line.data["due"])
        assert line.created_at == due
        assert line.data["deadline"] in ("respond_by", "resolve_by")
    automatic = EventAction.objects.filter(kind="escalate", data__automatic=True)
    assert automatic.exists()
    for line in automatic:
        event = by_id[line.event_id]
        assert line.actor is None and line.actor_unit is None
        if not event.reopen_count:
            assert line.created_at > event.resolve_by


def test_no_event_lies_outside_its_grid(events: list[Event]) -> None:
    index = load_grid_index()
    shapes = {g.pk: from_geojson(g.geometry) for g in Unit.objects.filter(kind=UnitKind.GRID)}
    placed = [e for e in events if e.grid_id]
    assert len(placed) > 0.85 * len(events)
    for event in placed:
        assert event.lon is not None and event.lat is not None
        assert shapely.intersects_xy(shapes[event.grid_id], event.lon, event.lat)
        assert index.locate(event.lon, event.lat) == Unit.objects.get(pk=event.grid_id).code
    units = {u.pk: u for u in Unit.objects.all()}
    for event in events:
        area = units[event.grid_id or event.village_id]
        assert event.area_path == area.path
        village = units[event.village_id]
        assert area.path.startswith(village.path)
        assert village.parent_id == event.township_id
        assert event.assignee_path == units[event.assignee_id].path
    # without a grid: hotline calls with an address only, placed at the village
    assert all(e.source == "hotline" and e.lat is None for e in events if not e.grid_id)


def test_actors_are_demo_logins_acting_where_they_are_members(events: list[Event]) -> None:
    members = set(Membership.objects.values_list("user_id", "unit_id"))
    acting = EventAction.objects.exclude(actor=None).exclude(kind__in=["rate", "reopen", "report"])
    assert acting.exists()
    for line in acting:
        assert (line.actor_id, line.actor_unit_id) in members, line.kind
    reporters = Event.objects.filter(source="patrol").exclude(reporter=None)
    assert reporters.exists()
    for event in reporters:
        assert (event.reporter_id, event.grid_id) in members
    assert not EventAction.objects.filter(kind__in=["remind", "lapse"]).exclude(actor=None).exists()


def test_the_history_is_deterministic_for_a_seed(town: dict[str, Any], db: Any) -> None:
    assert seed_events(0, rng=random.Random(1)) == 0

    def history() -> list[tuple[Any, ...]]:
        with transaction.atomic(), time_machine.travel(NOW, tick=False):
            before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
            assert seed_events(1, rng=random.Random("7:events")) > 0
            rows: list[tuple[Any, ...]] = [
                (e.title, e.category_id, e.source, e.grid_id, e.lon, e.lat, e.status,
                 e.reported_at, e.closed_at, e.satisfaction, e.assignee_id)
                for e in Event.objects.filter(id__gt=before).order_by("id")
            ]  # fmt: skip
            rows += list(
                EventAction.objects.filter(event_id__gt=before)
                .order_by("id")
                .values_list("kind", "to_status", "actor_id", "created_at")
            )
            transaction.set_rollback(True)
        return rows

    first = history()
    assert history() == first
