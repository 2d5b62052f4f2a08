"""Import of the whole country's divisions (bench "org.import_divisions").

Runs ``grassroots import-divisions`` on the statistics bureau's files ($GRASSROOTS_SHARED_DATA
/divisions: 31 provinces, 342 prefectures, 2,978 counties, 41,352 townships, 620,573
villages) into a fresh database, twice: the first run creates 665,276 units, the second
must change nothing. Each run is its own ``grassroots`` process, so its peak memory is the
peak RSS of that child (``os.wait4``'s rusage, the per-child form of RUSAGE_CHILDREN).

Databases: SQLite in a temporary GRASSROOTS_DATA_DIR; PostgreSQL too when a server answers
(the server of GRASSROOTS_DATABASE_URL when that is a postgres:// URL, else
127.0.0.1:5432 as user postgres), in a database ``grassroots_bench_import`` created and
dropped by the benchmark.

Run from the repository: ``.venv/bin/python bench/import_divisions.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from _common import DIVISIONS, REPO, emit, postgres_admin_url, with_database

BENCH = "org.import_divisions"
SECONDS_TARGET = 60.0
MEMORY_TARGET_MB = 1024.0
BENCH_DB = "grassroots_bench_import"
COUNT_SCRIPT = (
    "from grassroots.org.models import Unit; from grassroots.audit.models import AuditEntry; "
    "print(Unit.objects.count(), "
    "AuditEntry.objects.filter(action='org.divisions.imported').count())"
)


def grassroots(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``grassroots ARGS`` as a child process: (seconds, its peak RSS in MB, stdout).

    The child is reaped with ``os.wait4``, whose rusage is that child's alone (the
    RUSAGE_CHILDREN maximum would mix in the migrate run and the others).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [sys.executable, "-m", "grassroots.cli", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read())
            raise SystemExit(f"grassroots {' '.join(args)} failed ({child.returncode})")
        return seconds, usage.ru_maxrss / 1024.0, out.read()  # Linux reports KiB


def measure(db: str, env: dict[str, str]) -> None:
    grassroots(["migrate", "--verbosity", "0"], env)
    args = ["import-divisions", str(DIVISIONS), "--quiet"]
    seconds, peak, _ = grassroots(args, env)
    counted = grassroots(["shell", "--verbosity", "0", "-c", COUNT_SCRIPT], env)[2].split()[-2:]
    units, audits = int(counted[0]), int(counted[1])
    extra = {"db": db, "scale": "country", "units": units}
    emit(
        BENCH,
        "seconds",
        seconds,
        "s",
        target=f"<= {SECONDS_TARGET:g}",
        ok=seconds <= SECONDS_TARGET and units == 665_276,
        **extra,
    )
    emit(
        BENCH,
        "peak_rss_mb",
        peak,
        "MB",
        target=f"<= {MEMORY_TARGET_MB:g}",
        ok=peak <= MEMORY_TARGET_MB,
        **extra,
    )
    seconds2, peak2, _ = grassroots(args, env)
    counted = grassroots(["shell", "--verbosity", "0", "-c", COUNT_SCRIPT], env)[2].split()[-2:]
    unchanged = int(counted[0]) == units and int(counted[1]) == audits
    emit(
        BENCH,
        "second_run_seconds",
        seconds2,
        "s",
        target=f"<= {SECONDS_TARGET:g}",
        ok=seconds2 <= SECONDS_TARGET and unchanged,
        idempotent=unchanged,
        **extra,
    )
    emit(
        BENCH,
        "second_run_peak_rss_mb",
        peak2,
        "MB",
        target=f"<= {MEMORY_TARGET_MB:g}",
        ok=peak2 <= MEMORY_TARGET_MB,
        **extra,
    )


def base_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = data_dir
    env["GRASSROOTS_SECRET_KEY"] = "bench-not-secret"  # noqa: S105 - throwaway database
    env["GRASSROOTS_QUEUE_IMMEDIATE"] = "0"
    return env


def main() -> None:
    if not (DIVISIONS / "villages.csv").is_file():
        raise SystemExit(f"division files not found in {DIVISIONS}")
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-import-") as tmp:
        measure("sqlite", base_env(tmp))

    admin_url = postgres_admin_url()
    if admin_url is None:
        return
    import psycopg

    # Connect to the server's maintenance database to create and drop the bench's own.
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
        try:
            with tempfile.TemporaryDirectory(prefix="grassroots-bench-import-") as tmp:
                env = base_env(tmp)
                env["GRASSROOTS_DATABASE_URL"] = with_database(admin_url, BENCH_DB)
                measure("postgresql", env)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
