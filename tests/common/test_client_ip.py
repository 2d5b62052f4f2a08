"""Behind the reverse proxy, throttling and rate limits count the client, not the proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from grassroots.common.http import client_ip


def ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_a_proxy_the_peer_is_the_client() -> None:
    assert ip("203.0.113.7") == "203.0.113.7"
    # A client that writes the header itself is not believed.
    assert ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_the_trusted_proxy_the_forwarded_address_counts() -> None:
    assert ip("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    # What the client wrote in front of what nginx appended is ignored.
    assert ip("127.0.0.1", "10.9.9.9, 198.51.100.1") == "198.51.100.1"
    assert ip("127.0.0.1", "garbage") == "127.0.0.1"
    assert ip("", None) == ""


def test_a_chain_of_trusted_proxies_is_walked(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.2"]
    assert ip("127.0.0.1", "198.51.100.1, 10.0.0.2") == "198.51.100.1"


@pytest.mark.django_db
def test_one_persons_failed_logins_behind_the_proxy_lock_only_them(
    client: Any, settings: Any, city_admin: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):
        client.post(
            "/accounts/login/",
            {"username": city_admin.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.1",
            **proxy,
        )
    locked = client.post(
        "/accounts/login/",
        {"username": city_admin.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        **proxy,
    )
    assert locked.status_code in (403, 429)
    # The same account from another person's address, through the same proxy, is not locked.
    other = client.post(
        "/accounts/login/",
        {"username": city_admin.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.2",
        **proxy,
    )
    assert other.status_code == 200
