"""Backup and restore of a whole install: the database, the attachment blobs and the secret key.

One `.tar.gz` archive holds:

    manifest.json          format version, alembic revision, created at, database kind, checksums
    database.sqlite3       SQLite: a consistent copy made with the online backup API, or
    database.pgdump        PostgreSQL: `pg_dump --format=custom`
    attachments/<aa>/<sha256>   the content-addressed blobs
    secret.key             when the key lives in the data dir (it signs links in sent e-mails)

SQLite is copied with `sqlite3.Connection.backup`, never as a file: the live database is in WAL
mode and a file copy can miss committed pages still in the -wal file. Restoring uses the same API
in the other direction, which replaces the whole database (and plays well with an existing WAL).

Restore refuses an archive whose schema revision this version of the code does not know (it was
made by a newer version), then upgrades an older archive to the current schema. Stop the server
while restoring: a running worker would keep writing to the database being replaced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import make_url, text

from helpdesk.infra.settings import Settings, get_settings

FORMAT = "helpdesk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SECRET_MEMBER = "secret.key"
_BLOB_RE = re.compile(r"^attachments/([0-9a-f]{2})/([0-9a-f]{64})$")


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class _Db:
    kind: str  # "sqlite" | "postgresql"
    url: str


def _db(settings: Settings) -> _Db:
    return _Db("sqlite" if settings.is_sqlite else "postgresql", settings.db_url)


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, with the password moved to the environment
    (a password on the command line is visible to every local user in `ps`)."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")


def _current_revisions(url: str) -> list[str]:
    from helpdesk.infra.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    except Exception as exc:  # noqa: BLE001 - reported as "not a migrated database"
        raise BackupError(f"the database has no schema yet (run `helpdesk db upgrade`): {exc}") from exc
    finally:
        engine.dispose()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# ------------------------------------------------------------------ backup


def create_backup(out: Path | str, settings: Settings | None = None) -> dict:
    """Write the archive to `out` (atomically: a partial archive never has the final name)."""
    settings = settings or get_settings()
    db = _db(settings)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    revisions = _current_revisions(db.url)
    with tempfile.TemporaryDirectory(prefix="helpdesk-backup-") as tmp:
        dump = Path(tmp) / (SQLITE_MEMBER if db.kind == "sqlite" else PG_MEMBER)
        if db.kind == "sqlite":
            _dump_sqlite(_sqlite_path(db.url), dump)
        else:
            _dump_pg(db.url, dump)
        blobs = _blob_paths(settings.attachments_dir)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "db_kind": db.kind,
            "alembic_revision": revisions[0] if len(revisions) == 1 else revisions,
            "database": {"member": dump.name, "sha256": _sha256_file(dump), "bytes": dump.stat().st_size},
            "attachments": {"count": len(blobs), "bytes": sum(p.stat().st_size for _, p in blobs)},
        }
        secret = settings.data_dir / "secret.key"
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(dump, arcname=dump.name)
            for arcname, path in blobs:
                tar.add(path, arcname=arcname)
            if secret.is_file():
                _add_bytes(tar, SECRET_MEMBER, secret.read_bytes())
        os.chmod(partial, 0o600)  # password hashes and customer data live in here
        os.replace(partial, out)
    return manifest


def _dump_sqlite(src_path: Path, dest: Path) -> None:
    if not src_path.is_file():
        raise BackupError(f"no SQLite database at {src_path}")
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _dump_pg(url: str, dest: Path) -> None:
    conninfo, env = _libpq(url)
    proc = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")


def _blob_paths(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("??/*")):
        arcname = f"attachments/{path.parent.name}/{path.name}"
        if path.is_file() and _BLOB_RE.match(arcname):  # skips half-written .tmp- files
            found.append((arcname, path))
    return found


# ------------------------------------------------------------------ restore


def read_manifest(archive: Path | str) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return _manifest(tar)


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a help desk backup: no manifest.json")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError("not a help desk backup")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(f"archive format {manifest['format_version']} is newer than this version understands")
    return manifest


def _check_schema_known(manifest: dict, url: str) -> None:
    from alembic.script import ScriptDirectory

    from helpdesk.infra.migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = manifest.get("alembic_revision")
    for rev in [revisions] if isinstance(revisions, str) else list(revisions or []):
        try:
            known = script.get_revision(rev)
        except Exception:  # noqa: BLE001 - alembic raises several kinds for unknown ids
            known = None
        if known is None:
            raise BackupError(
                f"the archive's schema (revision {rev}) is newer than this version of the help desk: "
                "upgrade the application before restoring it"
            )


def restore_backup(archive: Path | str, settings: Settings | None = None) -> dict:
    """Replace this install's database, attachments and secret key with the archive's, then
    migrate to the current schema. Works on an empty install as well as on an existing one."""
    settings = settings or get_settings()
    db = _db(settings)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = _manifest(tar)
        if manifest.get("db_kind") != db.kind:
            raise BackupError(
                f"the archive holds a {manifest.get('db_kind')} database but this install uses {db.kind}"
            )
        _check_schema_known(manifest, db.url)
        with tempfile.TemporaryDirectory(prefix="helpdesk-restore-") as tmp:
            dump = Path(tmp) / manifest["database"]["member"]
            _extract_member(tar, manifest["database"]["member"], dump)
            if _sha256_file(dump) != manifest["database"]["sha256"]:
                raise BackupError("the database in the archive is damaged (checksum mismatch)")
            staged = Path(tmp) / "attachments"
            secret = _extract_files(tar, staged)
            _release_engine()
            if db.kind == "sqlite":
                _restore_sqlite(dump, _sqlite_path(db.url))
            else:
                _restore_pg(dump, db.url)
            _replace_attachments(staged, settings.attachments_dir)
            if secret is not None:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                path = settings.data_dir / "secret.key"
                path.write_bytes(secret)
                os.chmod(path, 0o600)
    from helpdesk.infra import migrations

    _release_engine()
    migrations.upgrade(db.url)  # an older archive meets the current schema
    _release_engine()
    return manifest


def _release_engine() -> None:
    """Drop pooled connections so nothing holds the database being replaced."""
    from helpdesk.infra import db

    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()


def _extract_member(tar: tarfile.TarFile, name: str, dest: Path) -> None:
    member = tar.getmember(name)
    if not member.isfile():
        raise BackupError(f"{name} in the archive is not a file")
    src = tar.extractfile(member)
    with open(dest, "wb") as fh:
        shutil.copyfileobj(src, fh)


def _extract_files(tar: tarfile.TarFile, staged: Path) -> bytes | None:
    """Blobs into `staged` (names checked against the store's layout, so nothing can land
    outside it) and the secret key's bytes, if the archive has one."""
    secret = None
    for member in tar.getmembers():
        if member.name == SECRET_MEMBER and member.isfile():
            secret = tar.extractfile(member).read()
            continue
        match = _BLOB_RE.match(member.name)
        if not match or not member.isfile():
            continue
        data = tar.extractfile(member).read()
        if hashlib.sha256(data).hexdigest() != match.group(2):
            raise BackupError(f"attachment {match.group(2)} in the archive is damaged")
        target = staged / match.group(1) / match.group(2)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target.write_bytes(data)
    return secret


def _restore_sqlite(src_path: Path, dest_path: Path) -> None:
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(src_path)
    dst = sqlite3.connect(dest_path, timeout=30)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_pg(dump: Path, url: str) -> None:
    from helpdesk.infra.db import make_engine

    # Tables the archive does not have (added by a newer migration of an existing install)
    # would survive `--clean` and then clash with the upgrade: start from an empty schema.
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    conninfo, env = _libpq(url)
    proc = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise BackupError(f"pg_restore failed: {proc.stderr.strip()}")


def _replace_attachments(staged: Path, target: Path) -> None:
    """Swap the whole attachments directory, so blobs not in the archive do not linger."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    old = target.with_name(target.name + ".old")
    for leftover in (incoming, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(staged, incoming)
    if target.exists():
        os.replace(target, old)
    os.replace(incoming, target)
    if old.exists():
        shutil.rmtree(old)
