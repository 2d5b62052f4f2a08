"""``grassroots serve`` and ``grassroots worker``: what an operator sees when starting them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from grassroots import gunicorn_conf
from grassroots.common.management.commands import serve


@pytest.mark.django_db
def test_serve_refuses_a_database_with_unapplied_migrations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(serve, "pending_migrations", lambda: ["events.0042_new", "org.0009_x"])
    with pytest.raises(CommandError, match="grassroots migrate"):
        call_command("serve", "--check", "--no-collectstatic")


@pytest.mark.django_db
def test_serve_runs_gunicorn_with_the_project_configuration() -> None:
    assert serve.pending_migrations() == []
    out = StringIO()
    call_command("serve", "--check", "--no-collectstatic", stdout=out)
    command = out.getvalue().split()
    assert Path(command[0]).name == "gunicorn"
    assert command[1:] == ["-c", gunicorn_conf.__file__]


def test_gunicorn_runs_the_project_with_workers_from_the_cores() -> None:
    assert gunicorn_conf.wsgi_app == "grassroots.wsgi:application"
    assert gunicorn_conf.workers == gunicorn_conf.default_workers() >= 3
    assert gunicorn_conf.worker_class == "gthread"
    assert gunicorn_conf.bind == ["127.0.0.1:8000"]


def test_static_files_are_collected_once_and_again_after_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    (source / "grassroots").mkdir(parents=True)
    (source / "grassroots" / "site.css").write_text("body{color:#222}\n" * 200)
    target = tmp_path / "collected"
    target.mkdir()
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.management.commands import collectstatic

    def only_ours() -> list[finders.BaseFinder]:
        return [finders.FileSystemFinder()]

    # Only this test's folder: the project's own files take half a minute to compress.
    monkeypatch.setattr(finders, "get_finders", only_ours)
    monkeypatch.setattr(collectstatic, "get_finders", only_ours)
    with override_settings(STATIC_ROOT=target, STATICFILES_DIRS=[source]):
        assert serve.collect_static_if_changed() is True
        collected = target / "grassroots" / "site.css"
        assert collected.read_text() == "body{color:#222}\n" * 200
        # Compressed beside it for WhiteNoise.
        assert (target / "grassroots" / "site.css.gz").exists()
        assert serve.collect_static_if_changed() is False
        (source / "grassroots" / "site.css").write_text("body{color:#000}")
        assert serve.collect_static_if_changed() is True
        assert collected.read_text() == "body{color:#000}"


def test_extra_workers_leave_the_periodic_jobs_to_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, object]] = []

    def fake_call_command(name: str, **options: object) -> None:
        calls.append({"name": name, **options})

    from grassroots.common.management.commands import worker

    monkeypatch.setattr(worker, "call_command", fake_call_command)
    call_command("worker", "--workers", "3")
    call_command("worker", "--no-periodic")
    assert calls[0] == {"name": "run_huey", "workers": 3, "worker_type": "thread"}
    assert calls[1]["periodic"] is False


@pytest.mark.django_db
def test_behind_https_the_probes_still_answer_over_plain_http(settings: Any) -> None:
    from django.test import Client

    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/metrics").status_code in (200, 403)
