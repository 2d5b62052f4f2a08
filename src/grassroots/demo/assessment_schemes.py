"""The demo's two assessment schemes of 西昌 for a year (see :mod:`grassroots.demo.assessment`).

- ``xc-township-<year>`` 乡镇(街道): 21 indicators, peer groups 街道 apart from 镇/乡
  (``Unit.peer_group``), no shrinkage, lists without a significance test, a pool of
  1,000,000 元 and six training places;
- ``xc-village-<year>`` 村(社区): 17 indicators, 社区 apart from 村, rates shrunk toward the
  peer mean and red/black-list entry only when the unit lies outside the funnel limits of
  按期处置率, a pool of 2,000,000 元 and ten training places.

Indicators come from the registered metrics (events and supervision), each with its rule
and the 乡镇履职事项 it derives from; the base categories weigh 100 points. Two manual
ratings (民主测评 by representatives, 部门评价 by the city's departments) and one veto
entered by the office (重大安全生产责任事故) are the only figures people supply. Grades:
优秀 for at most 20 % of a peer group and only from 85 points, 良好 for at most half from 75,
较差 below 60; rewards by grade coefficients 1.5 / 1.2 / 1.0; 年评 = 0.4 × months + 0.3 ×
quarters + 0.3 × year-end review.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from grassroots.assessment.models import Category, Indicator, Level, PeerRule, Scheme, Source
from grassroots.org.models import TOWNSHIP_LEVEL, Unit
from grassroots.org.queries import SEP

CITY_CODE: Final = "513401"  # 西昌市
YUAN: Final = 100  # fen

# --- the schemes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """One indicator of a demo scheme."""

    code: str
    name: str
    category: str
    weight: str
    rule: str
    params: dict[str, Any]
    duty: str
    metric: str = ""
    source: str = Source.METRIC
    direction: str = "higher"
    description: str = ""


C, S, M = Category.COMMON, Category.SPECIFIC, Category.SATISFACTION
DUTY_GRID: Final = "基层社会治理：网格化服务管理，群众诉求和矛盾纠纷的受理、处置与办结"
DUTY_PATROL: Final = "网格员日常巡查，主动发现和上报风险隐患"
DUTY_WEEKLY: Final = "为民办实事“每周一件事”"
DUTY_TASKS: Final = "落实市委、市政府重点工作和目标督查任务"
DUTY_HOTLINE: Final = "12345政务服务便民热线诉求办理"
DUTY_LIVELIHOOD: Final = "组织实施民生实事项目"
DUTY_SAFETY: Final = "安全生产监督管理和应急处置（属地管理责任）"

#: Rating indicators: the mean score (0–100) of the counted sheets, 60 → 0, 95 → full.
RATING: Final = {"floor": 60, "target": 95}
SAFETY_VETO = Spec(
    "safety-veto",
    "重大安全生产责任事故",
    Category.VETO,
    "0",
    "veto",
    {"threshold": 1},
    DUTY_SAFETY,
    source=Source.ENTRY,
    description="发生较大及以上安全生产责任事故的，由市委目督办依据事故调查报告录入，"
    "当期考核一票否决：评为较差，不进红榜，不得奖励。",
)

TOWNSHIP_SPECS: Final = (
    Spec(
        "on-time-handling",
        "事件按期处置率",
        C,
        "16",
        "range_linear",
        {"floor": 50, "target": 92},
        DUTY_GRID,
        "events.on_time_handling_rate",
        description="60%及以下不得分，95%及以上得满分，其间按比例计分。",
    ),
    Spec(
        "on-time-close",
        "事件按期结案率",
        C,
        "10",
        "range_linear",
        {"floor": 20, "target": 75},
        DUTY_GRID,
        "events.on_time_close_rate",
    ),
    Spec(
        "close-rate",
        "事件结案率",
        C,
        "4",
        "threshold_bands",
        {"bands": [[90, 2], [95, 3], [99, 4]]},
        DUTY_GRID,
        "events.close_rate",
        description="达到80%得4分，90%得6分，95%得8分。",
    ),
    Spec(
        "acceptance",
        "事件立案率",
        C,
        "5",
        "range_linear",
        {"floor": 70, "target": 98},
        DUTY_GRID,
        "events.acceptance_rate",
    ),
    Spec(
        "dispatch",
        "事件派遣准确率",
        C,
        "5",
        "range_linear",
        {"floor": 80, "target": 98},
        "网格化服务管理：事件分拨派遣",
        "events.dispatch_accuracy",
    ),
    Spec(
        "patrol",
        "主动发现率",
        C,
        "5",
        "rank_points",
        {},
        DUTY_PATROL,
        "events.patrol_share",
        description="在同类单位中按排名计分：第一名满分，末名0分。",
    ),
    Spec(
        "weekly-one-thing",
        "“每周一件事”覆盖率",
        C,
        "5",
        "threshold_bands",
        {"bands": [[50, 2], [75, 4], [90, 5]]},
        DUTY_WEEKLY,
        "events.weekly_one_thing_coverage",
    ),
    Spec(
        "rework",
        "事件返工率",
        C,
        "5",
        "range_linear",
        {"floor": 15, "target": 2},
        DUTY_GRID,
        "events.rework_rate",
        direction="lower",
        description="返工率15%及以上不得分，2%及以下得满分。",
    ),
    Spec(
        "tasks-on-time",
        "目督任务按期完成加分",
        Category.BONUS,
        "0",
        "threshold_bands",
        {"bands": [[90, 1], [100, 2]]},
        DUTY_TASKS,
        "supervision.completed_on_time_rate",
        description="当期到期任务按期完成率达到90%加1分，全部按期完成加2分；当期无到期任务"
        "不加分也不扣分。",
    ),
    Spec(
        "tasks-progress",
        "目督任务进度完成比",
        S,
        "13",
        "range_linear",
        {"floor": 0, "target": 80},
        DUTY_TASKS,
        "supervision.progress_vs_plan",
    ),
    Spec(
        "hotline-resolution",
        "12345热线解决率",
        S,
        "6",
        "range_linear",
        {"floor": 70, "target": 95},
        DUTY_HOTLINE,
        "events.hotline_resolution_rate",
    ),
    Spec(
        "hotline-response",
        "12345热线响应率",
        S,
        "6",
        "range_linear",
        {"floor": 80, "target": 100},
        DUTY_HOTLINE,
        "events.hotline_response_rate",
    ),
    Spec(
        "satisfaction",
        "群众满意率",
        M,
        "6",
        "range_linear",
        {"floor": 80, "target": 98},
        DUTY_GRID,
        "events.satisfaction_rate",
    ),
    Spec(
        "hotline-satisfaction",
        "12345热线满意率",
        M,
        "4",
        "range_linear",
        {"floor": 75, "target": 95},
        DUTY_HOTLINE,
        "events.hotline_satisfaction_rate",
    ),
    Spec(
        "democratic-rating",
        "民主测评",
        M,
        "5",
        "range_linear",
        RATING,
        "党代表、人大代表和村(社区)代表对乡镇(街道)班子履职的民主测评",
        source=Source.MANUAL,
        description="测评表平均分60分及以下不得分，95分及以上得满分；评分雷同的测评表"
        "须书面说明，否则不计入。",
    ),
    Spec(
        "department-rating",
        "部门评价",
        M,
        "5",
        "range_linear",
        RATING,
        "市级职能部门对乡镇(街道)落实条线工作的评价",
        source=Source.MANUAL,
    ),
    Spec(
        "event-overdue",
        "事件超期扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": "0.1", "cap": 4},
        DUTY_GRID,
        "events.overdue_count",
        direction="lower",
        description="每件超期未处置的事件扣0.2分，最多扣5分。",
    ),
    Spec(
        "task-overdue",
        "目督任务逾期扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": 1, "cap": 5},
        DUTY_TASKS,
        "supervision.overdue_count",
        direction="lower",
    ),
    Spec(
        "urged",
        "被督办扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": "0.5", "cap": 3},
        DUTY_TASKS,
        "supervision.urge_count",
        direction="lower",
    ),
    Spec(
        "livelihood",
        "民生实事项目加分",
        Category.BONUS,
        "0",
        "capped_bonus",
        {"per_item": 1, "cap": 3},
        DUTY_LIVELIHOOD,
        "supervision.livelihood_completed",
        description="每完成一项民生实事项目加1分，最多加3分。",
    ),
    SAFETY_VETO,
)

VILLAGE_SPECS: Final = (
    Spec(
        "on-time-handling",
        "事件按期处置率",
        C,
        "18",
        "range_linear",
        {"floor": 50, "target": 92},
        DUTY_GRID,
        "events.on_time_handling_rate",
        description="小村事件少，按期处置率向同类村(社区)均值收缩后计分；进红黑榜须显著"
        "偏离同类均值(漏斗图控制限之外)。",
    ),
    Spec(
        "on-time-close",
        "事件按期结案率",
        C,
        "12",
        "range_linear",
        {"floor": 20, "target": 75},
        DUTY_GRID,
        "events.on_time_close_rate",
    ),
    Spec(
        "close-rate",
        "事件结案率",
        C,
        "5",
        "threshold_bands",
        {"bands": [[90, 3], [95, 4], [99, 5]]},
        DUTY_GRID,
        "events.close_rate",
    ),
    Spec(
        "acceptance",
        "事件立案率",
        C,
        "5",
        "range_linear",
        {"floor": 70, "target": 98},
        DUTY_GRID,
        "events.acceptance_rate",
    ),
    Spec(
        "patrol",
        "主动发现率",
        C,
        "5",
        "rank_points",
        {},
        DUTY_PATROL,
        "events.patrol_share",
    ),
    Spec(
        "weekly-one-thing",
        "“每周一件事”覆盖率",
        C,
        "10",
        "threshold_bands",
        {"bands": [[40, 4], [70, 7], [90, 10]]},
        DUTY_WEEKLY,
        "events.weekly_one_thing_coverage",
    ),
    Spec(
        "rework",
        "事件返工率",
        C,
        "5",
        "range_linear",
        {"floor": 15, "target": 2},
        DUTY_GRID,
        "events.rework_rate",
        direction="lower",
    ),
    Spec(
        "tasks-on-time",
        "目督任务按期完成加分",
        Category.BONUS,
        "0",
        "threshold_bands",
        {"bands": [[90, 1], [100, 2]]},
        DUTY_TASKS,
        "supervision.completed_on_time_rate",
        description="当期到期任务按期完成率达到90%加1分，全部按期完成加2分；当期无到期任务"
        "不加分也不扣分。",
    ),
    Spec(
        "tasks-progress",
        "目督任务进度完成比",
        S,
        "20",
        "range_linear",
        {"floor": 0, "target": 80},
        DUTY_TASKS,
        "supervision.progress_vs_plan",
    ),
    Spec(
        "satisfaction",
        "群众满意率",
        M,
        "10",
        "range_linear",
        {"floor": 80, "target": 98},
        DUTY_GRID,
        "events.satisfaction_rate",
    ),
    Spec(
        "democratic-rating",
        "民主测评",
        M,
        "5",
        "range_linear",
        RATING,
        "村(居)民代表对村(社区)两委班子履职的民主测评",
        source=Source.MANUAL,
    ),
    Spec(
        "department-rating",
        "乡镇和部门评价",
        M,
        "5",
        "range_linear",
        RATING,
        "乡镇(街道)和市级职能部门对村(社区)落实工作的评价",
        source=Source.MANUAL,
    ),
    Spec(
        "event-overdue",
        "事件超期扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": "0.5", "cap": 5},
        DUTY_GRID,
        "events.overdue_count",
        direction="lower",
    ),
    Spec(
        "task-overdue",
        "目督任务逾期扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": 1, "cap": 5},
        DUTY_TASKS,
        "supervision.overdue_count",
        direction="lower",
    ),
    Spec(
        "urged",
        "被督办扣分",
        Category.DEDUCTION,
        "0",
        "per_item_deduction",
        {"per_item": "0.5", "cap": 3},
        DUTY_TASKS,
        "supervision.urge_count",
        direction="lower",
    ),
    Spec(
        "hotline-resolution",
        "12345热线解决率加分",
        Category.BONUS,
        "0",
        "threshold_bands",
        {"bands": [[90, 1], [98, 2]]},
        DUTY_HOTLINE,
        "events.hotline_resolution_rate",
        description="本村(社区)12345热线诉求解决率达到90%加1分，达到98%加2分。",
    ),
    SAFETY_VETO,
)


@dataclass(frozen=True, slots=True)
class SchemeSpec:
    level: str
    code: str
    name: str
    indicators: tuple[Spec, ...]
    pool_yuan: int
    training_places: int
    list_rule: dict[str, Any]


SCHEMES: Final = (
    SchemeSpec(
        Level.TOWNSHIP,
        "xc-township-{year}",
        "西昌市{year}年度乡镇(街道)目标绩效考核",
        TOWNSHIP_SPECS,
        1_000_000,
        6,
        {"red_top_n": 3, "black_bottom_n": 3},
    ),
    SchemeSpec(
        Level.VILLAGE,
        "xc-village-{year}",
        "西昌市{year}年度村(社区)目标绩效考核",
        VILLAGE_SPECS,
        2_000_000,
        10,
        {"red_top_n": 3, "black_bottom_n": 3, "significance_indicator": "on-time-handling"},
    ),
)
GRADE_QUOTA: Final = {
    "excellent_share": "0.2",
    "excellent_min_total": "85",
    "good_share": "0.5",
    "good_min_total": "75",
    "poor_below": "60",
}
GRADE_COEFFICIENTS: Final = {"excellent": "1.5", "good": "1.2", "average": "1.0"}
ANNUAL_WEIGHTS: Final = {"monthly": "0.4", "quarterly": "0.3", "year_end": "0.3"}
MIN_SPREAD: Final = {"min_excellent_to_average": "1.2", "min_score_cv": "0.02"}


def demo_root() -> Unit | None:
    """西昌 (``513401``) when the tree holds it, else the tree's root."""
    return (
        Unit.objects.filter(code=CITY_CODE).first()
        or Unit.objects.filter(depth=0).order_by("code").first()
    )


def _units_below(root: Unit, kinds: frozenset[str]) -> int:
    return Unit.objects.filter(
        active=True, kind__in=kinds, path__startswith=root.path + SEP
    ).count()


def build_schemes(year: int = 2026, *, root: Unit | None = None) -> list[Scheme]:
    """The demo schemes of ``year`` for 西昌 (see the module docstring), created when they
    do not exist yet. The township scheme is left out when fewer than two township-level
    units lie below the root (the town scale), since one unit has no peers."""
    root = root or demo_root()
    if root is None:
        return []
    schemes: list[Scheme] = []
    for spec in SCHEMES:
        code = spec.code.format(year=year)
        existing = Scheme.objects.filter(code=code).first()
        if existing is not None:
            schemes.append(existing)
            continue
        if spec.level == Level.TOWNSHIP and _units_below(root, TOWNSHIP_LEVEL) < 2:
            continue
        scheme = Scheme(
            code=code,
            name=spec.name.format(year=year),
            year=year,
            level=spec.level,
            root=root,
            peer_rule=PeerRule.PEER_GROUP,
            total_points=Decimal(100),
            grade_quota=dict(GRADE_QUOTA),
            list_rule=dict(spec.list_rule),
            reward_pool_fen=spec.pool_yuan * YUAN,
            reward_params=dict(GRADE_COEFFICIENTS),
            annual_weights=dict(ANNUAL_WEIGHTS),
            training_places=spec.training_places,
            min_spread=dict(MIN_SPREAD),
        )
        scheme.full_clean()
        scheme.save()
        for position, ind in enumerate(spec.indicators, start=1):
            indicator = Indicator(
                scheme=scheme,
                code=ind.code,
                name=ind.name,
                category=ind.category,
                weight=Decimal(ind.weight),
                source=ind.source,
                metric=ind.metric,
                direction=ind.direction,
                rule=ind.rule,
                params=ind.params,
                duty=ind.duty,
                description=ind.description,
                position=position,
            )
            indicator.full_clean()
            indicator.save()
        from grassroots.audit.actions import record

        record(
            "assessment.scheme.created",
            scheme,
            actor=None,
            unit=root,
            after={"code": code, "indicators": len(spec.indicators), "demo": True},
        )
        schemes.append(scheme)
    return schemes
