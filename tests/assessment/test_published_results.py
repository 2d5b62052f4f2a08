"""``published_results``: what the cadres module may read of a unit's results."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.assessment.queries import published_results
from tests.assessment.publishing_support import plain_scheme, run_with_results

pytestmark = pytest.mark.django_db


def test_only_the_newest_published_version_of_each_period_is_read(tree: dict[str, Any]) -> None:
    village, other = tree["village"], tree["other_village"]
    scheme = plain_scheme(tree)
    run_with_results(scheme, "2026-Q2", [(village, "70"), (other, "60")], state="published")
    run_with_results(scheme, "2026-Q2", [(village, "75"), (other, "60")], version=2, state="frozen")
    run_with_results(scheme, "2026-Q3", [(village, "90"), (other, "50")])  # not published
    run_with_results(
        scheme, "2026-Q1", [(village, "80"), (other, "85")], state="published",
        vetoed={village: ["overdue-veto"]},
    )  # fmt: skip

    rows = published_results([village.pk])

    assert [(r["period"], r["version"], str(r["total"])) for r in rows] == [
        ("2026-Q2", 2, "75.00"),
        ("2026-Q1", 1, "80.00"),
    ]
    assert rows[1]["vetoed"] and rows[1]["grade"] == "poor"
    assert published_results([village.pk], year=2025) == []
