"""Shared by the benchmarks: one JSON object per figure, on its own line (DESIGN.md §6)."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GRASSROOTS_SHARED_DATA", REPO.parent / "shared" / "data"))
DIVISIONS = SHARED_DATA / "divisions"


def db_vendor() -> str:
    return (
        "postgresql"
        if os.environ.get("GRASSROOTS_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux reports KiB


def emit(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    target: str = "",
    ok: bool | None = None,
    **extra: Any,
) -> None:
    """Print one figure. ``ok`` is False when a target is missed; the figure still prints."""
    row: dict[str, Any] = {"bench": bench, "figure": figure, "value": round(value, 3), "unit": unit}
    if target:
        row["target"] = target
    if ok is not None:
        row["ok"] = ok
    row.setdefault("cores", os.cpu_count())
    row.setdefault("python", platform.python_version())
    row.update(extra)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    sys.stdout.flush()
