"""The calendar tests read the English source messages; one test checks the Chinese ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("chinese"):
        yield
        return
    with translation.override("en"):
        yield
