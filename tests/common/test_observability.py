"""Observability as an operator meets it: request ids, JSON log lines with personal data
masked, /metrics (Prometheus) and /healthz."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from grassroots.common.logs import JsonFormatter, mask_personal, request_id_var
from tests.conftest import valid_id_number

ID_NUMBER = valid_id_number("19800101", 12)
PHONE = "13812345678"


# --- a small URL configuration: the site's own, plus two views that log and fail -----------


def _logging_view(request: HttpRequest) -> HttpResponse:
    logging.getLogger("grassroots.test").warning(
        "resident %s called from %s about %s", "张三", PHONE, ID_NUMBER
    )
    return HttpResponse("logged")


def _failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"lookup failed for {ID_NUMBER}")


urlpatterns = [
    path("test-log/", _logging_view, name="test_log"),
    path("test-fail/", _failing_view, name="test_fail"),
    path("", include("grassroots.urls")),
]


@pytest.fixture
def own_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def json_console() -> Iterator[io.StringIO]:
    """What the settings' console handler writes, as JSON lines (its filters stay)."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    old_stream, old_formatter = handler.stream, handler.formatter
    # Assigned, not setStream(): that flushes the old stream, which may be a capture file an
    # earlier test of the suite has closed already.
    handler.stream = buffer
    handler.setFormatter(JsonFormatter())
    try:
        yield buffer
    finally:
        handler.stream = old_stream
        handler.setFormatter(old_formatter)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


# --- request ids ----------------------------------------------------------------------


@pytest.mark.django_db
def test_request_id_is_echoed_generated_and_sanitised(client: Client) -> None:
    given = "nginx-4f2a9c1e0b7d"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    generated = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/healthz")["X-Request-ID"] != generated
    for insane in ("short", "a" * 200, "evil\nInjected: 1 xxxxxx", "../../etc/passwd x"):
        answered = client.get("/healthz", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert answered != insane
        assert re.fullmatch(r"[0-9a-f]{32}", answered)
    # nothing leaks out of the request
    assert request_id_var.get() == ""


@pytest.mark.django_db
def test_log_line_of_a_request_carries_its_id_and_masks_personal_data(
    own_urls: None, json_console: io.StringIO
) -> None:
    response = Client().get("/test-log/", HTTP_X_REQUEST_ID="req-1234567890")
    assert response.status_code == 200
    (line,) = [x for x in lines(json_console) if x["logger"] == "grassroots.test"]
    assert line["request_id"] == "req-1234567890"
    assert line["level"] == "WARNING"
    assert PHONE not in line["message"] and ID_NUMBER not in line["message"]
    assert "138****5678" in line["message"]
    assert f"{ID_NUMBER[:4]}{'*' * 12}{ID_NUMBER[-2:]}" in line["message"]


@pytest.mark.django_db
def test_django_logs_a_4xx_answer_with_its_request_id(json_console: io.StringIO) -> None:
    response = Client().get("/no/such/page/", HTTP_X_REQUEST_ID="req-404404404")
    assert response.status_code == 404
    (line,) = [x for x in lines(json_console) if x["logger"] == "django.request"]
    assert line["message"] == "Not Found: /no/such/page/"
    assert line["request_id"] == "req-404404404"


@pytest.mark.django_db
def test_a_500_is_logged_as_json_with_traceback_masked(
    own_urls: None, json_console: io.StringIO
) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(f"/test-fail/?phone={PHONE}", HTTP_X_REQUEST_ID="req-0987654321")
    assert response.status_code == 500
    (line,) = [x for x in lines(json_console) if x["logger"] == "django.request"]
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-0987654321"
    assert line["status_code"] == 500
    assert line["request"] == {"method": "GET", "path": "/test-fail/"}
    assert "RuntimeError: lookup failed for" in line["exc_info"]
    assert "Traceback" in line["exc_info"]
    raw = json_console.getvalue()
    assert ID_NUMBER not in raw and PHONE not in raw


def test_masking_rules() -> None:
    masked = mask_personal(
        f"id {ID_NUMBER}, {ID_NUMBER[:17]}x; tel {PHONE}, +86{PHONE}, 86-{PHONE}; "
        "order 123456789012345678901 ts 1733570000123 price 12.50"
    )
    assert ID_NUMBER[:17] not in masked and PHONE not in masked
    assert masked.count("138****5678") == 3
    assert "+86138****5678" in masked
    # longer numbers, timestamps and amounts are left alone
    assert "123456789012345678901" in masked and "1733570000123" in masked
    assert "12.50" in masked


def test_masking_filter_on_records_from_any_logger() -> None:
    from grassroots.common.logs import MaskingFilter

    record = logging.makeLogRecord(
        {"msg": "sms to %(to)s", "args": ({"to": PHONE},), "name": "gunicorn.access"}
    )
    record.args = {"to": PHONE}
    record.caller = f"id {ID_NUMBER}"
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "sms to 138****5678"
    assert ID_NUMBER not in record.caller


def test_a_worker_line_is_logged_once_in_the_site_format(json_console: io.StringIO) -> None:
    """``run_huey`` gives the "huey" logger a plain-text handler of its own when it has
    none; then every line of the worker reached the console twice."""
    huey = logging.getLogger("huey")
    assert huey.handlers, "run_huey would add its own handler"
    assert not huey.propagate
    logging.getLogger("huey.consumer").info("Executing grassroots.events.jobs.sweep: 1")
    found = [line for line in lines(json_console) if "sweep" in line.get("message", "")]
    assert len(found) == 1, found
    assert found[0]["logger"] == "huey.consumer"


# --- /metrics ----------------------------------------------------------------------------


def scrape(client: Client, **extra: Any) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the series ``name{labels}`` (labels matched as a subset)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


@pytest.mark.django_db
def test_request_counters_go_up_by_route_not_path(client: Client) -> None:
    before = scrape(client)
    base_ok = sample(before, "grassroots_http_requests_total", route="healthz", status="200") or 0
    base_404 = sample(before, "grassroots_http_requests_total", route="<unmatched>") or 0
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.get("/no/such/page/12345")
    client.get("/no/such/page/67890")
    after = scrape(client)
    assert sample(after, "grassroots_http_requests_total", route="healthz", status="200") == (
        base_ok + 3
    )
    assert sample(after, "grassroots_http_requests_total", route="<unmatched>", status="404") == (
        base_404 + 2
    )
    assert "12345" not in after and "/no/such" not in after
    assert (
        sample(after, "grassroots_http_request_duration_seconds_count", route="healthz") or 0
    ) >= 3
    # an invented method is not a new series
    client.generic("BREW", "/healthz")
    assert 'method="BREW"' not in scrape(client)


@pytest.fixture
def overdue_world(tree: dict[str, Any], grid_worker: Any, official_calendar: None) -> list[Any]:
    """Three events of 礼州村: two left open, one rejected (closed for the resident)."""
    from grassroots.events.actions import report_event
    from grassroots.events.models import Category, Event

    category = Category.objects.create(
        code="SRHJ01", name="乱堆乱放", response_hours=Decimal("2"), resolve_workdays=3
    )
    events = [
        report_event(
            actor=grid_worker,
            category=category,
            title=f"路边堆放建筑垃圾 {n}",
            source="patrol",
            unit=tree["grid"],
        )
        for n in range(3)
    ]
    Event.objects.filter(pk=events[2].pk).update(status="rejected")
    return events


def test_overdue_gauge_is_what_the_township_leader_sees(
    client: Client, login: Any, overdue_world: list[Any], xc_secretary: Any
) -> None:
    later = max(e.resolve_by for e in overdue_world) + dt.timedelta(days=1)
    assert sample(scrape(client), "grassroots_events_overdue") == 0
    with time_machine.travel(later, tick=False):
        board = login(xc_secretary).get("/").context["board"]
        assert board["unit"].name == "礼州镇"
        seen = board["today"].overdue
        text = scrape(client)
    assert seen == 2
    assert sample(text, "grassroots_events_overdue") == seen
    assert sample(text, "grassroots_dependency_up", part="database") == 1
    assert sample(text, "grassroots_dependency_up", part="queue") == 1
    assert sample(text, "grassroots_queue_pending") is not None
    assert sample(text, "grassroots_audit_unsealed") is not None


@pytest.mark.django_db
def test_metrics_refused_to_strangers_and_allowed_with_the_token(
    client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = "s3cret-metrics-token-0123456789"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    # through the reverse proxy on this machine: not local any more
    assert (
        client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    ).status_code == 403
    wrong = {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer wrong"}
    assert client.get("/metrics", **wrong).status_code == 403
    right = {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": f"Bearer {settings.METRICS_TOKEN}"}
    assert "grassroots_http_requests_total" in scrape(client, **right)
    settings.METRICS_TOKEN = ""
    empty = {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer "}
    assert client.get("/metrics", **empty).status_code == 403


# --- /healthz ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_ok_and_details_only_for_trusted_callers(client: Client) -> None:
    public = client.get("/healthz", REMOTE_ADDR="10.1.2.3")
    assert public.status_code == 200
    assert public.json() == {"status": "ok", "database": "ok", "queue": "ok"}
    local = client.get("/healthz").json()
    assert local["version"] and set(local["took_ms"]) == {"database", "queue"}


@pytest.mark.django_db
def test_healthz_503_when_the_queue_fails(client: Client, monkeypatch: Any) -> None:
    from huey.contrib.djhuey import HUEY

    def down() -> int:
        raise ConnectionError("Error 111 connecting to redis.internal:6379 password=hunter2")

    monkeypatch.setattr(HUEY.storage, "queue_size", down)
    response = client.get("/healthz", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "queue": "error: ConnectionError",
    }
    assert b"redis.internal" not in response.content and b"hunter2" not in response.content
    # /metrics still answers, and says the queue is down
    text = scrape(client)
    assert sample(text, "grassroots_dependency_up", part="queue") == 0
    assert sample(text, "grassroots_queue_pending") is None


@pytest.mark.django_db
def test_healthz_503_when_the_database_fails(client: Client, monkeypatch: Any) -> None:
    from django.db import OperationalError, connection

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError('connection to server at "db.internal" failed: password')

    monkeypatch.setattr(connection, "cursor", down)
    response = client.get("/healthz", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error: OperationalError" and body["queue"] == "ok"
    assert b"db.internal" not in response.content


# --- gunicorn, several processes ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _head(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _mark_all_migrated(database: Path) -> None:
    """Record every migration as applied in a new SQLite file (``serve`` refuses a database
    with unapplied migrations; running them takes minutes on this machine, and /healthz and
    the request counters need no tables)."""
    from django.db.migrations.loader import MigrationLoader

    nodes = sorted(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    with sqlite3.connect(database) as db:
        db.execute(
            'CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,'
            ' "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL,'
            ' "applied" datetime NOT NULL)'
        )
        now = timezone.now().isoformat()
        db.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
            [(app, name, now) for app, name in nodes],
        )


@pytest.mark.slow
def test_serve_with_two_workers_adds_up_their_metrics(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "gunicorn").exists():
        pytest.skip("gunicorn is not installed next to this Python")
    data = tmp_path / "var"
    data.mkdir()
    _mark_all_migrated(data / "grassroots.sqlite3")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "PROMETHEUS"))}
    env.update(
        GRASSROOTS_DATA_DIR=str(data),
        GRASSROOTS_LOG_FORMAT="json",
        GRASSROOTS_ACCESS_LOG="1",
    )
    command = [sys.executable, "-m", "grassroots.cli", "serve", "--workers", "2", "--threads", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--no-collectstatic"]
    proc = subprocess.Popen(  # noqa: S603
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    output = ""
    try:
        # About 10 s on a quiet machine; a machine shared by many (load 17 on 2 cores) needs 75.
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _body = _get(f"{base}/healthz")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert status == 200
        # both workers answer some of these (new connections, side by side); HEAD is
        # refused (405), a series of its own that the start-up's checks do not touch
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: _head(f"{base}/healthz"), range(40)))
        assert statuses == [405] * 40
        # a phone number in a query string reaches the access log masked
        assert _get(f"{base}/healthz?tel={PHONE}")[0] == 200
        files = list((data / "metrics").glob("counter_*.db"))
        texts = [_get(f"{base}/metrics")[1] for _ in range(4)]
        for text in texts:
            # 40 requests, however the processes shared them, in every scrape
            total = sample(text, "grassroots_http_requests_total", route="healthz", status="405")
            assert total == 40, text
            # the tables were never created: the scrape says so instead of failing
            assert sample(text, "grassroots_dependency_up", part="database") == 0
        # both processes counted some of them (one file of counters each)
        assert len(files) == 2, files
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate(timeout=10)
    access = [json.loads(x) for x in output.splitlines() if '"gunicorn.access"' in x]
    assert access, output[-2000:]
    assert all(x["request_id"] and x["request_id"] in x["message"] for x in access)
    assert PHONE not in output
    assert any("tel=138****5678" in x["message"] for x in access)


def test_serve_starts_each_run_with_empty_metrics_files(tmp_path: Path) -> None:
    from grassroots.common.management.commands.serve import fresh_metrics_dir

    configured = tmp_path / "prom"
    configured.mkdir()
    (configured / "counter_123.db").write_bytes(b"old counts")
    (configured / "keep.txt").write_text("not ours")
    assert fresh_metrics_dir(str(configured)) == configured
    assert sorted(p.name for p in configured.iterdir()) == ["keep.txt"]
