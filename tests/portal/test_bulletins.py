"""The public download of a bulletin (/public/assessment/<sha256>/bulletin.pdf|xlsx): the
stored file with its Chinese name; not rendered yet, the visitor's request queues it
(rate limited) and gets "正在生成，请稍后刷新" with 202; unknown hash or format: 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from grassroots.assessment.models import Bulletin, BulletinState
from tests.assessment.bulletin_support import published_quarter

TITLE = "西昌市2026年第3季度村(社区)目标绩效考核情况通报"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the rate limit's counters


@pytest.fixture
def publication(tree: dict[str, Any], city_admin: Any) -> Any:
    return published_quarter(tree, city_admin)


def url(publication: Any, fmt: str) -> str:
    return f"/public/assessment/{publication.sha256}/bulletin.{fmt}"


def test_the_public_gets_the_pdf_with_its_chinese_name(
    publication: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = Client().get(url(publication, "pdf"))
    assert first.status_code == 202  # the job ran after the answer (a worker elsewhere)

    answer = Client().get(url(publication, "pdf"))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    expected = quote(f"{TITLE}-2026-Q3-v1.pdf")
    assert f"filename*=utf-8''{expected}" in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    answer.close()


def test_the_excel_comes_with_its_type(
    publication: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().get(url(publication, "xlsx"))

    answer = Client().get(url(publication, "xlsx"))

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    answer.close()


def test_while_it_is_generated_the_visitor_is_asked_to_refresh(
    publication: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        page = Client().get(url(publication, "pdf"))
        again = Client().get(url(publication, "pdf"))

    assert page.status_code == 202 and again.status_code == 202
    assert "正在生成，请稍后刷新" in page.content.decode()
    assert page["Refresh"] and page["Retry-After"]
    assert len(jobs) == 1  # one job for both visitors
    assert Bulletin.objects.get().state == BulletinState.QUEUED


def test_starting_renderings_is_rate_limited(publication: Any, settings: Any) -> None:
    settings.PORTAL_BULLETINS_PER_HOUR = 0

    answer = Client().get(url(publication, "pdf"))

    assert answer.status_code == 429
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("fmt", ["doc", "PDF", "json"])
def test_an_unknown_format_is_404(publication: Any, fmt: str) -> None:
    assert Client().get(url(publication, fmt)).status_code == 404


def test_an_unknown_hash_is_404(publication: Any) -> None:
    assert Client().get(f"/public/assessment/{'0' * 64}/bulletin.pdf").status_code == 404
    assert Client().get("/public/assessment/abc/bulletin.pdf").status_code == 404
    assert not Bulletin.objects.exists()


def test_writes_are_refused(publication: Any) -> None:
    assert Client().post(url(publication, "pdf")).status_code == 405
