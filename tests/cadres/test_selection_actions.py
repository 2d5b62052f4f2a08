"""Selection for a vacancy (选任): open, rank, decide (民主集中制) and cancel — what each
does, and that every refusal changes nothing. The fixtures here (``reserves``,
``vacancy``, ``ranked``) are shared with the page tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)  # 10:00 in 西昌


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def add_reserve(cadre: Any, by: Any, *, level: str = "deputy_section", **kw: Any) -> Any:
    from grassroots.cadres.models import ReserveEntry

    fields: dict[str, Any] = {
        "cadre": cadre,
        "unit": cadre.unit,
        "target_level": level,
        "status": "in_pool",
        "voters": 40,
        "votes": 30,
        "reason": "群众公认, 实绩突出",
        "nominated_by": by,
        "entered_on": dt.date(2025, 3, 1),
    }
    fields.update(kw)
    return ReserveEntry.objects.create(**fields)


def add_record(cadre: Any, by: Any, *, months: int = 0, hours: int = 0, grades: str = "") -> None:
    """Tempering (evaluated, ``months`` long), training (``hours``, passed) and grades
    (one letter a year from 2025 back: E 优秀, C 称职, B 基本称职, I 不称职)."""
    from grassroots.cadres.models import Grade, Tempering, TrainingRecord

    if months:
        start = dt.date(2022, 1, 1)
        end = dt.date(2022 + months // 12, 1 + months % 12, 1)
        Tempering.objects.create(
            cadre=cadre,
            kind="poverty",
            unit=cadre.unit,
            post="驻村工作队",
            started_on=start,
            planned_end=end,
            ended_on=end,
            state="evaluated",
            appraisal="good",
            assigned_by=by,
        )
    if hours:
        TrainingRecord.objects.create(
            cadre=cadre,
            course="乡村振兴专题",
            provider="市委党校",
            hours=Decimal(hours),
            started_on=dt.date(2025, 9, 1),
            ended_on=dt.date(2025, 9, 20),
            result="passed",
            recorded_by=by,
        )
    letters = {"E": "excellent", "C": "competent", "B": "basic", "I": "incompetent"}
    for i, letter in enumerate(grades):
        Grade.objects.create(
            cadre=cadre, year=2025 - i, unit=cadre.unit, grade=letters[letter], decided_by=by
        )


@pytest.fixture
def reserves(tree: dict[str, Any], make_cadre: Any, org_dept: Any) -> dict[str, Any]:
    """The pool: three eligible deputies (strong, middle, weak), one too old, one graded
    不称职, one nominated for another level, one not yet admitted; the strong one is in
    安宁镇 (another township), the others in 礼州镇."""
    from grassroots.cadres.models import Policy, PostRecord

    Policy.objects.create(unit=tree["city"], max_age={"deputy_section": 45}, min_grassroots_years=2)
    strong = make_cadre(name="强者", unit=tree["anning"], post="党政办主任", level="staff")
    middle = make_cadre(name="中坚", post="党政办副主任", level="staff")
    weak = make_cadre(name="新秀", post="科员", level="staff", birth_date=dt.date(1996, 1, 1))
    old = make_cadre(name="年长者", post="科员", level="staff", birth_date=dt.date(1975, 1, 1))
    flawed = make_cadre(name="曾不称职", post="科员", level="staff")
    other_level = make_cadre(name="正科后备", post="副镇长", level="deputy_section")
    waiting = make_cadre(name="待审核", post="科员", level="staff")
    add_record(strong, org_dept, months=24, hours=150, grades="EEE")
    add_record(middle, org_dept, months=6, hours=60, grades="CCC")
    add_record(flawed, org_dept, months=36, hours=168, grades="EIE")
    PostRecord.objects.create(
        cadre=middle,
        unit=tree["lizhou"],
        post="党政办副主任",
        level="staff",
        started_on=dt.date(2021, 1, 1),
    )
    entries = {
        "strong": add_reserve(strong, org_dept),
        "middle": add_reserve(middle, org_dept, votes=35),
        "weak": add_reserve(weak, org_dept),
        "old": add_reserve(old, org_dept),
        "flawed": add_reserve(flawed, org_dept),
        "other_level": add_reserve(other_level, org_dept, level="section_chief"),
        "waiting": add_reserve(waiting, org_dept, status="nominated", entered_on=None),
    }
    return entries


@pytest.fixture
def key_post(tree: dict[str, Any]) -> Any:
    from grassroots.cadres.models import KeyPost

    return KeyPost.objects.create(unit=tree["lizhou"], title="副镇长", level="deputy_section")


@pytest.fixture
def vacancy(org_dept: Any, tree: dict[str, Any], key_post: Any) -> Any:
    from grassroots.cadres.actions.selection import open_vacancy

    return open_vacancy(actor=org_dept, unit=tree["lizhou"], key_post=key_post)


@pytest.fixture
def ranked(vacancy: Any, reserves: dict[str, Any], org_dept: Any) -> Any:
    from grassroots.cadres.actions.selection import rank_vacancy

    return rank_vacancy(vacancy.pk, actor=org_dept)


def candidates(vacancy: Any) -> dict[str, Any]:
    from grassroots.cadres.models import Candidate

    return {
        c.entry.cadre.name: c
        for c in Candidate.objects.filter(vacancy=vacancy).select_related("entry__cadre")
    }


def audits(action: str) -> list[Any]:
    from grassroots.audit.models import AuditEntry

    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def snapshot() -> tuple[Any, ...]:
    """Everything a decision could change."""
    from grassroots.audit.models import AuditEntry
    from grassroots.cadres.models import (
        Cadre,
        Candidate,
        KeyPost,
        PostRecord,
        ReserveEntry,
        Vacancy,
    )

    return (
        list(Vacancy.objects.order_by("pk").values()),
        list(ReserveEntry.objects.order_by("pk").values("status", "exited_on", "exit_reason")),
        list(Cadre.objects.order_by("pk").values("unit_id", "post", "level")),
        list(PostRecord.objects.order_by("pk").values()),
        list(KeyPost.objects.order_by("pk").values("holder_id")),
        list(Candidate.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


VOTE = {"members": 9, "present": 8, "votes_for": 6, "votes_against": 1, "abstentions": 1}


def decide(vacancy: Any, actor: Any, chosen: Any, **kw: Any) -> Any:
    from grassroots.cadres.actions.selection import decide_vacancy

    args: dict[str, Any] = {**VOTE, "meeting_on": dt.date(2026, 6, 12), "skip_reason": ""}
    args.update(kw)
    return decide_vacancy(vacancy.pk, actor=actor, chosen=chosen.pk if chosen else None, **args)


# --- open --------------------------------------------------------------------------------


def test_a_vacancy_for_a_key_post_takes_its_title_and_level(vacancy: Any, key_post: Any) -> None:
    assert (vacancy.title, vacancy.level, vacancy.state) == ("副镇长", "deputy_section", "open")
    assert vacancy.key_post == key_post
    [entry] = audits("cadres.vacancy.opened")
    assert entry.object_id == str(vacancy.pk)


def test_opening_is_refused_with_a_reason_and_changes_nothing(
    tree: dict[str, Any], org_dept: Any, xc_secretary: Any, key_post: Any, vacancy: Any
) -> None:
    from grassroots.cadres.actions.selection import open_vacancy
    from grassroots.cadres.errors import CadresError
    from grassroots.cadres.models import KeyPost

    before = snapshot()
    with pytest.raises(PermissionDenied):
        open_vacancy(
            actor=xc_secretary, unit=tree["lizhou"], title="副镇长", level="deputy_section"
        )
    with pytest.raises(CadresError) as no_title:
        open_vacancy(actor=org_dept, unit=tree["lizhou"], title=" ", level="deputy_section")
    assert no_title.value.field == "title"
    with pytest.raises(CadresError) as no_level:
        open_vacancy(actor=org_dept, unit=tree["lizhou"], title="副镇长", level="")
    assert no_level.value.field == "level"
    with pytest.raises(CadresError) as twice:
        open_vacancy(actor=org_dept, unit=tree["lizhou"], key_post=key_post)
    assert twice.value.field == "key_post"
    elsewhere = KeyPost.objects.create(unit=tree["anning"], title="副镇长", level="deputy_section")
    with pytest.raises(CadresError) as other_unit:
        open_vacancy(actor=org_dept, unit=tree["lizhou"], key_post=elsewhere)
    assert other_unit.value.field == "key_post"
    with pytest.raises(CadresError) as mismatch:
        open_vacancy(actor=org_dept, unit=tree["anning"], key_post=elsewhere, level="staff")
    assert mismatch.value.field == "level"
    elsewhere.delete()
    assert snapshot() == before


# --- rank --------------------------------------------------------------------------------


def test_ranking_orders_the_eligible_and_keeps_the_reasons_of_the_others(
    ranked: Any, reserves: dict[str, Any]
) -> None:
    found = candidates(ranked)
    # only reserves in the pool, for this level: not the 正科 one, not the one awaiting review
    assert set(found) == {"强者", "中坚", "新秀", "年长者", "曾不称职"}
    assert [found[n].rank for n in ("强者", "中坚", "新秀")] == [1, 2, 3]
    assert found["强者"].score > found["中坚"].score > found["新秀"].score
    assert found["年长者"].eligible is False and found["年长者"].rank is None
    assert found["年长者"].ineligible_reason.startswith("age:")
    assert found["曾不称职"].ineligible_reason == "incompetent:2024"
    # a point-by-point breakdown adding up to the score
    lines = found["强者"].breakdown
    assert lines[0]["factor"] == "hard_post_months"
    assert sum(Decimal(line["points"]) for line in lines) == found["强者"].score
    assert ranked.weights["hard_post_months"] == 20
    assert ranked.ranked_at is not None
    [entry] = audits("cadres.vacancy.ranked")
    assert entry.after["candidates"] == 5 and entry.after["eligible"] == 3


def test_ranking_again_replaces_the_rows_and_follows_the_new_weights(
    ranked: Any, reserves: dict[str, Any], org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.selection import rank_vacancy
    from grassroots.cadres.models import Candidate, Policy

    first = candidates(ranked)
    Policy.objects.filter(unit=tree["city"]).update(
        weights={"hard_post_months": 0, "training_hours": 0, "yearly_grades": 0, "age": 100}
    )
    again = rank_vacancy(ranked.pk, actor=org_dept)
    second = candidates(again)
    assert Candidate.objects.filter(vacancy=ranked).count() == 5
    assert again.weights["age"] == 100 and again.weights["hard_post_months"] == 0
    # the youngest now leads; the months in hard posts count for nothing
    assert second["新秀"].rank == 1
    months = next(line for line in second["强者"].breakdown if line["factor"] == "hard_post_months")
    assert months["points"] == "0.00"
    assert first["强者"].rank == 1


def test_only_an_open_vacancy_is_ranked(ranked: Any, org_dept: Any, xc_secretary: Any) -> None:
    from grassroots.cadres.actions.selection import cancel_vacancy, rank_vacancy
    from grassroots.cadres.errors import CadresConflict

    with pytest.raises(PermissionDenied):
        rank_vacancy(ranked.pk, actor=xc_secretary)
    cancel_vacancy(ranked.pk, actor=org_dept, reason="机构调整")
    before = snapshot()
    with pytest.raises(CadresConflict) as exc:
        rank_vacancy(ranked.pk, actor=org_dept)
    assert exc.value.http_status == 409
    assert snapshot() == before


# --- decide ------------------------------------------------------------------------------


def test_the_decision_appoints_the_chosen_reserve(
    ranked: Any, reserves: dict[str, Any], org_dept: Any, key_post: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.models import KeyPost, PostRecord

    middle = reserves["middle"]
    old_post = KeyPost.objects.create(
        unit=tree["lizhou"], title="党政办主任", level="staff", holder=middle.cadre
    )

    decide(ranked, org_dept, reserves["strong"])
    strong = reserves["strong"]
    strong.refresh_from_db()
    assert (strong.status, strong.exited_on) == ("appointed", TODAY)
    assert "副镇长" in strong.exit_reason
    cadre = strong.cadre
    cadre.refresh_from_db()
    assert (cadre.unit, cadre.post, cadre.level) == (tree["lizhou"], "副镇长", "deputy_section")
    [post] = PostRecord.objects.filter(cadre=cadre)
    assert (post.vacancy_id, post.started_on, post.ended_on) == (ranked.pk, TODAY, None)
    key_post.refresh_from_db()
    assert key_post.holder == cadre
    ranked.refresh_from_db()
    assert ranked.state == "filled" and ranked.chosen == strong
    assert (ranked.members, ranked.present, ranked.votes_for) == (9, 8, 6)
    assert ranked.meeting_on == dt.date(2026, 6, 12) and ranked.decided_by == org_dept
    assert ranked.skip_reason == ""
    old_post.refresh_from_db()
    assert old_post.holder == middle.cadre  # someone else's post is untouched
    [entry] = audits("cadres.vacancy.decided")
    assert entry.after["rank"] == 1 and entry.after["vote"]["for"] == 6


def test_the_old_post_is_closed_and_a_key_post_they_held_freed(
    ranked: Any, reserves: dict[str, Any], org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.models import KeyPost, PostRecord

    middle = reserves["middle"].cadre
    held = KeyPost.objects.create(
        unit=tree["lizhou"], title="党政办主任", level="staff", holder=middle
    )
    decide(ranked, org_dept, reserves["middle"], skip_reason="强者已另有任用安排, 经集体研究")
    old, new = PostRecord.objects.filter(cadre=middle).order_by("started_on")
    assert (old.post, old.ended_on) == ("党政办副主任", TODAY)
    assert (new.post, new.ended_on, new.vacancy_id) == ("副镇长", None, ranked.pk)
    held.refresh_from_db()
    assert held.holder is None


@pytest.mark.parametrize(
    ("vote", "field"),
    [
        ({"present": 5, "votes_for": 5, "votes_against": 0, "abstentions": 0}, "present"),  # 5 < 6
        ({"votes_for": 4, "votes_against": 3, "abstentions": 1}, "votes_for"),  # 4 of 9
        ({"votes_for": 6, "votes_against": 1, "abstentions": 0}, "votes_for"),  # 7 ≠ 8
        ({"present": 10}, "present"),  # more than the members
        (
            {"members": 0, "present": 0, "votes_for": 0, "votes_against": 0, "abstentions": 0},
            "members",
        ),
        ({"votes_for": -1}, "votes_for"),
    ],
)
def test_a_vote_that_is_not_right_is_refused_and_changes_nothing(
    ranked: Any, reserves: dict[str, Any], org_dept: Any, vote: dict[str, int], field: str
) -> None:
    from grassroots.cadres.errors import CadresError

    before = snapshot()
    with pytest.raises(CadresError) as exc:
        decide(ranked, org_dept, reserves["strong"], **vote)
    assert exc.value.field == field
    assert snapshot() == before


def test_appointing_someone_not_eligible_or_not_in_the_pool_is_refused(
    ranked: Any, reserves: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.cadres.errors import CadresError
    from grassroots.cadres.models import ReserveEntry

    before = snapshot()
    for chosen in (reserves["old"], reserves["other_level"], reserves["waiting"], None):
        with pytest.raises(CadresError) as exc:
            decide(ranked, org_dept, chosen, skip_reason="理由")
        assert exc.value.field == "chosen"
    assert snapshot() == before

    # removed from the pool after the ranking: refused although it was ranked first
    ReserveEntry.objects.filter(pk=reserves["strong"].pk).update(status="removed")
    before = snapshot()
    with pytest.raises(CadresError) as gone:
        decide(ranked, org_dept, reserves["strong"])
    assert gone.value.field == "chosen"
    assert snapshot() == before


def test_passing_over_a_higher_ranked_candidate_needs_a_written_reason(
    ranked: Any, reserves: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.cadres.errors import CadresError

    before = snapshot()
    with pytest.raises(CadresError) as exc:
        decide(ranked, org_dept, reserves["weak"], skip_reason="  ")
    assert exc.value.field == "skip_reason"
    assert snapshot() == before

    decide(ranked, org_dept, reserves["weak"], skip_reason="需要熟悉彝区工作的年轻干部")
    ranked.refresh_from_db()
    assert ranked.chosen == reserves["weak"]
    assert ranked.skip_reason == "需要熟悉彝区工作的年轻干部"


def test_no_reason_is_needed_when_the_higher_ranked_have_left_the_pool(
    ranked: Any, reserves: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.cadres.models import ReserveEntry

    ReserveEntry.objects.filter(pk=reserves["strong"].pk).update(status="appointed")
    decide(ranked, org_dept, reserves["middle"])
    ranked.refresh_from_db()
    assert ranked.state == "filled" and ranked.skip_reason == ""


def test_deciding_twice_is_a_conflict(ranked: Any, reserves: dict[str, Any], org_dept: Any) -> None:
    from grassroots.cadres.errors import IllegalTransition

    decide(ranked, org_dept, reserves["strong"])
    before = snapshot()
    with pytest.raises(IllegalTransition) as exc:
        decide(ranked, org_dept, reserves["middle"], skip_reason="再议")
    assert exc.value.http_status == 409
    assert snapshot() == before


def test_a_decision_needs_a_ranking_a_past_meeting_and_the_department(
    vacancy: Any, reserves: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    from grassroots.cadres.actions.selection import rank_vacancy
    from grassroots.cadres.errors import CadresError

    before = snapshot()
    with pytest.raises(CadresError) as unranked:
        decide(vacancy, org_dept, reserves["strong"])
    assert unranked.value.field == "chosen"
    assert snapshot() == before

    rank_vacancy(vacancy.pk, actor=org_dept)
    before = snapshot()
    with pytest.raises(CadresError) as future:
        decide(vacancy, org_dept, reserves["strong"], meeting_on=dt.date(2026, 6, 16))
    assert future.value.field == "meeting_on"
    with pytest.raises(PermissionDenied):
        decide(vacancy, xc_secretary, reserves["strong"])
    assert snapshot() == before


# --- cancel ------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_an_open_vacancy(
    ranked: Any, reserves: dict[str, Any], org_dept: Any
) -> None:
    from grassroots.cadres.actions.selection import cancel_vacancy
    from grassroots.cadres.errors import CadresError, IllegalTransition

    before = snapshot()
    with pytest.raises(CadresError) as exc:
        cancel_vacancy(ranked.pk, actor=org_dept, reason="")
    assert exc.value.field == "reason"
    assert snapshot() == before

    cancel_vacancy(ranked.pk, actor=org_dept, reason="岗位撤并")
    ranked.refresh_from_db()
    assert (ranked.state, ranked.cancel_reason) == ("cancelled", "岗位撤并")
    assert len(candidates(ranked)) == 5  # the ranking is kept
    with pytest.raises(IllegalTransition):
        cancel_vacancy(ranked.pk, actor=org_dept, reason="再次")
    with pytest.raises(IllegalTransition):
        decide(ranked, org_dept, reserves["strong"])
