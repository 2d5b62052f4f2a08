"""The choices of the cadres app, the states of its records and the only moves allowed
between them (``actions._base.move`` consults these tables and nothing else changes a
status)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "m", _("Male")  # 男
    FEMALE = "f", _("Female")  # 女


class Education(models.TextChoices):
    """Highest full-time or in-service education (学历), highest first."""

    POSTGRADUATE = "postgraduate", _("Postgraduate")  # 研究生
    BACHELOR = "bachelor", _("Bachelor")  # 大学本科
    COLLEGE = "college", _("College")  # 大学专科
    SECONDARY = "secondary", _("Secondary school")  # 中专/高中
    JUNIOR = "junior", _("Junior school or below")  # 初中及以下


class Level(models.TextChoices):
    """Post level (职级) of a post, a cadre, a vacancy or a reserve's target, highest first."""

    SECTION_CHIEF = "section_chief", _("Section chief level")  # 正科级
    DEPUTY_SECTION = "deputy_section", _("Deputy section chief level")  # 副科级
    STAFF = "staff", _("Staff level")  # 科员(一般干部)
    VILLAGE_HEAD = "village_head", _("Village head post")  # 村(社区)党组织书记/主任
    VILLAGE = "village", _("Village committee member")  # 村(社区)两委委员


class CadreStatus(models.TextChoices):
    ACTIVE = "active", _("In office")  # 在职
    LEFT = "left", _("Transferred out")  # 调离
    RETIRED = "retired", _("Retired")  # 退休


class ReserveStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated, awaiting review")  # 已推荐 待审核
    REJECTED = "rejected", _("Not admitted")  # 审核未通过 (with a reason)
    IN_POOL = "in_pool", _("In the reserve pool")  # 已入库
    APPOINTED = "appointed", _("Appointed")  # 已使用 (任用, leaves the pool)
    REMOVED = "removed", _("Removed from the pool")  # 已出库 (with a reason)


#: Reserve entries still taking a place (a cadre has at most one).
OPEN_RESERVE = (ReserveStatus.NOMINATED, ReserveStatus.IN_POOL)

RS = ReserveStatus
RESERVE_TRANSITIONS: dict[ReserveStatus, frozenset[ReserveStatus]] = {
    RS.NOMINATED: frozenset({RS.IN_POOL, RS.REJECTED}),
    RS.IN_POOL: frozenset({RS.APPOINTED, RS.REMOVED}),
    RS.REJECTED: frozenset(),
    RS.APPOINTED: frozenset(),
    RS.REMOVED: frozenset(),
}


class TrainingResult(models.TextChoices):
    PASSED = "passed", _("Passed")  # 合格/结业
    EXCELLENT = "excellent", _("Passed with distinction")  # 优秀学员
    ATTENDED = "attended", _("Attended")  # 参训(无考核)
    FAILED = "failed", _("Failed")  # 不合格 (hours do not count)


class TemperingKind(models.TextChoices):
    """Hard work and hard places where young cadres are tempered (难点工作/基层一线/艰苦地方)."""

    POVERTY = "poverty", _("Poverty alleviation")  # 脱贫攻坚(成效巩固)
    LAND = "land", _("Land acquisition and relocation")  # 征地拆迁
    ECONOMY = "economy", _("Township economic development")  # 街镇经济发展
    PETITIONS = "petitions", _("Petitions and stability")  # 信访维稳
    DISASTER = "disaster", _("Flood control and disaster relief")  # 防汛救灾
    FRONTLINE = "frontline", _("Front-line post")  # 基层一线岗位
    HARDSHIP = "hardship", _("Hardship post")  # 困难艰苦地方
    OTHER = "other", _("Other key work")  # 其他重点工作


class TemperingState(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")  # 锻炼中
    EVALUATED = "evaluated", _("Ended and evaluated")  # 已期满鉴定
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销 (with a reason; counts nothing)


TS = TemperingState
TEMPERING_TRANSITIONS: dict[TemperingState, frozenset[TemperingState]] = {
    TS.ONGOING: frozenset({TS.EVALUATED, TS.CANCELLED}),
    TS.EVALUATED: frozenset(),
    TS.CANCELLED: frozenset(),
}


class Appraisal(models.TextChoices):
    """The evaluation at the end of a tempering assignment (锻炼鉴定)."""

    EXCELLENT = "excellent", _("Excellent")  # 优秀
    GOOD = "good", _("Good")  # 良好
    FAIR = "fair", _("Fair")  # 一般
    POOR = "poor", _("Poor")  # 较差


class KeyMomentKind(models.TextChoices):
    """A record of how a cadre did when it mattered (关键时候检验干部)."""

    TASK = "task", _("Supervised task led")  # 牵头目督任务 (derived)
    EVENT = "event", _("Escalated event resolved")  # 化解上报升级事件 (derived)
    EMERGENCY = "emergency", _("Emergency")  # 急难险重 (by hand)
    COMMENDATION = "commendation", _("Commendation")  # 表彰表扬 (by hand)
    WARNING = "warning", _("Warning")  # 警示/问责 (by hand)


#: Key moments that ``sync_key_moments`` derives from supervision and events data.
DERIVED_KINDS = (KeyMomentKind.TASK, KeyMomentKind.EVENT)


class Outcome(models.TextChoices):
    CREDIT = "credit", _("To their credit")  # 加分 (on time, resolved, commended)
    DEBIT = "debit", _("Against them")  # 减分 (late, warned)


class YearGrade(models.TextChoices):
    """Yearly evaluation grade (年度考核等次), highest first."""

    EXCELLENT = "excellent", _("Excellent")  # 优秀
    COMPETENT = "competent", _("Competent")  # 称职
    BASIC = "basic", _("Basically competent")  # 基本称职
    INCOMPETENT = "incompetent", _("Incompetent")  # 不称职


class VacancyState(models.TextChoices):
    OPEN = "open", pgettext_lazy("vacancy", "Open")  # 待选任: candidates may be ranked
    FILLED = "filled", _("Filled")  # 已任用: the committee decided, the post is taken
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销


VS = VacancyState
VACANCY_TRANSITIONS: dict[VacancyState, frozenset[VacancyState]] = {
    VS.OPEN: frozenset({VS.FILLED, VS.CANCELLED}),
    VS.FILLED: frozenset(),
    VS.CANCELLED: frozenset(),
}


class Applicant(models.TextChoices):
    SELF = "self", _("The cadre")  # 本人申请
    UNIT = "unit", _("The unit")  # 单位申请


class ToleranceState(models.TextChoices):
    APPLIED = "applied", _("Applied, being verified")  # 已申请 核实中
    PUBLICITY = "publicity", _("Tolerated, under public notice")  # 拟容错 公示中
    EFFECTIVE = "effective", _("Tolerated")  # 予以容错 (公示期满)
    REFUSED = "refused", _("Not tolerated")  # 不予容错 (with reasons, kept)
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


TL = ToleranceState
TOLERANCE_TRANSITIONS: dict[ToleranceState, frozenset[ToleranceState]] = {
    TL.APPLIED: frozenset({TL.PUBLICITY, TL.REFUSED, TL.WITHDRAWN}),
    # an objection upheld refuses it; the notice period over with none pending makes it effective
    TL.PUBLICITY: frozenset({TL.EFFECTIVE, TL.REFUSED}),
    TL.EFFECTIVE: frozenset(),
    TL.REFUSED: frozenset(),
    TL.WITHDRAWN: frozenset(),
}


class ObjectionState(models.TextChoices):
    OPEN = "open", _("Pending")  # 待处理
    UPHELD = "upheld", _("Upheld")  # 异议成立: the case is refused
    DISMISSED = "dismissed", _("Dismissed")  # 异议不成立 (with an answer)


class MeasureState(models.TextChoices):
    OPEN = "open", _("In progress")  # 整改中
    DONE = "done", _("Done")  # 已完成
