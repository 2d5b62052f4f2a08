"""Shared set-up of the fuzz tests: a small world with one event and one task, Basic-auth
headers for its people, the WSGI application served in-process on the test database, and
row counts to prove that a rejected request changed nothing."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from tests.conftest import PASSWORD


def basic(user: Any) -> dict[str, str]:
    """The ``Authorization`` header of ``user`` (every test person shares PASSWORD)."""
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


#: The apps whose tables a request or an import may write.
WRITTEN_APPS = (
    "audit",
    "events",
    "supervision",
    "assessment",
    "residents",
    "cadres",
    "registers",
    "partybuilding",
    "org",
)


def row_counts(app_labels: tuple[str, ...] = WRITTEN_APPS) -> dict[str, int]:
    """The number of rows of every table of ``app_labels`` (the audit log among them)."""
    counts: dict[str, int] = {}
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            counts[model._meta.label] = model._base_manager.count()
    return counts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after.get(k)}


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's real WSGI handler, minus the connection clean-up it runs around each request
    (which would close the test's transaction), as Django's own test client does."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(
    tree: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    grid_worker: Any,
    official_calendar: Any,
    fuzz_media: Any,
) -> dict[str, Any]:
    """One event reported by the grid worker in 礼州村's grid and one task the city office
    deployed to 礼州镇: the real ids a generated path may point at."""
    from grassroots.events.actions import report_event
    from grassroots.supervision.actions import create_task
    from tests.open311.support import PHONE, POINT, make_categories, make_grids

    make_grids(tree)
    categories = make_categories(tree)
    lat, lon = POINT
    event = report_event(
        actor=grid_worker,
        category=categories["piles"],
        title="路边堆放建筑垃圾",
        source="patrol",
        description="村委会门口堆放建筑垃圾",
        lat=lat,
        lon=lon,
        contact_name="张三",
        contact_phone=PHONE,
        attributes={"SIZE": "small"},
    )
    today = timezone.localdate()
    task = create_task(
        actor=city_admin,
        title="人居环境整治",
        kind="key_task",
        unit=tree["lizhou"],
        deadline=today + dt.timedelta(days=90),
        milestones=[("摸底", today + dt.timedelta(days=30))],
    )
    return {
        "tree": tree,
        "event": event,
        "task": task,
        "category": categories["piles"],
        "city_admin": city_admin,
        "xc_secretary": xc_secretary,
        "grid_worker": grid_worker,
    }
