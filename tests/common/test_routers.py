"""The read-replica router: which reads go to the replica, and that they really do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from grassroots.common import routers
from grassroots.common.routers import REPLICA, ReplicaRouter, read_alias, reading_replica
from grassroots.org.models import Unit

# A replica that lags: the primary gets a unit after the copy was taken. The script prints
# what a plain read, a report's read and a transaction's read each find.
SCRIPT = """
import django, shutil, sys
django.setup()
from django.core.management import call_command
from django.db import connections, transaction
call_command("migrate", verbosity=0)
from grassroots.org.models import Unit
from grassroots.common.routers import reading_replica
connections["default"].close()
shutil.copyfile(sys.argv[1], sys.argv[2])
Unit.objects.create(code="510000000000", name="四川省", kind="province")
with reading_replica():
    report = Unit.objects.count()
    with transaction.atomic():
        in_transaction = Unit.objects.count()
print(Unit.objects.count(), report, in_transaction)
"""


@pytest.mark.slow
def test_reports_read_the_replica_and_everything_else_the_primary(tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRASSROOTS_DATABASE_URL", "GRASSROOTS_TEST_DB"))
    }
    env.update(
        GRASSROOTS_DATA_DIR=str(tmp_path),
        GRASSROOTS_DATABASE_URL=f"sqlite:///{primary}",
        GRASSROOTS_REPLICA_URL=f"sqlite:///{replica}",
        DJANGO_SETTINGS_MODULE="grassroots.settings",
    )
    done = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", SCRIPT, str(primary), str(replica)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    plain, report, in_transaction = map(int, done.stdout.split())
    assert plain == 1  # the page after a save sees it
    assert report == 0  # the report read the replica, which has not caught up yet
    assert in_transaction == 1  # a transaction reads its own database


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(tree: dict[str, Unit]) -> None:
    assert not routers.replica_configured()
    with reading_replica():
        assert read_alias() == "default"
        assert Unit.objects.filter(pk=tree["city"].pk).exists()


def test_the_choice_inside_and_outside_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    assert read_alias() == "default"
    with reading_replica():
        assert read_alias() == REPLICA
    assert read_alias() == "default"


@pytest.mark.django_db
def test_a_transaction_reads_the_replica_only_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    with transaction.atomic():
        with reading_replica():
            assert read_alias() == "default"
        with reading_replica(even_in_transaction=True):
            assert read_alias() == REPLICA


def test_writes_and_migrations_stay_on_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Unit) == "default"
    assert router.allow_migrate("default", "org") is True
    assert router.allow_migrate(REPLICA, "org") is False
