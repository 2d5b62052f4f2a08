"""The choices of the special registers (专项台账), the states of their cases and the only
moves allowed between them (the actions consult these tables; nothing else changes a
status)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- 一户一宅 ------------------------------------------------------------------------------


class HomesteadCaseKind(models.TextChoices):
    MULTIPLE = "multiple", _("More than one homestead")  # 一户多宅
    OVERSIZE = "oversize", _("Above the area standard")  # 超标准占用


class HomesteadCaseStatus(models.TextChoices):
    OPEN = "open", _("Found")  # 已发现 待整改
    RECTIFYING = "rectifying", _("Being rectified")  # 整改中
    RECTIFIED = "rectified", _("Rectified")  # 已整改 (退出/收回/缴费处理)
    DISMISSED = "dismissed", _("Dismissed after checking")  # 核实不属实/依法保留 (with a reason)


HCS = HomesteadCaseStatus
OPEN_HOMESTEAD_CASE = (HCS.OPEN, HCS.RECTIFYING)
HOMESTEAD_CASE_TRANSITIONS: dict[HomesteadCaseStatus, frozenset[HomesteadCaseStatus]] = {
    HCS.OPEN: frozenset({HCS.RECTIFYING, HCS.RECTIFIED, HCS.DISMISSED}),
    HCS.RECTIFYING: frozenset({HCS.RECTIFIED, HCS.DISMISSED}),
    HCS.RECTIFIED: frozenset(),
    HCS.DISMISSED: frozenset(),
}

# --- 乱修滥建 / 无序搬迁 -----------------------------------------------------------------------


class ConstructionKind(models.TextChoices):
    ILLEGAL_BUILDING = "building", _("Illegal construction")  # 乱修滥建(违法建设)
    RELOCATION = "relocation", _("Disorderly relocation")  # 无序搬迁


class CaseSource(models.TextChoices):
    PATROL = "patrol", _("Patrol report")  # 巡查发现 (a 违法建设 event)
    INSPECTION = "inspection", _("Inspection")  # 专项排查
    IMPORT = "import", _("Imported ledger")  # 台账导入


class ConstructionStatus(models.TextChoices):
    FOUND = "found", _("Found")  # 已发现
    STOPPED = "stopped", _("Stopped")  # 已制止
    DEMOLISHED = "demolished", _("Demolished")  # 已拆除
    REGULARISED = "regularised", _("Regularised")  # 补办手续
    RETURNED = "returned", _("Moved back")  # 已劝返 (无序搬迁)
    DISMISSED = "dismissed", _("Not a case")  # 核实不属于 (with a reason)


CS = ConstructionStatus
OPEN_CONSTRUCTION = (CS.FOUND, CS.STOPPED)
CONSTRUCTION_TRANSITIONS: dict[ConstructionStatus, frozenset[ConstructionStatus]] = {
    CS.FOUND: frozenset({CS.STOPPED, CS.DEMOLISHED, CS.REGULARISED, CS.RETURNED, CS.DISMISSED}),
    CS.STOPPED: frozenset({CS.DEMOLISHED, CS.REGULARISED, CS.RETURNED}),
    CS.DEMOLISHED: frozenset(),
    CS.REGULARISED: frozenset(),
    CS.RETURNED: frozenset(),
    CS.DISMISSED: frozenset(),
}


class PhotoStage(models.TextChoices):
    BEFORE = "before", pgettext_lazy("photo stage", "Before")  # 整治前
    AFTER = "after", pgettext_lazy("photo stage", "After")  # 整治后


# --- 邛海天窗 ----------------------------------------------------------------------------------


class WindowStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # 未启动
    UNDERWAY = "underway", _("Underway")  # 实施中
    RESTORED = "restored", _("Restored")  # 已补齐


# --- 防返贫监测 --------------------------------------------------------------------------------


class MonitorKind(models.TextChoices):
    UNSTABLE = "unstable", _("Unstable after leaving poverty")  # 脱贫不稳定户
    EDGE = "edge", _("On the edge of poverty")  # 边缘易致贫户
    SUDDEN = "sudden", _("Sudden severe hardship")  # 突发严重困难户


class Risk(models.TextChoices):
    ILLNESS = "illness", _("Illness")  # 因病
    DISABILITY = "disability", _("Disability")  # 因残
    SCHOOLING = "schooling", _("School costs")  # 因学
    DISASTER = "disaster", _("Natural disaster")  # 因灾
    ACCIDENT = "accident", _("Accident")  # 因意外事故
    LABOUR = "labour", _("Lack of labour")  # 缺劳动力
    JOBS = "jobs", _("Unstable work")  # 务工就业不稳
    INDUSTRY = "industry", _("Failed business")  # 产业项目失败
    OTHER = "other", _("Other")  # 其他


class MonitorStatus(models.TextChoices):
    MONITORING = "monitoring", _("Monitored")  # 监测中(风险未消除)
    REMOVED = "removed", _("Risk removed")  # 风险已消除


class AssistanceKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry support")  # 产业帮扶
    EMPLOYMENT = "employment", _("Employment support")  # 就业帮扶
    HEALTH = "health", _("Health care support")  # 健康帮扶(医保)
    EDUCATION = "education", _("Education support")  # 教育帮扶
    HOUSING = "housing", _("Housing safety")  # 住房安全
    SAFETY_NET = "safety_net", _("Social safety net")  # 综合保障(低保/特困)
    CREDIT = "credit", _("Small loans")  # 小额信贷
    OTHER = "other", _("Other")  # 其他


# --- 村集体经济 --------------------------------------------------------------------------------


class IncomeSource(models.TextChoices):
    """Sources of a village's collective income (村集体经济收入来源, the 农经 statistics)."""

    OPERATING = "operating", _("Operating income")  # 经营收入
    CONTRACTING = "contracting", _("Contracting and rent")  # 发包及上交收入(资源、资产租赁)
    INVESTMENT = "investment", _("Investment returns")  # 投资收益
    SUBSIDY = "subsidy", _("Subsidies")  # 补助收入
    OTHER = "other", _("Other income")  # 其他收入
