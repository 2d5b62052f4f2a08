"""Kinds and statuses of the party-building records, and the transitions allowed.

A table maps a status to the statuses it may move to; ``actions._base.move`` consults it
and refuses anything else with ``IllegalTransition`` (409).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    PARTY_MONTHLY = "party_monthly", _("Monthly party-building meeting")  # 党建月会
    COMMITTEE = "committee", _("Party committee meeting")  # 党委会
    THEME_DAY = "theme_day", _("Branch theme party day")  # 支部主题党日
    VILLAGERS = "villagers", _("Villagers' (representatives') assembly")  # 村民(代表)大会
    OVERSIGHT = "oversight", _("Oversight committee meeting")  # 监督委员会会议


#: Meetings planned for every township and village each month.
MONTHLY_KINDS = frozenset({MeetingKind.PARTY_MONTHLY})


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Planned")  # 计划召开
    HELD = "held", pgettext_lazy("meeting status", "Held")  # 已召开
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")  # 已取消


MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
    MeetingStatus.HELD: frozenset(),
    MeetingStatus.CANCELLED: frozenset({MeetingStatus.PLANNED}),
}


class MatterKind(models.TextChoices):
    """What a resolution decides; the decision rules say which kinds need one (决策在先)."""

    LIVELIHOOD = "livelihood", _("Livelihood project approval")  # 民生项目审批
    REWARD = "reward", _("Reward allocation")  # 奖励分配
    CADRE = "cadre", _("Cadre selection")  # 干部选用
    LAND = "land", _("Land matter")  # 土地事项
    FUND = "fund", _("Fund matter")  # 资金事项
    OTHER = "other", _("Other matter")  # 其他


class VenueKind(models.TextChoices):
    ACTIVITY = "activity", _("Standardised activity venue")  # 标准化活动阵地
    CULTURE_YARD = "culture_yard", _("Culture courtyard")  # 文化院坝


class VenueStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("venue status", "Planned")  # 规划
    BUILDING = "building", pgettext_lazy("venue status", "Under construction")  # 在建
    IN_USE = "in_use", pgettext_lazy("venue status", "In use")  # 建成使用
    CLOSED = "closed", pgettext_lazy("venue status", "Closed")  # 停用


VENUE_TRANSITIONS: dict[str, frozenset[str]] = {
    VenueStatus.PLANNED: frozenset({VenueStatus.BUILDING, VenueStatus.IN_USE}),
    VenueStatus.BUILDING: frozenset({VenueStatus.IN_USE, VenueStatus.PLANNED}),
    VenueStatus.IN_USE: frozenset({VenueStatus.CLOSED, VenueStatus.BUILDING}),
    VenueStatus.CLOSED: frozenset({VenueStatus.IN_USE}),
}


class ChecklistCategory(models.TextChoices):
    SPACE = "space", _("Space")  # 场地
    SIGNAGE = "signage", _("Signage")  # 标识标牌
    EQUIPMENT = "equipment", _("Equipment")  # 设施设备
    OPEN_HOURS = "open_hours", _("Open hours")  # 开放时间
    SERVICES = "services", _("Services")  # 服务功能


class PerformerSpecialty(models.TextChoices):
    SINGING = "singing", _("Singing")  # 声乐
    DANCE = "dance", _("Dance")  # 舞蹈
    INSTRUMENT = "instrument", _("Instrument")  # 器乐
    OPERA = "opera", _("Opera and folk arts")  # 戏曲曲艺
    CRAFT = "craft", _("Folk craft")  # 民间工艺
    ORGANISER = "organiser", _("Cultural organiser")  # 文化带头人
    OTHER = "other", _("Other")  # 其他


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")  # 筹备
    JUDGING = "judging", _("Judging")  # 评分中
    CLOSED = "closed", _("Scores closed")  # 评分结束
    PUBLISHED = "published", _("Published")  # 已公布


COMPETITION_TRANSITIONS: dict[str, frozenset[str]] = {
    CompetitionStatus.DRAFT: frozenset({CompetitionStatus.JUDGING}),
    CompetitionStatus.JUDGING: frozenset({CompetitionStatus.CLOSED, CompetitionStatus.DRAFT}),
    CompetitionStatus.CLOSED: frozenset({CompetitionStatus.PUBLISHED, CompetitionStatus.JUDGING}),
    CompetitionStatus.PUBLISHED: frozenset(),
}
