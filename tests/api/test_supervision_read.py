"""Reading supervised tasks over the REST API: the list (scope, filters, urgency order),
one task in full, its tree, evidence files, the language of errors and the OpenAPI
document."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.api.test_schema import OpenAPI
from tests.open311.support import photo
from tests.supervision import conftest as supervision
from tests.supervision.conftest import at
from tests.supervision.test_evidence import PDF_BYTES

pytestmark = pytest.mark.django_db

# The supervision tests' fixtures (the clock at 2026-09-01, the tasks), shared here.
_clock = supervision._clock
_media = supervision._media
deploy = supervision.deploy
township_task = supervision.township_task
travel = supervision.travel
units = supervision.units
village_task = supervision.village_task
village_tasks = supervision.village_tasks

TASKS = "/api/v1/tasks/"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_each_caller_lists_the_tasks_in_their_scope(
    login: Any,
    village_tasks: dict[str, Any],
    township_task: Any,
    city_admin: Any,
    village_cadre: Any,
    outsider: Any,
) -> None:
    mine, other = village_tasks["village"], village_tasks["neighbour"]
    assert set(ids(login(city_admin).get(TASKS))) == {township_task.pk, mine.pk, other.pk}
    assert ids(login(village_cadre).get(TASKS)) == [mine.pk]
    assert ids(login(outsider).get(TASKS)) == []
    city = login(city_admin)
    assert ids(city.get(TASKS, {"within": "513401101202"})) == [other.pk]
    assert ids(city.get(TASKS, {"within": "513401102"})) == []
    assert ids(city.get(TASKS, {"roots": "true"})) == [township_task.pk]
    row = login(village_cadre).get(TASKS).json()["results"][0]
    assert row["unit"] == {"code": "513401101201", "name": "礼州村", "kind": "village"}
    assert row["issuer"]["code"] == "513401101"
    assert row["target_value"] == "60.0000"
    assert row["status"] == "not_started"


def test_the_list_puts_the_most_urgent_first_and_filters(
    login: Any, deploy: Any, units: dict[str, Any], city_admin: Any, travel: Any
) -> None:
    later = deploy(title="文化院坝建设", deadline=dt.date(2026, 12, 31))
    soon = deploy(title="违建整治", kind="campaign", deadline=dt.date(2026, 10, 30))
    late = deploy(
        title="邛海天窗修复",
        start_date=dt.date(2026, 6, 1),
        deadline=dt.date(2026, 8, 31),
        level="listed",
    )
    client = login(city_admin)
    assert ids(client.get(TASKS)) == [late.pk, soon.pk, later.pk]
    assert ids(client.get(TASKS, {"overdue": "true"})) == [late.pk]
    assert ids(client.get(TASKS, {"overdue": "false"})) == [soon.pk, later.pk]
    assert ids(client.get(TASKS, {"status": "overdue"})) == [late.pk]
    assert ids(client.get(TASKS, {"kind": "campaign"})) == [soon.pk]
    assert ids(client.get(TASKS, {"level": "listed"})) == [late.pk]
    assert ids(client.get(TASKS, {"q": "院坝"})) == [later.pk]
    assert ids(client.get(TASKS, {"unit": "513401101"})) == [late.pk, soon.pk, later.pk]
    assert ids(client.get(TASKS, {"unit": "513401102"})) == []
    window = {"deadline_after": "2026-09-01", "deadline_before": "2026-11-30"}
    assert ids(client.get(TASKS, window)) == [soon.pk]
    assert ids(client.get(TASKS, {"ordering": "-deadline"})) == [later.pk, soon.pk, late.pk]
    bad = client.get(TASKS, {"status": "stuck"})
    assert bad.status_code == 400
    assert "status" in bad.json()

    # Two months on, nothing verified: the tasks still open are behind the plan line.
    travel(at(2026, 11, 2, 10))
    lagging = login(city_admin).get(TASKS, {"at_risk": "true"})
    assert ids(lagging) == [later.pk]
    row = lagging.json()["results"][0]
    assert row["status"] == "lagging"
    assert Decimal(row["plan_percent"]) > 15 + Decimal(row["verified_percent"])
    assert ids(login(city_admin).get(TASKS, {"status": "overdue"})) == [late.pk, soon.pk]


def test_the_detail_shows_progress_plan_children_gap_and_history(
    login: Any, village_tasks: dict[str, Any], township_task: Any, xc_secretary: Any
) -> None:
    body = login(xc_secretary).get(f"{TASKS}{township_task.pk}/").json()
    assert body["title"] == "新增村集体经济收入"
    assert body["target_value"] == "100.0000"
    assert body["verified_percent"] == "0.00"
    assert body["plan_percent"] == "0.00"
    assert body["status"] == "not_started"
    assert body["status_display"]
    assert [c["unit"]["code"] for c in body["children"]] == ["513401101201", "513401101202"]
    assert body["split_gap"] == {
        "target": "100.0000",
        "assigned": "100.0000",
        "gap": "0.0000",
        "children": 2,
        "complete": True,
    }
    assert [line["action"] for line in body["timeline"]] == ["create", "cascade"]
    assert body["milestones"] == body["reports"] == body["extension_requests"] == []


def test_out_of_scope_reads_are_404(
    login: Any, village_task: Any, neighbour_cadre: Any, outsider: Any
) -> None:
    for user in (neighbour_cadre, outsider):
        client = login(user)
        assert client.get(f"{TASKS}{village_task.pk}/").status_code == 404
        assert client.get(f"{TASKS}{village_task.pk}/tree/").status_code == 404
    assert login(outsider).get(f"{TASKS}999999/").status_code == 404


def test_the_tree_lists_what_the_caller_may_see_depth_first(
    login: Any,
    village_tasks: dict[str, Any],
    township_task: Any,
    city_admin: Any,
    village_cadre: Any,
) -> None:
    mine = village_tasks["village"]
    nodes = login(city_admin).get(f"{TASKS}{mine.pk}/tree/").json()
    assert [n["id"] for n in nodes] == [township_task.pk, mine.pk]
    whole = login(city_admin).get(f"{TASKS}{township_task.pk}/tree/").json()
    assert [n["depth"] for n in whole] == [0, 1, 1]
    # The village sees its own share, not the township's task above it.
    assert [n["id"] for n in login(village_cadre).get(f"{TASKS}{mine.pk}/tree/").json()] == [
        mine.pk
    ]


def test_evidence_is_served_documents_as_downloads(
    login: Any, village_task: Any, village_cadre: Any, neighbour_cadre: Any
) -> None:
    client = login(village_cadre)
    pdf = SimpleUploadedFile("台账.pdf", PDF_BYTES, content_type="application/pdf")
    reported = client.post(
        f"{TASKS}{village_task.pk}/progress/", {"value": "10", "evidence": [pdf, photo()]}
    )
    assert reported.status_code == 200, reported.content
    files = reported.json()["reports"][0]["evidence"]
    by_type = {f["content_type"]: f["url"] for f in files}
    document = client.get(by_type["application/pdf"])
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("attachment")
    assert b"".join(document.streaming_content) == PDF_BYTES
    image = client.get(by_type["image/jpeg"], HTTP_ACCEPT="image/*")
    assert image.status_code == 200
    assert image["Content-Disposition"].startswith("inline")
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    assert login(neighbour_cadre).get(by_type["application/pdf"]).status_code == 404


def test_errors_speak_the_language_asked_for(
    login: Any, township_task: Any, city_admin: Any
) -> None:
    url = f"{TASKS}{township_task.pk}/update/"
    body = {"deadline": "2026-08-01"}
    chinese = login(city_admin).post(url, body, content_type="application/json")
    assert chinese.status_code == 400
    assert chinese.json()["deadline"] == ["完成时限不能早于开始日期。"]
    english = login(city_admin).post(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8"
    )
    assert english.json()["deadline"] == ["The deadline cannot be before the start date."]
    assert english["Content-Language"] == "en"


# --- the OpenAPI document -------------------------------------------------------------


def test_the_schema_documents_the_task_endpoints_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--format",
        "openapi-json",
        "--file",
        str(out),
        stderr=io.StringIO(),
    )
    paths = json.loads(out.read_text())["paths"]
    for path in (
        "/api/v1/tasks/",
        "/api/v1/tasks/{id}/",
        "/api/v1/tasks/{id}/tree/",
        "/api/v1/tasks/{id}/update/",
        "/api/v1/tasks/{id}/cascade/",
        "/api/v1/tasks/{id}/milestones/",
        "/api/v1/tasks/{id}/milestones/{mid}/complete/",
        "/api/v1/tasks/{id}/progress/",
        "/api/v1/tasks/{id}/reports/{rid}/verify/",
        "/api/v1/tasks/{id}/extensions/",
        "/api/v1/tasks/{id}/extensions/{eid}/approve/",
        "/api/v1/tasks/{id}/extensions/{eid}/refuse/",
        "/api/v1/tasks/{id}/urge/",
        "/api/v1/tasks/{id}/feasibility/",
        "/api/v1/tasks/{id}/close/",
        "/api/v1/tasks/{id}/cancel/",
        "/api/v1/tasks/{id}/evidence/{eid}/",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/v1/tasks/{id}/"]
    assert "put" not in paths["/api/v1/tasks/{id}/"]
    progress = paths["/api/v1/tasks/{id}/progress/"]["post"]
    assert set(progress["requestBody"]["content"]) >= {"multipart/form-data", "application/json"}
    assert {"200", "400", "403", "404", "409", "422"} <= set(progress["responses"])
    verify = paths["/api/v1/tasks/{id}/reports/{rid}/verify/"]["post"]
    assert [p["name"] for p in verify["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert {p["name"] for p in verify["parameters"] if p["in"] == "path"} == {"id", "rid"}


@pytest.fixture
def openapi(login: Any, city_admin: Any) -> OpenAPI:
    response = login(city_admin).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return OpenAPI(response.json())


def test_task_answers_match_the_document(
    openapi: OpenAPI,
    login: Any,
    village_tasks: dict[str, Any],
    township_task: Any,
    city_admin: Any,
    xc_secretary: Any,
    village_cadre: Any,
) -> None:
    mine = village_tasks["village"]
    city = login(city_admin)
    openapi.check("/api/v1/tasks/", "get", city.get(TASKS))
    openapi.check("/api/v1/tasks/{id}/", "get", city.get(f"{TASKS}{township_task.pk}/"))
    openapi.check("/api/v1/tasks/{id}/tree/", "get", city.get(f"{TASKS}{mine.pk}/tree/"))
    cadre = login(village_cadre)
    reported = cadre.post(f"{TASKS}{mine.pk}/progress/", {"value": "12", "evidence": [photo()]})
    openapi.check("/api/v1/tasks/{id}/progress/", "post", reported)
    rid = reported.json()["reports"][0]["id"]
    verify = f"{TASKS}{mine.pk}/reports/{rid}/verify/"
    denied = cadre.post(verify, {"accepted": True}, content_type="application/json")
    assert denied.status_code == 403
    openapi.check("/api/v1/tasks/{id}/reports/{rid}/verify/", "post", denied)
    township = login(xc_secretary)
    accepted = township.post(verify, {"accepted": True}, content_type="application/json")
    openapi.check("/api/v1/tasks/{id}/reports/{rid}/verify/", "post", accepted)
    again = township.post(verify, {"accepted": True}, content_type="application/json")
    assert again.status_code == 409
    openapi.check("/api/v1/tasks/{id}/reports/{rid}/verify/", "post", again)
    bad = cadre.post(f"{TASKS}{mine.pk}/extensions/", {}, content_type="application/json")
    assert bad.status_code == 400
    openapi.check("/api/v1/tasks/{id}/extensions/", "post", bad)
    created = city.post(
        TASKS,
        {"title": "新", "kind": "key_task", "unit": "513401101", "deadline": "2026-12-31"},
        content_type="application/json",
    )
    openapi.check("/api/v1/tasks/", "post", created)
    openapi.check("/api/v1/tasks/{id}/", "get", city.get(f"{TASKS}{mine.pk}/"))


def test_list_and_detail_cost_the_same_queries_however_much_there_is(
    login: Any, deploy: Any, village_task: Any, village_cadre: Any, city_admin: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(client: Any, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        # The working-day calendar re-checks its revision every few seconds: a query that
        # depends on the clock, not on the data, so it is not counted.
        return sum(1 for q in queries if "common_calendar" not in q["sql"])

    city, village = login(city_admin), login(village_cadre)
    detail = f"{TASKS}{village_task.pk}/"
    village.post(f"{detail}progress/", {"value": "5", "evidence": [photo()]})
    one_report, one_list = cost(village, detail), cost(city, TASKS)
    for value in ("6", "7"):
        village.post(f"{detail}progress/", {"value": value, "evidence": [photo()]})
    deploy(title="第二项")
    deploy(title="第三项")
    assert cost(village, detail) == one_report
    assert cost(city, TASKS) == one_list
