"""Would monthly partitioning of the events table pay on PostgreSQL? Measured, not guessed.

Two copies of the events table's hot columns and indexes (the queue indexes, the deadline,
the received time, the unique number and idempotency key) are filled with the same rows:
one plain, one partitioned by month of ``reported_at``. The reads that run all day (a
township's queue page, the month's counts by township, the overdue count, a look-up by
number and by idempotency key) and a burst of inserts are timed on both, in one run.

Partitioning also has a cost that no timing shows: PostgreSQL requires every unique index
of a partitioned table to include the partition key, so the event number and the
idempotency key would be unique only within a month. The benchmark shows it by inserting
a second event with an existing idempotency key in another month: the plain table refuses
it, the partitioned table takes it.

    python bench/events_partitioning.py [--rows 3000000] [--months 36]

One JSON line. Needs PostgreSQL on 127.0.0.1:5432 (or GRASSROOTS_DATABASE_URL); creates and
drops its own database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg

from _common import postgres_admin_url, with_database

OPEN = "('reported','dispatched','accepted','resolving')"

COLUMNS = """
    id bigint NOT NULL,
    number varchar(32) NOT NULL,
    idempotency_key varchar(64),
    township_id int NOT NULL,
    village_id int NOT NULL,
    status varchar(16) NOT NULL,
    resolve_by timestamptz,
    reported_at timestamptz NOT NULL,
    area_path varchar(255) NOT NULL
"""


def indexes(table: str, unique_suffix: str) -> list[str]:
    """The hot indexes of ``events_event``, on ``table``; ``unique_suffix`` is what a
    partitioned table must add to its unique indexes (the partition key)."""
    return [
        f"CREATE UNIQUE INDEX ON {table} (id{unique_suffix})",
        f"CREATE UNIQUE INDEX ON {table} (number{unique_suffix})",
        f"CREATE UNIQUE INDEX ON {table} (idempotency_key{unique_suffix}) "
        "WHERE idempotency_key IS NOT NULL",
        f"CREATE INDEX ON {table} (township_id, status, resolve_by)",
        f"CREATE INDEX ON {table} (township_id, resolve_by, id) WHERE status IN {OPEN}",
        f"CREATE INDEX ON {table} (resolve_by)",
        f"CREATE INDEX ON {table} (reported_at)",
        f"CREATE INDEX ON {table} (area_path varchar_pattern_ops)",
    ]


def fill(cur: psycopg.Cursor[Any], table: str, rows: int, months: int) -> None:
    # The rows spread evenly over the months before 2026-12-01; one in twenty still open;
    # 5,000 townships as in a province; every tenth event came through the API with a key.
    cur.execute(
        f"""
        INSERT INTO {table}
        SELECT g,
               'SC' || lpad(g::text, 12, '0'),
               CASE WHEN g %% 10 = 0 THEN 'key-' || g END,
               g %% 5000,
               g %% 50000,
               CASE WHEN g %% 20 = 0 THEN 'dispatched' ELSE 'closed' END,
               ts + interval '3 days',
               ts,
               '/51/' || (g %% 5000) || '/' || (g %% 50000) || '/'
        FROM (
            SELECT g, timestamptz '2026-12-01' - (g::float / %s * %s) * interval '30 days' AS ts
            FROM generate_series(1, %s) AS g
        ) AS s
        """,  # noqa: S608 - our own table names
        (rows, months, rows),
    )


def timed(cur: psycopg.Cursor[Any], sql: str, args: Callable[[int], tuple[Any, ...]]) -> float:
    """Median milliseconds of ``sql`` over 30 runs with varying arguments (after 5 warm)."""
    times = []
    for i in range(35):
        began = time.perf_counter()
        cur.execute(sql, args(i))
        cur.fetchall()
        if i >= 5:
            times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 3)


def measure(cur: psycopg.Cursor[Any], table: str, rows: int) -> dict[str, float]:
    out = {
        "queue_page_ms": timed(
            cur,
            f"SELECT id FROM {table} WHERE township_id = %s AND status IN {OPEN} "  # noqa: S608
            "ORDER BY resolve_by, id LIMIT 50",
            lambda i: (i * 37 % 5000,),
        ),
        "month_counts_ms": timed(
            cur,
            f"SELECT township_id, count(*) FROM {table} "  # noqa: S608
            "WHERE reported_at >= %s AND reported_at < %s GROUP BY 1",
            lambda i: (f"2026-{1 + i % 11:02d}-01", f"2026-{2 + i % 11:02d}-01"),
        ),
        "overdue_count_ms": timed(
            cur,
            f"SELECT count(*) FROM {table} WHERE status IN {OPEN} "  # noqa: S608
            "AND resolve_by < %s",
            lambda i: ("2026-11-15",),
        ),
        "by_number_ms": timed(
            cur,
            f"SELECT id FROM {table} WHERE number = %s",  # noqa: S608
            lambda i: (f"SC{(i * 7919 % rows) + 1:012d}",),
        ),
        "by_idempotency_key_ms": timed(
            cur,
            f"SELECT id FROM {table} WHERE idempotency_key = %s",  # noqa: S608
            lambda i: (f"key-{(i * 7919 % (rows // 10)) * 10 + 10}",),
        ),
    }
    began = time.perf_counter()
    cur.executemany(
        f"INSERT INTO {table} VALUES (%s, %s, NULL, %s, %s, 'reported', "  # noqa: S608
        "timestamptz '2026-12-05', timestamptz '2026-11-30 12:00', '/51/1/1/')",
        [(rows + 1 + i, f"SCNEW{i:010d}", i % 5000, i % 50000) for i in range(5000)],
    )
    out["insert_per_s"] = round(5000 / (time.perf_counter() - began))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--months", type=int, default=36)
    options = parser.parse_args()
    admin = postgres_admin_url()
    if admin is None:
        raise SystemExit("needs PostgreSQL")
    name = "bench_partitioning"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    result: dict[str, Any] = {
        "bench": "events.partitioning",
        "rows": options.rows,
        "months": options.months,
    }
    try:
        with psycopg.connect(with_database(admin, name), autocommit=True) as conn:
            cur = conn.cursor()
            cur.execute(f"CREATE TABLE plain ({COLUMNS})")
            cur.execute(f"CREATE TABLE parted ({COLUMNS}) PARTITION BY RANGE (reported_at)")
            for m in range(options.months + 2):
                start = f"timestamptz '2026-12-01' - interval '{options.months + 1 - m} months'"
                cur.execute(
                    f"CREATE TABLE parted_{m} PARTITION OF parted "
                    f"FOR VALUES FROM ({start}) TO ({start} + interval '1 month')"
                )
            for table, suffix in (("plain", ""), ("parted", ", reported_at")):
                began = time.perf_counter()
                fill(cur, table, options.rows, options.months)
                for sql in indexes(table, suffix):
                    cur.execute(sql)
                cur.execute(f"VACUUM ANALYZE {table}")
                result[f"{table}_build_s"] = round(time.perf_counter() - began, 1)
            for table in ("plain", "parted"):
                result[table] = measure(cur, table, options.rows)
            # The same idempotency key again, a month earlier: refused only by the plain table.
            duplicate = (
                "INSERT INTO {t} VALUES (%s, 'SCDUP', 'key-10', 1, 1, 'reported', NULL, "
                "timestamptz '2026-12-01' - interval '2 months', '/51/')"
            )
            for table in ("plain", "parted"):
                try:
                    cur.execute(duplicate.format(t=table), (options.rows + 99_999,))
                    result[f"{table}_accepts_duplicate_key"] = True
                except psycopg.errors.UniqueViolation:
                    result[f"{table}_accepts_duplicate_key"] = False
            result["ratio_parted_to_plain"] = {
                key: round(result["parted"][key] / result["plain"][key], 2)
                for key in result["plain"]
            }
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
