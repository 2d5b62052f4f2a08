"""Settings of the intake benchmark (bench only): the product's settings, with the URLs of
``_intake_urls`` (the product's plus one bare view that inserts a row)."""

from __future__ import annotations

from grassroots.settings import *  # noqa: F403

ROOT_URLCONF = "_intake_urls"
