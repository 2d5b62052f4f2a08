"""Fixtures of the audit tests: entries written through ``record`` and sealed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from grassroots.audit.actions import record, seal_all
from grassroots.audit.models import AuditEntry


@pytest.fixture
def write(tree: dict[str, Any]) -> Callable[..., AuditEntry]:
    """``write(n=…, unit=…)`` → the last of ``n`` entries recorded about a unit."""

    def _write(n: int = 1, unit: str = "village", action: str = "org.unit.touched") -> AuditEntry:
        entry = None
        for i in range(n):
            entry = record(action, tree[unit], actor=None, after={"i": i})
        assert entry is not None
        return entry

    return _write


@pytest.fixture
def sealed_chain(write: Callable[..., AuditEntry]) -> list[AuditEntry]:
    """Five entries sealed in two blocks (3 + 2), in seq order."""
    write(3)
    seal_all()
    write(2, unit="other_village")
    seal_all()
    return list(AuditEntry.objects.order_by("seq"))
