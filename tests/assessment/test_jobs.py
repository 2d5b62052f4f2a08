"""Rating forms over time: raters hear of a new form and of a flagged sheet in their inbox;
the closing job closes, as the system, the forms whose closing day has passed and reminds
raters of sheets not yet submitted, once a day; ``grassroots close-forms`` runs it once.

The clock stands at Thursday 2026-10-15 10:00 (Asia/Shanghai). Messages are asserted on
what does not depend on the language (title, closing date, link, how many).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from grassroots.assessment.actions.rating_sweep import REMINDED, sweep_rating_forms
from grassroots.assessment.actions.ratings import (
    close_form,
    create_form,
    justify_sheet,
    submit_sheet,
)
from grassroots.assessment.errors import IllegalTransition
from grassroots.assessment.jobs import close_rating_forms
from grassroots.assessment.models import FormState, Rating, RatingForm, RatingSheet, SheetState
from grassroots.audit.models import AuditEntry
from grassroots.inbox.models import Notification
from tests.assessment.conftest import CST
from tests.assessment.test_ratings import manual_indicator, scores, sheet_of
from tests.events.test_races import race

TODAY = dt.date(2026, 10, 15)
TOMORROW = dt.date(2026, 10, 16)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def scheme(scheme_factory: Any) -> Any:
    return scheme_factory(shrinkage=False, significance=False)


@pytest.fixture
def raters(tree: dict[str, Any]) -> list[Any]:
    from grassroots.org.models import Membership, User

    people = []
    for name in ("rater_a", "rater_b", "rater_c", "rater_d"):
        user = User.objects.create_user(username=name, password="x", full_name=f"测评人{name[-1]}")
        Membership.objects.create(user=user, unit=tree["city"], role="rater")
        people.append(user)
    return people


@pytest.fixture
def villages(tree: dict[str, Any]) -> list[Any]:
    return [tree["village"], tree["neighbour_village"], tree["other_village"]]


@pytest.fixture
def send(scheme: Any, raters: list[Any], city_admin: Any) -> Callable[..., RatingForm]:
    """``send(code, closes_on, title=…)``: a form on a new manual indicator, to every rater."""

    def make(code: str, closes_on: dt.date, title: str | None = None) -> RatingForm:
        return create_form(
            scheme,
            indicator=manual_indicator(scheme, code=code),
            period="2026-10",
            title=title or f"十月测评 {code}",
            closes_on=closes_on,
            raters=raters,
            actor=city_admin,
        )

    return make


@pytest.fixture
def travel() -> Iterator[Callable[[dt.datetime], None]]:
    travellers: list[Any] = []

    def go(moment: dt.datetime) -> None:
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in reversed(travellers):
        traveller.stop()


def at(day: dt.date, hour: int, minute: int = 17) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def inbox(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def fill(form: RatingForm, rater: Any, villages: list[Any], *values: int) -> RatingSheet:
    return submit_sheet(sheet_of(form, rater), scores(villages, *values), actor=rater)


# --- raters are told ---------------------------------------------------------------------


def test_each_rater_hears_of_a_new_form_after_commit_with_the_link_and_closing_day(
    send: Callable[..., RatingForm],
    raters: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        form = send("rating", dt.date(2026, 10, 31), title="2026年10月群众满意度测评")
    assert not Notification.objects.exists()  # nothing before the commit

    for callback in callbacks:
        callback()

    for rater in raters:
        [message] = inbox(rater)
        sheet = sheet_of(form, rater)
        assert message.link == f"/assessment/forms/{form.pk}/sheet/"
        assert "2026年10月群众满意度测评" in message.subject
        assert "2026-10-31" in message.body
        assert (message.object_type, message.object_id) == ("assessment.ratingsheet", str(sheet.pk))


def test_a_rater_whose_submission_is_flagged_is_told_a_justification_is_needed(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        form = send("rating", dt.date(2026, 10, 31))
    with django_capture_on_commit_callbacks(execute=True):
        fill(form, raters[0], villages, 90, 75, 60)  # spread: not flagged
    with django_capture_on_commit_callbacks(execute=True):
        flat = fill(form, raters[1], villages, 80, 80, 80)  # the same score for everyone

    assert flat.state == SheetState.FLAGGED
    assert len(inbox(raters[0])) == 1  # only the new form
    told = inbox(raters[1])
    assert len(told) == 2
    assert form.title in told[1].subject and told[1].object_id == str(flat.pk)
    assert told[1].link == f"/assessment/forms/{form.pk}/sheet/"


def test_a_sheet_flagged_when_the_form_closes_tells_only_its_rater(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    city_admin: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    form = send("rating", dt.date(2026, 10, 31))
    a = fill(form, raters[0], villages, 80, 70, 60)  # alone: not flagged yet
    fill(form, raters[1], villages, 100, 50, 0)
    fill(form, raters[2], villages, 95, 50, 10)
    d = fill(form, raters[3], villages, 75, 75, 75)  # flagged at once
    justify_sheet(d, "我认为三个村工作成效相当。", actor=raters[3])

    with django_capture_on_commit_callbacks(execute=True):
        close_form(form, actor=city_admin)

    a.refresh_from_db()
    assert a.state == SheetState.FLAGGED
    assert [n.object_id for n in Notification.objects.all()] == [str(a.pk)]
    assert Notification.objects.get().recipient_id == raters[0].pk


# --- the job closes ----------------------------------------------------------------------


def test_the_job_closes_only_the_forms_past_their_closing_day_as_the_system(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    travel: Callable[[dt.datetime], None],
) -> None:
    today = send("today", TODAY)
    later = send("later", dt.date(2026, 10, 20))
    fill(today, raters[0], villages, 90, 75, 60)

    travel(at(TODAY, 23, 17))  # the closing day is not over
    assert close_rating_forms.call_local()["closed"] == []
    travel(at(TOMORROW, 0, 17))  # the first run after midnight
    result = close_rating_forms.call_local()

    assert [c["pk"] for c in result["closed"]] == [today.pk]
    assert result["closed"][0]["sheets"]["submitted"] == 1
    assert result["closed"][0]["sheets"]["pending"] == 3
    today.refresh_from_db()
    later.refresh_from_db()
    assert today.state == FormState.CLOSED and later.state == FormState.OPEN
    entry = AuditEntry.objects.get(action="assessment.form.closed")
    assert entry.object_id == str(today.pk)
    assert entry.actor is None and entry.actor_label == "" and "system" in entry.note
    assert close_rating_forms.call_local()["closed"] == []  # once


def test_a_form_the_office_closed_is_left_alone(
    send: Callable[..., RatingForm], city_admin: Any
) -> None:
    form = send("rating", TODAY)
    close_form(form, actor=city_admin)

    report = sweep_rating_forms(TOMORROW)

    assert report.closed == [] and report.failed == []
    assert AuditEntry.objects.filter(action="assessment.form.closed").count() == 1


def test_no_sheet_is_taken_after_the_job_closed_the_form(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    travel: Callable[[dt.datetime], None],
) -> None:
    form = send("rating", TODAY)
    travel(at(TOMORROW, 0, 17))
    close_rating_forms.call_local()

    with pytest.raises(IllegalTransition):
        fill(form, raters[0], villages, 90, 75, 60)
    assert not Rating.objects.exists()


# --- the job reminds ---------------------------------------------------------------------


def test_raters_of_pending_sheets_are_reminded_once_a_day_until_the_form_closes(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    travel: Callable[[dt.datetime], None],
) -> None:
    soon = send("soon", TOMORROW)
    send("later", dt.date(2026, 10, 20))  # too far off: nobody reminded
    fill(soon, raters[0], villages, 90, 75, 60)  # done: not reminded
    Notification.objects.all().delete()  # (no message of the new forms: not committed)

    first = sweep_rating_forms()
    second = sweep_rating_forms()

    assert (first.reminded, first.forms_reminded) == (3, 1)
    assert second.reminded == 0
    assert not inbox(raters[0])
    for rater in raters[1:]:
        [message] = inbox(rater)
        assert soon.title in message.subject and "2026-10-16" in message.subject
        assert message.link == f"/assessment/forms/{soon.pk}/sheet/"
    entries = AuditEntry.objects.filter(action=REMINDED)
    assert entries.count() == 3 and {(e.after or {}).get("day") for e in entries} == {"2026-10-15"}

    fill(soon, raters[1], villages, 80, 60, 40)
    travel(at(TOMORROW, 9))  # the closing day itself
    assert close_rating_forms.call_local()["reminded"] == 2
    assert close_rating_forms.call_local()["reminded"] == 0
    assert len(inbox(raters[1])) == 1 and len(inbox(raters[2])) == 2

    travel(at(dt.date(2026, 10, 17), 9))  # closed by this run: nobody reminded
    result = close_rating_forms.call_local()
    assert [c["pk"] for c in result["closed"]] == [soon.pk] and result["reminded"] == 0


def test_the_worker_reminds_nobody_at_night(
    send: Callable[..., RatingForm], travel: Callable[[dt.datetime], None]
) -> None:
    send("soon", TOMORROW)
    Notification.objects.all().delete()

    travel(at(TODAY, 7))
    night = close_rating_forms.call_local()
    travel(at(TODAY, 8))
    morning = close_rating_forms.call_local()

    assert night["reminders_skipped"] and night["reminded"] == 0
    assert morning["reminded"] == 4


def test_an_inactive_rater_is_not_reminded(
    send: Callable[..., RatingForm], raters: list[Any]
) -> None:
    send("soon", TOMORROW)
    Notification.objects.all().delete()
    raters[3].is_active = False
    raters[3].save(update_fields=["is_active"])

    assert sweep_rating_forms().reminded == 3
    assert not inbox(raters[3])


# --- the command -------------------------------------------------------------------------


def test_the_command_prints_what_it_closed_and_reminded(
    send: Callable[..., RatingForm],
    raters: list[Any],
    villages: list[Any],
    travel: Callable[[dt.datetime], None],
) -> None:
    closing = send("closing", TODAY, title="十月群众测评")
    send("soon", dt.date(2026, 10, 17), title="十月领导评价")
    fill(closing, raters[0], villages, 90, 75, 60)
    fill(closing, raters[1], villages, 80, 80, 80)  # flagged
    travel(at(TOMORROW, 9))

    out = io.StringIO()
    with translation.override("en"):
        call_command("close_forms", stdout=out)
        again = io.StringIO()
        call_command("close_forms", "--json", stdout=again)

    text = out.getvalue()
    assert "十月群众测评" in text and "2026-10-15" in text
    assert "1 counted, 1 flagged, 2 not submitted, 0 excluded" in text
    assert "reminded of a sheet not yet submitted: 4 (rating forms: 1)" in text
    report = json.loads(again.getvalue())
    assert report["closed"] == [] and report["reminded"] == 0


# --- two at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
def test_a_sheet_submitted_while_the_job_closes_is_either_in_or_refused(
    send: Callable[..., RatingForm], raters: list[Any], villages: list[Any]
) -> None:
    """The last minutes of the closing day: the rater's submission and the job (acting for
    the next day) meet on the form's lock."""
    for round_ in range(4):
        form = send(f"race-{round_}", TODAY)
        fill(form, raters[1], villages, 90, 70, 50)
        sheet = sheet_of(form, raters[0])

        def rate(s: RatingSheet = sheet) -> RatingSheet:
            return submit_sheet(s, scores(villages, 80, 80, 80), actor=raters[0])

        results = race(lambda: sweep_rating_forms(TOMORROW, remind=False), rate)
        sheet.refresh_from_db()
        form.refresh_from_db()
        assert not isinstance(results[0], Exception), results
        assert [c.pk for c in results[0].closed] == [form.pk]
        assert form.state == FormState.CLOSED
        if isinstance(results[1], Exception):
            assert isinstance(results[1], IllegalTransition)
            assert sheet.state == SheetState.PENDING
            assert not Rating.objects.filter(sheet=sheet).exists()
        else:  # submitted first, then rechecked by the close
            assert sheet.state == SheetState.FLAGGED
            assert sheet.diagnostics["basis"] == "close"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
def test_two_runs_at_once_remind_each_rater_once(
    send: Callable[..., RatingForm], raters: list[Any]
) -> None:
    send("soon", TOMORROW)
    Notification.objects.all().delete()  # the new-form messages

    results = race(sweep_rating_forms, sweep_rating_forms)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.reminded for r in results) == [0, 4]
    assert Notification.objects.count() == 4
    assert AuditEntry.objects.filter(action=REMINDED).count() == 4
