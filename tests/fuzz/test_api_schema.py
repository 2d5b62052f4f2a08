"""Schemathesis against the REST API's own OpenAPI document (/api/v1/schema/).

Every operation is called with generated requests (valid and invalid) through the real
WSGI application on the test database, as a logged-in user over Basic auth. Each answer
must not be a server error and must match what the document says (status code, content
type, body schema); an answer 4xx must leave every table (the audit log among them)
exactly as many rows as before. Half of the generated paths are pointed at the real event
and task of the fixture world, so that the actions behind them are reached too.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import basic, changed, row_counts

#: Examples per operation / importer; GRASSROOTS_FUZZ_EXAMPLES raises it for a longer run.
EXAMPLES = int(os.environ.get("GRASSROOTS_FUZZ_EXAMPLES", "8"))

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def load_document() -> dict[str, Any]:
    """The OpenAPI document as /api/v1/schema/ serves it (generated in-process)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    document: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(generated))
    return document


#: The coverage phase alone builds thousands of boundary cases at collection (a minute on
#: this machine): the fuzzing phase's generated cases are enough here.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(load_document(), config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: The person calling each operation: the grid worker reports and works events, the city
#: office everything else (it reads the whole city and deploys tasks).
GRID_WORKER_OPERATIONS = {"events_create", "events_comment_create", "events_resolve_on_spot_create"}


def real_path(case: Any, world: dict[str, Any]) -> None:
    """Point about half of the cases (chosen by a digest of the case, so reproducible) at
    the world's real rows instead of the generated ids."""
    params = case.path_parameters or {}
    if not params or zlib.crc32(repr(sorted(params.items())).encode()) % 2:
        return
    task = world["task"]
    real = {
        "number": world["event"].number,
        "code": world["tree"]["village"].code,
        "id": task.pk,
        "mid": task.milestones.first().pk,
    }
    if case.operation.path.startswith("/api/v1/categories/"):
        real["code"] = world["category"].code
    case.path_parameters = {k: real.get(k, v) for k, v in params.items()}


def tolerated(case: Any, response: Any) -> bool:
    """The gaps of the document this test knows (listed in docs-pending/fuzz.md), so that
    anything else it does not say still fails: a 404 anywhere (drf-spectacular documents
    none on list pages, ``?page=`` past the end, and Django's own 404 page is HTML when a
    generated path does not match the URL pattern at all) and a 400 on a GET (an unknown
    filter choice, a malformed date)."""
    if response.status_code == 404:
        return True
    return response.status_code == 400 and case.method.upper() == "GET"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_operation(case: Any, world: dict[str, Any], wsgi_app: Any) -> None:
    operation_id = case.operation.definition.raw.get("operationId", "")
    user = world["grid_worker"] if operation_id in GRID_WORKER_OPERATIONS else world["city_admin"]
    real_path(case, world)
    before = row_counts()
    response = case.call(app=wsgi_app, headers=basic(user))
    checks = list(CHECKS)
    if tolerated(case, response):
        checks = [not_a_server_error, response_schema_conformance]
    case.validate_response(response, checks=checks)
    if 400 <= response.status_code < 500:
        assert not changed(before, row_counts()), (response.status_code, response.text[:300])


def test_an_attachment_path_with_a_format_suffix_is_not_found(
    world: dict[str, Any], login: Any
) -> None:
    """Found by the fuzz on PostgreSQL: ``/attachments/0.5/`` reached the view with a
    ``format`` argument it did not take (a 500)."""
    response = login(world["city_admin"]).get("/api/v1/attachments/0.5/")
    assert response.status_code == 404
