"""The operator guide (docs/operations.md) against the code it describes.

- every ``GRASSROOTS_*`` variable the code reads is in the guide's table, so a new setting
  without documentation fails the suite;
- every ``grassroots <command>`` the guide tells an operator to run exists;
- the systemd units in the guide pass ``systemd-analyze verify`` (skipped without it);
- ``grassroots worker`` takes its thread count from GRASSROOTS_WORKER_THREADS, as the guide says.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, get_commands
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "grassroots"
GUIDE = REPO / "docs" / "operations.md"
VARIABLE = re.compile(r"GRASSROOTS_[A-Z0-9_]*[A-Z0-9]")
# A command as an operator types it: `grassroots NAME` in backticks or …/bin/grassroots NAME.
COMMAND = re.compile(r"(?:bin/|`)grassroots ([a-z][a-z0-9_-]*)")


def variables_read() -> dict[str, set[str]]:
    """Every string constant of src/ that is exactly a GRASSROOTS_* name: the names passed to
    env_str/env_int/os.environ.get … (messages and docstrings that merely mention a name are
    longer strings and do not count)."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and VARIABLE.fullmatch(node.value)
            ):
                found.setdefault(node.value, set()).add(str(path.relative_to(REPO)))
    return found


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_every_variable_the_code_reads_is_documented() -> None:
    read = variables_read()
    # The scan must see the settings it is meant to guard, or it would pass on nothing.
    assert {"GRASSROOTS_DATABASE_URL", "GRASSROOTS_BIND", "GRASSROOTS_AUDIO_MAX_MB"} <= set(read)
    documented = set(re.findall(r"`(GRASSROOTS_[A-Z0-9_]+)`", guide()))
    missing = {name: sorted(paths) for name, paths in read.items() if name not in documented}
    assert not missing, f"read in src/ but not in docs/operations.md's table: {missing}"


def test_every_command_in_the_guide_exists() -> None:
    named = set(COMMAND.findall(guide()))
    assert {"serve", "worker", "migrate", "createsuperuser", "import-divisions"} <= named
    commands = set(get_commands())
    unknown = sorted(name for name in named if name.replace("-", "_") not in commands)
    assert not unknown, f"docs/operations.md names commands that do not exist: {unknown}"


def unit_files(tmp_path: Path) -> list[Path]:
    """The guide's two unit files, written out with the paths of this checkout's venv."""
    text = guide()
    files = []
    for name in ("grassroots.service", "grassroots-worker@.service"):
        heading = text.index(f"/etc/systemd/system/{name}")
        block = text[heading:].split("```ini\n", 1)[1].split("```", 1)[0]
        block = block.replace(
            "/srv/grassroots/venv/bin/grassroots", str(REPO / ".venv/bin/grassroots")
        )
        path = tmp_path / name
        path.write_text(block, encoding="utf-8")
        files.append(path)
    return files


def test_unit_files_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    web, worker = unit_files(tmp_path)
    instance = tmp_path / "grassroots-worker@2.service"
    instance.symlink_to(worker)
    done = subprocess.run(  # noqa: S603 - a system tool, fixed arguments
        [analyze, "verify", "--man=no", str(web), str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        # This machine has no `grassroots` account and no PostgreSQL/Redis units: those
        # lines are about the machine, not the files.
        if line.strip()
        and "grassroots" in line
        and not re.search(r"User|Group|postgresql\.service|redis-server\.service|not found", line)
    ]
    assert not problems, "\n".join(problems)


def test_worker_threads_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from grassroots.common.management.commands import worker

    calls: list[dict[str, Any]] = []

    def fake_call_command(name: str, **kwargs: Any) -> None:
        calls.append({"name": name, **kwargs})

    monkeypatch.setattr(worker, "call_command", fake_call_command)
    huey = {"consumer": {"workers": 5}}
    with override_settings(HUEY=huey):
        call_command("worker")
        call_command("worker", "--workers", "3", "--no-periodic")
    assert calls[0] == {"name": "run_huey", "workers": 5, "worker_type": "thread"}
    assert calls[1] == {
        "name": "run_huey",
        "workers": 3,
        "worker_type": "thread",
        "periodic": False,
    }
