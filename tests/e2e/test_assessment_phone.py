"""The assessment's pages on a narrow phone (375 px, Chromium): nothing pushes the page wider
than the screen — long labels of the run's diagnostics wrap (in English, the longer of the
two languages), and the SHA-256 check command of a publication wraps on the portal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.e2e.browsing import Browse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def published(tree: dict[str, Any], city_admin: Any, official_calendar: None) -> Any:
    """A published month of the village scheme, with the office's diagnostics."""
    from grassroots.assessment.actions.publishing import publish_run
    from tests.assessment.publishing_support import plain_scheme, run_with_results

    run = run_with_results(
        plain_scheme(tree),
        "2026-10",
        [(tree["village"], "85"), (tree["neighbour_village"], "60"), (tree["other_village"], "40")],
    )
    run.diagnostics = {
        "score_cv": "0.414214",
        "reward_gini": "0.266667",
        "median_reward_excellent": 60000,
        "median_reward_average": 20000,
        "unallocated_fen": 0,
    }
    run.save(update_fields=["diagnostics"])
    publish_run(run, actor=city_admin)
    run.refresh_from_db()
    return run


def _page_width(browse: Browse, url: str, *, user: Any = None, language: str = "zh-hans") -> int:
    context = browse.browser.new_context(**NARROW, locale="zh-CN", base_url=browse.base_url)
    browse.contexts.append(context)
    context.add_cookies([{"name": "django_language", "value": language, "url": browse.base_url}])
    page = context.new_page()
    if user is not None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
    answer = page.goto(url)
    assert answer is not None and answer.status == 200
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


def test_a_runs_diagnostics_fit_a_narrow_phone(
    browse: Browse, published: Any, city_admin: Any
) -> None:
    width = _page_width(browse, f"/assessment/runs/{published.pk}/", user=city_admin, language="en")

    assert width <= 375


def test_the_check_of_a_publication_fits_a_narrow_phone(browse: Browse, published: Any) -> None:
    sha = published.publication.sha256

    assert _page_width(browse, f"/public/assessment/{sha}/") <= 375
