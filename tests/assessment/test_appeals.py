"""Appeals (申诉): a unit appeals a score of a published run; the office accepts (a new
version with a visible diff, the published one untouched) or refuses; window, scope, evidence.

The run of the fixtures: 礼州村 85 (优秀, red list, the whole pool), 田坝村 0, 安宁村 0.
田坝村's patrol share is 0 % (one report, by a resident); it appeals and claims 50 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.assessment.actions import compute_run
from grassroots.assessment.actions.appeals import EVIDENCE_MAX_BYTES, decide_appeal, submit_appeal
from grassroots.assessment.actions.publishing import publish_run, snapshot_sha256
from grassroots.assessment.errors import AssessmentError, IllegalTransition
from grassroots.assessment.models import Appeal, AppealState, Indicator, Publication, Result, Run
from grassroots.assessment.queries_publishing import run_diff
from grassroots.assessment.states import RunState
from tests.assessment.conftest import CST

pytestmark = pytest.mark.usefixtures("events")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def published(scheme: Any, city_admin: Any) -> Run:
    run = compute_run(scheme, "2026-10", actor=city_admin)
    publish_run(run, actor=city_admin)
    run.refresh_from_db()
    return run


@pytest.fixture
def patrol(scheme: Any) -> Indicator:
    return Indicator.objects.get(scheme=scheme, code="patrol")


def _appeal(run: Run, unit: Any, indicator: Indicator, actor: Any, **kw: Any) -> Appeal:
    fields: dict[str, Any] = {
        "reason": "本月巡查发现的2起事件被误登记为群众上报",
        "claimed_value": Decimal("50"),
        "evidence": None,
    }
    fields.update(kw)
    return submit_appeal(run, unit, indicator, actor=actor, **fields)


def _results(run: Run) -> list[tuple[str, Decimal, int, str, str, int]]:
    return [
        (r.unit.name, r.total, r.rank, r.grade, r.list_status, r.reward_fen)
        for r in Result.objects.filter(run=run).select_related("unit").order_by("unit__code")
    ]


def test_an_accepted_appeal_makes_a_new_version_with_a_visible_diff(
    tree: dict[str, Any],
    published: Run,
    patrol: Indicator,
    neighbour_cadre: Any,
    city_admin: Any,
) -> None:
    before = _results(published)
    sha = Publication.objects.get(run=published).sha256
    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)

    decided = decide_appeal(
        appeal,
        accept=True,
        reason="核实巡查台账, 2起事件为巡查发现",
        corrected_value=Decimal("50"),
        actor=city_admin,
    )

    assert decided.state == AppealState.ACCEPTED and decided.new_run is not None
    new = decided.new_run
    assert (new.version, new.state, new.parent_id) == (2, RunState.COMPUTED, published.pk)
    changes = run_diff(published, new)
    tianba = next(c for c in changes.diff.results if c.unit == "513401101202")
    assert tianba.get("total") is not None
    assert (tianba.get("total").before, tianba.get("total").after) == (  # type: ignore[union-attr]
        Decimal("0.00"),
        Decimal("30.00"),  # 60 points × 50 %
    )
    assert tianba.get("grade").after == "average"  # type: ignore[union-attr]
    anning = next(c for c in changes.diff.results if c.unit == "513401102201")
    assert anning.get("list_status").after == "black"  # type: ignore[union-attr]
    assert [(s.unit, s.indicator, s.before, s.after) for s in changes.diff.scores] == [
        ("513401101202", "patrol", Decimal("0.00"), Decimal("30.00"))
    ]
    score = new.scores.get(unit=tree["neighbour_village"], indicator=patrol)
    assert score.explanation["correction"]["appeal"] == appeal.pk
    # the published version is exactly as it was
    published.refresh_from_db()
    assert published.state == RunState.PUBLISHED
    assert _results(published) == before
    publication = Publication.objects.get(run=published)
    assert publication.sha256 == sha == snapshot_sha256(publication.snapshot)


def test_a_refused_appeal_keeps_the_results_and_says_why(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any, city_admin: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)

    decided = decide_appeal(
        appeal, accept=False, reason="台账显示均为群众上报", corrected_value=None, actor=city_admin
    )

    assert decided.state == AppealState.REFUSED and decided.new_run is None
    assert decided.decision_reason == "台账显示均为群众上报"
    assert Run.objects.filter(scheme=published.scheme).count() == 1


def test_deciding_needs_a_reason_and_accepting_a_corrected_value(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any, city_admin: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)

    with pytest.raises(AssessmentError) as no_reason:
        decide_appeal(appeal, accept=False, reason="  ", corrected_value=None, actor=city_admin)
    with pytest.raises(AssessmentError) as no_value:
        decide_appeal(appeal, accept=True, reason="核实", corrected_value=None, actor=city_admin)

    assert no_reason.value.field == "reason" and no_value.value.field == "corrected_value"
    appeal.refresh_from_db()
    assert appeal.state == AppealState.SUBMITTED


def test_an_appeal_is_decided_once(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any, city_admin: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)
    decide_appeal(appeal, accept=False, reason="不予支持", corrected_value=None, actor=city_admin)

    with pytest.raises(IllegalTransition):
        decide_appeal(
            appeal, accept=True, reason="改判", corrected_value=Decimal(1), actor=city_admin
        )


def test_only_the_city_office_decides(
    tree: dict[str, Any],
    published: Run,
    patrol: Indicator,
    neighbour_cadre: Any,
    xc_secretary: Any,
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)

    with pytest.raises(PermissionDenied):
        decide_appeal(
            appeal, accept=False, reason="不予支持", corrected_value=None, actor=xc_secretary
        )


def test_a_village_cannot_appeal_another_villages_score(
    tree: dict[str, Any], published: Run, patrol: Indicator, village_cadre: Any, outsider: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _appeal(published, tree["neighbour_village"], patrol, village_cadre)
    with pytest.raises(PermissionDenied):  # the leader of another township
        _appeal(published, tree["village"], patrol, outsider)
    assert not Appeal.objects.exists()


def test_the_township_may_appeal_for_its_village(
    tree: dict[str, Any], published: Run, patrol: Indicator, xc_secretary: Any
) -> None:
    appeal = _appeal(published, tree["neighbour_village"], patrol, xc_secretary)

    assert appeal.state == AppealState.SUBMITTED and appeal.submitted_by == xc_secretary


def test_one_open_appeal_per_score(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any
) -> None:
    _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)

    with pytest.raises(IllegalTransition):
        _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)
    assert Appeal.objects.count() == 1


def test_appeals_close_with_the_window(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 22, 17, tzinfo=CST), tick=False):
        assert _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)
    with (
        time_machine.travel(dt.datetime(2026, 10, 23, 9, tzinfo=CST), tick=False),
        pytest.raises(IllegalTransition),
    ):
        _appeal(
            published,
            tree["neighbour_village"],
            Indicator.objects.get(code="patrol-rank"),
            neighbour_cadre,
        )


def test_an_unpublished_run_cannot_be_appealed(
    tree: dict[str, Any], scheme: Any, patrol: Indicator, neighbour_cadre: Any, city_admin: Any
) -> None:
    run = compute_run(scheme, "2026-10", actor=city_admin)

    with pytest.raises(IllegalTransition):
        _appeal(run, tree["neighbour_village"], patrol, neighbour_cadre)


def test_an_appeal_needs_a_reason(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any
) -> None:
    with pytest.raises(AssessmentError) as caught:
        _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre, reason=" ")

    assert caught.value.field == "reason"


def test_evidence_is_kept_when_it_is_a_pdf(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any
) -> None:
    upload = SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf")

    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre, evidence=upload)

    assert appeal.evidence.name.endswith(".pdf")
    with appeal.evidence.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("run.exe", b"MZ\x90\x00binary"),
        ("fake.pdf", b"%PDF-1.4 no end marker"),
        ("big.pdf", b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES + b"%%EOF"),
        ("empty.pdf", b""),
    ],
)
def test_evidence_that_is_not_a_small_pdf_or_photo_is_refused(
    tree: dict[str, Any],
    published: Run,
    patrol: Indicator,
    neighbour_cadre: Any,
    name: str,
    content: bytes,
) -> None:
    upload = SimpleUploadedFile(name, content)

    with pytest.raises(AssessmentError) as caught:
        _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre, evidence=upload)

    assert caught.value.field == "evidence"
    assert not Appeal.objects.exists()


def test_a_real_spreadsheet_is_not_evidence_of_an_appeal(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any
) -> None:
    import io

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    upload = SimpleUploadedFile("台账.xlsx", buffer.getvalue())

    with pytest.raises(AssessmentError) as caught:
        _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre, evidence=upload)

    assert caught.value.field == "evidence" and caught.value.code == "wrong_type"


def test_submitting_and_deciding_are_audited(
    tree: dict[str, Any], published: Run, patrol: Indicator, neighbour_cadre: Any, city_admin: Any
) -> None:
    from grassroots.audit.models import AuditEntry

    appeal = _appeal(published, tree["neighbour_village"], patrol, neighbour_cadre)
    decide_appeal(
        appeal, accept=True, reason="核实", corrected_value=Decimal("50"), actor=city_admin
    )

    submitted = AuditEntry.objects.get(action="assessment.appeal.submitted")
    accepted = AuditEntry.objects.get(action="assessment.appeal.accepted")
    assert submitted.after["unit"] == "513401101202"
    assert accepted.after["new_run"] == Appeal.objects.get().new_run_id
