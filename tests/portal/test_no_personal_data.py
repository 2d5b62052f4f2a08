"""No personal data on the public portal, ever: a seeded demo town (people, events with
their reporters' names and phones, tasks, published quarters) is walked page by page from
/public/ — every link, every filter, every page of every list, every publication and peer
group, the snapshots, and the tracking pages of looked-up events — and no name or phone of
any person in the database appears in any of them."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import seeded_town

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
#: More pages than the town has: the walk must end by running out of links, not by this.
MAX_PAGES = 600
HREF = re.compile(r'href="([^"]*)"')


@pytest.fixture(scope="module")
def town(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """礼州镇 with two months of events, its tasks and its assessment up to 25 November
    2026 (three published quarters), seeded once and rolled back."""
    with seeded_town(django_db_blocker, months=2, now=NOW) as summary:
        yield summary


def personal_data() -> tuple[set[str], set[str], set[str]]:
    """Every person's name and phone in the database; names that are also part of a unit's
    name (a village named after a family) are left out, their presence proving nothing."""
    from grassroots.events.models import Event
    from grassroots.org.models import Unit, User

    names = {n for n in User.objects.values_list("full_name", flat=True) if n}
    names |= {n for n in Event.objects.values_list("contact_name", flat=True) if n}
    phones = {p for p in User.objects.values_list("phone", flat=True) if p}
    phones |= {p for p in Event.objects.values_list("contact_phone", flat=True) if p}
    # The people of the grids, the places' managers and the parties of construction cases
    # (phones decrypted: the portal must not show them either).
    from grassroots.registers.models import ConstructionCase
    from grassroots.residents.models import Place, Resident

    for name, phone in Resident.objects.values_list("name", "phone").iterator():
        names.add(name)
        phones |= {phone} if phone else set()
    for name, phone in Place.objects.values_list("manager_name", "manager_phone"):
        names |= {name} if name else set()
        phones |= {phone} if phone else set()
    for name, phone in ConstructionCase.objects.values_list("party_name", "party_phone"):
        names |= {name} if name else set()
        phones |= {phone} if phone else set()
    units = "\n".join(Unit.objects.values_list("name", flat=True))
    ambiguous = {n for n in names if n in units}
    return names - ambiguous, phones, ambiguous


def leaks(text: str, names: set[str], phones: set[str]) -> list[str]:
    digits = re.sub(r"[\s-]", "", text)
    return [n for n in names if n in text] + [p for p in phones if p[-11:] in digits]


def walk(client: Client, start: list[str]) -> dict[str, str]:
    """Every /public/ page reachable by links from ``start`` (GET; bulletins and captcha
    pictures are other pages' business), by URL."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if (
            not url.startswith("/public/")
            or url in seen
            or "/bulletin." in url
            or "/captcha/" in url
        ):
            continue
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        text = response.content.decode()
        seen[url] = text
        if response["Content-Type"].startswith("text/html"):
            queue.extend(urldefrag(urljoin(url, unescape(h)))[0] for h in HREF.findall(text))
    return seen


@pytest.mark.django_db
def test_no_name_or_phone_of_anyone_appears_on_any_public_page(
    town: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grassroots.assessment.models import Publication
    from grassroots.events.models import Event
    from grassroots.portal import assessment, lists, projects

    # small pages, so that the walk goes through the pagers too
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    monkeypatch.setattr(assessment, "RANKING_PAGE", 5)
    monkeypatch.setattr(projects, "PER_PAGE", 5)
    cache.clear()
    names, phones, ambiguous = personal_data()
    assert len(names) > 20 and len(phones) > 20  # the check covers real people
    assert len(ambiguous) < len(names) / 4
    client = Client()
    # the looked-up events of residents: their tracking pages join the walk
    tracked = []
    for event in Event.objects.exclude(contact_phone="").order_by("pk")[:8]:
        answer = client.post(
            "/public/lookup/",
            {"number": event.number, "phone_last4": event.contact_phone[-4:]},
        )
        assert answer.status_code == 302
        tracked.append(answer["Location"])
    start = ["/public/", "/public/report/", "/public/lookup/", *tracked]
    start += [
        f"/public/assessment/lists/?kind={k}"
        for k in ("monthly", "quarterly", "annual")  # every filter's first page
    ]
    pages = walk(client, start)

    publications = list(Publication.objects.values_list("sha256", flat=True))
    assert publications, "the demo town publishes its quarters"
    for sha in publications:
        assert f"/public/assessment/{sha}/" in pages
        assert f"/public/assessment/{sha}.json" in pages
    assert any(u.startswith("/public/track/") for u in pages)
    assert any("page=2" in u for u in pages)  # the walk went past first pages
    assert len(pages) < MAX_PAGES
    found = {url: hits for url, text in pages.items() if (hits := leaks(text, names, phones))}
    assert found == {}
    cache.clear()
