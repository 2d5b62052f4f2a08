"""Review: a co-unit (协办单位) sees a livelihood project but may not decide its
feasibility (the action checks the task's own unit or issuer), so its page must not offer
a form that can only answer 403."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.supervision.models import Feasibility
from tests.supervision.conftest import fresh

pytestmark = pytest.mark.django_db


def offered(response: Any) -> list[str]:
    return [verb.name for verb, _form in response.context["verb_forms"]]


def test_co_unit_is_not_offered_the_feasibility_decision(
    deploy: Any, units: dict[str, Any], outsider: Any, xc_secretary: Any, login: Any
) -> None:
    project = deploy(kind="livelihood", target_value=None, co_units=[units["anning"]])
    page = login(outsider).get(f"/supervision/{project.pk}/")
    assert page.status_code == 200
    assert "feasibility" not in offered(page)
    posted = login(outsider).post(
        f"/supervision/{project.pk}/feasibility/", {"feasibility-feasible": "yes"}
    )
    assert posted.status_code == 403
    assert fresh(project).feasibility == Feasibility.PENDING
    # the responsible township still gets the form
    assert "feasibility" in offered(login(xc_secretary).get(f"/supervision/{project.pk}/"))
