"""Apply Alembic migrations programmatically (used at start-up, by the CLI and by tests)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from alembic import command
from alembic.config import Config

from helpdesk.infra.settings import REPO_ROOT, get_settings


def alembic_config(db_url: str | None = None) -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    cfg.attributes["db_url"] = db_url or get_settings().db_url
    return cfg


def upgrade(db_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(db_url), revision)


def downgrade(db_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(db_url), revision)


@contextmanager
def startup_lock(db_url: str | None = None) -> Iterator[None]:
    """Serialize start-up work (migrations, first seed) across processes starting together:
    a file lock next to the SQLite file, or a PostgreSQL advisory lock."""
    settings = get_settings()
    url = db_url or settings.db_url
    if url.startswith("sqlite"):
        import fcntl

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(settings.data_dir / ".startup.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    from sqlalchemy import text

    from helpdesk.infra.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(720431)"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(720431)"))
                conn.commit()
    finally:
        engine.dispose()


def upgrade_locked(db_url: str | None = None) -> None:
    """Upgrade to head while holding the start-up lock."""
    with startup_lock(db_url):
        upgrade(db_url)
