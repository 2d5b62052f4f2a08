"""The reviewer's checks of the public portal's new pages (issue 6): bad query parameters
never fail, GET-only pages answer 405 to other methods, an unknown or malformed hash is a
404, a public GET that asks for a bulletin renders it once however often it is asked and
is rate limited, and the pages carry no inline style or script (CSP)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from grassroots.assessment.models import Bulletin
from grassroots.audit.models import AuditEntry
from tests.assessment.bulletin_support import published_quarter

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "\x00",
    "a\x00b",
    "a" * 5000,
    "../..",
    "全",
    "<script>",
]


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def publication(tree: dict[str, Any], city_admin: Any) -> Any:
    return published_quarter(tree, city_admin)


def pages(publication: Any) -> list[str]:
    return [
        "/public/",
        "/public/projects/",
        "/public/assessment/",
        "/public/assessment/lists/",
        f"/public/assessment/{publication.sha256}/",
    ]


@pytest.mark.parametrize(
    "name", ["page", "q", "scheme", "year", "kind", "group", "feasibility", "sort", "metric"]
)
def test_bad_query_parameters_never_fail(publication: Any, name: str) -> None:
    client = Client()
    for url in pages(publication):
        for value in BAD_VALUES:
            response = client.get(url, {name: value})
            assert response.status_code == 200, (url, name, value, response.status_code)


def test_a_search_with_a_nul_character_finds_nothing_rather_than_failing(
    publication: Any,
) -> None:
    for url in ("/public/projects/", f"/public/assessment/{publication.sha256}/"):
        response = Client().get(url, {"q": "礼州\x00村"})
        assert response.status_code == 200
        assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(
    "suffix", ["/", ".json", "/bulletin.pdf", "/bulletin.xlsx", "/bulletin.PDF", "/bulletin.doc"]
)
def test_unknown_or_malformed_hashes_are_not_found(publication: Any, suffix: str) -> None:
    client = Client()
    for sha in ("0" * 64, "z" * 64, publication.sha256[:63], publication.sha256 + "0", "x"):
        assert client.get(f"/public/assessment/{sha}{suffix}").status_code == 404, (sha, suffix)
    if suffix in ("/bulletin.PDF", "/bulletin.doc"):
        assert client.get(f"/public/assessment/{publication.sha256}{suffix}").status_code == 404
    assert not Bulletin.objects.exists()


def test_get_only_pages_refuse_other_methods(publication: Any) -> None:
    client = Client()
    for url in [
        *pages(publication),
        f"/public/assessment/{publication.sha256}.json",
        f"/public/assessment/{publication.sha256}/bulletin.pdf",
    ]:
        for method in ("post", "put", "delete", "patch"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url, response.status_code)
    assert not Bulletin.objects.exists()  # a refused POST asked for nothing


def test_a_public_bulletin_is_asked_for_once_and_rate_limited(
    publication: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PORTAL_BULLETINS_PER_HOUR = 2
    url = f"/public/assessment/{publication.sha256}/bulletin.pdf"
    client = Client(REMOTE_ADDR="203.0.113.9")
    # the worker is elsewhere: the job is not run while we ask again and again
    with django_capture_on_commit_callbacks(execute=False):
        answers = [client.get(url).status_code for _ in range(5)]
    assert answers == [202] * 5  # one job queued, the others see it being rendered
    assert Bulletin.objects.count() == 1
    assert AuditEntry.objects.filter(action="assessment.bulletin.requested").count() == 1
    # another format counts against the same client's hourly budget
    with django_capture_on_commit_callbacks(execute=False):
        assert client.get(url.replace(".pdf", ".xlsx")).status_code == 202
        Bulletin.objects.filter(format="xlsx").update(state="failed")
        assert client.get(url.replace(".pdf", ".xlsx")).status_code == 429


def test_new_portal_pages_have_no_inline_style_or_script(publication: Any) -> None:
    for url in pages(publication):
        body = Client().get(url).content.decode()
        assert ' style="' not in body, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        for th in re.findall(r"<th\b[^>]*>", body):
            assert "scope=" in th, (url, th)
        assert '<html lang="zh-hans"' in body.lower() or 'lang="zh-hans"' in body.lower(), url


def test_a_bulletin_whose_worker_died_is_asked_for_again_by_the_public(
    publication: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    url = f"/public/assessment/{publication.sha256}/bulletin.xlsx"
    with django_capture_on_commit_callbacks(execute=False):
        assert Client().get(url).status_code == 202
    # the worker died under it: the row has not moved for an hour
    Bulletin.objects.update(state="running", updated_at=timezone.now() - dt.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        again = Client().get(url)

    assert again.status_code in (200, 202)
    assert Bulletin.objects.get().state == "done"
    assert AuditEntry.objects.filter(action="assessment.bulletin.requested").count() == 2


def test_tracking_a_number_with_a_nul_character_goes_back_to_the_lookup(
    publication: Any,
) -> None:
    visitor = Client()
    session = visitor.session
    session["portal_events"] = [1]
    session.save()
    for number in ("XC%00", "%00", "a" * 3000):
        answer = visitor.get(f"/public/track/{number}/")
        assert answer.status_code == 302 and answer["Location"] == "/public/lookup/"
        assert visitor.post(f"/public/track/{number}/").status_code == 405
