"""GRASSROOTS_CACHE_URL chooses the cache every web process shares (captcha, rate limits)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'grassroots.settings'; "
    "django.setup(); from django.conf import settings; "
    "c = settings.CACHES['default']; print(c['BACKEND'], c.get('LOCATION', ''))"
)


def _settings_with(url: str | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GRASSROOTS_CACHE_URL"}
    env["GRASSROOTS_DATA_DIR"] = str(tmp_path)
    if url is not None:
        env["GRASSROOTS_CACHE_URL"] = url
    return subprocess.run(  # noqa: S603  (our own interpreter and probe)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, "django.core.cache.backends.locmem.LocMemCache "),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache redis://"),
        ("file:///srv/cache", "django.core.cache.backends.filebased.FileBasedCache /srv/cache"),
    ],
)
def test_the_cache_follows_the_url(url: str | None, expected: str, tmp_path: Path) -> None:
    done = _settings_with(url, tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(expected)


def test_an_unknown_cache_url_stops_the_start(tmp_path: Path) -> None:
    done = _settings_with("memcached://x", tmp_path)

    assert done.returncode != 0
    assert "GRASSROOTS_CACHE_URL must start with" in done.stderr
