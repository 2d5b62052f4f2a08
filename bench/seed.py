"""The demo city generator (bench "demo.seed"): ``grassroots seed`` into an empty SQLite.

- city: 西昌市 from the shipped xichang.csv (25 townships, 174 villages and communities,
  ~850 grids, departments, logins, the event taxonomy and 12 months of events: ~48,000
  events with ~370,000 timeline lines) — target ≤ 60 s and ≤ 1 GB peak memory; the same
  without the event history (``--months 0``) as an extra figure, no target;
- prefecture: 凉山州 from $GRASSROOTS_SHARED_DATA/divisions (304 townships, 2,377
  villages, ~4,300 grids) — an extra figure, no target; skipped when the files are absent.

Each seed runs as its own ``grassroots`` process in a fresh temporary GRASSROOTS_DATA_DIR;
its peak memory is that child's peak RSS (``os.wait4``'s rusage). GRASSROOTS_BENCH_SCALES
picks the scales (default ``city,prefecture``).

Run from the repository: ``.venv/bin/python bench/seed.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from _common import DIVISIONS, REPO, emit

BENCH = "demo.seed"
TARGETS = {"city": (60.0, 1024.0)}  # seconds, MB
COUNT_SCRIPT = (
    "from grassroots.org.models import Unit; from grassroots.events.models import Event; "
    "print(Unit.objects.filter(kind='grid').count(), Event.objects.count())"
)


def grassroots(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``grassroots ARGS`` as a child process: (seconds, its peak RSS in MB, stdout)."""
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


def base_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = data_dir
    env["GRASSROOTS_SECRET_KEY"] = "bench-not-secret"  # noqa: S105 - throwaway database
    env["GRASSROOTS_QUEUE_IMMEDIATE"] = "0"
    return env


def measure(scale: str, months: int | None = None) -> None:
    """Seed ``scale`` (with its default months of events, or ``months``) and emit."""
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-seed-") as tmp:
        env = base_env(tmp)
        grassroots(["migrate", "--verbosity", "0"], env)
        args = ["seed", "--scale", scale, "--quiet", "--verbosity", "0"]
        if scale in ("prefecture", "province"):
            args += ["--divisions", str(DIVISIONS)]
        if months is not None:
            args += ["--months", str(months)]
        seconds, peak, _ = grassroots(args, env)
        counts = grassroots(["shell", "--verbosity", "0", "-c", COUNT_SCRIPT], env)[2].split()
        grids, events = int(counts[-2]), int(counts[-1])
    extra = {"db": "sqlite", "scale": scale, "grids": grids, "events": events}
    if months is not None:  # the extra figure: no target
        extra["months"] = months
        emit(BENCH, "seconds_without_events" if months == 0 else "seconds", seconds, "s", **extra)
        return
    limits = TARGETS.get(scale)
    if limits is None:
        emit(BENCH, "seconds", seconds, "s", **extra)
        emit(BENCH, "peak_rss_mb", peak, "MB", **extra)
        return
    emit(
        BENCH, "seconds", seconds, "s", target=f"<= {limits[0]:g}", ok=seconds <= limits[0], **extra
    )
    emit(
        BENCH, "peak_rss_mb", peak, "MB", target=f"<= {limits[1]:g}", ok=peak <= limits[1], **extra
    )


def main() -> None:
    scales = os.environ.get("GRASSROOTS_BENCH_SCALES", "city,prefecture").split(",")
    for scale in (s.strip() for s in scales if s.strip()):
        if scale in ("prefecture", "province") and not (DIVISIONS / "villages.csv").is_file():
            continue
        measure(scale)
        if scale == "city":
            measure(scale, months=0)


if __name__ == "__main__":
    main()
