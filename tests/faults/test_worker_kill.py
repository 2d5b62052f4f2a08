"""kill -9 of a long import while it writes: nothing half-written (the import is one
transaction), and running it again imports every row exactly once.

Imports and assessment runs are not queued on ``grassroots worker``: they run in the
process of their command (``grassroots import-events``, ``grassroots assess``), each in one
transaction. The moment of the kill is chosen while the import holds the database's write
lock (SQLite: a ``BEGIN IMMEDIATE`` of the test is refused), i.e. in the middle of writing.
"""

from __future__ import annotations

import contextlib
import csv
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from grassroots.events.importing import BATCH
from tests.faults.conftest import Site, manage, stop

pytestmark = pytest.mark.slow

# More than two of the import's batches (events.importing.BATCH): the first batch is written
# long before the commit, so the write lock is held while the rest is still being checked.
ROWS = 2 * BATCH + 2000


def _write_file(site: Site, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["工单编号", "标题", "类别", "所属网格", "上报时间"])
        for i in range(ROWS):
            writer.writerow(
                [
                    f"FAULT{i:06d}",
                    f"导入故障测试 {i}",
                    site.seeded["category"],
                    site.seeded["grid"],
                    f"2026-0{1 + i % 9}-{1 + i % 28:02d} 08:{i % 60:02d}",
                ]
            )


def _writing(database: Path) -> bool:
    """Whether another process holds the write lock of ``database`` now."""
    with contextlib.closing(sqlite3.connect(database, timeout=0)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        db.execute("ROLLBACK")
        return False


def _imported(site: Site) -> dict[str, int]:
    counted: dict[str, int] = site.query(
        "from django.db.models import Count\n"
        "from grassroots.events.models import Event, EventAction\n"
        "events = Event.objects.filter(number__startswith='FAULT')\n"
        "result = {\n"
        "    'events': events.count(),\n"
        "    'numbers': events.values('number').distinct().count(),\n"
        "    'lines': EventAction.objects.filter(event__number__startswith='FAULT').count(),\n"
        "}\n"
    )
    return counted


def test_import_killed_while_writing_leaves_nothing_and_reruns_cleanly(site: Site) -> None:
    source = site.data_dir / "events.csv"
    _write_file(site, source)
    database = site.data_dir / "grassroots.sqlite3"
    proc = site.command("import-events", str(source), "--quiet")
    killed_while_writing = False
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and proc.poll() is None:
            # Held twice 0.2 s apart: the import's transaction, not a short write of the
            # command's start.
            if _writing(database):
                time.sleep(0.2)
                if proc.poll() is None and _writing(database):
                    killed_while_writing = True
                    break
            time.sleep(0.05)
        assert killed_while_writing, (
            f"the import never held the write lock while running:\n{site.log('command.log')}"
        )
        stop(proc, signal.SIGKILL)
    finally:
        stop(proc)
    assert _imported(site) == {"events": 0, "numbers": 0, "lines": 0}

    out = manage(site.env, "import-events", str(source), "--quiet")
    assert f"{ROWS:,}" in out or str(ROWS) in out, out
    assert _imported(site) == {"events": ROWS, "numbers": ROWS, "lines": ROWS}
    # Once more, as an operator unsure whether the first run finished would.
    manage(site.env, "import-events", str(source), "--quiet", "--skip-existing")
    assert _imported(site) == {"events": ROWS, "numbers": ROWS, "lines": ROWS}
