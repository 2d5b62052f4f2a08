"""A task's page (/supervision/<id>/): the tree with progress per node and the split gap,
and every verb posted through it — cascade (by hand, pro rata, preview), report with
evidence, verify, extension, milestones, urge, feasibility, close, cancel — with the
answers a user gets: 302 when done, 400 with the error on the field, 403 for a verb the
user may not do, 404 out of scope, 409 when the state no longer allows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pages_support import png_bytes
from tests.supervision.conftest import fresh, lines

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def body(response: Any) -> str:
    return str(response.content.decode())


def url(task: Any, verb: str = "") -> str:
    return f"/supervision/{task.pk}/{verb + '/' if verb else ''}"


def errors_of(response: Any) -> dict[str, Any]:
    """The errors of the verb form that failed (the panel's, or an item's)."""
    verb = response.context["open_verb"]
    for v, form in response.context["verb_forms"]:
        if v.name == verb:
            return dict(form.errors)
    for item in [*response.context["reports"], *response.context["extensions"]]:
        for name in ("verify_form", "decide_form"):
            form = getattr(item, name, None)
            if form is not None and form.is_bound:
                return dict(form.errors)
    for item in response.context["milestones"]:
        form = getattr(item, "done_form", None)
        if form is not None and form.is_bound:
            return dict(form.errors)
    raise AssertionError("no bound form")


def fetch(client: Any, path: str) -> tuple[Any, bytes]:
    """A file answer and its bytes (read to the end, so the file is closed)."""
    response = client.get(path)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    # Not response.close(): its request_finished signal would close the test's connection.
    stream = getattr(response, "file_to_stream", None)
    if stream is not None:
        stream.close()
    return response, data


def offered(response: Any) -> list[str]:
    return [verb.name for verb, _form in response.context["verb_forms"]]


@pytest.fixture
def short_share(township_task: Any, units: dict[str, Any], xc_secretary: Any) -> Any:
    """礼州村's share of 60 万元, due 2026-11-30 (so that it may ask for more time)."""
    from grassroots.supervision.actions import cascade_task

    [share] = cascade_task(
        township_task.pk,
        actor=xc_secretary,
        shares={units["village"]: Decimal(60)},
        deadline=dt.date(2026, 11, 30),
    )
    return share


# --- the page ----------------------------------------------------------------------------


def test_tree_progress_and_split_gap(
    login: Any, short_share: Any, township_task: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    response = login(xc_secretary).get(url(township_task))
    assert response.status_code == 200
    page = body(response)
    assert [n.pk for n in response.context["nodes"]] == [township_task.pk, short_share.pk]
    assert "子任务目标合计 60 / 100 万元" in page
    assert "40 万元" in page  # not yet assigned
    assert page.count('role="progressbar"') >= 3  # the head and a bar per node
    assert "cascade" in offered(response)  # 田坝村 has no share yet
    # the village sees its own task, not the township's above it
    own = login(village_cadre).get(url(short_share))
    assert [n.pk for n in own.context["nodes"]] == [short_share.pk]
    assert offered(own) == ["report", "extension"]
    assert "子任务目标合计" not in body(own)


def test_out_of_scope_is_404_and_forbidden_verbs_403(
    login: Any, short_share: Any, outsider: Any, neighbour_cadre: Any, village_cadre: Any
) -> None:
    for user in (outsider, neighbour_cadre):
        client = login(user)
        assert client.get(url(short_share)).status_code == 404
        assert client.post(url(short_share, "report"), {"report-value": "1"}).status_code == 404
    client = login(village_cadre)
    assert client.get("/supervision/999999/").status_code == 404
    assert client.post(url(short_share, "nonsense"), {}).status_code == 404
    assert client.get(url(short_share, "report")).status_code == 405
    # the cadre sees the task but does not urge it: the issuer does
    assert client.post(url(short_share, "urge"), {"urge-note": "快"}).status_code == 403
    assert lines(short_share, "urge") == []


# --- cascade -------------------------------------------------------------------------------


def test_cascade_by_hand_and_the_error_when_it_exceeds_the_target(
    login: Any, township_task: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.models import Task

    client = login(xc_secretary)
    too_much = client.post(
        url(township_task, "cascade"),
        {
            "cascade-basis": "manual",
            "cascade-share_513401101201": "80",
            "cascade-share_513401101202": "30",
        },
    )
    assert too_much.status_code == 400
    assert "110" in " ".join(errors_of(too_much)["__all__"])
    assert Task.objects.filter(parent=township_task).count() == 0
    done = client.post(
        url(township_task, "cascade"),
        {"cascade-basis": "manual", "cascade-share_513401101201": "60"},
    )
    assert done.status_code == 302
    page = body(client.get(url(township_task)))
    assert "子任务目标合计 60 / 100 万元" in page


def test_cascade_pro_rata_with_a_preview_first(
    login: Any, township_task: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.models import Task

    client = login(xc_secretary)
    data = {"cascade-basis": "households", "preview": "1"}
    preview = client.post(url(township_task, "cascade"), data)
    assert preview.status_code == 200
    shown = [(u.code, v) for u, v in preview.context["preview"].rows]
    assert shown == [("513401101201", Decimal(60)), ("513401101202", Decimal(40))]
    assert Task.objects.filter(parent=township_task).count() == 0  # nothing written
    assert (
        client.post(url(township_task, "cascade"), {"cascade-basis": "population"}).status_code
        == 302
    )
    shares = dict(
        Task.objects.filter(parent=township_task).values_list("unit__code", "target_value")
    )
    # 1,000 : 800 people of 100 → 55.5…, 44.4… rounded to whole 万元 by largest remainder
    assert shares == {"513401101201": Decimal(56), "513401101202": Decimal(44)}
    page = body(client.get(url(township_task)))
    assert "子任务目标合计 100 / 100 万元" in page
    assert "cascade" not in offered(client.get(url(township_task)))  # nobody is left


def test_cascade_without_a_target_ticks_units(login: Any, deploy: Any, xc_secretary: Any) -> None:
    task = deploy(title="文化院坝建设", target_value=None)
    client = login(xc_secretary)
    missing = client.post(url(task, "cascade"), {})
    assert missing.status_code == 400 and "units" in errors_of(missing)
    done = client.post(url(task, "cascade"), {"cascade-units": ["513401101202"]})
    assert done.status_code == 302
    assert [c.unit.code for c in task.children.all()] == ["513401101202"]


# --- report, evidence, verify ---------------------------------------------------------------


def report(client: Any, task: Any, value: str, *files: Any, note: str = "") -> Any:
    return client.post(
        url(task, "report"),
        {"report-value": value, "report-note": note, "report-evidence": list(files)},
    )


def test_report_with_a_photo_and_a_document_then_evidence_is_scoped(
    login: Any, short_share: Any, village_cadre: Any, xc_secretary: Any, outsider: Any
) -> None:
    from grassroots.supervision.models import Evidence

    client = login(village_cadre)
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    pdf = SimpleUploadedFile("验收单.pdf", PDF, content_type="application/pdf")
    response = report(client, short_share, "12.5", photo, pdf, note="完成第一批")
    assert response.status_code == 302
    picture = Evidence.objects.get(content_type="image/png")
    document = Evidence.objects.get(content_type="application/pdf")
    page = body(login(xc_secretary).get(url(short_share)))
    assert f'src="/supervision/evidence/{picture.pk}/thumb/"' in page
    assert f'href="/supervision/evidence/{document.pk}/" download' in page
    assert "12.5 万元" in page and "完成第一批" in page
    leader = login(xc_secretary)
    inline, data = fetch(leader, f"/supervision/evidence/{picture.pk}/")
    assert inline.status_code == 200 and inline["Content-Type"] == "image/png"
    assert data.startswith(b"\x89PNG")
    assert "attachment" not in inline.get("Content-Disposition", "")
    thumb, data = fetch(leader, f"/supervision/evidence/{picture.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    download, data = fetch(leader, f"/supervision/evidence/{document.pk}/")
    assert data == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert leader.get(f"/supervision/evidence/{document.pk}/thumb/").status_code == 404
    assert login(outsider).get(f"/supervision/evidence/{picture.pk}/").status_code == 404
    assert login(outsider).get(f"/supervision/evidence/{document.pk}/").status_code == 404


def test_report_errors_on_the_field(login: Any, short_share: Any, village_cadre: Any) -> None:
    from grassroots.supervision.models import ProgressReport

    client = login(village_cadre)
    beyond = report(client, short_share, "61")
    assert beyond.status_code == 400 and "value" in errors_of(beyond)
    assert "60" in " ".join(errors_of(beyond)["value"])
    empty = report(client, short_share, "")
    assert empty.status_code == 400 and "value" in errors_of(empty)
    text = SimpleUploadedFile("说明.txt", b"just text", content_type="text/plain")
    wrong = report(client, short_share, "5", text)
    assert wrong.status_code == 400 and "evidence" in errors_of(wrong)
    assert ProgressReport.objects.count() == 0


def test_verify_accept_and_return_with_a_reason(
    login: Any, short_share: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.models import ProgressReport

    cadre = login(village_cadre)
    report(cadre, short_share, "15")
    report(cadre, short_share, "30")
    first, second = ProgressReport.objects.order_by("id")
    # the cadre is not offered the verification, and posting it is refused
    assert not any(
        getattr(r, "verify_form", None) for r in cadre.get(url(short_share)).context["reports"]
    )
    refused = cadre.post(
        url(short_share, "verify"), {"verify-report": first.pk, "verify-outcome": "accept"}
    )
    assert refused.status_code == 403
    leader = login(xc_secretary)
    ok = leader.post(
        url(short_share, "verify"), {"verify-report": first.pk, "verify-outcome": "accept"}
    )
    assert ok.status_code == 302
    assert fresh(short_share).verified_percent == Decimal(25)
    no_reason = leader.post(
        url(short_share, "verify"), {"verify-report": second.pk, "verify-outcome": "return"}
    )
    assert no_reason.status_code == 400 and "reason" in errors_of(no_reason)
    returned = leader.post(
        url(short_share, "verify"),
        {"verify-report": second.pk, "verify-outcome": "return", "verify-reason": "照片看不清"},
    )
    assert returned.status_code == 302
    second.refresh_from_db()
    assert second.state == "returned" and second.return_reason == "照片看不清"
    again = leader.post(
        url(short_share, "verify"), {"verify-report": first.pk, "verify-outcome": "accept"}
    )
    assert again.status_code == 409 and again.context["problem"]
    page = body(cadre.get(url(short_share)))
    assert "照片看不清" in page and "15 / 60 万元" in page


def test_verify_a_report_of_another_task_is_404(
    login: Any,
    short_share: Any,
    township_task: Any,
    village_cadre: Any,
    xc_secretary: Any,
    city_admin: Any,
) -> None:
    from grassroots.supervision.models import ProgressReport

    report(login(village_cadre), short_share, "5")
    [row] = ProgressReport.objects.all()
    other = login(city_admin).post(
        url(township_task, "verify"), {"verify-report": row.pk, "verify-outcome": "accept"}
    )
    assert other.status_code == 404


def test_htmx_answers_swap_the_main_part(login: Any, short_share: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    ok = client.post(
        url(short_share, "report"), {"report-value": "3"}, headers={"HX-Request": "true"}
    )
    assert ok.status_code == 200
    assert 'id="task-main"' in body(ok)
    assert "<html" not in body(ok)
    bad = client.post(
        url(short_share, "report"), {"report-value": "x"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 400 and 'id="task-main"' in body(bad)


# --- extension, milestones, urge ---------------------------------------------------------------


def test_extension_requested_then_refused_then_approved(
    login: Any, short_share: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.models import ExtensionRequest

    cadre, leader = login(village_cadre), login(xc_secretary)
    late = cadre.post(
        url(short_share, "extension"),
        {"extension-requested_deadline": "2027-01-15", "extension-reason": "雨季"},
    )
    assert late.status_code == 400 and "requested_deadline" in errors_of(late)
    asked = {"extension-requested_deadline": "2026-12-20", "extension-reason": "雨季施工受阻"}
    assert cadre.post(url(short_share, "extension"), asked).status_code == 302
    first = ExtensionRequest.objects.get()
    no_reason = leader.post(
        url(short_share, "decide"), {"decide-request": first.pk, "decide-outcome": "refuse"}
    )
    assert no_reason.status_code == 400 and "note" in errors_of(no_reason)
    refuse = {
        "decide-request": first.pk,
        "decide-outcome": "refuse",
        "decide-note": "不符合延期条件",
    }
    assert leader.post(url(short_share, "decide"), refuse).status_code == 302
    assert fresh(short_share).deadline == dt.date(2026, 11, 30)
    assert cadre.post(url(short_share, "extension"), asked).status_code == 302
    second = ExtensionRequest.objects.get(state="pending")
    approve = {"decide-request": second.pk, "decide-outcome": "approve", "decide-note": "同意"}
    assert cadre.post(url(short_share, "decide"), approve).status_code == 403
    assert leader.post(url(short_share, "decide"), approve).status_code == 302
    assert fresh(short_share).deadline == dt.date(2026, 12, 20)
    page = body(cadre.get(url(short_share)))
    assert "不符合延期条件" in page and "2026-12-20" in page


def test_milestone_added_by_the_issuer_done_by_the_unit(
    login: Any, short_share: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    from grassroots.supervision.models import Milestone

    leader, cadre = login(xc_secretary), login(village_cadre)
    outside = leader.post(
        url(short_share, "milestone"),
        {"milestone-title": "验收", "milestone-due_date": "2026-12-15"},
    )
    assert outside.status_code == 400 and "due_date" in errors_of(outside)
    assert (
        cadre.post(
            url(short_share, "milestone"),
            {"milestone-title": "验收", "milestone-due_date": "2026-10-15"},
        ).status_code
        == 403
    )
    added = leader.post(
        url(short_share, "milestone"),
        {"milestone-title": "完成选址", "milestone-due_date": "2026-10-15"},
    )
    assert added.status_code == 302
    milestone = Milestone.objects.get()
    photo = SimpleUploadedFile("选址.png", png_bytes(), content_type="image/png")
    done = cadre.post(
        url(short_share, "done"),
        {"done-milestone": milestone.pk, "done-note": "已选址", "done-evidence": [photo]},
    )
    assert done.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_at is not None and milestone.evidence.count() == 1
    twice = cadre.post(url(short_share, "done"), {"done-milestone": milestone.pk})
    assert twice.status_code == 409


def test_urge_by_the_issuer_shows_on_the_page(
    login: Any, short_share: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    assert (
        login(xc_secretary).post(url(short_share, "urge"), {"urge-note": "请加快进度"}).status_code
        == 302
    )
    page = body(login(village_cadre).get(url(short_share)))
    assert "请加快进度" in page
    assert [line.kind for line in lines(short_share, "urge")] == ["urge"]


# --- feasibility, close, cancel ----------------------------------------------------------------


def test_infeasible_project_needs_a_public_explanation(
    login: Any, deploy: Any, xc_secretary: Any, village_cadre: Any
) -> None:
    project = deploy(title="文化院坝建设", kind="livelihood", target_value=None, location="礼州镇")
    client = login(xc_secretary)
    assert "feasibility" in offered(client.get(url(project)))
    bare = client.post(url(project, "feasibility"), {"feasibility-feasible": "no"})
    assert bare.status_code == 400 and "explanation" in errors_of(bare)
    personal = client.post(
        url(project, "feasibility"),
        {"feasibility-feasible": "no", "feasibility-explanation": "请联系13812345678"},
    )
    assert personal.status_code == 400 and "explanation" in errors_of(personal)
    ok = client.post(
        url(project, "feasibility"),
        {"feasibility-feasible": "no", "feasibility-explanation": "用地未落实，明年实施"},
    )
    assert ok.status_code == 302
    assert fresh(project).feasibility == "infeasible"
    assert "用地未落实，明年实施" in body(client.get(url(project)))


def test_close_after_completion_and_cancel_with_a_reason(
    login: Any,
    short_share: Any,
    village_cadre: Any,
    xc_secretary: Any,
    city_admin: Any,
    deploy: Any,
) -> None:
    from grassroots.supervision.models import ProgressReport

    cadre, leader = login(village_cadre), login(xc_secretary)
    assert leader.post(url(short_share, "close"), {}).status_code == 409  # not completed
    report(cadre, short_share, "60")
    row = ProgressReport.objects.get()
    leader.post(url(short_share, "verify"), {"verify-report": row.pk, "verify-outcome": "accept"})
    assert fresh(short_share).state == "completed"
    assert "close" in offered(leader.get(url(short_share)))
    assert cadre.post(url(short_share, "close"), {}).status_code == 403
    assert leader.post(url(short_share, "close"), {"close-note": "验收合格"}).status_code == 302
    assert fresh(short_share).state == "closed"
    other = deploy(title="撤销的任务", target_value=None)
    city = login(city_admin)
    assert city.post(url(other, "cancel"), {}).status_code == 400
    assert city.post(url(other, "cancel"), {"cancel-reason": "任务调整"}).status_code == 302
    assert fresh(other).state == "cancelled"
    assert "任务调整" in body(city.get(url(other)))


def test_a_supervisor_reads_and_does_nothing(
    login: Any, short_share: Any, supervisor: Any, city_admin: Any
) -> None:
    client = login(supervisor)
    response = client.get(url(short_share))
    assert response.status_code == 200 and offered(response) == []
    assert client.post(url(short_share, "urge"), {"urge-note": "快"}).status_code == 403
    # the city office, above the issuer, may verify and urge what 礼州镇 issued
    assert offered(login(city_admin).get(url(short_share))) == ["urge", "milestone", "cancel"]
