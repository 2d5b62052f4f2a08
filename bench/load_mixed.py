"""A mixed load on the production server (bench "load.mixed").

The province database of ``bench/_load_data.py`` (四川省: 34,412 villages and communities,
79,015 grids, ``GRASSROOTS_BENCH_LOAD_EVENTS`` events, cached under the name
``grassroots_bench_load`` and copied for each run, the copy dropped at the end) is served by
``grassroots serve`` itself (gunicorn from ``grassroots/gunicorn_conf.py``, 3 processes × 4
threads by default, ``GRASSROOTS_BENCH_LOAD_WEB``="processes,threads"; Redis for the cache
and the queue when one answers on 127.0.0.1:6379, databases 13 and 14, emptied afterwards;
one ``grassroots worker`` beside it, as in production), on loopback only.

Three classes of users, each a closed loop of keep-alive connections from this process's
threads (``http.client``; the load generator shares the two cores with the server, so every
figure is a floor):

- ``report``: grid workers of ``VILLAGES`` villages spread over the province, each posting
  an event in their own grid (``POST /api/v1/events/``, JSON, session + CSRF, a fresh
  ``Idempotency-Key``, as the mobile page does);
- ``queue`` and ``transition``: the villages' cadres (dispatchers) opening their queue
  page (``GET /events/queue/``), listing what waits in it (``GET /api/v1/events/?status=
  reported&assignee=…``) and accepting the oldest (``POST /api/v1/events/{number}/accept/``);
- ``portal``: anonymous visitors reading the public portal (``/public/``, the rankings, the
  red and black lists, the projects, the tolerance notices).

It runs ``GRASSROOTS_BENCH_LOAD_SECONDS`` (default 60; ``--seconds``) after a 5 s warm-up and
prints ONE JSON line: requests/s of all classes together as the value, and for each class its
requests/s, p50/p95/p99 (ms) and error rate (anything but the expected status, or no answer).
Targets: error rate 0 in every class; p95 of the report ≤ 500 ms under this load.

The first preparation of the data (province seed, then the events) takes long — see
``bench/_load_data.py`` and the figure ``prepare_s``; later runs reuse it and take the copy
(tens of seconds), the server's start and the measured minute.

Run from the repository: ``.venv/bin/python bench/load_mixed.py [--seconds 60] [--fresh]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _load_data
from _common import REPO, emit, postgres_admin_url
from _common import run_grassroots as grassroots
from events_intake import free_port, points_in
from events_queue import base_env, log

BENCH = "load.mixed"
RUN_DB = f"{_load_data.BENCH_DB}_run"
SECONDS = float(os.environ.get("GRASSROOTS_BENCH_LOAD_SECONDS", "60"))
WARMUP = 5.0
VILLAGES = 24
WEB = os.environ.get("GRASSROOTS_BENCH_LOAD_WEB", "3,4")
#: Threads of each class (closed loops, no think time).
THREADS = {"report": 4, "dispatch": 2, "portal": 4}
P95_REPORT_TARGET_MS = 500.0
REDIS = ("127.0.0.1", 6379)
REDIS_DBS = (13, 14)
PORTAL_PATHS = [
    "/public/",
    "/public/assessment/",
    "/public/assessment/lists/",
    "/public/projects/",
    "/public/tolerance/",
]

SETUP_SCRIPT = """
import json
import datetime as dt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from grassroots.events.models import Category
from grassroots.org.models import Membership, Role, Unit, User

def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

villages = list(Unit.objects.filter(kind="village").order_by("code").values_list("pk", flat=True))
step = max(1, len(villages) // %(count)d)
chosen = Unit.objects.filter(pk__in=villages[::step][:%(count)d]).order_by("code")
start = dt.date(2020, 1, 1)
people = []
for n, village in enumerate(chosen):
    grid = Unit.objects.filter(parent=village, kind="grid").order_by("code").first()
    if grid is None:
        continue
    worker, _ = User.objects.get_or_create(username=f"bench_grid_{n}")
    cadre, _ = User.objects.get_or_create(username=f"bench_cadre_{n}")
    Membership.objects.get_or_create(user=worker, unit=grid, role=Role.GRID_WORKER,
                                     defaults={"valid_from": start})
    Membership.objects.get_or_create(user=cadre, unit=village, role=Role.VILLAGE_CADRE,
                                     defaults={"valid_from": start})
    people.append({
        "village": village.code, "grid": grid.geometry,
        "worker": session(worker), "cadre": session(cadre),
    })
leaves = [
    c for c in Category.objects.filter(active=True, children__isnull=True)
    if not any(a.get("required") for a in c.attributes)
]
print(json.dumps({
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "categories": [c.code for c in leaves],
    "people": people,
}))
"""


@dataclass
class Tally:
    """One class's answers: latencies of the good ones, the count of the others."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    sample_error: str = ""


class Client:
    """A keep-alive connection to the server, timing each request into the tallies."""

    def __init__(self, port: int, start: float, tallies: dict[str, Tally], lock: Any) -> None:
        self.port, self.start, self.tallies, self.lock = port, start, tallies, lock
        self.conn: http.client.HTTPConnection | None = None

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> bytes | None:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        began = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            status, data = 0, str(exc).encode()
        elapsed = time.perf_counter() - began
        if began >= self.start:  # not in the warm-up
            with self.lock:
                tally = self.tallies[kind]
                if status in ok:
                    tally.latencies.append(elapsed)
                else:
                    tally.errors += 1
                    if not tally.sample_error:
                        tally.sample_error = f"{method} {path} → {status}: {data[:300]!r}"
        return data if status in ok else None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def staff_headers(setup: dict[str, Any], session: str) -> dict[str, str]:
    csrf = "c" * 32
    return {
        "Cookie": f"{setup['session_cookie']}={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Accept": "application/json",
    }


def reporter(client: Client, setup: dict[str, Any], n: int, stop: float) -> None:
    """A grid worker of village n (and n + threads, …): report, report, report."""
    rng = random.Random(n)
    people = setup["people"][n :: THREADS["report"]]
    spots = [points_in([p["grid"]], 50, rng) for p in people]
    categories = setup["categories"]
    i = 0
    while time.perf_counter() < stop:
        k = i % len(people)
        lon, lat = spots[k][i % 50]
        i += 1
        headers = staff_headers(setup, people[k]["worker"])
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = uuid.UUID(int=rng.getrandbits(128)).hex
        body = {
            "category": categories[rng.randrange(len(categories))],
            "title": "路边堆放建筑垃圾",
            "description": f"巡查发现堆放建筑垃圾 {n}-{i}",
            "source": "patrol",
            "lat": lat,
            "lon": lon,
        }
        client.call(
            "report", "POST", "/api/v1/events/", body=json.dumps(body).encode(), headers=headers,
            ok=(201,),
        )  # fmt: skip


def dispatcher(client: Client, setup: dict[str, Any], n: int, stop: float) -> None:
    """The cadres of a share of the villages: open the queue, list, accept the oldest."""
    rng = random.Random(1000 + n)
    people = setup["people"][n :: THREADS["dispatch"]]
    i = 0
    while time.perf_counter() < stop:
        person = people[i % len(people)]
        i += 1
        headers = staff_headers(setup, person["cadre"])
        client.call("queue", "GET", "/events/queue/", headers={**headers, "Accept": "text/html"})
        listing = client.call(
            "queue",
            "GET",
            f"/api/v1/events/?status=reported&assignee={person['village']}&ordering=reported_at",
            headers=headers,
        )
        if listing is None:
            continue
        results = json.loads(listing).get("results") or []
        if not results:
            continue
        number = results[0]["number"]
        post = {**headers, "Content-Type": "application/json"}
        post["Idempotency-Key"] = uuid.UUID(int=rng.getrandbits(128)).hex
        client.call(
            "transition", "POST", f"/api/v1/events/{number}/accept/",
            body=json.dumps({"note": "已受理"}).encode(), headers=post, ok=(200,),
        )  # fmt: skip


def visitor(client: Client, setup: dict[str, Any], n: int, stop: float) -> None:
    """An anonymous reader of the public portal."""
    i = n
    while time.perf_counter() < stop:
        path = PORTAL_PATHS[i % len(PORTAL_PATHS)]
        i += 1
        client.call("portal", "GET", path, headers={"Accept": "text/html"})


def run_load(port: int, setup: dict[str, Any], seconds: float) -> dict[str, Tally]:
    tallies = {k: Tally() for k in ("report", "queue", "transition", "portal")}
    lock = threading.Lock()
    began = time.perf_counter()
    start, stop = began + WARMUP, began + WARMUP + seconds
    roles = [(reporter, "report"), (dispatcher, "dispatch"), (visitor, "portal")]
    clients: list[Client] = []
    threads = []
    for function, role in roles:
        for n in range(THREADS[role]):
            client = Client(port, start, tallies, lock)
            clients.append(client)
            threads.append(threading.Thread(target=function, args=(client, setup, n, stop)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + WARMUP + 60)
    for client in clients:
        client.close()
    return tallies


# --- the server ---------------------------------------------------------------------------


def redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, 1):
            return True
    except OSError:
        return False


def redis_flush() -> None:
    """Empty this bench's two Redis databases (and nothing else)."""
    for db in REDIS_DBS:
        with socket.create_connection(REDIS, 2) as sock:
            sock.sendall(f"SELECT {db}\r\nFLUSHDB\r\nQUIT\r\n".encode())
            sock.recv(1024)


def wait_healthy(port: int, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"grassroots serve stopped; see {log_file}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"grassroots serve did not answer /healthz; see {log_file}")


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def pct(latencies: list[float], p: float) -> float:
    if not latencies:
        return float("nan")
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached database")
    args = parser.parse_args()
    admin_url = postgres_admin_url()
    if admin_url is None:
        raise SystemExit("no PostgreSQL server: the mixed-load benchmark needs one")
    _url, rows, complete, prepare_s = _load_data.prepare(admin_url, fresh=args.fresh)
    processes, threads = (int(x) for x in WEB.split(","))
    shared = redis_up()
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-load-") as tmp:
        try:
            url = _load_data.working_copy(admin_url, RUN_DB)
            env = base_env(tmp, url)
            env["GRASSROOTS_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
            env["GRASSROOTS_ACCESS_LOG"] = "0"
            if shared:
                env["GRASSROOTS_CACHE_URL"] = f"redis://127.0.0.1:6379/{REDIS_DBS[0]}"
                env["GRASSROOTS_QUEUE_URL"] = f"redis://127.0.0.1:6379/{REDIS_DBS[1]}"
                redis_flush()
            grassroots(["migrate", "--verbosity", "0"], env)
            out = grassroots(
                ["shell", "--verbosity", "0", "-c", SETUP_SCRIPT % {"count": VILLAGES}], env
            )
            setup = json.loads(out.strip().splitlines()[-1])
            if not setup["people"]:
                raise SystemExit("the province has no villages with grids")
            port = free_port()
            log_file = Path(tmp) / "serve.log"
            command = [sys.executable, "-m", "grassroots.cli"]
            with log_file.open("wb") as out_file:
                server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                    [*command, "serve", "--no-collectstatic", "--bind", f"127.0.0.1:{port}",
                     "--workers", str(processes), "--threads", str(threads)],
                    cwd=REPO, env=env, stdout=out_file, stderr=subprocess.STDOUT,
                )  # fmt: skip
                worker = subprocess.Popen(  # noqa: S603
                    [*command, "worker", "--no-periodic"],
                    cwd=REPO, env=env, stdout=out_file, stderr=subprocess.STDOUT,
                )  # fmt: skip
            wait_healthy(port, server, log_file)
            log(f"serving on 127.0.0.1:{port}; {args.seconds:g} s of mixed load")
            tallies = run_load(port, setup, args.seconds)
        finally:
            if server is not None:
                stop(server)
            if worker is not None:
                stop(worker, signal.SIGINT)
            _load_data.drop(admin_url, RUN_DB)
            if shared:
                redis_flush()
    classes: dict[str, Any] = {}
    total_ok = total = 0
    for name, tally in tallies.items():
        lat = sorted(tally.latencies)
        count = len(lat) + tally.errors
        total_ok += len(lat)
        total += count
        if tally.sample_error:
            sys.stderr.write(f"{name}: first error {tally.sample_error}\n")
        classes[name] = {
            "requests_per_s": round(len(lat) / args.seconds, 2),
            "p50_ms": round(pct(lat, 0.50), 1),
            "p95_ms": round(pct(lat, 0.95), 1),
            "p99_ms": round(pct(lat, 0.99), 1),
            "error_rate": round(tally.errors / count, 4) if count else None,
            "requests": count,
        }
    errors_ok = all(c["error_rate"] == 0 for c in classes.values())
    report_p95 = classes["report"]["p95_ms"]
    emit(
        BENCH,
        "requests_per_s",
        total_ok / args.seconds,
        "req/s",
        target=f"error rate 0; report p95 <= {P95_REPORT_TARGET_MS:g} ms",
        ok=errors_ok and report_p95 <= P95_REPORT_TARGET_MS and complete,
        error_rate=round((total - total_ok) / total, 4) if total else None,
        classes=classes,
        seconds=args.seconds,
        threads=THREADS,
        villages=len(setup["people"]),
        server=f"grassroots serve --workers {processes} --threads {threads}",
        cache_queue="redis" if shared else "locmem/sqlite",
        load="python threads (http.client, keep-alive)",
        db="postgresql",
        scale=_load_data.SCALE,
        events=rows,
        complete=complete,
        prepare_s=round(prepare_s, 1),
    )


if __name__ == "__main__":
    main()
