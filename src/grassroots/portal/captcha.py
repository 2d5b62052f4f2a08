"""A captcha drawn here, with Pillow: no outside service, works on an offline network.

``issue()`` draws a challenge (``LENGTH`` characters from an alphabet without look-alikes),
renders it as a noisy, distorted PNG and keeps in the Django cache, under a random token,
the PNG and a salted hash of the answer — never the answer itself — for ``TTL`` seconds.
The form carries the token; ``/public/captcha/<token>.png`` serves the image (``?new=1``
draws another challenge for the same token: the "换一张" link).

``check()`` takes the token once: right or wrong, a token is spent by its first answer.
A right answer may be presented again only with the same ``reuse_key`` (the report's
idempotency key), so that a resubmitted form finds its report instead of a captcha error,
while a second, different report needs a new challenge. Answers are case-insensitive.

The challenges live in the default cache, so every process serving ``/public/`` must share
it: with the local-memory default, run one web process, or configure a shared cache (file,
database, Redis) before running several; otherwise a form drawn by one process is refused by
another.

The random source is the module's ``source`` (a factory of ``random.Random``); tests replace
it with a seeded one and compute the answer with ``new_answer``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import random
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6, Q: nothing to confuse in a noisy image.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
LENGTH = 5
TTL = 600
WIDTH, HEIGHT = 180, 60
TOKEN_MAX = 64
_PREFIX = "portal:captcha:"
_USED = "portal:captcha-used:"


def _system_random() -> random.Random:
    return random.SystemRandom()


#: Where the challenges and the noise come from (replaced in tests by a seeded Random).
source: Callable[[], random.Random] = _system_random


def new_answer(rng: random.Random) -> str:
    """The challenge text: the first draws of ``rng``."""
    return "".join(rng.choice(ALPHABET) for _ in range(LENGTH))


def normalize(answer: str) -> str:
    return "".join(str(answer).split()).upper()


def _digest(salt: str, answer: str) -> str:
    return hashlib.sha256(f"{salt}:{normalize(answer)}".encode()).hexdigest()


def render(answer: str, rng: random.Random) -> bytes:
    """The challenge as a PNG: each character turned and shifted, lines and dots over it,
    the whole waved and slightly blurred."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (246, 246, 240))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # background lines
        draw.line(
            [(rng.randint(0, WIDTH), rng.randint(0, HEIGHT)) for _ in range(2)],
            fill=(rng.randint(150, 210),) * 3,
            width=1,
        )
    font = ImageFont.load_default(size=36)
    step = (WIDTH - 20) // max(len(answer), 1)
    for i, char in enumerate(answer):
        glyph = Image.new("L", (48, 56), 0)
        ImageDraw.Draw(glyph).text((8, 4), char, font=font, fill=255)
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        ink = Image.new("RGB", glyph.size, (rng.randint(0, 90),) * 3)
        image.paste(ink, (10 + i * step + rng.randint(-3, 3), rng.randint(-2, 8)), glyph)
    phase, amplitude = rng.uniform(0, math.tau), rng.uniform(2.0, 4.0)
    waved = Image.new("RGB", image.size, (246, 246, 240))
    for x in range(WIDTH):  # a vertical wave, one column at a time
        dy = round(amplitude * math.sin(phase + x / 14))
        waved.paste(image.crop((x, 0, x + 1, HEIGHT)), (x, dy))
    draw = ImageDraw.Draw(waved)
    for _ in range(3):  # lines across the text
        draw.line(
            [(0, rng.randint(10, HEIGHT - 10)), (WIDTH, rng.randint(10, HEIGHT - 10))],
            fill=(rng.randint(40, 120),) * 3,
            width=2,
        )
    for _ in range(180):  # dots
        draw.point((rng.randrange(WIDTH), rng.randrange(HEIGHT)), fill=(rng.randint(0, 200),) * 3)
    out = io.BytesIO()
    waved.filter(ImageFilter.SMOOTH).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _store(token: str, rng: random.Random) -> None:
    answer = new_answer(rng)
    salt = secrets.token_hex(8)
    entry = {
        "salt": salt,
        "digest": _digest(salt, answer),
        "issued": time.time(),
        "png": render(answer, rng),
    }
    cache.set(_PREFIX + token, entry, timeout=TTL)


def issue() -> str:
    """A new challenge; returns its token (for the form and the image's address)."""
    token = secrets.token_urlsafe(18)
    _store(token, source())
    return token


def _entry(token: str) -> dict[str, Any] | None:
    if not token or len(token) > TOKEN_MAX:
        return None
    entry = cache.get(_PREFIX + token)
    if not isinstance(entry, dict) or time.time() - float(entry["issued"]) > TTL:
        return None
    return entry


def image(token: str, *, fresh: bool = False) -> bytes | None:
    """The PNG of an open challenge (``fresh``: draw another one for it); ``None`` when the
    token is unknown, spent or expired."""
    if _entry(token) is None:
        return None
    if fresh:
        _store(token, source())
    entry = _entry(token)
    return None if entry is None else bytes(entry["png"])


def check(token: str, answer: str, *, reuse_key: str = "") -> bool:
    """Whether ``answer`` solves the challenge ``token``; spends the token."""
    if not token or len(token) > TOKEN_MAX or not normalize(answer):
        return False
    entry = _entry(token)
    if entry is not None and cache.delete(_PREFIX + token):  # only one taker wins
        right = hmac.compare_digest(entry["digest"], _digest(entry["salt"], answer))
        if right and reuse_key:
            remaining = max(1, round(TTL - (time.time() - float(entry["issued"]))))
            used = {"salt": entry["salt"], "digest": entry["digest"], "key": reuse_key}
            cache.set(_USED + token, used, timeout=remaining)
        return right
    used = cache.get(_USED + token)
    return (
        bool(reuse_key)
        and isinstance(used, dict)
        and hmac.compare_digest(str(used["key"]), reuse_key)
        and hmac.compare_digest(used["digest"], _digest(used["salt"], answer))
    )
