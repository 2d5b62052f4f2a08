"""The data of the page benchmark (bench "pages").

City scale, SQLite: the demo city exactly as ``grassroots seed --scale city`` writes it
(西昌市, 25 townships, 174 villages and communities, their grids, 12 months of events, the
year's tasks and the year's assessment with its published quarters) in a data directory
cached under ``bench/.cache/pages-city-<key>/``. The key is a hash of the migrations and
of the demo generator's code and data, so a change to either builds a new one; a cache
older than ``GRASSROOTS_BENCH_PAGES_CACHE_DAYS`` (default 7) is rebuilt too, because the
demo's history ends "now". Each run measures a copy of the cached database (logging in
writes sessions).

Province scale, PostgreSQL: the assessment benchmark's cached database
(``bench/_assessment_data.py``: 四川省 and ``GRASSROOTS_BENCH_ASSESS_EVENTS`` events),
plus, once, a published quarter of a village scheme so that the portal has rankings to
show (see ``pages.py``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import REPO
from events_queue import base_env, grassroots, log

CACHE = REPO / "bench" / ".cache"
SRC = REPO / "src" / "grassroots"
MAX_AGE_S = float(os.environ.get("GRASSROOTS_BENCH_PAGES_CACHE_DAYS", "7")) * 86400
DB_FILE = "grassroots.sqlite3"


def city_key() -> str:
    """A short hash of what the cached city depends on: migrations and the demo code."""
    digest = hashlib.sha256()
    files = sorted(SRC.glob("*/migrations/*.py")) + sorted((SRC / "demo").rglob("*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(SRC)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def city_cache(fresh: bool = False) -> Path:
    """The cached data directory of the demo city (built when missing or stale)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"pages-city-{city_key()}"
    db = target / DB_FILE
    if fresh and target.exists():
        shutil.rmtree(target)
    if db.exists() and time.time() - db.stat().st_mtime < MAX_AGE_S:
        return target
    if target.exists():
        shutil.rmtree(target)
    for old in CACHE.glob("pages-city-*"):  # an older key: the code moved on
        shutil.rmtree(old, ignore_errors=True)
    log("seeding the demo city (12 months of events, tasks, assessment) into the cache")
    began = time.monotonic()
    build = Path(tempfile.mkdtemp(prefix="pages-city-build-", dir=CACHE))
    try:
        env = city_env(build)
        grassroots(["migrate", "--verbosity", "0"], env)
        grassroots(["seed", "--scale", "city", "--quiet"], env)
        with sqlite3.connect(build / DB_FILE) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        build.rename(target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    log(f"seeded the city in {time.monotonic() - began:.0f} s")
    return target


def city_env(data_dir: Path) -> dict[str, str]:
    env = base_env(str(data_dir), "")
    env.pop("GRASSROOTS_DATABASE_URL", None)
    return env


def city_copy(cached: Path, into: Path) -> Path:
    """A working copy of the cached city's database in ``into`` (its data directory)."""
    shutil.copy2(cached / DB_FILE, into / DB_FILE)
    return into


if __name__ == "__main__":
    import sys

    print(city_cache(fresh="--fresh" in sys.argv))
