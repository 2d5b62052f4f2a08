"""Family mottos and the performers' roster: search within scope, filters, forms,
masking, Excel export and the all-or-nothing imports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.partybuilding.models import FamilyMotto, Performer
from tests.partybuilding.culture_support import audits, motto, performer

pytestmark = pytest.mark.django_db


def test_motto_search_finds_by_text_within_scope_only(
    login: Any, village_cadre: Any, xc_secretary: Any, tree: Any
) -> None:
    motto(tree["village"], "王家", "勤俭持家", story="三代务农")
    motto(tree["neighbour_village"], "李家", "耕读传家")
    motto(tree["other_village"], "阿说家", "勤劳勇敢", story="三代务农")
    url = reverse("partybuilding:mottos")
    text = login(village_cadre).get(url, {"q": "三代"}).content.decode()
    assert "王家" in text and "阿说家" not in text
    text = login(xc_secretary).get(url, {"q": "勤"}).content.decode()
    assert "王家" in text and "李家" not in text and "阿说家" not in text
    text = login(xc_secretary).get(url, {"q": "耕读"}).content.decode()
    assert "李家" in text and "王家" not in text
    village = login(xc_secretary).get(url, {"village": tree["neighbour_village"].code})
    assert "李家" in village.content.decode() and "王家" not in village.content.decode()
    assert login(xc_secretary).get(url, {"q": "x\x00", "page": "abc"}).status_code == 200
    assert login(xc_secretary).get(url, {"village": "nope"}).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("city_admin", 200), ("supervisor", 200), ("village_cadre", 200), ("resident", 403)],
)
def test_lists_by_role(request: Any, login: Any, tree: Any, who: str, status: int) -> None:
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("partybuilding:mottos")).status_code == status
    assert client.get(reverse("partybuilding:performers")).status_code == status


def test_forms_by_role(login: Any, supervisor: Any, neighbour_cadre: Any, tree: Any) -> None:
    m = motto(tree["village"])
    p = performer(tree["village"])
    assert login(supervisor).get(reverse("partybuilding:motto_new")).status_code == 403
    assert login(supervisor).get(reverse("partybuilding:motto_edit", args=[m.pk])).status_code == (
        403
    )
    assert (
        login(neighbour_cadre).get(reverse("partybuilding:performer_edit", args=[p.pk])).status_code
        == 404
    )
    assert login(supervisor).get(reverse("partybuilding:mottos_import")).status_code == 403


def test_a_motto_is_added_edited_and_removed(login: Any, village_cadre: Any, tree: Any) -> None:
    client = login(village_cadre)
    new = reverse("partybuilding:motto_new")
    assert (
        client.post(new, {"unit": tree["village"].code, "family": "", "motto": "x"}).status_code
        == 400
    )
    assert not FamilyMotto.objects.exists()
    data = {"unit": tree["village"].code, "family": "王家", "motto": "勤俭持家"}
    assert client.post(new, data).status_code == 302
    m = FamilyMotto.objects.get()
    edit = reverse("partybuilding:motto_edit", args=[m.pk])
    assert client.post(edit, {"family": "王家", "motto": "耕读传家"}).status_code == 302
    m.refresh_from_db()
    assert m.motto == "耕读传家"
    assert client.post(edit, {"action": "delete"}).status_code == 302
    assert not FamilyMotto.objects.exists()
    assert [len(audits(f"partybuilding.motto.{v}")) for v in ("created", "updated", "deleted")] == [
        1,
        1,
        1,
    ]


def test_the_roster_masks_phones_and_filters(
    login: Any, village_cadre: Any, xc_secretary: Any, tree: Any
) -> None:
    performer(tree["village"], "阿说莫", phone="13912345678", leader=True, troupe="彝族舞蹈队")
    performer(tree["neighbour_village"], "李芳", specialty="dance", phone="13700001111")
    performer(tree["village"], "老王", active=False)
    url = reverse("partybuilding:performers")
    text = login(xc_secretary).get(url).content.decode()
    assert "阿说莫" in text and "李芳" in text and "老王" not in text
    assert "13912345678" not in text and "139****5678" in text
    assert "李芳" not in login(xc_secretary).get(url, {"leader": "1"}).content.decode()
    dance = login(xc_secretary).get(url, {"specialty": "dance"}).content.decode()
    assert "李芳" in dance and "阿说莫" not in dance
    assert "老王" in login(xc_secretary).get(url, {"active": "0"}).content.decode()
    assert "阿说莫" in login(xc_secretary).get(url, {"q": "舞蹈"}).content.decode()
    assert login(xc_secretary).get(url, {"specialty": "bogus", "leader": "x"}).status_code == 200


def test_performer_writes_audit_with_the_phone_masked(
    login: Any, village_cadre: Any, tree: Any
) -> None:
    client = login(village_cadre)
    data = {
        "unit": tree["village"].code,
        "name": "阿说莫",
        "specialty": "singing",
        "phone": "13912345678",
        "active": "on",
        "birth_year": "1975",
    }
    assert client.post(reverse("partybuilding:performer_new"), data).status_code == 302
    p = Performer.objects.get()
    assert p.phone == "13912345678"
    [entry] = audits("partybuilding.performer.created")
    assert entry.after is not None
    assert "13912345678" not in str(entry.after) and entry.after["phone"] == "139****5678"
    edit = reverse("partybuilding:performer_edit", args=[p.pk])
    assert "13912345678" in client.get(edit).content.decode()  # the village's own recorder
    bad = client.post(edit, {**data, "phone": "call me"})
    assert bad.status_code == 400
    assert "请输入电话号码" in bad.content.decode()
    assert client.post(edit, {**data, "phone": "13800001111"}).status_code == 302
    [update] = audits("partybuilding.performer.updated")
    assert update.before == {"phone": "139****5678"} and update.after == {"phone": "138****1111"}
    assert client.post(edit, {"action": "deactivate"}).status_code == 302
    p.refresh_from_db()
    assert not p.active
    assert len(audits("partybuilding.performer.deactivated")) == 1


def _sheet(response: Any) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_exports_are_masked_and_scoped(login: Any, xc_secretary: Any, tree: Any) -> None:
    performer(tree["village"], "阿说莫", phone="13912345678")
    performer(tree["other_village"], "外村人")
    motto(tree["village"], "王家", "=1+1")
    rows = _sheet(login(xc_secretary).get(reverse("partybuilding:performers"), {"export": "xlsx"}))
    assert rows[0][:3] == ["村(社区)编码", "姓名", "特长"]
    assert rows[1][1] == "阿说莫" and rows[1][5] == "139****5678"
    assert len(rows) == 2
    assert "13912345678" not in str(rows)
    mottos = _sheet(login(xc_secretary).get(reverse("partybuilding:mottos"), {"export": "xlsx"}))
    assert mottos[1][:3] == [tree["village"].code, "王家", "'=1+1"]


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("file.xlsx", buffer.getvalue())


def _import(client: Any, url: str, rows: list[list[Any]]) -> Any:
    checked = client.post(url, {"file": _xlsx(rows)})
    if checked.status_code != 200:
        return checked
    token = client.session["culture_mottos" if "mottos" in url else "culture_perf"]["token"]
    return client.post(url, {"confirm": "1", "token": token})


def test_motto_import_is_all_or_nothing(login: Any, village_cadre: Any, tree: Any) -> None:
    client = login(village_cadre)
    url = reverse("partybuilding:mottos_import")
    code = tree["village"].code
    header = ["村(社区)编码", "家庭", "家训", "家风故事"]
    bad = _import(
        client,
        url,
        [
            header,
            [code, "王家", "勤俭持家", ""],
            [code, "", "x", ""],
            [tree["other_village"].code, "外家", "x", ""],
        ],
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "家庭" in text and "必填" in text
    assert not FamilyMotto.objects.exists()
    good = _import(
        client, url, [header, [code, "王家", "勤俭持家", "故事"], [code, "李家", "耕读传家", ""]]
    )
    assert good.status_code == 302
    assert FamilyMotto.objects.count() == 2
    assert len(audits("partybuilding.family_motto.imported")) == 1
    again = _import(client, url, [header, [code, "王家", "勤俭持家，诚信做人", ""]])
    assert again.status_code == 302
    assert FamilyMotto.objects.get(family="王家").motto == "勤俭持家，诚信做人"


def test_motto_import_refuses_another_township(login: Any, village_cadre: Any, tree: Any) -> None:
    header = ["村(社区)编码", "家庭", "家训"]
    response = _import(
        login(village_cadre),
        reverse("partybuilding:mottos_import"),
        [header, [tree["other_village"].code, "外家", "x"]],
    )
    assert response.status_code == 400
    assert "无权维护该村的文化档案" in response.content.decode()
    assert not FamilyMotto.objects.exists()


def test_performer_export_imports_back_keeping_the_phone(
    login: Any, village_cadre: Any, tree: Any
) -> None:
    client = login(village_cadre)
    performer(tree["village"], "阿说莫", phone="13912345678", troupe="文艺队")
    exported = _sheet(client.get(reverse("partybuilding:performers"), {"export": "xlsx"}))
    exported[1][3] = "彝族舞蹈队"
    exported.append(
        [tree["village"].code, "新人", "舞蹈", None, "1990", "13700001111", "否", "是", None]
    )
    response = _import(client, reverse("partybuilding:performers_import"), exported)
    assert response.status_code == 302, response.content.decode()[:3000]
    p = Performer.objects.get(name="阿说莫")
    assert (p.phone, p.troupe) == ("13912345678", "彝族舞蹈队")
    new = Performer.objects.get(name="新人")
    assert (new.specialty, new.birth_year, new.phone) == ("dance", 1990, "13700001111")
    bad = _import(
        client,
        reverse("partybuilding:performers_import"),
        [
            exported[0],
            [tree["village"].code, "某人", "杂技", None, "abc", "电话", "否", "是", None],
        ],
    )
    assert bad.status_code == 400
    assert "特长" in bad.content.decode()
    assert not Performer.objects.filter(name="某人").exists()


def test_the_import_template_downloads(login: Any, village_cadre: Any) -> None:
    client = login(village_cadre)
    for name in ("mottos_import", "performers_import"):
        response = client.get(reverse(f"partybuilding:{name}"), {"template": "1"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if "common_calendar" not in q["sql"])


def test_the_lists_keep_their_query_count(login: Any, xc_secretary: Any, tree: Any) -> None:
    client = login(xc_secretary)
    urls = [reverse(f"partybuilding:{n}") for n in ("performers", "mottos", "songs", "histories")]
    performer(tree["village"], "甲")
    motto(tree["village"], "甲家")
    from tests.partybuilding.culture_support import history, song

    song(tree["village"], "甲")
    history(tree["village"], "甲")
    few = [_queries(client, u) for u in urls]
    for n in range(12):
        performer(tree["neighbour_village"], f"人{n}")
        motto(tree["neighbour_village"], f"家{n}")
        song(tree["neighbour_village"], f"歌{n}")
        history(tree["neighbour_village"], f"章{n}")
    assert [_queries(client, u) for u in urls] == few
