"""Linking a decision to its resolution, removing a link, the rules: the refusals change
nothing, every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.common.decisions import authorisation
from grassroots.partybuilding.actions.decisions import (
    DecisionNotFound,
    link_decision,
    unlink_decision,
    update_rule,
)
from grassroots.partybuilding.errors import PartybuildingConflict, PartybuildingError
from grassroots.partybuilding.models import DecisionLink, DecisionRule
from grassroots.partybuilding.queries_decisions import decision_log, flagged_decisions
from tests.partybuilding.decisions_world import ref, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


def status(user: Any, reference: str) -> str:
    return {r.decision.reference: r.status for r in decision_log(user)}[reference]


def test_a_village_links_its_project_to_its_resolution(
    world: dict[str, Any], village_cadre: Any
) -> None:
    t1 = ref(world["t1"])
    assert status(village_cadre, t1) == "missing"
    link = link_decision(t1, world["r_village"].pk, actor=village_cadre, note="村两委会议")
    assert (link.resolution, link.after_the_fact) == (world["r_village"], False)
    assert status(village_cadre, t1) == "authorised"
    entry = AuditEntry.objects.get(action="partybuilding.decisionlink.linked")
    assert (entry.after or {}).get("reference") == t1
    assert (entry.after or {}).get("resolution") == "2026-01"
    shown = authorisation(t1)
    assert shown is not None and shown.number == "2026-01" and "赞成5票" in shown.votes


def test_a_resolution_of_the_township_above_authorises_too(
    world: dict[str, Any], xc_secretary: Any
) -> None:
    link_decision(ref(world["t1"]), world["r_township"].pk, actor=xc_secretary)
    assert status(xc_secretary, ref(world["t1"])) == "authorised"


@pytest.mark.parametrize(
    ("resolution", "message"),
    [
        ("r_failed", "未获通过"),
        ("r_neighbour", "不是礼州村或其上级单位的决议"),
        ("r_cadre", "决定的是干部选用"),
    ],
)
def test_refused_resolutions_change_nothing(
    world: dict[str, Any], village_cadre: Any, resolution: str, message: str
) -> None:
    with pytest.raises(PartybuildingError) as caught:
        link_decision(ref(world["t1"]), world[resolution].pk, actor=village_cadre)
    assert message in caught.value.message and caught.value.field == "resolution"
    assert caught.value.http_status == 400
    assert not DecisionLink.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="partybuilding.").exists()


@pytest.mark.parametrize("reference", ["supervision.task:999999", "nonsense", "a.b:1\x00", 12])
def test_an_unknown_record_is_not_found(
    world: dict[str, Any], village_cadre: Any, reference: Any
) -> None:
    with pytest.raises(DecisionNotFound):
        link_decision(reference, world["r_village"].pk, actor=village_cadre)
    assert not DecisionLink.objects.exists()


def test_a_record_outside_the_area_is_not_found(world: dict[str, Any], village_cadre: Any) -> None:
    with pytest.raises(DecisionNotFound) as caught:
        link_decision(ref(world["t4"]), world["r_village"].pk, actor=village_cadre)
    assert caught.value.http_status == 404
    assert not DecisionLink.objects.exists()


def test_a_reader_may_not_link(world: dict[str, Any], committee_member: Any) -> None:
    with pytest.raises(PermissionDenied):
        link_decision(ref(world["t1"]), world["r_village"].pk, actor=committee_member)


def test_a_linked_record_is_not_linked_twice(world: dict[str, Any], village_cadre: Any) -> None:
    link_decision(ref(world["t1"]), world["r_village"].pk, actor=village_cadre)
    with pytest.raises(PartybuildingConflict):
        link_decision(ref(world["t1"]), world["r_late"].pk, actor=village_cadre)
    assert DecisionLink.objects.get().resolution == world["r_village"]


def test_a_resolution_after_the_fact_stays_flagged(
    world: dict[str, Any], village_cadre: Any, committee_member: Any
) -> None:
    t1 = ref(world["t1"])
    link = link_decision(t1, world["r_late"].pk, actor=village_cadre)
    assert link.after_the_fact  # decided 2026-06-01, the project started 2026-04-01
    assert status(village_cadre, t1) == "late"
    flagged = {r.decision.reference: r.status for r in flagged_decisions(committee_member)}
    assert flagged[t1] == "late"
    shown = authorisation(t1)
    assert shown is not None and shown.after_the_fact


def test_the_cadre_selection_links_to_a_cadre_resolution(
    world: dict[str, Any], village_cadre: Any
) -> None:
    link_decision(ref(world["vacancy"]), world["r_cadre"].pk, actor=village_cadre)
    assert status(village_cadre, ref(world["vacancy"])) == "authorised"


def test_unlinking_needs_a_reason_and_is_audited(
    world: dict[str, Any], village_cadre: Any, outsider: Any
) -> None:
    t1 = ref(world["t1"])
    link_decision(t1, world["r_village"].pk, actor=village_cadre)
    with pytest.raises(PartybuildingError) as caught:
        unlink_decision(t1, actor=village_cadre, reason="  ")
    assert caught.value.field == "reason" and "理由" in caught.value.message
    with pytest.raises(DecisionNotFound):
        unlink_decision(t1, actor=outsider, reason="不对")
    assert DecisionLink.objects.count() == 1
    unlink_decision(t1, actor=village_cadre, reason="关联错了决议")
    assert not DecisionLink.objects.exists()
    entry = AuditEntry.objects.get(action="partybuilding.decisionlink.unlinked")
    assert entry.note == "关联错了决议"
    assert (entry.before or {}).get("resolution") == "2026-01"
    assert status(village_cadre, t1) == "missing"


def test_the_rules_are_the_city_office_s(
    world: dict[str, Any], city_admin: Any, xc_secretary: Any
) -> None:
    with pytest.raises(PermissionDenied):
        update_rule("fund", actor=xc_secretary, required=True, min_amount="1")
    for bad in ("-1", "abc", "1.234", "1e20", "NaN"):
        with pytest.raises(PartybuildingError) as caught:
            update_rule("fund", actor=city_admin, required=True, min_amount=bad)
        assert caught.value.field == "min_amount"
    with pytest.raises(PartybuildingError):
        update_rule("nothing", actor=city_admin, required=True, min_amount=None)
    assert DecisionRule.objects.get(matter="fund").min_amount == 50000
    update_rule("fund", actor=city_admin, required=True, min_amount="20000")
    assert DecisionRule.objects.get(matter="fund").min_amount == 20000
    entry = AuditEntry.objects.get(action="partybuilding.decisionrule.updated")
    assert str((entry.before or {}).get("min_amount")) == "50000.00"
    assert str((entry.after or {}).get("min_amount")) == "20000.00"
