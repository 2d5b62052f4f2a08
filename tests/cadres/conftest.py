"""The cadres app's part of the cast: the organisation department (组织部) on the city,
and a factory of cadre files."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

_numbers = itertools.count(1)


@pytest.fixture
def org_dept(tree: dict[str, Any]) -> Any:
    """The organisation department's officer (组织部干部科), over the whole city."""
    from grassroots.org.models import Membership, User

    user = User.objects.create_user(
        username="org_dept", password="Correct-Horse-42", full_name="钱科长"
    )
    Membership.objects.create(user=user, unit=tree["city"], role="org_department")
    return user


@pytest.fixture
def make_cadre(tree: dict[str, Any]) -> Any:
    """``make_cadre(**fields)`` → a saved Cadre (default: a 礼州镇 deputy, born 1990)."""
    from grassroots.cadres.models import Cadre

    def _make(**kw: Any) -> Any:
        n = next(_numbers)
        fields: dict[str, Any] = {
            "name": f"干部{n}",
            "gender": "m",
            "ethnicity": "彝族",
            "birth_date": dt.date(1990, 5, 17),
            "id_number": f"51340119900517{n:04d}"[:18],
            "phone": f"139{n:08d}",
            "education": "bachelor",
            "party_joined_on": dt.date(2012, 7, 1),
            "grassroots_since": dt.date(2014, 8, 1),
            "unit": tree["lizhou"],
            "post": "党委委员",
            "level": "deputy_section",
        }
        fields.update(kw)
        return Cadre.objects.create(**fields)

    return _make
