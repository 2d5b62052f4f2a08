"""`grassroots demo` as a new user runs it: a fresh data directory, the site answers, the
worker seals the audit log, and Ctrl-C stops both."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read().decode()


def test_demo_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env["GRASSROOTS_DATA_DIR"] = str(tmp_path / "var")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "grassroots.cli", "demo", "--port", str(port), "--months", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert status == 200
        assert json.loads(body)["status"] == "ok"
        status, login_page = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert "登录" in login_page
        # The seed's audit entry is sealed by the worker running in the same process.
        sealed = False
        for _ in range(40):
            out = subprocess.run(
                [sys.executable, "-m", "grassroots.cli", "audit", "verify", "--grace", "0"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode == 0 and re.search(
                r"OK: [1-9]\d* entries in [1-9]\d* blocks", out.stdout
            ):
                sealed = True
                break
            time.sleep(0.5)
        assert sealed, out.stdout + out.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "Xichang-2026" in output  # the logins were printed
    assert "village_cadre" in output
    assert "Stopped" in output
