"""Statuses of a supervision case and the transitions allowed.

``open`` (matter and findings recorded) → ``rectifying`` (a rectification request with a
deadline sent to the village) → ``responded`` (the village reported what it did) →
``closed`` (the committee accepts, with evidence) — or back to ``rectifying`` when the
response is not enough; a case may be ``dismissed`` (unfounded) while open.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("oversight case", "Open")  # 已立案
    RECTIFYING = "rectifying", _("Rectification requested")  # 整改中
    RESPONDED = "responded", _("Rectification reported")  # 已反馈
    CLOSED = "closed", pgettext_lazy("oversight case", "Closed")  # 已办结
    DISMISSED = "dismissed", pgettext_lazy("oversight case", "Dismissed")  # 不予立案/撤销


CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.RECTIFYING, CaseStatus.CLOSED, CaseStatus.DISMISSED}),
    CaseStatus.RECTIFYING: frozenset({CaseStatus.RESPONDED, CaseStatus.CLOSED}),
    CaseStatus.RESPONDED: frozenset({CaseStatus.RECTIFYING, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.DISMISSED: frozenset(),
}

OPEN_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.RECTIFYING, CaseStatus.RESPONDED})


class CaseCategory(models.TextChoices):
    FINANCE = "finance", _("Village finances")  # 村务财务
    PROJECT = "project", _("Projects and works")  # 工程项目
    DECISION = "decision", _("Decisions and procedure")  # 决策程序
    LAND = "land", _("Land and resources")  # 土地资源
    WELFARE = "welfare", _("Benefits and subsidies")  # 惠民资金
    CONDUCT = "conduct", _("Cadres' conduct")  # 干部作风
    OTHER = "other", _("Other")  # 其他


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("Committee's own inspection")  # 日常监督
    COMPLAINT = "complaint", _("Residents' complaint")  # 群众反映
    FLAGGED = "flagged", _("Decision without a resolution")  # 决策程序缺失
    AUDIT = "audit", _("Audit trail")  # 操作记录


class StepKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("case step", "Opened")
    REQUESTED = "requested", pgettext_lazy("case step", "Rectification requested")
    RESPONDED = "responded", pgettext_lazy("case step", "Rectification reported")
    RETURNED = "returned", pgettext_lazy("case step", "Returned for more rectification")
    CLOSED = "closed", pgettext_lazy("case step", "Closed")
    DISMISSED = "dismissed", pgettext_lazy("case step", "Dismissed")
    NOTE = "note", pgettext_lazy("case step", "Note")
