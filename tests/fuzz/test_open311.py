"""Hypothesis against the Open311 GeoReport v2 endpoints (/open311/v2/), which the OpenAPI
fuzz does not reach: they are not in /api/v1/'s document.

A citizens' app posts form-encoded requests: every field present with its valid value,
with a nasty one (empty, far too long, odd unicode, numbers out of range, markup), or
missing, plus attributes of made-up codes. The endpoint must answer 200 with one new event,
or a 4xx whose body is the specification's error list (``code`` and ``description``) and
changes no table; never a server error. GET requests and the single request are given
random filters and ids with the same rule.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import WRITTEN_APPS, changed, row_counts
from tests.fuzz.test_importers import NASTY
from tests.open311.support import POINT, make_categories, make_grids

EXAMPLES = int(os.environ.get("GRASSROOTS_FUZZ_EXAMPLES", "25"))

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

TABLES = (*WRITTEN_APPS, "open311")
ODD = [*NASTY, "-91", "181", "27.85.1", "1e3", "0x1F", "SRHJ01 ", "srhj01", "NOTACODE"]


@pytest.fixture
def open311(tree: dict[str, Any], official_calendar: Any, settings: Any, tmp_path: Any) -> str:
    """The grids and categories of tests/open311, and an API key."""
    from grassroots.open311.actions import issue_api_key

    settings.MEDIA_ROOT = tmp_path / "media"
    make_grids(tree)
    make_categories(tree)
    return issue_api_key(name="模糊测试", actor=None).key


def valid_form(key: str) -> dict[str, Any]:
    lat, lon = POINT
    return {
        "api_key": key,
        "service_code": "SRHJ01",
        "lat": str(lat),
        "long": str(lon),
        "address_string": "礼州镇礼州村委会门口",
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang@example.com",
        "device_id": "abc",
        "description": "门口堆放建筑垃圾",
        "attribute[SIZE]": "large",
        "attribute[KINDS][]": ["brick", "soil"],
        "attribute[DAYS]": "3",
    }


value = st.one_of(st.sampled_from(ODD), st.text(max_size=60), st.just("x" * 5000))
#: For each field: keep it, replace it, or drop it.
field_change = st.one_of(st.just("keep"), st.just("drop"), value)


def assert_error_list(response: Any) -> None:
    body = response.json()
    assert isinstance(body, list) and body, body
    for error in body:
        assert set(error) >= {"code", "description"}, error
        assert isinstance(error["description"], str) and error["description"], error


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(sorted(valid_form("k"))), field_change, max_size=6),
    extra=st.dictionaries(
        st.from_regex(r"attribute\[[A-Za-z0-9_]{0,12}\](\[\])?", fullmatch=True), value, max_size=3
    ),
)
def test_posting_a_request_gives_one_event_or_an_error_list(
    open311: str, changes: dict[str, Any], extra: dict[str, Any]
) -> None:
    form = valid_form(open311)
    for name, change in changes.items():
        if change == "drop":
            form.pop(name, None)
        elif change != "keep":
            form[name] = change
    form.update(extra)
    before = row_counts(TABLES)
    response = Client().post("/open311/v2/requests.json", form)
    assert response.status_code < 500, response.content[:300]
    after = row_counts(TABLES)
    if response.status_code == 200:
        [answer] = response.json()
        assert answer["service_request_id"]
        assert after["events.Event"] == before["events.Event"] + 1
    else:
        assert 400 <= response.status_code < 500
        assert_error_list(response)
        assert not changed(before, after), (form, response.content[:300])


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["start_date", "end_date", "status", "service_code", "service_request_id", "page"]
        ),
        value,
        max_size=4,
    ),
    request_id=value,
)
def test_reading_requests_never_fails(open311: str, query: dict[str, Any], request_id: str) -> None:
    client = Client()
    listing = client.get("/open311/v2/requests.json", query)
    assert listing.status_code < 500, listing.content[:300]
    if listing.status_code == 200:
        assert isinstance(listing.json(), list)
    else:
        assert_error_list(listing)
    one = client.get(
        "/open311/v2/requests/x.json".replace("x", request_id.replace("/", "")[:80] or "x")
    )
    assert one.status_code < 500, one.content[:300]
