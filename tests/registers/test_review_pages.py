"""Findings of the review of the registers' pages, each pinned by a test: who reaches a
page, what it answers to bad parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_grid_worker_opens_the_map_of_the_windows(grid_worker: Any, login: Any) -> None:
    """The map is a tab of the 天窗 pages the grid worker sees: it shows that their area
    holds no parcel instead of a 404 (parcels are placed by village, not by grid)."""
    page = login(grid_worker).get(reverse("registers:window_map"))
    assert page.status_code == 200
    assert "您的辖区内没有天窗地块" in page.content.decode()


def test_the_map_of_a_unit_not_the_viewers_is_404(village_cadre: Any, login: Any) -> None:
    page = login(village_cadre).get(reverse("registers:window_map") + "?unit=513401102201")
    assert page.status_code == 404
