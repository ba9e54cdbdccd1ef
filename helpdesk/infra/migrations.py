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
