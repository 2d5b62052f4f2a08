"""Bugs found in the review of grid basics, each with the test that failed before its fix."""

from __future__ import annotations

import html
import re
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from grassroots.residents.models import Household, Resident


@pytest.mark.django_db(transaction=True)
def test_a_household_moving_out_is_one_transaction(make_household: Any, grid_worker: Any) -> None:
    """The whole household moves out in one transaction: when its last step fails, its
    members are still living there (and on PostgreSQL the row locks need the
    transaction at all)."""
    from grassroots.audit import actions as audit
    from grassroots.residents.actions import households as actions

    household = make_household(members=2)
    real = audit.record

    def failing(action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "residents.household.status_changed":
            raise RuntimeError("the audit log is down")
        return real(action, *args, **kwargs)

    with mock.patch.object(actions, "record", failing), pytest.raises(RuntimeError):
        actions.set_household_status(household, actor=grid_worker, status="moved_out")
    household.refresh_from_db()
    assert household.status == "active"
    assert set(Resident.objects.values_list("status", flat=True)) == {"present"}
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_the_phone_search_keeps_its_text_on_the_next_page(
    make_household: Any, grid_worker: Any, login: Any
) -> None:
    """A search such as 3#楼 (building 3, as addresses are written) or 1&2 stays on the
    next page's link, encoded (it was pasted raw, the # cut the link short)."""
    for text in ("3#楼", "1&2号", "a+b"):
        for n in range(22):
            make_household(members=1, address=f"礼州村{text}{n}室")
        client = login(grid_worker)
        page = client.get(reverse("residents:m_home"), {"q": text})
        assert page.status_code == 200 and page.context["page"].paginator.count == 22
        href = re.search(r'href="(\?[^"]*page=2)"', page.content.decode())
        assert href, text
        following = client.get(reverse("residents:m_home") + html.unescape(href[1]))
        assert following.context["search"] == text
        assert following.context["page"].number == 2
