"""The selection pages: the vacancies, a new vacancy, a vacancy's ranking with each
candidate's breakdown, the buttons and the decision form — and who sees what."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.cadres import test_selection_actions as given
from tests.cadres.test_key_moments import make_task
from tests.cadres.test_selection_actions import add_reserve, audits, candidates, snapshot

# The cast of the selection tests (the pool, the key post, the vacancy, the clock), as
# fixtures of this module too.
for _fixture in ("_clock", "reserves", "key_post", "vacancy", "ranked"):
    globals()[_fixture] = getattr(given, _fixture)

DECISION = {
    "members": "9",
    "present": "8",
    "votes_for": "6",
    "votes_against": "1",
    "abstentions": "1",
    "meeting_on": "2026-06-12",
    "skip_reason": "",
}


def html(response: Any) -> str:
    return str(response.content.decode())


def row_of(page: str, name: str) -> str:
    """The ranking table's row of the candidate named ``name``."""
    for row in re.findall(r'<tr class="candidate.*?</tr>', page, flags=re.S):
        if f">{name}<" in row:
            return str(row)
    raise AssertionError(f"{name} not in the ranking")


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_the_vacancies_in_scope(
    login: Any, org_dept: Any, xc_secretary: Any, outsider: Any, vacancy: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.selection import open_vacancy

    other = open_vacancy(
        actor=org_dept, unit=tree["anning"], title="武装部长", level="deputy_section"
    )
    url = reverse("cadres:vacancies")

    page = html(login(org_dept).get(url))
    assert reverse("cadres:vacancy", args=[vacancy.pk]) in page
    assert reverse("cadres:vacancy", args=[other.pk]) in page
    assert reverse("cadres:vacancy_new") in page

    mine = html(login(xc_secretary).get(url))
    assert reverse("cadres:vacancy", args=[vacancy.pk]) in mine
    assert reverse("cadres:vacancy", args=[other.pk]) not in mine
    assert reverse("cadres:vacancy_new") not in mine

    theirs = html(login(outsider).get(url))
    assert reverse("cadres:vacancy", args=[vacancy.pk]) not in theirs
    assert reverse("cadres:vacancy", args=[other.pk]) in theirs


def test_the_list_filters_by_state(
    login: Any, org_dept: Any, vacancy: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.actions.selection import cancel_vacancy, open_vacancy

    gone = open_vacancy(
        actor=org_dept, unit=tree["lizhou"], title="组织委员", level="deputy_section"
    )
    cancel_vacancy(gone.pk, actor=org_dept, reason="撤并")
    page = html(login(org_dept).get(reverse("cadres:vacancies"), {"state": "cancelled"}))
    assert reverse("cadres:vacancy", args=[gone.pk]) in page
    assert reverse("cadres:vacancy", args=[vacancy.pk]) not in page


@pytest.mark.parametrize("who", ["city_admin", "village_cadre", "supervisor", "resident"])
def test_others_get_nothing(
    login: Any, vacancy: Any, who: str, request: pytest.FixtureRequest
) -> None:
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("cadres:vacancies")).status_code == 404
    assert client.get(reverse("cadres:vacancy", args=[vacancy.pk])).status_code == 404
    assert client.post(reverse("cadres:vacancy_rank", args=[vacancy.pk])).status_code == 404


def test_the_list_needs_a_login(client: Any, tree: dict[str, Any]) -> None:
    response = client.get(reverse("cadres:vacancies"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- a new vacancy -----------------------------------------------------------------------


def test_opening_a_vacancy_in_the_browser(
    login: Any, org_dept: Any, tree: dict[str, Any], key_post: Any
) -> None:
    from grassroots.cadres.models import Vacancy

    client = login(org_dept)
    assert client.get(reverse("cadres:vacancy_new")).status_code == 200
    response = client.post(
        reverse("cadres:vacancy_new"),
        {"unit": tree["lizhou"].pk, "key_post": key_post.pk, "title": "", "level": ""},
    )
    vacancy = Vacancy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cadres:vacancy", args=[vacancy.pk])
    assert (vacancy.title, vacancy.level, vacancy.key_post) == (
        "副镇长",
        "deputy_section",
        key_post,
    )


def test_a_vacancy_without_a_post_is_refused_on_its_field(
    login: Any, org_dept: Any, tree: dict[str, Any]
) -> None:
    from grassroots.cadres.models import Vacancy

    response = login(org_dept).post(
        reverse("cadres:vacancy_new"), {"unit": tree["lizhou"].pk, "title": "", "level": "staff"}
    )
    assert response.status_code == 400
    assert re.search(r'data-field="title".*?class="error"', html(response), flags=re.S)
    assert not Vacancy.objects.exists()


def test_a_township_leader_may_not_open_one(
    login: Any, xc_secretary: Any, tree: dict[str, Any]
) -> None:
    client = login(xc_secretary)
    assert client.get(reverse("cadres:vacancy_new")).status_code == 403
    response = client.post(
        reverse("cadres:vacancy_new"),
        {"unit": tree["lizhou"].pk, "title": "副镇长", "level": "staff"},
    )
    assert response.status_code == 403


# --- the ranking -------------------------------------------------------------------------


def test_ranking_from_the_page_shows_ranks_scores_and_breakdowns(
    login: Any, org_dept: Any, vacancy: Any, reserves: dict[str, Any]
) -> None:
    client = login(org_dept)
    url = reverse("cadres:vacancy", args=[vacancy.pk])
    before = html(client.get(url))
    assert reverse("cadres:vacancy_rank", args=[vacancy.pk]) in before
    assert reverse("cadres:vacancy_sync", args=[vacancy.pk]) in before
    assert 'id="decide"' not in before  # nothing to decide before a ranking

    response = client.post(reverse("cadres:vacancy_rank", args=[vacancy.pk]))
    assert response.status_code == 302

    page = html(client.get(url))
    found = candidates(vacancy)
    strong = row_of(page, "强者")
    assert re.search(r'data-label="[^"]*">1</td>', strong)
    assert str(found["强者"].score) in strong
    assert "<details" in strong and "<summary>" in strong
    assert strong.count("<li>") == 7  # one line per factor
    old = row_of(page, "年长者")
    assert "ineligible" in old and "45" in old  # the age limit, in words
    assert "正科后备" not in page and "待审核" not in page
    assert 'id="decide"' in page
    assert f'value="{reserves["strong"].pk}"' in page  # in the decision's choices
    assert f'value="{reserves["old"].pk}"' not in page  # the ineligible are not offered


def test_the_sync_button_derives_key_moments_before_ranking(
    login: Any,
    org_dept: Any,
    vacancy: Any,
    reserves: dict[str, Any],
    tree: dict[str, Any],
    village_cadre: Any,
) -> None:
    from grassroots.cadres.models import Cadre, KeyMoment

    middle = reserves["middle"].cadre
    Cadre.objects.filter(pk=middle.pk).update(user=village_cadre)
    make_task(tree, deadline=dt.date(2026, 5, 1), reporter=village_cadre)  # overdue: a debit

    response = login(org_dept).post(reverse("cadres:vacancy_sync", args=[vacancy.pk]), follow=True)

    assert response.status_code == 200
    moment = KeyMoment.objects.get()
    assert (moment.cadre_id, moment.outcome) == (middle.pk, "debit")
    [entry] = audits("cadres.key_moment.synced")
    assert entry.actor_id == org_dept.pk


def test_a_township_leader_reads_the_ranking_of_their_township_only(
    login: Any, xc_secretary: Any, outsider: Any, ranked: Any
) -> None:
    client = login(xc_secretary)
    response = client.get(reverse("cadres:vacancy", args=[ranked.pk]))
    assert response.status_code == 200
    page = html(response)
    # read-only: no buttons, no forms
    assert reverse("cadres:vacancy_rank", args=[ranked.pk]) not in page
    assert 'id="decide"' not in page
    # the breakdown of their own township's reserves; not of 安宁镇's
    assert "<details" in row_of(page, "中坚")
    assert "<details" not in row_of(page, "强者")
    assert client.post(reverse("cadres:vacancy_rank", args=[ranked.pk])).status_code == 403
    assert (
        client.post(reverse("cadres:vacancy_decide", args=[ranked.pk]), DECISION).status_code == 403
    )
    assert login(outsider).get(reverse("cadres:vacancy", args=[ranked.pk])).status_code == 404


# --- the decision ------------------------------------------------------------------------


def test_a_decision_without_a_quorum_is_shown_on_its_field_and_changes_nothing(
    login: Any, org_dept: Any, ranked: Any, reserves: dict[str, Any]
) -> None:
    before = snapshot()
    data = {
        **DECISION,
        "chosen": reserves["strong"].pk,
        "present": "5",
        "votes_for": "5",
        "votes_against": "0",
        "abstentions": "0",
    }
    response = login(org_dept).post(reverse("cadres:vacancy_decide", args=[ranked.pk]), data)
    assert response.status_code == 400
    assert re.search(r'data-field="present".*?class="error"', html(response), flags=re.S)
    assert snapshot() == before


def test_passing_over_without_a_reason_is_refused_in_the_browser(
    login: Any, org_dept: Any, ranked: Any, reserves: dict[str, Any]
) -> None:
    before = snapshot()
    data = {**DECISION, "chosen": reserves["weak"].pk}
    response = login(org_dept).post(reverse("cadres:vacancy_decide", args=[ranked.pk]), data)
    assert response.status_code == 400
    assert re.search(r'data-field="skip_reason".*?class="error"', html(response), flags=re.S)
    assert snapshot() == before


def test_the_decision_is_recorded_against_the_ranking(
    login: Any, org_dept: Any, ranked: Any, reserves: dict[str, Any]
) -> None:
    client = login(org_dept)
    data = {**DECISION, "chosen": reserves["weak"].pk, "skip_reason": "需要熟悉彝区工作的年轻干部"}
    response = client.post(reverse("cadres:vacancy_decide", args=[ranked.pk]), data)
    assert response.status_code == 302
    page = html(client.get(reverse("cadres:vacancy", args=[ranked.pk])))
    assert 'class="card decision"' in page
    passed = re.search(r'class="passed-over">(.*?)</div>', page, flags=re.S)
    assert passed is not None
    assert "#1 强者" in passed.group(1) and "#2 中坚" in passed.group(1)
    assert "需要熟悉彝区工作的年轻干部" in passed.group(1)
    assert "chosen" in row_of(page, "新秀")
    assert 'id="decide"' not in page  # decided: no form any more

    again = client.post(reverse("cadres:vacancy_decide", args=[ranked.pk]), data)
    assert again.status_code == 409


def test_appointing_the_best_ranked_says_so(
    login: Any, org_dept: Any, ranked: Any, reserves: dict[str, Any]
) -> None:
    client = login(org_dept)
    data = {**DECISION, "chosen": reserves["strong"].pk}
    assert client.post(reverse("cadres:vacancy_decide", args=[ranked.pk]), data).status_code == 302
    page = html(client.get(reverse("cadres:vacancy", args=[ranked.pk])))
    assert 'class="followed"' in page and 'class="passed-over"' not in page


def test_cancelling_in_the_browser_needs_a_reason(login: Any, org_dept: Any, ranked: Any) -> None:
    client = login(org_dept)
    url = reverse("cadres:vacancy_cancel", args=[ranked.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    ranked.refresh_from_db()
    assert ranked.state == "open"
    assert client.post(url, {"reason": "岗位撤并"}).status_code == 302
    ranked.refresh_from_db()
    assert ranked.state == "cancelled"
    assert client.post(reverse("cadres:vacancy_rank", args=[ranked.pk])).status_code == 409


def test_the_page_reads_a_fixed_number_of_queries(
    login: Any,
    org_dept: Any,
    ranked: Any,
    reserves: dict[str, Any],
    make_cadre: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(org_dept)
    url = reverse("cadres:vacancy", args=[ranked.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for i in range(10):
        add_reserve(make_cadre(name=f"后备{i}", level="staff"), org_dept)
    from grassroots.cadres.actions.selection import rank_vacancy

    rank_vacancy(ranked.pk, actor=org_dept)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
