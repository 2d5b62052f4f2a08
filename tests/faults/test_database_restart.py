"""PostgreSQL stopped and started again under load: while it is gone the site answers 503
with a short message and ``Retry-After`` (never a 500 page), no acknowledged report is lost
or doubled, and within seconds of the restart requests succeed again.

The server is a throwaway cluster of this test's own (``initdb`` on a free port, run as the
``postgres`` OS user when the tests run as root), never the machine's shared one. Its
migrated data directory is kept in the system's temp directory for the next run, as the
SQLite template is (migrating takes minutes on a busy machine).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import (
    Site,
    fault_env,
    free_port,
    manage,
    post_json,
    seed,
)

pytestmark = pytest.mark.slow

PG_BINS = [Path(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
OUTAGE = 4.0  # seconds the server stays down
RECOVERY = 30.0  # seconds within which requests must succeed again


def _pg_bin(name: str) -> str | None:
    for folder in PG_BINS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    assert runuser is not None
    return [runuser, "-u", "postgres", "--", *args]


class Cluster:
    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.pg_ctl = _pg_bin("pg_ctl") or "pg_ctl"
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 -- the server's own pg_ctl
            _as_postgres([self.pg_ctl, "-D", str(self.data), *args]),
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")


def _chown_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")
        for child in path.rglob("*"):
            shutil.chown(child, "postgres")


@pytest.fixture
def pg_site(tmp_path: Path) -> Iterator[tuple[Site, Cluster]]:
    initdb = _pg_bin("initdb")
    if initdb is None or _pg_bin("pg_ctl") is None:
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed")
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("runuser is missing (needed to run PostgreSQL as root)")
        try:
            shutil.chown(tmp_path, "postgres")
        except (LookupError, OSError):
            pytest.skip("no postgres OS user to run the throwaway cluster")
    # pytest's temp folders are closed to other users: the cluster lives beside them.
    root = Path(tempfile.mkdtemp(prefix="grassroots-faults-pg-"))
    _chown_postgres(root)
    data = root / "data"
    cache = Path(tempfile.gettempdir()) / "grassroots-faults-pgdata"
    cluster = Cluster(data, free_port())
    data_dir = tmp_path / "site"
    data_dir.mkdir()
    env = fault_env(data_dir, cluster.url)
    started = False
    site = Site(data_dir=data_dir, env=env, seeded={})
    try:
        fresh = not (cache / "PG_VERSION").exists()
        if fresh:
            subprocess.run(  # noqa: S603 -- the server's own initdb
                _as_postgres(
                    [
                        initdb,
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--no-sync",
                    ]
                ),
                check=True,
                capture_output=True,
                timeout=120,
            )
        else:
            shutil.copytree(cache, data, symlinks=True)
            _chown_postgres(data)
            data.chmod(0o700)
        cluster.start()
        started = True
        manage(env, "migrate", "--verbosity=0", timeout=400)
        # Keep the migrated cluster (stopped, consistent) for the next run.
        cluster.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(f"{cache}.part", ignore_errors=True)
            shutil.copytree(
                data,
                f"{cache}.part",
                symlinks=True,
                ignore=shutil.ignore_patterns("postmaster.pid", "server.log"),
            )
            shutil.rmtree(cache, ignore_errors=True)
            Path(f"{cache}.part").rename(cache)
        cluster.start()
        site.seeded = seed(env)
        yield site, cluster
    finally:
        site.close()
        if started:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _get(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_database_restart_under_load_answers_503_then_recovers(
    pg_site: tuple[Site, Cluster],
) -> None:
    site, cluster = pg_site
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site.serve(port)
    url = f"{base}/api/v1/events/"
    session = site.seeded["session"]
    answers: list[tuple[float, str, int, dict[str, str], bytes]] = []
    acked: dict[str, str] = {}
    lock = threading.Lock()
    stop_load = threading.Event()
    counter = iter(range(10_000))

    def load(name: str) -> None:
        while not stop_load.is_set():
            with lock:
                key = f"pg-{name}-{next(counter):04d}"
            body = {
                "category": site.seeded["category"],
                "title": f"重启测试 {key}",
                "unit": site.seeded["grid"],
            }
            for _attempt in range(200):  # the same key until it is acknowledged
                if stop_load.is_set() and _attempt:
                    break
                try:
                    code, headers, raw = post_json(url, body, session=session, key=key)
                except OSError:
                    time.sleep(0.2)
                    continue
                with lock:
                    answers.append((time.monotonic(), "post", code, headers, raw))
                if code in (200, 201):
                    with lock:
                        acked[key] = json.loads(raw)["number"]
                    break
                time.sleep(0.2)
            try:
                code, headers, raw = _get(f"{base}/healthz")
            except OSError:
                continue
            with lock:
                answers.append((time.monotonic(), "healthz", code, headers, raw))

    threads = [threading.Thread(target=load, args=(str(i),), daemon=True) for i in range(3)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 90
        while len(acked) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(acked) >= 5, "no load before the restart"
        before = len(acked)
        down_at = time.monotonic()
        cluster.stop()
        time.sleep(OUTAGE)
        cluster.start()
        up_at = time.monotonic()
        deadline = up_at + RECOVERY
        while time.monotonic() < deadline:
            with lock:
                recovered = any(
                    t > up_at and kind == "post" and code == 201
                    for t, kind, code, _h, _b in answers
                )
            if recovered:
                break
            time.sleep(0.2)
        recovered_after = time.monotonic() - up_at
    finally:
        stop_load.set()
        for thread in threads:
            thread.join(timeout=30)
    codes = sorted({code for _t, _kind, code, _h, _b in answers})
    errors = [
        (kind, code, raw[:300])
        for _t, kind, code, _h, raw in answers
        if code >= 500 and code != 503
    ]
    assert not errors, f"answers other than 503 while the database was away: {errors}"
    outage = [
        (kind, headers, raw)
        for t, kind, code, headers, raw in answers
        if code == 503 and down_at <= t
    ]
    assert outage, f"no 503 while the database was down (codes seen: {codes})"
    for kind, headers, raw in outage:
        assert b"Traceback" not in raw
        if kind == "post":
            assert headers.get("Retry-After"), headers
            assert "数据库暂时不可用" in json.loads(raw)["detail"]
    assert recovered_after < RECOVERY, f"no report succeeded {RECOVERY:.0f} s after the restart"
    assert len(acked) > before

    stored: dict[str, Any] = site.query(
        "from collections import Counter\n"
        "from grassroots.events.models import Event\n"
        "rows = list(Event.objects.filter(title__startswith='重启测试 ')"
        ".values_list('title', 'number'))\n"
        "result = {'count': Counter(t for t, _n in rows), 'numbers': dict(rows)}\n"
    )
    doubled = {title: n for title, n in stored["count"].items() if n != 1}
    assert not doubled, f"stored more than once: {doubled}"
    for key, number in acked.items():
        assert stored["numbers"].get(f"重启测试 {key}") == number, f"acknowledged {key} lost"


@pytest.mark.parametrize("path", ["/api/v1/events/", "/events/"])
def test_database_errors_of_a_view_answer_503_with_retry_after(path: str) -> None:
    """In process, no server: what the middleware makes of a view's lost connection (and
    that it leaves other errors to the 500 handler)."""
    from django.db import InterfaceError, OperationalError
    from django.test import RequestFactory

    from grassroots.common.dbdown import DatabaseDownMiddleware

    middleware = DatabaseDownMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
    request = RequestFactory().get(path)
    for error in (OperationalError("server closed the connection"), InterfaceError("closed")):
        response = middleware.process_exception(request, error)
        assert response is not None
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert "数据库暂时不可用" in response.content.decode()
    assert middleware.process_exception(request, ValueError("a bug")) is None


class LostDatabaseMiddleware:
    """A middleware that queries the database before any view (as the session's does)
    and finds it gone."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.db import OperationalError

        raise OperationalError("the database system is shutting down")


def test_database_error_in_a_middleware_answers_503(settings: Any) -> None:
    from django.test import Client

    settings.MIDDLEWARE = [
        "grassroots.common.dbdown.DatabaseDownMiddleware",
        "tests.faults.test_database_restart.LostDatabaseMiddleware",
    ]
    client = Client(raise_request_exception=False)
    page = client.get("/events/")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "数据库暂时不可用" in page.content.decode()
    assert b"Traceback" not in page.content
    api = client.get("/api/v1/events/")
    assert api.status_code == 503
    assert api.json()["code"] == "database_unavailable"
