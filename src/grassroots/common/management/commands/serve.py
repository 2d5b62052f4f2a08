"""``grassroots serve``: the production web server (gunicorn), after checking the ground.

It refuses to start on a database with unapplied migrations (an upgrade runs ``grassroots
migrate`` first, see docs/operations.md), collects the static files for WhiteNoise, then
replaces itself with gunicorn (``grassroots/gunicorn_conf.py``), so a service manager's
signals reach gunicorn directly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def static_fingerprint() -> str:
    """A digest of the names, sizes and times of the static files the finders see: it
    changes when an upgrade brings new files, and costs a directory walk."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_changed() -> bool:
    """Collect (and compress) the static files unless the collected copy is current: the
    compression takes tens of seconds, too long for every restart."""
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    fingerprint = static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return False
    # clear: collectstatic skips a file whose copy is newer than its source, and an upgrade
    # may install files with the (older) times of the package's build.
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    stamp.write_text(fingerprint)
    return True


def fresh_metrics_dir(configured: str | None) -> Path:
    """The directory of the web processes' metrics files (``common.prometheus``):
    ``PROMETHEUS_MULTIPROC_DIR`` when set, else ``metrics`` in the data directory, emptied
    of its files, so that a previous run's counts are not added to this one's."""
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "metrics"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    return path


class Command(BaseCommand):
    help = "Run the production web server (gunicorn; workers from the CPU count)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="host:port, or unix:/path (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="processes (default 2 × cores + 1)")
        parser.add_argument("--threads", type=int, help="threads a process (default 4)")
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="do not collect the static files first (they were collected at install)",
        )
        parser.add_argument(
            "--check", action="store_true", help="check and print the command, do not start"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"数据库有 {len(pending)} 个未执行的迁移（{', '.join(pending[:3])}…）："
                "请先运行 grassroots migrate。 / The database has unapplied migrations: "
                "run `grassroots migrate` first."
            )
        env = dict(os.environ)
        for option, name in (
            ("bind", "GRASSROOTS_BIND"),
            ("workers", "GRASSROOTS_WEB_WORKERS"),
            ("threads", "GRASSROOTS_WEB_THREADS"),
        ):
            if options[option] is not None:
                env[name] = str(options[option])
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment.")
        from grassroots import gunicorn_conf

        argv = [gunicorn, "-c", gunicorn_conf.__file__]
        if options["check"]:
            self.stdout.write(" ".join(argv))
            return
        if not options["no_collectstatic"]:
            collect_static_if_changed()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(
            fresh_metrics_dir(env.get("PROMETHEUS_MULTIPROC_DIR"))
        )
        sys.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        os.execve(gunicorn, argv, env)  # noqa: S606 -- gunicorn takes over this process
