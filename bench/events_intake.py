"""Single-event intake over HTTP (bench "events.intake"): REST and Open311 POSTs.

A throwaway PostgreSQL database (``grassroots_bench_intake``, created and dropped here, on
the server of GRASSROOTS_DATABASE_URL or 127.0.0.1:5432) gets the demo city with its 12
months of events (``seed --scale city``), an Open311 key and a session of the demo's
``city_admin``. gunicorn serves it (``gunicorn grassroots.wsgi -w 2 -k gthread --threads
2`` by default — of the three set-ups tried on these two cores shared with PostgreSQL, the one
with the best ratios; ``GRASSROOTS_BENCH_INTAKE_GUNICORN`` to try others; the same server for
all three endpoints) with the product's settings plus one bench-only URL
(``bench/_intake_settings.py``, ``bench/_intake_urls.py``): a bare Django view that inserts
one row, the ceiling the intake is compared with.

The load comes over loopback from ``wrk`` (Debian's package, two threads, a Lua script of
4,000 prepared bodies; C, so that the load takes little of the two cores) when it is
installed, else from this process (threads with ``http.client``; then the load generator
competes with the server for the cores and every figure is lower):
``CONCURRENCY`` keep-alive connections, each sending its next request when the previous
answer arrives, for ``DURATION`` seconds after a warm-up. Measured for each endpoint in
the same run:

- bare: ``POST /bench/bare/`` (one INSERT);
- REST: ``POST /api/v1/events/`` (JSON, session + CSRF, an ``Idempotency-Key`` as the
  mobile pages send, a position inside a random grid, a random category);
- Open311: ``POST /open311/v2/requests.json`` (form-encoded, ``api_key``, lat/long, a
  public category);

each: requests/s (target ≥ 1,000), p50/p95/p99 latency (p99 target ≤ 30 ms), error
rate (target 0: anything but 201 — or 200 for Open311, as GeoReport v2 answers), and the
ratio to the bare view (target ≥ 0.4).
Environment: GRASSROOTS_BENCH_INTAKE_SECONDS (default 10), GRASSROOTS_BENCH_INTAKE_CONCURRENCY
(default 8), GRASSROOTS_BENCH_INTAKE_MONTHS (event history of the city, default 12).

Run from the repository: ``.venv/bin/python bench/events_intake.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import REPO, emit, postgres_admin_url, with_database
from _common import run_grassroots as grassroots

BENCH = "events.intake"
BENCH_DB = "grassroots_bench_intake"
DURATION = float(os.environ.get("GRASSROOTS_BENCH_INTAKE_SECONDS", "10"))
WARMUP = 3.0
CONCURRENCY = int(os.environ.get("GRASSROOTS_BENCH_INTAKE_CONCURRENCY", "8"))
MONTHS = os.environ.get("GRASSROOTS_BENCH_INTAKE_MONTHS", "12")
RATE_TARGET = 1000.0
P99_TARGET_MS = 30.0
RATIO_TARGET = 0.4
GUNICORN = os.environ.get("GRASSROOTS_BENCH_INTAKE_GUNICORN", "-w 2 -k gthread --threads 2").split()
#: The load generator: wrk when installed (Debian's package; C, so that the load takes
#: little of the two cores), else this process's threads.
WRK = shutil.which("wrk") is not None and os.environ.get("GRASSROOTS_BENCH_INTAKE_LOAD") != "python"

#: The bare view's table (see _intake_urls.py).
TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_bare "
    "(id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, body text NOT NULL)"
)
SETUP_SCRIPT = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from grassroots.events.models import Category
from grassroots.org.models import Unit, User
connection.cursor().execute(%r)
user = User.objects.get(username="city_admin")
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
leaves = [
    c for c in Category.objects.filter(active=True, children__isnull=True)
    if not any(a.get("required") for a in c.attributes)
]
print(json.dumps({
    "session": store.session_key,
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "categories": [c.code for c in leaves],
    "public": [c.code for c in leaves if c.public],
    "grids": list(
        Unit.objects.filter(kind="grid").order_by("code").values_list("geometry", flat=True)
    ),
}))
"""


def base_env(data_dir: str, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = data_dir
    env["GRASSROOTS_SECRET_KEY"] = "bench-not-secret"  # noqa: S105 - throwaway database
    env["GRASSROOTS_QUEUE_IMMEDIATE"] = "0"
    env["GRASSROOTS_DATABASE_URL"] = url
    env["GRASSROOTS_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["GRASSROOTS_DEBUG"] = "0"
    return env


# --- the load generator -----------------------------------------------------------------


@dataclass
class Target:
    """One endpoint: path, headers, and a function making the n-th body."""

    name: str
    path: str
    headers: dict[str, str]
    body: Any  # Callable[[int], bytes]
    fresh_key: bool = False  # a new Idempotency-Key per request
    ok: tuple[int, ...] = (201,)  # the answers that count as success


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    sample_error: str = ""


def _worker(port: int, target: Target, start: float, stop: float, seed: int, out: Result) -> None:
    rng = random.Random(seed)
    conn: http.client.HTTPConnection | None = None
    n = seed * 1_000_000
    while True:
        now = time.perf_counter()
        if now >= stop:
            break
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = dict(target.headers)
        if target.fresh_key:
            headers["Idempotency-Key"] = uuid.UUID(int=rng.getrandbits(128)).hex
        n += 1
        body = target.body(n, rng)
        began = time.perf_counter()
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = None
            status, data = 0, str(exc).encode()
        ended = time.perf_counter()
        if began < start:
            continue  # warm-up
        out.statuses[status] = out.statuses.get(status, 0) + 1
        if status in target.ok:
            out.latencies.append(ended - began)
        else:
            out.errors += 1
            if not out.sample_error:
                out.sample_error = f"{status}: {data[:300]!r}"
    if conn is not None:
        conn.close()


WRK_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {%(headers)s}
local fresh_key = %(fresh_key)s
local id, n = 0, 0
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  n = id * 7919
end
function request()
  n = n + 1
  if fresh_key then
    headers["Idempotency-Key"] = string.format("%(nonce)s-%%d-%%d", id, n)
  end
  return wrk.format("POST", "%(path)s", headers, bodies[(n %% #bodies) + 1])
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "non2xx": %%d, "socket": %%d, '
    .. '"p50": %%.3f, "p95": %%.3f, "p99": %%.3f}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""
WRK_BODIES = 4000


def _lua(text: str) -> str:
    """A Lua long-bracket string holding ``text``."""
    level = "=" * 4
    if f"]{level}]" in text:
        raise ValueError("body holds the closing bracket")
    return f"[{level}[{text}]{level}]"


def wrk_load(port: int, target: Target, tmp: Path) -> dict[str, float]:
    """Run the load on one target with wrk (C, two threads): the figures, as ``load``."""
    rng = random.Random(7)
    bodies = [target.body(i, rng).decode("utf-8") for i in range(WRK_BODIES)]
    headers = {k: v for k, v in target.headers.items() if k != "Idempotency-Key"}
    script = tmp / f"{target.name}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "bodies": ",\n".join(_lua(b) for b in bodies),
            "headers": ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in headers.items()),
            "fresh_key": "true" if target.fresh_key else "false",
            "nonce": uuid.uuid4().hex[:12],
            "path": target.path,
        },
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}"
    base = ["wrk", "-t", "2", "-c", str(CONCURRENCY), "-s", str(script), "--timeout", "10s"]
    subprocess.run(  # noqa: S603 - wrk from the system, fixed arguments
        [*base, "-d", f"{WARMUP:g}s", url], capture_output=True, check=True
    )
    done = subprocess.run(  # noqa: S603
        [*base, "-d", f"{DURATION:g}s", url], capture_output=True, check=True, text=True
    )
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line)
    seconds = raw["duration_us"] / 1e6
    errors = raw["non2xx"] + raw["socket"]
    total = raw["requests"]
    if errors:
        sys.stderr.write(f"{target.name}: {errors} of {total} requests failed\n")
    return {
        "rate": (total - raw["non2xx"]) / seconds,
        "p50": raw["p50"],
        "p95": raw["p95"],
        "p99": raw["p99"],
        "error_rate": errors / total if total else 1.0,
        "requests": float(total),
        "client_cpu_s": float("nan"),
    }


def load(port: int, target: Target) -> dict[str, float]:
    """Run the load on one target; its figures."""
    began = time.perf_counter()
    start, stop = began + WARMUP, began + WARMUP + DURATION
    results = [Result() for _ in range(CONCURRENCY)]
    threads = [
        threading.Thread(target=_worker, args=(port, target, start, stop, i + 1, results[i]))
        for i in range(CONCURRENCY)
    ]
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu
    latencies = sorted(x for r in results for x in r.latencies)
    errors = sum(r.errors for r in results)
    total = len(latencies) + errors
    sample = next((r.sample_error for r in results if r.sample_error), "")
    if sample:
        sys.stderr.write(f"{target.name}: first error {sample}\n")

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rate": len(latencies) / DURATION,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "error_rate": errors / total if total else 1.0,
        "requests": float(total),
        "client_cpu_s": cpu,
    }


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(env)
    env["DJANGO_SETTINGS_MODULE"] = "_intake_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "bench"), env.get("PYTHONPATH", "")])
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "grassroots.wsgi", *GUNICORN, "-b", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - gunicorn of this virtualenv, fixed arguments
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


# --- the requests -------------------------------------------------------------------------


def points_in(
    grids: list[dict[str, Any]], count: int, rng: random.Random
) -> list[tuple[float, float]]:
    """``count`` (lon, lat) inside random grids."""
    from shapely.geometry import Point, shape

    shapes = [shape(g) for g in grids]
    points = []
    while len(points) < count:
        s = shapes[rng.randrange(len(shapes))]
        minx, miny, maxx, maxy = s.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if s.contains(Point(x, y)):
            points.append((x, y))
    return points


def targets(setup: dict[str, Any], api_key: str) -> list[Target]:
    rng = random.Random(2026)
    points = points_in(setup["grids"], 5000, rng)
    categories, public = setup["categories"], setup["public"]
    csrf = "b" * 32
    cookie = f"{setup['session_cookie']}={setup['session']}; csrftoken={csrf}"

    def rest(n: int, r: random.Random) -> bytes:
        lon, lat = points[n % len(points)]
        return json.dumps(
            {
                "category": categories[r.randrange(len(categories))],
                "title": "路边堆放建筑垃圾",
                "description": f"巡查发现堆放建筑垃圾 {n}",
                "source": "patrol",
                "lat": lat,
                "lon": lon,
            }
        ).encode()

    def open311(n: int, r: random.Random) -> bytes:
        lon, lat = points[(n * 7) % len(points)]
        return urllib.parse.urlencode(
            {
                "api_key": api_key,
                "service_code": public[r.randrange(len(public))],
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": f"小区门口垃圾桶已满两天无人清运 {n}",
                "first_name": "吉克",
                "phone": f"139{n % 100_000_000:08d}",
            }
        ).encode()

    def bare(n: int, r: random.Random) -> bytes:
        return f'{{"n": {n}}}'.encode()

    return [
        Target("bare", "/bench/bare/", {"Content-Type": "application/json"}, bare),
        Target(
            "rest",
            "/api/v1/events/",
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Cookie": cookie,
                "X-CSRFToken": csrf,
            },
            rest,
            fresh_key=True,
        ),
        Target(
            "open311",
            "/open311/v2/requests.json",
            {"Content-Type": "application/x-www-form-urlencoded"},
            open311,
            ok=(200, 201),  # GeoReport v2 answers the created request with 200
        ),
    ]


def report(figures: dict[str, dict[str, float]]) -> None:
    bare = figures["bare"]["rate"]
    extra = {
        "db": "postgresql",
        "scale": "city",
        "server": "gunicorn " + " ".join(GUNICORN),
        "concurrency": CONCURRENCY,
        "load": "wrk -t 2" if WRK else "python threads",
    }
    emit(
        BENCH,
        "bare_requests_per_s",
        bare,
        "req/s",
        p99_ms=round(figures["bare"]["p99"], 2),
        client_cpu_s=round(figures["bare"]["client_cpu_s"], 2),
        **extra,
    )
    for name in ("rest", "open311"):
        f = figures[name]
        detail = {
            "endpoint": name,
            "requests": int(f["requests"]),
            "client_cpu_s": round(f["client_cpu_s"], 2),
            **extra,
        }
        emit(BENCH, "requests_per_s", f["rate"], "req/s", target=f">= {RATE_TARGET:g}",
             ok=f["rate"] >= RATE_TARGET, **detail)  # fmt: skip
        emit(BENCH, "p50_ms", f["p50"], "ms", **detail)
        emit(BENCH, "p95_ms", f["p95"], "ms", **detail)
        emit(BENCH, "p99_ms", f["p99"], "ms", target=f"<= {P99_TARGET_MS:g}",
             ok=f["p99"] <= P99_TARGET_MS, **detail)  # fmt: skip
        emit(BENCH, "error_rate", f["error_rate"], "share", target="== 0",
             ok=f["error_rate"] == 0, **detail)  # fmt: skip
        ratio = f["rate"] / bare if bare else 0.0
        emit(BENCH, "ratio_to_bare", ratio, "x", target=f">= {RATIO_TARGET:g}",
             ok=ratio >= RATIO_TARGET, **detail)  # fmt: skip


def main() -> None:
    import psycopg

    admin_url = postgres_admin_url()
    if admin_url is None:
        raise SystemExit("no PostgreSQL server: the intake benchmark needs one")
    with (
        tempfile.TemporaryDirectory(prefix="grassroots-bench-intake-") as tmp,
        psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as admin,
    ):
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        server = None
        try:
            env = base_env(tmp, with_database(admin_url, BENCH_DB))
            grassroots(["migrate", "--verbosity", "0"], env)
            grassroots(["seed", "--scale", "city", "--months", MONTHS, "--quiet"], env)
            out = grassroots(["shell", "--verbosity", "0", "-c", SETUP_SCRIPT % TABLE_SQL], env)
            setup = json.loads(out.strip().splitlines()[-1])
            key_out = grassroots(["open311-key", "create", "bench"], env)
            api_key = max(key_out.split(), key=len)
            port = free_port()
            server = start_gunicorn(env, port, Path(tmp) / "gunicorn.log")
            if WRK:
                figures = {t.name: wrk_load(port, t, Path(tmp)) for t in targets(setup, api_key)}
            else:
                figures = {t.name: load(port, t) for t in targets(setup, api_key)}
        finally:
            if server is not None:
                stop_gunicorn(server)
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    report(figures)


if __name__ == "__main__":
    main()
