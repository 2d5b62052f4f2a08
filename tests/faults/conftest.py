"""Fault tests: the real server (``grassroots serve`` → gunicorn) and the real worker as
subprocesses, killed or cut off from their database while they work.

Each test gets its own ``GRASSROOTS_DATA_DIR`` and database: a copy of a SQLite template
migrated and seeded once per session (migrating takes about a minute here), or, for the
database restart, a throwaway PostgreSQL cluster of its own (test_database_restart.py).
Every process started here is killed in ``finally``; every wait has a deadline.

The seed is the least a report needs: 西昌市 → 礼州镇 → 礼州村 → one grid, a grid worker
of that grid, and a logged-in session of theirs (created in the database, so no request
pays Argon2 for a password).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
GRASSROOTS = str(BIN / "grassroots")
PYTHON = sys.executable

SEED = r"""
import json
import django

django.setup()
from django.test import Client

from grassroots.events.models import Category
from grassroots.events.taxonomy import load_taxonomy
from grassroots.org.models import Membership, Unit, UnitKind, User

def unit(code, name, kind, parent=None):
    return Unit.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent}
    )[0]

city = unit("513401", "西昌市", UnitKind.COUNTY)
township = unit("513401101", "礼州镇", UnitKind.TOWNSHIP, city)
village = unit("513401101201", "礼州村", UnitKind.VILLAGE, township)
grid = unit("513401101201001", "礼州村第1网格", UnitKind.GRID, village)
user = User.objects.filter(username="fault_worker").first()
if user is None:
    user = User.objects.create_user(username="fault_worker", password=None, full_name="阿衣")
    Membership.objects.create(user=user, unit=grid, role="grid_worker")
if not Category.objects.exists():
    load_taxonomy(update=False)
category = next(
    c for c in Category.objects.active().filter(parent__isnull=False).order_by("code")
    if not c.attributes
)
client = Client()
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
print(json.dumps({
    "session": client.cookies["sessionid"].value,
    "category": category.code,
    "category_name": category.name,
    "grid": grid.code,
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fault_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a subprocess: this data directory and database only (none of the
    caller's GRASSROOTS_* settings), the queue in the data directory, quiet logs."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRASSROOTS_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        GRASSROOTS_DATA_DIR=str(data_dir),
        GRASSROOTS_ACCESS_LOG="0",
        GRASSROOTS_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="grassroots.settings",
    )
    if database_url:
        env["GRASSROOTS_DATABASE_URL"] = database_url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 240) -> str:
    """``grassroots <args>`` to completion; its standard output (fails the test on error)."""
    done = subprocess.run(  # noqa: S603 -- our own console script
        [GRASSROOTS, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"grassroots {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seed(env: dict[str, str]) -> dict[str, str]:
    """Create (once) the units, the grid worker and a session; the session key and codes."""
    done = subprocess.run(  # noqa: S603 -- this interpreter
        [PYTHON, "-c", SEED], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"seeding failed:\n{done.stderr}")
    seeded: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


def stop(proc: subprocess.Popen[Any] | None, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group of ``proc`` (gunicorn's workers too) and reap it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class Site:
    """A data directory with its database and seed; starts servers and workers on it."""

    data_dir: Path
    env: dict[str, str]
    seeded: dict[str, str]
    procs: list[subprocess.Popen[Any]] = field(default_factory=list)

    def _spawn(self, args: list[str], log: str, env: dict[str, str] | None = None) -> Any:
        out = (self.data_dir / log).open("ab")
        proc = subprocess.Popen(  # noqa: S603 -- our own console script
            args,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches its children
        )
        out.close()
        self.procs.append(proc)
        return proc

    def serve(self, port: int, *, workers: int = 1, threads: int = 6) -> subprocess.Popen[Any]:
        """``grassroots serve`` on 127.0.0.1:port, waited for until /healthz answers 200."""
        proc = self._spawn(
            [
                GRASSROOTS,
                "serve",
                "--no-collectstatic",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
            ],
            "serve.log",
        )
        wait_healthy(f"http://127.0.0.1:{port}", proc, self.data_dir / "serve.log")
        return proc

    def worker(self, *args: str) -> subprocess.Popen[Any]:
        """``grassroots worker`` (one process, threads), not waited for."""
        proc: subprocess.Popen[Any] = self._spawn([GRASSROOTS, "worker", *args], "worker.log")
        return proc

    def command(self, *args: str) -> subprocess.Popen[Any]:
        """Any ``grassroots`` command, running in the background."""
        proc: subprocess.Popen[Any] = self._spawn([GRASSROOTS, *args], "command.log")
        return proc

    def log(self, name: str) -> str:
        path = self.data_dir / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def query(self, script: str) -> Any:
        """Run ``script`` (Django set up; it sets ``result``) in a fresh process; the result
        as JSON data."""
        code = (
            "import json, django\ndjango.setup()\nresult = None\n"
            + script
            + "\nprint(json.dumps(result, default=str))\n"
        )
        done = subprocess.run(  # noqa: S603 -- this interpreter
            [PYTHON, "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"query failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        for proc in self.procs:
            stop(proc)


def wait_healthy(base: str, proc: subprocess.Popen[Any] | None, log: Path, timeout: float = 150):
    """Until ``base``/healthz answers 200; fails with the log when the process ends or the
    deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the server ended ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=30) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    pytest.fail(f"{base}/healthz did not answer 200 in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def copy_data_dir(source: Path, target: Path) -> None:
    for name in ("grassroots.sqlite3", "grassroots.sqlite3-wal", "secret_key", "field_key"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    (target / "static").mkdir(exist_ok=True)


def _checkpoint(database: Path) -> None:
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A data directory with a migrated, seeded SQLite database. Migrating from nothing
    takes one to three minutes on a busy machine, so the migrated database is kept in the
    system's temp directory and the next run only applies the migrations added since (or
    starts again from nothing when that fails)."""
    cache = Path(tempfile.gettempdir()) / "grassroots-faults-migrated.sqlite3"
    path = tmp_path_factory.mktemp("faults-seeded")
    env = fault_env(path)
    migrated = False
    if cache.exists():
        shutil.copy2(cache, path / "grassroots.sqlite3")
        done = subprocess.run(  # noqa: S603 -- our own console script
            [GRASSROOTS, "migrate", "--verbosity=0"],
            env=env,
            capture_output=True,
            timeout=240,
            check=False,
        )
        migrated = done.returncode == 0
    if not migrated:
        (path / "grassroots.sqlite3").unlink(missing_ok=True)
        manage(env, "migrate", "--verbosity=0")
    _checkpoint(path / "grassroots.sqlite3")
    with contextlib.suppress(OSError):
        shutil.copy2(path / "grassroots.sqlite3", f"{cache}.part")
        Path(f"{cache}.part").rename(cache)
    seeded = seed(env)
    _checkpoint(path / "grassroots.sqlite3")
    return path, seeded


@pytest.fixture
def site(sqlite_template: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Site]:
    """This test's own copy of the template: data directory, database, session."""
    template, seeded = sqlite_template
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    copy_data_dir(template, data_dir)
    site = Site(data_dir=data_dir, env=fault_env(data_dir), seeded=seeded)
    try:
        yield site
    finally:
        site.close()


def post_json(
    url: str, body: dict[str, Any], *, session: str, key: str | None = None, timeout: float = 15
) -> tuple[int, dict[str, str], bytes]:
    """POST JSON with the session cookie and a CSRF token; (status, headers, body).

    Raises OSError when no answer came (refused, reset, timed out)."""
    token = "f" * 32
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": f"sessionid={session}; csrftoken={token}",
        "X-CSRFToken": token,
        "Referer": url,
    }
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(  # noqa: S310 -- http to our own server
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
