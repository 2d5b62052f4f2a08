"""The demo's assessment on a clock past the year's end (the year-end review closed, the
annual evaluation computed and published), and ``run_year`` without the demo logins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test.utils import override_settings

from grassroots.assessment.models import Publication, RatingForm, Result, Run, Scheme
from grassroots.assessment.states import RunState
from grassroots.demo.assessment import build_schemes, run_year
from grassroots.demo.seeding import seed
from tests.conftest import ensure_seeded

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TZ = dt.timezone(dt.timedelta(hours=8))
AFTER_THE_YEAR = dt.datetime(2027, 1, 20, 15, 0, tzinfo=TZ)


@pytest.mark.django_db
def test_after_the_year_the_annual_evaluation_is_computed_and_published() -> None:
    """On 20 January 2027 the year has happened: twelve months, four quarters, the
    year-end review closed and the annual evaluation published."""
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        time_machine.travel(AFTER_THE_YEAR, tick=False),
    ):
        ensure_seeded()
        summary = seed("town", seed=7, months=1)
    scheme = Scheme.objects.get(code="xc-village-2026")
    periods = set(Run.objects.filter(scheme=scheme).values_list("period", flat=True))
    assert periods >= {f"2026-{m:02d}" for m in range(1, 13)} | {"2026-Q4", "2026"}
    annual = Run.objects.get(scheme=scheme, period="2026")
    assert annual.state in (RunState.PUBLISHED, RunState.FROZEN)
    assert Publication.objects.filter(run=annual).exists()
    assert Result.objects.filter(run=annual).count() == 13
    review = RatingForm.objects.get(scheme=scheme, indicator__isnull=True)
    assert review.state == "closed" and review.sheets.filter(state="submitted").exists()
    assert summary.publications >= 6  # four quarters, the appeal's version, the year


@pytest.mark.django_db
def test_run_year_without_the_office_login_does_nothing(tree: dict[str, Any]) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 25, 15, tzinfo=TZ), tick=False):
        schemes = build_schemes(2026, root=tree["city"])
        summary = run_year(schemes)
    assert [s.code for s in schemes] == ["xc-township-2026", "xc-village-2026"]
    assert summary.runs == 0 and not Run.objects.exists()
