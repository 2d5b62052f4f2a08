"""The published conditions of error tolerance (容错条件) and the verdict on them (no ORM).

The organisation department verifies an application against four conditions; each is
found met or not met, with a note. A mistake is tolerable only when all four are met:

1. ``exploration`` — the work was exploration the policies allow (先行先试, 改革创新,
   试点探索), not a knowing violation of the rules (明知故犯);
2. ``public_good`` — it was done for the public good (为公), with no private gain (谋私);
3. ``procedure`` — the prescribed procedure and collective decision were followed
   (民主决策程序, 集体研究);
4. ``remedied`` — the loss was limited and actively remedied (主动挽回损失, 消除影响).

A checklist is stored as ``{condition: {"met": bool, "note": str}}`` on the case
(``ToleranceCase.checklist``); ``verdict`` reads it back.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The longest note on one condition.
NOTE_MAX = 2000


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    #: What must hold, as the published conditions word it.
    label: str | Promise
    #: The contrast the verifier weighs (what makes it not met).
    guidance: str | Promise


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "exploration",
        _("Exploration the policies allow, not a knowing violation"),
        _(
            "Met when the work was reform, a pilot or exploration that the policies allow or "
            "do not forbid (先行先试); not met when the rules were broken knowingly (明知故犯)."
        ),
    ),
    Condition(
        "public_good",
        _("For the public good, not for private gain"),
        _(
            "Met when the mistake was made pursuing the public interest (为公); not met when "
            "anyone sought or took a private gain from it (谋私)."
        ),
    ),
    Condition(
        "procedure",
        _("Procedure followed and decided collectively"),
        _(
            "Met when the prescribed procedure was followed and the matter was decided "
            "collectively (民主决策程序); not met when one person decided alone or skipped "
            "the procedure."
        ),
    ),
    Condition(
        "remedied",
        _("Loss limited and actively remedied"),
        _(
            "Met when the loss was limited and those responsible acted at once to recover it "
            "and undo its effects (主动挽回损失); not met when they let it grow or hid it."
        ),
    ),
)

KEYS: tuple[str, ...] = tuple(c.key for c in CONDITIONS)
BY_KEY: dict[str, Condition] = {c.key: c for c in CONDITIONS}


class Verdict(enum.StrEnum):
    INCOMPLETE = "incomplete"  # not every condition has been checked
    TOLERABLE = "tolerable"  # all four met
    NOT_TOLERABLE = "not_tolerable"  # at least one not met


class ChecklistError(ValueError):
    """A checklist that cannot be stored; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Finding:
    """One condition as verified: met or not (``None``: not checked yet), and the note."""

    condition: Condition
    met: bool | None
    note: str


def findings(stored: Mapping[str, Any] | None) -> list[Finding]:
    """The stored checklist as one finding per condition, in the published order; anything
    malformed reads as not checked."""
    stored = stored if isinstance(stored, Mapping) else {}
    found: list[Finding] = []
    for condition in CONDITIONS:
        entry = stored.get(condition.key)
        met: bool | None = None
        note = ""
        if isinstance(entry, Mapping):
            raw = entry.get("met")
            met = raw if isinstance(raw, bool) else None
            note = str(entry.get("note") or "")
        found.append(Finding(condition, met, note))
    return found


def verdict(stored: Mapping[str, Any] | None) -> Verdict:
    """Tolerable only when every condition was checked and all of them are met."""
    states = [f.met for f in findings(stored)]
    if any(m is None for m in states):
        return Verdict.INCOMPLETE
    return Verdict.TOLERABLE if all(states) else Verdict.NOT_TOLERABLE


def unmet(stored: Mapping[str, Any] | None) -> list[Condition]:
    """The conditions found not met."""
    return [f.condition for f in findings(stored) if f.met is False]


def build(entries: Mapping[str, tuple[bool | None, str]]) -> dict[str, dict[str, Any]]:
    """The checklist to store from ``{condition: (met, note)}``.

    Every condition must be answered (met or not met), unknown conditions are refused, and a
    condition found not met needs a note saying why (the reasons are kept and shown).
    """
    unknown = sorted(set(entries) - set(KEYS))
    if unknown:
        raise ChecklistError(
            gettext("Unknown condition: %(key)s.") % {"key": ", ".join(unknown)}, unknown[0]
        )
    built: dict[str, dict[str, Any]] = {}
    for condition in CONDITIONS:
        met, note = entries.get(condition.key, (None, ""))
        note = (note or "").strip()
        if met is None:
            raise ChecklistError(
                gettext("Say whether this condition is met."), f"{condition.key}_met"
            )
        if len(note) > NOTE_MAX:
            raise ChecklistError(
                gettext("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX},
                f"{condition.key}_note",
            )
        if not met and not note:
            raise ChecklistError(
                gettext("Say why this condition is not met."), f"{condition.key}_note"
            )
        built[condition.key] = {"met": bool(met), "note": note}
    return built
