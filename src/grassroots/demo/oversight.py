"""The demo's oversight cases (监督事项) of 礼州镇's village oversight committees.

``seed_oversight(rng=…, today=…, township=…)`` writes eight cases across the township's
villages directly through the models, in every status: closed on time, closed late (one
after a rectification was returned), rectification reported and waiting for acceptance,
rectification requested and overdue, dismissed, and one just opened. Three of them are
the demo village's (where the demo logins ``committee`` and ``village_cadre`` work); the
project acceptance case refers to a task that one of the village's resolutions created
when there is one.

Numbers are ``JD-<year>-0001`` per village and year in the order opened; every status
change has its step on the timeline (opened, requested, responded, returned, closed,
dismissed) by the committee member of the demo village or the township's discipline
office (``supervisor``) elsewhere, responses by the village cadre where one logs in;
a case carries its first deadline (a return sets a later one); closed cases carry
their day and who closed them, dismissed ones their reason; every response and closure
has a photo (stored cleaned, by SHA-256, as an upload would be).

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Final

from grassroots.demo import partybuilding_texts as texts
from grassroots.org.models import Membership, Role, Unit, UnitKind, User
from grassroots.oversight.models import Case, Step
from grassroots.oversight.states import CaseStatus, StepKind
from grassroots.supervision.models import Task

#: How each case of ``texts.CASES`` goes: steps as (kind, days after opening), then the
#: deadline (days after opening, None: no request) and how many days ago it was opened.
PLOTS: Final[tuple[tuple[tuple[tuple[str, int], ...], int | None, int], ...]] = (
    ((("requested", 2), ("responded", 16), ("closed", 20)), 22, 120),  # on time
    (
        (("requested", 3), ("responded", 18), ("returned", 24), ("responded", 40), ("closed", 45)),
        23,
        150,
    ),  # late, after a return
    ((("requested", 1), ("responded", 25), ("closed", 28)), 16, 90),  # late
    ((("requested", 2), ("responded", 12), ("closed", 15)), 20, 70),  # on time
    ((("requested", 2), ("responded", 20)), 32, 40),  # waiting for acceptance
    ((("requested", 2),), 20, 50),  # overdue
    ((("dismissed", 6),), None, 30),
    ((), None, 3),  # just opened
)
STATUS_AFTER: Final = {
    "requested": CaseStatus.RECTIFYING,
    "responded": CaseStatus.RESPONDED,
    "returned": CaseStatus.RECTIFYING,
    "closed": CaseStatus.CLOSED,
    "dismissed": CaseStatus.DISMISSED,
}
#: The cases of the demo village (indexes into ``texts.CASES``).
DEMO_VILLAGE_CASES: Final = (0, 4, 5)


def _login_unit(username: str, role: str) -> tuple[User | None, int | None]:
    membership = (
        Membership.objects.filter(user__username=username, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return (membership.user, membership.unit_id) if membership else (None, None)


def seed_oversight(*, rng: random.Random, today: dt.date, township: Unit) -> int:
    """The township's oversight cases (the count)."""
    from grassroots.demo.partybuilding import local_at

    villages = list(
        Unit.objects.filter(parent=township, kind=UnitKind.VILLAGE).order_by("code")
    ) or list(Unit.objects.filter(parent=township).order_by("code"))
    if not villages:
        return 0
    committee, committee_unit = _login_unit("committee", Role.SUPERVISOR)
    office, _office_unit = _login_unit("supervisor", Role.SUPERVISOR)
    cadre, cadre_unit = _login_unit("village_cadre", Role.VILLAGE_CADRE)
    home = next((v for v in villages if v.pk == committee_unit), villages[0])
    others = [v for v in villages if v.pk != home.pk] or [home]
    project = (
        Task.objects.filter(origin__startswith="partybuilding.resolution:", unit__parent=township)
        .order_by("pk")
        .first()
    )
    places: list[Unit] = []
    for n in range(len(texts.CASES)):
        if n in DEMO_VILLAGE_CASES:
            places.append(home)
        elif n == 2 and project is not None:
            places.append(next((v for v in villages if v.pk == project.unit_id), home))
        else:
            places.append(rng.choice(others))
    cases: list[Case] = []
    steps: list[tuple[Case, list[Step]]] = []
    for n, (text, (plot, deadline_after, ago)) in enumerate(zip(texts.CASES, PLOTS, strict=True)):
        village = places[n]
        opened = today - dt.timedelta(days=ago)
        supervisor = committee if village.pk == committee_unit else office
        responder = cadre if village.pk == cadre_unit else None
        requested = any(kind == "requested" for kind, _d in plot)
        case = Case(
            unit=village,
            unit_path=village.path,
            number="",
            matter=text.matter,
            category=text.category,
            source=text.source,
            reference=f"supervision.task:{project.pk}" if n == 2 and project else "",
            findings=text.findings,
            request=text.request if requested else "",
            deadline=opened + dt.timedelta(days=deadline_after) if deadline_after else None,
            first_deadline=opened + dt.timedelta(days=deadline_after) if deadline_after else None,
            opened_on=opened,
            opened_by=supervisor,
        )
        timeline = [
            Step(
                case=case,
                kind=StepKind.OPENED,
                actor=supervisor,
                note=text.findings,
                at=local_at(opened, 10, rng.randrange(60)),
            )
        ]
        for kind, after in plot:
            day = opened + dt.timedelta(days=after)
            note = {
                "requested": text.request,
                "responded": text.response,
                "returned": texts.RETURN_NOTE,
                "closed": text.conclusion,
                "dismissed": text.conclusion,
            }[kind]
            actor = responder if kind == "responded" else supervisor
            timeline.append(
                Step(
                    case=case,
                    kind=kind,
                    actor=actor,
                    note=note,
                    at=local_at(day, 15, rng.randrange(60)),
                )
            )
            case.status = STATUS_AFTER[kind]
            if kind == "responded":
                case.response = text.response
            if kind == "returned":  # a new deadline; the on-time figure keeps the first
                case.deadline = max(case.deadline or day, day + dt.timedelta(days=10))
            if kind == "closed":
                case.closed_on = day
                case.closed_by = supervisor
            if kind in ("closed", "dismissed"):
                case.conclusion = text.conclusion
        cases.append(case)
        steps.append((case, timeline))
    counters: dict[tuple[int, int], int] = defaultdict(int)
    for case in sorted(cases, key=lambda c: (c.unit_path, c.opened_on)):
        key = (case.unit.pk, case.opened_on.year)
        counters[key] += 1
        case.number = f"JD-{case.opened_on.year}-{counters[key]:04d}"
    Case.objects.bulk_create(cases)
    rows = []
    for case, timeline in steps:
        for step in timeline:
            step.case_id = case.pk
            rows.append(step)
    Step.objects.bulk_create(rows)
    _evidence(rows, rng)
    return len(cases)


def _evidence(steps: list[Step], rng: random.Random) -> None:
    """A photo with every response and closure (closing a case that had a rectification
    request needs one), stored like an upload (cleaned, by SHA-256)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.oversight.evidence import store
    from grassroots.supervision.evidence import prepare_evidence

    photos = [
        prepare_evidence(SimpleUploadedFile(name, _photo(colour), content_type="image/png"))
        for name, colour in (("整改照片.png", (196, 222, 238)), ("验收照片.png", (226, 236, 210)))
    ]
    for step in steps:
        if step.kind in (StepKind.RESPONDED, StepKind.CLOSED):
            photo = photos[0] if step.kind == StepKind.RESPONDED else rng.choice(photos)
            store(step.case, step, [photo], step.actor)


def _photo(colour: tuple[int, int, int]) -> bytes:
    """A small picture of a notice board (公开栏): a frame and lines of notices."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 450, 290), outline=(150, 40, 40), width=8, fill=(250, 250, 245))
    for n in range(6):
        top = 60 + n * 36
        draw.rectangle((60, top, 60 + 300 - n * 25, top + 12), fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
