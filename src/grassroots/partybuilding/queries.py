"""Named reads shared by the party-building pages (each area has its own
``queries_<area>.py``); every read is filtered by the viewer's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots.org.models import TOWNSHIP_LEVEL, VILLAGE_LEVEL, Unit
from grassroots.org.permissions import role_may
from grassroots.org.queries import active_grants
from grassroots.partybuilding.models import (
    Competition,
    FamilyMotto,
    Meeting,
    Performer,
    Resolution,
    Song,
    Venue,
)
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.states import CompetitionStatus, MeetingKind, MeetingStatus

#: At most this many of the viewer's own units get a "this month" card.
OWN_UNITS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class OwnMonth:
    """This month's 党建月会 of a unit the viewer records for (``meeting`` None: not planned)."""

    unit: Unit
    meeting: Meeting | None


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
    own: tuple[OwnMonth, ...] = ()


def overview(user: Any, today: dt.date) -> Overview:
    """This month's monthly meetings, this year's resolutions, venues and the archive, as
    far as ``user`` sees."""
    period = f"{today:%Y-%m}"
    # every monthly meeting of the month (a cancelled one is a month not held): the
    # meetings list of the month shows the same ones
    monthly = Meeting.objects.visible_to(user).filter(kind=MeetingKind.PARTY_MONTHLY, period=period)
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
        own=own_months(user, period),
    )


def own_months(user: Any, period: str) -> tuple[OwnMonth, ...]:
    """This month's 党建月会 of the townships and villages the viewer's own memberships are
    bound to with the right to record (a village secretary: the village), in two queries."""
    unit_ids = [g.unit_id for g in active_grants(user) if role_may(g.role, RECORD)]
    if not unit_ids:
        return ()
    units = list(
        Unit.objects.filter(pk__in=unit_ids, active=True)
        .filter(kind__in=[*TOWNSHIP_LEVEL, *VILLAGE_LEVEL])
        .defer("geometry")
        .order_by("path")[:OWN_UNITS_SHOWN]
    )
    meetings = {
        m.unit_id: m
        for m in Meeting.objects.filter(
            unit__in=units, kind=MeetingKind.PARTY_MONTHLY, period=period
        ).exclude(status=MeetingStatus.CANCELLED)
    }
    return tuple(OwnMonth(unit=u, meeting=meetings.get(u.pk)) for u in units)
