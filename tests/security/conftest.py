"""The permission matrix's machinery: the routes of the URL configuration, the cast bound
to the seeded town, the objects inside and outside each role's scope, and one probe of a
route (see ``test_permission_matrix``)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix_rules import KINDS, ROLES

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
#: 陈远村: the demo village of village_cadre, committee_member and grid_worker.
HOME_VILLAGE = "513401101200"
#: 白沙村: neighbour_cadre's village.
NEIGHBOUR_VILLAGE = "513401101201"
TOWNSHIP = "513401101"
UNSAFE = ("post", "put", "patch", "delete")


# --- routes ------------------------------------------------------------------------------


@dataclass
class Route:
    name: str
    patterns: list[str] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)  # lower case; empty: not known


def _methods(callback: Any) -> set[str]:
    """The HTTP methods a view accepts, where the view says so: a DRF viewset's actions,
    a class-based view's handlers, Django's require_http_methods closure."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {m.lower() for m in actions}
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {m for m in view_class.http_method_names if hasattr(view_class, m)} - {
            "options",
            "head",
        }
    found: set[str] = set()
    func = callback
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                found |= {v.lower() for v in value}
        func = getattr(func, "__wrapped__", None)
    return found


def routes() -> dict[str, Route]:
    """Every named route of the URL configuration, by its full name (namespace:name)."""
    found: dict[str, Route] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                route = found.setdefault(name, Route(name))
                route.patterns.append(prefix + str(p.pattern))
                route.methods |= _methods(p.callback)

    walk(get_resolver(), "", None)
    return found


# --- the cast and the objects --------------------------------------------------------------


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + ".")


@dataclass
class Cast:
    users: dict[str, Any]  # role name → user (anonymous: absent)
    scopes: dict[str, list[str]]  # role name → unit paths of its memberships
    home: Any  # the home village (Unit)
    township: Any
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        if role not in self.clients:
            client = Client()
            if role != "anonymous":
                client.force_login(
                    self.users[role], backend="django.contrib.auth.backends.ModelBackend"
                )
            self.clients[role] = client
        return self.clients[role]

    def in_scope(self, role: str, path: str) -> bool:
        return any(_within(path, root) for root in self.scopes.get(role, []))


def build_cast() -> Cast:
    """The conftest roles in the seeded town (see matrix_rules' docstring)."""
    from grassroots.org.models import Membership, Role, Unit, User

    township = Unit.objects.get(code=TOWNSHIP)
    city = township.parent
    anning = Unit.objects.create(code="513401102", name="安宁镇", kind="township", parent=city)
    neighbour = Unit.objects.get(code=NEIGHBOUR_VILLAGE)
    demo = {
        "city_admin": "city_admin",
        "xc_secretary": "unit_leader",
        "supervisor": "supervisor",
        "committee_member": "committee",
        "village_cadre": "village_cadre",
        "grid_worker": "grid_worker",
        "dept_staff": "department_staff",
        "org_department": "org_department",  # 组织部, on the city: the cadres' files
    }
    users = {role: User.objects.get(username=name) for role, name in demo.items()}
    # as in conftest: plain logins, not the admin site's staff
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(is_staff=False)
    for user in users.values():
        user.is_staff = False
    start = dt.date(2020, 1, 1)
    for role, unit, role_value in (
        ("neighbour_cadre", neighbour, Role.VILLAGE_CADRE),
        ("outsider", anning, Role.UNIT_LEADER),
        ("resident", None, None),
    ):
        user = User.objects.create_user(username=f"matrix_{role}", full_name=role)
        if unit is not None and role_value is not None:
            Membership.objects.create(user=user, unit=unit, role=role_value, valid_from=start)
        users[role] = user
    scopes = {
        role: list(
            Membership.objects.filter(user=user).active().values_list("unit__path", flat=True)
        )
        for role, user in users.items()
    }
    assert set(users) == set(ROLES)
    cast = Cast(users, scopes, Unit.objects.get(code=HOME_VILLAGE), township)
    for role in ("anonymous", *ROLES):  # the sessions now, in the module's transaction
        cast.client(role)
    return cast


def pick(kind_name: str, cast: Cast) -> tuple[Any | None, Any | None]:
    """An object of the kind in the home village (or else in the township) and one in
    another village of the township (None when the seed has none)."""
    from django.apps import apps

    kind = KINDS[kind_name]
    model = apps.get_model(kind.model)
    path = f"{kind.unit}__path" if kind.unit else "path"
    qs = model._default_manager.filter(**kind.filter).order_by("pk")

    def under(root: str) -> Q:
        return Q(**{path: root}) | Q(**{f"{path}__startswith": root + "."})

    # in the home village, else in the township, else anywhere (the city's own schemes)
    inside = (
        qs.filter(under(cast.home.path)).first()
        or qs.filter(under(cast.township.path)).first()
        or qs.first()
    )
    outside = qs.filter(under(cast.township.path)).exclude(under(cast.home.path)).first()
    return inside, outside


def unit_path(kind_name: str, obj: Any) -> str:
    value = obj
    for part in [p for p in KINDS[kind_name].unit.split("__") if p]:
        value = getattr(value, part)
        if hasattr(value, "all"):  # a to-many relation (a user's memberships)
            value = value.order_by("pk").first()
    return str(value.path)


def url_for(name: str, kwargs: dict[str, Any]) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _audit_count() -> int:
    from grassroots.audit.models import AuditEntry

    return AuditEntry.objects.count()


def _row_count(kind_name: str | None) -> int:
    from django.apps import apps

    if kind_name is None:
        return 0
    return int(apps.get_model(KINDS[kind_name].model)._default_manager.count())


@dataclass
class Outcome:
    status: int
    location: str = ""  # where a redirect goes (path only)
    changed: bool = False  # an unsafe request left an audit entry or a row more or less

    def __str__(self) -> str:
        text = str(self.status)
        if self.location:
            text += ">" + self.location
        if self.changed:
            text += "!changed"
        return text


def request(cast: Cast, role: str, method: str, url: str, kind_name: str | None = None) -> Outcome:
    """One request as ``role``, rolled back afterwards (so that no probe changes what the
    next one sees); for an unsafe method, whether it changed anything."""
    client = cast.client(role)
    cookies = copy.deepcopy(client.cookies)  # the logout route would end the session
    with transaction.atomic():
        before = (_audit_count(), _row_count(kind_name)) if method != "get" else None
        response = getattr(client, method)(url)
        location = ""
        if 300 <= response.status_code < 400:
            location = str(response.headers.get("Location", "")).split("?")[0]
        changed = before is not None and before != (_audit_count(), _row_count(kind_name))
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # the client closes it once read
        transaction.set_rollback(True)
    client.cookies = cookies
    return Outcome(response.status_code, location, changed)


@dataclass
class Target:
    """A route's URL on an object inside the home village and one outside it."""

    kind: str | None
    inside: str | None
    inside_path: str | None
    outside: str | None
    outside_path: str | None


def target(cast: Cast, name: str, kind_name: str | None, extra: dict[str, Any]) -> Target:
    if kind_name is None:
        return Target(None, url_for(name, dict(extra)), None, None, None)
    inside, outside = pick(kind_name, cast)
    build = KINDS[kind_name].kwargs

    def one(obj: Any) -> tuple[str | None, str | None]:
        if obj is None:
            return None, None
        path = None if KINDS[kind_name].citywide else unit_path(kind_name, obj)
        return url_for(name, {**build(obj), **extra}), path

    return Target(kind_name, *one(inside), *one(outside))
