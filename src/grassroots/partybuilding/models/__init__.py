"""The party-building records, one module per area; every model is importable from here."""

from __future__ import annotations

from grassroots.partybuilding.models.base import InUnit, PartyQuerySet
from grassroots.partybuilding.models.competitions import (
    Competition,
    CompetitionJudge,
    Entry,
    JudgeScore,
    Round,
)
from grassroots.partybuilding.models.culture import (
    FamilyMotto,
    HistoryPhoto,
    Performer,
    Song,
    VillageHistory,
)
from grassroots.partybuilding.models.meetings import (
    Attendance,
    DecisionLink,
    DecisionRule,
    Meeting,
    Resolution,
    ResolutionTask,
)
from grassroots.partybuilding.models.venues import (
    ChecklistItem,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Venue,
)

__all__ = [
    "Attendance",
    "ChecklistItem",
    "Competition",
    "CompetitionJudge",
    "DecisionLink",
    "DecisionRule",
    "Entry",
    "FamilyMotto",
    "HistoryPhoto",
    "InUnit",
    "Inspection",
    "InspectionItem",
    "InspectionPhoto",
    "JudgeScore",
    "Meeting",
    "PartyQuerySet",
    "Performer",
    "Resolution",
    "ResolutionTask",
    "Round",
    "Song",
    "Venue",
    "VillageHistory",
]
