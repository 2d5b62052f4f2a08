"""The audit log page: scoped, filtered, paginated, read-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from grassroots.audit.actions import record, seal_all
from grassroots.audit.models import AuditBlock, AuditEntry
from grassroots.common import nav

URL = "/audit/"


@pytest.fixture
def two_townships(tree: dict[str, Any]) -> None:
    record("org.unit.renamed", tree["village"], actor=None)  # 礼州镇
    record("events.event.dispatched", tree["grid"], actor=None)  # 礼州镇
    record("org.unit.renamed", tree["other_village"], actor=None)  # 安宁镇
    seal_all()


def _objects(response: Any) -> set[str]:
    return {entry.object_repr for entry in response.context["page"]}


def test_url_name() -> None:
    assert reverse("audit:entry_list") == URL


def test_supervisor_sees_own_township_only(
    two_townships: None, supervisor: Any, login: Callable[..., Any]
) -> None:
    response = login(supervisor).get(URL)

    assert response.status_code == 200
    assert _objects(response) == {"礼州村", "礼州村第1网格"}
    assert "安宁村" not in response.content.decode()


def test_city_admin_sees_the_city(
    two_townships: None, city_admin: Any, login: Callable[..., Any]
) -> None:
    response = login(city_admin).get(URL)

    assert _objects(response) == {"礼州村", "礼州村第1网格", "安宁村"}
    block = AuditBlock.objects.get()
    assert block.block_hash in response.content.decode()


def test_without_audit_view_is_forbidden(
    two_townships: None, outsider: Any, login: Callable[..., Any]
) -> None:
    assert login(outsider).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(db: Any, client: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_superuser_sees_entries_without_a_unit(
    two_townships: None, login: Callable[..., Any], city_admin: Any
) -> None:
    record("org.calendar.imported", None, actor=None)
    root = get_user_model().objects.create_superuser("root", password="Correct-Horse-42")

    assert len(login(root).get(URL).context["page"]) == 4
    assert len(login(city_admin).get(URL).context["page"]) == 3


def test_filter_by_action_prefix(
    two_townships: None, city_admin: Any, login: Callable[..., Any]
) -> None:
    response = login(city_admin).get(URL, {"action": "events"})

    assert _objects(response) == {"礼州村第1网格"}


def test_filter_by_date_range(
    two_townships: None, city_admin: Any, login: Callable[..., Any]
) -> None:
    old = AuditEntry.objects.get(object_repr="安宁村")
    AuditEntry.objects.filter(pk=old.pk).update(
        created_at=dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 3-02 00:30 in 西昌
    )
    client = login(city_admin)

    on_the_day = client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    before = client.get(URL, {"date_to": "2026-03-01"})

    assert _objects(on_the_day) == {"安宁村"}
    assert _objects(before) == set()


def test_bad_filter_input_is_an_error_not_a_crash(
    two_townships: None, city_admin: Any, login: Callable[..., Any]
) -> None:
    client = login(city_admin)

    bad_date = client.get(URL, {"date_from": "yesterday"})
    reversed_range = client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert bad_date.status_code == 200
    assert bad_date.context["form"].errors["date_from"]
    assert reversed_range.context["form"].errors["date_to"]
    assert len(bad_date.context["page"]) == 3  # the bad filter is not applied


def test_paginated_by_fifty_with_bounded_queries(
    tree: dict[str, Any],
    city_admin: Any,
    login: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for _ in range(55):
        record("org.unit.touched", tree["village"], actor=None)
    client = login(city_admin)
    client.get(URL)  # warm the session and caches

    with django_assert_max_num_queries(10):
        first = client.get(URL, {"action": "org"})
    second = client.get(URL, {"action": "org", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert "action=org&amp;page=2" in first.content.decode()
    assert "待封存" in first.content.decode()  # unsealed entries say so (Chinese UI)


def test_nav_item_follows_audit_view(supervisor: Any, outsider: Any) -> None:
    assert "audit.log" in {item["key"] for item in nav.items_for(supervisor)}
    assert "audit.log" not in {item["key"] for item in nav.items_for(outsider)}
