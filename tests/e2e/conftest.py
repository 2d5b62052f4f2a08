"""Fixtures of the browser tests: one headless Chromium per module, a ``browse`` session per
test (a fresh context per person, see ``browsing.Browse``), the page tests' world.

Playwright's sync API keeps an event loop in the test thread for as long as the browser
lives, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for the module: the ORM calls of the set-up
and of the final checks happen while no page is loading, and the live server answers from
its own thread. Each test's database is emptied when it ends (``transaction=True``).

The site speaks Chinese unless a language cookie says otherwise; the contexts send
``zh-CN`` and set no cookie, so the pages are the ones users here see.

When a test that drives the browser fails, the pictures its ``Browse`` sessions (``browse``
or another fixture's) took at each step and the last view of every page still open are
written to a new temporary folder (``e2e-<test>-…`` under the system's temp directory),
named in the failure report.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from tests.e2e.browsing import Browse
from tests.pages_support import World, build_world


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser (Playwright + Chromium)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed browser test, save the screenshots and say where (see the module)."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    sessions = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Browse)]
    if sessions:
        folder = Path(tempfile.mkdtemp(prefix=f"e2e-{item.name[:50]}-"))
        saved = [path for session in sessions for path in session.save_screenshots(folder)]
        report.sections.append(("screenshots", f"{len(saved)} screenshots saved in {folder}"))
    return report


@pytest.fixture
def browse(browser: Any, live_server: Any) -> Iterator[Browse]:
    session = Browse(browser, live_server.url)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None, tmp_path: Any, settings: Any) -> World:
    """The page tests' grids and categories; photos go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(tree)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The portal's rate limits live in the cache, shared with the live server's thread."""
    cache.clear()
    yield
    cache.clear()
