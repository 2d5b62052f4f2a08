"""Named reads shared by the party-building pages (each area has its own
``queries_<area>.py``); every read is filtered by the viewer's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots.partybuilding.models import (
    Competition,
    FamilyMotto,
    Meeting,
    Performer,
    Resolution,
    Song,
    Venue,
)
from grassroots.partybuilding.states import CompetitionStatus, MeetingKind, MeetingStatus


@dataclass(frozen=True, slots=True)
class Overview:
    period: str
    monthly_planned: int
    monthly_held: int
    resolutions_this_year: int
    venues: int
    venues_meeting_standard: int
    songs: int
    mottos: int
    performers: int
    competitions_open: int


def overview(user: Any, today: dt.date) -> Overview:
    """This month's monthly meetings, this year's resolutions, venues and the archive, as
    far as ``user`` sees."""
    period = f"{today:%Y-%m}"
    monthly = (
        Meeting.objects.visible_to(user)
        .filter(kind=MeetingKind.PARTY_MONTHLY, period=period)
        .exclude(status=MeetingStatus.CANCELLED)
    )
    venues = Venue.objects.visible_to(user)
    return Overview(
        period=period,
        monthly_planned=monthly.count(),
        monthly_held=monthly.filter(status=MeetingStatus.HELD).count(),
        resolutions_this_year=Resolution.objects.visible_to(user)
        .filter(decided_on__year=today.year)
        .count(),
        venues=venues.count(),
        venues_meeting_standard=venues.filter(meets_standard=True).count(),
        songs=Song.objects.visible_to(user).count(),
        mottos=FamilyMotto.objects.visible_to(user).count(),
        performers=Performer.objects.visible_to(user).filter(active=True).count(),
        competitions_open=Competition.objects.visible_to(user)
        .exclude(status=CompetitionStatus.PUBLISHED)
        .count(),
    )
