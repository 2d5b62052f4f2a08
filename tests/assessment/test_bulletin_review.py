"""The reviewer's checks of the bulletins: the office routes against every role of the cast,
for a publication of the city and one of another township's own scheme; methods and bad
addresses; and no person (the publisher, the requester) in the PDF or the workbook."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from grassroots.assessment.models import Bulletin
from grassroots.audit.models import AuditEntry
from tests.assessment.bulletin_support import pdf_text, published_quarter
from tests.assessment.publishing_support import plain_scheme, run_with_results
from tests.conftest import _person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city_pub(tree: dict[str, Any], city_admin: Any) -> Any:
    return published_quarter(tree, city_admin)


@pytest.fixture
def anning_pub(tree: dict[str, Any], city_admin: Any) -> Any:
    """安宁镇's own village scheme, published (its root is another township)."""
    from grassroots.assessment.actions.publishing import publish_run

    scheme = plain_scheme(
        tree, code="an-village-2026", name="安宁镇2026年村考核", root=tree["anning"]
    )
    run = run_with_results(scheme, "2026-Q3", [(tree["other_village"], "88")])
    return publish_run(run, actor=city_admin)


@pytest.fixture
def cast(
    tree: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    supervisor: Any,
    village_cadre: Any,
    grid_worker: Any,
    outsider: Any,
    dept_staff: Any,
    resident: Any,
) -> dict[str, Any]:
    return {
        "city_admin": city_admin,
        "xc_secretary": xc_secretary,
        "supervisor": supervisor,
        "village_cadre": village_cadre,
        "grid_worker": grid_worker,
        "outsider": outsider,
        "dept_staff": dept_staff,
        "rater": _person("rater", "rater", tree["city"]),
        "resident": resident,
    }


#: Who may open 安宁镇's own publication in the office pages.
SEES_ANNING = {"city_admin", "outsider"}


@pytest.mark.parametrize(
    "role",
    [
        "city_admin",
        "xc_secretary",
        "supervisor",
        "village_cadre",
        "grid_worker",
        "outsider",
        "dept_staff",
        "rater",
        "resident",
    ],
)
def test_another_townships_publication_is_not_found_in_the_office(
    city_pub: Any,
    anning_pub: Any,
    cast: dict[str, Any],
    login: Any,
    role: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login(cast[role])
    base = f"/assessment/publications/{anning_pub.pk}/bulletin"
    expected = 200 if role in SEES_ANNING else 404
    assert client.get(f"{base}/").status_code == expected
    with django_capture_on_commit_callbacks(execute=False):
        post = client.post(f"{base}/", {"format": "pdf"}, HTTP_HX_REQUEST="true")
    assert post.status_code == expected
    assert Bulletin.objects.filter(publication=anning_pub).exists() == (expected == 200)
    if expected == 404:
        assert not AuditEntry.objects.filter(action="assessment.bulletin.requested").exists()
        assert client.get(f"{base}.pdf").status_code == 404


def test_anonymous_is_sent_to_the_login(city_pub: Any) -> None:
    client = Client()
    for url in (
        f"/assessment/publications/{city_pub.pk}/bulletin/",
        f"/assessment/publications/{city_pub.pk}/bulletin.pdf",
    ):
        assert client.get(url).status_code == 302
        assert client.post(url, {"format": "pdf"}).status_code in (302, 405)
    assert not Bulletin.objects.exists()


def test_bad_addresses_and_methods(city_pub: Any, city_admin: Any, login: Any) -> None:
    client = login(city_admin)
    for pk in ("0", "99999999999999999999999", str(city_pub.pk + 1000)):
        assert client.get(f"/assessment/publications/{pk}/bulletin/").status_code == 404
        assert client.get(f"/assessment/publications/{pk}/bulletin.pdf").status_code == 404
        assert client.post(f"/assessment/publications/{pk}/bulletin/").status_code == 404
    url = f"/assessment/publications/{city_pub.pk}/bulletin/"
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(url).status_code == 405
        assert getattr(client, method)(url.rstrip("/") + ".pdf").status_code == 405
    for fmt in ("", "doc", "pdf\x00", "x" * 3000):
        assert client.post(url, {"format": fmt}).status_code == 400
    assert client.post(url, {"format": "pdf", "next": "https://evil.example/"}).status_code == 302
    assert not client.post(url, {"format": "xlsx", "next": "//evil.example/"})[
        "Location"
    ].startswith("//evil")
    # the box itself never asks for anything
    Bulletin.objects.all().delete()
    client.get(url)
    client.head(url.rstrip("/") + ".pdf")
    assert not Bulletin.objects.exists()


def test_neither_file_names_a_person(
    city_pub: Any,
    city_admin: Any,
    xc_secretary: Any,
    login: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from openpyxl import load_workbook

    from grassroots.org.models import User

    client = login(xc_secretary)  # the requester
    url = f"/assessment/publications/{city_pub.pk}/bulletin"
    for fmt in ("pdf", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"{url}/", {"format": fmt}).status_code == 302
    pdf = client.get(f"{url}.pdf")
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
    xlsx = client.get(f"{url}.xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    cells = " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert "礼州村" in text and "礼州村" in cells
    for person in User.objects.all():
        for value in (person.full_name, person.username, person.phone):
            if value:
                assert value not in text, value
                assert value not in cells, value


def test_the_office_can_ask_again_for_a_bulletin_whose_worker_died(
    city_pub: Any, city_admin: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    client = login(city_admin)
    url = f"/assessment/publications/{city_pub.pk}/bulletin/"
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"format": "pdf"}, HTTP_HX_REQUEST="true")
    Bulletin.objects.update(state="running", updated_at=timezone.now() - dt.timedelta(hours=1))

    box = client.get(url).content.decode()

    assert "every 2s" not in box  # no endless progress bar
    assert "生成通报（PDF）" in box and "上次生成失败" in box
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"format": "pdf"}, HTTP_HX_REQUEST="true")
    assert Bulletin.objects.get().state == "done"
