"""The reserve pool's pages: the entries, the shape and the ratio panels; the nominate,
review and remove forms; the key posts page.

The clock stands at 2026-09-01 10:00 (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grassroots.cadres.actions import pool
from grassroots.cadres.models import KeyPost, Policy, ReserveEntry

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=CST), tick=False):
        yield


@pytest.fixture
def reserves(
    tree: dict[str, Any], make_cadre: Any, xc_secretary: Any, org_dept: Any, outsider: Any
) -> dict[str, Any]:
    """礼州镇: two reserves in the pool (a 彝族 woman of 30, a 汉族 man of 36) and one
    nomination awaiting review; 安宁镇: one reserve in the pool."""
    ayi = make_cadre(name="吉克阿依", gender="f", birth_date=dt.date(1996, 1, 1))
    wang = make_cadre(
        name="王建国", ethnicity="汉族", birth_date=dt.date(1990, 1, 1), education="college"
    )
    new = make_cadre(name="新推荐")
    other = make_cadre(name="安宁后备", unit=tree["anning"])
    found = {}
    for cadre, by, unit in (
        (ayi, xc_secretary, tree["lizhou"]),
        (wang, xc_secretary, tree["lizhou"]),
        (other, outsider, tree["anning"]),
    ):
        entry = pool.nominate(
            cadre,
            actor=by,
            unit=unit,
            target_level="section_chief",
            voters=30,
            votes=20,
            reason="实绩突出",
        )
        pool.review_entry(entry, actor=org_dept, admit=True)
        found[cadre.name] = entry
    found["新推荐"] = pool.nominate(
        new,
        actor=xc_secretary,
        unit=tree["lizhou"],
        target_level="deputy_section",
        voters=10,
        votes=9,
        reason="群众公认",
    )
    return found


def test_the_pool_page(
    login: Any, reserves: dict[str, Any], org_dept: Any, tree: dict[str, Any]
) -> None:
    KeyPost.objects.create(unit=tree["lizhou"], title="党委书记", level="section_chief")
    KeyPost.objects.create(unit=tree["lizhou"], title="镇长", level="section_chief")
    KeyPost.objects.create(unit=tree["anning"], title="党委书记", level="section_chief")
    Policy.objects.create(unit=tree["anning"], reserve_ratio=Decimal("1.00"))
    response = login(org_dept).get("/cadres/pool/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("吉克阿依", "王建国", "新推荐", "安宁后备"):
        assert name in html
    ratios = {r.unit.name: r.ratio for r in response.context["ratios"]}
    # 礼州镇: 2 key posts × 2 = 4 required, 2 in the pool → short by 2; 安宁镇: 1 × 1, 1 in
    assert (ratios["礼州镇"].required, ratios["礼州镇"].shortfall) == (4, 2)
    assert not ratios["安宁镇"].short
    assert response.context["ratios"][0].unit.name == "礼州镇"
    assert 'class="ratio short"' in html
    overall = response.context["overall"]
    assert overall.total == 3
    assert overall.women.n == 1
    assert overall.minority.n == 2
    per_unit = {unit.name: shape for unit, shape in response.context["per_unit"]}
    assert per_unit["礼州镇"].total == 2
    assert per_unit["礼州镇"].average_age == Decimal("33.0")  # 30 and 36
    review = reserves["新推荐"].pk
    assert f"/cadres/pool/{review}/review/" in html


def test_the_pool_page_filters_and_scope(
    login: Any, reserves: dict[str, Any], xc_secretary: Any, tree: dict[str, Any]
) -> None:
    client = login(xc_secretary)
    html = client.get("/cadres/pool/").content.decode()
    assert "吉克阿依" in html and "安宁后备" not in html
    assert "/review/" not in html  # reviews are the department's
    html = client.get("/cadres/pool/?status=nominated").content.decode()
    assert "新推荐" in html and "王建国" not in html
    html = client.get("/cadres/pool/?target_level=deputy_section&q=新").content.decode()
    assert "新推荐" in html and "吉克阿依" not in html


def test_who_may_not_see_the_pool(
    login: Any, reserves: dict[str, Any], city_admin: Any, supervisor: Any, village_cadre: Any
) -> None:
    for person in (city_admin, supervisor, village_cadre):
        assert login(person).get("/cadres/pool/").status_code == 403
        assert login(person).get("/cadres/keyposts/").status_code == 403


def test_the_nominate_form(
    login: Any,
    tree: dict[str, Any],
    make_cadre: Any,
    xc_secretary: Any,
    outsider: Any,
    city_admin: Any,
) -> None:
    cadre = make_cadre(unit=tree["village"], level="village")
    url = f"/cadres/pool/nominate/{cadre.pk}/"
    client = login(xc_secretary)
    form = client.get(url)
    assert form.status_code == 200
    units = [value for value, _label in form.context["form"].fields["unit"].choices]
    # the cadre's own village and the township above it, nearest first (not the city)
    assert units == [str(tree["village"].pk), str(tree["lizhou"].pk)]
    data = {
        "unit": str(tree["lizhou"].pk),
        "target_level": "village_head",
        "voters": "25",
        "votes": "26",
        "reason": "带头发展集体经济",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400
    assert not ReserveEntry.objects.exists()
    done = client.post(url, {**data, "votes": "21"})
    assert done.status_code == 302
    assert ReserveEntry.objects.get().votes == 21
    again = client.post(url, {**data, "votes": "21"})
    assert again.status_code == 409
    assert ReserveEntry.objects.count() == 1
    assert login(outsider).get(url).status_code == 404
    assert login(city_admin).get(url).status_code == 404


def test_the_review_and_remove_forms(
    login: Any, reserves: dict[str, Any], org_dept: Any, xc_secretary: Any, outsider: Any
) -> None:
    waiting = reserves["新推荐"]
    url = f"/cadres/pool/{waiting.pk}/review/"
    assert login(xc_secretary).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    client = login(org_dept)
    assert client.post(url, {"decision": "reject", "note": ""}).status_code == 400
    waiting.refresh_from_db()
    assert waiting.status == "nominated"
    assert client.post(url, {"decision": "admit", "note": "同意"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "in_pool"
    assert client.post(url, {"decision": "admit"}).status_code == 409
    remove = f"/cadres/pool/{waiting.pk}/remove/"
    assert client.post(remove, {"reason": ""}).status_code == 400
    assert client.post(remove, {"reason": "调离本市"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "removed"


def test_the_key_posts_page(
    login: Any, tree: dict[str, Any], org_dept: Any, xc_secretary: Any
) -> None:
    client = login(org_dept)
    assert client.get("/cadres/keyposts/").status_code == 200
    data = {"unit": str(tree["lizhou"].pk), "title": "党委书记", "level": "section_chief"}
    assert client.post("/cadres/keyposts/", data).status_code == 302
    assert client.post("/cadres/keyposts/", data).status_code == 400
    post = KeyPost.objects.get()
    html = login(xc_secretary).get("/cadres/keyposts/").content.decode()
    assert "党委书记" in html and "keypost_remove" not in html
    assert f"/cadres/keyposts/{post.pk}/remove/" not in html
    assert login(xc_secretary).post("/cadres/keyposts/", data).status_code == 403
    assert login(xc_secretary).post(f"/cadres/keyposts/{post.pk}/remove/").status_code == 403
    assert client.post(f"/cadres/keyposts/{post.pk}/remove/").status_code == 302
    assert not KeyPost.objects.exists()
