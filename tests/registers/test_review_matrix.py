"""Every page of the registers (every route of ``registers/urls*.py``) for every role of
the cast, on a record inside the viewer's scope (礼州村, its households on 礼州村第1网格) and
outside it (安宁村), with GET and POST: the page (200/302, or 400 for an empty form), 403
without the right, 404 for a record out of scope, 405 for the wrong method, the login
page for the anonymous visitor — never a 500.

What each role may do is written once (``VIEW``, ``MANAGE``…, and ``SEES_IN``/``SEES_OUT``
per kind of record); each route says what its GET and its POST need.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.events.attachments import storage_path
from grassroots.org.models import Unit, UnitKind
from grassroots.registers import urls as registers_urls
from grassroots.registers.models import (
    CasePhoto,
    ConstructionCase,
    Homestead,
    HomesteadCase,
    MonitoredHousehold,
    Window,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats"

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

#: Who holds each right somewhere (a page that is not about one record).
VIEW = {"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "grid_worker"} | {
    "supervisor",
    "outsider",
}
MANAGE = {"city_admin", "xc_secretary", "village_cadre", "neighbour_cadre", "outsider"}
OPEN = MANAGE | {"grid_worker"}
CONFIGURE = {"city_admin"}

#: Who sees a record of 礼州村 placed on its grid (``grid``: a household's record, or a
#: construction case found on the grid; ``unit``: placed by its village only) …
SEES_IN = {
    "grid": {"city_admin", "xc_secretary", "village_cadre", "supervisor", "grid_worker"},
    "unit": {"city_admin", "xc_secretary", "village_cadre", "supervisor"},
}
#: … and one of 安宁村.
SEES_OUT = {"city_admin", "outsider"}
#: Who may act on a record of 礼州村 they see (``manage``; ``photos``: a patrol's photos;
#: ``deploy``: put it under supervision), and on one of 安宁村.
MAY_IN = {
    "manage": {"city_admin", "xc_secretary", "village_cadre"},
    "photos": {"city_admin", "xc_secretary", "village_cadre", "grid_worker"},
    "deploy": {"city_admin"},
    "view": SEES_IN["grid"],
}
MAY_OUT = {
    "manage": {"city_admin", "outsider"},
    "photos": {"city_admin", "outsider"},
    "deploy": {"city_admin"},
    "view": SEES_OUT,
}
ANYWHERE = {"view": VIEW, "manage": MANAGE, "open": OPEN, "configure": CONFIGURE}
#: What a POST that the viewer may make answers with an empty or bad form (or success).
DONE = {200, 302, 400, 409}
#: The construction cases' party: the phone is never shown in full, the name only to
#: whoever manages the case's village.
PARTY = {"in": "王大明", "out": "李小红"}
PHONE = {"in": "13812345678", "out": "13987654321"}


@dataclass(frozen=True)
class World:
    """The records of both places (``in`` and ``out``) and the income year."""

    records: dict[str, dict[str, Any]]
    year: int


@dataclass(frozen=True)
class Route:
    """One route: its URL name, its arguments for a place (``in``/``out``; None: a page
    that is not about a record), what a GET and a POST need (None: the method is not
    allowed) and the POST's fields."""

    name: str
    args: Callable[[World, str], list[Any]] | None = None
    get: str | None = None
    post: str | None = None
    placed: str = "grid"
    data: dict[str, Any] = field(default_factory=dict)
    query: Callable[[World, str], str] | None = None
    #: The POST's fields depend on the place (the income target names its village).
    post_data: Callable[[World, str], dict[str, Any]] | None = None
    label: str = ""
    #: Refused (403) before the record is looked up to whoever holds this right nowhere.
    first: str = ""


def pk_of(kind: str) -> Callable[[World, str], list[Any]]:
    return lambda world, where: [world.records[where][kind].pk]


def village_year(world: World, where: str) -> list[Any]:
    return [world.records[where]["village"].code, world.year]


def unit_query(world: World, where: str) -> str:
    return f"unit={world.records[where]['village'].code}"


ROUTES: list[Route] = [
    Route("home", get="view"),
    Route(
        "case_supervise",
        lambda w, p: ["homestead", w.records[p]["hcase"].pk],
        post="deploy",
        label="homestead",
    ),
    Route(
        "case_supervise",
        lambda w, p: ["construction", w.records[p]["ccase"].pk],
        post="deploy",
        label="construction",
    ),
    # 一户一宅
    Route("homesteads", get="view"),
    Route("homestead_new", get="manage", post="manage"),
    Route("homestead_detail", pk_of("homestead"), get="view"),
    Route("homestead_edit", pk_of("homestead"), get="manage", post="manage"),
    Route("homestead_retire", pk_of("homestead"), post="manage"),
    Route("homestead_check", post="manage"),
    Route("homestead_cases", get="view"),
    Route("homestead_case", pk_of("hcase"), get="view"),
    Route(
        "homestead_case_move",
        pk_of("hcase"),
        post="manage",
        data={"verb": "rectifying"},
    ),
    Route("homestead_import", get="manage", post="manage"),
    Route("homestead_template", get="manage"),
    Route("homestead_export", get="view"),
    Route("policy", get="view", post="configure"),
    # 乱修滥建 / 无序搬迁
    Route("construction", get="view"),
    Route("construction_new", get="open", post="open"),
    Route("construction_detail", pk_of("ccase"), get="view"),
    Route("construction_edit", pk_of("ccase"), get="manage", post="manage"),
    Route("construction_move", lambda w, p: [w.records[p]["ccase"].pk, "stop"], post="manage"),
    Route("construction_photos", pk_of("ccase"), post="photos"),
    Route("construction_photo", pk_of("photo"), get="view"),
    Route("construction_import", get="manage", post="manage"),
    Route("construction_template", get="manage"),
    Route("construction_export", get="view"),
    Route("zero_line", get="view"),
    # 邛海天窗
    Route("windows", get="view"),
    Route("window_new", get="manage", post="manage"),
    Route("window_map", get="view"),
    Route("window_import", get="manage", post="manage"),
    Route("window_template", get="manage"),
    Route("window_export", get="view"),
    Route("window_detail", pk_of("window"), get="view", placed="unit"),
    Route("window_edit", pk_of("window"), get="manage", post="manage", placed="unit"),
    Route("window_restore", pk_of("window"), post="manage", placed="unit"),
    # 防返贫监测
    Route("monitoring", get="view"),
    Route("monitor_new", get="manage", post="manage"),
    Route("monitor_late", get="view"),
    Route("monitor_import", get="manage", post="manage"),
    Route("monitor_template", get="manage"),
    Route("monitor_export", get="view"),
    Route("monitor_detail", pk_of("monitored"), get="view"),
    Route("monitor_review", pk_of("monitored"), post="manage"),
    Route("monitor_assist", pk_of("monitored"), post="manage"),
    # 村集体经济
    Route("income", get="view"),
    Route(
        "income_target",
        post="manage",
        placed="unit",
        post_data=lambda w, p: {"unit": w.records[p]["village"].code, "year": str(w.year)},
        first="manage",
    ),
    Route("income_import", get="manage", post="manage"),
    Route("income_template", get="manage"),
    Route("income_export", get="view"),
    Route("income_edit", village_year, get="manage", post="manage", placed="unit"),
]
#: The map of a unit's parcels (``?unit=``: in scope or out; refused to whoever sees no
#: register first). The lists' unit filters offer the viewer's units only: another code
#: is a filter error shown on the page, which lists what it would without it.
UNIT_QUERIES: list[Route] = [
    Route("window_map", get="view", placed="unit", query=unit_query, first="view"),
]


def test_every_route_is_in_the_matrix() -> None:
    """A route added to ``urls*.py`` without a line here fails."""
    names = {p.name for p in registers_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == {r.name for r in ROUTES}


@pytest.fixture
def world(tree: dict[str, Any], make_household: Any, settings: Any, tmp_path: Any) -> World:
    """A homestead, a 一户一宅 case, a construction case with a photo, a 天窗 parcel and a
    monitored household in 礼州村 (households on its grid) and in 安宁村."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    out_grid = Unit.objects.create(
        code="513401102201001",
        name="安宁村第1网格",
        kind=UnitKind.GRID,
        parent=tree["other_village"],
    )
    records: dict[str, dict[str, Any]] = {}
    for where, village, grid in (
        ("in", tree["village"], tree["grid"]),
        ("out", tree["other_village"], out_grid),
    ):
        household = make_household(grid=grid)
        homestead = Homestead.objects.create(
            unit=village, household=household, parcel_number=f"JC-{where}", area=Decimal("100")
        )
        hcase = HomesteadCase.objects.create(
            unit=village,
            household=household,
            kind="multiple",
            finding="两处宅基地",
            found_on=today,
            due_on=today + dt.timedelta(days=60),
        )
        ccase = ConstructionCase.objects.create(
            unit=village,
            grid=grid,
            kind="building",
            source="inspection",
            number=f"WJ-{where}",
            party_name=PARTY[where],
            party_phone=PHONE[where],
            address=f"{village.name}3组",
            started_on=today - dt.timedelta(days=10),
            found_on=today - dt.timedelta(days=1),
            due_on=today + dt.timedelta(days=20),
        )
        sha = ("a" if where == "in" else "b") * 64
        path = storage_path(sha, "jpg")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        photo = CasePhoto.objects.create(
            case=ccase, stage="before", sha256=sha, content_type="image/jpeg", size=20
        )
        window = Window.objects.create(
            unit=village, code=f"TC-{where}", name="湿地", area=Decimal("500"), plan_year=2026
        )
        monitored = MonitoredHousehold.objects.create(
            unit=village,
            household=household,
            kind="edge",
            risks=["illness"],
            since=today,
            income_per_capita=Decimal("7000"),
            review_due_on=today + dt.timedelta(days=90),
        )
        people = list(household.members.all())
        records[where] = {
            "private": [p.id_number for p in people] + [p.phone for p in people] + [PHONE[where]],
            "names": [p.name for p in people] + [PARTY[where]],
            "village": village,
            "homestead": homestead,
            "hcase": hcase,
            "ccase": ccase,
            "photo": photo,
            "window": window,
            "monitored": monitored,
        }
    return World(records=records, year=today.year)


def client_of(role: str, request: pytest.FixtureRequest) -> Client:
    if role == "anonymous":
        return Client()
    user = request.getfixturevalue(role)
    login = request.getfixturevalue("login")
    client: Client = login(user)
    return client


def expected(route: Route, method: str, need: str, role: str, where: str | None) -> set[int]:
    """The answers a role may get for a ``method`` needing ``need`` (the route's place
    ``where``, None for a page that is not about a record)."""
    if role == "anonymous":
        return {302}
    done = {200} if method == "GET" else DONE
    if where is None or (route.first and role not in ANYWHERE[route.first]):
        return done if role in ANYWHERE[need] else {403}
    sees = role in (SEES_IN[route.placed] if where == "in" else SEES_OUT)
    if not sees:
        return {404}
    may = role in (MAY_IN if where == "in" else MAY_OUT)[need]
    return done if may else {403}


def _cases() -> list[Any]:
    cases: list[Any] = []
    for route in ROUTES + UNIT_QUERIES:
        places: tuple[str | None, ...] = (
            ("in", "out") if route.args or route.query or route.post_data else (None,)
        )
        for where in places:
            label = "-".join(
                part
                for part in (route.name, route.label, "unit" if route.query else "", where)
                if part
            )
            cases.extend(pytest.param(route, where, role, id=f"{label}-{role}") for role in ROLES)
    return cases


@pytest.mark.parametrize(("route", "where", "role"), _cases())
def test_the_answer_of_every_route(
    route: Route, where: str | None, role: str, world: World, request: pytest.FixtureRequest
) -> None:
    client = client_of(role, request)
    args = route.args(world, where) if route.args and where else []
    url = reverse(f"registers:{route.name}", args=args)
    if route.query and where:
        url += "?" + route.query(world, where)
    get = client.get(url)
    if get.streaming:  # read to the end: the client then closes the file
        b"".join(get.streaming_content)  # type: ignore[attr-defined]
    if route.get is None:
        want = {302} if role == "anonymous" else {405}
    else:
        place = where if (route.args or route.query) else None
        want = expected(route, "GET", route.get, role, place)
    assert get.status_code in want, f"GET {url}: {get.status_code}, wanted {want}"
    if role == "anonymous":
        assert get["Location"].startswith(reverse("login"))
    private_data_kept(get, role, world)
    if route.query:
        return
    data = dict(route.data)
    if route.post_data and where:
        data.update(route.post_data(world, where))
    post = client.post(url, data)
    if route.post is None:
        want = {302} if role == "anonymous" else {405}
    else:
        place = where if (route.args or route.post_data) else None
        want = expected(route, "POST", route.post, role, place)
    assert post.status_code in want, f"POST {url}: {post.status_code}, wanted {want}"
    if role == "anonymous":
        assert post["Location"].startswith(reverse("login"))
    private_data_kept(post, role, world)


def shown(answer: Any) -> str:
    """What a page or a workbook shows (a photo shows nothing)."""
    kind = answer.get("Content-Type", "")
    if answer.streaming:
        return ""
    if kind.startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.values for cell in row
        )
    return str(answer.content.decode())


def private_data_kept(answer: Any, role: str, world: World) -> None:
    """No ID number or phone in full on any page or export; the names of 礼州村's people
    (households' members, a case's party) in full only to those who manage it, 安宁村's
    only to theirs."""
    text = shown(answer)
    for where, managers in (("in", MAY_IN["manage"]), ("out", MAY_OUT["manage"])):
        for secret in world.records[where]["private"]:
            assert secret not in text, (answer.request["PATH_INFO"], secret)
        if role not in managers:
            for name in world.records[where]["names"]:
                assert name not in text, (answer.request["PATH_INFO"], name)


def _record_routes() -> list[Any]:
    return [
        pytest.param(route, id=f"{route.name}-{route.label}" if route.label else route.name)
        for route in ROUTES
        if route.args is not None and route.name != "income_edit"
    ]


@pytest.mark.parametrize("route", _record_routes())
@pytest.mark.parametrize("pk", [0, 2**63, 2**70])
def test_a_record_that_cannot_exist_is_404(
    route: Route, pk: int, world: World, city_admin: Any, login: Any
) -> None:
    """An id no database holds (0, past the 64-bit range) is a 404 to whoever may see
    everything, for each method the route takes, never an overflow."""
    args = [pk if isinstance(a, int) else a for a in route.args(world, "in")]  # type: ignore[misc]
    url = reverse(f"registers:{route.name}", args=args)
    client = login(city_admin)
    if route.get is not None:
        assert client.get(url).status_code == 404
    if route.post is not None:
        assert client.post(url, route.data).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/registers/income/513401101201/99999999999999999999/",
        "/registers/income/513401101201/1999/",
        "/registers/income/%00/2026/",
        "/registers/income/513401101201%00/2026/",
        "/registers/cases/event/1/supervise/",
        "/registers/construction/1/move/explode/",
    ],
)
def test_bad_path_parameters_are_404(url: str, world: World, city_admin: Any, login: Any) -> None:
    client = login(city_admin)
    assert client.get(url).status_code in {404, 405}
    assert client.post(url).status_code == 404


#: Query strings a list page may be sent: NUL characters, text far too long, numbers and
#: dates that are not, choices that do not exist.
BAD_QUERIES = (
    "q=%00",
    "q=a%00b&page=2",
    "q=" + "宅" * 3000,
    "page=abc",
    "page=-1",
    "page=99999999999999999999",
    "found_from=2026-13-45&found_to=abc",
    "found_from=99999-01-01",
    "year=abc",
    "year=99999999999999999999",
    "year=-1",
    "year=%00",
    "unit=%00&township=%00&village=%00",
    "unit=513401102201&township=513401102&village=513401102201",
    "status=bogus&kind=bogus&sort=bogus&plan_year=abc&overdue=maybe&new_only=%00",
    "risk=%00&risk=bogus&late=x",
)
LIST_PAGES = (
    "home",
    "homesteads",
    "homestead_cases",
    "homestead_export",
    "policy",
    "construction",
    "construction_export",
    "zero_line",
    "windows",
    "window_map",
    "window_export",
    "monitoring",
    "monitor_late",
    "monitor_export",
    "income",
    "income_export",
)


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("role", ["city_admin", "village_cadre", "grid_worker"])
def test_bad_query_strings_never_break_a_page(
    name: str, role: str, world: World, request: pytest.FixtureRequest
) -> None:
    """Each bad query string gets the page (a bad filter is shown and not applied), a 400,
    or a 404 for a unit not the viewer's — and nothing of the other township leaks."""
    client = client_of(role, request)
    for query in BAD_QUERIES:
        answer = client.get(f"{reverse(f'registers:{name}')}?{query}")
        assert answer.status_code in {200, 400, 404}, (query, answer.status_code)
        if answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html"):
            text = answer.content.decode()
            if role != "city_admin":
                assert "WJ-out" not in text and "JC-out" not in text and "TC-out" not in text


class _Forms(HTMLParser):
    """The POST forms of a page: their action, the fields a person fills in and every
    field's value as the page gives it (a select's chosen or first option, a checked box,
    a text area's text)."""

    def __init__(self) -> None:
        super().__init__()
        #: (action, the fields a person fills in, the values the page gives)
        self.forms: list[tuple[str, list[str], dict[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((a.get("action") or "", [], {}))
            return
        if not self.forms:
            return
        fields, values = self.forms[-1][1], self.forms[-1][2]
        name = str(a.get("name") or "")
        if tag == "option" and self._select is not None:
            if self._select not in values or "selected" in a:
                values[self._select] = a.get("value") or ""
        elif tag == "select" and name:
            fields.append(name)
            self._select = name
        elif tag == "textarea" and name:
            fields.append(name)
            values[name] = ""
            self._textarea = name
        elif tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") != "hidden":
                fields.append(name)
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                values[name] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            self.forms[-1][2][self._textarea] += data


#: What a person may type into any field.
BAD_VALUES = (
    "\x00",
    "a\x00b",
    "宅" * 5000,
    "-1",
    "-0.01",
    "0",
    "1e308",
    "99999999999999999999999",
    "NaN",
    "Infinity",
    "=cmd|' /C calc'!A0",
    "2026-02-30",
    "1900-01-01",
    "9999-12-31",
    "12.345",
)
FORM_PAGES = (
    ("homestead_new", None),
    ("homestead_detail", "homestead"),
    ("homestead_edit", "homestead"),
    ("homestead_case", "hcase"),
    ("policy", None),
    ("construction_new", None),
    ("construction_detail", "ccase"),
    ("construction_edit", "ccase"),
    ("window_new", None),
    ("window_detail", "window"),
    ("window_edit", "window"),
    ("monitor_new", None),
    ("monitor_detail", "monitored"),
    ("income_edit", "village"),
)


@pytest.mark.parametrize(("name", "kind"), FORM_PAGES)
def test_bad_values_in_every_form(
    name: str, kind: str | None, world: World, city_admin: Any, login: Any
) -> None:
    """Every field of every form of the page set to each bad value, all at once and one at
    a time among the values the page gives: the form comes back (400, or 409 for a move the
    case no longer allows) or the record is saved (302) — never a 500; a refusal writes no
    audit entry."""
    client = login(city_admin)
    record: Any = world.records["in"][kind] if kind else None
    if kind == "village":
        url = reverse(f"registers:{name}", args=[record.code, world.year])
    else:
        url = reverse(f"registers:{name}", args=[record.pk] if record else [])
    parser = _Forms()
    parser.feed(client.get(url).content.decode())
    forms = [f for f in parser.forms if "logout" not in f[0] and "i18n" not in f[0]]
    assert forms, f"no form on {url}"
    for action, fields, given in forms:
        payloads = [{**given, **dict.fromkeys(fields, value)} for value in BAD_VALUES]
        payloads += [{**given, field: value} for field in fields for value in BAD_VALUES]
        for data in payloads:
            before = AuditEntry.objects.count()
            answer = client.post(action or url, data)
            assert answer.status_code in {200, 302, 400, 409}, (action, data, answer.status_code)
            if answer.status_code != 302:
                assert AuditEntry.objects.count() == before, (action, data)
