"""``grassroots demo``: migrate, seed the 西昌 demo city when empty, serve, run the worker.

One process: the web server in the main thread, the Huey consumer's threads beside it.
Ctrl-C (or SIGTERM) stops the server, then lets the worker finish its current job.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.servers.basehttp import (
    ThreadedWSGIServer,
    WSGIRequestHandler,
    get_internal_wsgi_application,
)
from rich.console import Console
from rich.table import Table


class Command(BaseCommand):
    help = "Migrate, load the demo city if the database is empty, serve the site and the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--seed", type=int, default=2026, help="seed of the demo generator")
        parser.add_argument(
            "--months", type=int, default=12, help="months of event history (default 12)"
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="prepare the database and print the logins, then exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from grassroots.demo.seeding import database_is_empty, seed
        from grassroots.demo.users import DEMO_PASSWORD, demo_logins

        console = Console(stderr=False)
        call_command("migrate", interactive=False, verbosity=0)
        if database_is_empty():
            console.print("正在生成西昌示范城市 (Loading the 西昌 demo city)…")
            seed("city", seed=options["seed"], months=options["months"])
        table = Table(title=f"演示账号 Demo logins — 密码 password: {DEMO_PASSWORD}")
        for col in ("用户名 username", "角色 role", "单位 unit"):
            table.add_column(col)
        for row in demo_logins():
            table.add_row(row["username"], str(row["role"]), str(row["unit"]))
        console.print(table)
        from grassroots.open311.actions import ensure_demo_key

        console.print(f"Open311 演示密钥 demo api_key: {ensure_demo_key()}  (/open311/v2/)")
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"], console)

    def _serve(self, host: str, port: int, console: Console) -> None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            consumer = None
        else:
            consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
            consumer.start()
        if "GRASSROOTS_ADMIN_2FA" not in os.environ:
            # The demo's logins share one published password on this machine only: asking
            # each demo administrator to enrol an authenticator would hide the product.
            settings.ADMIN_TWO_FACTOR = False
            console.print("演示：管理员二次验证已关闭 (demo: administrators' second factor off;")
            console.print("  GRASSROOTS_ADMIN_2FA=1 turns it on)")
        handler = StaticFilesHandler(get_internal_wsgi_application())
        httpd = ThreadedWSGIServer((host, port), WSGIRequestHandler, ipv6=":" in host)
        httpd.daemon_threads = True
        httpd.set_app(handler)

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        console.print(f"[bold]http://{host}:{port}/[/bold]  (Ctrl-C 停止 to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
            if consumer is not None:
                consumer.stop(graceful=True)
            console.print("已停止 Stopped.")
        sys.stdout.flush()
