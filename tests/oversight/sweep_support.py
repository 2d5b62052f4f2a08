"""The machinery of the review sweeps (``test_review_sweep.py`` and the decision log's
``tests/partybuilding/test_decisions_sweep.py``): every URL of a namespace, taken from the
URL configuration, × every role × GET / empty POST / garbage POSTs, with URL arguments
pointing to a 礼州村 object, an 安宁村 object and garbage.

What every request must satisfy (``sweep``):

* never a 500 (an exception in the view fails the test with its traceback);
* anonymous: a redirect to the login page;
* a refused request (anything but a redirect to a page of the app) writes nothing: the
  rows of ``counted`` models and the audit entries are counted before and after;
* the body of every answer is free of the raw phone and ID numbers in ``SECRETS``, and,
  for the roles in ``hidden``, of the texts of the villages they may not see.

Every request runs in a savepoint that is rolled back, so a request that succeeds (an
empty form that is valid) leaves the world as it was for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES: Final = (
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
)

#: Numbers typed into texts that must never be shown raw.
PHONE: Final = "13988887777"
ID_NUMBER: Final = "51340119800101123X"
SECRETS: Final = (PHONE, ID_NUMBER)

LONG: Final = "长" * 10000
NUL: Final = "a\x00b"
#: Every field name the forms of the swept pages know.
FIELDS: Final = (
    "unit",
    "matter",
    "category",
    "source",
    "reference",
    "findings",
    "request",
    "deadline",
    "response",
    "note",
    "conclusion",
    "reason",
    "resolution",
    "q",
    "status",
    "year",
    "kind",
    "date_from",
    "date_to",
)
MATTERS: Final = ("livelihood", "reward", "cadre", "land", "fund", "other")
ODD: Final = {
    "unit": "abc",
    "matter": "a:b:c",
    "category": "../../etc",
    "source": "a:b:c",
    "reference": "supervision.task:999999",
    "findings": "../../etc/passwd",
    "request": "a:b:c",
    "deadline": "2026-02-30",
    "response": "x",
    "note": "a:b:c",
    "conclusion": "x",
    "reason": "x",
    "resolution": "../../etc",
    "q": "a:b:c",
    "status": "a:b:c",
    "year": "99999999999999999999",
    "kind": "../../etc",
    "date_from": "2026-02-30",
    "date_to": "0000-00-00",
}


def garbage_posts() -> list[dict[str, str]]:
    """NUL bytes, 10,000 characters, and odd values (non-numeric ids, bad dates,
    references of nothing, paths, colons) in every field, the rules' fields included."""
    posts = []
    for value in (NUL, LONG, None):
        post = {name: (ODD[name] if value is None else value) for name in FIELDS}
        for matter in MATTERS:
            post[f"{matter}-required"] = "on" if value is None else value
            post[f"{matter}-min_amount"] = "1e999" if value is None else value
        posts.append(post)
    return posts


def url_names(namespace: str, module: Any, contains: str = "") -> set[str]:
    """The names of the URL patterns of ``module`` (an app's ``urls``), as
    ``namespace:name``, keeping those containing ``contains``."""
    found: set[str] = set()

    def walk(patterns: Iterable[Any]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name and contains in p.name:
                found.add(f"{namespace}:{p.name}")

    walk(module.urlpatterns)
    return found


def kwarg_names(name: str) -> list[str]:
    """The URL arguments of ``name`` (from the resolver)."""
    namespace, short = name.split(":")
    resolver = get_resolver().namespace_dict[namespace][1]
    possibilities = resolver.reverse_dict.getlist(short)
    return sorted(possibilities[0][0][0][1]) if possibilities else []


@dataclass(frozen=True)
class Rule:
    """How the sweep calls one URL: the argument kinds it takes (``arg`` names an entry
    of the world's ``args``), whether it answers GET and POST, and the roles that get a
    200 on a plain GET of its 礼州村 object (others must be refused: 302/403/404/405)."""

    arg: str = ""
    get: bool = True
    post: bool = False
    ok: frozenset[str] = field(default_factory=frozenset)


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


class _Undo(Exception):  # noqa: N818 -- a signal, not an error
    pass


def undone(call: Callable[[], Any]) -> Any:
    """``call()`` inside a savepoint that is then rolled back."""
    box: list[Any] = []
    try:
        with transaction.atomic():
            box.append(call())
            raise _Undo
    except _Undo:
        pass
    return box[0]


def counts(counted: Sequence[type[models.Model]]) -> tuple[int, ...]:
    from grassroots.audit.models import AuditEntry

    return tuple(m.objects.count() for m in (*counted, AuditEntry))


@dataclass
class Sweep:
    """One role's sweep over ``rules`` (``name → Rule``) with the world's URL arguments
    ``args`` (``kind → [(label, value), …]``, the first being the 礼州村 object)."""

    role: str
    client: Client
    rules: dict[str, Rule]
    args: dict[str, list[tuple[str, Any]]]
    counted: Sequence[type[models.Model]]
    hidden: Sequence[str] = ()
    problems: list[str] = field(default_factory=list)
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def urls(self) -> Iterator[tuple[str, str, str]]:
        for name, rule in sorted(self.rules.items()):
            if not rule.arg:
                yield name, "-", reverse(name)
                continue
            (kw,) = kwarg_names(name)
            for label, value in self.args[rule.arg]:
                yield name, label, reverse(name, kwargs={kw: value})

    def check(self, name: str, label: str, method: str, response: Any, before: Any) -> None:
        where = f"{self.role} {method} {name} [{label}] → {response.status_code}"
        code = response.status_code
        if code >= 500:
            self.problems.append(where)
        location = response.get("Location", "") if code in (301, 302, 303) else ""
        to_login = location.startswith(reverse("login"))
        if self.role == "anonymous" and not to_login:
            self.problems.append(f"{where}: anonymous not sent to the login page")
        refused = code >= 400 or to_login
        if refused and counts(self.counted) != before:
            self.problems.append(f"{where}: refused but something was written")
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # not close(): it would close the connection
            return
        body = response.content.decode(errors="replace")
        for secret in SECRETS:
            if secret in body:
                self.problems.append(f"{where}: shows the raw number {secret}")
        for text in self.hidden:
            if text in body:
                self.problems.append(f"{where}: shows {text!r}")

    def run(self) -> None:
        posts = garbage_posts()
        for name, label, url in self.urls():
            rule = self.rules[name]
            calls: list[tuple[str, Callable[[], Any]]] = [("GET", lambda u=url: self.client.get(u))]
            calls.append(("GET?", lambda u=url: self.client.get(u, ODD)))
            calls.append(("POST{}", lambda u=url: self.client.post(u, {})))
            for i, post in enumerate(posts):
                calls.append((f"POST#{i}", lambda u=url, p=post: self.client.post(u, p)))
            for method, call in calls:
                before = counts(self.counted)
                try:
                    response = undone(call)
                except Exception as exc:  # a 500
                    self.problems.append(f"{self.role} {method} {name} [{label}]: {exc!r}")
                    self.seen[(name, label, method)] = 500
                    continue
                self.check(name, label, method, response, before)
                self.seen[(name, label, method)] = response.status_code
            if label == self.args.get(rule.arg, [("-", None)])[0][0] or not rule.arg:
                code = self.seen[(name, label, "GET")]
                expected = 200 if self.role in rule.ok else None
                if expected is not None and code != 200:
                    self.problems.append(f"{self.role} GET {name} [{label}] → {code}, not 200")
                if expected is None and code == 200:
                    self.problems.append(f"{self.role} GET {name} [{label}] → 200 (not allowed)")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def client_for(role: str, request: Any) -> Client:
    if role == "anonymous":
        return Client()
    client = Client()
    client.force_login(
        request.getfixturevalue(role), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client
