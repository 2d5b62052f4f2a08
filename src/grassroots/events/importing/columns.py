"""The columns of an event import file: their names, the words they accept, their values.

Pure functions and tables, no database. See the package docstring for the full table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from grassroots.common.tabular import normalise_header
from grassroots.events.models import EventSource, Satisfaction
from grassroots.events.states import EventStatus


@dataclass(frozen=True, slots=True)
class Column:
    """One field of the import: its canonical (English) name and the headers it accepts."""

    name: str
    headers: tuple[str, ...]
    label: object  # lazy translated label, for the documentation and the summary


COLUMNS: Final = (
    Column("number", ("工单编号", "工单号", "事件编号", "编号"), _("event number")),
    Column("title", ("标题", "事件标题", "诉求标题"), _("title")),
    Column("description", ("内容", "事件内容", "诉求内容", "事件描述", "描述"), _("description")),
    Column("category", ("类别", "事件类别", "事件分类", "分类", "大类"), _("category")),
    Column("subcategory", ("子类", "小类", "子类别"), _("sub-category")),
    Column("source", ("来源", "事件来源", "渠道"), _("source")),
    Column("contact_name", ("联系人", "诉求人", "反映人"), _("contact name")),
    Column("contact_phone", ("联系电话", "电话", "手机号码", "手机"), _("contact phone")),
    Column("address", ("地址", "事发地址", "事发地点"), _("address")),
    Column("lon", ("经度", "lng", "longitude"), _("longitude")),
    Column("lat", ("纬度", "latitude"), _("latitude")),
    Column("grid", ("所属网格", "网格", "网格编码"), _("grid")),
    Column("village", ("村(社区)", "所属村(社区)", "村社区", "村", "社区"), _("village")),
    Column("township", ("乡镇(街道)", "所属乡镇(街道)", "乡镇街道", "乡镇", "街道"), _("township")),
    Column("reported_at", ("上报时间", "来电时间", "登记时间", "反映时间"), _("reported at")),
    Column("accepted_at", ("受理时间",), _("accepted at")),
    Column("resolved_at", ("办结时间", "处置时间", "办理时间"), _("resolved at")),
    Column("closed_at", ("结案时间", "关闭时间"), _("closed at")),
    Column("assignee", ("处置单位", "承办单位", "责任单位"), _("assigned unit")),
    Column("satisfaction", ("满意度", "评价", "回访评价"), _("satisfaction")),
    Column("status", ("状态", "办理状态", "工单状态"), _("status")),
)
COLUMN_NAMES: Final = frozenset(column.name for column in COLUMNS)

#: normalised header → canonical column name
HEADERS: Final = {
    normalise_header(alias): column.name
    for column in COLUMNS
    for alias in (column.name, *column.headers)
}


# --- vocabularies -------------------------------------------------------------------------

_SOURCE_WORDS: Final = {
    EventSource.PATROL: ("巡查发现", "巡查", "网格员巡查", "网格员上报", "主动发现"),
    EventSource.RESIDENT: ("群众上报", "群众", "居民", "群众反映", "随手拍"),
    EventSource.HOTLINE: ("12345", "12345热线", "热线", "市长热线", "12345政务服务热线"),
    EventSource.OPEN311: ("open311",),
    EventSource.IMPORT: ("导入", "历史导入", "历史数据导入"),
}
_STATUS_WORDS: Final = {
    EventStatus.REPORTED: ("已上报", "待受理", "待处理", "新建"),
    EventStatus.ACCEPTED: ("已受理", "受理"),
    EventStatus.REJECTED: ("不予受理", "已驳回", "驳回"),
    EventStatus.DISPATCHED: ("已派遣", "已派单", "已转办", "派遣"),
    EventStatus.IN_PROGRESS: ("处置中", "办理中", "处理中"),
    EventStatus.RETURNED: ("已退回", "退回"),
    EventStatus.ESCALATED: ("已上报上级", "已升级", "上报上级"),
    EventStatus.RESOLVED: ("已处置", "待核查", "待核实"),
    EventStatus.REWORKED: ("返工", "重新处置"),
    EventStatus.VERIFIED: ("已核查", "已核实"),
    EventStatus.CLOSED: ("已结案", "结案", "已办结", "办结", "已完成", "已关闭", "已回访"),
    EventStatus.REOPENED: ("重新办理", "已重办", "重办"),
}
_SATISFACTION_WORDS: Final = {
    Satisfaction.SATISFIED: ("满意", "非常满意", "很满意"),
    Satisfaction.BASICALLY: ("基本满意", "比较满意", "一般"),
    Satisfaction.UNSATISFIED: ("不满意", "非常不满意", "很不满意"),
}


def _vocabulary(words: Mapping[Any, tuple[str, ...]], choices: type) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, aliases in words.items():
        for word in (value, *aliases):
            table[normalise_header(word)] = str(value)
    for value, label in choices.choices:  # type: ignore[attr-defined]
        table.setdefault(normalise_header(str(label)), value)
    return table


#: accepted word (normalised) → stored value
SOURCES: Final = _vocabulary(_SOURCE_WORDS, EventSource)
STATUSES: Final = _vocabulary(_STATUS_WORDS, EventStatus)
SATISFACTIONS: Final = _vocabulary(_SATISFACTION_WORDS, Satisfaction)


def lookup_word(table: dict[str, str], value: str) -> str | None:
    """The stored value for a word of a vocabulary, or None."""
    return table.get(value) or table.get(normalise_header(value))


# --- date and time ------------------------------------------------------------------------

# 2025/3/1 8:30, 2025.03.01 08:30:15, 2025年3月1日 8时30分, 2025-3-1
_LOOSE_DATETIME: Final = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[\sT]+|(?<=日))(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?"
    r"(?:\s*:?\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?)?\s*$"
)


def parse_datetime(value: object) -> dt.datetime | None:
    """A moment from a cell: ISO 8601 (with or without offset), ``2025/3/1 8:30``,
    ``2025年3月1日 8时30分``, or a date or datetime cell of a spreadsheet; a date alone is
    its midnight. Naive when the cell gives no offset (local time, for the caller to
    place); None when the value is not a moment.
    """
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return _parse_loose(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - local, naive
    return None


def plain_text(value: str) -> bool:
    """Whether ``value`` is written ``YYYY-MM-DD HH:MM[:SS]`` (so that a database reads
    it as it stands)."""
    return (
        len(value) in (16, 19)
        and value[4] == "-"
        and value[7] == "-"
        and value[10] in " T"
        and value[13] == ":"
        and (len(value) == 16 or value[16] == ":")
    )


def _parse_loose(value: str) -> dt.datetime | None:
    match = _LOOSE_DATETIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return dt.datetime(  # noqa: DTZ001 - local time, placed by the caller
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
