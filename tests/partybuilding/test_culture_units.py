"""The culture archive's pure pieces: recordings checked by their bytes, the history HTML
cleaned, HTTP ranges parsed."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.partybuilding.audio import prepare_audio, sniff
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.richtext import clean_html
from grassroots.partybuilding.views.culture_files import byte_range
from tests.partybuilding.culture_support import (
    FLAC,
    M4A,
    MP3_FRAME,
    MP3_ID3,
    MP4_VIDEO,
    OGG,
    png_bytes,
    upload,
    wav_bytes,
)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (MP3_ID3, "audio/mpeg"),
        (MP3_FRAME, "audio/mpeg"),
        (M4A, "audio/mp4"),
        (OGG, "audio/ogg"),
        (wav_bytes(), "audio/wav"),
        (FLAC, "audio/flac"),
    ],
)
def test_a_recording_is_known_by_its_bytes(data: bytes, kind: str) -> None:
    assert sniff(data[:64]) == kind
    prepared = prepare_audio(upload("whatever.bin", data, "application/octet-stream"))
    assert prepared.content_type == kind
    assert prepared.size == len(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.mp3", png_bytes()),
        ("notes.mp3", "这不是录音".encode()),
        ("movie.m4a", MP4_VIDEO),
        ("zeros.mp3", b"\xff\xff\xff\xff" + b"\x00" * 100),
    ],
)
def test_what_is_not_a_recording_is_refused_in_chinese(name: str, data: bytes) -> None:
    with pytest.raises(PartybuildingError) as caught:
        prepare_audio(upload(name, data))
    assert caught.value.field == "audio"
    assert "不是录音" in caught.value.message


def test_an_empty_file_and_a_too_large_one_are_refused(settings: Any) -> None:
    with pytest.raises(PartybuildingError, match="录音文件是空的"):
        prepare_audio(upload("empty.mp3", b""))
    settings.GRASSROOTS_AUDIO_MAX_MB = 1
    with pytest.raises(PartybuildingError, match="1 MB"):
        prepare_audio(upload("big.wav", wav_bytes(1024 * 1024 + 10)))


def test_a_bad_size_setting_is_a_configuration_error(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.GRASSROOTS_AUDIO_MAX_MB = "lots"
    with pytest.raises(ImproperlyConfigured):
        prepare_audio(upload("a.mp3", MP3_ID3))


OWN = "/partybuilding/culture/history/1/photos/2/"


@pytest.mark.parametrize(
    ("hostile", "gone"),
    [
        ("<p>村史<script>alert(1)</script></p>", ["script", "alert"]),
        ('<p onclick="steal()" style="color:red">村史</p>', ["onclick", "steal", "style"]),
        (f'<img src="{OWN}" onerror="steal()">', ["onerror", "steal"]),
        ('<a href="javascript:alert(1)">点我</a>', ["javascript", "href", "<a"]),
        ('<img src="https://evil.example/x.png">', ["evil", "<img"]),
        ('<img src="javascript:alert(1)">', ["javascript", "<img"]),
        ("<iframe src='https://evil.example'></iframe><p>x</p>", ["iframe", "evil"]),
        ("<svg><script>alert(1)</script></svg>", ["svg", "script", "alert"]),
        ("<style>body{display:none}</style><p>x</p>", ["style", "display"]),
        ("<p>a<!-- <script>alert(1)</script> --></p>", ["<!--", "script"]),
        ('<h1 class="x">标题</h1>', ["<h1", "class"]),
        (f'<img src="{OWN}x">', ["<img"]),
    ],
)
def test_hostile_html_is_stripped(hostile: str, gone: list[str]) -> None:
    cleaned = clean_html(hostile, photo_urls=[OWN])
    for word in gone:
        assert word not in cleaned


def test_the_allowed_tags_and_own_photos_stay() -> None:
    html = (
        "<h2>由来</h2><h3>清代</h3><p>礼州<strong>古镇</strong><em>千年</em><br>历史</p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引文</blockquote>"
        f'<img src="{OWN}" alt="古井">'
    )
    assert clean_html(html, photo_urls=[OWN]) == html


def test_a_nul_byte_does_not_survive() -> None:
    assert "\x00" not in clean_html("<p>a\x00b</p>")


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-99", 1000, (0, 99)),
        ("bytes=100-", 1000, (100, 999)),
        ("bytes=-100", 1000, (900, 999)),
        ("bytes=990-2000", 1000, (990, 999)),
        ("bytes=1000-", 1000, False),
        ("bytes=5000-6000", 1000, False),
        ("bytes=-0", 1000, False),
        ("", 1000, None),
        ("bytes=0-1,5-9", 1000, None),
        ("items=0-1", 1000, None),
        ("bytes=9-1", 1000, None),
        ("bytes=x-y", 1000, None),
    ],
)
def test_ranges(header: str, size: int, expected: Any) -> None:
    assert byte_range(header, size) == expected
