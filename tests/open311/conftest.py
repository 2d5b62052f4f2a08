from __future__ import annotations

from typing import Any

import pytest

from tests.open311.support import make_categories, make_grids


@pytest.fixture
def grids(tree: dict[str, Any]) -> dict[str, Any]:
    return make_grids(tree)


@pytest.fixture
def categories(tree: dict[str, Any]) -> dict[str, Any]:
    return make_categories(tree)


@pytest.fixture
def media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api_key(db: Any) -> str:
    from grassroots.open311.actions import issue_api_key

    return issue_api_key(name="市民通 app", actor=None).key


@pytest.fixture
def en_client() -> Any:
    """A client that asked for English (the language cookie), for assertions on text."""
    from django.test import Client

    client = Client()
    client.cookies["django_language"] = "en"
    return client
