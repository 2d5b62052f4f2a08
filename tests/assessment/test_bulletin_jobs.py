"""Asking for a bulletin: one job per publication and format, progress to 100, the file kept
under its SHA-256 and served again without rendering; the office's buttons and downloads,
scoped (a publication whose run the viewer may not see is a 404)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from grassroots.assessment.actions import bulletins as actions
from grassroots.assessment.actions.bulletins import request_bulletin
from grassroots.assessment.models import Bulletin, BulletinState
from grassroots.audit.models import AuditEntry
from tests.assessment.bulletin_support import published_quarter


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def publication(tree: dict[str, Any], city_admin: Any) -> Any:
    return published_quarter(tree, city_admin)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[int]]]:
    """Every rendering the job does: (format, the progress it reported)."""
    import grassroots.assessment.bulletins as bulletins

    done: list[tuple[str, list[int]]] = []
    real = bulletins.render

    def counting(publication: Any, fmt: str, *, progress: Any = None) -> bytes:
        seen: list[int] = []

        def report(p: int) -> None:
            seen.append(p)
            if progress is not None:
                progress(p)

        data = real(publication, fmt, progress=report)
        done.append((fmt, seen))
        return data

    monkeypatch.setattr(bulletins, "render", counting)
    return done


def test_the_job_renders_with_progress_and_keeps_the_file(
    publication: Any, city_admin: Any, renders: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request_bulletin(publication.pk, "pdf", actor=city_admin)

    bulletin = Bulletin.objects.get(publication=publication, format="pdf")
    assert bulletin.state == BulletinState.DONE and bulletin.progress == 100
    fmt, progress = renders[0]
    assert fmt == "pdf" and progress == sorted(progress) and progress[-1] >= 90
    with default_storage.open(bulletin.file.name) as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    assert bulletin.file.name == f"bulletins/{hashlib.sha256(data).hexdigest()}.pdf"
    assert bulletin.size == len(data) and bulletin.seconds is not None
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.bulletin.requested", "assessment.bulletin.rendered"} <= actions_logged


def test_a_second_request_gets_the_stored_file_without_rendering(
    publication: Any, city_admin: Any, renders: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = request_bulletin(publication.pk, "xlsx", actor=city_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = request_bulletin(publication.pk, "xlsx", actor=None)

    assert second.pk == first.pk and second.state == BulletinState.DONE
    assert len(renders) == 1 and not callbacks  # no second job


def test_two_clicks_while_queued_start_one_job(
    publication: Any, city_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_bulletin(publication.pk, "pdf", actor=city_admin)
        request_bulletin(publication.pk, "pdf", actor=city_admin)

    assert len(callbacks) == 1
    assert Bulletin.objects.get().state == BulletinState.QUEUED


def test_a_job_queued_twice_renders_once(
    publication: Any, city_admin: Any, renders: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = request_bulletin(publication.pk, "xlsx", actor=city_admin)

    assert actions.render_bulletin_now(bulletin.pk) == BulletinState.DONE
    assert len(renders) == 1


def test_a_failed_rendering_is_shown_and_the_next_request_retries(
    publication: Any,
    city_admin: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import grassroots.assessment.bulletins as bulletins

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("no fonts")

    real = bulletins.render
    monkeypatch.setattr(bulletins, "render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        request_bulletin(publication.pk, "pdf", actor=city_admin)
    failed = Bulletin.objects.get()
    assert failed.state == BulletinState.FAILED and "no fonts" in failed.error

    monkeypatch.setattr(bulletins, "render", real)
    with django_capture_on_commit_callbacks(execute=True):
        request_bulletin(publication.pk, "pdf", actor=city_admin)
    assert Bulletin.objects.get().state == BulletinState.DONE


def test_someone_without_the_publication_in_scope_is_refused(
    publication: Any, dept_staff: Any
) -> None:
    with pytest.raises(PermissionDenied):
        request_bulletin(publication.pk, "pdf", actor=dept_staff)
    assert not Bulletin.objects.exists()


# --- the office's pages --------------------------------------------------------------------


def test_the_publications_page_offers_to_generate_the_bulletin(
    publication: Any, city_admin: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(city_admin)
    with django_assert_max_num_queries(25):
        page = client.get("/assessment/publications/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "生成通报（PDF）" in body and "生成通报（Excel）" in body


def test_generate_then_download_from_the_office(
    publication: Any, city_admin: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(city_admin)
    url = f"/assessment/publications/{publication.pk}/bulletin/"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"format": "pdf"}, HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert 'hx-trigger="every 2s"' in answer.content.decode()  # queued: the box polls
    box = client.get(url).content.decode()  # the job has run since
    assert "下载通报（PDF）" in box and "every 2s" not in box
    file = client.get(f"/assessment/publications/{publication.pk}/bulletin.pdf")
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in file["Content-Disposition"]
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    file.close()


def test_the_box_polls_while_the_bulletin_is_being_rendered(
    publication: Any, city_admin: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(city_admin)
    url = f"/assessment/publications/{publication.pk}/bulletin/"
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"format": "xlsx"}, HTTP_HX_REQUEST="true")

    box = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in box and "排队中" in box
    assert client.get(f"/assessment/publications/{publication.pk}/bulletin.xlsx").status_code == 404


def test_office_pages_answer_404_out_of_scope(
    publication: Any, dept_staff: Any, login: Any
) -> None:
    client = login(dept_staff)

    assert client.get(f"/assessment/publications/{publication.pk}/bulletin/").status_code == 404
    post = client.post(f"/assessment/publications/{publication.pk}/bulletin/", {"format": "pdf"})
    assert post.status_code == 404
    assert client.get(f"/assessment/publications/{publication.pk}/bulletin.pdf").status_code == 404
    assert not Bulletin.objects.exists()


def test_an_unknown_format_is_refused(publication: Any, city_admin: Any, login: Any) -> None:
    client = login(city_admin)

    answer = client.post(f"/assessment/publications/{publication.pk}/bulletin/", {"format": "doc"})

    assert answer.status_code == 400 and not Bulletin.objects.exists()
    assert client.get(f"/assessment/publications/{publication.pk}/bulletin.doc").status_code == 404


def test_the_demo_renders_the_latest_publication_of_each_scheme(publication: Any) -> None:
    from grassroots.demo.assessment import render_current_bulletins

    older = ("xc-village-2026", "2026-Q2", 1, "f" * 64)  # not the latest: not looked up
    latest = (publication.scheme.code, publication.period, 1, publication.sha256)

    assert render_current_bulletins([older, latest]) == 2
    assert set(Bulletin.objects.values_list("format", "state")) == {
        ("pdf", BulletinState.DONE),
        ("xlsx", BulletinState.DONE),
    }
