"""The public report form's captcha: a picture drawn here, answered once, case-insensitive,
expiring after ten minutes; a wrong, expired or reused answer stores nothing."""

from __future__ import annotations

import io
import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests.captcha_support import SEED, fix_captcha
from tests.pages_support import PHONE, POINT, World, build_world

pytestmark = pytest.mark.django_db

WRONG_OR_EXPIRED = "do not match the picture, or the picture has expired"


@pytest.fixture
def world(tree: dict[str, Any], official_calendar: None) -> World:
    return build_world(tree)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> str:
    return fix_captcha(monkeypatch)


@pytest.fixture
def visitor() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"  # the messages' msgids (zh comes with the .po)
    return client


def token_of(client: Client) -> str:
    """The challenge the report form shows (as a browser would read it from the page)."""
    response = client.get("/public/report/")
    assert response.status_code == 200
    token: str = response.context["captcha_token"]
    assert f'src="/public/captcha/{token}.png"' in response.content.decode()
    return token


def form(token: str, typed: str, **overrides: str) -> dict[str, str]:
    lat, lon = POINT
    data = {
        "category": "SRHJ01",
        "description": "路灯坏了一个星期，晚上很黑",
        "lat": str(lat),
        "lon": str(lon),
        "address": "",
        "contact_phone": PHONE,
        "idempotency_key": str(uuid.uuid4()),
        "captcha_token": token,
        "captcha": typed,
    }
    data.update(overrides)
    return data


def events() -> int:
    from grassroots.events.models import Event

    return Event.objects.count()


def captcha_errors(response: Any) -> str:
    """The captcha field's messages, after the codes: a 400 must point at that field."""
    errors = response.context["form"].errors.as_data().get("captcha", [])
    assert errors, response.context["form"].errors
    return " ".join(f"{e.code}: {' '.join(e.messages)}" for e in errors)


def test_the_picture_is_a_png_and_never_cached(visitor: Client, answer: str) -> None:
    token = token_of(visitor)
    response = visitor.get(f"/public/captcha/{token}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "PNG"
    assert (120, 40) <= picture.size <= (300, 100)
    assert len(response.content) < 40_000
    assert answer.encode() not in response.content  # the answer is only drawn
    assert visitor.get("/public/captcha/no-such-token.png").status_code == 404


def test_the_answer_is_kept_only_as_a_salted_hash(visitor: Client, answer: str) -> None:
    from grassroots.portal import captcha

    token = token_of(visitor)
    stored = cache.get(captcha._PREFIX + token)
    assert answer not in repr({k: v for k, v in stored.items() if k != "png"})
    other = captcha.issue()
    assert cache.get(captcha._PREFIX + other)["digest"] != stored["digest"]  # salted


def test_the_right_answer_lets_the_report_through(
    world: World, visitor: Client, answer: str
) -> None:
    response = visitor.post("/public/report/", form(token_of(visitor), answer))
    assert response.status_code == 302
    assert response["Location"] == "/public/report/done/"
    assert events() == 1


def test_the_answer_is_case_insensitive(world: World, visitor: Client, answer: str) -> None:
    typed = f" {answer.lower()[:2]} {answer.lower()[2:]} "
    assert visitor.post("/public/report/", form(token_of(visitor), typed)).status_code == 302
    assert events() == 1


def test_a_wrong_answer_is_400_and_stores_nothing(
    world: World, visitor: Client, answer: str
) -> None:
    wrong = "".join("A" if c != "A" else "C" for c in answer)
    response = visitor.post("/public/report/", form(token_of(visitor), wrong))
    assert response.status_code == 400
    assert WRONG_OR_EXPIRED in captcha_errors(response)
    assert events() == 0
    body = response.content.decode()
    # a new picture, the typed fields kept, the spent answer not shown again
    assert response.context["captcha_token"] in body
    assert "路灯坏了一个星期" in body
    assert f'value="{wrong}"' not in body


def test_a_missing_answer_is_400(world: World, visitor: Client, answer: str) -> None:
    response = visitor.post("/public/report/", form(token_of(visitor), ""))
    assert response.status_code == 400
    assert "required: Type the characters shown in the picture" in captcha_errors(response)
    assert events() == 0


def test_a_made_up_token_is_400(world: World, visitor: Client, answer: str) -> None:
    response = visitor.post("/public/report/", form("made-up-token", answer))
    assert response.status_code == 400
    assert WRONG_OR_EXPIRED in captcha_errors(response)
    assert events() == 0


def test_an_expired_picture_is_400(world: World, visitor: Client, answer: str) -> None:
    token = token_of(visitor)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = visitor.post("/public/report/", form(token, answer))
    assert response.status_code == 400
    assert WRONG_OR_EXPIRED in captcha_errors(response)
    assert events() == 0


def test_a_picture_answers_one_report_only(world: World, visitor: Client, answer: str) -> None:
    token = token_of(visitor)
    assert visitor.post("/public/report/", form(token, answer)).status_code == 302
    again = visitor.post("/public/report/", form(token, answer, description="另一件事情"))
    assert again.status_code == 400
    assert WRONG_OR_EXPIRED in captcha_errors(again)
    assert events() == 1


def test_a_wrong_answer_spends_the_picture(world: World, visitor: Client, answer: str) -> None:
    token = token_of(visitor)
    assert visitor.post("/public/report/", form(token, "XXXXX")).status_code == 400
    assert visitor.post("/public/report/", form(token, answer)).status_code == 400  # no retry
    assert events() == 0


def test_a_new_picture_replaces_the_old_answer(
    visitor: Client, answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.portal import captcha

    token = token_of(visitor)
    first = visitor.get(f"/public/captcha/{token}.png").content
    assert visitor.get(f"/public/captcha/{token}.png").content == first  # same picture
    monkeypatch.setattr(captcha, "source", lambda: random.Random(SEED + 1))
    other = captcha.new_answer(random.Random(SEED + 1))
    assert other != answer
    assert visitor.get(f"/public/captcha/{token}.png?new=1").content != first  # 换一张
    assert not captcha.check(token, answer)  # the old answer no longer fits (and spends it)
    assert visitor.get(f"/public/captcha/{token}.png").status_code == 404


def test_the_new_picture_is_the_one_to_answer(
    visitor: Client, answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.portal import captcha

    token = token_of(visitor)
    monkeypatch.setattr(captcha, "source", lambda: random.Random(SEED + 1))
    assert visitor.get(f"/public/captcha/{token}.png?new=1").status_code == 200
    assert captcha.check(token, captcha.new_answer(random.Random(SEED + 1)))


def test_the_page_links_a_new_picture_and_describes_it(visitor: Client, answer: str) -> None:
    body = visitor.get("/public/report/").content.decode()
    assert "New picture</a>" in body  # 换一张
    assert 'alt="Verification picture: type the characters it shows"' in body
    assert "captcha.js" in body


def test_the_lookup_needs_no_captcha(visitor: Client, answer: str) -> None:
    body = visitor.get("/public/lookup/").content.decode()
    assert "captcha" not in body


def test_the_rate_limit_still_applies(
    world: World, visitor: Client, answer: str, settings: Any
) -> None:
    settings.PORTAL_REPORTS_PER_HOUR = 1
    assert visitor.post("/public/report/", form(token_of(visitor), answer)).status_code == 302
    assert visitor.post("/public/report/", form(token_of(visitor), answer)).status_code == 429
    assert events() == 1
