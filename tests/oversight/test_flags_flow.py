"""From a flagged decision to a case and back: the flags page's "open a case" link
prefills the case form (village, source, category, record), opening the case keeps the
record's reference, and the case's page links back to the record itself."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse

from grassroots.oversight.models import Case
from tests.oversight.cases_support import _clock, _media
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["_clock", "_media", "world"]


def _open_link(page: str, unit_id: int) -> str:
    links = [html.unescape(h) for h in re.findall(r'class="open-case" href="([^"]+)"', page)]
    found = [h for h in links if h.endswith(f"unit={unit_id}")]
    assert found, links
    return found[0]


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen else ""


def test_from_a_flag_to_a_case_and_back(
    world: dict[str, Any], tree: dict[str, Any], login: Any, supervisor: Any
) -> None:
    client = login(supervisor)
    task = world["t3"]  # 田坝村水渠维修: a fund above the amount, no resolution
    flags = client.get(reverse("oversight:flags")).content.decode()
    link = _open_link(flags, task.unit_id)
    assert f"reference={ref(task)}".replace(":", "%3A") in link

    form = client.get(link)
    assert form.status_code == 200
    page = form.content.decode()
    assert f'value="{ref(task)}"' in page
    assert _selected(page, "unit") == tree["neighbour_village"].code
    assert _selected(page, "source") == "flagged"
    assert _selected(page, "category") == "decision"

    response = client.post(
        reverse("oversight:case_new"),
        {
            "unit": tree["neighbour_village"].code,
            "matter": "水渠维修资金未经村党组织决议",
            "category": "decision",
            "source": "flagged",
            "reference": ref(task),
            "findings": "8万元水渠维修资金未见决议。",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(matter="水渠维修资金未经村党组织决议")
    assert case.reference == ref(task) and case.source == "flagged"
    assert case.unit == tree["neighbour_village"]

    detail = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    assert f'href="{reverse("supervision:detail", args=[task.pk])}"' in detail
    assert reverse("oversight:flags") in detail


def test_a_reference_of_nothing_is_kept_as_text(
    world: dict[str, Any], tree: dict[str, Any], login: Any, committee_member: Any
) -> None:
    from grassroots.oversight.actions.cases import open_case

    case = open_case(
        actor=committee_member,
        unit=tree["village"],
        matter="核查",
        category="other",
        source="flagged",
        reference="supervision.task:999999",
        findings="无",
    )
    page = login(committee_member).get(reverse("oversight:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert "supervision.task:999999" in page.content.decode()


def test_the_prefill_refuses_a_village_out_of_reach(
    world: dict[str, Any], tree: dict[str, Any], login: Any, committee_member: Any
) -> None:
    url = reverse("oversight:case_new")
    client = login(committee_member)
    assert client.get(url, {"unit": tree["neighbour_village"].pk}).status_code == 404
    assert client.get(url, {"unit": "abc", "reference": "a:b:c"}).status_code == 404
    page = client.get(url, {"reference": "../../etc", "source": "x\x00"}).content.decode()
    assert "../../etc" not in page
