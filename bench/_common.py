"""Shared by the benchmarks: one JSON object per figure, on its own line (DESIGN.md §6)."""

from __future__ import annotations

import json
import os
import platform
import resource
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GRASSROOTS_SHARED_DATA", REPO.parent / "shared" / "data"))
DIVISIONS = SHARED_DATA / "divisions"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str | None:
    """The URL of a reachable PostgreSQL server's maintenance database, or None."""
    url = os.environ.get("GRASSROOTS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = DEFAULT_PG
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            pass
    except OSError:
        return None
    return url


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` instead."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def bench_env(data_dir: str) -> dict[str, str]:
    """The environment of a child ``grassroots`` on a throwaway database in ``data_dir``
    (none of the caller's GRASSROOTS_ settings, the queue not run inline)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = data_dir
    env["GRASSROOTS_SECRET_KEY"] = "bench-not-secret"  # noqa: S105 - throwaway database
    env["GRASSROOTS_QUEUE_IMMEDIATE"] = "0"
    return env


def run_grassroots(args: list[str], env: dict[str, str]) -> str:
    """Run ``grassroots ARGS`` in a child process; its stdout (its stderr and an exit on
    failure)."""
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [sys.executable, "-m", "grassroots.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-5000:])
        raise SystemExit(f"grassroots {' '.join(args[:2])} failed ({done.returncode})")
    return done.stdout


def db_vendor() -> str:
    return (
        "postgresql"
        if os.environ.get("GRASSROOTS_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux reports KiB


def emit(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    target: str = "",
    ok: bool | None = None,
    **extra: Any,
) -> None:
    """Print one figure. ``ok`` is False when a target is missed; the figure still prints."""
    row: dict[str, Any] = {"bench": bench, "figure": figure, "value": round(value, 3), "unit": unit}
    if target:
        row["target"] = target
    if ok is not None:
        row["ok"] = ok
    row.setdefault("cores", os.cpu_count())
    row.setdefault("python", platform.python_version())
    row.update(extra)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    sys.stdout.flush()
