"""Village songs: who sees and edits them, the recording checked by its bytes, the player's
file served by scope with HTTP ranges."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from grassroots.partybuilding.models import Song
from tests.partybuilding.culture_support import (
    MP3_ID3,
    audits,
    media_root,
    png_bytes,
    song,
    upload,
    wav_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    media_root(tmp_path, settings)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("city_admin", 200),
        ("xc_secretary", 200),
        ("village_cadre", 200),
        ("supervisor", 200),
        ("committee_member", 200),
        ("neighbour_cadre", 404),
        ("outsider", 404),
        ("grid_worker", 404),
        ("dept_staff", 404),
        ("resident", 404),
    ],
)
def test_a_song_page_by_role(request: Any, login: Any, tree: Any, who: str, status: int) -> None:
    s = song(tree["village"])
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("partybuilding:song_detail", args=[s.pk])).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("village_cadre", 200), ("city_admin", 200), ("supervisor", 200), ("grid_worker", 403)],
)
def test_the_list_by_role(request: Any, login: Any, tree: Any, who: str, status: int) -> None:
    song(tree["village"], "礼州之歌")
    song(tree["other_village"], "安宁谣")
    response = login(request.getfixturevalue(who)).get(reverse("partybuilding:songs"))
    assert response.status_code == status
    if who == "village_cadre":
        assert "礼州之歌" in response.content.decode()
        assert "安宁谣" not in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("supervisor", 403), ("neighbour_cadre", 403)])
def test_only_recorders_of_the_village_edit(
    request: Any, login: Any, tree: Any, who: str, status: int
) -> None:
    s = song(tree["village"])
    client = login(request.getfixturevalue(who))
    url = reverse("partybuilding:song_edit", args=[s.pk])
    expected = 404 if who == "neighbour_cadre" else status
    assert client.get(url).status_code == expected
    assert client.post(url, {"action": "delete"}).status_code == expected
    assert Song.objects.filter(pk=s.pk).exists()


def test_a_cadre_adds_a_song_with_its_recording(login: Any, village_cadre: Any, tree: Any) -> None:
    client = login(village_cadre)
    response = client.post(
        reverse("partybuilding:song_new"),
        {
            "unit": tree["village"].code,
            "title": "礼州之歌",
            "lyricist": "张三",
            "lyrics": "安宁河水长",
            "audio": upload("song.mp3", MP3_ID3),
        },
    )
    assert response.status_code == 302
    s = Song.objects.get()
    assert (s.title, s.unit, s.content_type, s.size) == (
        "礼州之歌",
        tree["village"],
        "audio/mpeg",
        len(MP3_ID3),
    )
    assert len(audits("partybuilding.song.created")) == 1
    page = client.get(reverse("partybuilding:song_detail", args=[s.pk])).content.decode()
    assert "<audio controls" in page
    assert reverse("partybuilding:song_audio", args=[s.pk]) in page


def test_a_song_for_another_village_is_refused(login: Any, village_cadre: Any, tree: Any) -> None:
    response = login(village_cadre).post(
        reverse("partybuilding:song_new"),
        {"unit": tree["other_village"].code, "title": "安宁谣"},
    )
    assert response.status_code == 400
    assert not Song.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [("photo.mp3", png_bytes()), ("notes.mp3", "歌词".encode() * 20), ("empty.mp3", b"")],
)
def test_a_file_that_is_not_audio_changes_nothing(
    login: Any, village_cadre: Any, tree: Any, name: str, data: bytes
) -> None:
    s = song(tree["village"])
    client = login(village_cadre)
    response = client.post(
        reverse("partybuilding:song_edit", args=[s.pk]),
        {"action": "recording", "audio": upload(name, data)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert ("不是录音" in body) or ("录音文件是空的" in body) or ("这个字段是必填项" in body)
    s.refresh_from_db()
    assert s.sha256 == ""
    assert not audits("partybuilding.song.recording_set")
    response = client.post(
        reverse("partybuilding:song_new"),
        {"unit": tree["village"].code, "title": "新歌", "audio": upload(name, data)},
    )
    if data:
        assert response.status_code == 400
        assert "不是录音" in response.content.decode()
        assert Song.objects.count() == 1


def test_a_too_large_recording_is_refused(
    login: Any, village_cadre: Any, tree: Any, settings: Any
) -> None:
    settings.GRASSROOTS_AUDIO_MAX_MB = 1
    s = song(tree["village"])
    response = login(village_cadre).post(
        reverse("partybuilding:song_edit", args=[s.pk]),
        {"action": "recording", "audio": upload("big.wav", wav_bytes(1024 * 1024 + 1))},
    )
    assert response.status_code == 400
    assert "录音文件超过 1 MB" in response.content.decode()
    s.refresh_from_db()
    assert s.sha256 == ""


def _with_recording(client: Any, s: Song, data: bytes) -> None:
    response = client.post(
        reverse("partybuilding:song_edit", args=[s.pk]),
        {"action": "recording", "audio": upload("song.wav", data)},
    )
    assert response.status_code == 302


def test_the_recording_is_served_with_ranges(login: Any, village_cadre: Any, tree: Any) -> None:
    data = wav_bytes(5000)
    s = song(tree["village"])
    client = login(village_cadre)
    _with_recording(client, s, data)
    assert len(audits("partybuilding.song.recording_set")) == 1
    url = reverse("partybuilding:song_audio", args=[s.pk])
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "audio/wav"
    assert b"".join(whole.streaming_content) == data
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206
    assert b"".join(tail.streaming_content) == data[-10:]
    assert tail["Content-Range"] == f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}"
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200
    b"".join(stale.streaming_content)  # not close(): it would close the test's connection


def test_the_recording_is_not_served_out_of_scope(
    login: Any, village_cadre: Any, outsider: Any, tree: Any
) -> None:
    s = song(tree["village"])
    _with_recording(login(village_cadre), s, wav_bytes())
    url = reverse("partybuilding:song_audio", args=[s.pk])
    assert login(outsider).get(url).status_code == 404
    assert login(outsider).get(url, HTTP_RANGE="bytes=0-1").status_code == 404
    empty = song(tree["village"], "无录音")
    assert (
        login(village_cadre).get(reverse("partybuilding:song_audio", args=[empty.pk])).status_code
        == 404
    )


def test_edit_and_delete_are_audited(login: Any, village_cadre: Any, tree: Any) -> None:
    s = song(tree["village"])
    client = login(village_cadre)
    url = reverse("partybuilding:song_edit", args=[s.pk])
    assert client.post(url, {"title": "新名字", "lyrics": "x"}).status_code == 302
    s.refresh_from_db()
    assert s.title == "新名字"
    [entry] = audits("partybuilding.song.updated")
    assert entry.after == {"title": "新名字", "lyrics": "x"}
    assert client.post(url, {"title": ""}).status_code == 400
    assert client.post(url, {"title": "a\x00b"}).status_code == 400
    assert client.post(url, {"title": "长" * 300}).status_code == 400
    assert client.post(url, {"action": "delete"}).status_code == 302
    assert not Song.objects.exists()
    assert len(audits("partybuilding.song.deleted")) == 1


def test_garbage_ids_are_not_found(login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    assert client.get("/partybuilding/culture/songs/99999/").status_code == 404
    assert client.get("/partybuilding/culture/songs/abc/").status_code == 404
