"""Progress: reported by the unit itself, verified by the unit above; only verified counts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.supervision import actions
from grassroots.supervision.errors import IllegalTransition, SupervisionConflict, SupervisionError
from grassroots.supervision.models import Evidence, ProgressReport, Task
from grassroots.supervision.queries import status_of
from tests.events.photos import image_bytes, upload
from tests.supervision.conftest import audits, fresh, inbox, lines

pytestmark = pytest.mark.django_db


def test_report_and_accept_update_the_verified_progress(
    village_task: Any,
    village_cadre: Any,
    xc_secretary: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.report_progress(
            village_task,
            actor=village_cadre,
            value="24",
            note="已完成 24 万元",
            evidence=[upload("现场.jpg", image_bytes(gps=True))],
        )
    assert (report.state, report.ratio_percent) == ("submitted", Decimal(40))
    # reported is not verified: the task has not moved
    assert fresh(village_task).verified_percent == 0
    [message] = inbox(xc_secretary)
    assert (message.object_type, message.object_id) == ("supervision.task", str(village_task.pk))
    assert village_task.title in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        verified = actions.verify_progress(report, actor=xc_secretary, accepted=True)
    assert verified.state == "accepted" and verified.verified_by == xc_secretary
    task = fresh(village_task)
    assert (task.verified_value, task.verified_percent, task.state) == (24, 40, "open")
    assert [x.kind for x in lines(task)][-2:] == ["report", "accept_report"]
    assert len(audits("supervision.task.progress_accepted", task)) == 1
    assert len(inbox(village_cadre)) == 1


def test_the_highest_accepted_value_counts_and_the_target_completes(
    village_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    first = actions.report_progress(village_task, actor=village_cadre, value=30)
    second = actions.report_progress(village_task, actor=village_cadre, value=20)
    actions.verify_progress(first, actor=xc_secretary, accepted=True)
    actions.verify_progress(second, actor=xc_secretary, accepted=True)
    assert fresh(village_task).verified_value == 30
    last = actions.report_progress(village_task, actor=village_cadre, value="60")
    actions.verify_progress(last, actor=xc_secretary, accepted=True)
    task = fresh(village_task)
    assert (task.state, task.verified_percent, status_of(task)) == ("completed", 100, "completed")
    assert task.completed_at is not None
    assert len(audits("supervision.task.completed", task)) == 1
    with pytest.raises(IllegalTransition):
        actions.report_progress(task, actor=village_cadre, value=60)


def test_returned_reports_never_count_and_need_a_reason(
    village_task: Any, village_cadre: Any, xc_secretary: Any
) -> None:
    report = actions.report_progress(village_task, actor=village_cadre, value=50)
    with pytest.raises(SupervisionError) as caught:
        actions.verify_progress(report, actor=xc_secretary, accepted=False)
    assert caught.value.field == "reason"
    returned = actions.verify_progress(
        report, actor=xc_secretary, accepted=False, reason="佐证材料不足"
    )
    assert (returned.state, returned.return_reason) == ("returned", "佐证材料不足")
    assert fresh(village_task).verified_value is None


def test_a_report_verified_twice_is_a_conflict(
    village_task: Any, village_cadre: Any, xc_secretary: Any, city_admin: Any
) -> None:
    report = actions.report_progress(village_task, actor=village_cadre, value=10)
    actions.verify_progress(report, actor=xc_secretary, accepted=True)
    with pytest.raises(SupervisionConflict):
        actions.verify_progress(report, actor=city_admin, accepted=False, reason="不实")
    assert ProgressReport.objects.get(pk=report.pk).state == "accepted"
    assert len(audits("supervision.task.progress_accepted")) == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"value": "60.01"}, "value", "beyond_target"),
        ({"value": "-1"}, "value", "out_of_range"),
        ({}, "value", "required"),
        ({"percent": 50}, "percent", "use_value"),
        (
            {"value": 10, "evidence": [upload("报告.txt", b"just text", "text/plain")]},
            "evidence",
            "wrong_type",
        ),
        (
            {"value": 10, "evidence": [upload("伪装.jpg", b"%PDF-1.4 no end")]},
            "evidence",
            "damaged",
        ),
    ],
)
def test_bad_reports_name_the_field_and_write_nothing(
    village_task: Any, village_cadre: Any, kwargs: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(SupervisionError) as caught:
        actions.report_progress(village_task, actor=village_cadre, **kwargs)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert ProgressReport.objects.count() == 0 and Evidence.objects.count() == 0
    assert fresh(village_task).version == 1


def test_percent_reports_for_a_task_without_target(
    deploy: Callable[..., Any], xc_secretary: Any, city_admin: Any
) -> None:
    task = deploy(target_value=None, kind="campaign", title="违建整治")
    with pytest.raises(SupervisionError) as caught:
        actions.report_progress(task, actor=xc_secretary, percent="100.5")
    assert (caught.value.field, caught.value.code) == ("percent", "above_100")
    with pytest.raises(SupervisionError) as caught:
        actions.report_progress(task, actor=xc_secretary, value=3)
    assert caught.value.field == "value"
    report = actions.report_progress(task, actor=xc_secretary, percent="100")
    actions.verify_progress(report, actor=city_admin, accepted=True)
    assert fresh(task).state == "completed"


def test_only_the_unit_itself_reports_and_only_the_unit_above_verifies(
    village_task: Any,
    township_task: Any,
    village_cadre: Any,
    neighbour_cadre: Any,
    xc_secretary: Any,
    supervisor: Any,
    outsider: Any,
    city_admin: Any,
) -> None:
    for actor in (neighbour_cadre, xc_secretary, supervisor, outsider, city_admin):
        with pytest.raises(PermissionDenied):
            actions.report_progress(village_task, actor=actor, value=1)
    report = actions.report_progress(village_task, actor=village_cadre, value=1)
    for actor in (village_cadre, neighbour_cadre, supervisor, outsider):
        with pytest.raises(PermissionDenied):
            actions.verify_progress(report, actor=actor, accepted=True)
    # the township's own task: reported by the township, verified by the city only
    own = actions.report_progress(township_task, actor=xc_secretary, value=5)
    with pytest.raises(PermissionDenied):
        actions.verify_progress(own, actor=xc_secretary, accepted=True)
    actions.verify_progress(own, actor=city_admin, accepted=True)
    # the city office may verify a village's report in its scope
    actions.verify_progress(report, actor=city_admin, accepted=True)
    assert fresh(village_task).verified_value == 1


def test_the_city_umbrella_adds_up_its_townships(
    deploy: Callable[..., Any],
    units: dict[str, Any],
    city_admin: Any,
    xc_secretary: Any,
    outsider: Any,
) -> None:
    umbrella = deploy(unit=units["city"], target_value=100)
    lizhou, anning = actions.cascade_task(
        umbrella, actor=city_admin, shares={units["lizhou"]: 70, units["anning"]: 30}
    )
    with pytest.raises(PermissionDenied):
        actions.report_progress(umbrella, actor=xc_secretary, value=1)
    from grassroots.org.models import User

    root_user = User.objects.create_superuser("root", password="Correct-Horse-42")
    with pytest.raises(SupervisionError) as caught:
        actions.report_progress(umbrella, actor=root_user, value=1)
    assert caught.value.code == "rollup"
    for task, actor, value in ((lizhou, xc_secretary, 70), (anning, outsider, 15)):
        report = actions.report_progress(task, actor=actor, value=value)
        actions.verify_progress(report, actor=city_admin, accepted=True)
    root = fresh(umbrella)
    assert (root.verified_value, root.verified_percent, root.state) == (85, 85, "open")
    actions.cancel_task(anning, actor=city_admin, reason="区划调整")
    root = fresh(umbrella)
    assert (root.verified_value, root.verified_percent) == (70, 70)
    assert Task.objects.get(pk=umbrella.pk).state == "open"


def test_evidence_is_stored_by_content_without_gps(
    village_task: Any, village_cadre: Any, settings: Any
) -> None:
    photo = image_bytes(gps=True)
    report = actions.report_progress(
        village_task,
        actor=village_cadre,
        value=1,
        evidence=[upload("a.jpg", photo), upload("copy.jpg", photo)],
    )
    [item] = Evidence.objects.filter(report=report)
    assert item.content_type == "image/jpeg" and item.original_name == "a.jpg"
    from grassroots.supervision.evidence import evidence_path
    from tests.events.photos import has_gps

    stored = evidence_path(item).read_bytes()
    assert not has_gps(stored)
    assert str(evidence_path(item)).startswith(str(settings.MEDIA_ROOT / "supervision"))
