"""Alembic environment: the URL comes from HELPDESK_DB_URL (or the SQLite default)."""

from alembic import context

from helpdesk.domain.models import metadata
from helpdesk.infra.db import get_engine, make_engine

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("db_url")
    engine = make_engine(url) if url else get_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `helpdesk db upgrade`")
run_migrations_online()
