import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from helpdesk.domain.accounts import User
from helpdesk.domain.models import metadata
from helpdesk.infra import migrations
from helpdesk.infra.db import session_scope


def test_migrations_create_every_table_and_roll_back(db):
    tables = set(inspect(db).get_table_names())
    assert set(metadata.tables) <= tables
    migrations.downgrade()
    assert not (set(metadata.tables) & set(inspect(db).get_table_names()))
    migrations.upgrade()
    assert set(metadata.tables) <= set(inspect(db).get_table_names())


def test_foreign_keys_are_enforced_and_sqlite_uses_wal(db):
    with pytest.raises(IntegrityError):
        with session_scope() as s:
            s.add(User(email="x@example.com", name="X", password_hash="x", organization_id=999))
    if db.dialect.name == "sqlite":
        with db.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
