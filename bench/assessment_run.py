"""A monthly assessment run (月考) at city and province scale (bench "assessment.run").

- city, SQLite: the demo city (``seed --scale city``: 25 townships, 174 villages and
  communities, 12 months of events, ~48,000) in a fresh temporary database; a village
  scheme of 20 metric indicators (every event metric and the supervision metrics: 15 base
  indicators adding up to 100, deductions, a bonus, a veto) and the same for the
  townships; ``compute_run`` for the last whole month — target ≤ 5 s for the villages.
- province, PostgreSQL: 四川省 (3,111 townships, 34,412 villages and communities) and
  10,000,000 events over 12 months (``_assessment_data``: cached between runs; generating
  is not measured); ``compute_run`` of the village scheme for the last whole month before
  the data was generated — targets ≤ 30 s and ≤ 1.5 GB peak memory (the measuring
  process's peak RSS) — and, in the same process, one hand-written single-pass ``GROUP BY``
  over the events with a ``FILTER`` clause per figure computing the same event counts
  (checked equal), and the ratio of the run's metric phase (``compute_many``, timed inside
  the run) to it — target ≤ 3. Skipped, with a line saying why, without PostgreSQL.
- at both scales, as an extra figure without a target, the demo's own village scheme
  (``grassroots.demo.assessment_schemes.build_schemes``: 17 indicators, two rating forms,
  funnel significance), created below the city or the province when missing.

Each measured run commits (deferred foreign-key checks included) and is deleted afterwards,
so the cached database does not grow. Every
figure is the best of GRASSROOTS_BENCH_ASSESS_REPEATS (default 2) runs. The scale parts
run in child processes of their own (``--part city|province``); GRASSROOTS_BENCH_ASSESS_SCALES
picks them (default ``city,province``).

Run from the repository: ``.venv/bin/python bench/assessment_run.py [--fresh]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

from _common import REPO, emit, peak_rss_mb, postgres_admin_url

BENCH = "assessment.run"
REPEATS = int(os.environ.get("GRASSROOTS_BENCH_ASSESS_REPEATS", "2"))
CITY_TARGET_S = 5.0
PROVINCE_TARGET_S = 30.0
PROVINCE_TARGET_MB = 1536.0
RATIO_TARGET = 3.0

RANGE, LINEAR, RANK, PER_ITEM, BONUS, VETO = (
    "range_linear", "linear_completion", "rank_points", "per_item_deduction", "capped_bonus",
    "veto",
)  # fmt: skip
UP, DOWN = "higher", "lower"


def span(floor: int, target: int) -> dict[str, Any]:
    return {"floor": floor, "target": target}


def per_item(points: str, cap: int) -> dict[str, Any]:
    return {"per_item": points, "cap": cap}


# (metric, category, weight, rule, params, direction): 15 base indicators (100 points),
# three deductions, a bonus and a veto
INDICATORS: list[tuple[str, str, str, str, dict[str, Any], str]] = [
    ("events.acceptance_rate", "common", "5", RANGE, span(80, 100), UP),
    ("events.dispatch_accuracy", "common", "5", RANGE, span(80, 100), UP),
    ("events.on_time_handling_rate", "common", "10", RANGE, span(60, 100), UP),
    ("events.close_rate", "common", "10", LINEAR, {"target": 100}, UP),
    ("events.on_time_close_rate", "common", "10", RANGE, span(50, 95), UP),
    ("events.rework_rate", "common", "5", RANGE, span(20, 0), DOWN),
    ("events.hotline_response_rate", "common", "5", RANGE, span(60, 100), UP),
    ("events.hotline_resolution_rate", "common", "5", RANGE, span(60, 100), UP),
    ("events.hotline_satisfaction_rate", "satisfaction", "5", RANGE, span(50, 95), UP),
    ("events.satisfaction_rate", "satisfaction", "10", RANGE, span(50, 95), UP),
    ("events.patrol_share", "specific", "5", RANK, {}, UP),
    ("events.median_close_hours", "common", "5", RANGE, span(240, 24), DOWN),
    ("events.weekly_one_thing_coverage", "specific", "5", RANGE, span(0, 100), UP),
    ("supervision.completed_on_time_rate", "common", "10", RANGE, span(60, 100), UP),
    ("supervision.progress_vs_plan", "common", "5", LINEAR, {"target": 100}, UP),
    ("events.overdue_count", "deduction", "0", PER_ITEM, per_item("0.2", 5), DOWN),
    ("supervision.overdue_days", "deduction", "0", PER_ITEM, per_item("0.1", 3), DOWN),
    ("supervision.urge_count", "deduction", "0", PER_ITEM, per_item("0.5", 2), DOWN),
    ("supervision.livelihood_completed", "bonus", "0", BONUS, per_item("0.5", 3), UP),
    ("supervision.overdue_count", "veto", "0", VETO, {"threshold": 10}, DOWN),
]


def log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


# --- the parent: data and child processes ----------------------------------------------------


def passed_on() -> dict[str, str]:
    """This benchmark's own settings, for a child whose environment is otherwise clean."""
    return {k: v for k, v in os.environ.items() if k.startswith("GRASSROOTS_BENCH_ASSESS_")}


def child(part: str, env: dict[str, str]) -> None:
    """Run ``--part PART`` in its own process (its figures go straight to stdout)."""
    done = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--part", part], cwd=REPO, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the {part} part failed ({done.returncode})")


def city() -> None:
    from seed import base_env, grassroots

    with tempfile.TemporaryDirectory(prefix="grassroots-bench-assess-") as tmp:
        env = base_env(tmp)
        env.update(passed_on())
        grassroots(["migrate", "--verbosity", "0"], env)
        log("seeding the city with 12 months of events")
        grassroots(["seed", "--scale", "city", "--quiet", "--verbosity", "0"], env)
        child("city", env)


def province(fresh: bool) -> None:
    admin_url = postgres_admin_url()
    if admin_url is None:
        reason = "no PostgreSQL server at GRASSROOTS_DATABASE_URL or 127.0.0.1:5432"
        emit(BENCH, "skipped", 0, "", db="postgresql", scale="province", reason=reason)
        return
    import _assessment_data as data
    from events_queue import base_env

    url, rows, complete = data.prepare(admin_url, fresh)
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-assess-") as tmp:
        env = base_env(tmp, url)
        env.update(passed_on())
        env["GRASSROOTS_BENCH_ASSESS_ROWS"] = str(rows)
        env["GRASSROOTS_BENCH_ASSESS_COMPLETE"] = "1" if complete else "0"
        env["GRASSROOTS_BENCH_ASSESS_NOW"] = data.generated_at(url).isoformat()
        child("province", env)


# --- the children: measuring ----------------------------------------------------------------


def last_whole_month(moment: dt.datetime) -> str:
    first = moment.date().replace(day=1)
    before = first - dt.timedelta(days=1)
    return f"{before.year}-{before.month:02d}"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()


def make_scheme(code: str, level: str, root: Any) -> Any:
    """The scheme of the benchmark (20 metric indicators), created through the models."""
    from grassroots.assessment.models import Indicator, Scheme

    scheme, created = Scheme.objects.get_or_create(
        code=code,
        defaults={
            "name": f"基准测试 {code}",
            "year": 2026,
            "level": level,
            "root": root,
            "grade_quota": {"excellent_share": "0.2", "poor_below": "40"},
            "list_rule": {"red_top_n": 3, "black_bottom_n": 3},
            "reward_pool_fen": 100_000_000,
            "reward_params": {"excellent": "1.5", "good": "1.2", "average": "1.0"},
        },
    )
    if created:
        for position, (metric, category, weight, rule, params, direction) in enumerate(INDICATORS):
            indicator = Indicator(
                scheme=scheme,
                code=metric.replace(".", "-").replace("_", "-"),
                name=metric,
                category=category,
                weight=Decimal(weight),
                metric=metric,
                rule=rule,
                params=params,
                direction=direction,
                position=position,
            )
            indicator.full_clean()
            indicator.save()
    return scheme


class PhaseTimer:
    """Times ``compute_many`` inside ``compute_run`` (the run's metric phase)."""

    def __init__(self) -> None:
        from grassroots.assessment.actions import compute

        self.module = compute
        self.original = compute.compute_many
        self.seconds = 0.0

    def __enter__(self) -> PhaseTimer:
        original = self.original

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began

        self.module.compute_many = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.compute_many = self.original  # type: ignore[assignment]


def timed_run(scheme: Any, period: str) -> tuple[float, float, int]:
    """(seconds, metric-phase seconds, results) of one ``compute_run``, committed — its
    rows are deleted afterwards, so that the cached database does not grow."""
    from grassroots.assessment.actions.compute import compute_run
    from grassroots.assessment.models import Result

    with PhaseTimer() as phase:
        began = time.perf_counter()
        run = compute_run(scheme, period, actor=None)
        seconds = time.perf_counter() - began
    results = Result.objects.filter(run=run).count()
    discard(run)
    return seconds, phase.seconds, results


def discard(run: Any) -> None:
    """Delete a measured run and its scores and results (plain SQL: 700,000 rows)."""
    from django.db import connection, transaction

    from grassroots.assessment.models import Result, Run, Score

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Score, Result):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE run_id = %s",  # noqa: S608
                [run.pk],
            )
        cursor.execute(
            f"UPDATE {Run._meta.db_table} SET parent_id = NULL WHERE parent_id = %s",  # noqa: S608
            [run.pk],
        )
        cursor.execute(f"DELETE FROM {Run._meta.db_table} WHERE id = %s", [run.pk])  # noqa: S608


def best_run(scheme: Any, period: str) -> tuple[float, float, int]:
    runs = [timed_run(scheme, period) for _ in range(max(1, REPEATS))]
    return min(runs)


def demo_scheme(root: Any) -> Any | None:
    """The demo's own village scheme (``grassroots.demo.assessment_schemes``: 17 indicators,
    two rating forms, funnel significance) below ``root``, created when missing."""
    try:
        from grassroots.demo.assessment_schemes import build_schemes
    except ImportError:
        return None
    found = [s for s in build_schemes(2026, root=root) if s.level == "village"]
    return found[0] if found else None


def measure_city() -> None:
    setup_django()
    from django.utils import timezone

    from grassroots.events.models import Event
    from grassroots.org.models import Unit, UnitKind

    root = Unit.objects.get(kind=UnitKind.COUNTY, code="513401")
    period = last_whole_month(timezone.localtime())
    extra = {"db": "sqlite", "scale": "city", "period": period, "indicators": len(INDICATORS),
             "events": Event.objects.count()}  # fmt: skip
    for level, target in (("village", CITY_TARGET_S), ("township", None)):
        scheme = make_scheme(f"bench-city-{level}", level, root)
        seconds, phase, results = best_run(scheme, period)
        limits: dict[str, Any] = (
            {"target": f"<= {target:g}", "ok": seconds <= target} if target is not None else {}
        )
        emit(BENCH, "seconds", seconds, "s", level=level, units=results, **limits, **extra)
        emit(BENCH, "metric_phase_seconds", phase, "s", level=level, units=results, **extra)
    demo = demo_scheme(root)
    if demo is not None:
        seconds, phase, results = best_run(demo, period)
        own = {**extra, "indicators": demo.indicators.count()}
        emit(BENCH, "demo_scheme_seconds", seconds, "s", scheme=demo.code, units=results,
             metric_phase_s=round(phase, 3), **own)  # fmt: skip
    emit(BENCH, "peak_rss_mb", peak_rss_mb(), "MB", **extra)


# The hand-written single pass: every event count of the ratio metrics for every village.
HAND_SQL = """
SELECT village_id,
  count(*) FILTER (WHERE rec) AS received,
  count(*) FILTER (WHERE rec AND status <> 'rejected' AND (accepted_at IS NOT NULL
    OR dispatched_at IS NOT NULL OR resolved_at IS NOT NULL OR closed_at IS NOT NULL)) AS taken_on,
  count(*) FILTER (WHERE rec AND source = 'patrol') AS patrol,
  count(*) FILTER (WHERE rec AND source = 'hotline') AS hotline,
  count(*) FILTER (WHERE rec AND source = 'hotline' AND responded_at IS NOT NULL
    AND (respond_by IS NULL OR responded_at <= respond_by)) AS hotline_answered,
  count(*) FILTER (WHERE rec AND source = 'hotline'
    AND status IN ('resolved', 'verified', 'closed')) AS hotline_resolved,
  count(*) FILTER (WHERE disp) AS dispatched,
  count(*) FILTER (WHERE disp AND return_count > 0) AS returned,
  count(*) FILTER (WHERE due) AS due,
  count(*) FILTER (WHERE due AND coalesce(resolved_at, closed_at) <= resolve_by) AS on_time,
  count(*) FILTER (WHERE due AND status = 'closed') AS closed,
  count(*) FILTER (WHERE due AND status = 'closed' AND closed_at <= resolve_by) AS closed_on_time,
  count(*) FILTER (WHERE due AND rework_count > 0) AS reworked,
  count(*) FILTER (WHERE rated) AS rated,
  count(*) FILTER (WHERE rated AND satisfaction IN ('satisfied', 'basically')) AS satisfied,
  count(*) FILTER (WHERE rated AND source = 'hotline') AS hotline_rated,
  count(*) FILTER (WHERE rated AND source = 'hotline'
    AND satisfaction IN ('satisfied', 'basically')) AS hotline_satisfied
FROM (
  SELECT e.*,
    reported_at >= %(start)s AND reported_at < %(end)s AS rec,
    dispatched_at >= %(start)s AND dispatched_at < %(end)s AS disp,
    resolve_by >= %(start)s AND resolve_by < %(cutoff)s AND status <> 'rejected' AS due,
    rated_at >= %(start)s AND rated_at < %(end)s AND satisfaction <> '' AS rated
  FROM events_event e
  WHERE village_id IS NOT NULL AND (
    (reported_at >= %(start)s AND reported_at < %(end)s)
    OR (dispatched_at >= %(start)s AND dispatched_at < %(end)s)
    OR (resolve_by >= %(start)s AND resolve_by < %(cutoff)s AND status <> 'rejected')
    OR (rated_at >= %(start)s AND rated_at < %(end)s AND satisfaction <> ''))
) e
GROUP BY village_id
"""
# (hand-written column, metric, "denominator" or "numerator"; "due-on_time" for a difference)
HAND_CHECKS = [
    ("received", "events.acceptance_rate", "denominator"),
    ("taken_on", "events.acceptance_rate", "numerator"),
    ("patrol", "events.patrol_share", "numerator"),
    ("hotline", "events.hotline_response_rate", "denominator"),
    ("hotline_answered", "events.hotline_response_rate", "numerator"),
    ("hotline_resolved", "events.hotline_resolution_rate", "numerator"),
    ("dispatched", "events.dispatch_accuracy", "denominator"),
    ("due", "events.close_rate", "denominator"),
    ("on_time", "events.on_time_handling_rate", "numerator"),
    ("closed", "events.close_rate", "numerator"),
    ("closed_on_time", "events.on_time_close_rate", "numerator"),
    ("reworked", "events.rework_rate", "numerator"),
    ("rated", "events.satisfaction_rate", "denominator"),
    ("satisfied", "events.satisfaction_rate", "numerator"),
    ("hotline_rated", "events.hotline_satisfaction_rate", "denominator"),
    ("hotline_satisfied", "events.hotline_satisfaction_rate", "numerator"),
]


def hand_written(period: str) -> tuple[float, dict[int, dict[str, int]]]:
    """(best seconds, {village: {column: count}}) of the hand-written single pass."""
    from django.db import connection
    from django.utils import timezone

    from grassroots.common.metrics import Period

    parsed = Period.parse(period)
    params = {"start": parsed.start, "end": parsed.end, "cutoff": parsed.cutoff(timezone.now())}
    best = float("inf")
    rows: list[Any] = []
    columns: list[str] = []
    for _ in range(max(1, REPEATS)):
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(HAND_SQL, params)
            rows = cursor.fetchall()
            best = min(best, time.perf_counter() - began)
            columns = [c[0] for c in cursor.description]
    return best, {r[0]: dict(zip(columns[1:], r[1:], strict=True)) for r in rows}


def check_same(period: str, hand: dict[int, dict[str, int]], units: list[Any]) -> int:
    """The run's metrics give the hand-written counts (an error otherwise); the number of
    villages with events."""
    from grassroots.common.metrics import Period, compute_many

    names = sorted({m for _c, m, _w in HAND_CHECKS} | {"events.dispatch_accuracy"})
    values = compute_many(names, Period.parse(period), units)
    by_metric = {n: {v.unit_id: v for v in vs} for n, vs in values.items()}
    for unit in units:
        counts = hand.get(unit.pk, {})
        for column, name, which in HAND_CHECKS:
            got = getattr(by_metric[name][unit.pk], which) or 0
            if got != counts.get(column, 0):
                raise SystemExit(f"{name} {which} of unit {unit.pk}: {got} ≠ {column} {counts}")
        returned = by_metric["events.dispatch_accuracy"][unit.pk]
        if (returned.denominator or 0) - (returned.numerator or 0) != counts.get("returned", 0):
            raise SystemExit(f"dispatch_accuracy of unit {unit.pk} ≠ returned {counts}")
    return len(hand)


def measure_province() -> None:
    setup_django()
    from grassroots.assessment.actions.compute import units_in_scope
    from grassroots.org.models import Unit, UnitKind

    now = dt.datetime.fromisoformat(os.environ["GRASSROOTS_BENCH_ASSESS_NOW"])
    period = last_whole_month(now.astimezone(dt.timezone(dt.timedelta(hours=8))))
    complete = os.environ.get("GRASSROOTS_BENCH_ASSESS_COMPLETE") == "1"
    root = Unit.objects.get(kind=UnitKind.PROVINCE)
    scheme = make_scheme("bench-province-village", "village", root)
    units = units_in_scope(scheme)
    extra = {"db": "postgresql", "scale": "province", "period": period,
             "indicators": len(INDICATORS), "units": len(units), "complete": complete,
             "events": int(os.environ.get("GRASSROOTS_BENCH_ASSESS_ROWS", "0"))}  # fmt: skip
    log("hand-written single pass (warms the cache)")
    hand_seconds, hand = hand_written(period)
    log("checking that the metrics give the same counts")
    villages = check_same(period, hand, units)
    log(f"compute_run × {REPEATS}")
    seconds, phase, results = best_run(scheme, period)
    peak = peak_rss_mb()
    ratio = phase / hand_seconds
    emit(BENCH, "seconds", seconds, "s", target=f"<= {PROVINCE_TARGET_S:g}",
         ok=complete and seconds <= PROVINCE_TARGET_S, results=results, **extra)  # fmt: skip
    emit(BENCH, "peak_rss_mb", peak, "MB", target=f"<= {PROVINCE_TARGET_MB:g}",
         ok=complete and peak <= PROVINCE_TARGET_MB, **extra)  # fmt: skip
    emit(BENCH, "metric_phase_seconds", phase, "s", **extra)
    emit(BENCH, "hand_written_sql_seconds", hand_seconds, "s", villages_with_events=villages,
         **extra)  # fmt: skip
    emit(BENCH, "metric_phase_ratio", ratio, "x", target=f"<= {RATIO_TARGET:g}",
         ok=complete and ratio <= RATIO_TARGET, **extra)  # fmt: skip
    demo = demo_scheme(root)
    if demo is not None:
        log(f"the demo's village scheme {demo.code} × {REPEATS}")
        seconds, phase, results = best_run(demo, period)
        emit(BENCH, "demo_scheme_seconds", seconds, "s", scheme=demo.code, results=results,
             metric_phase_s=round(phase, 3), peak_rss_mb=round(peak_rss_mb(), 1),
             **{**extra, "indicators": demo.indicators.count()})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="regenerate the province database")
    parser.add_argument("--part", choices=["city", "province"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "city":
        measure_city()
        return
    if args.part == "province":
        measure_province()
        return
    scales = os.environ.get("GRASSROOTS_BENCH_ASSESS_SCALES", "city,province").split(",")
    if "city" in scales:
        city()
    if "province" in scales:
        province(args.fresh)


if __name__ == "__main__":
    main()
