"""A sweep over every page of party building (but the decision log's, reviewed elsewhere),
generated from the URL configuration: each URL × each role × GET, GET with garbage
parameters, an empty POST and POSTs of garbage in every field the page's own form names
(NUL bytes, 10,000-character strings, non-numeric ids, 2026-02-30, negative and huge
numbers), with the URL's object once inside 礼州村/礼州镇 and once in 安宁村/安宁镇.

What must hold everywhere:
- never a 500;
- anonymous visitors are sent to the login page;
- a refused request (4xx, or the login redirect) writes nothing (row counts of the party
  building, oversight, supervision, inbox and audit tables unchanged);
- the 安宁镇 secretary and 田坝村's cadre never see 礼州村's records (404);
- a performer's phone appears unmasked only on the performer's edit form, for the
  village's recorders;
- every URL name of the namespace has a rule here: a page added later without one fails
  the sweep until someone says what its object is.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import get_resolver, reverse

from tests.conftest import _person, ensure_seeded
from tests.partybuilding.culture_support import png_bytes, upload

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC)  # 10:00 in 西昌
PHONE_IN = "13912345678"
PHONE_OUT = "13987654321"

ROLES = [
    "city_admin",
    "xc_secretary",
    "village_cadre",
    "neighbour_cadre",
    "committee_member",
    "supervisor",
    "grid_worker",
    "dept_staff",
    "outsider",
    "resident",
    "anonymous",
]
#: Roles that must never see 礼州村's own records, and those that never see 礼州镇's.
NOT_LIZHOU_VILLAGE = {"outsider", "neighbour_cadre"}
NOT_LIZHOU = {"outsider"}
#: Who may read the full phone of 礼州村's performers on the edit form.
RECORDERS_IN = {"city_admin", "xc_secretary", "village_cadre"}
RECORDERS_OUT = {"city_admin", "outsider"}

#: Every URL name of the namespace but the decision log's → the kind of its object
#: (``None``: a page without an object in its path). ``village`` objects belong to
#: 礼州村 (and 安宁村), ``township`` objects to 礼州镇 (and 安宁镇), ``nobody`` objects are
#: seen by no role of the sweep (a judge's own sheet).
RULES: dict[str, str | None] = {
    "home": None,
    # meetings
    "meetings": None,
    "meeting_new": None,
    "meetings_plan": None,
    "meetings_export": None,
    "meetings_import": None,
    "meetings_template": None,
    "missed": None,
    "missed_export": None,
    "meeting_detail": "meeting",
    "meeting_edit": "meeting",
    "meeting_record": "meeting",
    "meeting_cancel": "meeting",
    "meeting_reopen": "meeting",
    "meeting_minutes": "meeting",
    "meeting_minutes_file": "meeting",
    "resolution_new": "meeting",
    "resolution_detail": "resolution",
    "resolution_tasks": "resolution",
    # venues
    "venues": None,
    "venues_export": None,
    "venue_new": None,
    "venues_map": None,
    "venues_import": None,
    "venues_template": None,
    "checklist": None,
    "venue_detail": "venue",
    "venue_edit": "venue",
    "venue_status": "venue",
    "venue_inspect": "venue",
    "inspection_photo": "inspection_photo",
    # culture
    "songs": None,
    "song_new": None,
    "song_detail": "song",
    "song_edit": "song",
    "song_audio": "song",
    "histories": None,
    "history_new": None,
    "history_detail": "history",
    "history_edit": "history",
    "history_photo": "history_photo",
    "mottos": None,
    "motto_new": None,
    "motto_edit": "motto",
    "mottos_import": None,
    "performers": None,
    "performer_new": None,
    "performer_edit": "performer",
    "performers_import": None,
    "village_archive": "village_code",
    # competitions
    "competitions": None,
    "competition_new": None,
    "competition_detail": "competition",
    "competition_edit": "competition",
    "competition_rounds": "competition",
    "competition_entries": "competition",
    "entries_import": "competition",
    "entries_template": "competition",
    "competition_judges": "competition",
    "competition_transition": "competition",
    "competition_export": "competition",
    "judging": None,
    "judge_sheet": "judge_sheet",
}
TOWNSHIP_OBJECTS = {"competition"}
NOBODY_OBJECTS = {"judge_sheet"}

GARBAGE: list[str] = [
    "\x00",
    "x" * 10_000,
    "abc",
    "2026-02-30",
    "-1",
    "99999999999999999999",
    "1e400",
    "2026-13",
    "-99999",
    "\x00<script>alert(1)</script>",
]
GARBAGE_QUERY = {
    "page": "abc",
    "q": "\x00" + "x" * 3000,
    "period": "2026-02-30",
    "month": "2026-13",
    "unit": "-1",
    "year": "99999999999999999999",
    "status": "\x00",
    "kind": "nope",
    "village": "abc",
    "township": "-5",
    "specialty": "\x00",
    "sort": "-nope",
    "date": "2026-02-30",
    "from": "2026-02-30",
    "to": "-1",
}


def all_names() -> set[str]:
    names: set[str] = set()
    for key in get_resolver().reverse_dict:
        if isinstance(key, str) and key.startswith("partybuilding:"):
            names.add(key.split(":", 1)[1])
    resolver = get_resolver()
    namespace = resolver.namespace_dict["partybuilding"][1]
    names |= {k for k in namespace.reverse_dict if isinstance(k, str)}
    return {n for n in names if "decision" not in n}


# --- the world, written once for the module ---------------------------------------


def _tree() -> dict[str, Any]:
    from grassroots.org.models import Unit, UnitKind

    def unit(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)

    city = unit("513401", "西昌市", UnitKind.COUNTY)
    lizhou = unit("513401101", "礼州镇", UnitKind.TOWNSHIP, city)
    anning = unit("513401102", "安宁镇", UnitKind.TOWNSHIP, city)
    v1 = unit("513401101201", "礼州村", UnitKind.VILLAGE, lizhou)
    v2 = unit("513401101202", "田坝村", UnitKind.VILLAGE, lizhou)
    v3 = unit("513401102201", "安宁村", UnitKind.VILLAGE, anning)
    grid = unit("513401101201001", "礼州村第1网格", UnitKind.GRID, v1)
    dept = unit("513401D01", "西昌市住房和城乡建设局", UnitKind.DEPARTMENT, city)
    return {
        "city": city,
        "lizhou": lizhou,
        "anning": anning,
        "village": v1,
        "neighbour_village": v2,
        "other_village": v3,
        "grid": grid,
        "department": dept,
    }


def _people(tree: dict[str, Any]) -> dict[str, Any]:
    return {
        "city_admin": _person("city_admin", "city_admin", tree["city"]),
        "xc_secretary": _person("xc_secretary", "unit_leader", tree["lizhou"]),
        "supervisor": _person("supervisor", "supervisor", tree["lizhou"]),
        "committee_member": _person("committee_member", "supervisor", tree["village"]),
        "village_cadre": _person(
            "village_cadre", "village_cadre", tree["village"], phone="13812345678"
        ),
        "neighbour_cadre": _person("neighbour_cadre", "village_cadre", tree["neighbour_village"]),
        "grid_worker": _person("grid_worker", "grid_worker", tree["grid"]),
        "dept_staff": _person("dept_staff", "department_staff", tree["department"]),
        "outsider": _person("outsider", "unit_leader", tree["anning"]),
        "resident": _person("resident", None, None),
    }


def _objects(village: Any, township: Any, admin: Any, phone: str, n: int) -> dict[str, Any]:
    from grassroots.partybuilding.actions import competitions as competition_actions
    from grassroots.partybuilding.actions import culture as culture_actions
    from grassroots.partybuilding.actions import meetings as meeting_actions
    from grassroots.partybuilding.actions import meetings_resolutions as resolution_actions
    from grassroots.partybuilding.actions import venues as venue_actions
    from grassroots.partybuilding.models import ChecklistItem, Performer
    from tests.partybuilding.meetings_support import rows

    meeting = meeting_actions.plan_meeting(
        actor=admin, unit=village, kind="party_monthly", period="2026-09"
    )
    meeting = meeting_actions.record_held(
        meeting.pk, actor=admin, held_on="2026-09-15", attendance=rows()
    )
    resolution = resolution_actions.add_resolution(
        meeting.pk,
        actor=admin,
        title="修村道",
        members_total=7,
        members_present=5,
        votes_for=5,
    )
    meeting_actions.plan_meeting(actor=admin, unit=village, kind="party_monthly", period="2026-10")
    venue = venue_actions.create_venue(
        actor=admin,
        unit=village,
        name=f"党群服务中心{n}",
        kind="activity",
        status="in_use",
        built_on="2025-01-01",
    )
    items = list(ChecklistItem.objects.filter(active=True).values_list("pk", flat=True))
    inspection = venue_actions.record_inspection(
        venue.pk,
        actor=admin,
        inspected_on="2026-10-01",
        met=items,
        photos=[upload("v.png", png_bytes(), "image/png")],
    )
    song = culture_actions.create_song(village, {"title": f"村歌{n}"}, actor=admin)
    history = culture_actions.create_history(
        village, {"title": f"村史{n}", "body": "<p>古镇</p>"}, actor=admin
    )
    photo = culture_actions.add_history_photos(
        history.pk, [upload("h.png", png_bytes(), "image/png")], actor=admin
    )[0]
    motto = culture_actions.create_motto(
        village, {"family": "王家", "motto": "勤俭持家"}, actor=admin
    )
    performer = culture_actions.create_performer(
        village, {"name": f"阿说莫{n}", "specialty": "singing", "phone": phone}, actor=admin
    )
    assert Performer.objects.get(pk=performer.pk).phone == phone
    competition = competition_actions.create_competition(
        township,
        {
            "title": f"{township.name}乡村文化竞演",
            "year": 2026,
            "description": "",
            "max_score": "100",
            "first_prizes": 1,
            "second_prizes": 1,
            "third_prizes": 1,
        },
        actor=admin,
    )
    the_round = competition_actions.add_round(
        competition.pk, {"name": "决赛", "order": 1}, actor=admin
    )
    competition_actions.add_entry(
        competition.pk, the_round.pk, {"unit": village, "title": "达体舞"}, actor=admin
    )
    return {
        "meeting": {"pk": meeting.pk},
        "resolution": {"pk": resolution.pk},
        "venue": {"pk": venue.pk},
        "inspection_photo": {"pk": inspection.photos.first().pk},
        "song": {"pk": song.pk},
        "history": {"pk": history.pk},
        "history_photo": {"pk": history.pk, "photo": photo.pk},
        "motto": {"pk": motto.pk},
        "performer": {"pk": performer.pk},
        "village_code": {"code": village.code},
        "competition": {"pk": competition.pk},
        "judge_sheet": {"pk": competition.pk},
    }


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    media = tmp_path_factory.mktemp("sweep")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=media / "media",
            DATA_DIR=media / "data",
        ),
        time_machine.travel(NOW, tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_seeded()
            tree = _tree()
            people = _people(tree)
            admin = people["city_admin"]
            inside = _objects(tree["village"], tree["lizhou"], admin, PHONE_IN, 1)
            outside = _objects(tree["other_village"], tree["anning"], admin, PHONE_OUT, 2)
            clients: dict[str, Client] = {"anonymous": Client()}
            for role, user in people.items():
                client = Client()
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
                clients[role] = client
            yield {
                "tree": tree,
                "people": people,
                "in": inside,
                "out": outside,
                "clients": clients,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def settled(world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    with time_machine.travel(NOW, tick=False):
        yield world


# --- what a request may change --------------------------------------------------------

COUNTED_APPS = ("partybuilding", "oversight", "supervision", "inbox", "audit")


def _count_sql() -> str:
    tables = sorted(
        {
            m._meta.db_table
            for label in COUNTED_APPS
            for m in apps.get_app_config(label).get_models()
            if m._meta.managed and not m._meta.proxy
        }
    )
    parts = ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)  # noqa: S608
    return f"SELECT {parts}"


def counts(sql: str) -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# --- the requests -----------------------------------------------------------------------

NAME_RE = re.compile(r'name="([^"]+)"')
ACTION_RE = re.compile(r'name="action"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="action"')


def form_fields(html: str) -> tuple[list[str], list[str]]:
    """The field names a page's forms post, and the values of its ``action`` buttons."""
    names = sorted({n for n in NAME_RE.findall(html) if n not in {"csrfmiddlewaretoken"}})
    actions = sorted({a or b for a, b in ACTION_RE.findall(html)})
    return names, actions


def garbage_posts(names: list[str], actions: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for shift, action in enumerate(actions[:4] or [""]):
        data: dict[str, Any] = {}
        for i, name in enumerate(names):
            if name == "action":
                continue
            data[name] = GARBAGE[(i + shift) % len(GARBAGE)]
        if action:
            data["action"] = action
        out.append(data)
    if not out:
        out.append(dict(zip(["pk", "id", "q"], GARBAGE, strict=False)))
    # the same page with every field a 10k string and with every field a NUL byte
    out.append(dict.fromkeys(names, "\x00") | ({"action": actions[0]} if actions else {}))
    return out


def body_text(response: Any) -> str:
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if "spreadsheet" in content_type or raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                return "".join(
                    book.read(n).decode("utf-8", "replace")
                    for n in book.namelist()
                    if n.endswith(".xml")
                )
        except zipfile.BadZipFile:
            pass
    return raw.decode("utf-8", "replace")


def login_url() -> str:
    return reverse("login")


def test_the_sweep_knows_every_url_of_the_namespace() -> None:
    names = all_names()
    assert names, "no URL of the partybuilding namespace found"
    assert sorted(names - set(RULES)) == [], "pages without a rule in the sweep"
    assert sorted(set(RULES) - names) == [], "rules of pages that no longer exist"


def _check(
    name: str,
    role: str,
    where: str,
    method: str,
    response: Any,
    problems: list[str],
    refused_write: Callable[[], bool],
) -> None:
    label = f"{name} {role} {where} {method}: {response.status_code}"
    if response.status_code >= 500:
        problems.append(f"{label} (server error)")
        return
    login = response.status_code == 302 and response["Location"].startswith(login_url())
    if role == "anonymous" and not login:
        problems.append(f"{label} anonymous not sent to login")
    refused = login or 400 <= response.status_code < 500
    if refused and refused_write():
        problems.append(f"{label} refused but wrote")
    text = body_text(response) if response.status_code == 200 else ""
    for phone in (PHONE_IN, PHONE_OUT):
        if phone in text:
            allowed = (
                name == "performer_edit"
                and where == "in"
                and phone == PHONE_IN
                and role in RECORDERS_IN
            ) or (
                name == "performer_edit"
                and where == "out"
                and phone == PHONE_OUT
                and role in RECORDERS_OUT
            )
            if not allowed:
                problems.append(f"{label} shows a performer's phone {phone}")


@pytest.mark.parametrize("name", sorted(RULES))
def test_sweep(name: str, settled: dict[str, Any]) -> None:
    clients = settled["clients"]
    kind = RULES[name]
    sql = _count_sql()
    problems: list[str] = []
    targets: list[tuple[str, dict[str, Any]]] = (
        [("none", {})]
        if kind is None
        else [("in", settled["in"][kind]), ("out", settled["out"][kind])]
    )
    for where, kwargs in targets:
        url = reverse(f"partybuilding:{name}", kwargs=kwargs)
        page = clients["city_admin"].get(url)
        html = body_text(page) if page.status_code == 200 else ""
        fields, action_values = form_fields(html)
        posts = garbage_posts(fields, action_values)
        for role in ROLES:
            client = clients[role]
            requests: list[tuple[str, Callable[[], Any]]] = [
                ("GET", lambda c=client, u=url: c.get(u)),
                ("GET?garbage", lambda c=client, u=url: c.get(u, GARBAGE_QUERY)),
                ("POST{}", lambda c=client, u=url: c.post(u, {})),
            ]
            for i, data in enumerate(posts):
                requests.append((f"POST#{i}", lambda c=client, u=url, d=data: c.post(u, d)))
            for method, send in requests:
                before = counts(sql)
                response = send()
                wrote = counts(sql) != before
                _check(
                    name,
                    role,
                    where,
                    method,
                    response,
                    problems,
                    lambda w=wrote: w,
                )
                if os.environ.get("SWEEP_LOG") and method.startswith("POST"):
                    with open(os.environ["SWEEP_LOG"], "a") as log:
                        log.write(
                            f"{name} {role} {where} {method} {response.status_code} {wrote}\n"
                        )
                if where == "in" and kind is not None:
                    hidden = (
                        role in NOT_LIZHOU
                        if kind in TOWNSHIP_OBJECTS
                        else role != "anonymous"
                        if kind in NOBODY_OBJECTS
                        else role in NOT_LIZHOU_VILLAGE
                    )
                    if hidden and response.status_code not in (404, 405):
                        problems.append(
                            f"{name} {role} in {method}: {response.status_code}, expected 404"
                        )
    if kind is not None:
        _huge_ids(name, settled, clients, problems)
    assert problems == [], "\n".join(problems[:40])


def _huge_ids(
    name: str, world: dict[str, Any], clients: dict[str, Client], problems: list[str]
) -> None:
    """The page of an object that cannot exist (an id past any integer column, a code of
    NUL bytes): a 404 for everyone (or the login page), never a 500."""
    kind = RULES[name]
    assert kind is not None
    for value in ("99999999999999999999", "9223372036854775808", "0"):
        kwargs = {k: (value if k != "code" else "\x00" + value) for k in world["in"][kind]}
        url = reverse(f"partybuilding:{name}", kwargs=kwargs)
        for role in ("city_admin", "village_cadre", "anonymous"):
            for method in ("GET", "POST"):
                client = clients[role]
                response = client.get(url) if method == "GET" else client.post(url, {})
                status = response.status_code
                login = status == 302 and response["Location"].startswith(login_url())
                if not (login or status in (404, 405)):
                    problems.append(f"{name} {role} {url} {method}: {status}, expected 404")
