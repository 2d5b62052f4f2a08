"""The review sweep of the decision log: every ``partybuilding`` URL whose name contains
``decision`` × every role × GET, GET with garbage filters, empty POST and garbage POSTs,
on a 礼州村 decision (linked) and an 安宁村 one and on references of nothing (``a:b:c``,
``supervision.task:999999``, ``..``, 3,000 characters): no 500, anonymous to the login
page, a refusal writes nothing, and the 礼州村 committee member never sees 田坝村's or
安宁村's decisions. A new decision URL without a rule here fails the sweep."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots.oversight.models import Case
from grassroots.partybuilding import urls as partybuilding_urls
from grassroots.partybuilding.actions.decisions import link_decision
from grassroots.partybuilding.models import DecisionLink, DecisionRule
from tests.oversight.sweep_support import ROLES, Rule, Sweep, client_for, roles, url_names
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

VIEWERS = roles(
    "city_admin",
    "xc_secretary",
    "village_cadre",
    "neighbour_cadre",
    "committee_member",
    "supervisor",
    "outsider",
)
LINKERS = roles("city_admin", "xc_secretary", "village_cadre")

RULES: dict[str, Rule] = {
    "partybuilding:decisions": Rule(ok=VIEWERS),
    "partybuilding:decisions_export": Rule(ok=VIEWERS),
    "partybuilding:decision_rules": Rule(post=True, ok=roles("city_admin")),
    "partybuilding:decision_link": Rule(arg="reference", post=True, ok=LINKERS),
    "partybuilding:decision_unlink": Rule(arg="reference", get=False, post=True),
}
ELSEWHERE = ("田坝村水渠维修", "安宁村文化广场", "田坝村小额资金")


@pytest.fixture
def linked(world: dict[str, Any], village_cadre: Any) -> dict[str, Any]:
    DecisionRule.objects.update_or_create(matter="fund", defaults={"min_amount": 50000})
    link_decision(ref(world["t1"]), world["r_village"].pk, actor=village_cadre)
    return world


def test_every_url_has_a_rule() -> None:
    names = url_names("partybuilding", partybuilding_urls, contains="decision")
    assert names == set(RULES), "a new decision URL needs its rule in the sweep"


@pytest.mark.parametrize("role", ROLES)
def test_sweep(linked: dict[str, Any], request: Any, role: str) -> None:
    sweep = Sweep(
        role=role,
        client=client_for(role, request),
        rules=RULES,
        args={
            "reference": [
                ("礼州村", ref(linked["t1"])),
                ("安宁村", ref(linked["t4"])),
                ("none", "supervision.task:999999"),
                ("colons", "a:b:c"),
                ("dots", ".."),
                ("long", "supervision.task:" + "9" * 3000),
            ]
        },
        counted=(DecisionLink, DecisionRule, Case),
        hidden=ELSEWHERE if role == "committee_member" else (),
    )
    sweep.run()
    sweep.assert_clean()


def test_the_committee_member_sees_their_village_s_log(
    linked: dict[str, Any], login: Any, committee_member: Any
) -> None:
    page = login(committee_member).get(reverse("partybuilding:decisions")).content.decode()
    assert "礼州村村道硬化" in page and "村党支部书记" in page


def test_an_empty_post_does_not_wipe_the_rules(
    linked: dict[str, Any], login: Any, city_admin: Any
) -> None:
    """A real submission always carries every matter's amount field; a post without them
    (a stray or forged request) used to set every matter to "no resolution needed"."""
    from grassroots.audit.models import AuditEntry

    before = sorted(DecisionRule.objects.values_list("matter", "required", "min_amount"))
    entries = AuditEntry.objects.count()
    response = login(city_admin).post(reverse("partybuilding:decision_rules"), {})
    assert response.status_code == 400
    assert "表单不完整" in response.content.decode()
    assert sorted(DecisionRule.objects.values_list("matter", "required", "min_amount")) == before
    assert AuditEntry.objects.count() == entries
