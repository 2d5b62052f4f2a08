"""kill -9 of ``grassroots assess --all-months`` inside a month's transaction: the months
committed before the kill are whole, the month being computed left nothing (no run, no
score, no audit entry), the audit chain verifies, and running the command again computes
one new whole version of every month, the interrupted one ranked as an uninterrupted run
ranks it.

The site: 200 villages of 礼州镇 with one grid each and the same events in every month of
2025 (village ``i``: ``1 + i % 4`` events, of which ``(i // 4) % (events + 1)`` found on
patrol), imported by ``events.importing.import_events``; a village scheme of 2025 scoring
the patrol share (60 points linear, 40 by rank). Every month thus has the same ranking,
with ties and a spread from 0 to 100 %, so month 01 — computed and committed before the
kill — is what the interrupted month must come to.

Each month is one transaction (``assessment.actions.compute.compute_run``), which on
SQLite holds the write lock from its first statement (``transaction_mode`` IMMEDIATE).
The kill is sent while the command holds that lock, at three quarters of a month's time
after the last commit: by measurement, the month's run row exists by then and its scores
or results are being written.
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import Site, manage, stop

pytestmark = pytest.mark.slow

VILLAGES = 200
MONTHS = [f"2025-{m:02d}" for m in range(1, 11)]
SCHEME = "fault-village-2025"

SEED = r"""
import csv
from decimal import Decimal

from grassroots.assessment.models import Category, Indicator, Scheme
from grassroots.events.importing import import_events
from grassroots.org.models import Unit, UnitKind, compute_path

VILLAGES, MONTHS, CATEGORY, CSV = {villages}, {months!r}, {category!r}, {csv!r}
township = Unit.objects.get(code="513401101")
villages = []
for i in range(VILLAGES):
    code = f"513401101{{300 + i:03d}}"
    village = Unit(code=code, name=f"故障村{{i:03d}}", kind=UnitKind.VILLAGE, parent=township)
    village.path, village.depth = compute_path(code, township)
    villages.append(village)
Unit.objects.bulk_create(villages)
grids = []
for village in Unit.objects.filter(parent=township, code__gte="513401101300"):
    grid = Unit(code=village.code + "001", name=village.name + "第1网格", kind=UnitKind.GRID,
                parent=village)
    grid.path, grid.depth = compute_path(grid.code, village)
    grids.append(grid)
Unit.objects.bulk_create(grids)

with open(CSV, "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow(["工单编号", "标题", "类别", "来源", "所属网格", "上报时间"])
    for month in MONTHS:
        for i in range(VILLAGES):
            events = 1 + i % 4
            patrol = (i // 4) % (events + 1)
            for k in range(events):
                writer.writerow([
                    f"ASSESS{{month}}-{{i:03d}}-{{k}}",
                    "考核中断测试",
                    CATEGORY,
                    "巡查发现" if k < patrol else "群众上报",
                    f"513401101{{300 + i:03d}}001",
                    f"{{month}}-{{2 + k + i % 20:02d}} 09:{{k:02d}}",
                ])
imported = import_events(CSV).imported

scheme = Scheme.objects.create(
    code={scheme!r},
    name="故障测试2025年村(社区)考核",
    year=2025,
    level="village",
    root=Unit.objects.get(code="513401"),
    shrinkage=False,
    significance=False,
    grade_quota={{"excellent_share": "0.2", "poor_below": "30"}},
    list_rule={{"red_top_n": 3, "black_bottom_n": 3}},
    reward_pool_fen=1_000_000,
    reward_params={{"excellent": "1.5", "good": "1.2", "average": "1.0"}},
)
for position, (code, weight, rule, params) in enumerate([
    ("patrol", "60", "range_linear", {{"floor": 0, "target": 100}}),
    ("patrol-rank", "40", "rank_points", {{}}),
]):
    indicator = Indicator(scheme=scheme, code=code, name=code, category=Category.COMMON,
                          weight=Decimal(weight), metric="events.patrol_share", rule=rule,
                          params=params, position=position)
    indicator.full_clean()
    indicator.save()
result = imported
"""

# What a check of the site answers: every run of the scheme with what it holds, the audit
# entries of runs, and the chain verified after sealing what the dead process left.
INSPECT = r"""
from django.db.models import Count
from grassroots.assessment.actions.compute import units_in_scope
from grassroots.assessment.models import Indicator, Result, Run, Scheme, Score
from grassroots.audit.actions import seal_all
from grassroots.audit.models import AuditEntry
from grassroots.audit.verify import verify

scheme = Scheme.objects.select_related("root").get(code={scheme!r})
units = {{u.pk for u in units_in_scope(scheme)}}
runs = []
for run in Run.objects.filter(scheme=scheme).select_related("parent").order_by("period", "version"):
    results = Result.objects.filter(run=run)
    runs.append({{
        "period": run.period,
        "version": run.version,
        "state": run.state,
        "parent": run.parent.version if run.parent else None,
        "computed": run.computed_at is not None and bool(run.diagnostics),
        "fingerprint": run.fingerprint,
        "scores": Score.objects.filter(run=run).count(),
        "units_scored": set(Score.objects.filter(run=run).values_list("unit_id", flat=True))
        == units,
        "results": results.count(),
        "units_ranked": set(results.values_list("unit_id", flat=True)) == units,
        "audited": AuditEntry.objects.filter(
            action="assessment.run.computed", object_id=str(run.pk)
        ).count(),
        "ranking": [
            [code, rank, str(total), grade, listed, reward]
            for code, rank, total, grade, listed, reward in results.order_by("unit__code")
            .values_list("unit__code", "rank", "total", "grade", "list_status", "reward_fen")
        ],
    }})
run_ids = {{str(pk) for pk in Run.objects.values_list("pk", flat=True)}}
audited = AuditEntry.objects.filter(action="assessment.run.computed")
seal_all()
checked = verify()
result = {{
    "units": len(units),
    "indicators": Indicator.objects.filter(scheme=scheme).count(),
    "runs": runs,
    "orphan_audit": [e for e in audited.values_list("object_id", flat=True) if e not in run_ids],
    "chain_ok": checked.ok,
    "chain": checked.summary(),
}}
"""


def _writing(database: Path) -> bool:
    """Whether another process holds the write lock of ``database`` now."""
    with contextlib.closing(sqlite3.connect(database, timeout=0)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        db.execute("ROLLBACK")
        return False


def _committed(database: Path) -> int:
    """How many runs are committed (read beside the writer: WAL)."""
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
        (count,) = db.execute("SELECT count(*) FROM assessment_run").fetchone()
        return int(count)


def _kill_inside_a_month(site: Site, proc: Any) -> None:
    """SIGKILL ``proc`` inside the transaction of its third month or later, late in it."""
    database = site.data_dir / "grassroots.sqlite3"
    commits: list[float] = []
    count = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        now = _committed(database)
        if now != count:
            count = now
            commits.append(time.monotonic())
        if len(commits) >= 2 and count < len(MONTHS) - 1:
            month = commits[-1] - commits[-2]
            if (
                time.monotonic() >= commits[-1] + 0.75 * month
                and _writing(database)
                and proc.poll() is None
                and _committed(database) == count
            ):
                stop(proc, signal.SIGKILL)
                return
        time.sleep(0.02)
    pytest.fail(
        f"assess ended or never got under way before the kill ({count} runs committed):\n"
        f"{site.log('command.log')}"
    )


def _whole(site_state: dict[str, Any], run: dict[str, Any]) -> bool:
    units, indicators = site_state["units"], site_state["indicators"]
    return bool(
        run["state"] == "computed"
        and run["computed"]
        and run["scores"] == units * indicators
        and run["units_scored"]
        and run["results"] == units
        and run["units_ranked"]
        and run["audited"] == 1
    )


def _broken(site_state: dict[str, Any]) -> list[str]:
    """The runs that are not whole, with what they hold."""
    return [
        f"{r['period']} v{r['version']} {r['state']}: {r['scores']} scores, "
        f"{r['results']} results, {r['audited']} audit entries"
        for r in site_state["runs"]
        if not _whole(site_state, r)
    ]


def _design_share(code: str) -> float:
    """The patrol share the events give the village of ``code`` (-1: no events)."""
    if not code.startswith("513401101") or int(code[9:]) < 300:
        return -1.0
    i = int(code[9:]) - 300
    events = 1 + i % 4
    return ((i // 4) % (events + 1)) / events


def test_assess_killed_inside_a_month_leaves_whole_months_and_reruns_cleanly(site: Site) -> None:
    imported = site.query(
        SEED.format(
            villages=VILLAGES,
            months=MONTHS,
            category=site.seeded["category"],
            csv=str(site.data_dir / "events.csv"),
            scheme=SCHEME,
        )
    )
    assert imported == sum(1 + i % 4 for i in range(VILLAGES)) * len(MONTHS)
    command = ("assess", "--scheme", SCHEME, "--period", MONTHS[-1], "--all-months", "--quiet")
    inspect = INSPECT.format(scheme=SCHEME)

    proc = site.command(*command)
    try:
        _kill_inside_a_month(site, proc)
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL

    # Given the kill: the months before it are whole, the month being computed left nothing.
    after_kill = site.query(inspect)
    runs = after_kill["runs"]
    done = len(runs)
    assert 2 <= done < len(MONTHS)
    assert [(r["period"], r["version"]) for r in runs] == [(m, 1) for m in MONTHS[:done]]
    assert _broken(after_kill) == []
    assert after_kill["units"] == VILLAGES + 1  # and 礼州村 of the seed, without events
    assert after_kill["orphan_audit"] == []
    assert after_kill["chain_ok"], after_kill["chain"]
    reference = runs[0]["ranking"]  # month 01, computed and committed before the kill
    # the reference is a ranking, not a tie of everyone: the totals follow the patrol share
    by_share = sorted(reference, key=lambda row: -_design_share(row[0]))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(by_share))
    assert len({row[2] for row in reference}) >= 5

    # When the command is run again, as an operator would after the crash.
    out = manage(site.env, *command)
    assert MONTHS[0] in out and MONTHS[-1] in out  # "Computed 10 months: 2025-01 to 2025-10."

    # Then every month has one new whole version, the interrupted month its first, and every
    # version ranks as month 01 did before the kill; the chain still verifies.
    rerun = site.query(inspect)
    versions = [(r["period"], r["version"]) for r in rerun["runs"]]
    assert versions == sorted([(m, 1) for m in MONTHS] + [(m, 2) for m in MONTHS[:done]]), versions
    assert _broken(rerun) == []
    interrupted = next(r for r in rerun["runs"] if r["period"] == MONTHS[done])
    assert interrupted["version"] == 1 and interrupted["ranking"] == reference
    for run in rerun["runs"]:
        assert run["parent"] == (1 if run["version"] == 2 else None)
        assert run["ranking"] == reference, f"{run['period']} v{run['version']}"
    first = {r["period"]: r["fingerprint"] for r in rerun["runs"] if r["version"] == 1}
    for run in rerun["runs"]:
        assert run["fingerprint"] == first[run["period"]]  # same inputs, same fingerprint
    assert rerun["orphan_audit"] == []
    assert rerun["chain_ok"], rerun["chain"]
