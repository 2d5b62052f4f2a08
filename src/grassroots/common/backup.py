"""Backups: a consistent snapshot of the database and the attachment store, and its restore.

A snapshot is a directory::

    grassroots-20261207-183000/
        manifest.json            every file below with its size and SHA-256, and more
        database.sqlite3         SQLite: a copy by SQLite's online backup API
        database.pgdump          PostgreSQL: ``pg_dump --format=custom``
        media/…                  the attachment store (``MEDIA_ROOT``) without thumbnails

**Consistency.** The database is copied first, as one consistent state (SQLite's backup
API copies every page under one read lock; ``pg_dump`` reads one MVCC snapshot), while the
site keeps running. The attachments are copied after it. Every app writes a file *before*
the row that names it is committed (``common.storage.store_once`` for events, supervision,
oversight, party-building and register photos; ``FileSystemStorage.save`` for the
assessment's evidence and bulletins, during ``Model.save`` or before the update that names
it), and no code deletes or rewrites a stored file. So every file a row of the snapshot
names already existed, whole, when the copy of the attachments began; a file written
after the database copy is a harmless extra that no row names. Files being written are
skipped (``store_once``'s ``.upload-*`` temporaries, the thumbnails' ``*.tmp``), and so
are the thumbnails (``media/thumbs``), which are drawn again on demand.

**The manifest** lists every file with its size and SHA-256, the app version, the applied
migrations (and the latest of each app), the database vendor, the creation time, the
crypto suite, fingerprints of the field keys and its own SHA-256 (over its canonical JSON
without that field). The checksum finds a damaged or edited snapshot; it is no signature:
whoever can write the snapshot can write a matching manifest.

**Atomic.** A snapshot is written under ``.<name>.partial-<pid>`` beside its target and
renamed when complete, so a backup that crashed never looks complete.

**Keys are never included**: a snapshot holding the field keys beside the encrypted data
would defeat the encryption. ``settings.FIELD_KEYS`` (``GRASSROOTS_FIELD_KEYS`` or
``DATA_DIR/field_key``) must be kept separately; the manifest holds only a fingerprint of
each key (the first 16 hex digits of a SHA-256 under a label of its own, which says nothing
about a random 256-bit key), and ``restore`` refuses a snapshot whose keys are not all
among the current ones.

**Restore** verifies every checksum and the list of files before it touches anything, then
checks the vendor, the migrations (a snapshot of a newer schema than the code knows is
refused) and the keys; it then copies the attachments in (added, or replacing a damaged
file of the same name; files not in the snapshot stay, as harmless extras), replaces the
database (SQLite: the backup API into the live database, one write transaction;
PostgreSQL: ``DROP SCHEMA public CASCADE`` and the dump's SQL in one ``psql
--single-transaction``, so a failure leaves the database as it was) and runs ``migrate``
when the snapshot is of an older schema.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "grassroots-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: Folders of MEDIA_ROOT left out: derived files drawn again on demand.
SKIPPED_FOLDERS = {"thumbs"}
_CHUNK = 1024 * 1024
_KEY_LABEL = b"grassroots backup key fingerprint\x00"

#: Reports progress: (what, files done, files in all).
Progress = Callable[[str, int, int], None]


class SnapshotError(Exception):
    """A backup or restore refused or failed; the message is for the operator."""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: dict[str, Any]
    files_written: int
    migrated: list[str]
    warnings: list[str]


def _silent(_what: str, _done: int, _total: int) -> None:
    return None


# --- small pieces ----------------------------------------------------------------------


def file_digest(path: Path) -> tuple[int, str]:
    """(size, SHA-256 hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _copy_hashing(source: Path, target: Path) -> tuple[int, str]:
    """Copy ``source`` to ``target`` (a new file) and hash the bytes copied, in one pass."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("xb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical JSON, without its own ``manifest_sha256``."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_fingerprints(keys: list[str] | None = None) -> list[str]:
    """A fingerprint of each field key: identifies a key, reveals nothing of it."""
    chosen = list(settings.FIELD_KEYS) if keys is None else keys
    return [hashlib.sha256(_KEY_LABEL + key.encode()).hexdigest()[:16] for key in chosen]


def app_version() -> str:
    try:
        return metadata.version("grassroots")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_target() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"grassroots-{stamp}"


def media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, relative POSIX name) of every attachment under ``root``, sorted, without the
    skipped folders and files being written."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel_folder = here.relative_to(root)
        if rel_folder == Path("."):
            dirs[:] = [d for d in dirs if d not in SKIPPED_FOLDERS]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".tmp"):
                continue
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path, (rel_folder / name).as_posix()


def _vendor(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DB_FILES:
        raise SnapshotError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def _latest(applied: list[str]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for label in applied:
        app, name = label.split(".", 1)
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _applied_live(alias: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _applied_in_sqlite_file(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
    return sorted(f"{app}.{name}" for app, name in rows)


# --- PostgreSQL tools ------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program: on PATH, else the newest Debian one."""
    found = shutil.which(name)
    if found:
        return found

    def major(path: str) -> int:
        try:
            return int(Path(path).parts[-3])
        except ValueError:
            return 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major)
    if candidates:
        return candidates[-1]
    raise SnapshotError(
        _(
            "%(tool)s was not found (install the PostgreSQL client programs, "
            "Debian: postgresql-client)."
        )
        % {"tool": name}
    )


def pg_env(alias: str = "default") -> dict[str, str]:
    """The environment that points libpq's programs at the configured database. The password
    goes here, never on a command line (``ps`` shows command lines to every user)."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = conf.get(key)
        if value:
            env[var] = str(value)
        else:
            env.pop(var, None)
    options = conf.get("OPTIONS") or {}
    for key, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SnapshotError(
            _("%(what)s failed (exit status %(code)d): %(error)s")
            % {"what": what, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


# --- backup ----------------------------------------------------------------------------


def _dump_sqlite(target: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    raw = connection.connection
    with contextlib.closing(sqlite3.connect(target)) as copy:
        # One step (pages=-1): the whole database under one read lock, a consistent state
        # while the site goes on writing (WAL).
        raw.backup(copy)
        # A self-contained file: no -wal beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()


def _dump_postgresql(target: Path, alias: str) -> None:
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
        pg_env(alias),
        "pg_dump",
    )


def create_snapshot(
    target: Path | None = None, *, progress: Progress = _silent, alias: str = "default"
) -> tuple[Path, dict[str, Any]]:
    """Write a snapshot to ``target`` (default: ``DATA_DIR/backups/grassroots-<time>``);
    (its path, its manifest). Refuses an existing target."""
    target = (target or default_target()).resolve()
    if target.exists():
        raise SnapshotError(_("%(path)s already exists: choose another name.") % {"path": target})
    target.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(alias)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)
    try:
        created = timezone.now()
        db_name = DB_FILES[vendor]
        progress("database", 0, 1)
        if vendor == "sqlite":
            _dump_sqlite(partial / db_name, alias)
            applied = _applied_in_sqlite_file(partial / db_name)
        else:
            # Read before the dump: a migration run meanwhile would be in the dump, not here;
            # ``restore`` then migrates once more, which finds nothing to do.
            applied = _applied_live(alias)
            _dump_postgresql(partial / db_name, alias)
        progress("database", 1, 1)
        size, sha = file_digest(partial / db_name)
        files = [{"path": db_name, "size": size, "sha256": sha}]
        root = Path(settings.MEDIA_ROOT)
        sources = list(media_files(root))
        for done, (source, rel) in enumerate(sources, start=1):
            try:
                size, sha = _copy_hashing(source, partial / MEDIA / rel)
            except FileNotFoundError:
                continue  # gone meanwhile: no row of the snapshot named it (never deleted)
            files.append({"path": f"{MEDIA}/{rel}", "size": size, "sha256": sha})
            progress("files", done, len(sources))
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "created_at": created.isoformat(),
            "vendor": vendor,
            "database_file": db_name,
            "applied_migrations": applied,
            "latest_migrations": _latest(applied),
            "crypto_suite": getattr(settings, "CRYPTO_SUITE", "standard"),
            "field_key_fingerprints": key_fingerprints(),
            "files": files,
        }
        manifest["manifest_sha256"] = manifest_digest(manifest)
        with (partial / MANIFEST).open("x", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target, manifest


# --- verify ----------------------------------------------------------------------------


def read_manifest(snapshot: Path) -> dict[str, Any]:
    path = snapshot / MANIFEST
    if not snapshot.is_dir():
        raise SnapshotError(_("%(path)s is not a snapshot directory.") % {"path": snapshot})
    if not path.is_file():
        raise SnapshotError(
            _("%(path)s has no manifest.json: it is not a complete snapshot.") % {"path": snapshot}
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise SnapshotError(_("manifest.json is damaged: it is not valid JSON.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotError(_("manifest.json is not the manifest of a Grassroots snapshot."))
    if manifest.get("manifest_sha256") != manifest_digest(manifest):
        raise SnapshotError(
            _("manifest.json was changed or damaged: its checksum does not match its content.")
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise SnapshotError(
            _("The snapshot's format %(version)s is not known to this version of Grassroots.")
            % {"version": manifest.get("format_version")}
        )
    return manifest


def verify_snapshot(snapshot: Path, *, progress: Progress = _silent) -> dict[str, Any]:
    """The manifest of ``snapshot`` once every listed file is there with its size and
    SHA-256 and no other file is; else ``SnapshotError`` naming the first bad file."""
    snapshot = snapshot.resolve()
    manifest = read_manifest(snapshot)
    listed = manifest.get("files")
    if not isinstance(listed, list) or not listed:
        raise SnapshotError(_("manifest.json lists no files."))
    names: set[str] = set()
    for done, entry in enumerate(listed, start=1):
        name = str(entry.get("path", ""))
        path = (snapshot / name).resolve()
        if not name or name.startswith("/") or not path.is_relative_to(snapshot):
            raise SnapshotError(
                _("manifest.json names a file outside the snapshot: %(name)s") % {"name": name}
            )
        names.add(name)
        if not path.is_file():
            raise SnapshotError(
                _("The file %(name)s is missing from the snapshot.") % {"name": name}
            )
        size, sha = file_digest(path)
        if size != entry.get("size") or sha != entry.get("sha256"):
            raise SnapshotError(
                _("The file %(name)s is damaged: its checksum does not match the manifest.")
                % {"name": name}
            )
        progress("verify", done, len(listed))
    if manifest.get("database_file") not in names:
        raise SnapshotError(_("manifest.json lists no database file."))
    for folder, _dirs, files in os.walk(snapshot):
        for file in sorted(files):
            rel = (Path(folder) / file).relative_to(snapshot).as_posix()
            if rel != MANIFEST and rel not in names:
                raise SnapshotError(
                    _("The file %(name)s is in the snapshot but not in its manifest.")
                    % {"name": rel}
                )
    return manifest


# --- restore ---------------------------------------------------------------------------


def migration_gap(manifest: dict[str, Any], alias: str = "default") -> tuple[list[str], list[str]]:
    """(migrations of the snapshot this code does not know, migrations of this code the
    snapshot lacks). Known: on disk, or applied in the current database."""
    applied = set(manifest.get("applied_migrations") or [])
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    on_disk = {f"{app}.{name}" for app, name in loader.disk_migrations}
    replaced = {
        f"{app}.{name}"
        for migration in loader.disk_migrations.values()
        for app, name in migration.replaces
    }
    known = on_disk | replaced | set(_applied_live(alias))
    unknown = sorted(applied - known)
    leaves = {f"{app}.{name}" for app, name in loader.graph.nodes}
    missing = sorted(leaves - applied - replaced)
    return unknown, missing


def check_restorable(
    manifest: dict[str, Any], *, check_keys: bool = True, alias: str = "default"
) -> list[str]:
    """Refuse a snapshot that cannot go into this site (``SnapshotError``); warnings else."""
    vendor = _vendor(alias)
    if manifest.get("vendor") != vendor:
        raise SnapshotError(
            _(
                "This snapshot is of a %(theirs)s database and cannot be restored into the "
                "configured %(ours)s database."
            )
            % {"theirs": manifest.get("vendor"), "ours": vendor}
        )
    unknown, _missing = migration_gap(manifest, alias)
    if unknown:
        raise SnapshotError(
            _(
                "The snapshot is of a newer schema than this version of Grassroots knows "
                "(%(names)s): install the newer version first."
            )
            % {"names": ", ".join(unknown[:3])}
        )
    warnings: list[str] = []
    theirs = list(manifest.get("field_key_fingerprints") or [])
    lacking = [f for f in theirs if f not in set(key_fingerprints())]
    if lacking and check_keys:
        raise SnapshotError(
            _(
                "%(n)d of the field keys this snapshot was made with are not among the current "
                "keys (GRASSROOTS_FIELD_KEYS or DATA_DIR/field_key): the personal data would "
                "be unreadable. Put the snapshot's keys back, or pass --skip-key-check."
            )
            % {"n": len(lacking)}
        )
    if lacking:
        warnings.append(_("%(n)d of the snapshot's field keys are missing.") % {"n": len(lacking)})
    suite = getattr(settings, "CRYPTO_SUITE", "standard")
    if manifest.get("crypto_suite", "standard") != suite:
        warnings.append(
            _(
                "The snapshot was made under the crypto suite %(theirs)s, the site runs "
                "%(ours)s: run grassroots crypto reencrypt before serving."
            )
            % {"theirs": manifest.get("crypto_suite"), "ours": suite}
        )
    return warnings


def _restore_media(snapshot: Path, manifest: dict[str, Any], progress: Progress) -> int:
    """Copy the snapshot's attachments into MEDIA_ROOT: a file missing or different is
    written (to a temporary name, then renamed); the number written."""
    root = Path(settings.MEDIA_ROOT)
    entries = [e for e in manifest["files"] if str(e["path"]).startswith(f"{MEDIA}/")]
    written = 0
    for done, entry in enumerate(entries, start=1):
        rel = str(entry["path"])[len(MEDIA) + 1 :]
        target = root / rel
        if target.is_file() and file_digest(target) == (entry["size"], entry["sha256"]):
            progress("files", done, len(entries))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        os.close(fd)
        try:
            shutil.copyfile(snapshot / entry["path"], tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        written += 1
        progress("files", done, len(entries))
    return written


def _restore_sqlite(dump: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise SnapshotError(_("The database cannot be restored inside a transaction."))
    with contextlib.closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as source:
        try:
            # One step: the live database is replaced in one write transaction.
            source.backup(connection.connection)
        except sqlite3.Error as exc:
            raise SnapshotError(
                _("SQLite refused the restore: %(error)s") % {"error": exc}
            ) from exc


_PG_PROLOGUE = """\
SET lock_timeout = '60s';
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
"""


def _restore_postgresql(dump: Path, alias: str) -> None:
    env = pg_env(alias)
    connections[alias].close()
    with tempfile.TemporaryDirectory(prefix="grassroots-restore-") as tmp:
        prologue = Path(tmp) / "prologue.sql"
        prologue.write_text(_PG_PROLOGUE)
        # pg_restore turns the dump into SQL; psql runs the prologue and that SQL as one
        # transaction: a failure anywhere leaves the database as it was.
        producer_log = Path(tmp) / "pg_restore.log"
        with producer_log.open("wb") as producer_err:
            producer = subprocess.Popen(  # noqa: S603
                [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=producer_err,
            )
            try:
                consumer = subprocess.run(  # noqa: S603
                    [
                        pg_tool("psql"),
                        "--no-password",
                        "--quiet",
                        "--no-psqlrc",
                        "--single-transaction",
                        "--set=ON_ERROR_STOP=1",
                        f"--file={prologue}",
                        "--file=-",
                    ],
                    env=env,
                    stdin=producer.stdout,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    check=False,
                )
            finally:
                if producer.stdout is not None:
                    producer.stdout.close()
                producer.wait()
        if producer.returncode != 0:
            raise SnapshotError(
                _("%(what)s failed (exit status %(code)d): %(error)s")
                % {
                    "what": "pg_restore",
                    "code": producer.returncode,
                    "error": producer_log.read_text(errors="replace")[-2000:],
                }
            )
        if consumer.returncode != 0:
            raise SnapshotError(
                _("%(what)s failed (exit status %(code)d): %(error)s")
                % {"what": "psql", "code": consumer.returncode, "error": consumer.stderr[-2000:]}
            )


def sample_key_check() -> str | None:
    """Open one encrypted value of the restored database with the current keys: None when
    it opens (or there is none), else a warning."""
    from django.apps import apps

    from grassroots.common.crypto import EncryptedCharField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedCharField):
                continue
            rows = model._default_manager.exclude(**{f"{field.name}__isnull": True}).exclude(
                **{field.name: ""}
            )
            try:
                rows.values_list(field.name, flat=True).first()
            except Exception as exc:  # any failure to decrypt is reported
                return _(
                    "The current field keys do not open %(model)s.%(field)s in the restored "
                    "database (%(error)s): put the snapshot's keys back."
                ) % {"model": model._meta.label, "field": field.name, "error": type(exc).__name__}
            return None
    return None


def restore_snapshot(
    snapshot: Path,
    *,
    progress: Progress = _silent,
    migrate: bool = True,
    check_keys: bool = True,
    confirm: Callable[[dict[str, Any]], bool] | None = None,
    alias: str = "default",
) -> RestoreResult:
    """Verify ``snapshot``, check it fits, ask ``confirm`` (when given), then restore the
    attachments and the database and migrate. Nothing is touched before ``confirm``."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    snapshot = snapshot.resolve()
    manifest = verify_snapshot(snapshot, progress=progress)
    warnings = check_restorable(manifest, check_keys=check_keys, alias=alias)
    if confirm is not None and not confirm(manifest):
        raise SnapshotError(_("Restore cancelled: nothing was changed."))
    written = _restore_media(snapshot, manifest, progress)
    dump = snapshot / manifest["database_file"]
    progress("database", 0, 1)
    if manifest["vendor"] == "sqlite":
        _restore_sqlite(dump, alias)
    else:
        _restore_postgresql(dump, alias)
    progress("database", 1, 1)
    connections[alias].close()
    ContentType.objects.clear_cache()
    _unknown, missing = migration_gap(manifest, alias)
    migrated: list[str] = []
    if missing and migrate:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
        migrated = missing
    elif missing:
        warnings.append(_("The snapshot's schema is older: run grassroots migrate before serving."))
    if check_keys and (problem := sample_key_check()):
        warnings.append(problem)
    return RestoreResult(manifest, written, migrated, warnings)


def describe(manifest: dict[str, Any]) -> str:
    """One line about a snapshot for the operator."""
    media = sum(1 for e in manifest["files"] if str(e["path"]).startswith(f"{MEDIA}/"))
    size = sum(int(e["size"]) for e in manifest["files"])
    created = dt.datetime.fromisoformat(manifest["created_at"])
    return _(
        "%(vendor)s snapshot of %(created)s, version %(version)s, %(files)d attachments, "
        "%(mb).1f MB"
    ) % {
        "vendor": manifest["vendor"],
        "created": timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S"),
        "version": manifest.get("app_version"),
        "files": media,
        "mb": size / 1e6,
    }
