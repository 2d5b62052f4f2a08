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
from grassroots.registers.importing.construction import import_ledger
from grassroots.registers.models import ConstructionCase

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


PHONE = "13812345678"
NEW_PHONE = "13900001111"


def test_a_party_s_phone_is_in_no_audit_entry_and_on_no_page(
    tree: dict[str, Any],
    village_cadre: Any,
    supervisor: Any,
    login: Any,
    tmp_path: Any,
    settings: Any,
) -> None:
    """Opened with a phone on the page, corrected to another, a ledger imported with a
    third: the audit entries hold them masked only, and no page of the case (the history
    included) shows one in full — not even to the cadre who typed it."""
    settings.DATA_DIR = tmp_path
    client = login(village_cadre)
    today = timezone.localdate()
    answer = client.post(
        reverse("registers:construction_new"),
        {
            "unit": str(tree["village"].pk),
            "kind": "building",
            "source": "inspection",
            "address": "礼州村3组12号",
            "started_on": (today - dt.timedelta(days=9)).isoformat(),
            "found_on": today.isoformat(),
            "party_name": "王大明",
            "party_phone": PHONE,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    case = ConstructionCase.objects.get()
    edit = reverse("registers:construction_edit", args=[case.pk])
    assert PHONE not in client.get(edit).content.decode()
    data = {
        "address": case.address,
        "started_on": case.started_on.isoformat(),
        "found_on": case.found_on.isoformat(),
        "party_phone": NEW_PHONE,
    }
    assert client.post(edit, data).status_code == 302
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "村(社区)编码,类型,当事人,联系电话,地址,建设或搬迁日期,发现日期\n"
        f"513401101201,乱修滥建,李四,13700002222,礼州村5组,{today},{today}\n",
        encoding="utf-8",
    )
    import_ledger(ledger, actor=village_cadre)
    entries = list(AuditEntry.objects.values_list("before", "after", "note"))
    assert len(entries) >= 4
    for secret in (PHONE, NEW_PHONE, "13700002222"):
        assert secret not in str(entries)
    assert "139****1111" in str(entries)
    for user in (village_cadre, supervisor):
        for url in (reverse("registers:construction_detail", args=[case.pk]), edit):
            page = login(user).get(url).content.decode()
            assert PHONE not in page and NEW_PHONE not in page
