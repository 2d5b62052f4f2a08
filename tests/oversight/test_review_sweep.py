"""The review sweep of the oversight pages: every URL of the ``oversight`` namespace ×
every role × GET, GET with garbage filters, empty POST and garbage POSTs, on a 礼州村
case (or file) and an 安宁村 one, and on ids of nothing: no 500, anonymous to the login
page, a refusal writes nothing, no raw phone or ID number on any page, and the 礼州村
committee member never sees 田坝村's or 安宁村's cases, flags or audit entries. A URL
without a rule here fails the sweep (``test_every_url_has_a_rule``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots import oversight
from grassroots.audit.models import AuditEntry
from grassroots.org.models import Membership, User
from grassroots.oversight import urls as oversight_urls
from grassroots.oversight.models import Case, CaseEvidence, Step
from grassroots.partybuilding.models import DecisionLink, DecisionRule
from tests.oversight.cases_support import _clock, _media, open_case, pdf
from tests.oversight.sweep_support import (
    ID_NUMBER,
    PHONE,
    ROLES,
    Rule,
    Sweep,
    client_for,
    roles,
    url_names,
)
from tests.partybuilding.decisions_world import world

pytestmark = pytest.mark.django_db
__all__ = ["_clock", "_media", "world"]

VIEWERS = roles(
    "city_admin",
    "xc_secretary",
    "village_cadre",
    "neighbour_cadre",
    "committee_member",
    "supervisor",
    "outsider",
)
#: Who sees the 礼州村 case: its village, the township, the city.
CASE_VIEWERS = roles(
    "city_admin", "xc_secretary", "village_cadre", "committee_member", "supervisor"
)
OPENERS = roles("committee_member", "supervisor")
TRAIL = roles("city_admin", "committee_member", "supervisor")

RULES: dict[str, Rule] = {
    "oversight:home": Rule(ok=VIEWERS),
    "oversight:export": Rule(ok=VIEWERS),
    "oversight:flags": Rule(ok=VIEWERS),
    "oversight:audit_trail": Rule(ok=TRAIL),
    "oversight:case_new": Rule(post=True, ok=OPENERS),
    "oversight:case_detail": Rule(arg="case", ok=CASE_VIEWERS),
    "oversight:evidence_file": Rule(arg="file", ok=CASE_VIEWERS),
    "oversight:case_request": Rule(arg="case", get=False, post=True),
    "oversight:case_respond": Rule(arg="case", get=False, post=True),
    "oversight:case_return": Rule(arg="case", get=False, post=True),
    "oversight:case_close": Rule(arg="case", get=False, post=True),
    "oversight:case_dismiss": Rule(arg="case", get=False, post=True),
}

#: Texts of 田坝村 and 安宁村 the 礼州村 committee member must never see.
ELSEWHERE = (
    "田坝村秘密事项",
    "安宁村秘密事项",
    "田坝村水渠维修",
    "安宁村文化广场",
    "田坝村小额资金",
)


@pytest.fixture
def cases(
    world: dict[str, Any], tree: dict[str, Any], committee_member: Any, supervisor: Any
) -> Any:
    """A case in each village (the 礼州村 one with a phone and an ID number typed into
    it, and a file), each step audited."""
    anning_office = User.objects.create_user(username="anning_office", password="x")
    Membership.objects.create(user=anning_office, unit=tree["anning"], role="supervisor")
    lz = open_case(
        committee_member,
        tree["village"],
        matter=f"举报电话{PHONE}反映资金问题",
        findings=f"当事人身份证号{ID_NUMBER}，电话{PHONE}。",
        files=[pdf()],
    )
    tb = open_case(supervisor, tree["neighbour_village"], matter="田坝村秘密事项")
    an = open_case(
        anning_office, tree["other_village"], matter="安宁村秘密事项", files=[pdf("安宁.pdf")]
    )
    return {"lz": lz, "tb": tb, "an": an}


def _args(cases: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    lz_file = CaseEvidence.objects.filter(case=cases["lz"]).first()
    an_file = CaseEvidence.objects.filter(case=cases["an"]).first()
    assert lz_file is not None and an_file is not None
    return {
        "case": [
            ("礼州村", cases["lz"].pk),
            ("安宁村", cases["an"].pk),
            ("none", 999999),
            ("huge", 2**64),
        ],
        "file": [("礼州村", lz_file.pk), ("安宁村", an_file.pk), ("none", 999999), ("huge", 2**64)],
    }


def test_every_url_has_a_rule() -> None:
    assert url_names("oversight", oversight_urls) == set(RULES), (
        "a new oversight URL needs its rule in the sweep"
    )
    assert oversight.__name__


@pytest.mark.parametrize("role", ROLES)
def test_sweep(cases: dict[str, Any], request: Any, role: str) -> None:
    sweep = Sweep(
        role=role,
        client=client_for(role, request),
        rules=RULES,
        args=_args(cases),
        counted=(Case, Step, CaseEvidence, DecisionLink, DecisionRule),
        hidden=ELSEWHERE if role == "committee_member" else (),
    )
    sweep.run()
    sweep.assert_clean()


def test_the_township_office_sees_both_villages(
    cases: dict[str, Any], login: Any, supervisor: Any
) -> None:
    client = login(supervisor)
    for name, texts in (
        ("oversight:home", ("举报电话", "田坝村秘密事项")),
        ("oversight:flags", ("礼州村村道硬化", "田坝村水渠维修")),
        ("oversight:audit_trail", (cases["lz"].number, "田坝村秘密事项")),
    ):
        page = client.get(reverse(name)).content.decode()
        for text in texts:
            assert text in page, (name, text)
        assert "安宁村秘密事项" not in page and "安宁村文化广场" not in page
    assert client.get(reverse("oversight:case_detail", args=[cases["tb"].pk])).status_code == 200


def test_the_committee_member_sees_their_village(
    cases: dict[str, Any], login: Any, committee_member: Any
) -> None:
    client = login(committee_member)
    assert "举报电话" in client.get(reverse("oversight:home")).content.decode()
    assert "礼州村村道硬化" in client.get(reverse("oversight:flags")).content.decode()
    trail = client.get(reverse("oversight:audit_trail")).content.decode()
    assert "举报电话139****7777" in trail and "田坝村秘密事项" not in trail
    for case in (cases["tb"], cases["an"]):
        assert client.get(reverse("oversight:case_detail", args=[case.pk])).status_code == 404


def test_the_audit_keeps_no_raw_number(cases: dict[str, Any]) -> None:
    """Not on the trail only: the entries themselves (the audit log's own page, its
    export) hold the numbers masked, the case's name (``object_repr``) included."""
    for entry in AuditEntry.objects.filter(object_type="oversight.case"):
        stored = f"{entry.object_repr} {entry.note} {entry.before} {entry.after}"
        for secret in (PHONE, ID_NUMBER):
            assert secret not in stored, entry.action
