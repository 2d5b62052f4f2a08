"""What a bulletin says, from a publication's snapshot alone (pure: no ORM, no I/O).

The 季晒通报 of a quarter, the 年评 report of a year (or a month's bulletin) is built from the
frozen snapshot that :func:`actions.publishing.build_snapshot` stored and whose SHA-256 the
portal shows — never from the live tables, which a later version may have superseded. The
PDF and the Excel renderers lay out the :class:`BulletinContent` this module returns; the
words are translated when :func:`bulletin_content` is called (the job renders in the site's
language, Chinese first).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from grassroots.assessment.models import GradeChoice, ListStatus
from grassroots.assessment.queries_publishing import kind_label
from grassroots.assessment.wording import group_name, snapshot_reason_text, yuan
from grassroots.org.models import UnitKind


@dataclass(frozen=True)
class Row:
    """One unit of a peer group's ranking."""

    rank: int
    rank_label: str  # ``2=`` for a tie
    code: str
    name: str
    total: Decimal
    grade: str
    list_status: str
    list_label: str
    reward_fen: int
    reward: str  # yuan, two decimals
    training_places: int
    vetoed: bool


@dataclass(frozen=True)
class ListEntry:
    """One entry of the red or black list, with the reason in words."""

    code: str
    name: str
    rank: int
    total: str
    reason: str


@dataclass(frozen=True)
class GroupSection:
    """A peer group: its ranking, its red and black lists and a few figures."""

    key: str
    label: str
    rows: list[Row]
    red: list[ListEntry]
    black: list[ListEntry]
    grades: list[tuple[str, int]]  # (grade label, how many), best grade first
    mean: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None
    reward_fen: int


@dataclass(frozen=True)
class BulletinContent:
    """Everything a bulletin shows."""

    title: str
    kind: str  # monthly | quarterly | annual
    kind_label: str
    area: str
    scheme_code: str
    scheme_name: str
    period: str
    version: int
    sha256: str
    published_at: str
    appeal_until: str
    verify_url: str
    groups: list[GroupSection] = field(default_factory=list)
    show_training: bool = False

    @property
    def units(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def reward_fen(self) -> int:
        return sum(g.reward_fen for g in self.groups)

    @property
    def reward_yuan(self) -> str:
        return yuan(self.reward_fen)


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


def level_words(level: str) -> str:
    """The assessed level in a title: 乡镇(街道) or 村(社区)."""
    if level == "village":
        return _("villages (communities)")
    return _("townships (streets)")


def bulletin_title(area: str, period: str, kind: str, level: str) -> str:
    """西昌市2026年第3季度乡镇(街道)目标绩效考核情况通报, the 年评 report's title for a year,
    a month's for a month (``period`` as the run stores it: ``2026-Q3``, ``2026``, ``2026-10``)."""
    year, _sep, rest = period.partition("-")
    values = {"area": area, "year": year, "level": level_words(level)}
    if kind == "quarterly" and rest.upper().startswith("Q"):
        values["quarter"] = rest[1:]
        return (
            _(
                "%(area)s quarter %(quarter)s of %(year)s: bulletin of the target "
                "performance assessment of %(level)s"
            )
            % values
        )
    if kind == "annual":
        return (
            _(
                "%(area)s %(year)s: annual evaluation report of the target performance "
                "assessment of %(level)s"
            )
            % values
        )
    values["month"] = str(int(rest)) if rest.isdecimal() else rest
    return (
        _("%(area)s %(month)s/%(year)s: bulletin of the target performance assessment of %(level)s")
        % values
    )


def _rows(results: Sequence[Mapping[str, Any]]) -> list[Row]:
    grades = dict(GradeChoice.choices)
    lists = dict(ListStatus.choices)
    ties = Counter(int(r.get("rank") or 0) for r in results)
    rows = []
    for r in sorted(results, key=lambda r: (int(r.get("rank") or 0), str(r.get("unit", "")))):
        rank = int(r.get("rank") or 0)
        status = str(r.get("list_status") or "")
        fen = int(r.get("reward_fen") or 0)
        rows.append(
            Row(
                rank=rank,
                rank_label=f"{rank}=" if ties[rank] > 1 else str(rank),
                code=str(r.get("unit", "")),
                name=str(r.get("name", "")),
                total=_decimal(r.get("total")),
                grade=str(grades.get(r.get("grade", ""), r.get("grade", ""))),
                list_status=status,
                list_label=str(lists.get(status, status)) if status else "",
                reward_fen=fen,
                reward=yuan(fen),
                training_places=int(r.get("training_places") or 0),
                vetoed=bool(r.get("vetoed")),
            )
        )
    return rows


def _grade_counts(results: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    counts = Counter(str(r.get("grade", "")) for r in results)
    return [(str(label), counts[value]) for value, label in GradeChoice.choices if counts[value]]


def group_section(
    key: str,
    results: Sequence[Mapping[str, Any]],
    lists: Mapping[str, Sequence[Mapping[str, Any]]],
    rule: Mapping[str, Any],
) -> GroupSection:
    """One peer group's section of the bulletin."""
    rows = _rows(results)
    totals = [row.total for row in rows]

    def entries(status: str) -> list[ListEntry]:
        found = [e for e in lists.get(status, []) if e.get("peer_group") == key]
        return [
            ListEntry(
                code=str(e.get("unit", "")),
                name=str(e.get("name", "")),
                rank=int(e.get("rank") or 0),
                total=str(e.get("total", "")),
                reason=snapshot_reason_text(e, rule),
            )
            for e in sorted(found, key=lambda e: (int(e.get("rank") or 0), str(e.get("unit"))))
        ]

    kinds = {k: str(label) for k, label in UnitKind.choices}
    return GroupSection(
        key=key,
        label=group_name(key, kinds) if key else _("Results"),
        rows=rows,
        red=entries(ListStatus.RED),
        black=entries(ListStatus.BLACK),
        grades=_grade_counts(results),
        mean=(
            Decimal(statistics.fmean(float(t) for t in totals)).quantize(Decimal("0.01"))
            if totals
            else None
        ),
        highest=max(totals) if totals else None,
        lowest=min(totals) if totals else None,
        reward_fen=sum(row.reward_fen for row in rows),
    )


def bulletin_content(
    snapshot: Mapping[str, Any],
    *,
    sha256: str,
    area: str,
    published_at: dt.datetime | None,
    appeal_until: dt.date | None,
    verify_url: str,
) -> BulletinContent:
    """The bulletin of a publication: ``snapshot`` is its frozen JSON, ``sha256`` its hash,
    ``area`` the name of the scheme's root (西昌市), ``verify_url`` where the snapshot's JSON
    can be downloaded to check the hash."""
    scheme = snapshot.get("scheme", {}) or {}
    period = str(snapshot.get("period", ""))
    kind = str(snapshot.get("kind", ""))
    rule = snapshot.get("list_rule", {}) or {}
    lists = snapshot.get("lists", {}) or {}
    by_group: dict[str, list[Mapping[str, Any]]] = {}
    for result in snapshot.get("results", []) or []:
        by_group.setdefault(str(result.get("peer_group", "")), []).append(result)
    groups = [group_section(key, rows, lists, rule) for key, rows in sorted(by_group.items())]
    training = kind == "annual" or any(row.training_places for g in groups for row in g.rows)
    return BulletinContent(
        title=bulletin_title(area, period, kind, str(scheme.get("level", ""))),
        kind=kind,
        kind_label=str(kind_label(kind)),
        area=area,
        scheme_code=str(scheme.get("code", "")),
        scheme_name=str(scheme.get("name", "")),
        period=period,
        version=int(snapshot.get("version") or 1),
        sha256=sha256,
        published_at=published_at.strftime("%Y-%m-%d %H:%M") if published_at else "",
        appeal_until=appeal_until.isoformat() if appeal_until else "",
        verify_url=verify_url,
        groups=groups,
        show_training=training,
    )


def column_headers(content: BulletinContent) -> list[str]:
    """The ranking table's columns (PDF and Excel alike)."""
    heads = [
        _("Rank"),
        _("Unit code"),
        _("Unit"),
        _("Total"),
        _("Grade"),
        _("List"),
        _("Reward (yuan)"),
    ]
    if content.show_training:
        heads.append(_("Training places"))
    return heads
