"""Findings of the review of the registers' pages, each pinned by a test: who reaches a
page, what it answers to bad parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.registers.actions.construction import open_case

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


def test_correcting_a_construction_case_s_description(
    tree: dict[str, Any], village_cadre: Any, login: Any
) -> None:
    """The description is one of the facts the edit form corrects: saving a new one is
    recorded in the case's history (it was a 500: the audit snapshot had no description)."""
    case = open_case(
        actor=village_cadre,
        unit=tree["village"],
        kind="building",
        source="inspection",
        address="礼州村3组12号",
        started_on=timezone.localdate() - dt.timedelta(days=30),
        found_on=timezone.localdate(),
    )
    client = login(village_cadre)
    url = reverse("registers:construction_edit", args=[case.pk])
    data = {
        "address": case.address,
        "started_on": case.started_on.isoformat(),
        "found_on": case.found_on.isoformat(),
        "description": "二层砖混，未批先建",
    }
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.description == "二层砖混，未批先建"
    entry = AuditEntry.objects.get(action="registers.constructioncase.corrected")
    assert entry.after == {"description": "二层砖混，未批先建"}
