"""Schemathesis's stateful testing of the REST API: sequences of calls that follow the
links between operations (inferred by schemathesis from the document: a listed event's
``number`` into its detail page and each of its actions, a task's ``id`` into its
milestones, extensions and reports, a scheme into its runs …), so that an action is
tried on the object an earlier answer named, in whatever state earlier steps left it.

Each step has the contract of the single-operation fuzz (test_api_schema.py): no server
error, an answer that matches the document (where that test tolerates a known gap, so
does this one), and an answer 4xx changes no table.
"""

from __future__ import annotations

import os
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fuzz.conftest import basic, changed, row_counts
from tests.fuzz.test_api_schema import CHECKS, GRID_WORKER_OPERATIONS, schema, tolerated

#: Scenarios; GRASSROOTS_FUZZ_EXAMPLES raises it for a longer run.
SCENARIOS = int(os.environ.get("GRASSROOTS_FUZZ_EXAMPLES", "15"))

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_api_call_sequences_follow_their_links(world: dict[str, Any], wsgi_app: Any) -> None:
    machine = schema.as_state_machine()
    steps: list[tuple[str, int]] = []

    class Workflow(machine):  # type: ignore[misc,valid-type]
        def before_call(self, case: Any) -> None:
            # Generated filters mostly empty a list, and an empty list names nothing to
            # follow: half of the lists (chosen by a digest, so reproducibly) go unfiltered.
            listing = case.method.upper() == "GET" and not case.path_parameters and case.query
            if listing and zlib.crc32(repr(sorted(case.query.items())).encode()) % 2:
                case.query = {}
            self.counted = row_counts()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            operation = case.operation.definition.raw.get("operationId", "")
            user = (
                world["grid_worker"] if operation in GRID_WORKER_OPERATIONS else world["city_admin"]
            )
            return {"app": wsgi_app, "headers": basic(user)}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            steps.append((case.operation.label, response.status_code))
            checks = (
                [not_a_server_error, response_schema_conformance]
                if tolerated(case, response)
                else list(CHECKS)
            )
            case.validate_response(response, checks=checks)
            if 400 <= response.status_code < 500:
                after = row_counts()
                assert not changed(self.counted, after), (
                    case.operation.label,
                    response.status_code,
                    response.text[:300],
                )

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The sequences reached past the lists: some step acted on an object an answer named.
    followed = [label for label, status in steps if "{" in label and status < 400]
    assert followed, steps
    print(f"{len(steps)} steps, {len(followed)} on a linked object answered 2xx/3xx")
