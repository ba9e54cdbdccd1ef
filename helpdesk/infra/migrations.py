"""Apply Alembic migrations programmatically (used at start-up, by the CLI and by tests)."""

from __future__ import annotations

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


def upgrade_locked(db_url: str | None = None) -> None:
    """Upgrade to head while holding a lock, so several workers starting together don't race."""
    settings = get_settings()
    url = db_url or settings.db_url
    if url.startswith("sqlite"):
        import fcntl

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(settings.data_dir / ".migrate.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                upgrade(url)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    from sqlalchemy import text

    from helpdesk.infra.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(720431)"))
            try:
                upgrade(url)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(720431)"))
    finally:
        engine.dispose()
