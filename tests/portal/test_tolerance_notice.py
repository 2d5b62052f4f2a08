"""The public notice of error-tolerance cases (/public/tolerance/): what the public reads
of a case under notice, and the objection form with its captcha, rate limit and deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from grassroots.cadres.models import Objection
from tests.cadres.conftest import make_cadre as cadre_factory  # noqa: F401 -- a fixture
from tests.cadres.conftest import org_dept as organisation_department  # noqa: F401
from tests.cadres.test_tolerance_support import (
    AFTER_NOTICE,
    NOTICE_ENDS,
    NOW,
    apply,
    deduction_scheme,
    under_notice,
)
from tests.captcha_support import fix_captcha, solved

pytestmark = pytest.mark.django_db

LIST = "/public/tolerance/"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _setup(tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    deduction_scheme(tree)
    fix_captcha(monkeypatch)


@pytest.fixture
def visitor() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def case(
    tree: dict[str, Any],
    organisation_department: Any,  # noqa: F811 -- the imported fixture
    xc_secretary: Any,
    cadre_factory: Any,  # noqa: F811
) -> Any:
    cadre = cadre_factory(name="阿苏拉则", post="礼州镇副镇长")
    return under_notice(
        xc_secretary,
        organisation_department,
        tree["village"],
        cadre=cadre,
        facts="试点项目延误; 联系人电话13812349876, 身份证号513401199001011234。" + "详" * 200,
    )


def objection_of(number: str, **overrides: str) -> dict[str, str]:
    return {
        "name": "群众乙",
        "phone": "13900001111",
        "text": "该项目并非试点, 不应免责",
        **solved(),
        **overrides,
    }


def url_of(case: Any) -> str:
    return f"/public/tolerance/{case.number}/objection/"


def test_the_public_reads_the_cases_under_notice_and_nothing_private(
    tree: dict[str, Any],
    case: Any,
    xc_secretary: Any,
    outsider: Any,
    organisation_department: Any,  # noqa: F811
    visitor: Client,
) -> None:
    applied = apply(xc_secretary, tree["village"], title="还在核实的案件")
    other = under_notice(
        outsider, organisation_department, tree["other_village"], title="安宁村的案件"
    )

    with time_machine.travel(NOTICE_ENDS - dt.timedelta(hours=1), tick=False):
        page = visitor.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert case.number in text and "礼州村" in text and other.number in text
    # the post and unit say whom it concerns; the name is masked like every name on the portal
    assert "阿***" in text and "阿苏拉则" not in text and "礼州镇副镇长" in text
    assert case.title in text and "2026-10-22 23:59" in text
    assert "138****9876" in text and "13812349876" not in text
    assert "513401199001011234" not in text
    assert case.cadre.phone not in text and case.cadre.id_number not in text
    assert "李书记" not in text and "钱科长" not in text  # who applied or decided
    assert applied.title not in text
    assert f'href="{url_of(case)}"' in text
    with time_machine.travel(AFTER_NOTICE, tick=False):
        later = visitor.get(LIST).content.decode()
    assert case.number not in later and other.number not in later
    assert "No case is under public notice now." in later


def test_anyone_may_object_during_the_notice(case: Any, visitor: Client) -> None:
    form = visitor.get(url_of(case))
    assert form.status_code == 200
    assert f'src="/public/captcha/{form.context["captcha_token"]}.png"' in form.content.decode()

    response = visitor.post(url_of(case), objection_of(case.number))

    assert response.status_code == 302 and response["Location"] == LIST
    objection = Objection.objects.get()
    assert (objection.case_id, objection.name, objection.phone, objection.filed_by) == (
        case.pk,
        "群众乙",
        "13900001111",
        None,
    )
    after = visitor.get(LIST).content.decode()
    assert f"your objection to {case.number} was recorded" in after
    assert "13900001111" not in after and "群众乙" not in after


def test_a_logged_in_objection_is_theirs(case: Any, resident: Any, login: Any) -> None:
    client = login(resident)
    form = client.get(url_of(case)).content.decode()
    assert 'value="群众甲"' in form  # their name, to keep or change
    posted = client.post(url_of(case), objection_of(case.number, name="", phone=""))
    assert posted.status_code == 302
    objection = Objection.objects.get()
    assert (objection.filed_by, objection.name, objection.phone) == (resident, "群众甲", "")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"captcha": "WRONG"}, "captcha"),
        ({"captcha_token": "nope"}, "captcha"),
        ({"phone": ""}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"name": ""}, "name"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_objection_is_refused_and_nothing_is_stored(
    case: Any, visitor: Client, overrides: dict[str, str], field: str
) -> None:
    response = visitor.post(url_of(case), objection_of(case.number, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Objection.objects.count() == 0
    # the page offers a fresh picture and does not show the spent answer
    assert response.context["captcha_token"] != overrides.get("captcha_token")


def test_an_objection_after_the_deadline_is_refused(case: Any, visitor: Client) -> None:
    with time_machine.travel(NOTICE_ENDS + dt.timedelta(minutes=1), tick=False):
        form = visitor.get(url_of(case))
        response = visitor.post(url_of(case), objection_of(case.number))
    assert form.status_code == 200
    assert "objections are no longer taken" in form.content.decode()
    assert '<form method="post" class="objection-form">' not in form.content.decode()
    assert response.status_code == 409
    assert "ended on 2026-10-22" in response.content.decode()
    assert Objection.objects.count() == 0


def test_cases_never_put_under_notice_are_not_found(
    tree: dict[str, Any], xc_secretary: Any, visitor: Client
) -> None:
    applied = apply(xc_secretary, tree["village"])
    assert visitor.get(url_of(applied)).status_code == 404
    assert visitor.post(url_of(applied), objection_of(applied.number)).status_code == 404
    assert visitor.get("/public/tolerance/RC2026-9999/objection/").status_code == 404
    assert Objection.objects.count() == 0


def test_objections_are_rate_limited(case: Any, visitor: Client, settings: Any) -> None:
    settings.PORTAL_OBJECTIONS_PER_HOUR = 2
    codes = [visitor.post(url_of(case), objection_of(case.number)).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Objection.objects.count() == 2
