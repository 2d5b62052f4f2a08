"""Review sweep: every cadres page and the portal's error-tolerance pages, for every role of
the cast, with GET, an empty POST and a POST of garbage: never a 500, nothing written
without the right, GET-only pages refuse POST, and ID numbers and phones appear unmasked
only on the file itself for the organisation department and the cadre's unit leader."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

LZ_ID = "513401199005170017"
LZ_PHONE = "13900001717"
AN_ID = "513401198803120025"
AN_PHONE = "13900002525"
OBJ_PHONE = "13700003131"


def _world(tree: dict[str, Any], make_cadre: Any, org_dept: Any) -> dict[str, Any]:
    from grassroots.cadres import models as m

    w: dict[str, Any] = {}
    for key, unit, idn, phone in (
        ("L", tree["lizhou"], LZ_ID, LZ_PHONE),
        ("A", tree["anning"], AN_ID, AN_PHONE),
    ):
        cadre = make_cadre(unit=unit, id_number=idn, phone=phone, name=f"审{key}干部")
        mentor = make_cadre(unit=unit, name=f"导{key}师")
        entry = m.ReserveEntry.objects.create(
            cadre=cadre,
            unit=unit,
            target_level="section_chief",
            status="in_pool",
            voters=20,
            votes=15,
            reason="好",
            nominated_by=org_dept,
            entered_on=dt.date(2025, 1, 1),
        )
        nominee = m.ReserveEntry.objects.create(
            cadre=mentor,
            unit=unit,
            target_level="section_chief",
            status="nominated",
            voters=20,
            votes=15,
            reason="好",
            nominated_by=org_dept,
        )
        kp = m.KeyPost.objects.create(unit=unit, title="镇长", level="section_chief")
        ms = m.Mentorship.objects.create(cadre=cadre, mentor=mentor, started_on=dt.date(2025, 1, 1))
        tp = m.Tempering.objects.create(
            cadre=cadre,
            kind="poverty",
            unit=unit,
            post="驻村",
            started_on=dt.date(2025, 1, 1),
            planned_end=dt.date(2025, 12, 31),
            assigned_by=org_dept,
        )
        m.TrainingRecord.objects.create(
            cadre=cadre,
            course="党校",
            provider="党校",
            hours=Decimal("8"),
            started_on=dt.date(2025, 3, 1),
            ended_on=dt.date(2025, 3, 2),
            result="passed",
            recorded_by=org_dept,
        )
        vac = m.Vacancy.objects.create(
            unit=unit, title="镇长", level="section_chief", opened_by=org_dept
        )
        case = m.ToleranceCase.objects.create(
            number=f"RC2026-{key}001",
            cadre=cadre,
            unit=unit,
            applicant="unit",
            applied_by=org_dept,
            title="试点失误",
            facts="事实",
            occurred_on=dt.date(2026, 1, 5),
            affected_month=dt.date(2026, 1, 1),
        )
        pub = m.ToleranceCase.objects.create(
            number=f"RC2026-{key}002",
            cadre=cadre,
            unit=unit,
            applicant="unit",
            applied_by=org_dept,
            title="公示案",
            facts="事实",
            occurred_on=dt.date(2026, 1, 5),
            affected_month=dt.date(2026, 1, 1),
            state="publicity",
            notice_starts=timezone.now() - dt.timedelta(days=1),
            notice_ends=timezone.now() + dt.timedelta(days=5),
        )
        obj = m.Objection.objects.create(case=pub, name="异议人", phone=OBJ_PHONE, text="不同意")
        meas = m.CorrectiveMeasure.objects.create(
            case=pub, description="整改", responsible="某", due_on=dt.date(2026, 6, 1)
        )
        w[key] = {
            "cadre": cadre,
            "mentor": mentor,
            "entry": entry,
            "nominee": nominee,
            "kp": kp,
            "ms": ms,
            "tp": tp,
            "vac": vac,
            "case": case,
            "pub": pub,
            "obj": obj,
            "meas": meas,
        }
    return w


ROLES = [
    "org_dept",
    "xc_secretary",
    "outsider",
    "city_admin",
    "supervisor",
    "village_cadre",
    "grid_worker",
    "dept_staff",
    "resident",
    "anonymous",
]


def _urls(w: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [
        ("home", "/cadres/"),
        ("list", "/cadres/files/"),
        ("new", "/cadres/files/new/"),
        ("short", "/cadres/training/short/"),
        ("grades", "/cadres/grades/"),
        ("pool", "/cadres/pool/"),
        ("keyposts", "/cadres/keyposts/"),
        ("vacancies", "/cadres/vacancies/"),
        ("vacancy_new", "/cadres/vacancies/new/"),
        ("policy", "/cadres/policy/"),
        ("tolerance", "/cadres/tolerance/"),
        ("tolerance_new", "/cadres/tolerance/new/"),
        ("import", "/cadres/import/"),
        ("import_template", "/cadres/import/template/"),
        ("export", "/cadres/export/"),
        ("export_roster", "/cadres/export/roster/"),
        ("export_pool", "/cadres/export/pool/"),
        ("export_training", "/cadres/export/training/"),
        ("portal", "/public/tolerance/"),
    ]
    for k in ("L", "A"):
        o = w[k]
        c = o["cadre"].pk
        out += [
            (f"detail{k}", f"/cadres/files/{c}/"),
            (f"print{k}", f"/cadres/files/{c}/print/"),
            (f"edit{k}", f"/cadres/files/{c}/edit/"),
            (f"status{k}", f"/cadres/files/{c}/leave/"),
            (f"grade{k}", f"/cadres/files/{c}/grade/"),
            (f"training{k}", f"/cadres/files/{c}/training/"),
            (f"mentor{k}", f"/cadres/files/{c}/mentor/"),
            (f"mentor_end{k}", f"/cadres/mentorships/{o['ms'].pk}/end/"),
            (f"tempering{k}", f"/cadres/files/{c}/tempering/"),
            (f"temp_eval{k}", f"/cadres/tempering/{o['tp'].pk}/evaluate/"),
            (f"temp_cancel{k}", f"/cadres/tempering/{o['tp'].pk}/cancel/"),
            (f"moment{k}", f"/cadres/files/{c}/moment/"),
            (f"nominate{k}", f"/cadres/pool/nominate/{c}/"),
            (f"review{k}", f"/cadres/pool/{o['nominee'].pk}/review/"),
            (f"remove{k}", f"/cadres/pool/{o['entry'].pk}/remove/"),
            (f"kp_remove{k}", f"/cadres/keyposts/{o['kp'].pk}/remove/"),
            (f"vacancy{k}", f"/cadres/vacancies/{o['vac'].pk}/"),
            (f"vac_sync{k}", f"/cadres/vacancies/{o['vac'].pk}/sync/"),
            (f"vac_rank{k}", f"/cadres/vacancies/{o['vac'].pk}/rank/"),
            (f"vac_decide{k}", f"/cadres/vacancies/{o['vac'].pk}/decide/"),
            (f"vac_cancel{k}", f"/cadres/vacancies/{o['vac'].pk}/cancel/"),
            (f"case{k}", f"/cadres/tolerance/{o['case'].pk}/"),
            (f"pub{k}", f"/cadres/tolerance/{o['pub'].pk}/"),
            (f"objection{k}", f"/public/tolerance/{o['pub'].number}/objection/"),
        ]
        for verb in ("verify", "decide", "withdraw", "bogus"):
            out.append((f"{verb}{k}", f"/cadres/tolerance/{o['case'].pk}/{verb}/"))
        for verb in ("answer", "measure", "complete"):
            out.append((f"{verb}{k}", f"/cadres/tolerance/{o['pub'].pk}/{verb}/"))
    return out


def _text(resp: Any) -> str:
    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


GARBAGE = {
    "cadre": "abc",
    "unit": "-1",
    "year": "x",
    "hours": "-5",
    "started_on": "2026-13-40",
    "ended_on": "2026-13-40",
    "due_on": "2026-13-40",
    "done_on": "2026-13-40",
    "meeting_on": "2026-13-40",
    "occurred_on": "2026-13-40",
    "grade": "nope",
    "kind": "nope",
    "outcome": "nope",
    "objection": "x",
    "measure": "x",
    "entry": "x",
    "chosen": "x",
    "mentor": "x",
    "members": "-1",
    "present": "abc",
    "votes_for": "9" * 30,
    "name": "x" * 5000,
    "text": "y" * 100000,
    "reason": "",
    "level": "nope",
    "status": "nope",
    "decision": "nope",
    "appraisal": "nope",
    "id_number": "²" * 18,
}

#: Pages that only show: a POST is refused (405).
GET_ONLY = {
    "home",
    "list",
    "short",
    "grades",
    "pool",
    "vacancies",
    "tolerance",
    "export",
    "export_roster",
    "export_pool",
    "export_training",
    "import_template",
    "portal",
    "detailL",
    "detailA",
    "printL",
    "printA",
    "vacancyL",
    "vacancyA",
    "caseL",
    "caseA",
    "pubL",
    "pubA",
}
#: One-button forms (fields optional or none): a POST may act for those with the right.
BUTTONS = ("mentor_end", "kp_remove", "vac_sync", "vac_rank", "withdraw")
#: Roles with no cadres rights at all (city_admin: 目督办 sees no files).
NO_RIGHTS = {"city_admin", "village_cadre", "grid_worker", "dept_staff", "resident"}
PUBLIC = ("portal", "objectionL", "objectionA")


def _may_see_raw(role: str, name: str) -> set[str]:
    """The personal numbers ``role`` may read on page ``name``."""
    if name == "export_roster" and role == "org_dept":  # the department's full roster
        return {LZ_ID, LZ_PHONE, AN_ID, AN_PHONE}
    if name[:-1] not in ("detail", "print", "edit"):
        return set()
    mine = {"L": (LZ_ID, LZ_PHONE), "A": (AN_ID, AN_PHONE)}[name[-1]]
    leader = {"xc_secretary": "L", "outsider": "A"}.get(role)
    if role == "org_dept" or (leader == name[-1] and name[:-1] != "edit"):
        return set(mine)
    return set()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(
    role: str,
    request: Any,
    tree: Any,
    make_cadre: Any,
    org_dept: Any,
    login: Any,
    official_calendar: Any,
) -> None:
    from grassroots.audit.models import AuditEntry

    w = _world(tree, make_cadre, org_dept)
    client = Client() if role == "anonymous" else login(request.getfixturevalue(role))
    problems: list[str] = []
    for name, url in _urls(w):
        for method, data in (("GET", None), ("POST", {}), ("POST", GARBAGE)):
            before = AuditEntry.objects.count()
            resp = client.get(url) if method == "GET" else client.post(url, data)
            code = resp.status_code
            wrote = AuditEntry.objects.count() - before
            what = f"{method}{'+garbage' if data else ''} {name} {url} → {code}"
            if code >= 500:
                problems.append(what)
            if method == "GET" and wrote:
                problems.append(f"{what} wrote {wrote} audit entries")
            if method == "POST" and name in GET_ONLY and code != 405 and role != "anonymous":
                problems.append(f"{what}, not 405")
            button = name.startswith(BUTTONS)
            if method == "POST" and wrote and not button:
                problems.append(f"{what} wrote {wrote} audit entries")
            if role == "anonymous" and name not in PUBLIC and code not in (302, 405):
                problems.append(f"{what}, not the login page")
            if role in NO_RIGHTS | {"anonymous"} and name not in PUBLIC and wrote:
                problems.append(f"{what}: wrote without the right")
            if role in NO_RIGHTS and name not in PUBLIC and code not in (403, 404, 405):
                problems.append(f"{what}: a role with no cadres rights was answered")
            supervised = name.startswith(("home", "tolerance", "case", "pub", *PUBLIC))
            if role == "supervisor" and not supervised and code not in (403, 404, 405):
                problems.append(f"{what}: the supervisor reads tolerance cases only")
            if code == 200:
                text = _text(resp)
                for secret in (LZ_ID, LZ_PHONE, AN_ID, AN_PHONE, OBJ_PHONE):
                    if secret in text and secret not in _may_see_raw(role, name):
                        problems.append(f"{what} shows {secret}")
    # Outside one's township a record's pages do not reveal that it exists.
    if role in ("xc_secretary", "outsider"):
        other = "A" if role == "xc_secretary" else "L"
        for name, url in _urls(w):
            if name.endswith(other) and name[:-1] in ("detail", "print", "case", "pub", "vacancy"):
                code = client.get(url).status_code
                if code != 404:
                    problems.append(f"GET {name} of the other township → {code}, not 404")
    assert problems == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/cadres/grades/?year=%C2%B2", None),
        ("/cadres/files/{c}/grade/?year=%C2%B2", None),
    ],
)
def test_superscript_digits_in_a_query_are_no_number(
    url: str, field: str | None, tree: Any, make_cadre: Any, org_dept: Any, login: Any
) -> None:
    """'²' passes str.isdigit() but not int(): these pages answered 500."""
    cadre = make_cadre()
    assert login(org_dept).get(url.format(c=cadre.pk)).status_code == 200


def test_superscript_digits_in_forms_answer_400(
    tree: Any, make_cadre: Any, org_dept: Any, login: Any, official_calendar: Any
) -> None:
    from grassroots.audit.models import AuditEntry
    from grassroots.cadres.models import Cadre, Grade, ToleranceCase

    cadre = make_cadre()
    client = login(org_dept)
    before = AuditEntry.objects.count()
    resp = client.post(f"/cadres/files/{cadre.pk}/grade/", {"year": "²", "grade": "competent"})
    assert resp.status_code == 400
    resp = client.post(
        "/cadres/tolerance/new/",
        {
            "unit": "²",
            "cadre": "³",
            "title": "t",
            "facts": "f",
            "occurred_on": "2026-01-05",
            "affected_month": "2026-01",
        },
    )
    assert resp.status_code == 400
    assert "cadre" in resp.context["form"].errors and "unit" in resp.context["form"].errors
    edit = {
        "name": "某",
        "gender": "m",
        "ethnicity": "汉族",
        "birth_date": "1990-05-17",
        "id_number": "²" * 17 + "X",
        "phone": "",
        "education": "bachelor",
        "unit": tree["lizhou"].pk,
        "post": "p",
        "level": "staff",
    }
    resp = client.post(f"/cadres/files/{cadre.pk}/edit/", edit)
    assert resp.status_code == 400
    assert "id_number" in resp.context["form"].errors
    assert AuditEntry.objects.count() == before
    assert not Grade.objects.exists() and not ToleranceCase.objects.exists()
    assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number


def test_superscript_digits_are_no_id_number_nor_date() -> None:
    from grassroots.cadres.importing.columns import parse_date
    from grassroots.common.idnumbers import id_number_problem

    assert id_number_problem("²" * 17 + "X") == "digits"
    assert id_number_problem("51340119900517²01X") == "digits"
    assert parse_date("²²²²²") is None
