"""The deadline sweep (bench "events.sweep"): 1,000,000 open events, 1,000 lapsed since the
last sweep, swept in ≤ 1 s on PostgreSQL.

A throwaway database (``grassroots_bench_sweep``, created and dropped here on the server
of GRASSROOTS_DATABASE_URL or 127.0.0.1:5432) is migrated and given a city-shaped tree
(25 townships × 8 villages × 4 grids, two cadres per village with phones, a leader per
township). ``GRASSROOTS_BENCH_SWEEP_OPEN`` open events (default 1,000,000) are written with
``COPY``: 1,000 of them with their handling deadline inside the last minute (the window
of this sweep), the others with deadlines spread over the 30 days before and after it,
outside that minute. The sweep then runs once at a Tuesday 10:00 (office hours, so the
reminder and escalation ranges are not empty: the events whose deadline falls in them
are reminded and escalated too, as in production) and is timed alone, with everything it
does: the lapse lines, the messages to the village cadres, the reminders, the
escalations through the action (lock, audit entry, messages after commit).

Figures: ``sweep_seconds`` (target ≤ 1 s) and ``idle_sweep_seconds`` (a second sweep
right after, with nothing new). Without a PostgreSQL server the figures print with
``"value": null, "ok": null`` and the reason.

Run from the repository: ``.venv/bin/python bench/events_sweep.py``
(``GRASSROOTS_BENCH_PROFILE=1`` prints a profile of the sweep on stderr).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import REPO, emit, postgres_admin_url, with_database

BENCH = "events.sweep"
OPEN = int(os.environ.get("GRASSROOTS_BENCH_SWEEP_OPEN", "1000000"))
LAPSED = 1000
TARGET_S = 1.0
BENCH_DB = "grassroots_bench_sweep"
CST = ZoneInfo("Asia/Shanghai")
SEED = 3
OPEN_STATUSES = ("reported", "accepted", "dispatched", "in_progress", "escalated", "reworked")


def skip(reason: str) -> None:
    for figure in ("sweep_seconds", "idle_sweep_seconds"):
        row: dict[str, Any] = {"bench": BENCH, "figure": figure, "value": None, "unit": "s"}
        if figure == "sweep_seconds":
            row["target"] = f"<= {TARGET_S:g}"
        row.update(ok=None, reason=reason, db="postgresql", cores=os.cpu_count())
        print(json.dumps(row, ensure_ascii=False), flush=True)


def sweep_moment() -> dt.datetime:
    """A recent Tuesday at 10:00 local (office hours on an ordinary working day)."""
    today = dt.datetime.now(tz=CST).date()
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 + 7)
    return dt.datetime.combine(tuesday, dt.time(10, 0), tzinfo=CST)


def setup_django(url: str, data_dir: str) -> None:
    os.environ["GRASSROOTS_DATABASE_URL"] = url
    os.environ["GRASSROOTS_DATA_DIR"] = data_dir
    os.environ["GRASSROOTS_SECRET_KEY"] = "bench-not-secret"  # noqa: S105 - throwaway
    os.environ["GRASSROOTS_QUEUE_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def build_tree() -> dict[str, Any]:
    """City → 25 townships → 8 villages → 4 grids; cadres and leaders; one category."""
    from grassroots.events.models import Category
    from grassroots.org.models import Membership, Unit, User

    city = Unit.objects.create(code="513401", name="西昌市", kind="county")
    grids: list[Unit] = []
    people: list[Membership] = []
    users = []
    for t in range(25):
        town = Unit.objects.create(
            code=f"513401{t + 101:03d}", name=f"镇{t}", kind="township", parent=city
        )
        users.append((f"leader{t}", town, "unit_leader"))
        for v in range(8):
            village = Unit.objects.create(
                code=f"{town.code}{v + 201:03d}", name=f"村{t}-{v}", kind="village", parent=town
            )
            users.append((f"cadre{t}-{v}a", village, "village_cadre"))
            users.append((f"cadre{t}-{v}b", village, "village_cadre"))
            for g in range(4):
                grids.append(
                    Unit.objects.create(
                        code=f"{village.code}{g + 1:03d}",
                        name=f"网格{t}-{v}-{g}",
                        kind="grid",
                        parent=village,
                    )
                )
    created = User.objects.bulk_create(
        [
            User(username=name, phone=f"138{i:08d}", password="!")  # noqa: S106 - unusable
            for i, (name, _unit, _role) in enumerate(users)
        ]
    )
    for user, (_name, unit, role) in zip(created, users, strict=True):
        people.append(Membership(user=user, unit=unit, role=role, valid_from=dt.date(2020, 1, 1)))
    Membership.objects.bulk_create(people)
    category = Category.objects.create(code="SRHJ01", name="乱堆乱放")
    return {"city": city, "grids": grids, "category": category}


def copy_events(tree: dict[str, Any], now: dt.datetime, window: dt.timedelta) -> None:
    """``OPEN`` open events by COPY: ``LAPSED`` due in (now − window, now], the others
    spread over 30 days either side, outside that window."""
    from django.db import connection

    rng = random.Random(SEED)
    grids = [(g.pk, g.parent_id, g.parent.parent_id, g.path, g.parent.path) for g in tree["grids"]]
    category = tree["category"].pk
    start = now - window
    span = 30 * 86400
    columns = (
        "title, description, category_id, source, attributes, contact_name, contact_phone, "
        "address, grid_id, village_id, township_id, area_path, status, assignee_id, "
        "assignee_path, dispatcher_id, respond_by, resolve_by, escalation_level, "
        "satisfaction, reopen_count, rework_count, return_count, reported_at, "
        "responded_at, accepted_at, created_at, updated_at"
    )

    def stamp(moment: dt.datetime) -> str:
        return moment.isoformat()

    with connection.cursor() as cursor:
        # Bulk-load practice: drop the secondary indexes, COPY, build them again (the
        # sweep runs with every index in place).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_event' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor
        with raw.copy(f"COPY events_event ({columns}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i in range(OPEN):
                if i < LAPSED:
                    due = start + window * ((i + 1) / LAPSED)
                else:
                    offset = rng.uniform(-span, span)
                    due = now + dt.timedelta(seconds=offset)
                    if start < due <= now:
                        due = now + dt.timedelta(seconds=1 + rng.uniform(0, span))
                grid, village, town, area, village_path = rng.choice(grids)
                reported = due - dt.timedelta(days=5)
                status = rng.choice(OPEN_STATUSES)
                responded = stamp(reported + dt.timedelta(hours=1))
                buffer.write(
                    f"事件{i}\t\t{category}\tpatrol\t{{}}\t\t\t\t{grid}\t{village}\t{town}\t"
                    f"{area}\t{status}\t{village}\t{village_path}\t{village}\t"
                    f"{stamp(reported + dt.timedelta(hours=2))}\t{stamp(due)}\t0\t\t0\t0\t0\t"
                    f"{stamp(reported)}\t{responded}\t{responded}\t{stamp(reported)}\t"
                    f"{stamp(reported)}\n"
                )
                if i % 50_000 == 49_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE events_event")


def measure(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        try:
            with tempfile.TemporaryDirectory(prefix="grassroots-bench-sweep-") as tmp:
                setup_django(with_database(admin_url, BENCH_DB), str(Path(tmp)))
                run()
        finally:
            from django.db import connections

            connections.close_all()
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def run() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.events.models import EventAction, SweepState
    from grassroots.events.sweep import sweep

    call_command("migrate", verbosity=0)
    tree = build_tree()
    now = sweep_moment()
    window = dt.timedelta(minutes=1)
    started = time.perf_counter()
    copy_events(tree, now, window)
    setup_seconds = time.perf_counter() - started
    SweepState.objects.create(name="default", swept_until=now - window)
    # A worker sweeps every minute in a long-lived process: its URL configuration (for
    # the links in the messages) and the calendar are loaded before; load them here too.
    from django.urls import reverse

    from grassroots.common.workdays import current_calendar

    reverse("home")
    current_calendar()

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if os.environ.get("GRASSROOTS_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            report = profile.runcall(sweep, now=now)
            stats = pstats.Stats(profile, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(60)
        else:
            report = sweep(now=now)
        seconds = time.perf_counter() - started
    lines = EventAction.objects.filter(kind="lapse").count()
    started = time.perf_counter()
    idle = sweep(now=now + dt.timedelta(seconds=1))
    idle_seconds = time.perf_counter() - started

    extra = {
        "db": "postgresql",
        "scale": "city",
        "open_events": OPEN,
        "lapsed": report.lapsed,
        "reminded": report.reminded,
        "escalated": report.escalated,
        "messages": report.messages,
        "queries": len(queries.captured_queries),
        "copy_s": round(setup_seconds, 1),
    }
    emit(
        BENCH,
        "sweep_seconds",
        seconds,
        "s",
        target=f"<= {TARGET_S:g}",
        ok=seconds <= TARGET_S and report.lapsed == LAPSED and lines == LAPSED,
        **extra,
    )
    emit(
        BENCH,
        "idle_sweep_seconds",
        idle_seconds,
        "s",
        db="postgresql",
        scale="city",
        open_events=OPEN,
        lapsed=idle.lapsed,
    )


def main() -> None:
    admin_url = postgres_admin_url()
    if admin_url is None:
        skip("no PostgreSQL server reachable (GRASSROOTS_DATABASE_URL or 127.0.0.1:5432)")
        return
    measure(admin_url)


if __name__ == "__main__":
    main()
