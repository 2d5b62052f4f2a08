"""The public assessment pages (/public/assessment/): publications with their SHA-256, the
current red and black lists with reasons, the rankings from the frozen snapshot, and the
downloadable canonical JSON whose sha256sum is the hash shown."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from grassroots.assessment.actions.publishing import publish_run
from grassroots.assessment.models import Result
from tests.assessment.publishing_support import plain_scheme, run_with_results


@pytest.fixture
def publication(tree: dict[str, Any], city_admin: Any) -> Any:
    scheme = plain_scheme(tree)
    run = run_with_results(
        scheme,
        "2026-Q3",
        [
            (tree["village"], "85.00"),
            (tree["neighbour_village"], "60.00"),
            (tree["other_village"], "90.00"),
        ],
        vetoed={tree["other_village"]: ["overdue-veto"]},
    )
    return publish_run(run, actor=city_admin)


def test_the_list_shows_publications_with_their_hash(publication: Any) -> None:
    page = Client().get("/public/assessment/")

    body = page.content.decode()
    assert page.status_code == 200
    assert publication.sha256 in body
    assert "西昌市2026年村(社区)目标考核" in body and "2026-Q3" in body


def test_the_current_lists_give_a_reason_for_each_entry(publication: Any) -> None:
    body = Client().get("/public/assessment/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    red = body.split('class="red-list"')[1].split("</ul>")[0]
    black = body.split('class="black-list"')[1].split("</ul>")[0]
    assert "礼州村" in red and "位列同组前 1 名" in red  # among the best 1 of its group
    assert "安宁村" in black and "overdue-veto" in black  # vetoed, and by what
    assert "排第 2 名" in red and "总分 85.00" in red  # its rank and total


def test_the_rankings_come_from_the_snapshot_not_the_live_tables(
    tree: dict[str, Any], publication: Any
) -> None:
    # even if someone changed a live row, the public page shows what was published
    Result.objects.filter(unit=tree["village"]).update(total="1.00")

    page = Client().get(f"/public/assessment/{publication.sha256}/")

    body = page.content.decode()
    assert page.status_code == 200
    assert publication.sha256 in body
    assert "85.00" in body and "1.00</td>" not in body
    ranking = body.split('class="card ranking"')[1]
    assert ranking.index("安宁村") < ranking.index("礼州村") < ranking.index("田坝村")


def test_the_download_hashes_to_the_published_sha256(publication: Any) -> None:
    page = Client().get(f"/public/assessment/{publication.sha256}.json")

    assert page.status_code == 200 and page["Content-Type"] == "application/json"
    assert hashlib.sha256(page.content).hexdigest() == publication.sha256
    assert "礼州村".encode() in page.content  # UTF-8 as is, not \\u escapes


def test_an_unknown_hash_is_404(publication: Any) -> None:
    assert Client().get(f"/public/assessment/{'0' * 64}/").status_code == 404
    assert Client().get(f"/public/assessment/{'0' * 64}.json").status_code == 404


def test_no_person_appears_on_the_public_pages(publication: Any, city_admin: Any) -> None:
    for url in ("/public/assessment/", f"/public/assessment/{publication.sha256}/"):
        body = Client().get(url).content.decode()
        assert city_admin.full_name not in body and city_admin.username not in body
    assert (
        city_admin.full_name.encode()
        not in Client().get(f"/public/assessment/{publication.sha256}.json").content
    )
