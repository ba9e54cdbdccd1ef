"""Backup and restore round trips (SQLite in the first test pass, PostgreSQL in the second)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk import cli
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Attachment, Message, Ticket
from helpdesk.infra import db as infra_db
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.infra.storage import get_store
from helpdesk.services import accounts, attachments, backup, seed, tickets
from tests.unit.test_attachments import PDF, png_bytes


def _populate() -> None:
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        ana = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        accounts.create_user(s, email="agente@x.test", password="password-123", name="Agente", role="agent")
        service_id = s.exec(select(Service.id)).first()
        draft = tickets.TicketDraft(
            subject="No puedo llamar",
            description="Desde esta mañana no salen las llamadas, adjunto captura.",
            category="anomalia",
            service_id=service_id,
            attachments=[attachments.validate_upload("captura.png", png_bytes())],
        )
        tickets.create_ticket(s, ana, draft)


def _snapshot() -> dict:
    with session_scope() as s:
        return {
            "users": sorted((u.email, u.name, u.role, u.password_hash) for u in s.exec(select(User)).all()),
            "tickets": sorted((t.number, t.subject, t.status) for t in s.exec(select(Ticket)).all()),
            "messages": sorted(m.body for m in s.exec(select(Message)).all()),
            "attachments": sorted((a.filename, a.sha256, a.size) for a in s.exec(select(Attachment)).all()),
            "outbox": sorted(m.idempotency_key for m in s.exec(select(OutboxMail)).all()),
        }


def _blobs() -> dict[str, bytes]:
    root = get_settings().attachments_dir
    return {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def _wipe() -> None:
    """Lose the install: database and attachment files."""
    settings = get_settings()
    infra_db.get_engine().dispose()
    if settings.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.data_dir / "helpdesk.db") + suffix).unlink(missing_ok=True)
    else:
        with infra_db.get_engine().begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        infra_db.get_engine().dispose()
    for path in sorted(settings.attachments_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_round_trip_into_an_empty_install(db, tmp_path):
    _populate()
    before, blobs = _snapshot(), _blobs()
    assert len(before["attachments"]) == 1 and before["outbox"] and len(blobs) == 1
    archive = tmp_path / "out" / "backup.tar.gz"

    manifest = backup.create_backup(archive)

    assert manifest["db_kind"] == ("sqlite" if get_settings().is_sqlite else "postgresql")
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["attachments"] == {"count": 1, "bytes": len(png_bytes())}
    assert archive.stat().st_mode & 0o077 == 0  # customer data: owner only
    _wipe()
    assert _blobs() == {}

    backup.restore_backup(archive)

    assert _snapshot() == before
    assert _blobs() == blobs
    with session_scope() as s:  # sequences and counters came back too: new rows get new ids
        ana = s.exec(select(User).where(User.email == "ana@x.test")).one()
        again = tickets.create_ticket(
            s,
            ana,
            tickets.TicketDraft(
                subject="Otra cosa", description="Una segunda consulta.", category="consulta", service_id=1
            ),
        )
        assert again.number == 1002
    with session_scope() as s:
        assert accounts.authenticate(s, email="ana@x.test", password="password-123")[0].email == "ana@x.test"


def test_restore_into_an_existing_install_replaces_its_data(db, tmp_path):
    _populate()
    before, blobs = _snapshot(), _blobs()
    archive = tmp_path / "backup.tar.gz"
    backup.create_backup(archive)
    # Life goes on after the backup: a new user, a new attachment.
    with session_scope() as s:
        accounts.create_user(s, email="nuevo@x.test", password="password-123", name="Nuevo")
        ticket = s.exec(select(Ticket)).first()
        attachments.store_validated(s, attachments.validate_upload("factura.pdf", PDF), ticket.id, None, ticket.requester_id)
    assert len(_blobs()) == 2

    backup.restore_backup(archive)

    assert _snapshot() == before
    assert _blobs() == blobs  # the newer blob is gone with the rows that used it


def _rewrite_manifest(src: Path, dest: Path, **changes) -> None:
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dest, "w:gz") as tout:
        for member in tin.getmembers():
            data = tin.extractfile(member).read()
            if member.name == backup.MANIFEST:
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            tout.addfile(member, io.BytesIO(data))


def test_refuses_an_archive_from_a_newer_schema_and_changes_nothing(db, tmp_path):
    _populate()
    archive = tmp_path / "backup.tar.gz"
    backup.create_backup(archive)
    newer = tmp_path / "newer.tar.gz"
    _rewrite_manifest(archive, newer, alembic_revision="9999_from_the_future")
    with session_scope() as s:
        accounts.create_user(s, email="despues@x.test", password="password-123", name="Después")
    before = _snapshot()

    with pytest.raises(backup.BackupError, match="newer"):
        backup.restore_backup(newer)

    assert _snapshot() == before
    assert cli.main(["restore", str(newer)]) == 1


def test_refuses_an_archive_of_another_database_kind(db, tmp_path):
    _populate()
    archive = tmp_path / "backup.tar.gz"
    backup.create_backup(archive)
    other = tmp_path / "other.tar.gz"
    kind = "postgresql" if get_settings().is_sqlite else "sqlite"
    _rewrite_manifest(archive, other, db_kind=kind)
    with pytest.raises(backup.BackupError, match=kind):
        backup.restore_backup(other)


def test_refuses_a_damaged_database_dump(db, tmp_path):
    _populate()
    archive = tmp_path / "backup.tar.gz"
    manifest = backup.create_backup(archive)
    damaged = tmp_path / "damaged.tar.gz"
    _rewrite_manifest(archive, damaged, database={**manifest["database"], "sha256": "0" * 64})
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore_backup(damaged)


def test_cli_backup_then_restore(db, tmp_path, capsys):
    _populate()
    before = _snapshot()
    archive = tmp_path / "cli.tar.gz"
    assert cli.main(["backup", "--out", str(archive)]) == 0
    assert "1 attachment" in capsys.readouterr().out
    _wipe()
    assert cli.main(["restore", str(archive)]) == 0
    assert _snapshot() == before
    assert get_store().read(before["attachments"][0][1]) == png_bytes()
