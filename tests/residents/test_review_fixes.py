"""Bugs found in the review of grid basics, each with the test that failed before its fix."""

from __future__ import annotations

import html
import re
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from grassroots.residents.models import Household, Resident


@pytest.mark.django_db(transaction=True)
def test_a_household_moving_out_is_one_transaction(make_household: Any, grid_worker: Any) -> None:
    """The whole household moves out in one transaction: when its last step fails, its
    members are still living there (and on PostgreSQL the row locks need the
    transaction at all)."""
    from grassroots.audit import actions as audit
    from grassroots.residents.actions import households as actions

    household = make_household(members=2)
    real = audit.record

    def failing(action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "residents.household.status_changed":
            raise RuntimeError("the audit log is down")
        return real(action, *args, **kwargs)

    with mock.patch.object(actions, "record", failing), pytest.raises(RuntimeError):
        actions.set_household_status(household, actor=grid_worker, status="moved_out")
    household.refresh_from_db()
    assert household.status == "active"
    assert set(Resident.objects.values_list("status", flat=True)) == {"present"}
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_the_phone_search_keeps_its_text_on_the_next_page(
    make_household: Any, grid_worker: Any, login: Any
) -> None:
    """A search such as 3#楼 (building 3, as addresses are written) or 1&2 stays on the
    next page's link, encoded (it was pasted raw, the # cut the link short)."""
    for text in ("3#楼", "1&2号", "a+b"):
        for n in range(22):
            make_household(members=1, address=f"礼州村{text}{n}室")
        client = login(grid_worker)
        page = client.get(reverse("residents:m_home"), {"q": text})
        assert page.status_code == 200 and page.context["page"].paginator.count == 22
        href = re.search(r'href="(\?[^"]*page=2)"', page.content.decode())
        assert href, text
        following = client.get(reverse("residents:m_home") + html.unescape(href[1]))
        assert following.context["search"] == text
        assert following.context["page"].number == 2


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.django_db
def test_full_width_digits_from_a_chinese_input_method_are_taken(
    make_household: Any, grid_worker: Any, login: Any
) -> None:
    """An ID number and a phone typed with a Chinese input method in full-width mode
    (５１３４…, １３８…) are stored plain — they were refused as "not digits", or a mixed
    phone was stored half full-width — and such an ID number finds its household."""
    from grassroots.residents.actions.households import add_resident
    from tests.conftest import valid_id_number

    household = make_household(members=0)
    number = valid_id_number("19800101", 901)
    person = add_resident(
        household,
        actor=grid_worker,
        name="吉克阿依",
        relationship="head",
        id_number=number.translate(FULL_WIDTH),
        phone="13８1234５678",
    )
    person.refresh_from_db()
    assert person.id_number == number and person.phone == "13812345678"
    found = login(grid_worker).get(
        reverse("residents:households"), {"q": number.translate(FULL_WIDTH)}
    )
    assert [h.pk for h in found.context["page"].object_list] == [household.pk]


@pytest.mark.django_db
def test_an_import_takes_full_width_numbers_and_never_echoes_a_phone(
    grid_worker: Any, village_cadre: Any, tmp_path: Any
) -> None:
    from grassroots.residents.importing.households import HouseholdImportError, import_households
    from tests.conftest import valid_id_number

    number = valid_id_number("19700302", 902)
    header = "网格编码,户号,姓名,与户主关系,性别,公民身份号码,联系电话\n"
    good = tmp_path / "good.csv"
    good.write_text(
        header + f"513401101201001,0901,吉克石且,户主,,{number.translate(FULL_WIDTH)},"
        "１３８－１２３４－５６７８\n",
        encoding="utf-8",
    )
    import_households(good, actor=village_cadre)
    person = Resident.objects.get(name="吉克石且")
    assert person.id_number == number and person.phone == "13812345678"

    bad = tmp_path / "bad.csv"
    bad.write_text(header + "513401101201001,0902,沙马阿依,户主,女,,138123456789\n", "utf-8")
    with pytest.raises(HouseholdImportError) as refused:
        import_households(bad, actor=village_cadre)
    shown = " ".join(str(e) for e in refused.value.errors)
    assert "电话" in shown and "138123456789" not in shown


@pytest.mark.django_db
def test_a_person_who_moved_to_another_household_can_be_added_there(
    make_household: Any, grid_worker: Any, login: Any, tmp_path: Any
) -> None:
    """A daughter marries into another household of the village: she is recorded moved
    out of her parents' household and added to her husband's with her ID number (it was
    refused as "already registered", the UI had no way to record the move). Her earlier
    row keeps the history; she cannot move back there while she lives in the new one, nor
    be added twice, nor be added back to the household she left (moved back instead)."""
    from grassroots.residents.actions.households import (
        add_resident,
        record_deceased,
        record_moved_back,
        record_moved_out,
    )
    from grassroots.residents.errors import ResidentsError
    from tests.conftest import valid_id_number

    parents, husband, third = (make_household(members=1) for _ in range(3))
    number = valid_id_number("19990101", 950, male=False)
    daughter = add_resident(
        parents, actor=grid_worker, name="吉克阿呷", relationship="child", id_number=number
    )
    with pytest.raises(ResidentsError) as living:
        add_resident(
            husband, actor=grid_worker, name="吉克阿呷", relationship="spouse", id_number=number
        )
    assert living.value.field == "id_number"
    record_moved_out(daughter, actor=grid_worker, on="2026-01-02")
    client = login(grid_worker)
    page = client.post(
        reverse("residents:member_add", args=[husband.pk]),
        {
            "name": "吉克阿呷",
            "relationship": "spouse",
            "id_number": number,
            "residence": "registered",
        },
    )
    assert page.status_code == 302
    wife = Resident.objects.get(household=husband, name="吉克阿呷")
    assert wife.id_number == number and wife.status == "present"
    # Not a second time, not back where she left (moved back is the way there).
    for household in (third, parents):
        with pytest.raises(ResidentsError) as again:
            add_resident(
                household,
                actor=grid_worker,
                name="吉克阿呷",
                relationship="child",
                id_number=number,
            )
        assert again.value.field == "id_number"
    # Her earlier row cannot come back while she lives with her husband: a 400, not a 500.
    back = client.post(
        reverse("residents:member_status", args=[daughter.pk]),
        {"status": "present", "on": "2026-03-01"},
    )
    assert back.status_code == 400
    assert "status" in back.context["failed_form"].errors
    with pytest.raises(ResidentsError):
        record_moved_back(daughter, actor=grid_worker, on="2026-03-01")
    # Once she moved out of her husband's household, she may move back.
    record_moved_out(wife, actor=grid_worker, on="2026-04-01")
    record_moved_back(daughter, actor=grid_worker, on="2026-04-01")
    # A deceased holder's number is never given again.
    record_deceased(daughter, actor=grid_worker, on="2026-05-01")
    with pytest.raises(ResidentsError) as dead:
        add_resident(
            third, actor=grid_worker, name="吉克阿呷", relationship="child", id_number=number
        )
    assert "死亡" in str(dead.value.message)


@pytest.mark.django_db
def test_the_import_adds_a_person_who_moved_out_of_a_household_not_in_the_file(
    make_household: Any, grid_worker: Any, village_cadre: Any, tmp_path: Any
) -> None:
    from grassroots.residents.actions.households import add_resident, record_moved_out
    from grassroots.residents.importing.households import HouseholdImportError, import_households
    from tests.conftest import valid_id_number

    parents = make_household(members=1)
    number = valid_id_number("19990101", 951, male=False)
    daughter = add_resident(
        parents, actor=grid_worker, name="吉克阿呷", relationship="child", id_number=number
    )
    header = "网格编码,户号,姓名,与户主关系,公民身份号码\n"
    file = tmp_path / "husband.csv"
    file.write_text(header + f"513401101201001,0960,吉克阿呷,户主,{number}\n", "utf-8")
    with pytest.raises(HouseholdImportError):  # she still lives with her parents
        import_households(file, actor=village_cadre)
    record_moved_out(daughter, actor=grid_worker, on="2026-01-02")
    import_households(file, actor=village_cadre)
    rows = Resident.objects.filter(name="吉克阿呷").order_by("pk")
    assert [(r.household.number, r.status) for r in rows] == [
        (parents.number, "moved_out"),
        ("0960", "present"),
    ]
    # Her parents' household in a file making her earlier row live there again: refused.
    back = tmp_path / "parents.csv"
    back.write_text(
        header.replace("\n", ",状态\n")
        + f"513401101201001,{parents.number},吉克阿呷,子女,{number},在住\n",
        "utf-8",
    )
    with pytest.raises(HouseholdImportError):
        import_households(back, actor=village_cadre)


@pytest.mark.django_db
def test_an_import_with_nul_characters_is_refused_by_line_and_column(
    village_cadre: Any, login: Any, tmp_path: Any, settings: Any
) -> None:
    """A NUL character in a cell (the grid code, the number, a name) is refused on its
    line and column, nothing written — on PostgreSQL the check's lookups sent it to the
    database, which refused it: a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    header = "网格编码,户号,姓名,与户主关系,性别\n"
    rows = (
        "513401101201001\x00,0101,张三,户主,男\n"
        "513401101201001,01\x0002,李四,户主,男\n"
        "513401101201001,0103,王\x00五,户主,男\n"
    )
    upload = SimpleUploadedFile("nul.csv", (header + rows).encode())
    page = login(village_cadre).post(reverse("residents:import"), {"file": upload})
    assert page.status_code == 400
    errors = [(e.line, e.column, str(e.message)) for e in page.context["errors"]]
    nul = "不允许包含空字符。"
    assert {(2, "网格编码", nul), (3, "户号", nul), (4, "姓名", nul)} <= set(errors)
    assert Household.objects.count() == 0 and Resident.objects.count() == 0
