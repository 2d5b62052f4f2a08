"""Browser tests: registers the ``e2e`` marker (until pyproject lists it)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser (Playwright + Chromium)")
