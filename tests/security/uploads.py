"""The objects the seeded town lacks and some routes serve: photos and evidence files, land
windows, a notice. Each is made through its app's action by someone entitled to, once in
the home village (陈远村) and once in the neighbour village (白沙村), so that the matrix has
an object inside and one outside the village roles' scope (``KINDS`` picks them up).

The files go to the ``MEDIA_ROOT`` that the module's fixture sets to a temporary folder."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tests.pages_support import photo
from tests.partybuilding.venues_support import all_ids
from tests.security.conftest import NEIGHBOUR_VILLAGE


def _under(qs: QuerySet[Any], field: str, unit: Any) -> Any:
    """The first object of ``qs`` whose unit (at ``field``) lies in ``unit``'s subtree."""
    path = f"{field}__path"
    found = qs.filter(Q(**{path: unit.path}) | Q(**{f"{path}__startswith": unit.path + "."}))
    obj = found.order_by("pk").first()
    assert obj is not None, f"the seeded town has no {qs.model.__name__} in {unit.name}"
    return obj


def add_uploads(cast: Any) -> None:
    from grassroots.org.models import Unit

    neighbour = Unit.objects.get(code=NEIGHBOUR_VILLAGE)
    cadres = {
        cast.home.pk: cast.users["village_cadre"],
        neighbour.pk: cast.users["neighbour_cadre"],
    }
    for village in (cast.home, neighbour):
        cadre = cadres[village.pk]
        _event_photo(village, cast.users["city_admin"])
        _construction_photo(village, cadre)
        _history_photo(village, cadre)
        _inspection_photo(village, cast.users["xc_secretary"])
        _visit_photo(village, cadre)
        _task_evidence(village, cadre)
        _window(village, cadre)
    _notice(cast.users["village_cadre"])


def _event_photo(village: Any, actor: Any) -> None:
    from grassroots.events.actions import comment_event
    from grassroots.events.models import Event

    event = _under(Event.objects.all(), "grid", village)
    comment_event(event.pk, actor=actor, note="现场照片", photos=[photo()])


def _construction_photo(village: Any, actor: Any) -> None:
    from grassroots.registers.actions.construction import add_photos
    from grassroots.registers.models import ConstructionCase

    case = _under(ConstructionCase.objects.all(), "unit", village)
    add_photos(case.pk, actor=actor, stage="before", uploads=[photo()])


def _history_photo(village: Any, actor: Any) -> None:
    from grassroots.partybuilding.actions.culture import add_history_photos
    from grassroots.partybuilding.models import VillageHistory

    history = _under(VillageHistory.objects.all(), "unit", village)
    add_history_photos(history.pk, [photo()], actor=actor)


def _inspection_photo(village: Any, actor: Any) -> None:
    from grassroots.partybuilding.actions.venues import record_inspection
    from grassroots.partybuilding.models import Venue

    venue = _under(Venue.objects.all(), "unit", village)
    record_inspection(
        venue.pk,
        actor=actor,
        inspected_on=timezone.localdate().isoformat(),
        met=all_ids(),
        photos=[photo()],
    )


def _visit_photo(village: Any, actor: Any) -> None:
    from grassroots.residents.actions.care import record_visit
    from grassroots.residents.models import KeyPerson

    person = _under(KeyPerson.objects.filter(ended_on__isnull=True), "grid", village)
    record_visit(person, actor=actor, met="person", findings="身体状况良好", photos=[photo()])


def _task_evidence(village: Any, actor: Any) -> None:
    from grassroots.supervision.actions.reporting import report_progress
    from grassroots.supervision.models import Task

    # an umbrella task (issued by its own unit) takes no report
    task = _under(Task.objects.filter(state="open").exclude(unit=F("issuer")), "unit", village)
    # a task with a target takes the amount reached, one without it a percentage
    amount = {"value": task.target_value} if task.has_target else {"percent": 10}
    report_progress(task, actor=actor, note="进度", evidence=[photo()], **amount)


def _window(village: Any, actor: Any) -> None:
    from grassroots.registers.actions.windows import create_window

    create_window(
        actor=actor,
        unit=village,
        code=f"QH-{village.code[-3:]}",
        name=f"{village.name}湿地",
        area="1000",
        plan_year=timezone.localdate().year,
        status="planned",
        restored_area="",
        restored_on=None,
        lat="27.85",
        lon="102.05",
        geometry=None,
        note="",
    )


def _notice(recipient: Any) -> None:
    from grassroots.inbox.actions import notify

    notify(users=[recipient], subject="矩阵测试", body="一条通知", url="/")
