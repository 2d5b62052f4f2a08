"""Import of historical events (bench "events.import"): ``grassroots import-events``.

A 12345-hotline-like CSV of ``GRASSROOTS_BENCH_IMPORT_ROWS`` rows (default 200,000: a
year of a city's hotline, sorted by time; 70 % located by longitude/latitude, 20 % by grid
code, 10 % by township and village name; mostly closed with their times and ratings) is
imported into the demo city (``seed --scale city --months 0``), and timed in a child
process around ``grassroots.events.importing.import_events`` (reading, checking every row,
writing events, timeline lines and the audit entry: the command without its start-up).

- PostgreSQL (a database ``grassroots_bench_events`` created and dropped here, on the server
  of GRASSROOTS_DATABASE_URL or 127.0.0.1:5432): events/s (target ≥ 40,000) and the ratio
  to a raw ``COPY`` of the same event rows (dumped from the imported table) into a copy
  of the table with the same indexes, checks and foreign keys, measured in the same run
  (target ≥ 0.5). The raw COPY writes only the event rows; the import writes a timeline
  line per event too. The same raw COPY without the foreign keys is printed for the record
  (a copy made ``LIKE … INCLUDING ALL`` has none; their checks run at commit).

  How the import checks the foreign keys is printed with its figure (``key_checks``):
  "per key" when the database role may set ``session_replication_role`` (the benchmark
  connects as a superuser): each referenced unit, category and user is read ``FOR KEY
  SHARE`` once, instead of by the constraints' triggers once per row and key (seven per
  event here), which is why the import can beat the raw COPY. For the record, the import
  is then timed again with the triggers' checks ("per row", what a role without that
  right gets), into the emptied table.
- SQLite (a temporary data directory): events/s, no target.

``check_s`` is the pass over the file — reading, checking, and the writing that goes along
with it (batches are written while the next is checked); ``write_s`` what follows it (the
audit entry and the commit).

Run from the repository: ``.venv/bin/python bench/events_import.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import bench_env as base_env
from _common import emit, postgres_admin_url, with_database
from _common import run_grassroots as grassroots

BENCH = "events.import"
ROWS = int(os.environ.get("GRASSROOTS_BENCH_IMPORT_ROWS", "200000"))
RATE_TARGET = 40_000.0
RATIO_TARGET = 0.5
BENCH_DB = "grassroots_bench_events"
SEED = 2026

PLACES_SCRIPT = """
import json
from grassroots.org.models import Unit
from grassroots.events.models import Category
grids = [
    [u.code, u.parent.name, u.parent.parent.name, u.geometry]
    for u in Unit.objects.filter(kind="grid").select_related("parent__parent").order_by("code")
]
leaves = [c.code for c in Category.objects.filter(active=True, children__isnull=True)]
print(json.dumps({"grids": grids, "categories": leaves}))
"""
IMPORT_SCRIPT = """
import json, time
from grassroots.events.importing import import_events
if %r:
    # as for a role that may not turn the triggers off: the constraints check every row
    from grassroots.events.importing import writing
    writing._replica_role = lambda cursor: False
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE events_eventaction, events_attachment, events_event CASCADE")
started = time.perf_counter()
summary = import_events(%r, source="hotline")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "check": summary.check_seconds,
                  "write": summary.write_seconds, "imported": summary.imported,
                  "key_checks": summary.key_checks}))
"""

HEADER = [
    "工单编号",
    "标题",
    "内容",
    "类别",
    "来源",
    "联系人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
    "所属网格",
    "乡镇(街道)",
    "村(社区)",
    "上报时间",
    "受理时间",
    "办结时间",
    "结案时间",
    "满意度",
    "状态",
]
TOPICS = (
    ("小区垃圾清运不及时", "楼下垃圾桶已满两天无人清运，气味很大。"),
    ("夜间施工噪音扰民", "晚上十一点后仍有工地施工，影响休息，请求处理。"),
    ("道路井盖缺失", "路口井盖缺失，存在安全隐患，请尽快修复。"),
    ("占道经营", "早市摊贩占用人行道经营，行人无法通行。"),
    ("邻里纠纷", "楼上住户漏水到我家，协商未果，请求调解。"),
    ("路灯不亮", "村道路灯已坏一周，夜间出行不便。"),
    ("违章搭建", "邻居在屋顶私自加盖彩钢棚。"),
    ("邛海湿地垃圾", "湿地步道旁有游客丢弃的垃圾。"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗阿吉沙曲"


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate and seed the city (no event history); its grids and leaf categories."""
    grassroots(["migrate", "--verbosity", "0"], env)
    grassroots(["seed", "--scale", "city", "--months", "0", "--quiet", "--verbosity", "0"], env)
    out = grassroots(["shell", "--verbosity", "0", "-c", PLACES_SCRIPT], env)
    places: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return places


def write_csv(path: Path, rows: int, places: dict[str, Any]) -> None:
    """The hotline export: ``rows`` events over the last year, in time order."""
    from shapely.geometry import Point, shape

    rng = random.Random(SEED)
    grids = places["grids"]
    categories = places["categories"] or ["MISSING"]
    shapes = [shape(g[3]) for g in grids]
    boxes = [s.bounds for s in shapes]
    end = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    span = 365 * 24 * 3600
    moments = sorted(rng.randrange(span) for _ in range(rows))
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n, offset in enumerate(moments, start=1):
            g = rng.randrange(len(grids))
            code, village, township, _geometry = grids[g]
            reported = end - dt.timedelta(seconds=span - offset)
            title, text = rng.choice(TOPICS)
            lon = lat = ""
            grid = town = vill = ""
            where = rng.random()
            if where < 0.7:
                minx, miny, maxx, maxy = boxes[g]
                while True:
                    x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
                    if shapes[g].contains(Point(x, y)):
                        break
                lon, lat = f"{x:.6f}", f"{y:.6f}"
            elif where < 0.9:
                grid = code
            else:
                town, vill = township, village
            fate = rng.random()
            accepted = reported + dt.timedelta(minutes=rng.randint(5, 600))
            resolved = accepted + dt.timedelta(hours=rng.randint(2, 200))
            closed = resolved + dt.timedelta(hours=rng.randint(1, 48))
            times = [accepted, resolved, closed]
            status, rating = "已办结", rng.choice(("满意", "满意", "满意", "基本满意", "不满意"))
            if fate > 0.9 or closed > end:
                status, rating, times = "办理中", "", [accepted, None, None]
            out.writerow(
                [
                    f"SC12345{reported:%Y%m%d}{n:07d}",
                    title,
                    text,
                    rng.choice(categories),
                    "12345热线",
                    rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
                    f"13{rng.randint(0, 999_999_999):09d}",
                    f"{township}{village}{rng.randint(1, 300)}号",
                    lon,
                    lat,
                    grid,
                    town,
                    vill,
                    reported.strftime("%Y-%m-%d %H:%M:%S"),
                    *[t.strftime("%Y-%m-%d %H:%M:%S") if t else "" for t in times],
                    rating,
                    status,
                ]
            )


def time_import(path: Path, env: dict[str, str], *, per_row: bool = False) -> dict[str, Any]:
    script = IMPORT_SCRIPT % (per_row, str(path))
    out = grassroots(["shell", "--verbosity", "0", "-c", script], env)
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def raw_copy(url: str, *, foreign_keys: bool = True) -> tuple[float, int]:
    """Dump the imported event rows and COPY them into a copy of the table with the same
    indexes and checks (and foreign keys, unless told not to); (seconds of the COPY and
    its commit, rows)."""
    import psycopg

    with psycopg.connect(url) as conn:
        buffer = io.BytesIO()
        with conn.cursor() as cur, cur.copy("COPY events_event TO STDOUT") as copy:
            for data in copy:
                buffer.write(data)
        conn.execute("DROP TABLE IF EXISTS bench_events_copy")
        conn.execute("CREATE TABLE bench_events_copy (LIKE events_event INCLUDING ALL)")
        foreign = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'events_event'::regclass AND contype = 'f'"
        ).fetchall()
        for n, (definition,) in enumerate(foreign if foreign_keys else []):
            conn.execute(f"ALTER TABLE bench_events_copy ADD CONSTRAINT bench_fk_{n} {definition}")
        conn.commit()
        data = buffer.getvalue()
        rows = data.count(b"\n")
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY bench_events_copy FROM STDIN") as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
            conn.commit()  # the deferred foreign-key checks run here
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_events_copy")
        conn.commit()
    return seconds, rows


def measure_postgresql(admin_url: str, tmp: Path, csv_path: Path | None) -> Path | None:
    import psycopg

    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
        try:
            url = with_database(admin_url, BENCH_DB)
            env = base_env(str(tmp / "pg"))
            env["GRASSROOTS_DATABASE_URL"] = url
            places = prepare(env)
            if csv_path is None:
                csv_path = tmp / "events.csv"
                write_csv(csv_path, ROWS, places)
            figures = time_import(csv_path, env)
            copy_seconds, copied = raw_copy(url)
            bare_seconds, _copied = raw_copy(url, foreign_keys=False)
            per_row = time_import(csv_path, env, per_row=True)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    rate = figures["imported"] / figures["seconds"]
    raw_rate = copied / copy_seconds
    extra = {"db": "postgresql", "scale": "city", "rows": int(figures["imported"])}
    emit(
        BENCH,
        "events_per_s",
        rate,
        "events/s",
        target=f">= {RATE_TARGET:g}",
        ok=rate >= RATE_TARGET and figures["imported"] == ROWS,
        check_s=round(figures["check"], 2),
        write_s=round(figures["write"], 2),
        key_checks=figures["key_checks"],
        **extra,
    )
    emit(
        BENCH,
        "events_per_s_row_key_checks",
        per_row["imported"] / per_row["seconds"],
        "events/s",
        check_s=round(per_row["check"], 2),
        write_s=round(per_row["write"], 2),
        key_checks=per_row["key_checks"],
        **extra,
    )
    emit(BENCH, "raw_copy_rows_per_s", raw_rate, "rows/s", copy_s=round(copy_seconds, 2), **extra)
    # for the record: the same COPY without the foreign keys' checks
    emit(
        BENCH,
        "raw_copy_without_fk_rows_per_s",
        copied / bare_seconds,
        "rows/s",
        copy_s=round(bare_seconds, 2),
        **extra,
    )
    ratio = rate / raw_rate
    emit(
        BENCH,
        "ratio_to_raw_copy",
        ratio,
        "x",
        target=f">= {RATIO_TARGET:g}",
        ok=ratio >= RATIO_TARGET,
        **extra,
    )
    return csv_path


def measure_sqlite(tmp: Path, csv_path: Path | None) -> Path:
    env = base_env(str(tmp / "sqlite"))
    places = prepare(env)
    if csv_path is None:
        csv_path = tmp / "events.csv"
        write_csv(csv_path, ROWS, places)
    figures = time_import(csv_path, env)
    emit(
        BENCH,
        "events_per_s",
        figures["imported"] / figures["seconds"],
        "events/s",
        check_s=round(figures["check"], 2),
        write_s=round(figures["write"], 2),
        db="sqlite",
        scale="city",
        rows=int(figures["imported"]),
    )
    return csv_path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-events-import-") as name:
        tmp = Path(name)
        csv_path: Path | None = None
        admin_url = postgres_admin_url()
        if admin_url is not None:
            csv_path = measure_postgresql(admin_url, tmp, csv_path)
        measure_sqlite(tmp, csv_path)


if __name__ == "__main__":
    main()
