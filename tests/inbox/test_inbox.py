"""The inbox: delivering, texting, reading, the page and the unread count."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from grassroots.common.sms import LogBackend, SmsResult, get_backend
from grassroots.inbox import actions
from grassroots.inbox.context import unread_count
from grassroots.inbox.models import Notification

pytestmark = pytest.mark.django_db


class FakeGateway:
    """A gateway that accepts everything and remembers it."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> SmsResult:
        FakeGateway.sent.append((phone, text))
        return SmsResult(sent=True)


class BrokenGateway:
    def send(self, phone: str, text: str) -> SmsResult:
        raise ConnectionError("gateway down")


class NotABackend:
    pass


def test_notify_gives_each_active_person_one_message(
    village_cadre: Any, grid_worker: Any, resident: Any
) -> None:
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    count = actions.notify(
        users=[village_cadre, grid_worker, village_cadre, resident],
        subject="通知",
        body="内容",
        url="/events/1/",
        object_type="events.event",
        object_id="1",
    )
    assert count == 2
    rows = list(Notification.objects.order_by("recipient__username"))
    assert [n.recipient for n in rows] == [grid_worker, village_cadre]
    assert all(n.read_at is None and n.sms == "none" and n.link == "/events/1/" for n in rows)


def test_long_subjects_are_cut_and_foreign_links_kept_out(village_cadre: Any) -> None:
    actions.notify(users=[village_cadre], subject="字" * 500, body="", url="/" + "x" * 600)
    n = Notification.objects.get()
    assert len(n.subject) == 200 and n.subject.endswith("…")
    assert n.link == ""


def test_sms_through_the_log_backend_is_logged_not_sent(
    village_cadre: Any,
    grid_worker: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="grassroots.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.notify(users=[village_cadre, grid_worker], subject="到期提醒", body="", sms=True)
    states = dict(Notification.objects.values_list("recipient__username", "sms"))
    assert states == {"village_cadre": "logged", "grid_worker": "no_phone"}
    [record] = [r for r in caplog.records if r.name == "grassroots.sms"]
    assert "138****5678" in record.getMessage() and "到期提醒" in record.getMessage()
    assert "13812345678" not in record.getMessage()


def test_no_sms_before_commit(village_cadre: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.notify(users=[village_cadre], subject="s", body="", sms=True)
    assert Notification.objects.get().sms == "pending"
    assert len(callbacks) == 1


def test_a_real_gateway_marks_sent(
    settings: Any, village_cadre: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_BACKEND = "tests.inbox.test_inbox.FakeGateway"
    FakeGateway.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(users=[village_cadre], subject="派遣", body="请处理", sms=True)
    assert Notification.objects.get().sms == "sent"
    assert FakeGateway.sent == [("13812345678", "派遣 请处理")]


def test_a_failing_gateway_marks_failed(
    settings: Any, village_cadre: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_BACKEND = "tests.inbox.test_inbox.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(users=[village_cadre], subject="派遣", body="", sms=True)
    assert Notification.objects.get().sms == "failed"


def test_backend_setting_is_checked(settings: Any) -> None:
    settings.SMS_BACKEND = "grassroots.common.sms.LogBackend"
    assert isinstance(get_backend(), LogBackend)
    settings.SMS_BACKEND = "grassroots.nowhere.Backend"
    with pytest.raises(ImproperlyConfigured, match="cannot be imported"):
        get_backend()
    settings.SMS_BACKEND = "tests.inbox.test_inbox.NotABackend"
    with pytest.raises(ImproperlyConfigured, match="send"):
        get_backend()


def test_log_backend_never_claims_delivery() -> None:
    result = LogBackend().send("13812345678", "hi")
    assert (result.sent, result.logged) == (False, True)


def test_mark_read_only_ones_own(village_cadre: Any, grid_worker: Any) -> None:
    actions.notify(users=[village_cadre, grid_worker], subject="s", body="")
    mine = Notification.objects.get(recipient=village_cadre)
    theirs = Notification.objects.get(recipient=grid_worker)
    read = actions.mark_read(mine.pk, actor=village_cadre)
    assert read.read_at is not None
    again = actions.mark_read(mine.pk, actor=village_cadre)
    assert again.read_at == read.read_at  # reading twice changes nothing
    with pytest.raises(Notification.DoesNotExist):
        actions.mark_read(theirs.pk, actor=village_cadre)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(village_cadre: Any, grid_worker: Any) -> None:
    for i in range(3):
        actions.notify(users=[village_cadre, grid_worker], subject=f"s{i}", body="")
    assert actions.mark_all_read(actor=village_cadre) == 3
    assert actions.mark_all_read(actor=village_cadre) == 0
    assert Notification.objects.filter(recipient=grid_worker, read_at__isnull=True).count() == 3


def test_unread_count_is_lazy_and_one_query(village_cadre: Any, grid_worker: Any) -> None:
    actions.notify(users=[village_cadre], subject="a", body="")
    actions.notify(users=[village_cadre, grid_worker], subject="b", body="")
    request = RequestFactory().get("/")
    request.user = village_cadre
    with CaptureQueriesContext(connection) as ctx:
        context = unread_count(request)
    assert len(ctx.captured_queries) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert context["inbox_unread"]() == 2
        assert context["inbox_unread"]() == 2
    assert len(ctx.captured_queries) == 1
    assert "read_at" in ctx.captured_queries[0]["sql"]


def test_unread_count_for_anonymous_is_zero() -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_count(request) == {"inbox_unread": 0}


def test_the_page_lists_own_messages_unread_first(
    login: Any, village_cadre: Any, grid_worker: Any
) -> None:
    actions.notify(users=[village_cadre], subject="old-read", body="")
    actions.notify(users=[village_cadre], subject="new-unread", body="")
    actions.notify(users=[village_cadre], subject="newest-read", body="")
    actions.notify(users=[grid_worker], subject="not-mine", body="")
    for subject in ("old-read", "newest-read"):
        n = Notification.objects.get(subject=subject)
        actions.mark_read(n.pk, actor=village_cadre)
    response = login(village_cadre).get("/inbox/")
    assert response.status_code == 200
    subjects = [n.subject for n in response.context["page"]]
    assert subjects == ["new-unread", "newest-read", "old-read"]
    assert response.context["unread"] == 1
    assert b"not-mine" not in response.content


def test_the_page_is_paginated_with_few_queries(login: Any, village_cadre: Any) -> None:
    for i in range(35):
        actions.notify(users=[village_cadre], subject=f"m{i}", body="")
    client = login(village_cadre)
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/inbox/")
    assert len(first.context["page"]) == 30
    assert len(ctx.captured_queries) <= 8
    second = client.get("/inbox/?page=2")
    assert len(second.context["page"]) == 5


def test_the_page_needs_a_login(client: Any) -> None:
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_mark_read_post_and_open(login: Any, village_cadre: Any, grid_worker: Any) -> None:
    actions.notify(users=[village_cadre], subject="s", body="", url="/events/7/")
    actions.notify(users=[grid_worker], subject="t", body="")
    mine = Notification.objects.get(recipient=village_cadre)
    theirs = Notification.objects.get(recipient=grid_worker)
    client = login(village_cadre)
    assert client.get(f"/inbox/{mine.pk}/read/").status_code == 405
    response = client.post(f"/inbox/{mine.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/events/7/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_never_redirects_off_site(login: Any, village_cadre: Any) -> None:
    Notification.objects.create(recipient=village_cadre, subject="x", link="https://evil.example/")
    n = Notification.objects.get()
    response = login(village_cadre).post(f"/inbox/{n.pk}/read/", {"open": "1", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/?page=2"


def test_mark_all_read_post(login: Any, village_cadre: Any) -> None:
    actions.notify(users=[village_cadre], subject="a", body="")
    actions.notify(users=[village_cadre], subject="b", body="")
    response = login(village_cadre).post("/inbox/read-all/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_the_page_renders_in_chinese_and_english(login: Any, village_cadre: Any) -> None:
    actions.notify(users=[village_cadre], subject="派遣通知", body="请处理", url="/events/1/")
    client = login(village_cadre)
    assert "派遣通知" in client.get("/inbox/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/inbox/").content.decode()
    assert "Mark as read" in page and "Mark all as read" in page
