"""Shared fixtures. Every test that touches the database gets a fresh, migrated one.

Set HELPDESK_TEST_DB_URL=postgresql+psycopg://... to run the same tests against PostgreSQL:
each test then gets its own freshly created database.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


def _reset_caches() -> None:
    from helpdesk.infra import db, settings
    from helpdesk.services import estimate_cache, public_cache, staff_totp_rule

    public_cache.invalidate()
    staff_totp_rule.invalidate()
    estimate_cache.invalidate()
    settings.get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture(autouse=True)
def _fair_use_limits_off_until_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tests open alike tickets for one customer to test something else; the fair-use
    tests (tests/unit/test_fair_use*.py) save the limits they test, as an admin would."""
    from helpdesk.domain.fair_use import FairUseLimits
    from helpdesk.services import fair_use

    monkeypatch.setattr(fair_use, "DEFAULT_LIMITS", FairUseLimits(0, 0, 0, 0, 0))


@pytest.fixture(autouse=True)
def _staff_totp_rule_reads_only_a_test_database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy asks services/staff_totp_rule whether the admin requires two-step sign-in of
    staff, which reads a setting. Pure policy tests have no database: for them it is off."""
    if "db" not in request.fixturenames:
        from helpdesk.services import staff_totp_rule

        monkeypatch.setattr(staff_totp_rule, "required", lambda: False)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "test-secret-key")
    monkeypatch.delenv("HELPDESK_SMTP_HOST", raising=False)
    return tmp_path


@pytest.fixture
def db(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """A migrated empty database (SQLite in tmp, or a throwaway PostgreSQL database)."""
    from helpdesk.infra import migrations

    pg_url = os.environ.get("HELPDESK_TEST_DB_URL", "").strip()
    dropper = None
    if pg_url:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg_url.rsplit("/", 1)[0] + "/" + name
        monkeypatch.setenv("HELPDESK_DB_URL", url)

        def dropper() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        monkeypatch.delenv("HELPDESK_DB_URL", raising=False)
    _reset_caches()
    migrations.upgrade()
    from helpdesk.infra.db import get_engine

    yield get_engine()
    _reset_caches()
    if dropper:
        dropper()
