"""Village history chapters: the text cleaned when saved and when shown, photos of the
chapter's own served by scope, the village's archive page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots.partybuilding.models import HistoryPhoto, VillageHistory
from tests.partybuilding.culture_support import (
    audits,
    history,
    jpeg_bytes,
    media_root,
    motto,
    performer,
    song,
    upload,
)

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<h2 onclick="x()">由来</h2><p style="color:red">礼州古镇<script>alert(1)</script></p>'
    '<a href="javascript:alert(2)">链接</a><img src="https://evil.example/a.png" onerror="y()">'
)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    media_root(tmp_path, settings)


def test_a_new_chapter_is_cleaned_and_keeps_its_photos(
    login: Any, village_cadre: Any, tree: Any
) -> None:
    client = login(village_cadre)
    response = client.post(
        reverse("partybuilding:history_new"),
        {
            "unit": tree["village"].code,
            "title": "建村记",
            "order": "1",
            "body": HOSTILE,
            "photos": [upload("well.jpg", jpeg_bytes(), "image/jpeg")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chapter = VillageHistory.objects.get()
    for word in ("script", "alert", "onclick", "style", "javascript", "evil", "onerror", "<a"):
        assert word not in chapter.body
    assert "<h2>由来</h2>" in chapter.body
    assert "礼州古镇" in chapter.body
    photo = HistoryPhoto.objects.get()
    assert len(audits("partybuilding.history.created")) == 1
    url = reverse("partybuilding:history_photo", args=[chapter.pk, photo.pk])
    edit = reverse("partybuilding:history_edit", args=[chapter.pk])
    body = f'<p>古井</p><img src="{url}" alt="古井"><img src="/partybuilding/culture/x.png">'
    assert client.post(edit, {"title": "建村记", "order": "1", "body": body}).status_code == 302
    chapter.refresh_from_db()
    assert f'<img src="{url}" alt="古井">' in chapter.body
    assert "x.png" not in chapter.body
    page = client.get(reverse("partybuilding:history_detail", args=[chapter.pk])).content.decode()
    assert f'src="{url}"' in page
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    b"".join(served.streaming_content)  # not close(): it would close the test's connection
    # removing the photo removes it from the text too
    assert client.post(edit, {"action": "remove_photo", "photo": str(photo.pk)}).status_code == 302
    chapter.refresh_from_db()
    assert "<img" not in chapter.body
    assert not HistoryPhoto.objects.exists()
    assert len(audits("partybuilding.history.photo_removed")) == 1


def test_hostile_html_stored_by_hand_is_cleaned_when_shown(
    login: Any, supervisor: Any, tree: Any
) -> None:
    chapter = history(tree["village"], body=HOSTILE)
    page = login(supervisor).get(reverse("partybuilding:history_detail", args=[chapter.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "alert(1)" not in text and "javascript:alert" not in text and "evil.example" not in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("village_cadre", 200), ("xc_secretary", 200), ("supervisor", 200), ("outsider", 404)],
)
def test_a_chapter_by_role(request: Any, login: Any, tree: Any, who: str, status: int) -> None:
    chapter = history(tree["village"])
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("partybuilding:history_detail", args=[chapter.pk])).status_code == (
        status
    )
    edit = client.get(reverse("partybuilding:history_edit", args=[chapter.pk])).status_code
    assert edit == {"supervisor": 403, "outsider": 404}.get(who, 200)


def test_a_photo_that_is_not_one_is_refused(login: Any, village_cadre: Any, tree: Any) -> None:
    chapter = history(tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:history_edit", args=[chapter.pk]),
        {"action": "photos", "photos": [upload("a.jpg", b"not a photo", "image/jpeg")]},
    )
    assert response.status_code == 400
    assert not HistoryPhoto.objects.exists()


def test_a_photo_of_another_chapter_cannot_be_removed_through_this_one(
    login: Any, village_cadre: Any, tree: Any
) -> None:
    mine = history(tree["village"], "一")
    other = history(tree["village"], "二")
    photo = HistoryPhoto.objects.create(
        history=other, sha256="a" * 64, content_type="image/jpeg", size=1
    )
    response = login(village_cadre).post(
        reverse("partybuilding:history_edit", args=[mine.pk]),
        {"action": "remove_photo", "photo": str(photo.pk)},
    )
    assert response.status_code == 400
    assert HistoryPhoto.objects.filter(pk=photo.pk).exists()


def test_the_village_archive_ties_it_together(
    login: Any, village_cadre: Any, outsider: Any, tree: Any
) -> None:
    village = tree["village"]
    song(village, "礼州之歌")
    history(village, "建村记")
    motto(village, "王家", "勤俭持家")
    performer(village, "阿说莫", phone="13912345678")
    performer(village, "已退出", active=False)
    url = reverse("partybuilding:village_archive", args=[village.code])
    page = login(village_cadre).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    for word in ("礼州之歌", "建村记", "王家", "勤俭持家", "阿说莫"):
        assert word in text
    assert "已退出" not in text
    assert "13912345678" not in text
    assert login(outsider).get(url).status_code == 404
    assert login(village_cadre).get("/partybuilding/culture/villages/nope/").status_code == 404
