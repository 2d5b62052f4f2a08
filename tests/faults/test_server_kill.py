"""kill -9 of the whole web server (gunicorn's master and workers) during a burst of event
reports sent with ``Idempotency-Key``: the clients retry across the outage as a phone
would, and every report ends up stored exactly once, every acknowledged one with the number
the client was told."""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

import pytest

from tests.faults.conftest import Site, free_port, post_json, stop

pytestmark = pytest.mark.slow

REPORTS = 48
CLIENTS = 4
KILL_AFTER = 12  # acknowledged reports before the kill
DEADLINE = 150.0  # seconds for the whole burst, outage included


def test_killed_server_loses_and_duplicates_no_acknowledged_report(site: Site) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/v1/events/"
    server = site.serve(port)
    acked: dict[str, str] = {}  # key → event number the client was told
    attempts: dict[str, int] = {}
    failures: list[str] = []  # answers that are neither success nor a dropped connection
    lock = threading.Lock()
    keys = [f"fault-{i:03d}" for i in range(REPORTS)]
    started = time.monotonic()

    def client(mine: list[str]) -> None:
        for key in mine:
            body = {
                "category": site.seeded["category"],
                "title": f"故障测试 {key}",
                "unit": site.seeded["grid"],
            }
            while time.monotonic() - started < DEADLINE:
                with lock:
                    attempts[key] = attempts.get(key, 0) + 1
                try:
                    code, _headers, raw = post_json(
                        url, body, session=site.seeded["session"], key=key, timeout=10
                    )
                except OSError:
                    time.sleep(0.2)  # refused or cut off: the phone retries
                    continue
                if code in (200, 201):
                    with lock:
                        acked[key] = json.loads(raw)["number"]
                    break
                if code in (502, 503):
                    time.sleep(0.2)
                    continue
                with lock:
                    failures.append(f"{key}: {code} {raw[:300]!r}")
                break

    threads = [
        threading.Thread(target=client, args=(keys[i::CLIENTS],), daemon=True)
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    try:
        while len(acked) < KILL_AFTER and time.monotonic() - started < DEADLINE:
            time.sleep(0.05)
        assert len(acked) >= KILL_AFTER, f"only {len(acked)} reports before the kill"
        at_kill = len(acked)
        stop(server, signal.SIGKILL)
        time.sleep(1.0)
        site.serve(port)
        for thread in threads:
            thread.join(timeout=max(1.0, DEADLINE - (time.monotonic() - started)))
    finally:
        stop(server)
    assert not failures, failures
    assert sorted(acked) == keys, f"never acknowledged: {sorted(set(keys) - set(acked))}"
    assert at_kill < REPORTS, "the kill came after the burst: it tested nothing"

    # A retry now (the phone did not hear the answer) gets the same event back.
    replayed = [
        post_json(
            url,
            {
                "category": site.seeded["category"],
                "title": f"故障测试 {key}",
                "unit": site.seeded["grid"],
            },
            session=site.seeded["session"],
            key=key,
        )
        for key in keys[:: REPORTS // 6]
    ]
    for (code, headers, raw), key in zip(replayed, keys[:: REPORTS // 6], strict=True):
        assert code == 201, raw
        assert headers.get("Idempotent-Replayed") == "true"
        assert json.loads(raw)["number"] == acked[key]

    stored: dict[str, Any] = site.query(
        "from collections import Counter\n"
        "from grassroots.events.models import Event\n"
        "rows = list(Event.objects.filter(title__startswith='故障测试 ')"
        ".values_list('title', 'number'))\n"
        "result = {'count': Counter(t for t, _n in rows), 'numbers': dict(rows)}\n"
    )
    duplicated = {title: n for title, n in stored["count"].items() if n != 1}
    assert not duplicated, f"stored more than once: {duplicated}"
    assert len(stored["count"]) == REPORTS
    for key, number in acked.items():
        assert stored["numbers"][f"故障测试 {key}"] == number, key
    assert sum(attempts.values()) > REPORTS, "no request was retried: the kill missed the burst"
