"""Throwaway databases for the benchmarks: SQLite in a temporary folder, or a temporary
PostgreSQL database beside a server URL, dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, text


@contextmanager
def sqlite_db(prefix: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextmanager
def postgres_db(server_url: str, prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
