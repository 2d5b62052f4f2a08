"""Writing over the task API: deploy, change, split, milestones, progress with evidence,
verification, extensions, urging, feasibility, closing and cancelling — each by the unit
allowed to, with bad input refused by field, and ``Idempotency-Key`` honoured."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.supervision.models import ProgressReport, Task, TaskAction, Urge
from tests.open311.support import photo
from tests.supervision import conftest as supervision
from tests.supervision.conftest import audits, fresh

pytestmark = pytest.mark.django_db

# The supervision tests' fixtures (the clock at 2026-09-01, the tasks), shared here.
_clock = supervision._clock
_media = supervision._media
deploy = supervision.deploy
township_task = supervision.township_task
units = supervision.units
village_task = supervision.village_task
village_tasks = supervision.village_tasks

TASKS = "/api/v1/tasks/"
JSON = "application/json"


def post(client: Any, url: str, data: Any = None, **extra: Any) -> Any:
    return client.post(url, data if data is not None else {}, content_type=JSON, **extra)


def ok(response: Any, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


NEW = {
    "title": "乡村振兴示范村建设",
    "doc_number": "西委办〔2026〕30号",
    "kind": "key_task",
    "unit": "513401101",
    "deadline": "2026-12-31",
    "level": "key",
    "target_value": "12",
    "target_measure": "个",
    "co_units": ["513401D01"],
    "milestones": [{"title": "方案报批", "due_date": "2026-10-15"}],
}


# --- deploy and change ----------------------------------------------------------------


def test_the_city_deploys_a_task(login: Any, units: Any, city_admin: Any) -> None:
    body = ok(post(login(city_admin), TASKS, NEW), 201)
    assert body["issuer"]["code"] == "513401"
    assert body["unit"]["code"] == "513401101"
    assert body["target_value"] == "12.0000"
    assert body["level"] == "key"
    assert [u["code"] for u in body["co_units"]] == ["513401D01"]
    assert [m["title"] for m in body["milestones"]] == ["方案报批"]
    assert [line["action"] for line in body["timeline"]] == ["create"]
    assert Task.objects.get(pk=body["id"]).start_date.isoformat() == "2026-09-01"


def test_deploying_is_refused_to_others_and_on_bad_input(
    login: Any, units: Any, city_admin: Any, xc_secretary: Any
) -> None:
    assert post(login(xc_secretary), TASKS, NEW).status_code == 403
    city = login(city_admin)
    early = ok(
        post(city, TASKS, {**NEW, "start_date": "2026-10-01", "deadline": "2026-09-30"}), 400
    )
    assert list(early) == ["deadline"]
    assert ok(post(city, TASKS, {**NEW, "unit": "nope"}), 400)["unit"]
    assert ok(post(city, TASKS, {**NEW, "kind": "party"}), 400)["kind"]
    assert ok(post(city, TASKS, {**NEW, "target_value": "-3"}), 400)["target_value"]
    assert not Task.objects.exists()


def test_the_issuer_changes_a_task_by_post_or_patch(
    login: Any, township_task: Any, city_admin: Any, xc_secretary: Any
) -> None:
    url = f"{TASKS}{township_task.pk}/"
    city = login(city_admin)
    body = ok(post(city, url + "update/", {"level": "listed", "note": "列为挂牌督办"}))
    assert body["level"] == "listed"
    assert body["timeline"][-1]["action"] == "update"
    patched = ok(
        city.patch(url, {"title": "新标题", "version": body["version"]}, content_type=JSON)
    )
    assert patched["title"] == "新标题"
    stale = city.patch(url, {"title": "旧版本", "version": body["version"]}, content_type=JSON)
    assert stale.status_code == 409
    assert ok(city.patch(url, {"note": "只有说明"}, content_type=JSON), 400)
    # The responsible township sees the task, but changing it is the issuer's.
    assert login(xc_secretary).patch(url, {"title": "x"}, content_type=JSON).status_code == 403
    assert city.put(url, {"title": "x"}, content_type=JSON).status_code == 405
    assert fresh(township_task).title == "新标题"


# --- splitting ------------------------------------------------------------------------


def test_the_township_splits_its_task_and_sees_the_gap(
    login: Any, township_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    url = f"{TASKS}{township_task.pk}/cascade/"
    client = login(xc_secretary)
    too_much = [{"unit": "513401101201", "value": "70"}, {"unit": "513401101202", "value": "40"}]
    refused = ok(post(client, url, {"shares": too_much}), 400)
    assert list(refused) == ["shares"]
    assert "100" in refused["shares"][0]
    twice = [{"unit": "513401101201", "value": "10"}, {"unit": "513401101201", "value": "10"}]
    assert ok(post(client, url, {"shares": twice}), 400)["shares"]
    assert not Task.objects.filter(parent=township_task).exists()
    body = ok(post(client, url, {"shares": [{"unit": "513401101201", "value": "60"}]}))
    assert [c["target_value"] for c in body["children"]] == ["60.0000"]
    assert body["split_gap"]["gap"] == "40.0000"
    assert body["split_gap"]["complete"] is False
    rest = ok(post(client, url, {"basis": "households"}))
    assert rest["split_gap"]["complete"] is True
    assert login(village_cadre).post(url, {}, content_type=JSON).status_code == 404


# --- milestones, progress, verification -------------------------------------------------


def test_milestones_are_added_by_the_issuer_and_done_by_the_unit(
    login: Any, village_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    url = f"{TASKS}{village_task.pk}/milestones/"
    township, village = login(xc_secretary), login(village_cadre)
    assert post(village, url, {"title": "选址", "due_date": "2026-10-01"}).status_code == 403
    outside = ok(post(township, url, {"title": "选址", "due_date": "2027-01-10"}), 400)
    assert list(outside) == ["due_date"]
    body = ok(post(township, url, {"title": "选址", "due_date": "2026-10-01"}))
    mid = body["milestones"][0]["id"]
    done_url = f"{TASKS}{village_task.pk}/milestones/{mid}/complete/"
    assert post(township, done_url).status_code == 403
    done = ok(village.post(done_url, {"note": "已选定", "evidence": [photo()]}))
    milestone = done["milestones"][0]
    assert milestone["done"] is True
    assert milestone["done_by"] == "张村长"
    assert len(milestone["evidence"]) == 1
    assert village.post(done_url, {}).status_code == 409
    assert village.post(f"{TASKS}{village_task.pk}/milestones/999999/complete/").status_code == 404


def test_progress_counts_once_verified(
    login: Any, village_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    village, township = login(village_cadre), login(xc_secretary)
    url = f"{TASKS}{village_task.pk}/progress/"
    body = ok(village.post(url, {"value": "30", "note": "第一批", "evidence": [photo()]}))
    report = body["reports"][0]
    assert report["state"] == "submitted"
    assert report["ratio_percent"] == "50.00"
    assert body["verified_percent"] == "0.00"
    verify = f"{TASKS}{village_task.pk}/reports/{report['id']}/verify/"
    assert post(village, verify, {"accepted": True}).status_code == 403
    accepted = ok(post(township, verify, {"accepted": True}))
    assert accepted["verified_value"] == "30.0000"
    assert accepted["verified_percent"] == "50.00"
    assert accepted["reports"][0]["verified_by"] == "李书记"
    assert post(township, verify, {"accepted": True}).status_code == 409

    second = ok(village.post(url, {"value": "40"}))["reports"][-1]["id"]
    verify = f"{TASKS}{village_task.pk}/reports/{second}/verify/"
    assert list(ok(post(township, verify, {"accepted": False}), 400)) == ["reason"]
    returned = ok(post(township, verify, {"accepted": False, "reason": "无佐证"}))
    assert returned["reports"][-1]["state"] == "returned"
    assert returned["verified_value"] == "30.0000"


def test_bad_progress_is_refused_by_field_and_changes_nothing(
    login: Any, village_task: Any, village_cadre: Any
) -> None:
    village = login(village_cadre)
    url = f"{TASKS}{village_task.pk}/progress/"
    beyond = ok(village.post(url, {"value": "61"}), 400)
    assert list(beyond) == ["value"]
    assert "60" in beyond["value"][0]
    program = SimpleUploadedFile(
        "台账.pdf", b"MZ\x90\x00not really", content_type="application/pdf"
    )
    wrong = ok(village.post(url, {"value": "10", "evidence": [program]}), 400)
    assert list(wrong) == ["evidence"]
    assert ok(village.post(url, {"percent": "10"}), 400)["percent"]
    assert not ProgressReport.objects.exists()


def test_a_report_of_another_task_is_not_found(
    login: Any, village_tasks: dict[str, Any], xc_secretary: Any, neighbour_cadre: Any
) -> None:
    theirs = village_tasks["neighbour"]
    body = ok(login(neighbour_cadre).post(f"{TASKS}{theirs.pk}/progress/", {"value": "5"}))
    rid = body["reports"][0]["id"]
    mine = village_tasks["village"]
    wrong = post(login(xc_secretary), f"{TASKS}{mine.pk}/reports/{rid}/verify/", {"accepted": True})
    assert wrong.status_code == 404
    assert ProgressReport.objects.get(pk=rid).state == "submitted"


# --- extensions, urging, feasibility, closing, cancelling -------------------------------


def test_extensions_are_asked_below_and_decided_above(
    login: Any, deploy: Any, city_admin: Any, xc_secretary: Any
) -> None:
    task = deploy(deadline="2026-11-30")
    url = f"{TASKS}{task.pk}/extensions/"
    township, city = login(xc_secretary), login(city_admin)
    early = ok(post(township, url, {"requested_deadline": "2026-11-01", "reason": "雨季"}), 400)
    assert list(early) == ["requested_deadline"]
    body = ok(post(township, url, {"requested_deadline": "2026-12-20", "reason": "雨季停工"}))
    eid = body["extension_requests"][0]["id"]
    assert post(township, f"{url}{eid}/approve/").status_code == 403
    approved = ok(post(city, f"{url}{eid}/approve/", {"note": "同意"}))
    assert approved["deadline"] == "2026-12-20"
    assert approved["extension_requests"][0]["state"] == "approved"
    assert post(city, f"{url}{eid}/refuse/", {"reason": "晚了"}).status_code == 409
    again = ok(post(township, url, {"requested_deadline": "2026-12-31", "reason": "再延"}))
    eid = again["extension_requests"][-1]["id"]
    assert list(ok(post(city, f"{url}{eid}/refuse/"), 400)) == ["reason"]
    refused = ok(post(city, f"{url}{eid}/refuse/", {"reason": "不再延期"}))
    assert refused["extension_requests"][-1]["state"] == "refused"
    assert refused["deadline"] == "2026-12-20"


def test_the_issuer_urges_and_the_unit_cannot(
    login: Any, village_task: Any, xc_secretary: Any, village_cadre: Any, supervisor: Any
) -> None:
    url = f"{TASKS}{village_task.pk}/urge/"
    assert post(login(village_cadre), url).status_code == 403
    assert post(login(supervisor), url).status_code == 403
    body = ok(post(login(xc_secretary), url, {"note": "请加快进度"}))
    assert body["timeline"][-1]["action"] == "urge"
    assert Urge.objects.filter(task=village_task, kind="manual").count() == 1


def test_a_livelihood_project_gets_a_public_explanation(
    login: Any, deploy: Any, city_admin: Any
) -> None:
    task = deploy(
        kind="livelihood", budget=Decimal(80), location="礼州镇中心", beneficiaries="全镇"
    )
    url = f"{TASKS}{task.pk}/feasibility/"
    city = login(city_admin)
    assert list(ok(post(city, url, {"feasible": False}), 400)) == ["explanation"]
    leak = {"feasible": False, "explanation": "联系13812345678"}
    assert list(ok(post(city, url, leak), 400)) == ["explanation"]
    text = "选址涉及基本农田，明年调规后实施。"
    body = ok(post(city, url, {"feasible": False, "explanation": text}))
    assert body["feasibility"] == "infeasible"
    assert body["public_explanation"] == text
    plain = deploy()
    assert post(city, f"{TASKS}{plain.pk}/feasibility/", {"feasible": True}).status_code == 400


def test_a_completed_task_is_struck_off_and_an_open_one_cancelled(
    login: Any, village_tasks: dict[str, Any], xc_secretary: Any, village_cadre: Any
) -> None:
    task = village_tasks["village"]
    village, township = login(village_cadre), login(xc_secretary)
    close = f"{TASKS}{task.pk}/close/"
    assert post(township, close).status_code == 409
    rid = ok(village.post(f"{TASKS}{task.pk}/progress/", {"value": "60"}))["reports"][0]["id"]
    done = ok(post(township, f"{TASKS}{task.pk}/reports/{rid}/verify/", {"accepted": True}))
    assert done["status"] == "completed"
    assert post(village, close).status_code == 403
    closed = ok(post(township, close, {"note": "验收合格"}))
    assert closed["status"] == "closed"
    assert closed["state"] == "closed"

    other = village_tasks["neighbour"]
    cancel = f"{TASKS}{other.pk}/cancel/"
    assert list(ok(post(township, cancel), 400)) == ["reason"]
    cancelled = ok(post(township, cancel, {"reason": "合并实施"}))
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "合并实施"
    assert post(township, cancel, {"reason": "再撤"}).status_code == 409


# --- Idempotency-Key ------------------------------------------------------------------


def test_a_retried_create_returns_the_first_answer_and_deploys_once(
    login: Any, units: Any, city_admin: Any
) -> None:
    city = login(city_admin)
    key = {"HTTP_IDEMPOTENCY_KEY": "deploy-1"}
    first = post(city, TASKS, NEW, **key)
    retry = post(city, TASKS, NEW, **key)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Task.objects.count() == 1
    assert len(audits("supervision.task.created")) == 1
    other = post(city, TASKS, {**NEW, "title": "另一项"}, **key)
    assert other.status_code == 422
    assert Task.objects.count() == 1


def test_a_retried_verification_returns_the_first_answer_and_verifies_once(
    login: Any, village_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    rid = ok(login(village_cadre).post(f"{TASKS}{village_task.pk}/progress/", {"value": "6"}))[
        "reports"
    ][0]["id"]
    township = login(xc_secretary)
    url = f"{TASKS}{village_task.pk}/reports/{rid}/verify/"
    key = {"HTTP_IDEMPOTENCY_KEY": "verify-1"}
    first = post(township, url, {"accepted": True}, **key)
    retry = post(township, url, {"accepted": True}, **key)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert first.json()["verified_percent"] == "10.00"
    assert TaskAction.objects.filter(task=village_task, kind="accept_report").count() == 1
    assert len(audits("supervision.task.progress_accepted", village_task)) == 1
    # Without the key, the same request is a second verification: a conflict.
    assert post(township, url, {"accepted": True}).status_code == 409


def test_a_retried_upload_with_the_same_key_is_stored_once(
    login: Any, village_task: Any, village_cadre: Any
) -> None:
    village = login(village_cadre)
    url = f"{TASKS}{village_task.pk}/progress/"
    key = {"HTTP_IDEMPOTENCY_KEY": "upload-1"}
    first = village.post(url, {"value": "6", "evidence": [photo()]}, **key)
    retry = village.post(url, {"value": "6", "evidence": [photo()]}, **key)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert ProgressReport.objects.filter(task=village_task).count() == 1
