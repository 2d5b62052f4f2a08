"""gunicorn's settings for ``grassroots serve`` (read by gunicorn itself, as ``-c``).

Every value comes from the environment ``grassroots serve`` prepared, so the command line
and a systemd unit that runs gunicorn directly behave the same.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def default_workers() -> int:
    """Two processes a core plus one, gunicorn's own advice, capped for small machines'
    memory: each process holds the whole application (about 150 MB)."""
    return min(multiprocessing.cpu_count() * 2 + 1, 17)


wsgi_app = "grassroots.wsgi:application"
bind = os.environ.get("GRASSROOTS_BIND", "127.0.0.1:8000").split(",")
workers = _int("GRASSROOTS_WEB_WORKERS", default_workers())
worker_class = "gthread"
threads = _int("GRASSROOTS_WEB_THREADS", 4)
# A request longer than this is killed (a report that slow belongs on the worker).
timeout = _int("GRASSROOTS_WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle a process now and then, so a slow leak cannot grow for months.
max_requests = _int("GRASSROOTS_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# The reverse proxy on this machine is trusted for X-Forwarded-For / -Proto.
forwarded_allow_ips = os.environ.get("GRASSROOTS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-" if os.environ.get("GRASSROOTS_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'
proc_name = "grassroots"


class GrassrootsLogger(Logger):
    """gunicorn's own lines (access and errors) masked like the application's, and as JSON
    when ``GRASSROOTS_LOG_FORMAT=json``, the access line then carrying the request id."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from grassroots.common.logs import JsonFormatter, MaskingFilter

        json_lines = os.environ.get("GRASSROOTS_LOG_FORMAT", "text").strip().lower() == "json"
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskingFilter())
                if json_lines:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        from grassroots.common.logs import request_id_var

        request_id = next(
            (v for k, v in getattr(resp, "headers", ()) if k.lower() == "x-request-id"), ""
        )
        token = request_id_var.set(request_id)
        try:
            super().access(resp, req, environ, request_time)
        finally:
            request_id_var.reset(token)


logger_class = GrassrootsLogger


def child_exit(server: Any, worker: Any) -> None:
    """A worker's live metrics die with it (``common.prometheus``: multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


# gunicorn 27's control socket would sit in the service user's home; nothing here uses it.
control_socket_disable = True
