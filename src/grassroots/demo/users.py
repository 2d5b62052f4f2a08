"""The demo logins: one person per role, fixed usernames, one shared password.

| username | role | unit |
|---|---|---|
| admin | superuser (is_staff) | — |
| city_admin | city_admin (市委目督办) | the root (西昌市) |
| unit_leader | unit_leader (党委书记) | 礼州镇 |
| supervisor | supervisor (纪委) | 礼州镇 |
| village_cadre | village_cadre (村支书) | the first village of 礼州镇 |
| committee | supervisor (村务监督委员会主任) | the same village |
| grid_worker, grid_worker2, … | grid_worker (网格员) | each grid of that village |
| department_staff | department_staff | 住房和城乡建设局 (``<county>D01``) |
| rater | rater (测评人) | the root |
| resident | resident (群众) | the first grid of that village |
| org_department | org_department (组织部) | the root (西昌市) |

Memberships start on 1 January of last year, so that a year of history can be generated
for them later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.org.models import Membership, Role, Unit, User

#: The password of every demo login (demo data only: never use it for real people).
DEMO_PASSWORD: Final = "Xichang-2026"  # noqa: S105 - published demo password


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo login: who, which role, bound to which of the demo's places."""

    username: str
    full_name: str
    role: str | None  # None: the superuser, who needs no membership
    place: str  # root, township, village, grid, department
    title: str


DEMO_USERS: Final = (
    DemoUser("admin", "系统管理员", None, "", ""),
    DemoUser("city_admin", "王建国", Role.CITY_ADMIN, "root", "市委目督办主任"),
    DemoUser("unit_leader", "李国强", Role.UNIT_LEADER, "township", "党委书记"),
    DemoUser("supervisor", "赵文静", Role.SUPERVISOR, "township", "纪委书记"),
    DemoUser("village_cadre", "张德明", Role.VILLAGE_CADRE, "village", "党支部书记、主任"),
    DemoUser("committee", "沙马伍呷", Role.SUPERVISOR, "village", "村务监督委员会主任"),
    DemoUser("grid_worker", "阿衣格格", Role.GRID_WORKER, "grid", "专职网格员"),
    DemoUser("department_staff", "陈晓东", Role.DEPARTMENT_STAFF, "department", "科员"),
    DemoUser("rater", "周明远", Role.RATER, "root", "测评代表"),
    DemoUser("resident", "吉克阿依", Role.RESIDENT, "grid", ""),
    DemoUser("org_department", "钱立群", Role.ORG_DEPARTMENT, "root", "市委组织部干部科科长"),
)
#: Names of the other grid workers of the demo village (``grid_worker2`` …).
MORE_GRID_WORKERS: Final = (
    "沙马阿果",
    "吉木子洛",
    "海来拉且",
    "刘晓燕",
    "曲比阿呷",
    "杨春梅",
    "俄木石且",
    "罗丽华",
    "马海木呷",
    "何秀英",
)
GRID_WORKER_PREFIX: Final = "grid_worker"


@dataclass(frozen=True, slots=True)
class DemoPlaces:
    """The units the demo logins are bound to."""

    root: Unit
    township: Unit
    village: Unit
    grids: list[Unit]
    department: Unit


def _phone(n: int) -> str:
    # 0834 is 西昌's telephone area code; the numbers are synthetic.
    return f"1380834{n:04d}"


def membership_start() -> dt.date:
    """1 January of last year: memberships cover a year of generated history."""
    return dt.date(timezone.localdate().year - 1, 1, 1)


#: Roles whose demo login may open the Django admin (units, people, memberships).
ADMIN_SITE_ROLES: Final = frozenset({Role.CITY_ADMIN, Role.UNIT_LEADER})


def _upsert(
    username: str, full_name: str, n: int, *, superuser: bool = False, staff: bool = False
) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name
    user.phone = _phone(n)
    user.is_active = True
    user.is_staff = superuser or staff
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def create_demo_users(places: DemoPlaces) -> tuple[int, int]:
    """Create (or refresh) the demo logins and their memberships; return both counts.

    A login that exists already keeps its row but gets the demo password, names and
    memberships again.
    """
    start = membership_start()
    grid_units = places.grids or [places.village]
    where = {
        "root": places.root,
        "township": places.township,
        "village": places.village,
        "grid": grid_units[0],
        "department": places.department,
    }
    memberships: list[Membership] = []
    users: list[User] = []
    for n, spec in enumerate(DEMO_USERS, start=1):
        user = _upsert(
            spec.username,
            spec.full_name,
            n,
            superuser=spec.role is None,
            staff=spec.role in ADMIN_SITE_ROLES,
        )
        users.append(user)
        if spec.role is not None:
            memberships.append(
                Membership(
                    user=user,
                    unit=where[spec.place],
                    role=spec.role,
                    title=spec.title,
                    valid_from=start,
                )
            )
    for i, grid in enumerate(grid_units[1:], start=2):
        name = MORE_GRID_WORKERS[(i - 2) % len(MORE_GRID_WORKERS)]
        user = _upsert(f"{GRID_WORKER_PREFIX}{i}", name, len(DEMO_USERS) + i, superuser=False)
        users.append(user)
        memberships.append(
            Membership(
                user=user, unit=grid, role=Role.GRID_WORKER, title="专职网格员", valid_from=start
            )
        )
    Membership.objects.filter(user__in=users).delete()
    Membership.objects.bulk_create(memberships)
    return len(users), len(memberships)


def _is_demo(username: str) -> bool:
    fixed = {spec.username for spec in DEMO_USERS}
    suffix = username.removeprefix(GRID_WORKER_PREFIX)
    return username in fixed or (suffix != username and suffix.isdecimal())


def demo_logins() -> list[dict[str, str]]:
    """The demo logins present in the database: username, role label and unit name.

    In the order of the table in this module's docstring; the password is
    ``DEMO_PASSWORD`` for all of them.
    """
    fixed = [spec.username for spec in DEMO_USERS]
    users = [
        user
        for user in User.objects.filter(
            Q(username__in=fixed) | Q(username__startswith=GRID_WORKER_PREFIX)
        )
        if _is_demo(user.username)
    ]
    order = {name: i for i, name in enumerate(fixed)}

    def rank(user: User) -> tuple[int, int]:
        if user.username in order:
            return order[user.username], 0
        return order["grid_worker"], int(user.username.removeprefix(GRID_WORKER_PREFIX))

    users.sort(key=rank)
    first: dict[int, Membership] = {}
    for membership in (
        Membership.objects.filter(user__in=users).select_related("unit").order_by("id")
    ):
        first.setdefault(membership.user_id, membership)
    rows: list[dict[str, str]] = []
    for user in users:
        membership = first.get(user.pk)
        if membership is not None:
            role, unit = str(Role(membership.role).label), membership.unit.name
        elif user.is_superuser:
            role, unit = _("System administrator"), _("all units")
        else:
            continue
        rows.append({"username": user.username, "role": role, "unit": unit})
    return rows


def demo_places(root: Unit, township_code: str, department_code: str) -> DemoPlaces:
    """Find the demo places in the seeded tree: the township, its first village (村) and
    that village's grids, and the department."""
    township = Unit.objects.get(code=township_code)
    villages = Unit.objects.filter(parent=township).order_by("code")
    village = villages.filter(kind="village").first() or villages.first() or township
    grids = list(Unit.objects.filter(parent=village, kind="grid").order_by("code"))
    department = Unit.objects.get(code=department_code)
    return DemoPlaces(root, township, village, grids, department)
