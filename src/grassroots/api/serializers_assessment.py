"""Serializers of the assessment endpoints (``/api/v1/assessment/…``): schemes with their
indicators and checks, runs with their results, results and scores with their
explanations (stored, and in words), and the records behind a score.

Output classes declare every field (they are the API's contract); choice values are plain
strings beside their ``*_display`` (the OpenAPI document names enums after their field,
and ``state``, ``source`` and ``category`` already mean other sets elsewhere).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.assessment.access import MAX_ID
from grassroots.assessment.burden import flag_text, report_messages, source_text
from grassroots.assessment.checks import scheme_burden, scheme_weights
from grassroots.assessment.models import Indicator, Result, Run, Scheme, Score, Source
from grassroots.assessment.wording import (
    diagnostics_rows,
    list_reason_text,
    result_lines,
    rule_summary,
    run_note_text,
    score_lines,
    yuan,
)
from grassroots.common.metrics import UnknownMetricError
from grassroots.common.metrics import get as get_metric


def _metric(name: str) -> Any:
    if not name:
        return None
    try:
        return get_metric(name)
    except UnknownMetricError:
        return None


class AssessmentUnitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class AssessmentIndicatorSerializer(serializers.Serializer[Indicator]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    weight = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field named as a Field attribute
    source_text = serializers.SerializerMethodField()
    metric = serializers.CharField(read_only=True)
    metric_label = serializers.SerializerMethodField()
    metric_definition = serializers.SerializerMethodField()
    normaliser = serializers.CharField(read_only=True)
    direction = serializers.CharField(read_only=True)
    rule = serializers.CharField(read_only=True)
    rule_text = serializers.SerializerMethodField()
    params = serializers.JSONField(read_only=True)
    duty = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)

    def get_source_text(self, ind: Indicator) -> str:
        return source_text(ind.source)

    def get_metric_label(self, ind: Indicator) -> str:
        m = _metric(ind.metric) if ind.source == Source.METRIC else None
        return str(m.label) if m is not None else ""

    def get_metric_definition(self, ind: Indicator) -> str:
        m = _metric(ind.metric) if ind.source == Source.METRIC else None
        return m.definition if m is not None else ""

    def get_rule_text(self, ind: Indicator) -> str:
        return rule_summary(ind.rule, ind.params or {}, ind.weight, ind.direction)


class AssessmentBurdenIndicatorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named as a Field attribute
    flags = serializers.ListField(child=serializers.CharField())
    problems = serializers.ListField(child=serializers.CharField())
    duplicates = serializers.ListField(child=serializers.CharField())


class AssessmentBurdenSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    indicator_count = serializers.IntegerField()
    manual_count = serializers.IntegerField()
    max_indicators = serializers.IntegerField()
    max_manual = serializers.IntegerField()
    flags = serializers.ListField(child=serializers.CharField())
    messages = serializers.ListField(child=serializers.CharField())
    indicators = AssessmentBurdenIndicatorSerializer(many=True)


class AssessmentWeightCheckSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    assigned = serializers.DecimalField(max_digits=9, decimal_places=2)
    difference = serializers.DecimalField(max_digits=9, decimal_places=2)
    message = serializers.CharField()


class AssessmentSchemeSerializer(serializers.Serializer[Scheme]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    level = serializers.CharField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    root = AssessmentUnitSerializer(read_only=True)
    total_points = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)
    reward_pool_fen = serializers.IntegerField(read_only=True)
    training_places = serializers.IntegerField(read_only=True)
    max_indicators = serializers.IntegerField(read_only=True)
    max_manual = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, scheme: Scheme) -> str:
        return reverse("assessment:scheme", args=[scheme.pk])


class AssessmentSchemeDetailSerializer(AssessmentSchemeSerializer):
    indicators = serializers.SerializerMethodField()
    weight_check = serializers.SerializerMethodField()
    burden = serializers.SerializerMethodField()

    def _indicators(self, scheme: Scheme) -> list[Indicator]:
        cache: dict[int, list[Indicator]] = self.context.setdefault("_indicators", {})
        if scheme.pk not in cache:
            cache[scheme.pk] = list(
                Indicator.objects.filter(scheme=scheme).order_by("position", "code")
            )
        return cache[scheme.pk]

    @extend_schema_field(AssessmentIndicatorSerializer(many=True))
    def get_indicators(self, scheme: Scheme) -> list[dict[str, Any]]:
        return list(AssessmentIndicatorSerializer(self._indicators(scheme), many=True).data)  # type: ignore[arg-type]

    @extend_schema_field(AssessmentWeightCheckSerializer)
    def get_weight_check(self, scheme: Scheme) -> dict[str, Any]:
        check = scheme_weights(scheme, self._indicators(scheme))
        return dict(
            AssessmentWeightCheckSerializer(
                {
                    "ok": check.ok,
                    "total": check.total,
                    "assigned": check.assigned,
                    "difference": check.difference,
                    "message": check.message,
                }
            ).data
        )

    @extend_schema_field(AssessmentBurdenSerializer)
    def get_burden(self, scheme: Scheme) -> dict[str, Any]:
        report = scheme_burden(scheme, self._indicators(scheme))
        return dict(
            AssessmentBurdenSerializer(
                {
                    "ok": report.ok,
                    "indicator_count": report.indicator_count,
                    "manual_count": report.manual_count,
                    "max_indicators": report.max_indicators,
                    "max_manual": report.max_manual,
                    "flags": list(report.flags),
                    "messages": report_messages(report),
                    "indicators": [
                        {
                            "code": r.code,
                            "source": r.source,
                            "flags": list(r.flags),
                            "problems": [flag_text(f, r) for f in r.flags],
                            "duplicates": list(r.duplicates),
                        }
                        for r in report.rows
                    ],
                }
            ).data
        )


class AssessmentLabelValueSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named as a Field attribute
    value = serializers.CharField()


class AssessmentRunSerializer(serializers.Serializer[Run]):
    id = serializers.IntegerField(read_only=True)
    scheme = serializers.IntegerField(source="scheme_id", read_only=True)
    scheme_code = serializers.CharField(source="scheme.code", read_only=True)
    period = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)  # type: ignore[assignment]  # a field named as a Field attribute
    fingerprint = serializers.CharField(read_only=True)
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, run: Run) -> str:
        return reverse("assessment:run", args=[run.pk])


class AssessmentResultSerializer(serializers.Serializer[Result]):
    id = serializers.IntegerField(read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True)
    unit = AssessmentUnitSerializer(read_only=True)
    peer_group = serializers.CharField(read_only=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)
    rank = serializers.IntegerField(read_only=True)
    group_size = serializers.IntegerField(read_only=True)
    grade = serializers.CharField(read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    list_status = serializers.CharField(read_only=True)
    list_status_display = serializers.CharField(source="get_list_status_display", read_only=True)
    list_reason = serializers.CharField(read_only=True)
    list_reason_text = serializers.SerializerMethodField()
    reward_fen = serializers.IntegerField(read_only=True)
    reward_yuan = serializers.SerializerMethodField()
    training_places = serializers.IntegerField(read_only=True)
    vetoed = serializers.BooleanField(read_only=True)
    explanation = serializers.JSONField(read_only=True)
    explanation_text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_list_reason_text(self, result: Result) -> str:
        return list_reason_text(result.list_reason)

    def get_reward_yuan(self, result: Result) -> str:
        return yuan(result.reward_fen)

    def get_explanation_text(self, result: Result) -> list[str]:
        e = result.explanation or {}
        return result_lines(e, e.get("vetoes", []))

    def get_url(self, result: Result) -> str:
        return reverse("assessment:result", args=[result.run_id, result.unit_id])


class AssessmentRunDetailSerializer(AssessmentRunSerializer):
    diagnostics = serializers.JSONField(read_only=True)
    diagnostics_text = serializers.SerializerMethodField()
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    notes_text = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    @extend_schema_field(AssessmentLabelValueSerializer(many=True))
    def get_diagnostics_text(self, run: Run) -> list[dict[str, str]]:
        return [{"label": k, "value": v} for k, v in diagnostics_rows(run.diagnostics or {})]

    def get_notes_text(self, run: Run) -> list[str]:
        return [run_note_text(n) for n in run.notes or []]

    @extend_schema_field(AssessmentResultSerializer(many=True))
    def get_results(self, run: Run) -> list[dict[str, Any]]:
        rows = self.context.get("results", {}).get(run.pk, [])
        return list(AssessmentResultSerializer(rows, many=True, context=self.context).data)


class AssessmentScoreSerializer(serializers.Serializer[Score]):
    id = serializers.IntegerField(read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True)
    unit = AssessmentUnitSerializer(read_only=True)
    indicator = serializers.IntegerField(source="indicator_id", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    raw_value = serializers.DecimalField(
        max_digits=20, decimal_places=6, read_only=True, allow_null=True
    )
    numerator = serializers.DecimalField(
        max_digits=20, decimal_places=6, read_only=True, allow_null=True
    )
    denominator = serializers.DecimalField(
        max_digits=20, decimal_places=6, read_only=True, allow_null=True
    )
    shrunk_value = serializers.DecimalField(
        max_digits=20, decimal_places=6, read_only=True, allow_null=True
    )
    points = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)
    explanation = serializers.JSONField(read_only=True)
    explanation_text = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    def get_explanation_text(self, score: Score) -> list[str]:
        ind = score.indicator
        m = _metric((score.explanation or {}).get("metric") or ind.metric)
        return score_lines(
            score.explanation or {},
            raw_value=score.raw_value,
            weight=ind.weight,
            normaliser=ind.normaliser,
            unit=m.unit if m is not None and ind.source == Source.METRIC else "",
            source=ind.source,
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence(self, score: Score) -> str | None:
        """The API address of the records behind the score (None: no records)."""
        ind = score.indicator
        m = _metric((score.explanation or {}).get("metric") or ind.metric)
        if ind.source != Source.METRIC or m is None or m.evidence_func is None:
            return None
        return reverse("api:assessment-score-evidence", args=[score.pk])


class AssessmentRecordSerializer(serializers.Serializer[Any]):
    model = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named as a Field attribute
    url = serializers.CharField(help_text="The record's page ('' when it has none).")
    counted = serializers.BooleanField(
        allow_null=True, help_text="Whether the record counts in the metric's numerator."
    )
    fields = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]  # a field named as a Field attribute


class AssessmentComputeSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(
        max_length=16, help_text="A month (2026-10), a quarter (2026-Q3) or the year (2026)."
    )


# --- query parameters of the lists (bad values: 400 {field: [message]}) ------------------


class AssessmentSchemeFilterSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=9999)


class AssessmentRunFilterSerializer(serializers.Serializer[Any]):
    scheme = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="scheme id"
    )
    period = serializers.CharField(
        required=False, max_length=16, help_text="2026-10, 2026-Q3 or 2026"
    )


class AssessmentResultFilterSerializer(serializers.Serializer[Any]):
    run = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="run id"
    )
    unit = serializers.CharField(required=False, max_length=32, help_text="unit code")


class AssessmentScoreFilterSerializer(AssessmentResultFilterSerializer):
    indicator = serializers.CharField(required=False, max_length=40, help_text="indicator code")


class AssessmentEvidenceFilterSerializer(serializers.Serializer[Any]):
    counted = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only those in the numerator; false: only the others",
    )
