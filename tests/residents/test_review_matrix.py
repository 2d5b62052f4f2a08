"""Every role of the cast × every page of grid basics (``residents/urls*.py``) and the phone
home (``mobile/urls.py``), GET and POST, on records inside and outside the viewer's scope:
the right answer (200/400, 403 without the right, 404 for a record out of scope, 405 for
the wrong method, the login page for the anonymous), never a 500; no page shows a full ID
number or phone, and names only to those who may see the household; nothing is written.

The expectations are written out from the grants the app documents (``permissions``), not
derived from the code under test.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.org.models import Unit, UnitKind
from grassroots.residents.models import (
    Household,
    KeyPerson,
    Place,
    Resident,
    Visit,
    VisitPhoto,
)
from tests.events.photos import upload
from tests.residents.test_care_support import day, frozen, make_category, make_group, put_in_care

pytestmark = pytest.mark.django_db

ROLES = (
    "city_admin",
    "xc_secretary",
    "village_cadre",
    "neighbour_cadre",
    "grid_worker",
    "dept_staff",
    "supervisor",
    "outsider",
    "resident",
    "anonymous",
)

# Who holds each residents action anywhere (``permissions``: grid_worker view/edit/visit;
# village_cadre view/edit/visit/import; unit_leader view/edit/import; city_admin
# view/import/configure; departments, supervisors and residents nothing).
VIEW = {"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"}
EDIT = {"xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker", "outsider"}
VISIT = {"village_cadre", "neighbour_cadre", "grid_worker"}
IMPORT = {"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"}
CONFIGURE = {"city_admin"}

#: Who holds them over each place the records live in: "here" is 礼州村第1网格 (礼州镇),
#: "there" a grid of 安宁村 (安宁镇).
IN_SCOPE = {
    "here": {
        "view": {"city_admin", "xc_secretary", "village_cadre", "grid_worker"},
        "edit": {"xc_secretary", "village_cadre", "grid_worker"},
        "visit": {"village_cadre", "grid_worker"},
    },
    "there": {
        "view": {"city_admin", "outsider"},
        "edit": {"outsider"},
        "visit": set(),
    },
}


@dataclass(frozen=True)
class Anywhere:
    """A page that needs an action somewhere (403 without it); ``ok`` its answer then."""

    holders: set[str]
    ok: int

    def expect(self, role: str, where: str) -> int:
        return self.ok if role in self.holders else 403


@dataclass(frozen=True)
class OnRecord:
    """A page of one record: 404 unless the viewer sees it (``see``), 403 unless they
    also hold ``need`` over it; ``ok`` its answer then."""

    see: str
    need: str
    ok: int

    def expect(self, role: str, where: str) -> int:
        scope = IN_SCOPE[where]
        if role not in scope[self.see]:
            return 404
        return self.ok if role in scope[self.need] else 403


Rule = Anywhere | OnRecord


@dataclass(frozen=True)
class Route:
    name: str
    #: The record the URL names (a key of ``World.ids``), or "" for none.
    record: str
    get: Rule | None
    post: Rule | None


# An empty POST is a form with errors: 400 for those who may use it.
ROUTES = (
    Route("residents:home", "", Anywhere(VIEW, 200), None),
    Route("residents:places", "", Anywhere(VIEW, 200), None),
    Route("residents:place_new", "", Anywhere(EDIT, 200), Anywhere(EDIT, 400)),
    Route("residents:place_detail", "place", OnRecord("view", "view", 200), None),
    Route(
        "residents:place_edit",
        "place",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route("residents:households", "", Anywhere(VIEW, 200), None),
    Route("residents:household_new", "", Anywhere(EDIT, 200), Anywhere(EDIT, 400)),
    Route("residents:household_detail", "household", OnRecord("view", "view", 200), None),
    Route(
        "residents:household_edit",
        "household",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route(
        "residents:household_move",
        "household",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route(
        "residents:household_status",
        "household",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route(
        "residents:member_add",
        "household",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route(
        "residents:member_edit",
        "member",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route("residents:member_status", "member", None, OnRecord("view", "edit", 400)),
    Route("residents:m_home", "", Anywhere(VIEW, 200), None),
    Route("residents:m_household_new", "", Anywhere(EDIT, 200), Anywhere(EDIT, 400)),
    Route("residents:m_household", "household", OnRecord("view", "view", 200), None),
    Route(
        "residents:m_member_add",
        "household",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route("residents:m_member_status", "member", None, OnRecord("view", "edit", 400)),
    Route("residents:m_place_new", "", Anywhere(EDIT, 200), Anywhere(EDIT, 400)),
    Route("residents:import", "", Anywhere(IMPORT, 200), Anywhere(IMPORT, 400)),
    Route("residents:import_template", "", Anywhere(IMPORT, 200), None),
    Route("residents:export", "", Anywhere(IMPORT, 200), None),
    Route("residents:keygroups", "", Anywhere(CONFIGURE, 200), Anywhere(CONFIGURE, 400)),
    Route("residents:care", "", Anywhere(VIEW, 200), None),
    Route(
        "residents:care_add",
        "member",
        OnRecord("view", "edit", 200),
        OnRecord("view", "edit", 400),
    ),
    Route("residents:overdue", "", Anywhere(VIEW, 200), None),
    Route("residents:care_detail", "care", OnRecord("view", "view", 200), None),
    Route("residents:care_end", "care", None, OnRecord("view", "edit", 400)),
    Route("residents:visit_photo", "photo", OnRecord("view", "view", 200), None),
    Route("residents:m_visits", "", Anywhere(VISIT, 200), None),
    Route(
        "residents:m_visit",
        "care",
        OnRecord("view", "visit", 200),
        OnRecord("view", "visit", 400),
    ),
)


@dataclass
class World:
    """The records of each place: ``ids[where][record]``, and the personal data they hold."""

    ids: dict[str, dict[str, int]]
    names: list[str]
    #: The heads of the households of each place.
    heads: dict[str, str]
    id_numbers: list[str]
    phones: list[str]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with frozen():
        yield


def _records(
    make_household: Any, grid: Unit, worker: Any, group: Any, category: Any
) -> dict[str, int]:
    from grassroots.residents.actions.care import record_visit
    from grassroots.residents.actions.places import create_place

    household = make_household(members=2, grid=grid)
    head = household.members.order_by("pk").first()
    place = create_place(
        actor=worker,
        grid=grid,
        kind="rental",
        name=f"出租大院{grid.code[-3:]}",
        manager_name="沙马拉且",
        manager_phone="13987654321",
    )
    kp = put_in_care(head, group, worker, day("2026-09-01"))
    visit = record_visit(
        kp,
        actor=worker,
        visited_on=day("2026-10-01"),
        met="person",
        findings="屋顶漏雨",
        problem_found=True,
        category=category,
        title="屋顶漏雨",
        photos=[upload()],
    )
    return {
        "household": household.pk,
        "member": head.pk,
        "place": place.pk,
        "care": kp.pk,
        "photo": VisitPhoto.objects.get(visit=visit).pk,
    }


@pytest.fixture
def world(
    tree: dict[str, Any],
    make_household: Any,
    grid_worker: Any,
    outsider: Any,
    official_calendar: None,
) -> World:
    from grassroots.org.models import Membership

    there = Unit.objects.create(
        code="513401102201001",
        name="安宁村第1网格",
        kind=UnitKind.GRID,
        parent=tree["other_village"],
    )
    # A grid worker of 安宁村 records there (the outsider, a township leader, may not visit).
    from grassroots.org.models import User

    far_worker = User.objects.create_user(username="far_worker", password="x-Long-pass-42")
    Membership.objects.create(user=far_worker, unit=there, role="grid_worker")
    group, category = make_group(), make_category(tree)
    ids = {
        "here": _records(make_household, tree["grid"], grid_worker, group, category),
        "there": _records(make_household, there, far_worker, group, category),
    }
    people = list(Resident.objects.all())
    return World(
        ids=ids,
        heads={w: Resident.objects.get(pk=ids[w]["member"]).name for w in ids},
        names=[p.name for p in people] + ["沙马拉且"],
        id_numbers=[p.id_number for p in people if p.id_number],
        phones=[p.phone for p in people if p.phone] + ["13987654321"],
    )


@pytest.fixture
def clients(request: pytest.FixtureRequest, login: Any) -> Callable[[str], Client]:
    def client_of(role: str) -> Client:
        if role == "anonymous":
            return Client()
        client: Client = login(request.getfixturevalue(role))
        return client

    return client_of


def _url(route: Route, world: World, where: str) -> str:
    if not route.record:
        return reverse(route.name)
    return reverse(route.name, args=[world.ids[where][route.record]])


def _body(response: Any) -> str:
    """What a person could read in the answer: the page's text, or every cell of a
    workbook."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return str(data.decode("utf-8", "replace"))


def _cases() -> list[tuple[Route, str]]:
    return [(r, w) for r in ROUTES for w in (("here", "there") if r.record else ("here",))]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_grants_say(
    role: str, world: World, clients: Callable[[str], Client]
) -> None:
    client = clients(role)
    written = AuditEntry.objects.count(), Household.objects.count(), Visit.objects.count()
    places, care = Place.objects.count(), KeyPerson.objects.count()
    wrong: list[str] = []
    for route, where in _cases():
        url = _url(route, world, where)
        for method, rule in (("GET", route.get), ("POST", route.post)):
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            if role == "anonymous":
                expected = 302
                if got == 302 and "/login" not in response["Location"]:
                    wrong.append(f"{method} {url}: redirected to {response['Location']}")
            elif rule is None:
                expected = 405
            else:
                expected = rule.expect(role, where)
            if got != expected:
                wrong.append(f"{method} {url} ({where}): {got}, expected {expected}")
            body = _body(response) if got != 302 else ""
            for secret in (*world.id_numbers, *world.phones):
                if secret in body:
                    wrong.append(f"{method} {url}: shows the full number {secret}")
            sees = role in IN_SCOPE[where]["view"] or (
                not route.record and role in IN_SCOPE["here"]["view"]
            )
            if not sees:
                own = world.names if route.record else []
                for name in own:
                    if name in body:
                        wrong.append(f"{method} {url}: shows the name {name}")
    assert not wrong, "\n".join(wrong)
    assert (AuditEntry.objects.count(), Household.objects.count(), Visit.objects.count()) == written
    assert (Place.objects.count(), KeyPerson.objects.count()) == (places, care)


def test_names_stay_inside_the_scope_on_the_lists(
    world: World, clients: Callable[[str], Client]
) -> None:
    """The lists of an outsider (a township leader elsewhere) and of the neighbouring
    village hold none of 礼州村's people; the township's hold them."""
    head = world.heads["here"]
    lists = (
        "residents:households",
        "residents:care",
        "residents:overdue",
        "residents:home",
        "residents:m_home",
        "residents:places",
    )
    for role in ("outsider", "neighbour_cadre"):
        client = clients(role)
        for name in lists:
            body = _body(client.get(reverse(name)))
            assert head not in body, (role, name)
    for name in ("residents:households", "residents:care", "residents:export"):
        assert head in _body(clients("xc_secretary").get(reverse(name))), name


# --- the phone home (/m/) ---------------------------------------------------------------------


MOBILE = (
    ("mobile:home", False, {"GET"}),
    ("mobile:report", False, {"GET", "POST"}),
    ("mobile:event", True, {"GET"}),
    ("mobile:close_on_spot", True, {"POST"}),
    ("mobile:follow_up", True, {"POST"}),
)


@pytest.mark.parametrize("role", ROLES)
def test_the_phone_home_pages_refuse_the_wrong_method_and_never_fail(
    role: str, world: World, clients: Callable[[str], Client]
) -> None:
    event_id = Visit.objects.filter(grid__code="513401101201001").get().event_id
    client = clients(role)
    wrong = []
    for name, with_event, allowed in MOBILE:
        url = reverse(name, args=[event_id]) if with_event else reverse(name)
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else client.post(url, {})
            got = response.status_code
            if role == "anonymous":
                ok = got == 302 and "/login" in response["Location"]
            elif method not in allowed:
                ok = got == 405
            else:
                ok = got in (200, 302, 400, 403, 404)
            if not ok:
                wrong.append(f"{method} {url}: {got}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_route() -> None:
    """A page added to the urls without a line here fails."""
    from grassroots.residents import urls

    named = {f"residents:{p.name}" for p in urls.urlpatterns}
    assert named == {r.name for r in ROUTES}


def test_the_admin_shows_no_full_number(world: World, login: Any) -> None:
    """Every residents admin list and record page, for a superuser who sees all: ID
    numbers and phones masked or left out."""
    from grassroots.org.models import User
    from grassroots.residents.models import KeyGroup

    root = login(User.objects.create_superuser(username="root", password="x-Long-pass-42"))
    models = (Place, Household, Resident, KeyPerson, Visit, VisitPhoto, KeyGroup)
    wrong = []
    for model in models:
        base = f"/admin/residents/{model._meta.model_name}/"
        urls = [base, f"{base}?q=5134"]
        urls += [f"{base}{pk}/change/" for pk in model.objects.values_list("pk", flat=True)[:4]]
        for url in urls:
            response = root.get(url)
            body = _body(response)
            if response.status_code != 200:
                wrong.append(f"{url}: {response.status_code}")
            wrong += [f"{url}: {s}" for s in (*world.id_numbers, *world.phones) if s in body]
    assert not wrong, "\n".join(wrong)
